import type { CallFact, FunctionFact } from '../../core/project/facts.js';
import { escapeRegExp } from '../../core/util/regexp.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import type { FileAnalysis } from '../../core/engine/settings.js';
import { resultVariable } from '../../core/syntax/nodes.js';
import { acceptFunctionsFor, acceptWrappersProvider } from './accept-wrappers.js';
import { macrosIn } from '../../core/project/macro-table.js';
import { callGraphOf } from '../../core/project/call-graph.js';
import type { Cfg } from '../../core/flow/cfg.js';
import { contains } from '../../core/syntax/nodes.js';
import { solveHandleFlow, type HandleFlow } from '../descriptors/handle-flow.js';
import { invalidityKnowledge } from '../descriptors/invalidity.js';

/** One call that accepts a connection: accept(), accept4(), a configured or discovered wrapper. */
export interface AcceptSite {
  readonly call: CallFact;
  readonly node: SyntaxNode;
  /** Index of the enclosing function. */
  readonly fn: number;
  /** Text of the listening descriptor argument. */
  readonly listener: string;
  /** Where the result is kept (`fd`, `c->fd`), if it is kept. */
  readonly variable?: string;
}

export function acceptSites(ctx: FileAnalysis): AcceptSite[] {
  const sites: AcceptSite[] = [];
  const { calls } = ctx.file.facts;
  const acceptFunctions = acceptFunctionsFor(ctx.settings);
  const wrappers = ctx.index.derived(acceptWrappersProvider);
  calls.forEach((call, i) => {
    if (call.fn < 0 || call.member) return;
    const listenerArg = acceptFunctions.get(call.callee) ?? wrappers.get(call.callee) ?? aliasedListener(ctx, call, acceptFunctions, wrappers);
    if (listenerArg === undefined) return;
    if (callsOwnMethod(ctx, call)) return;
    const listener = call.args[listenerArg];
    if (!listener) return;
    const node = ctx.file.syntax.callNodes[i]!;
    sites.push({ call, node, fn: call.fn, listener, variable: resultVariable(node) });
  });
  return sites;
}

/**
 * `accept(fd)` inside a method of a class that has a method `accept` (slick's `Endpoint::poll`
 * calling `Endpoint::accept`, which drains with its own loop): C++ finds the member first, so this
 * is no call of the library's accept(). (`::accept(fd)` is.)
 */
function callsOwnMethod(ctx: FileAnalysis, call: CallFact): boolean {
  if (ctx.file.language !== 'cpp' || call.qualifier !== undefined || ctx.file.facts.functions[call.fn]?.className === undefined) return false;
  const graph = callGraphOf(ctx.index);
  return graph.edgesOfCall(ctx.file.path, call).some((edge) => edge.kind === 'call' && graph.fact(edge.callee).className !== undefined);
}

/** `#define xs_accept accept`, `#define ACCEPT(l, a, n) accept4((l), (a), (n), 0)`: the listener argument of the call. */
function aliasedListener(ctx: FileAnalysis, call: CallFact, acceptFunctions: ReadonlyMap<string, number>, wrappers: ReadonlyMap<string, number>): number | undefined {
  const macros = macrosIn(ctx.file, ctx.index, call.fn);
  if (macros.aliases.size === 0) return undefined;
  const { name, args } = macros.resolveAlias(call.callee);
  if (name === call.callee) return undefined;
  const listener = acceptFunctions.get(name) ?? wrappers.get(name);
  if (listener === undefined || !args) return listener;
  const arg = args[listener];
  return arg === undefined || arg < 0 ? undefined : arg;
}

/** Validity of the accepted descriptor along the function (`fd < 0`, `SOCK_BAD == fd`); none when the result is not kept. */
export function acceptFlow(ctx: FileAnalysis, cfg: Cfg, site: AcceptSite): HandleFlow | undefined {
  if (!site.variable) return undefined;
  return solveHandleFlow(cfg, { variable: site.variable, shape: 'descriptor', isSource: (rhs) => contains(rhs, site.node), knowledge: invalidityKnowledge(ctx, site.fn) });
}

/**
 * Does the accepting function hand the connection to its caller — return it (`return new_socket;`)
 * or store it where the caller reads it (`*pa = accept(…)`, a reference parameter, `conn->fd` of
 * a parameter)? Such a function is an accept primitive (asio's `sync_accept`, luasocket's
 * `socket_accept`): one connection per call by design, and how often it runs is its caller's
 * business.
 */
export function handsConnectionToCaller(site: AcceptSite, fn: FunctionFact, fnNode: SyntaxNode): boolean {
  const variable = site.variable?.replace(/\s+/g, '');
  if (!variable) return false;
  const root = /^[*(]*([A-Za-z_]\w*)/.exec(variable)?.[1];
  const param = fn.params.find((p) => p.name === root);
  if (param && (variable !== root || /[&*]/.test(param.type))) return true;
  const body = fnNode.text;
  if (new RegExp(String.raw`\breturn\s*\(?\s*${escapeRegExp(variable)}\s*\)?\s*;`).test(body)) return true;
  // Copied out afterwards: `*newfd = fd;`, `c->sd = sd;` for a parameter `c`, `out = fd;` for a reference `int& out`.
  return fn.params.some((p) => {
    const name = escapeRegExp(p.name);
    const target = p.type.includes('&') ? String.raw`(?<![\w.>])${name}` : String.raw`\*\s*${name}|\b${name}\s*(?:->|\.)\s*\w+`;
    return new RegExp(String.raw`(?:${target})\s*=\s*${escapeRegExp(variable)}\s*;`).test(body);
  });
}
