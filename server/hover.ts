import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import type { Finding } from '../core/engine/findings.js';
import { ruleDocs, ruleDocsUrl } from '../core/engine/rule-docs.js';
import { findRule } from '../rules/index.js';
import { toRange } from './diagnostics.js';

function contains(finding: Finding, position: Position): boolean {
  const { start, end } = toRange(finding.location);
  const after = position.line > start.line || (position.line === start.line && position.character >= start.character);
  const before = position.line < end.line || (position.line === end.line && position.character <= end.character);
  return after && before;
}

/** A `## Heading` section of a rule's markdown docs (heading matched by its start), without the heading. */
export function docSection(markdown: string, headingStart: string): string | undefined {
  const lines = markdown.split('\n');
  const from = lines.findIndex((l) => l.startsWith(`## ${headingStart}`));
  if (from < 0) return undefined;
  let to = lines.findIndex((l, i) => i > from && l.startsWith('## '));
  if (to < 0) to = lines.length;
  const body = lines.slice(from + 1, to).join('\n').trim();
  return body || undefined;
}

/** The rule's title, why it matters and how to fix it, for every finding under the cursor. */
export function hoverFor(findings: readonly Finding[], position: Position): Hover | null {
  const here = findings.filter((f) => contains(f, position));
  if (here.length === 0) return null;
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const finding of here) {
    if (seen.has(finding.ruleId)) continue;
    seen.add(finding.ruleId);
    const meta = findRule(finding.ruleId)?.meta;
    const docs = ruleDocs(finding.ruleId);
    const why = docSection(docs, 'Why') ?? meta?.fullDescription;
    const fix = docSection(docs, 'How to fix');
    const lines = [`**${meta?.title ?? finding.ruleId}** — \`${finding.ruleId}\` (connlint)`, '', finding.message];
    if (why) lines.push('', '#### Why it matters', '', why);
    if (fix) lines.push('', '#### How to fix', '', fix);
    lines.push('', `[Rule documentation](${ruleDocsUrl(finding.ruleId)})`);
    parts.push(lines.join('\n'));
  }
  const first = toRange(here[0]!.location);
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range: first };
}
