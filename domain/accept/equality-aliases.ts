import { OrderedAncestry } from '../../core/syntax/ordered-ancestry.js';
import { itemsOf, type FactsProvider } from '../../core/project/provider.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { squeeze, unwrap } from '../../core/syntax/nodes.js';

/**
 * Arguments known equal to another descriptor where they are passed, as a facts provider: in an
 * event loop, `if (fd == lfd) handle_accept(efd, fd);` hands the handler the listener `lfd` (the
 * event's descriptor is only compared with it). The accept rules follow the listener's
 * registration through either name.
 */
export interface EqualityAliasItem {
  readonly fn: number;
  /** The call's position (CallFact line and column) and the argument. */
  readonly line: number;
  readonly column: number;
  readonly arg: number;
  /** The expression the argument equals there. */
  readonly alias: string;
}

const IDENT = /^[A-Za-z_]\w*$/;

/** `FILE:LINE:COLUMN:ARG` → the expression that argument equals at that call. */
export const equalityAliasesProvider: FactsProvider<EqualityAliasItem, ReadonlyMap<string, string>> = {
  id: 'equality-aliases',
  extract(file) {
    const out: EqualityAliasItem[] = [];
    if (!file.text.includes('==')) return out;
    // Per function: the names it compares with `==` (read once, not per call).
    const compared = new Map<number, ReadonlySet<string>>();
    const comparedIn = (fn: number): ReadonlySet<string> => {
      let names = compared.get(fn);
      if (!names) {
        const node = file.functionNodes[fn]!;
        const text = file.text.slice(node.startIndex, node.endIndex);
        names = new Set([...text.matchAll(/\b([A-Za-z_]\w*)\s*==/g), ...text.matchAll(/==\s*([A-Za-z_]\w*)/g)].map((m) => m[1]!));
        compared.set(fn, names);
      }
      return names;
    };
    file.calls.forEach((call, i) => {
      if (call.fn < 0) return;
      const fnNode = file.functionNodes[call.fn]!;
      call.args.forEach((arg, a) => {
        if (!IDENT.test(arg)) return;
        // Only where the function compares the argument at all: most calls need no walk up.
        if (!comparedIn(call.fn).has(arg)) return;
        const alias = guardingEquality(file.callNodes[i]!, fnNode, arg);
        if (alias) out.push({ fn: call.fn, line: call.line, column: call.column, arg: a, alias });
      });
    });
    return out;
  },
  build(index) {
    const aliases = new Map<string, string>();
    for (const { item, file } of itemsOf(index, equalityAliasesProvider)) aliases.set(`${file}:${item.line}:${item.column}:${item.arg}`, item.alias);
    return aliases;
  },
};

/** The other side of an `X == Y` (a conjunct of the condition) of an `if` whose then-branch holds the call. */
function guardingEquality(call: SyntaxNode, fn: SyntaxNode, name: string): string | undefined {
  let child = call;
  // Ancestors from one walk down the function (`node.parent` walks down from the root each time).
  for (const node of new OrderedAncestry(fn).ancestors(call, () => true) ?? []) {
    if (node.id === fn.id) break;
    const inner = child;
    child = node;
    if (node.type !== 'if_statement' || node.childForFieldName('consequence')?.id !== inner.id) continue;
    const condition = node.childForFieldName('condition');
    const alias = condition ? equalityIn(unwrap(condition), name) : undefined;
    if (alias) return alias;
  }
  return undefined;
}

function equalityIn(expr: SyntaxNode, name: string): string | undefined {
  if (expr.type !== 'binary_expression') return undefined;
  const op = expr.childForFieldName('operator')?.type;
  const left = expr.childForFieldName('left');
  const right = expr.childForFieldName('right');
  if (!left || !right) return undefined;
  if (op === '&&') return equalityIn(unwrap(left), name) ?? equalityIn(unwrap(right), name);
  if (op !== '==') return undefined;
  if (squeeze(left.text) === name) return squeeze(right.text);
  if (squeeze(right.text) === name) return squeeze(left.text);
  return undefined;
}
