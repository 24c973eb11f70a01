import type { Finding, Location } from './findings.js';
import type { SyntaxNode } from '../syntax/parser.js';

/**
 * Inline suppressions, in the comment syntax ESLint users know:
 *   // connlint-disable-next-line RULE[, RULE] -- reason
 *   // connlint-disable-line RULE
 *   /* connlint-disable RULE *\/ … /* connlint-enable RULE *\/
 * No rule list means every rule.
 */
export interface Directive {
  readonly kind: 'disable-next-line' | 'disable-line' | 'disable' | 'enable';
  /** Empty: all rules. */
  readonly rules: readonly string[];
  readonly location: Location;
  /** Lines the directive covers (for block disables: up to the matching enable or end of file). */
  readonly fromLine: number;
  toLine: number;
  used: boolean;
}

const DIRECTIVE = /^\s*connlint-(disable-next-line|disable-line|disable|enable)\b([^]*)$/;

export function parseDirectives(file: string, comments: readonly SyntaxNode[], lineCount: number): Directive[] {
  const directives: Directive[] = [];
  const open: Directive[] = [];
  for (const comment of comments) {
    const body = comment.text.startsWith('//') ? comment.text.slice(2) : comment.text.slice(2, -2);
    const m = DIRECTIVE.exec(body);
    if (!m) continue;
    const kind = m[1] as Directive['kind'];
    const ruleText = m[2]!.split(/\s--\s|\s--$/)[0]!;
    const rules = ruleText.split(/[\s,]+/).filter((r) => r.length > 0);
    const location: Location = {
      file,
      line: comment.startPosition.row + 1,
      column: comment.startPosition.column + 1,
      endLine: comment.endPosition.row + 1,
      endColumn: comment.endPosition.column + 1,
    };
    const endRow = comment.endPosition.row + 1;
    if (kind === 'disable-next-line') directives.push({ kind, rules, location, fromLine: endRow + 1, toLine: endRow + 1, used: false });
    else if (kind === 'disable-line') directives.push({ kind, rules, location, fromLine: location.line, toLine: endRow, used: false });
    else if (kind === 'disable') {
      const d: Directive = { kind, rules, location, fromLine: endRow, toLine: lineCount, used: false };
      directives.push(d);
      open.push(d);
    } else {
      // An enable closes the open disables it names (or all of them).
      for (let i = open.length - 1; i >= 0; i--) {
        const d = open[i]!;
        if (rules.length === 0 || d.rules.length === 0 || d.rules.some((r) => rules.includes(r))) {
          d.toLine = location.line;
          open.splice(i, 1);
        }
      }
    }
  }
  return directives;
}

/** Drops suppressed findings and marks the directives that did something. */
export function applyDirectives(findings: readonly Finding[], directives: readonly Directive[]): Finding[] {
  if (directives.length === 0) return [...findings];
  return findings.filter((f) => {
    let suppressed = false;
    for (const d of directives) {
      if (d.kind === 'enable') continue;
      if (f.location.line < d.fromLine || f.location.line > d.toLine) continue;
      if (d.rules.length > 0 && !d.rules.includes(f.ruleId)) continue;
      d.used = true;
      suppressed = true;
    }
    return !suppressed;
  });
}

export const UNUSED_DIRECTIVE_RULE = 'unused-disable-directive';
