import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import type { Finding } from '../core/engine/findings.js';
import { toRange, type DiagnosticData } from './diagnostics.js';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.connlint`;

export interface ActionContext {
  readonly uri: string;
  readonly version: number;
  readonly text: string;
  readonly findings: readonly Finding[];
  /** The diagnostic published for each finding (by fingerprint), to attach to its actions. */
  readonly diagnosticOf: (finding: Finding) => Diagnostic;
  /** Client applies `documentChanges` (versioned edits: a stale action is refused, not misapplied). */
  readonly versionedEdits: boolean;
}

function workspaceEdit(ctx: ActionContext, edits: TextEdit[]): WorkspaceEdit {
  if (ctx.versionedEdits) return { documentChanges: [{ textDocument: { uri: ctx.uri, version: ctx.version }, edits }] };
  return { changes: { [ctx.uri]: edits } };
}

function wanted(only: readonly string[] | undefined, kind: string): boolean {
  // `only: ['source']` asks for every source action, `['source.fixAll']` for fix-alls.
  return !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/** Leading whitespace of a 1-based line (the disable comment goes above it, aligned with it). */
function indentationOf(text: string, line: number): string {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const newline = text.indexOf('\n', start);
    if (newline === -1) break;
    start = newline + 1;
  }
  return /^[ \t]*/.exec(text.slice(start, start + 256))![0];
}

/** Findings the request is about: the diagnostics it carries, else those overlapping its range. */
function findingsInRequest(ctx: ActionContext, params: CodeActionParams): Finding[] {
  const fingerprints = new Set(params.context.diagnostics.map((d) => (d.data as Partial<DiagnosticData> | undefined)?.fingerprint).filter((f): f is string => typeof f === 'string'));
  const byDiagnostic = ctx.findings.filter(
    (f) => fingerprints.has(f.fingerprint) || params.context.diagnostics.some((d) => d.source === 'connlint' && d.code === f.ruleId && sameRange(d, f)),
  );
  if (params.context.diagnostics.length > 0) return byDiagnostic;
  const { start, end } = params.range;
  return ctx.findings.filter((f) => f.location.line - 1 <= end.line && f.location.endLine - 1 >= start.line);
}

function sameRange(d: Diagnostic, f: Finding): boolean {
  const r = toRange(f.location);
  return d.range.start.line === r.start.line && d.range.start.character === r.start.character && d.range.end.line === r.end.line && d.range.end.character === r.end.character;
}

/**
 * Quick fixes (each rule fix, preferred when the rule says it is the obvious one), "Disable RULE
 * for this line" for every finding, and `source.fixAll.connlint` (all preferred fixes at once).
 */
export function codeActionsFor(ctx: ActionContext, params: CodeActionParams): CodeAction[] {
  const only = params.context.only;
  const actions: CodeAction[] = [];
  if (wanted(only, CodeActionKind.QuickFix)) {
    const findings = findingsInRequest(ctx, params);
    for (const finding of findings) {
      if (!finding.fix) continue;
      actions.push({
        title: finding.fix.description,
        kind: CodeActionKind.QuickFix,
        diagnostics: [ctx.diagnosticOf(finding)],
        isPreferred: finding.fix.preferred === true,
        edit: workspaceEdit(ctx, finding.fix.edits.map((e) => ({ range: toRange(e.location), newText: e.newText }))),
      });
    }
    for (const finding of findings) {
      const indent = indentationOf(ctx.text, finding.location.line);
      const position = { line: finding.location.line - 1, character: 0 };
      actions.push({
        title: `Disable ${finding.ruleId} for this line`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [ctx.diagnosticOf(finding)],
        edit: workspaceEdit(ctx, [{ range: { start: position, end: position }, newText: `${indent}// connlint-disable-next-line ${finding.ruleId} -- \n` }]),
      });
    }
  }
  if (wanted(only, FIX_ALL_KIND) && (only !== undefined || actions.length > 0)) {
    const fixAll = fixAllEdits(ctx.findings);
    if (fixAll.length > 0) {
      actions.push({ title: 'Fix all auto-fixable connlint problems', kind: FIX_ALL_KIND, edit: workspaceEdit(ctx, fixAll) });
    }
  }
  return actions;
}

/** The preferred fixes of all findings, skipping any whose edits overlap an earlier one. */
export function fixAllEdits(findings: readonly Finding[]): TextEdit[] {
  const taken: { start: number; end: number }[] = [];
  const edits: TextEdit[] = [];
  const key = (line: number, column: number) => line * 1e6 + column;
  for (const finding of findings) {
    if (!finding.fix?.preferred) continue;
    const spans = finding.fix.edits.map((e) => ({ start: key(e.location.line, e.location.column), end: key(e.location.endLine, e.location.endColumn) }));
    if (spans.some((s) => taken.some((t) => s.start < t.end && t.start < s.end))) continue;
    taken.push(...spans);
    edits.push(...finding.fix.edits.map((e) => ({ range: toRange(e.location), newText: e.newText })));
  }
  return edits;
}
