import type { SyntaxNode } from './parser.js';

/** Strips parentheses (and C++ condition clauses) around an expression. */
export function unwrap(node: SyntaxNode): SyntaxNode {
  let current = node;
  for (;;) {
    if (current.type === 'parenthesized_expression' || current.type === 'condition_clause') {
      const inner = current.type === 'condition_clause' ? current.childForFieldName('value') : firstNonComment(current);
      if (!inner) return current;
      current = inner;
      continue;
    }
    return current;
  }
}

/** The first named child that is not a comment (one native call in the usual case). */
function firstNonComment(node: SyntaxNode): SyntaxNode | undefined {
  const first = node.firstNamedChild;
  if (!first || first.type !== 'comment') return first ?? undefined;
  return node.namedChildren.find((c) => c.type !== 'comment');
}

/** Expression text with whitespace and comments squeezed out: a stable key for comparing expressions. */
export function normalizedText(node: SyntaxNode): string {
  return squeeze(node.text);
}

export function squeeze(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/[^\n]*/g, '')
    .replace(/\s+/g, '');
}

/** The called name of a call expression: `accept`, `::accept`, `sock.accept`, `ns::f` → last identifier. */
export function calleeName(call: SyntaxNode): string | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  return lastIdentifier(fn);
}

export function lastIdentifier(node: SyntaxNode): string | undefined {
  switch (node.type) {
    case 'identifier':
    case 'field_identifier':
    case 'namespace_identifier':
    case 'type_identifier':
      return node.text;
    case 'qualified_identifier': {
      const name = node.childForFieldName('name');
      return name ? lastIdentifier(name) : undefined;
    }
    case 'field_expression': {
      const field = node.childForFieldName('field');
      return field ? lastIdentifier(field) : undefined;
    }
    case 'template_function': {
      const name = node.childForFieldName('name');
      return name ? lastIdentifier(name) : undefined;
    }
    case 'parenthesized_expression':
      return node.namedChildren[0] ? lastIdentifier(node.namedChildren[0]) : undefined;
    default:
      return undefined;
  }
}

/**
 * The children in field `name` (several declarators of one declaration, several `for` updates).
 * node-tree-sitter 0.25's own `childrenForFieldName` leaks the native cursor it allocates on every
 * call (tens of KB per file, without end in a long-running language server); a JS TreeCursor is
 * freed with its wrapper.
 */
export function childrenForField(node: SyntaxNode, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const cursor = node.walk();
  if (!cursor.gotoFirstChild()) return out;
  do {
    if (cursor.currentFieldName === name) out.push(cursor.currentNode);
  } while (cursor.gotoNextSibling());
  return out;
}

export function callArguments(call: SyntaxNode): SyntaxNode[] {
  const args = call.childForFieldName('arguments');
  return args ? args.namedChildren.filter((c) => c.type !== 'comment') : [];
}

/**
 * Named node types that are single tokens of the C and C++ grammars: they never have named
 * children, so a walk does not ask (each ask is a native call, and tokens are half the nodes).
 * test/syntax.test.ts checks this on real code in both grammars.
 */
export const TOKEN_TYPES: ReadonlySet<string> = new Set([
  'identifier', 'field_identifier', 'type_identifier', 'statement_identifier', 'namespace_identifier',
  'number_literal', 'primitive_type', 'comment', 'string_content', 'escape_sequence', 'character',
  'system_lib_string', 'true', 'false', 'null', 'this',
]);

type Visit = (node: SyntaxNode, parent: SyntaxNode | undefined) => boolean | void;

/**
 * Visits a subtree depth-first with an explicit stack (never recursion: inputs may nest
 * thousands of levels). `visit` returns false to skip a node's children.
 */
export function walk(root: SyntaxNode, visit: Visit): void {
  walkSpans(root, Infinity, () => true, visit);
}

/**
 * `walk` over only the nodes whose text may contain `needle` (`text`: the root's text), in the same
 * order. A subtree where the needle does not occur is skipped without reading it (its end would be
 * a native call, its children another). For visitors that act only on nodes whose text holds the
 * needle, and on their ancestors.
 */
export function walkMentioning(root: SyntaxNode, text: string, needle: string, visit: Visit): void {
  const rootStart = root.startIndex;
  const hits: number[] = [];
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) hits.push(rootStart + i);
  if (hits.length > 0) walkSpans(root, rootStart + text.length, (start, end) => hits.some((h) => start <= h && h + needle.length <= end), visit);
}

/**
 * The walk itself. A named child lies between its own start and the next named sibling's start
 * (the last one: its parent's end), so `worthVisiting(start, end)` learns where a child can be
 * without a native read. Each node goes with the node it was reached from (a node's own `parent`
 * is a native walk down from the tree's root), on parallel stacks: nothing allocated per node.
 */
