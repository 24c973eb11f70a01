import { compareFindings, type Finding, type RelatedLocation } from './findings.js';
import { UNUSED_DIRECTIVE_RULE } from './suppressions.js';
import type { SourceFile } from '../project/source-file.js';
import type { AssumedGroup } from '../syntax/recovery.js';

/**
 * A recovered function whose `#if` branches a feature assumption chose is analysed in both
 * configurations: the copy taking the features as defined (the file's) and the copy taking them
 * as not defined (otherConfiguration). A finding of only one of them names the configuration it
 * is in as a step of its path; a finding of both is reported once, as it is. The second copy is
 * made only for files where a rule had something to check (asked for the CFG) in such a function
 * in the first: the copy costs a parse and a facts pass, and most recovered functions hold nothing
 * the rules look at (on the bench corpus that keeps the cost at about 8 % of CPU instead of 32 %).
 */

/** Indices of the functions of `file` that hold a group a feature assumption decided: only there can the configurations differ. */
export function functionsWithAssumptions(file: SourceFile, groups: readonly AssumedGroup[]): Set<number> {
  const indices = new Set<number>();
  file.syntax.functionNodes.forEach((node, i) => {
    if (groups.some((g) => g.start < node.endIndex && g.end > node.startIndex)) indices.add(i);
  });
  return indices;
}

/**
 * The findings of both configurations as one list. `first`: the file's findings (features
 * defined); `second`: the other copy's, in `functions` of it only.
 */
export function mergeConfigurations(file: SourceFile, other: SourceFile, first: readonly Finding[], second: readonly Finding[], functions: ReadonlySet<number>): Finding[] {
  const groups = [...file.recovery!.assumed, ...other.recovery!.assumed];
  const spans = [...functions].map((i) => other.syntax.functionNodes[i]!).map((n) => [n.startPosition.row + 1, n.endPosition.row + 1] as const);
  const inSpans = (f: Finding) => spans.some(([from, to]) => f.location.line >= from && f.location.line <= to);
  // One problem in both configurations may read differently ("5 more exits" against "6 more"), or
  // be told apart from another at the same statement differently (the fingerprint's occurrence
  // count): the same place with the same message or the same fingerprint is one.
  const keys = (f: Finding) => [`${f.fingerprint}\0${f.location.line}\0${f.location.column}`, `${f.ruleId}\0${f.location.line}\0${f.location.column}\0${f.message}`];
  const firstKeys = new Set(first.flatMap(keys));
  const secondKeys = new Set(second.flatMap(keys));
  const inFirst = (f: Finding) => keys(f).some((k) => firstKeys.has(k));
  const inSecond = (f: Finding) => keys(f).some((k) => secondKeys.has(k));
  const merged: Finding[] = [];
  for (const f of first) {
    // A suppression used in either configuration is used.
    if (f.ruleId === UNUSED_DIRECTIVE_RULE) {
      if (inSecond(f)) merged.push(f);
    } else merged.push(inSpans(f) && !inSecond(f) ? withConfiguration(f, file, groups, true) : f);
  }
  for (const f of second) if (f.ruleId !== UNUSED_DIRECTIVE_RULE && inSpans(f) && !inFirst(f)) merged.push(withConfiguration(f, file, groups, false));
  return merged.sort(compareFindings);
}

/** The finding with the configuration it is in as a step of its path: "'HAVE_IOCTL' is not defined". */
function withConfiguration(finding: Finding, file: SourceFile, groups: readonly AssumedGroup[], defined: boolean): Finding {
  const fn = functionAround(file, finding.location.line);
  const inFunction = groups.filter((g) => !fn || (g.start < fn[1] && g.end > fn[0]));
  if (inFunction.length === 0) return finding;
  // The groups the finding's path goes through; else every group of the function.
  const lines = [finding.location, ...finding.related.map((r) => r.location), ...(finding.path ?? []).map((s) => s.location)].map((l) => l.line);
  const lineOf = (offset: number) => file.lines.lineOf(offset) + 1;
  const crossed = inFunction.filter((g) => lines.some((line) => line >= lineOf(g.start) && line <= lineOf(g.end)));
  const here = crossed.length > 0 ? crossed : inFunction;
  const names = [...new Set(here.flatMap((g) => g.names))];
  const first = here.reduce((a, b) => (b.start < a.start ? b : a));
  const lineEnd = file.text.indexOf('\n', first.start);
  const span = file.lines.span(first.start, lineEnd < 0 ? file.text.length : lineEnd);
  const listed = namesListed(names);
  const step: RelatedLocation = {
    location: { file: finding.location.file, line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn },
    message: `${listed} ${defined ? 'defined' : 'not defined'}`,
  };
  // Where the path reaches the group (after its first step: where the handle came from, which the
  // text format shows as a related note), and before the last (the report itself).
  const path = finding.path ?? [];
  if (path.length < 2) return { ...finding, path: [step, ...path] };
  let at = path.findIndex((s, i) => i > 0 && s.location.line > span.line);
  if (at < 0 || at === 0) at = path.length - 1;
  return { ...finding, path: [...path.slice(0, at), step, ...path.slice(at)] };
}

const MAX_NAMES_LISTED = 3;

/** `'A' is`, `'A' and 'B' are`, `'A', 'B', 'C' and 4 more are`. */
function namesListed(names: readonly string[]): string {
  if (names.length === 1) return `'${names[0]}' is`;
  const quoted = names.map((n) => `'${n}'`);
  if (names.length > MAX_NAMES_LISTED) return `${quoted.slice(0, MAX_NAMES_LISTED).join(', ')} and ${names.length - MAX_NAMES_LISTED} more are`;
  return `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)} are`;
}

/** Offsets of the outermost function holding `line` (1-based). */
function functionAround(file: SourceFile, line: number): [number, number] | undefined {
  for (const node of file.syntax.functionNodes) {
    if (node.startPosition.row + 1 <= line && line <= node.endPosition.row + 1) return [node.startIndex, node.endIndex];
  }
  return undefined;
}
