import { innermostRealLoop, type Cfg, type CfgEdge, type CfgNode, type LoopInfo } from '../../core/flow/cfg.js';
import { findPath } from '../../core/flow/dataflow.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { INVALID, VALID, type HandleFlow } from '../descriptors/handle-flow.js';

/**
 * What the loop around an accept() is for. Only a *drain* loop empties the backlog of an
 * edge-triggered listener: it repeats accept() until it fails (leaving on the failure branch,
 * on EAGAIN) or forever. An *event* loop iterates readiness events (epoll_wait/kevent/poll/select
 * in its body, or a loop over their results): one accept per event. A *retry* loop repeats a
 * failed accept (EINTR, ECONNABORTED) and leaves after a successful one. A *wait* loop repeats an
 * accept that failed with EAGAIN, after waiting for readiness if at all (`if (errno == EAGAIN) {
 * poll(…); continue; }`), and leaves with the connection: it tries accept() before every wait, so
 * it never waits with a connection queued — its caller takes the next one by calling it again. Any
 * other loop that happens to call accept (a loop over address families or listeners) does not
 * drain either.
 */
export type LoopRole = 'drain' | 'event' | 'retry' | 'wait' | 'other';

export interface AcceptLoop {
  readonly loop: LoopInfo;
  readonly role: LoopRole;
}

