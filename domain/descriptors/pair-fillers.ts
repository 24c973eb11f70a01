import { itemsOf, type FactsProvider } from '../../core/project/provider.js';
import { escapeRegExp } from '../../core/util/regexp.js';
import type { ProjectIndex } from '../../core/project/project-index.js';
import { ACQUIRE_FUNCTIONS } from '../catalog/posix.js';

/**
 * Project functions that fill a caller's array with a new descriptor pair, as a facts provider:
 * multitail's `pid_t exec_with_pipe(char *command, int pipe_to_proc[], int pipe_from_proc[])`
 * calls `pipe(pipe_to_proc)` and `pipe(pipe_from_proc)`, forks, and returns with all four ends
 * open in the parent. A caller's local array given to it holds what pipe() would have put there:
 * the ends the function does not close are the caller's to close or keep.
 */
export interface PairFillerItem {
  readonly fn: number;
  readonly param: number;
  /** The elements (0, 1) the function leaves open for its caller: no close-like call names them. */
  readonly elements: readonly number[];
}

/** A filler with the file that defines it. */
export interface PairFiller extends PairFillerItem {
  readonly file: string;
}

/**
 * The fillers a call in `fromPath` reaches: the file's own function of that name when it defines
 * one (a `static lay_pipes` in each of two files), else the project's only one.
 */
export function fillersCalledFrom(fillers: ReadonlyMap<string, readonly PairFiller[]>, callee: string, fromPath: string, index: ProjectIndex): readonly PairFiller[] {
  const named = fillers.get(callee);
  if (!named) return [];
  if (index.defines(fromPath, callee)) return named.filter((f) => f.file === fromPath);
  return index.functionsNamed(callee).length === 1 ? named : [];
}

/** pipe(), pipe2(), socketpair(): name → the argument they fill. */
const PAIR_ACQUIRES: ReadonlyMap<string, number> = new Map(ACQUIRE_FUNCTIONS.flatMap((f) => (f.outArrayArg === undefined ? [] : [[f.name, f.outArrayArg] as const])));

/** `int fds[]`, `int fds[2]`, `int fds[static 2]` (C99), `int *fds` (as facts write them: `int fds[]`, `int *`): a parameter that points at the caller's integers. */
const INT_ARRAY_PARAMETER = /^(?:const\s+)?int\s*(?:\*|(?:[A-Za-z_]\w*)?\s*\[\s*(?:(?:static|const|restrict)\s+)*\d*\s*\])$/;

export const pairFillersProvider: FactsProvider<PairFillerItem, ReadonlyMap<string, readonly PairFiller[]>> = {
  id: 'pair-fillers',
  extract(file) {
    const out: PairFillerItem[] = [];
    for (const call of file.calls) {
      const arg = PAIR_ACQUIRES.get(call.callee);
      if (arg === undefined || call.fn < 0 || call.member) continue;
      const fact = file.functions[call.fn]!;
      const name = call.args[arg]?.trim();
      const param = fact.params.findIndex((p) => p.name === name && INT_ARRAY_PARAMETER.test(p.type.replace(/\s+/g, ' ').trim()));
      if (param < 0 || out.some((o) => o.fn === call.fn && o.param === param)) continue;
      const node = file.functionNodes[call.fn]!;
      const text = file.text.slice(node.startIndex, node.endIndex);
      const elements = [0, 1].filter((k) => !closesElement(text, name!, k));
      if (elements.length > 0) out.push({ fn: call.fn, param, elements });
    }
    return out;
  },
  build(index) {
    const fillers = new Map<string, PairFiller[]>();
    for (const { item, file, functions } of itemsOf(index, pairFillersProvider)) {
      const name = functions[item.fn]!.name;
      fillers.set(name, [...(fillers.get(name) ?? []), { ...item, file }]);
    }
    return fillers;
  },
};

/**
 * Does a call named like a closer (`close`, `myclose`, `safe_close`) take `name[k]` in the function,
 * other than on the way out of a failure? notcurses' `lay_pipes` closes both ends and returns -1
 * when marking them close-on-exec fails: the caller, told of the failure, has nothing to close,
 * and on success both ends are its own.
 */
function closesElement(text: string, name: string, k: number): boolean {
  const close = new RegExp(String.raw`\b\w*close\w*\s*\(\s*${escapeRegExp(name)}\s*\[\s*${k}\s*\]\s*\)`, 'gi');
  for (const m of text.matchAll(close)) {
    const end = m.index! + m[0].length;
    const stop = text.indexOf('}', end);
    const rest = text.slice(end, stop < 0 ? text.length : stop);
    if (!FAILURE_EXIT.test(rest)) return true;
  }
  return false;
}

/** A return of a failure value (`return -1;`, `return false;`, `return NULL;`, `return -EIO;`) or a jump to a failure label, before the block ends. */
const FAILURE_EXIT = /^[^{}]*?\b(?:return\s*\(?\s*(?:-\s*\w+|false|FALSE|NULL|nullptr)\s*\)?\s*;|goto\s+\w*(?:err|fail|bad|out_close)\w*\s*;)/i;
