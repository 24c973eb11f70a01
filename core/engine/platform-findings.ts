import { compareFindings, type Finding } from './findings.js';
import { UNUSED_DIRECTIVE_RULE } from './suppressions.js';

/**
 * The findings of a BSD build (see core/project/platforms.ts) added to the Linux build's: those the
 * Linux build lacks, saying which build they are in. A note is a question (`edgeTriggered: ask`):
 * one the Linux build already asks in the same function is not asked again. A suppression is
 * unused only when it is in both builds.
 */
export function withBsdFindings(linux: readonly Finding[], bsd: readonly Finding[]): Finding[] {
  const place = (f: Finding) => `${f.ruleId}\0${f.location.line}\0${f.location.column}`;
  const question = (f: Finding) => `${f.ruleId}\0${f.location.file}\0${f.functionName ?? ''}`;
  const inLinux = new Set(linux.map(place));
  const askedInLinux = new Set(linux.filter((f) => f.severity === 'note').map(question));
  const unusedInBsd = new Set(bsd.filter((f) => f.ruleId === UNUSED_DIRECTIVE_RULE).map(place));
  const merged = linux.filter((f) => f.ruleId !== UNUSED_DIRECTIVE_RULE || unusedInBsd.has(place(f)));
  for (const f of bsd) {
    if (f.ruleId === UNUSED_DIRECTIVE_RULE || inLinux.has(place(f))) continue;
    if (f.severity === 'note' && askedInLinux.has(question(f))) continue;
    merged.push({ ...f, message: `${f.message} (in a BSD or macOS build, with kqueue)` });
  }
  return merged.sort(compareFindings);
}
