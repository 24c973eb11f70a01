import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation, type Range } from 'vscode-languageserver';
import type { Finding, Location, Severity } from '../core/engine/findings.js';
import { ruleDocsUrl } from '../core/engine/rule-docs.js';
import { findRule } from '../rules/index.js';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  // Information, not Hint: VS Code shows hints only as faint dots, and a note is still a finding.
  note: DiagnosticSeverity.Information,
};

/** Engine locations are 1-based with an exclusive end column; LSP ranges are 0-based, end exclusive. */
export function toRange(location: Location): Range {
  return {
    start: { line: location.line - 1, character: location.column - 1 },
    end: { line: location.endLine - 1, character: location.endColumn - 1 },
  };
}

/** What travels in `Diagnostic.data`, so a code action request can name its finding exactly. */
export interface DiagnosticData {
  readonly fingerprint: string;
}

/**
 * One finding as an LSP diagnostic: the CLI's message, `code` = rule id linking to the rule docs,
 * related locations (where the descriptor was accepted, where the listener was registered) and
 * the code path, as the CLI prints them in its `note:` lines.
 */
export function toDiagnostic(finding: Finding, uriOf: (path: string) => string, relatedSupported: boolean): Diagnostic {
  const message = finding.message.trim() || findRule(finding.ruleId)?.meta.title || finding.ruleId;
  const diagnostic: Diagnostic = {
    range: toRange(finding.location),
    severity: SEVERITY[finding.severity],
    code: finding.ruleId,
    codeDescription: { href: ruleDocsUrl(finding.ruleId) },
    source: 'connlint',
    message,
    data: { fingerprint: finding.fingerprint } satisfies DiagnosticData,
  };
  if (relatedSupported) {
    const related: DiagnosticRelatedInformation[] = finding.related.map((r) => ({ location: { uri: uriOf(r.location.file), range: toRange(r.location) }, message: r.message || 'related location' }));
    // The code path without its first and last steps (the related note and the diagnostic itself), as in the CLI.
    const path = finding.path ?? [];
    for (const step of path.length > 2 ? path.slice(1, -1) : []) related.push({ location: { uri: uriOf(step.location.file), range: toRange(step.location) }, message: `path: ${step.message}` });
    if (related.length > 0) diagnostic.relatedInformation = related;
  }
  return diagnostic;
}
