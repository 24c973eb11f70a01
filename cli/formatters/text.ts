import type { Finding, Location } from '../../core/engine/findings.js';
import { countBySeverity, type Formatter } from '../report.js';

/**
 * gcc/clang-style diagnostics, the format editors' problem matchers and CI log scanners already
 * parse: `path:line:col: error: message [rule-id]`, the source line with a caret underline, then
 * `note:` lines for related locations and the code path.
 */
const ANSI = { bold: '\x1b[1m', red: '\x1b[31m', magenta: '\x1b[35m', cyan: '\x1b[36m', green: '\x1b[32m', reset: '\x1b[0m' };

export const formatText: Formatter = (report, { color }) => {
  const paint = (code: string, text: string) => (color ? `${code}${text}${ANSI.reset}` : text);
  const label = { error: paint(ANSI.bold + ANSI.red, 'error:'), warning: paint(ANSI.bold + ANSI.magenta, 'warning:'), note: paint(ANSI.bold + ANSI.cyan, 'note:') };
  const where = (l: Location) => paint(ANSI.bold, `${l.file}:${l.line}:${l.column}:`);
  const lines: string[] = [];
  const snippet = (l: Location) => {
    const source = report.sourceLine(l.file, l.line);
    if (source === undefined) return;
    const expanded = source.replace(/\t/g, '    ');
    const prefixTabs = (source.slice(0, l.column - 1).match(/\t/g) ?? []).length;
    const start = l.column - 1 + prefixTabs * 3;
    const width = Math.max(1, (l.endLine === l.line ? l.endColumn - l.column : source.length - (l.column - 1)));
    const gutter = String(l.line).padStart(5);
    lines.push(`${gutter} | ${expanded}`);
    lines.push(`${' '.repeat(5)} | ${' '.repeat(Math.max(0, start))}${paint(ANSI.green, `^${'~'.repeat(Math.max(0, width - 1))}`)}`);
  };
  const note = (l: Location, message: string) => lines.push(`${where(l)} ${label.note} ${message}`);
  const sorted = [...report.findings];
  for (const f of sorted) {
    lines.push(`${where(f.location)} ${label[f.severity]} ${f.message} [${f.ruleId}]`);
    snippet(f.location);
    for (const r of f.related) note(r.location, r.message);
    for (const step of pathSteps(f)) note(step.location, `path: ${step.message}`);
    if (f.fix) note(f.location, `fix available: ${f.fix.description}`);
  }
  const counts = countBySeverity(report.findings);
  const total = counts.error + counts.warning + counts.note;
  // Skipped files are counted where the summary is read, not only in their messages on stderr.
  const skipped = report.skippedCount ? ` (${report.skippedCount} skipped: see the messages above)` : '';
  const files = `${report.fileCount} file${report.fileCount === 1 ? '' : 's'}${skipped}`;
  if (total === 0) lines.push(`no problems found in ${files}`);
  else {
    const parts = [`${counts.error} error${counts.error === 1 ? '' : 's'}`, `${counts.warning} warning${counts.warning === 1 ? '' : 's'}`, `${counts.note} note${counts.note === 1 ? '' : 's'}`];
    lines.push(paint(ANSI.bold, `${total} problem${total === 1 ? '' : 's'} (${parts.join(', ')}) in ${files}`));
  }
  return `${lines.join('\n')}\n`;
};

/** The code path without its first and last steps, which the related notes and the diagnostic already show. */
function pathSteps(f: Finding) {
  const path = f.path ?? [];
  return path.length > 2 ? path.slice(1, -1) : [];
}
