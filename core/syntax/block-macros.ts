import type { SyntaxNode } from './parser.js';

/**
 * The head of a block macro (`KJ_SYSCALL_HANDLE_ERRORS(fd = openat(…)) {`, `LIST_FOREACH(…) {`)
 * that `condition` belongs to: the configuration-resolved copy writes such a head as `if`/`while`
 * (macro-rewrites.ts), which the original text (`originalText`) does not say. Its text up to the
 * closing parenthesis, where it is, and whether it iterates.
 */
export function blockMacroHead(originalText: string, condition: SyntaxNode): { text: string; start: number; end: number; loop: boolean } | undefined {
  let head: SyntaxNode | null = condition;
  while (head && head.type !== 'while_statement' && head.type !== 'if_statement') {
    if (head.type !== 'parenthesized_expression' && head.type !== 'comma_expression' && head.type !== 'condition_clause' && head !== condition) return undefined;
    head = head.parent;
  }
  if (!head) return undefined;
  const keyword = head.type === 'while_statement' ? 'while' : 'if';
  if (originalText.startsWith(keyword, head.startIndex)) return undefined;
  const parens = head.childForFieldName('condition');
  if (!parens) return undefined;
  return { text: originalText.slice(head.startIndex, parens.endIndex), start: head.startIndex, end: parens.endIndex, loop: keyword === 'while' };
}
