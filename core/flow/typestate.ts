import type { Cfg, CfgEdge, CfgNode } from './cfg.js';
import { solveForward } from './dataflow.js';
import { FlagTracker, findFlags } from './flags.js';

/**
 * The typestate engine: the possible states of one tracked value (a handle variable) along a
 * function, as a bit set per point, optionally with a few correlated flags tracked beside it
 * (`fopened = 1; … if (fopened) fclose(f)`), so that infeasible combinations do not survive a
 * join. Analyses configure it — what each statement does to the value, what each branch says about
 * it — and never write a solver of their own (domain/descriptors: ownership for fd-leak, validity
 * after accept() for the accept rules).
 */
export interface TypestateProblem {
  /** The value's state (bits) on entry to the function. */
  readonly initial: number;
  /** Does this node change the value's state? (Most do not: their state passes through as is.) */
  affects(node: CfgNode): boolean;
  /** The state after an affecting node, from the state before it. */
  transfer(node: CfgNode, state: number): number;
  /** Bits a branch keeps (a test of the value, or a `case` label: `edge.caseValue`), or undefined when it says nothing about it. Asked once per edge. */
  keep(edge: CfgEdge): number | undefined;
  /** Track correlated flags beside the value (the variable holding it is excluded from the flags). */
  readonly correlateFlagsExcept?: string;
}

export interface TypestateSolution {
  /** The value's possible states before a node / along an edge; undefined: unreachable. */
  before(node: CfgNode): number | undefined;
  along(edge: CfgEdge): number | undefined;
}

export function solveTypestate(cfg: Cfg, problem: TypestateProblem): TypestateSolution {
  const kept = new Map<CfgEdge, number | undefined>();
  const keepOf = (edge: CfgEdge): number | undefined => {
    if (!kept.has(edge)) kept.set(edge, problem.keep(edge));
    return kept.get(edge);
  };
  const transfer = (node: CfgNode, state: number): number => (problem.affects(node) ? problem.transfer(node, state) : state);
  const refine = (edge: CfgEdge, state: number): number | undefined => {
    if ((!edge.condition || edge.assumption === undefined) && !edge.caseValue) return state;
    const mask = keepOf(edge);
    if (mask === undefined) return state;
    const refined = state & mask;
    return refined === 0 ? undefined : refined;
  };
  const tracker = problem.correlateFlagsExcept !== undefined ? new FlagTracker(findFlags(cfg, problem.correlateFlagsExcept), cfg) : undefined;
  if (tracker?.active) {
    try {
      return solveWithFlags(cfg, problem, tracker, transfer, refine, keepOf);
    } catch (error) {
      if (!(error instanceof TupleBudgetExceeded)) throw error;
      // Past the budget: the value alone, without the flags' correlations (more paths, none lost).
    }
  }
  const solution = solveForward<number>(cfg, { initial: problem.initial, transfer, transferEdge: refine, join: (a, b) => a | b, equals: (a, b) => a === b });
  return { before: (node) => solution.before[node.id], along: (edge) => solution.along(edge) };
}

/**
 * Tuples one point may hold. Six flags of several values each over a long function (pspg's main:
 * two thousand lines of option and key handling) make hundreds of thousands of combinations per
 * point — gigabytes, and minutes per handle; past this many the flags are given up for that
 * handle. Correlations that matter hold a handful of tuples.
 */
const MAX_TUPLES_PER_POINT = 512;

class TupleBudgetExceeded extends Error {}

function solveWithFlags(
  cfg: Cfg,
  problem: TypestateProblem,
  tracker: FlagTracker,
  transfer: (node: CfgNode, state: number) => number,
  refine: (edge: CfgEdge, state: number) => number | undefined,
  keepOf: (edge: CfgEdge) => number | undefined,
): TypestateSolution {
  // With flags, a state is a set of (handle bits, flag values) tuples, so correlations survive joins.
  const each = (state: readonly number[], step: (handle: number, values: number[]) => [number, number[]] | undefined): number[] => {
    const out: number[] = [];
    for (const code of state) {
      const { handle, values } = tracker.decode(code);
      const next = step(handle, values);
      if (next) out.push(tracker.encode(next[0], next[1]));
    }
    if (out.length > MAX_TUPLES_PER_POINT) throw new TupleBudgetExceeded();
    return sortedUnique(out);
  };
  const solution = solveForward<number[]>(cfg, {
    initial: tracker.initial(problem.initial),
    // Most nodes and edges touch neither the handle nor a flag: pass their state through as is.
    transfer: (node, state) => (problem.affects(node) || tracker.assigns(node) ? each(state, (handle, values) => [transfer(node, handle), tracker.assign(node, values)]) : state),
    transferEdge(edge, state) {
      // A switch's `default` edge tests no condition of its own, but a tracked flag all the same.
      const flagged = tracker.tests(edge);
      if ((!edge.condition || edge.assumption === undefined) && !edge.caseValue && !flagged) return state;
      // A branch that tests neither the handle nor a tracked flag keeps every tuple.
      if (!flagged && keepOf(edge) === undefined) return state;
      const out = each(state, (handle, values) => {
        const h = refine(edge, handle);
        const v = h === undefined ? undefined : tracker.refine(edge, values);
        return h === undefined || v === undefined ? undefined : [h, v];
      });
      return out.length === 0 ? undefined : out;
    },
    join: (a, b) => {
      const merged = mergeSorted(a, b);
      if (merged.length > MAX_TUPLES_PER_POINT) throw new TupleBudgetExceeded();
      return merged;
    },
    equals: (a, b) => a.length === b.length && a.every((x, i) => x === b[i]),
  });
  const bits = (state: readonly number[] | undefined) => (state === undefined ? undefined : state.reduce((acc, code) => acc | tracker.decode(code).handle, 0));
  return { before: (node) => bits(solution.before[node.id]), along: (edge) => bits(solution.along(edge)) };
}

/** Sorts tuple codes in place and drops repeats: insertion sort, as states hold a handful of tuples. */
function sortedUnique(codes: number[]): number[] {
  let n = 0;
  for (const code of codes) {
    let i = n - 1;
    while (i >= 0 && codes[i]! > code) i--;
    if (i >= 0 && codes[i] === code) continue;
    for (let j = n; j > i + 1; j--) codes[j] = codes[j - 1]!;
    codes[i + 1] = code;
    n++;
  }
  codes.length = n;
  return codes;
}

/** Union of two sorted sets of tuple codes, sorted; `a` itself when `b` adds nothing (cheap equality). */
function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : Infinity;
    const y = j < b.length ? b[j]! : Infinity;
    if (x <= y) {
      out.push(x);
      i++;
      if (x === y) j++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out.length === a.length ? (a as number[]) : out;
}
