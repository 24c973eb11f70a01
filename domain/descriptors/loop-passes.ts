import type { CfgEdge } from '../../core/flow/cfg.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { contains } from '../../core/syntax/nodes.js';
import { blankComments } from '../../core/syntax/c-text.js';

/** `x = …`, `x += …`, `x++`, `--x`: the names a loop changes (a field's name counts, to be safe). */
const ASSIGNED = /([A-Za-z_]\w*)\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)|([A-Za-z_]\w*)\s*(?:\+\+|--)|(?:\+\+|--)\s*([A-Za-z_]\w*)/g;

/**
 * Does a path that falls from the acquire into its loop's next pass (no `continue`, `goto` or
 * `break` on the way) hang on the loop's own state? In `if (count > 1) close(s); count--; } while
 * (count > 0)` the branch that kept the handle open tests a variable the loop changes, and the
 * loop's condition may end the loop exactly then: not a path to report. A handle kept open only by
 * calls' outcomes (`if (connect(fd, r->ai_addr, …) < 0) { close(fd); fd = -1; }` not taken, then
 * `r = r->ai_next` and another `socket()`) or by values the loop never changes does go round.
 * `handle`: the variable's name (its own tests are the acquire's, not the loop's). Undefined loop
 * (a backward `goto`): hangs on it, as far as we know.
 */
export function passHangsOnLoopState(path: readonly CfgEdge[], handle: string, loop: SyntaxNode | undefined): boolean {
  if (!loop) return true;
  const header = loop.childForFieldName('condition');
  const changed = new Set<string>();
  for (const m of blankComments(loop.text).matchAll(ASSIGNED)) changed.add((m[1] ?? m[2] ?? m[3])!);
  changed.delete(handle);
  // A variable the loop's body declares starts again on every pass (`int name_info =
  // getnameinfo(…)` in mod_tile's connect loop): no state the loop carries, nothing its condition reads.
  for (const name of declaredInBody(loop)) changed.delete(name);
  for (const edge of path) {
    const condition = edge.condition ?? (edge.caseValue ? edge.from.syntax : undefined);
    if (!condition || (header && contains(header, condition))) continue;
    if (testedNames(condition).some((name) => changed.has(name))) return true;
  }
  return false;
}

/** Names declared in a loop's body (not its `for (int i = …)` header: that one carries across passes). */
function declaredInBody(loop: SyntaxNode): string[] {
  const body = loop.childForFieldName('body');
  if (!body || !body.text.includes('=') && !body.text.includes(';')) return [];
  const names: string[] = [];
  for (const declaration of body.descendantsOfType('declaration')) {
    // `static int tries = 0;` keeps its value from pass to pass.
    if (declaration.namedChildren.some((c) => c.type === 'storage_class_specifier' && c.text === 'static')) continue;
    for (const declarator of declaration.childrenForFieldName('declarator')) {
      const name = /[A-Za-z_]\w*/.exec(declarator.type === 'init_declarator' ? (declarator.childForFieldName('declarator')?.text ?? '') : declarator.text)?.[0];
      if (name) names.push(name);
    }
  }
  return names;
}

/** Names a condition tests itself: not a call's name or what it passes (`connect(fd, r->ai_addr, …) < 0` tests connect's result). */
function testedNames(condition: SyntaxNode): string[] {
  const names: string[] = [];
  // A stack of its own: a condition can nest thousands of levels deep (a 20,000-term expression).
  const stack = [condition];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'identifier') names.push(node.text);
    if (node.type === 'call_expression' || node.type === 'argument_list') continue;
    for (const child of node.namedChildren) stack.push(child);
  }
  return names;
}
