import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import Cpp from 'tree-sitter-cpp';
import type { Language } from './language.js';
import { installLeanNodeAccessors } from './node-objects.js';
import { directivesWithoutTrailingSpace } from './c-text.js';

export type SyntaxNode = Parser.SyntaxNode;
export type Tree = Parser.Tree;
export type TreeCursor = Parser.TreeCursor;

const grammars: Record<Language, unknown> = { c: C, cpp: Cpp };
const parsers = new Map<Language, Parser>();

/**
 * node-tree-sitter registers every SyntaxNode object it hands out in a per-tree cache of weak
 * references with a finalizer each, so that asking for the same node twice returns the same
 * object. connlint compares nodes by `id` and range, never by identity, and the weak references
 * cost more than the analysis itself (slower node access, and most of the garbage collector's
 * time). Switched off once, for every tree.
 */
let nodeCacheDisabled = false;

function disableNodeCache(tree: Tree): void {
  if (nodeCacheDisabled) return;
  const proto = Object.getPrototypeOf(tree) as { _cacheNode?: unknown; _cacheNodes?: unknown };
  if (typeof proto._cacheNode === 'function' && typeof proto._cacheNodes === 'function') {
    proto._cacheNode = () => undefined;
    proto._cacheNodes = () => undefined;
  }
  nodeCacheDisabled = true;
}

/**
 * Every node property read is a native call in node-tree-sitter (a few hundred ns each), and the
 * analyses read start offsets and ids of the same nodes over and over. A node object already holds
 * its id and start (tree-sitter's TSNode: the id, then start byte, row and column, in bytes of the
 * UTF-16 text the parser was given) in numbered slots; these getters read them there. They are
 * installed only if they agree with the native ones on a sample parse, so a binding that lays
 * nodes out differently keeps its own getters.
 */
type NodeSlots = SyntaxNode & Record<number, number>;
const FAST_GETTERS: Record<'id' | 'startIndex' | 'startPosition', (this: NodeSlots) => unknown> = {
  id() {
    return this[0]! + this[1]! * 0x1_0000_0000;
  },
  startIndex() {
    return this[2]! >>> 1;
  },
  startPosition() {
    return { row: this[3]!, column: this[4]! >>> 1 };
  },
};
let fastGettersChecked = false;
/** Whether the slot-reading getters are in use (tests check that they are, on this binding). */
export let fastGettersInstalled = false;

function installFastGetters(parser: Parser): void {
  if (fastGettersChecked) return;
  fastGettersChecked = true;
  const proto = (Parser as unknown as { SyntaxNode?: { prototype: object } }).SyntaxNode?.prototype;
  if (!proto) return;
  // Non-ASCII text, an ERROR node and a missing token: the slots must agree on all of them.
  const sample = parser.parse('int f(void) {\n  /* é */ int x = g(1, "ü");\n  if (x) { return x; } else y = @;\n  while (x--) h(x);\n  return (x; }\n');
  installLeanNodeAccessors((Parser as unknown as { SyntaxNode?: new (tree: Tree) => SyntaxNode }).SyntaxNode, sample);
  const nodes: SyntaxNode[] = [];
  const collect = (node: SyntaxNode) => {
    nodes.push(node);
    for (const child of node.children) collect(child);
  };
  collect(sample.rootNode);
  for (const [name, fast] of Object.entries(FAST_GETTERS)) {
    const native = Object.getOwnPropertyDescriptor(proto, name)?.get;
    if (!native) return;
    if (!nodes.every((n) => JSON.stringify(native.call(n)) === JSON.stringify(fast.call(n as NodeSlots)))) return;
  }
  for (const [name, fast] of Object.entries(FAST_GETTERS)) Object.defineProperty(proto, name, { get: fast, configurable: true, enumerable: false });
  fastGettersInstalled = true;
}

export function parserFor(language: Language): Parser {
  let parser = parsers.get(language);
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(grammars[language] as Parser.Language);
    installFastGetters(parser);
    parsers.set(language, parser);
  }
  return parser;
}

/** The tree-sitter language object, for queries. */
export function grammarOf(language: Language): Parser.Language {
  return grammars[language] as Parser.Language;
}

export class ParseTimeoutError extends Error {
  constructor(readonly seconds: number) {
    super(`parsing took over ${seconds} s (pathological input such as a huge data table); skipped`);
  }
}

/**
 * Time allowed for one parse, bounded for inputs that make error recovery crawl. It is wall-clock
 * time (tree-sitter offers no count of its work: its progress callback follows the input read,
 * not the recovery), so it is kept far above what any real file needs even on a loaded machine —
 * real code parses at megabytes per second; a file a quiet machine parses in 4 s still passes at
 * five times slower — and only pathological input reaches it (a megabyte of bare `0x62, 0xEB,`
 * bytes takes minutes).
 */
export function parseBudgetMs(length: number): number {
  return 20_000 + length / 500;
}

/**
 * Parses text of any size. node-tree-sitter reads a string through a 32 KiB buffer by default and
 * fails beyond it, so the buffer is sized to the input. (An input callback would work too, but then
 * every `node.text` re-reads the input through the callback — quadratic on large files.) A parse
 * that exceeds its time budget is cancelled with ParseTimeoutError: tree-sitter's error recovery is
 * super-linear on some inputs (a megabyte of bare `0x62, 0xEB,` bytes). `includedRanges`: parse
 * only those parts of the text (positions stay the text's own), e.g. one function of a document.
 */
/** Set by a worker thread that may be asked to stop (see cancelParsesWhen). */
let stopFlag: Int32Array | undefined;

/**
 * Parses in this thread stop (with ParseTimeoutError) once `flag[0]` is non-zero. A thread that
 * another one wants to stop must not be terminated mid-parse: tree-sitter calls back into
 * JavaScript as it reads, a terminating thread's call fails in native code, and that aborts the
 * whole process. The LSP server's background checks stop this way instead.
 */
export function cancelParsesWhen(flag: Int32Array): void {
  stopFlag = flag;
}

export function parseText(language: Language, text: string, oldTree?: Tree, includedRanges?: Parser.Range[]): Tree {
  const parser = parserFor(language);
  const budget = parseBudgetMs(text.length);
  const deadline = Date.now() + budget;
  let cancelled = false;
  const tree = parser.parse(directivesWithoutTrailingSpace(text), oldTree, {
    bufferSize: Math.max(32 * 1024, text.length * 2 + 16),
    includedRanges,
    progressCallback: () => (cancelled = Date.now() > deadline || (stopFlag !== undefined && Atomics.load(stopFlag, 0) !== 0)),
  });
  if (cancelled) {
    parser.reset();
    throw new ParseTimeoutError(Math.round(budget / 1000));
  }
  disableNodeCache(tree);
  return tree;
}
