import type { Location } from '../../core/engine/findings.js';
import { countBySeverity, type Formatter } from '../report.js';

/**
 * The JSON format (documented in docs/json-format.md; stable within a major version):
 * one object with the tool, the findings and a summary.
 */
const place = (l: Location) => ({ file: l.file, line: l.line, column: l.column, endLine: l.endLine, endColumn: l.endColumn });

export const formatJson: Formatter = (report) => {
  const counts = countBySeverity(report.findings);
  const output = {
    tool: { name: 'connlint', version: report.toolVersion },
    findings: report.findings.map((f) => ({
      rule: f.ruleId,
      severity: f.severity,
      ...place(f.location),
      message: f.message,
      function: f.functionName ?? null,
      related: f.related.map((r) => ({ ...place(r.location), message: r.message })),
      path: (f.path ?? []).map((r) => ({ ...place(r.location), message: r.message })),
      fix: f.fix ? { description: f.fix.description, edits: f.fix.edits.map((e) => ({ ...place(e.location), newText: e.newText })) } : null,
      fingerprint: f.fingerprint,
    })),
    problems: report.problems.map((p) => ({ file: p.path, level: p.level, message: p.message })),
    summary: { files: report.fileCount, errors: counts.error, warnings: counts.warning, notes: counts.note },
  };
  return `${JSON.stringify(output, null, 2)}\n`;
};
