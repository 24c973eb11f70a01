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
  // A macro without arguments (`SCOPE_EXIT {`, `TEST_ALLOC_FAIL {`) was rewritten into a condition
  // of another length: the head is the name alone.
  const bare = /^([A-Za-z_]\w*)\s*(?=[{\n])/.exec(originalText.slice(head.startIndex, head.startIndex + 256));
  const end = bare ? head.startIndex + bare[1]!.length : parens.endIndex;
  return { text: originalText.slice(head.startIndex, end), start: head.startIndex, end, loop: keyword === 'while' };
}
