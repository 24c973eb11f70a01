import { escapeRegExp } from '../../core/util/regexp.js';
import type { Cfg, CfgEdge, CfgNode } from '../../core/flow/cfg.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { contains, declaredName } from '../../core/syntax/nodes.js';
import { perObject } from '../../core/util/memo.js';

/**
 * Where a handle variable's scope ends. A descriptor held in a local declared inside a block (a
 * loop body, most often) is lost when control leaves that block — by `continue`, `break`, `goto`
 * or falling off its end — not at the function's last return, where the variable no longer
 * exists (and where `close(fd)` would not compile).
 */

/**
 * The block (compound statement) that declares `variable` — a plain local, or a local array for
 * `fds[0]` — around `at`, when it is not the function's body and the variable is not static.
 */
export function declaringBlock(fn: SyntaxNode, variable: string, at: SyntaxNode): SyntaxNode | undefined {
  const name = /^([A-Za-z_]\w*)(?:\[\d+\])?$/.exec(variable)?.[1];
  if (!name) return undefined;
  const body = fn.childForFieldName('body');
  for (let block: SyntaxNode | null = at.parent; block && block.id !== fn.id; block = block.parent) {
    if (block.type !== 'compound_statement') continue;
    const declaration = block.namedChildren.find((child) => child.startIndex <= at.startIndex && ((child.type === 'declaration' && declares(child, name)) || misreadReference(child, name)));
    if (!declaration) continue;
    if (block.id === body?.id || isStatic(declaration)) return undefined;
    return block;
  }
  return undefined;
}

/**
 * Byte ranges where `name` means another variable than the one acquired at `site`: from a
 * declaration of the same name in an inner block (`{ FILE *fd; … fd = popen(…); … }`) to the end of
 * that block, when the acquire is not in it. What happens there is not done to the handle.
 */
export function shadowedRanges(cfg: Cfg, name: string, site: SyntaxNode): (readonly [number, number])[] {
  return (declarationsOf(cfg).get(name) ?? []).filter(([start, end]) => !(start <= site.startIndex && site.startIndex < end));
}

/** Each name declared in an inner block of the function: from its declaration to the block's end. */
const declarationsOf = perObject((cfg: Cfg): Map<string, (readonly [number, number])[]> => {
  const out = new Map<string, (readonly [number, number])[]>();
  const body = cfg.function.childForFieldName('body');
  for (const declaration of cfg.function.descendantsOfType('declaration')) {
    const block = declaration.parent;
    if (!block || block.type !== 'compound_statement' || block.id === body?.id) continue;
    for (const d of declaration.childrenForFieldName('declarator')) {
      const name = declaredName(d);
      if (!name) continue;
      const list = out.get(name) ?? [];
      list.push([declaration.startIndex, block.endIndex]);
      out.set(name, list);
    }
  }
  return out;
});

/**
 * `bundle & b(**i);` (nosh): a C++ reference initialized with parentheses, which the grammar reads
 * as an expression, `bundle & b(…)`; as a statement it could be nothing else.
 */
function misreadReference(statement: SyntaxNode, name: string): boolean {
  return statement.type === 'expression_statement' && new RegExp(String.raw`^[A-Za-z_][\w:]*\s*&\s*${escapeRegExp(name)}\s*\(`).test(statement.text);
}

function declares(declaration: SyntaxNode, name: string): boolean {
  return declaration.childrenForFieldName('declarator').some((d) => declaredName(d) === name);
}

function isStatic(declaration: SyntaxNode): boolean {
  return declaration.namedChildren.some((c) => c.type === 'storage_class_specifier' && (c.text === 'static' || c.text === 'thread_local' || c.text === '_Thread_local'));
}

/** An edge out of a block: from a node inside it to the next statement that is not (a loop's head, a label, the code after it). */
export interface ScopeExit {
  readonly edge: CfgEdge;
  /** The last node inside the block: a jump (`continue`, `break`, `goto`) or the statement that falls off its end. */
  readonly from: CfgNode;
}

/**
 * Edges that leave `block` to code outside it, or off the end of the function. Returns and throws
 * are not included (they leave the function and keep their own report), nor edges to an abort
 * (the process ending closes everything).
 */
export function scopeExits(cfg: Cfg, block: SyntaxNode): ScopeExit[] {
  const inside = (node: CfgNode) => node.syntax !== undefined && node.kind !== 'entry' && contains(block, node.syntax);
  const exits: ScopeExit[] = [];
  for (const node of cfg.nodes) {
    if (!inside(node) || (node.kind === 'jump' && (node.jump === 'return' || node.jump === 'co_return' || node.jump === 'throw'))) continue;
    for (const edge of node.succs) {
      if (!edge.exceptional && leadsOutside(edge.to, cfg, inside)) exits.push({ edge, from: node });
    }
  }
  return exits;
}

/** Does control from `start` reach a statement outside the block before any inside it? Joins without syntax are passed through. */
function leadsOutside(start: CfgNode, cfg: Cfg, inside: (node: CfgNode) => boolean): boolean {
  const queue = [start];
  const seen = new Set<number>([start.id]);
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    if (node === cfg.exit) return true;
    if (node === cfg.abort) continue;
    if (node.syntax !== undefined) {
      if (!inside(node)) return true;
      continue;
    }
    for (const edge of node.succs) {
      if (!seen.has(edge.to.id)) {
        seen.add(edge.to.id);
        queue.push(edge.to);
      }
    }
  }
  return false;
}
