import { nodeText, type Cfg, type CfgEdge, type CfgNode } from '../../core/flow/cfg.js';
import { solveTypestate } from '../../core/flow/typestate.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { squeeze, walkMentioning } from '../../core/syntax/nodes.js';
import { impliedValidity, type HandleShape } from './validity.js';
import { INVALID_DESCRIPTOR_CONSTANTS, NULL_CONSTANTS } from '../catalog/posix.js';
import type { InvalidityKnowledge } from './invalidity.js';

/**
 * Typestate of one handle variable along a function: which of "not from the source",
 * "invalid" (the acquire failed) and "valid" it may be at each point. A bit set per point, so
 * `fd = accept(); if (fd < 0) …` leaves {invalid} on one branch and {valid} on the other.
 */
export const UNSET = 1;
export const INVALID = 2;
export const VALID = 4;

export interface HandleFlowSpec {
  /** The variable as written (`fd`, `c->fd`), whitespace squeezed. */
  readonly variable: string;
  readonly shape: HandleShape;
  /** Does this right-hand side produce a fresh handle from the tracked source? */
  isSource(rhs: SyntaxNode): boolean;
  /** The project's names and macros for invalid descriptors (`SOCK_BAD == fd`). */
  readonly knowledge?: InvalidityKnowledge;
}

export interface HandleFlow {
  /** Nodes that assign a fresh handle from the source. */
  readonly sourceNodes: readonly CfgNode[];
  before(node: CfgNode): number | undefined;
  along(edge: CfgEdge): number | undefined;
}

function lastName(variable: string): string {
  return /\b([A-Za-z_]\w*)$/.exec(variable)?.[1] ?? variable;
}

/**
 * `clear`: `fd = -1` after a close marks the variable empty but does not undo a successful
 * acquire on this path (the accept still succeeded); a declaration (`int fd = -1;`) is a new
 * variable and really resets it.
 */
type Effect = { kind: 'source' } | { kind: 'set'; bits: number } | { kind: 'clear' };

/** What a node does to the variable: the last assignment in evaluation (textual) order wins. */
function effectOf(node: CfgNode, spec: HandleFlowSpec): Effect | undefined {
  const syntax = node.syntax;
  const name = lastName(spec.variable);
  if (!syntax || node.kind === 'join' || !nodeText(node).includes(name)) return undefined;
  let effect: Effect | undefined;
  // An assignment to the variable has its name in its text: only nodes where the name occurs.
  walkMentioning(syntax, nodeText(node), name, (n) => {
    if (n !== syntax && n.type === 'lambda_expression') return false;
    let left: string | undefined;
    let right: SyntaxNode | null = null;
    if (n.type === 'assignment_expression' && n.childForFieldName('operator')?.type === '=') {
      left = squeeze(n.childForFieldName('left')?.text ?? '');
      right = n.childForFieldName('right');
    } else if (n.type === 'init_declarator') {
      left = squeeze(n.childForFieldName('declarator')?.text ?? '');
      right = n.childForFieldName('value');
    }
    if (left === spec.variable && right) {
      if (spec.isSource(right)) effect = { kind: 'source' };
      else {
        const value = squeeze(right.text);
        const invalid = spec.shape === 'descriptor' ? INVALID_DESCRIPTOR_CONSTANTS.includes(value) || spec.knowledge?.invalidNames.has(value) === true : NULL_CONSTANTS.includes(value);
        effect = invalid && n.type === 'assignment_expression' ? { kind: 'clear' } : { kind: 'set', bits: invalid ? INVALID : UNSET };
      }
    }
    return true;
  });
  return effect;
}

export function solveHandleFlow(cfg: Cfg, spec: HandleFlowSpec): HandleFlow {
  const effects = new Map<number, Effect>();
  const sourceNodes: CfgNode[] = [];
  for (const node of cfg.nodes) {
    const effect = effectOf(node, spec);
    if (!effect) continue;
    effects.set(node.id, effect);
    if (effect.kind === 'source') sourceNodes.push(node);
  }
  const solution = solveTypestate(cfg, {
    initial: UNSET,
    affects: (node) => effects.has(node.id),
    transfer(node, state) {
      const effect = effects.get(node.id)!;
      if (effect.kind === 'clear') return state & VALID ? state : INVALID;
      return effect.kind === 'source' ? INVALID | VALID : effect.bits;
    },
    keep(edge) {
      if (!edge.condition) return undefined;
      const k = spec.knowledge;
      const verdict = impliedValidity(edge.condition, edge.assumption!, spec.variable, spec.shape, k?.invalidNames, k?.constants, k?.expressions);
      return verdict === undefined ? undefined : verdict === 'valid' ? VALID | UNSET : INVALID | UNSET;
    },
  });
  return { sourceNodes, before: solution.before, along: solution.along };
}
