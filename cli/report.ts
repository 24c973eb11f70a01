import type { Finding, Severity } from '../core/engine/findings.js';
import type { Rule } from '../core/engine/rule.js';

/** Everything a formatter needs about one run. */
export interface Report {
  readonly toolVersion: string;
  readonly cwd: string;
  readonly findings: readonly Finding[];
  /** Files analysed (not counting skipped ones). */
  readonly fileCount: number;
  /** Files named or found that were not analysed (binary, over a limit, unreadable): each has a problem saying why. */
  readonly skippedCount?: number;
  /** File-level messages that are not findings: skipped files, internal errors. */
  readonly problems: readonly { path: string; message: string; level: 'error' | 'warning' | 'note' }[];
  readonly rules: readonly Rule[];
  readonly sarifCategory?: string;
  /** Source text of analysed files, for snippets (text format). */
  readonly sourceLine: (file: string, line: number) => string | undefined;
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export type Formatter = (report: Report, options: { color: boolean }) => string;
