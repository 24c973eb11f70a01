import { itemsOf, type FactsProvider } from '../../core/project/provider.js';
import { escapeRegExp } from '../../core/util/regexp.js';
import { calleeName } from '../../core/syntax/nodes.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import type { MacroScope } from '../../core/project/macro-table.js';
import { closing, splitTopLevel } from '../../core/syntax/c-text.js';

/**
 * Functions that run a callable parameter in a loop, retrying it after it fails with EAGAIN (and
 * usually waiting for readiness first), as a facts provider: PhotonLibOS's
 * `template <…> ssize_t etdoio(IOCB iocb, WAITCB waitcb) { while (true) { ret = iocb(); if (ret < 0
 * && errno == EAGAIN) { if (waitcb()) return ret; continue; } return ret; } }`. An accept() handed
 * to one (`etdoio(LAMBDA(accept4(fd, …)), …)`) is tried before every wait: it never waits with a
 * connection queued, so it strands nothing, whatever the listener's trigger mode.
 */
export interface RetryHelperItem {
  readonly fn: number;
  /** The parameter the function calls and retries. */
  readonly param: number;
}

const RETRIES_ON_EAGAIN = /\b(?:EAGAIN|EWOULDBLOCK)\b/;
const LOOP = /\b(?:while|for|do)\b/;

/** Retry helper name → the parameter it retries. */
export const retryHelpersProvider: FactsProvider<RetryHelperItem, ReadonlyMap<string, number>> = {
  id: 'eagain-retry-helpers',
  extract(file) {
    const out: RetryHelperItem[] = [];
    // Most files test no EAGAIN at all: nothing to read function by function.
    if (!RETRIES_ON_EAGAIN.test(file.text)) return out;
    file.functionNodes.forEach((node, fn) => {
      const fact = file.functions[fn];
      if (!fact || fact.params.length === 0) return;
      const text = file.text.slice(node.startIndex, node.endIndex);
      if (!RETRIES_ON_EAGAIN.test(text) || !LOOP.test(text)) return;
      const body = text.slice(text.indexOf('{'));
      const param = fact.params.findIndex((p) => p.name !== '' && retriedInLoop(body, p.name));
      if (param >= 0) out.push({ fn, param });
    });
    return out;
  },
  build(index) {
    const helpers = new Map<string, number>();
    for (const { item, functions } of itemsOf(index, retryHelpersProvider)) helpers.set(functions[item.fn]!.name, item.param);
    return helpers;
  },
};

/**
 * Does `body` call `name()` inside a loop whose text also tests EAGAIN and goes round again
 * (`continue`, or the loop's end)? The loop is the innermost `while`/`for`/`do` whose braces
 * enclose the call.
 */
function retriedInLoop(body: string, name: string): boolean {
  const call = new RegExp(String.raw`(?<![\w.>])${escapeRegExp(name)}\s*\(`).exec(body);
  if (!call) return false;
  // The blocks opened before the call and still open there: the loops' braces, -1 for others.
  const opens: number[] = [];
  for (let i = 0; i < call.index; i++) {
    const c = body[i];
    if (c === '{') opens.push(/\b(?:while|for)\s*\([^{};]*\)\s*$|\bdo\s*$/.test(body.slice(Math.max(0, i - 200), i)) ? i : -1);
    else if (c === '}') opens.pop();
  }
  const start = opens.filter((at) => at >= 0).at(-1);
  if (start === undefined) return false;
  // The loop's block, to its matching brace.
  const end = closing(body, start);
  return RETRIES_ON_EAGAIN.test(body.slice(start, end < 0 ? body.length : end));
}

/**
 * Is the accept call `node` (inside its arguments, through macros and lambdas: `LAMBDA(accept4(…))`,
 * `[&] { return accept4(…); }`) the parameter a retry helper runs: `etdoio(LAMBDA(accept4(…)), …)`?
 */
export function retriedByHelper(node: SyntaxNode, helpers: ReadonlyMap<string, number>, macros: MacroScope): boolean {
  if (helpers.size === 0) return false;
  let child = node;
  for (let parent = node.parent; parent && parent.type !== 'function_definition'; child = parent, parent = parent.parent) {
    if (parent.type !== 'argument_list') continue;
    const call = parent.parent;
    const name = call?.type === 'call_expression' ? calleeName(call) : undefined;
    if (name === undefined) continue;
    const at = parent.namedChildren.filter((c) => c.type !== 'comment').findIndex((c) => c.id === child.id);
    if (helpers.get(name) === at) return true;
    // `DOIO_ONCE(accept4(…), wait(…))` over `#define DOIO_ONCE(iocb, waitcb) doio_once(LAMBDA(iocb), LAMBDA(waitcb))`.
    const expression = macros.expressions.get(name);
    if (expression && expression.params[at] !== undefined && handsToHelper(expression.body, expression.params[at]!, helpers)) return true;
  }
  return false;
}

/** Does a macro body pass its parameter `param` (inside the argument: `LAMBDA(iocb)`) as the argument a retry helper retries? */
function handsToHelper(body: string, param: string, helpers: ReadonlyMap<string, number>): boolean {
  for (const m of body.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
    const retried = helpers.get(m[1]!);
    if (retried === undefined) continue;
    const open = m.index! + m[0].length - 1;
    const end = closing(body, open);
    if (end < 0) continue;
    const arg = splitTopLevel(body.slice(open + 1, end - 1))[retried];
    if (arg !== undefined && new RegExp(String.raw`\b${escapeRegExp(param)}\b`).test(arg)) return true;
  }
  return false;
}