function walkSpans(root: SyntaxNode, rootEnd: number, worthVisiting: (start: number, end: number) => boolean, visit: Visit): void {
  const stack: SyntaxNode[] = [root];
  const parents: (SyntaxNode | undefined)[] = [undefined];
  const ends: number[] = [rootEnd];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const parent = parents.pop();
    const end = ends.pop()!;
    if (visit(node, parent) === false || TOKEN_TYPES.has(node.type)) continue;
    const children = node.namedChildren;
    let nextStart = end;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i]!;
      const start = child.startIndex;
      if (worthVisiting(start, nextStart)) {
        stack.push(child);
        parents.push(node);
        ends.push(nextStart);
      }
      nextStart = start;
    }
  }
}

/** Nodes that start a separate function body: their insides are not part of the enclosing function. */
export function isNestedFunction(node: SyntaxNode): boolean {
  return node.type === 'lambda_expression' || node.type === 'function_definition';
}

/** All call expressions in a subtree, outside nested lambdas. */
export function callsIn(root: SyntaxNode): SyntaxNode[] {
  const calls: SyntaxNode[] = [];
  walk(root, (node) => {
    if (node !== root && isNestedFunction(node)) return false;
    if (node.type === 'call_expression') calls.push(node);
    return true;
  });
  return calls;
}

/** True when `inner` lies within `outer` (by byte range). */
export function contains(outer: SyntaxNode, inner: SyntaxNode): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

const CONDITIONAL_GROUP_TYPES = new Set(['preproc_if', 'preproc_ifdef', 'preproc_elif', 'preproc_elifdef']);

const sameNode = (a: SyntaxNode | null | undefined, b: SyntaxNode) => !!a && a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;

/**
 * Are `a` and `b` in different branches of one `#if` group (`#ifdef HAVE_PIPE2` `r = pipe2(…)`
 * `#else` `r = pipe(…)`), so that no build compiles both? Decided at their innermost common group.
 */
export function inExclusiveBranches(a: SyntaxNode, b: SyntaxNode): boolean {
  // For each group around `a`: is `a` in its #else/#elif part?
  const sides = new Map<string, boolean>();
  const key = (n: SyntaxNode) => `${n.startIndex}:${n.endIndex}:${n.type}`;
  for (let child: SyntaxNode = a, p = a.parent; p; child = p, p = p.parent) {
    if (CONDITIONAL_GROUP_TYPES.has(p.type)) sides.set(key(p), sameNode(p.childForFieldName('alternative'), child));
  }
  if (sides.size === 0) return false;
  for (let child: SyntaxNode = b, p = b.parent; p; child = p, p = p.parent) {
    const side = sides.get(key(p));
    if (side !== undefined) return side !== sameNode(p.childForFieldName('alternative'), child);
  }
  return false;
}

/** A comparison's operator with its operands swapped (`0 > fd` reads as `fd < 0`). */
export const MIRRORED_OPERATOR: Readonly<Record<string, string>> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };

/**
 * A comparison with a call on either side (`fcntl(…) < 0`, `-1 == fcntl(…)`), read with the call on
 * the left: the call, the operator as it then reads, and the other operand's text.
 */
export function comparisonWithCall(expr: SyntaxNode, isCall: (node: SyntaxNode) => boolean): { call: SyntaxNode; op: string; other: string } | undefined {
  if (expr.type !== 'binary_expression') return undefined;
  const left = expr.childForFieldName('left');
  const right = expr.childForFieldName('right');
  const op = expr.childForFieldName('operator')?.type ?? '';
  if (!left || !right || !(op in MIRRORED_OPERATOR)) return undefined;
  if (isCall(left)) return { call: unwrap(left), op, other: squeeze(unwrap(right).text) };
  if (isCall(right)) return { call: unwrap(right), op: MIRRORED_OPERATOR[op]!, other: squeeze(unwrap(left).text) };
  return undefined;
}

/** Identifiers mentioned in an expression (macro-style flag tests like `EPOLLIN | EPOLLET`). */
export function identifiersIn(text: string): string[] {
  return text.match(/[A-Za-z_]\w*/g) ?? [];
}

/** The identifier a declarator declares: `*fd`, `fd[2]`, `&fd`, `fd = 0` → `fd`. */
export function declaredName(declarator: SyntaxNode): string | undefined {
  let node: SyntaxNode | null = declarator;
  for (let guard = 0; node && guard < 16; guard++) {
    if (node.type === 'identifier' || node.type === 'field_identifier') return node.text;
    node = node.childForFieldName('declarator') ?? node.namedChildren.find((c) => c.type.endsWith('declarator') || c.type === 'identifier') ?? null;
  }
  return undefined;
}

/** `fd = accept(…)`, `int fd = accept(…)`, `(fd = accept(…)) < 0` → `fd`. */
export function resultVariable(call: SyntaxNode): string | undefined {
  let child = call;
  let parent = call.parent;
  while (parent && (parent.type === 'parenthesized_expression' || parent.type === 'cast_expression')) {
    child = parent;
    parent = parent.parent;
  }
  if (!parent) return undefined;
  if (parent.type === 'assignment_expression' && parent.childForFieldName('right')?.id === child.id) {
    const left = parent.childForFieldName('left');
    return left ? squeeze(left.text) : undefined;
  }
  if (parent.type === 'init_declarator') return declaredName(parent);
  return undefined;
}
