import type { Cfg, CfgEdge } from '../../core/flow/cfg.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { inExclusiveBranches, squeeze, unwrap, walkMentioning } from '../../core/syntax/nodes.js';
import { escapeRegExp } from '../../core/util/regexp.js';
import { impliedValidity, isHandleExpression, type HandleShape, type Validity } from './validity.js';

/**
 * A variable holding the handle's own validity test, tested instead of the handle: ClamAV's
 * `bool Success = hNewFile != FILE_BAD_HANDLE; if (Success) …`, BRLTTY's `int opened = result !=
 * INVALID_FILE_DESCRIPTOR; if (opened) …`. From its assignment until either it or the handle is
 * assigned again, a test of it says what the comparison said of the handle.
 */
export interface ValidityFlag {
  readonly name: string;
  /** The comparison assigned to it. */
  readonly value: SyntaxNode;
  readonly mentioned: RegExp;
  readonly after: number;
  readonly until: number;
}

const IDENT = /^[A-Za-z_]\w*$/;
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** The validity flags assigned after `from` (the acquire) in the CFG's function. */
export function validityFlags(cfg: Cfg, handle: string, from: SyntaxNode): ValidityFlag[] {
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
    // Read as a pointer's test: truth is 'valid', falsity 'invalid' (`Success`, `!opened`, `ok == 0`).
    const truth = impliedValidity(edge.condition!, edge.assumption!, flag.name, 'pointer');
    if (truth === undefined) continue;
    return impliedValidity(flag.value, truth === 'valid', handle, shape, invalidNames);
  }
  return undefined;
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
