import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import Cpp from 'tree-sitter-cpp';
import type { Language } from './language.js';

export type SyntaxNode = Parser.SyntaxNode;
export type Tree = Parser.Tree;

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

export function parserFor(language: Language): Parser {
  let parser = parsers.get(language);
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(grammars[language] as Parser.Language);
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

/** Time allowed for one parse: generous for real code (MB/s), bounded for inputs that make error recovery crawl. */
export function parseBudgetMs(length: number): number {
  return 5000 + length / 1000;
}

/**
 * Parses text of any size. node-tree-sitter reads a string through a 32 KiB buffer by default and
 * fails beyond it, so the buffer is sized to the input. (An input callback would work too, but then
 * every `node.text` re-reads the input through the callback — quadratic on large files.) A parse
 * that exceeds its time budget is cancelled with ParseTimeoutError: tree-sitter's error recovery is
 * super-linear on some inputs (a megabyte of bare `0x62, 0xEB,` bytes).
 */
export function parseText(language: Language, text: string, oldTree?: Tree): Tree {
  const parser = parserFor(language);
  const budget = parseBudgetMs(text.length);
  const deadline = Date.now() + budget;
  let cancelled = false;
  const tree = parser.parse(text, oldTree, {
    bufferSize: Math.max(32 * 1024, text.length * 2 + 16),
    progressCallback: () => (cancelled = Date.now() > deadline),
  });
  if (cancelled) {
    parser.reset();
    throw new ParseTimeoutError(Math.round(budget / 1000));
  }
  disableNodeCache(tree);
  return tree;
}
