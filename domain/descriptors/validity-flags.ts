import type { Cfg, CfgEdge } from '../../core/flow/cfg.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { comparisonWithCall, inExclusiveBranches, squeeze, unwrap, walkMentioning } from '../../core/syntax/nodes.js';
import { escapeRegExp } from '../../core/util/regexp.js';
import { comparisonFailure, descriptorsUnder, expansionOf, impliedValidity, isHandleExpression, queryOnHandle, type HandleShape, type Validity } from './validity.js';
import type { MacroExpression } from '../../core/project/facts.js';

/**
 * A variable holding the handle's own validity test, tested instead of the handle: ClamAV's
 * `bool Success = hNewFile != FILE_BAD_HANDLE; if (Success) …`, BRLTTY's `int opened = result !=
 * INVALID_FILE_DESCRIPTOR; if (opened) …`. From its assignment until either it or the handle is
 * assigned again, a test of it says what the comparison said of the handle.
 */
export interface ValidityFlag {
  readonly name: string;
  /** The comparison assigned to it, or the call whose status it holds (`query`). */
  readonly value: SyntaxNode;
  /**
   * It holds the status of a call that fails only for a handle that is not open (`ret =
   * fstat(fileno(fp), &st); … if (ret != 0)`, `rc = fcntl(fd, F_SETFD, FD_CLOEXEC); if (rc < 0)`).
   */
  readonly query?: 'get' | 'set';
  readonly mentioned: RegExp;
  readonly after: number;
  readonly until: number;
}

