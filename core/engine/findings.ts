import { createHash } from 'node:crypto';

export type Severity = 'error' | 'warning' | 'note';
export type SeveritySetting = Severity | 'off';
export const SEVERITIES: readonly SeveritySetting[] = ['off', 'note', 'warning', 'error'];

/** A source range: 1-based lines and columns (UTF-16 units), end column exclusive (as SARIF). */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface RelatedLocation {
  readonly location: Location;
  readonly message: string;
}

export interface TextEdit {
  readonly location: Location;
  readonly newText: string;
}

export interface Fix {
  readonly description: string;
  readonly edits: readonly TextEdit[];
  /** The obvious fix (LSP `isPreferred`). */
  readonly preferred?: boolean;
}

export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  readonly location: Location;
  readonly related: readonly RelatedLocation[];
  /** Steps from the cause to the report (SARIF codeFlows, `note:` lines in text). */
  readonly path?: readonly RelatedLocation[];
  readonly fix?: Fix;
  /** Stable under unrelated edits: rule + file + function + statement text + occurrence. */
  readonly fingerprint: string;
  readonly functionName?: string;
}

/** What a rule supplies; the engine adds the fingerprint. */
export type FindingInput = Omit<Finding, 'fingerprint'> & {
  /** The statement text the fingerprint is built from (whitespace is normalized). */
  readonly anchorText: string;
};

/**
 * Fingerprints: no line numbers, so inserting code above a finding keeps its identity (SARIF
 * partialFingerprints, baselines). Identical statements in one function are told apart by their
 * occurrence index.
 */
export function fingerprintFindings(inputs: readonly FindingInput[]): Finding[] {
  const sorted = [...inputs].sort(compareFindings);
  const seen = new Map<string, number>();
  return sorted.map(({ anchorText, ...finding }) => {
    const base = [finding.ruleId, finding.location.file, finding.functionName ?? '', anchorText.replace(/\s+/g, ' ').trim()].join('\u0000');
    const occurrence = seen.get(base) ?? 0;
    seen.set(base, occurrence + 1);
    const fingerprint = createHash('sha256').update(`${base}\u0000${occurrence}`).digest('hex').slice(0, 32);
    return { ...finding, fingerprint };
  });
}

export function compareFindings(a: { location: Location; ruleId: string }, b: { location: Location; ruleId: string }): number {
  return (
    a.location.file.localeCompare(b.location.file) ||
    a.location.line - b.location.line ||
    a.location.column - b.location.column ||
    a.ruleId.localeCompare(b.ruleId)
  );
}

/**
 * How a message names a line of its finding's own file: `(line 42)`. Rules write line numbers only
 * this way, so that a finding whose function merely moved can be moved with it (see moveFinding).
 */
export function lineReference(line: number): string {
  return `(line ${line})`;
}

const LINE_REFERENCE = /\(line (\d+)\)/g;

function messagesOf(finding: Finding): string[] {
  return [finding.message, ...finding.related.map((r) => r.message), ...(finding.path ?? []).map((s) => s.message)];
}

function locationsOf(finding: Finding): Location[] {
  return [finding.location, ...finding.related.map((r) => r.location), ...(finding.path ?? []).map((s) => s.location), ...(finding.fix?.edits ?? []).map((e) => e.location)];
}

/** Every line range a finding shows in `file`: its locations, notes, path steps, fix edits, and lines its messages name. */
export function linesShownIn(finding: Finding, file: string): { line: number; endLine: number }[] {
  const ranges: { line: number; endLine: number }[] = locationsOf(finding).filter((l) => l.file === file);
  if (finding.location.file !== file) return ranges;
  for (const message of messagesOf(finding)) for (const m of message.matchAll(LINE_REFERENCE)) ranges.push({ line: Number(m[1]), endLine: Number(m[1]) });
  return ranges;
}

/** The finding with everything it shows in `file` on lines `from`..`to` moved down by `delta` lines (up when negative). */
export function moveFinding(finding: Finding, file: string, from: number, to: number, delta: number): Finding {
  const inside = (line: number) => line >= from && line <= to;
  const move = (l: Location): Location => (l.file === file && inside(l.line) ? { ...l, line: l.line + delta, endLine: l.endLine + delta } : l);
  const own = finding.location.file === file;
  const text = (message: string) => (own ? message.replace(LINE_REFERENCE, (whole, n: string) => (inside(Number(n)) ? lineReference(Number(n) + delta) : whole)) : message);
  return {
    ...finding,
    message: text(finding.message),
    location: move(finding.location),
    related: finding.related.map((r) => ({ location: move(r.location), message: text(r.message) })),
    ...(finding.path ? { path: finding.path.map((s) => ({ location: move(s.location), message: text(s.message) })) } : {}),
    ...(finding.fix ? { fix: { ...finding.fix, edits: finding.fix.edits.map((e) => ({ ...e, location: move(e.location) })) } } : {}),
  };
}