/** Calls that wait for readiness: a loop with one in its body iterates events. */
const READINESS_CALLS = 'epoll_wait|epoll_pwait2?|kevent|kevent64|poll|ppoll|WSAPoll|select|pselect|port_getn?|io_uring_wait_cqe\\w*|io_uring_peek_cqe|event_base_loop|event_base_dispatch|event_dispatch|ev_run|ev_loop|uv_run|aeProcessEvents|g_main_context_iteration';
const READINESS_WAIT = new RegExp(`\\b(?:${READINESS_CALLS})\\s*\\(`);
/** The same, every one in a text. */
const READINESS_WAITS = new RegExp(READINESS_WAIT.source, 'g');
/** `n = epoll_wait(…)`: the names holding a count of ready events. */
const READY_COUNT = new RegExp(`\\b([A-Za-z_]\\w*)\\s*=\\s*(?:\\([^()]*\\)\\s*)?(?:${READINESS_CALLS})\\s*\\(`, 'g');
/** Fields of a readiness result: `events[i].data.fd`, `pfds[i].revents`, `kev[i].ident`. */
const READY_FIELDS = '(?:data|events|revents|ident|filter|udata|flags)';
/** Readiness by select() or poll(): level-triggered whatever the listener (`FD_ISSET`, `.revents`). */
const LEVEL_READINESS = /\b(?:select|pselect|poll|ppoll|WSAPoll)\s*\(|\bFD_ISSET\s*\(|(?:\.|->)\s*revents\b/;

/**
 * Is the accept served by select() or poll() — in its function, around or before it? Those report
 * a listener as long as connections are queued: level-triggered, nothing is stranded.
 */
export function servedByLevelReadiness(fn: SyntaxNode): boolean {
  return LEVEL_READINESS.test(fn.text);
}

/**
 * Does the accepting function expect a non-blocking listener (an `EAGAIN` test, `SOCK_NONBLOCK`)?
 * A blocking one (an accept-and-fork loop, a test server) is in effect level-triggered.
 */
export function expectsNonBlocking(fn: SyntaxNode): boolean {
  return /\b(?:EAGAIN|EWOULDBLOCK|SOCK_NONBLOCK|O_NONBLOCK)\b/.test(fn.text);
}

/** `while (1)`, `for (;;)`, `while (true)`, `do … while (1)`. */
const UNBOUNDED_CONDITION = /^\(?\s*(?:1|true|TRUE|!0)\s*\)?$/;

/** The loop an accept() sits in (its innermost one that repeats) and what that loop is for. */
export function acceptLoopOf(cfg: Cfg, acceptNode: CfgNode, flow: HandleFlow | undefined): AcceptLoop | undefined {
  const loop = innermostRealLoop(acceptNode) ?? gotoLoop(cfg, acceptNode);
  if (!loop) return undefined;
  const role = loopRole(cfg, loop, acceptNode, flow);
  // `while (1) { for (;;) { c = accept(…); if (c != -1) break; } spawn(c); }`: a retry loop inside
  // a loop that comes back to it once the connection is handed on, waiting for nothing on the
  // way: that outer loop drains the backlog.
  if (role === 'retry') {
    const outer = loop.outer.find((l) => !l.neverRepeats);
    if (outer && loopRole(cfg, outer, acceptNode, flow) === 'drain') return { loop: outer, role: 'drain' };
  }
  return { loop, role };
}

/**
 * A loop built from a backward `goto` around the accept (`next: fd = accept(…); … goto next;`):
 * the nodes on the way from the label to the goto, with the label's statement as its syntax.
 */
function gotoLoop(cfg: Cfg, acceptNode: CfgNode): LoopInfo | undefined {
  const at = acceptNode.syntax?.startIndex ?? -1;
  for (const jump of cfg.nodes) {
    if (jump.kind !== 'jump' || jump.jump !== 'goto' || (jump.syntax?.startIndex ?? -1) < at) continue;
    const label = jump.succs[0]?.to;
    if (!label || label.kind !== 'join' || !label.syntax || label.syntax.startIndex > at) continue;
    const forward = closure(label, (n) => n.succs.map((e) => e.to));
    const backward = closure(jump, (n) => n.preds.map((e) => e.from));
    if (!forward.has(acceptNode.id) || !backward.has(acceptNode.id)) continue;
    // Its body: what runs from the label on and lies between the label and the goto (the exits
    // inside it too), or leads back to the goto.
    const [start, end] = [label.syntax.startIndex, jump.syntax!.endIndex];
    const within = (node: CfgNode) => node.syntax !== undefined && node.syntax.startIndex >= start && node.syntax.endIndex <= end;
    const nodes = new Set([...forward].filter((id) => backward.has(id) || within(cfg.nodes[id]!)));
    return { id: -1, syntax: label.syntax, neverRepeats: false, nodes, outer: [] };
  }
  return undefined;
}

function closure(from: CfgNode, next: (node: CfgNode) => CfgNode[]): Set<number> {
  const seen = new Set<number>([from.id]);
  const stack = [from];
  while (stack.length > 0) for (const n of next(stack.pop()!)) if (!seen.has(n.id)) (seen.add(n.id), stack.push(n));
  return seen;
}

function loopRole(cfg: Cfg, loop: LoopInfo, acceptNode: CfgNode, flow: HandleFlow | undefined): LoopRole {
  if (walksReadyEvents(loop.syntax, cfg.function)) return 'event';
  const head = cfg.nodes.find((n) => n.kind === 'join' && n.syntax?.id === loop.syntax.id && loop.nodes.has(n.id));
  // Without the result in a variable (`if (accept(l, …) < 0)`), success and failure are not told apart.
  const holds = (edge: CfgEdge, bits: number) => !edge.exceptional && (flow === undefined || ((flow.along(edge) ?? 0) & bits) !== 0);
  const reaches = (goal: (node: CfgNode) => boolean, allowed: (edge: CfgEdge) => boolean) => findPath(acceptNode, goal, allowed) !== undefined;
  const repeatsAfterSuccess = head !== undefined && reaches((n) => n === head, (e) => loop.nodes.has(e.to.id) && holds(e, VALID));
  const failureLeaves = reaches((n) => !loop.nodes.has(n.id), (e) => holds(e, INVALID) && (loop.nodes.has(e.from.id) || e.from === acceptNode));
  const failureRepeats = head !== undefined && reaches((n) => n === head, (e) => loop.nodes.has(e.to.id) && holds(e, INVALID));
  // Repeated on EAGAIN itself — not only on EINTR while EAGAIN leaves (`if (errno == EINTR)
  // continue; if (errno == EAGAIN) return -1;`: a retry loop, one accept per call).
  const eagainRepeats = failureRepeats && head !== undefined && repeatsThroughEagain(acceptNode, head, (e) => loop.nodes.has(e.to.id) && holds(e, INVALID));
  if (!repeatsAfterSuccess && eagainRepeats && waitsOnlyAfterEagain(loop.syntax, acceptNode)) return 'wait';
  if (waitsForReadiness(loop.syntax)) return 'event';
  if (repeatsAfterSuccess) return failureLeaves || unbounded(loop.syntax) ? 'drain' : 'other';
  return failureRepeats ? 'retry' : 'other';
}

/** `errno == EAGAIN`, `EWOULDBLOCK != err`: which value of the test says "it would block". */
const EAGAIN_EQUALS = /(?:==\s*(?:EAGAIN|EWOULDBLOCK)\b|\b(?:EAGAIN|EWOULDBLOCK)\s*==)/;
const EAGAIN_DIFFERS = /(?:!=\s*(?:EAGAIN|EWOULDBLOCK)\b|\b(?:EAGAIN|EWOULDBLOCK)\s*!=)/;

/**
 * Is there a path from the accept back to the loop's head, on `allowed` edges, through an edge
 * where an errno test says EAGAIN (`errno == EAGAIN` true, `errno != EWOULDBLOCK` false)? A test
 * naming EAGAIN but no comparison (`ERRNO_IS(EAGAIN)`) counts either way.
 */
function repeatsThroughEagain(acceptNode: CfgNode, head: CfgNode, allowed: (edge: CfgEdge) => boolean): boolean {
  const saysEagain = (e: CfgEdge) => {
    const text = e.condition?.text;
    if (!text || e.assumption === undefined || !/\b(?:EAGAIN|EWOULDBLOCK)\b/.test(text)) return false;
    if (EAGAIN_EQUALS.test(text)) return e.assumption;
    if (EAGAIN_DIFFERS.test(text)) return !e.assumption;
    return true;
  };
  // The nodes the failure reaches before coming back to the head; the EAGAIN edges out of them.
  const seen = new Set<number>([acceptNode.id]);
  const reached = [acceptNode];
  for (let i = 0; i < reached.length; i++) {
    for (const e of reached[i]!.succs) if (allowed(e) && e.to !== head && !seen.has(e.to.id)) (seen.add(e.to.id), reached.push(e.to));
  }
  const crossings = reached.flatMap((n) => n.succs.filter((e) => allowed(e) && saysEagain(e)));
  return crossings.some((e) => e.to === head || findPath(e.to, head, allowed) !== undefined);
}

/** The loop tests EAGAIN, and any readiness wait in it comes after the accept (on its EAGAIN branch). */
function waitsOnlyAfterEagain(loop: SyntaxNode, acceptNode: CfgNode): boolean {
  const text = loop.text;
  if (!/\b(?:EAGAIN|EWOULDBLOCK)\b/.test(text)) return false;
  const acceptAt = (acceptNode.syntax?.startIndex ?? loop.startIndex) - loop.startIndex;
  for (const m of text.matchAll(READINESS_WAITS)) if (m.index! < acceptAt) return false;
  return true;
}

/**
 * A loop that waits for readiness in its body, walks a readiness result through its counter
 * (`for (i = 0; i < n; i++)` with `n = epoll_wait(…)`, `events[i].data.fd`), or tests ready sets
 * (`FD_ISSET`).
 */
function waitsForReadiness(loop: SyntaxNode): boolean {
  return READINESS_WAIT.test(loop.text) || /\bFD_ISSET\s*\(/.test(loop.text);
}

/** A `for` loop walking a readiness result through its counter (see waitsForReadiness for the rest). */
function walksReadyEvents(loop: SyntaxNode, fn: SyntaxNode): boolean {
  const text = loop.text;
  if (loop.type !== 'for_statement') return false;
  const condition = loop.childForFieldName('condition');
  const counter = condition ? /^\(?\s*([A-Za-z_]\w*)\s*(?:<|<=|!=)/.exec(condition.text)?.[1] : undefined;
  if (!counter) return false;
  const bound = condition!.text.slice(condition!.text.indexOf(counter) + counter.length).match(/[A-Za-z_]\w*/g) ?? [];
  const counts = new Set([...fn.text.matchAll(READY_COUNT)].map((m) => m[1]!));
  if (bound.some((name) => counts.has(name))) return true;
  return new RegExp(`\\[\\s*${counter}\\s*\\]\\s*(?:\\.|->)\\s*${READY_FIELDS}\\b`).test(text);
}

function unbounded(loop: SyntaxNode): boolean {
  if (loop.type === 'for_statement') {
    const condition = loop.childForFieldName('condition');
    return condition === null || UNBOUNDED_CONDITION.test(condition.text.trim());
  }
  const condition = loop.childForFieldName('condition');
  return condition !== null && UNBOUNDED_CONDITION.test(condition.text.trim());
}

