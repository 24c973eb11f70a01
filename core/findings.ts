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