const IDENT = /^[A-Za-z_]\w*$/;
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** The validity flags assigned after `from` (the acquire) in the CFG's function. */
export function validityFlags(cfg: Cfg, handle: string, from: SyntaxNode, shape: HandleShape = 'descriptor', expressions?: ReadonlyMap<string, MacroExpression>): ValidityFlag[] {
  const fn = cfg.function;
  const flags: ValidityFlag[] = [];
  const base = handle.replace(/[[.].*$/, '');
  walkMentioning(fn, fn.text, base, (node) => {
    if (node.endIndex <= from.endIndex) return false;
    const assigned = node.type === 'init_declarator' ? node.childForFieldName('declarator') : node.type === 'assignment_expression' && node.childForFieldName('operator')?.type === '=' ? node.childForFieldName('left') : null;
    const value = node.type === 'init_declarator' ? node.childForFieldName('value') : node.type === 'assignment_expression' ? node.childForFieldName('right') : null;
    if (!assigned || !value) return true;
    const name = squeeze(assigned.text);
    const comparison = unwrap(value);
    const query = IDENT.test(name) && name !== handle ? (queryOfHandle(comparison, handle, shape) ?? wrappedQuery(comparison, handle, shape, expressions)) : undefined;
    if (query) {
      flags.push({ name, value: comparison, query, mentioned: new RegExp(`\\b${escapeRegExp(name)}\\b`), after: node.endIndex, until: Math.min(nextAssignment(cfg, name, node), nextAssignment(cfg, handle, node)) });
      return false;
    }
    if (!IDENT.test(name) || name === handle || comparison.type !== 'binary_expression' || !COMPARISONS.has(comparison.childForFieldName('operator')?.type ?? '')) return true;
    const [left, right] = [comparison.childForFieldName('left'), comparison.childForFieldName('right')];
    if (!(left && isHandleExpression(left, handle)) && !(right && isHandleExpression(right, handle))) return true;
    const after = node.endIndex;
    flags.push({ name, value: comparison, mentioned: new RegExp(`\\b${escapeRegExp(name)}\\b`), after, until: Math.min(nextAssignment(cfg, name, node), nextAssignment(cfg, handle, node)) });
    return false;
  });
  return flags;
}

/** What a branch on one of `flags` says of the handle, if it tests one (`if (Success)`, `if (!opened)`, `ok == 0`). */
export function flagValidity(edge: CfgEdge, tested: string, flags: readonly ValidityFlag[], handle: string, shape: HandleShape, invalidNames?: ReadonlyMap<string, string>): Validity | undefined {
  const at = edge.condition!.startIndex;
  for (const flag of flags) {
    if (at <= flag.after || at >= flag.until || !flag.mentioned.test(tested)) continue;
    if (flag.query) {
      const failed = statusFailure(edge.condition!, flag.name, flag.query);
      if (failed !== undefined) return failed === edge.assumption ? 'invalid' : undefined;
      continue;
    }
    // Read as a pointer's test: truth is 'valid', falsity 'invalid' (`Success`, `!opened`, `ok == 0`).
    const truth = impliedValidity(edge.condition!, edge.assumption!, flag.name, 'pointer');
    if (truth === undefined) continue;
    return impliedValidity(flag.value, truth === 'valid', handle, shape, invalidNames);
  }
  return undefined;
}

/** The kind of query `value` is on the handle (on `fileno(fp)`/`dirfd(d)` for a stream or directory). */
function queryOfHandle(value: SyntaxNode, handle: string, shape: HandleShape): 'get' | 'set' | undefined {
  if (value.type !== 'call_expression') return undefined;
  if (shape === 'descriptor') return queryOnHandle(value, handle);
  for (const descriptor of descriptorsUnder(handle)) {
    const kind = queryOnHandle(value, descriptor);
    if (kind) return kind;
  }
  return undefined;
}

/**
 * The query a call of a project check wrapper or an expression macro stands for (`ret =
 * setSocketNonBlocking(accept_fd); if (ret < 0)`, a helper doing only fcntl F_GETFL/F_SETFL):
 * its status is that query's.
 */
function wrappedQuery(value: SyntaxNode, handle: string, shape: HandleShape, expressions: ReadonlyMap<string, MacroExpression> | undefined): 'get' | 'set' | undefined {
  if (!expressions || expressions.size === 0 || value.type !== 'call_expression') return undefined;
  const callee = value.childForFieldName('function');
  if (callee?.type !== 'identifier' || !expressions.has(callee.text)) return undefined;
  const expansion = expansionOf(value, expressions);
  return expansion ? queryOfHandle(unwrap(expansion), handle, shape) : undefined;
}

/** What a test of a status variable (`ret`, `!ret`, `ret != 0`, `ret < 0`) says of the call it holds: failed, worked, or neither. */
function statusFailure(condition: SyntaxNode, name: string, kind: 'get' | 'set'): boolean | undefined {
  const expr = unwrap(condition);
  if (squeeze(expr.text) === name) return kind === 'set' ? true : undefined;
  if (expr.type === 'unary_expression' && expr.childForFieldName('operator')?.type === '!') {
    const inner = statusFailure(expr.childForFieldName('argument')!, name, kind);
    return inner === undefined ? undefined : !inner;
  }
  const comparison = comparisonWithCall(expr, (node) => squeeze(unwrap(node).text) === name);
  return comparison ? comparisonFailure(kind, comparison.op, comparison.other) : undefined;
}

/** Where `name` is next assigned after `node`, in the same build; past the end when never. */
export function nextAssignment(cfg: Cfg, name: string, node: SyntaxNode): number {
  const text = cfg.function.text;
  const offset = cfg.function.startIndex;
  const next = new RegExp(`\\b${escapeRegExp(name)}\\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)`, 'g');
  next.lastIndex = node.endIndex - offset;
  // An assignment in another branch of an `#if` around the call (`#else` `ret = pipe(fd);`) is in no build with it.
  const root = cfg.function.tree.rootNode;
  let assigned: RegExpExecArray | null;
  while ((assigned = next.exec(text)) && inExclusiveBranches(node, root.descendantForIndex(offset + assigned.index)));
  return assigned ? offset + assigned.index : Number.MAX_SAFE_INTEGER;
}
