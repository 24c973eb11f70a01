import type { FileFacts, FunctionFact } from '../core/project/facts.js';

/**
 * Facts of one file cut into per-function-unit pieces (and a file-level "skeleton" piece), so the
 * LSP server can keep the facts of unchanged functions while re-extracting only the edited one.
 * ProjectIndex accepts several FileFacts with the same path, so the pieces go into it as they are.
 *
 * Generic over FileFacts' shape: `functions` are renumbered per piece; every other list whose
 * elements carry a function index `fn` follows its function (fn -1, file scope, stays with the
 * skeleton); lists without `fn` (returning macros) are file-level and go to the skeleton only.
 * The facts providers' lists (`provided`, see core/project/provider.ts) are split the same way.
 * test/lsp-incremental.test.ts checks that the pieces give the same findings as the whole file.
 */
type Facts = FileFacts & Record<string, unknown>;

export function splitFacts(facts: FileFacts, unitOf: (fn: FunctionFact) => number, unitCount: number): { skeleton: FileFacts; units: FileFacts[] } {
  const source = facts as Facts;
  const base = () => {
    const piece: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(source)) piece[key] = Array.isArray(value) ? [] : value;
    piece['provided'] = Object.fromEntries(Object.keys(facts.provided).map((id) => [id, []]));
    return piece as Facts;
  };
  const skeleton = base();
  const units = Array.from({ length: unitCount }, base);
  const pieceOf = (unit: number) => (unit < 0 ? skeleton : units[unit]!);
  // Old function index → [piece, new index].
  const moved: [Facts, number][] = [];
  for (const fn of facts.functions) {
    const piece = pieceOf(unitOf(fn));
    const list = piece.functions;
    moved[fn.index] = [piece, list.length];
    list.push({ ...fn, index: list.length });
  }
  const distribute = (value: readonly unknown[], listOf: (piece: Facts) => unknown[]) => {
    for (const item of value) {
      const fn = item !== null && typeof item === 'object' ? (item as { fn?: unknown }).fn : undefined;
      const target = typeof fn === 'number' && fn >= 0 ? moved[fn] : undefined;
      if (!target) listOf(skeleton).push(item);
      else listOf(target[0]).push({ ...(item as object), fn: target[1] });
    }
  };
  for (const [key, value] of Object.entries(source)) {
    if (key === 'functions' || !Array.isArray(value)) continue;
    distribute(value, (piece) => piece[key] as unknown[]);
  }
  for (const [id, items] of Object.entries(facts.provided)) distribute(items, (piece) => piece.provided[id]!);
  return { skeleton, units };
}

/**
 * Adds `delta` to the `line`/`endLine` of every item of a piece's lists (a unit moved down or up).
 * Facts keep positions on list items only (functions, calls, providers' items), never deeper.
 */
export function shiftLines(facts: FileFacts, delta: number): void {
  if (delta === 0) return;
  for (const value of [...Object.values(facts as Facts), ...Object.values(facts.provided)]) {
    if (!Array.isArray(value)) continue;
    for (const item of value as { line?: unknown; endLine?: unknown }[]) {
      if (typeof item.line === 'number' && typeof item.endLine === 'number') {
        item.line += delta;
        item.endLine += delta;
      }
    }
  }
}

const POSITION_KEYS = new Set(['line', 'column', 'endLine', 'endColumn', 'index']);

/**
 * What a unit contributes to the project index, without positions: when an edit leaves it the
 * same, other functions' findings cannot change (only their positions, handled separately).
 * This is the facts-provider contract (core/project/provider.ts) applied: the index answers from
 * functions, macros, providers' items and the call sites of `readsCalls` — functions defined in
 * the project (callers: listener parameters, registration wrappers, helpers called in a loop) and
 * the library calls providers declare — so calls of anything else (libc, macros, library APIs:
 * most calls typed) leave it the same. Likewise the call graph's function values and constructor
 * calls (call-facts.ts) count only when they name project functions (most of those candidates name
 * none: globals, enum constants, macro arguments).
 */
export function indexSignature(facts: FileFacts, readsCalls: (callee: string, member: boolean) => boolean): string {
  const read = {
    calls: facts.calls.filter((c) => readsCalls(c.callee, c.member)),
    functionRefs: facts.functionRefs?.filter((r) => readsCalls(r.name, false)),
    constructorCalls: facts.constructorCalls?.filter((c) => readsCalls(c.callee, false)),
  };
  return JSON.stringify({ ...facts, ...read }, (key, value: unknown) => (POSITION_KEYS.has(key) ? undefined : value));
}
