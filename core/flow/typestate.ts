import type { Cfg, CfgEdge, CfgNode } from './cfg.js';
import { solveForward } from './dataflow.js';
import { FlagTracker, findFlags, mostRelevantFlags } from './flags.js';

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
  /**
   * With flags tracked: a shortest path from after `from` to a node `to` accepts, taking edges
   * `allowed` accepts, on which one combination of flag values carries the value in states `keep`
   * accepts all the way — a path the flags agree with (not `x < 0` false leaving a loop and true
   * at the next test). Undefined without flags, when there is none, or past a search budget.
   */
  witness?(from: CfgNode, to: (node: CfgNode) => boolean, allowed: (edge: CfgEdge) => boolean, keep: (state: number) => boolean): CfgEdge[] | undefined;
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
  if (problem.correlateFlagsExcept !== undefined) {
    const flags = findFlags(cfg, problem.correlateFlagsExcept);
    // Past the budget, the more relevant half of the flags, down to one: dnsmasq's script helper
    // loop tracked six (one a switch of a dozen actions) and, giving them all up, lost the one that
    // decides both its pipe() and the pipe's close.
    for (let count = flags.names.length; count > 0; count = Math.floor(count / 2)) {
      try {
        return solveWithFlags(cfg, problem, new FlagTracker(count === flags.names.length ? flags : mostRelevantFlags(cfg, flags, problem.correlateFlagsExcept, count), cfg), transfer, refine, keepOf);
      } catch (error) {
        if (!(error instanceof TupleBudgetExceeded)) throw error;
      }
    }
    // No flag fits the budget: the value alone, without the flags' correlations (more paths, none lost).
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
  // Most nodes and edges touch neither the handle nor a flag: pass their state through as is.
  const transferNode = (node: CfgNode, state: number[]): number[] => (problem.affects(node) || tracker.assigns(node) ? each(state, (handle, values) => [transfer(node, handle), tracker.assign(node, values)]) : state);
  const transferEdge = (edge: CfgEdge, state: number[]): number[] | undefined => {
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
  };
  const solution = solveForward<number[]>(cfg, {
    initial: tracker.initial(problem.initial),
    transfer: transferNode,
    transferEdge,
    join: (a, b) => {
      const merged = mergeSorted(a, b);
      if (merged.length > MAX_TUPLES_PER_POINT) throw new TupleBudgetExceeded();
      return merged;
    },
    equals: (a, b) => a.length === b.length && a.every((x, i) => x === b[i]),
  });
  const bits = (state: readonly number[] | undefined) => (state === undefined ? undefined : state.reduce((acc, code) => acc | tracker.decode(code).handle, 0));
  const witness = (from: CfgNode, to: (node: CfgNode) => boolean, allowed: (edge: CfgEdge) => boolean, keep: (state: number) => boolean): CfgEdge[] | undefined => {
    const before = solution.before[from.id];
    if (before === undefined) return undefined;
    // Breadth first over (node, tuple) pairs: each tuple is one combination of flag values.
    const via = new Map<string, { edge: CfgEdge; previous: string }>();
    const start = (code: number) => `${from.id}:${code}`;
    const queue: { node: CfgNode; code: number; key: string }[] = transferNode(from, before)
      .filter((code) => keep(tracker.decode(code).handle))
      .map((code) => ({ node: from, code, key: start(code) }));
    const seen = new Set(queue.map((q) => q.key));
    for (let i = 0; i < queue.length && i < MAX_WITNESS_STATES; i++) {
      const { node, code, key } = queue[i]!;
      for (const edge of node.succs) {
        if (!allowed(edge)) continue;
        for (const along of transferEdge(edge, [code]) ?? []) {
          if (!keep(tracker.decode(along).handle)) continue;
          if (to(edge.to)) {
            const path = [edge];
            for (let k = key; via.has(k); k = via.get(k)!.previous) path.push(via.get(k)!.edge);
            return path.reverse();
          }
          for (const next of transferNode(edge.to, [along])) {
            const nextKey = `${edge.to.id}:${next}`;
            if (seen.has(nextKey) || !keep(tracker.decode(next).handle)) continue;
            seen.add(nextKey);
            via.set(nextKey, { edge, previous: key });
            queue.push({ node: edge.to, code: next, key: nextKey });
          }
        }
      }
    }
    return undefined;
  };
  return { before: (node) => bits(solution.before[node.id]), along: (edge) => bits(solution.along(edge)), witness };
}

/** (Node, tuple) pairs a witness search visits at most; past it, callers fall back to a path of nodes alone. */
const MAX_WITNESS_STATES = 200_000;

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
