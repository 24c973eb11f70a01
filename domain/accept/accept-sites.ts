import type { CallFact } from '../../core/project/facts.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import type { RuleContext } from '../../core/engine/rule.js';
import { declaredName } from '../../core/project/facts.js';
import { squeeze } from '../../core/syntax/nodes.js';

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

export function acceptSites(ctx: RuleContext): AcceptSite[] {
  const sites: AcceptSite[] = [];
  const { calls } = ctx.file.facts;
  calls.forEach((call, i) => {
    if (call.fn < 0 || call.member) return;
    const listenerArg = ctx.settings.acceptFunctions.get(call.callee) ?? ctx.index.acceptWrappers.get(call.callee);
    if (listenerArg === undefined) return;
    const listener = call.args[listenerArg];
    if (!listener) return;
    const node = ctx.file.syntax.callNodes[i]!;
    sites.push({ call, node, fn: call.fn, listener, variable: resultVariable(node) });
  });
  return sites;
}

/** `fd = accept(…)`, `int fd = accept(…)`, `(fd = accept(…)) < 0` → `fd`. */
export function resultVariable(call: SyntaxNode): string | undefined {
  let child = call;
  let parent = call.parent;
  while (parent && (parent.type === 'parenthesized_expression' || parent.type === 'cast_expression')) {
    child = parent;
    parent = parent.parent;
  }
  if (!parent) return undefined;
  if (parent.type === 'assignment_expression' && parent.childForFieldName('right')?.id === child.id) {
    const left = parent.childForFieldName('left');
    return left ? squeeze(left.text) : undefined;
  }
  if (parent.type === 'init_declarator') return declaredName(parent);
  return undefined;
}
