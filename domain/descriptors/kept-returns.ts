import type { FunctionFact } from '../../core/project/facts.js';
import type { ProjectIndex } from '../../core/project/project-index.js';
import { itemsOf, type FactsProvider } from '../../core/project/provider.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { callArguments, calleeName, callsIn, squeeze, unwrap } from '../../core/syntax/nodes.js';
import { escapeRegExp } from '../../core/util/regexp.js';
import { borrowedParamsProvider } from './summaries.js';

/**
 * Project functions that return a descriptor they have also handed to a project function that
 * keeps it: picoTCP's `pico_radio_mgr_listen()` opens a socket, inserts it in a global tree for
 * polling (`pico_radio_mgr_socket_insert(s, …)`) and returns it. Its caller does not own the
 * socket alone — the tree holds it, and whoever walks the tree closes it — so such a function is
 * no acquirer wrapper for fd-leak.
 *
 * Nor is one that returns a standard stream on some path instead of opening (xfsprogs's
 * `fopen_write_secure(fname)`: `if (!fname) return stdout;`): what its caller gets may be a stream
 * it must not close, and callers close it only when they know they opened one (`if (fname)
 * fclose(fp)`), a test of their own arguments the summary does not carry.
 */

export interface KeptReturnItem {
  readonly fn: number;
  /** Calls of other functions the returned variable is passed to: callee and argument index. */
  readonly passes: readonly { readonly callee: string; readonly arg: number }[];
  /** Returns a standard stream (`stdout`, `STDIN_FILENO`) on some path. */
  readonly standardStream?: true;
}

export interface KeptReturns {
  /** Does every definition of `name` hand the descriptor it returns to a project function that keeps it? */
  keepsReturned(name: string): boolean;
}

export const keptReturnsProvider: FactsProvider<KeptReturnItem, KeptReturns> = {
  id: 'kept-returns',
  extract(file) {
    const out: KeptReturnItem[] = [];
    file.functions.forEach((fact, i) => {
      if (!fact.returnsCallOf || fact.returnsCallOf.length === 0) return;
      const fnNode = file.functionNodes[i]!;
      const standardStream = returnsStandardStream(fnNode.childForFieldName('body')?.text ?? '');
      const passes = passesOfReturned(fact, fnNode);
      if (passes.length > 0 || standardStream) out.push({ fn: i, passes, ...(standardStream ? { standardStream } : {}) });
    });
    return out;
  },
  build(index: ProjectIndex): KeptReturns {
    const byFunction = new Map<FunctionFact, KeptReturnItem>();
    for (const { item, functions } of itemsOf(index, keptReturnsProvider)) byFunction.set(functions[item.fn]!, item);
    const borrowed = byFunction.size > 0 ? index.derived(borrowedParamsProvider) : undefined;
    // A project function that is defined, takes the descriptor as a fixed parameter and may keep it.
    const keeps = (callee: string, arg: number) => {
      const defs = index.functionsNamed(callee);
      return defs.length > 0 && defs.every((d) => arg < d.fn.params.length) && !borrowed!.borrowsParam(callee, arg, 'descriptor');
    };
    return {
      keepsReturned(name) {
        const defs = index.functionsNamed(name);
        return defs.length > 0 && defs.every((d) => {
          const item = byFunction.get(d.fn);
          return item !== undefined && (item.standardStream === true || item.passes.some((p) => keeps(p.callee, p.arg)));
        });
      },
    };
  },
};

/** The variables `v = callee(…)` of a function that returns a callee's result, and the calls each is passed to. */
function passesOfReturned(fact: FunctionFact, fnNode: SyntaxNode): { callee: string; arg: number }[] {
  const body = fnNode.childForFieldName('body');
  if (!body) return [];
  const text = body.text;
  const returned = new Set([...text.matchAll(/\breturn\s*\(?\s*([A-Za-z_]\w*)\s*\)?\s*;/g)].map((m) => m[1]!));
  // Returned calls by their name (`Cls::make` is `make` at its call).
  const sources = new Set(fact.returnsCallOf!.map((r) => r.slice(r.lastIndexOf(':') + 1)));
  const out: { callee: string; arg: number }[] = [];
  for (const call of callsIn(body)) {
    const callee = calleeName(call);
    if (!callee || sources.has(callee)) continue;
    callArguments(call).forEach((arg, i) => {
      const name = squeeze(unwrap(arg).text);
      if (returned.has(name) && new RegExp(`\\b${name}\\s*=\\s*(?:\\([^()]*\\)\\s*)?(?:${[...sources].map(escapeRegExp).join('|')})\\s*\\(`).test(text)) out.push({ callee, arg: i });
    });
  }
  return out;
}

const STANDARD_STREAM = String.raw`(?:stdin|stdout|stderr|STD(?:IN|OUT|ERR)_FILENO)`;
/** `return stdout;`, `return name ? fopen(name, "w") : stdout;` (not `return fprintf(stderr, …)`). */
const RETURNS_STANDARD = new RegExp(String.raw`\breturn\s*(?:[^;]*[?:]\s*)?\(?\s*${STANDARD_STREAM}\s*\)?\s*[;:]`);
/** `fp = stdout;`, `fp = name ? fopen(…) : stdout;`: the variable, if the function returns it. */
const ASSIGNS_STANDARD = new RegExp(String.raw`\b([A-Za-z_]\w*)\s*=\s*(?:[^;=]*[?:]\s*)?\(?\s*${STANDARD_STREAM}\s*\)?\s*[;:]`, 'g');

/** Does a function body return a standard stream, directly or through a variable it returns? */
function returnsStandardStream(body: string): boolean {
  if (!/\b(?:std(?:in|out|err)|STD(?:IN|OUT|ERR)_FILENO)\b/.test(body)) return false;
  if (RETURNS_STANDARD.test(body)) return true;
  for (const m of body.matchAll(ASSIGNS_STANDARD)) if (new RegExp(String.raw`\breturn\s*\(?\s*${m[1]}\s*\)?\s*;`).test(body)) return true;
  return false;
}
