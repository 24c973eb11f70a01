import type { Cfg, CfgEdge, CfgNode } from './cfg.js';

/**
 * A forward dataflow problem over a CFG. States must form a finite-height lattice under `join`
 * (rules use bit sets per tracked value), which is what makes the solver terminate on loops.
 */
export interface ForwardProblem<S> {
  /** State on entry to the function. */
  readonly initial: S;
  /** Effect of evaluating a node's syntax. */
  transfer(node: CfgNode, state: S): S;
  /** Refinement on an edge (e.g. learning `fd >= 0`); `undefined` means the edge is infeasible. */
  transferEdge?(edge: CfgEdge, state: S): S | undefined;
  join(a: S, b: S): S;
  equals(a: S, b: S): boolean;
}

export interface ForwardSolution<S> {
  /** State before each node (undefined: unreachable). */
  readonly before: (S | undefined)[];
  /** State after each node's own effect, before edge refinement. */
  readonly after: (S | undefined)[];
  /** State along an edge, after its refinement. */
  along(edge: CfgEdge): S | undefined;
}

export function solveForward<S>(cfg: Cfg, problem: ForwardProblem<S>): ForwardSolution<S> {
  const count = cfg.nodes.length;
  const before: (S | undefined)[] = new Array(count).fill(undefined);
  const after: (S | undefined)[] = new Array(count).fill(undefined);
  const order = reversePostorder(cfg);
  const rank = new Array<number>(count).fill(Number.MAX_SAFE_INTEGER);
  order.forEach((node, i) => (rank[node.id] = i));

  const along = (edge: CfgEdge): S | undefined => {
    const out = after[edge.from.id];
    if (out === undefined) return undefined;
    return problem.transferEdge ? problem.transferEdge(edge, out) : out;
  };

  // Worklist ordered by reverse postorder: a flag per rank and a cursor at the lowest rank that
  // may be pending (a scan of the pending set for its minimum is quadratic in big functions).
  const pendingByRank = new Uint8Array(order.length);
  let pendingCount = 0;
  let cursor = 0;
  const push = (id: number) => {
    const r = rank[id]!;
    if (r >= order.length || pendingByRank[r]) return;
    pendingByRank[r] = 1;
    pendingCount++;
    if (r < cursor) cursor = r;
  };
  push(cfg.entry.id);
  before[cfg.entry.id] = problem.initial;
  let budget = count * 64 + 1000;
  while (pendingCount > 0 && budget-- > 0) {
    while (!pendingByRank[cursor]) cursor++;
    pendingByRank[cursor] = 0;
    pendingCount--;
    const node = order[cursor]!;
    const nextId = node.id;
    const input = before[nextId];
    if (input === undefined) continue;
    const output = problem.transfer(node, input);
    const previous = after[nextId];
    if (previous !== undefined && problem.equals(previous, output)) continue;
    after[nextId] = output;
    for (const edge of node.succs) {
      const state = problem.transferEdge ? problem.transferEdge(edge, output) : output;
      if (state === undefined) continue;
      const old = before[edge.to.id];
      const merged = old === undefined ? state : problem.join(old, state);
      if (old === undefined || !problem.equals(old, merged) || after[edge.to.id] === undefined) {
        before[edge.to.id] = merged;
        push(edge.to.id);
      }
    }
  }
  return { before, after, along };
}

const postorders = new WeakMap<Cfg, readonly CfgNode[]>();

/** The nodes reachable from the entry, in reverse postorder: computed once per CFG (every solve and reachableFromEntry reads it). */
function reversePostorder(cfg: Cfg): readonly CfgNode[] {
  let order = postorders.get(cfg);
  if (!order) postorders.set(cfg, (order = computeReversePostorder(cfg)));
  return order;
}

function computeReversePostorder(cfg: Cfg): CfgNode[] {
  const visited = new Set<number>();
  const post: CfgNode[] = [];
  // Iterative DFS: functions can be huge and deeply nested.
  const stack: { node: CfgNode; next: number }[] = [{ node: cfg.entry, next: 0 }];
  visited.add(cfg.entry.id);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next < frame.node.succs.length) {
      const to = frame.node.succs[frame.next++]!.to;
      if (!visited.has(to.id)) {
        visited.add(to.id);
        stack.push({ node: to, next: 0 });
      }
    } else {
      post.push(frame.node);
      stack.pop();
    }
  }
  return post.reverse();
}

/**
 * A shortest path of edges from `from` to `to` (a node, or any node the predicate accepts), taking
 * only edges `allowed` accepts. Rules use it to show *how* a bad state reaches a statement (SARIF
 * codeFlows, `note:` lines), and to ask whether it can.
 */
export function findPath(from: CfgNode, to: CfgNode | ((node: CfgNode) => boolean), allowed: (edge: CfgEdge) => boolean): CfgEdge[] | undefined {
  const reached = typeof to === 'function' ? to : (node: CfgNode) => node === to;
  // from === to asks for a cycle (a loop iteration back to the same statement).
  const via = new Map<number, CfgEdge>();
  const queue: CfgNode[] = [from];
  const seen = new Set<number>([from.id]);
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const edge of node.succs) {
      if (!allowed(edge)) continue;
      if (reached(edge.to)) {
        const path: CfgEdge[] = [edge];
        for (let e = edge; e.from !== from; ) {
          e = via.get(e.from.id)!;
          path.push(e);
        }
        return path.reverse();
      }
      if (seen.has(edge.to.id)) continue;
      seen.add(edge.to.id);
      via.set(edge.to.id, edge);
      queue.push(edge.to);
    }
  }
  return undefined;
}

const reachableSets = new WeakMap<Cfg, ReadonlySet<number>>();

/**
 * The nodes control can reach from the function's entry (exceptional edges included): code after
 * an unconditional `continue`, `return` or `goto` is not among them. The reverse postorder's nodes.
 */
export function reachableFromEntry(cfg: Cfg): ReadonlySet<number> {
  let reached = reachableSets.get(cfg);
  if (!reached) reachableSets.set(cfg, (reached = new Set(reversePostorder(cfg).map((n) => n.id))));
  return reached;
}
