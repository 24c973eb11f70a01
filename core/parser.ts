import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import Cpp from 'tree-sitter-cpp';
import type { Language } from './language.js';

export type SyntaxNode = Parser.SyntaxNode;
export type Tree = Parser.Tree;

const grammars: Record<Language, unknown> = { c: C, cpp: Cpp };
const parsers = new Map<Language, Parser>();

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

const CHUNK = 64 * 1024;

/**
 * Parses text of any size. Handing node-tree-sitter a plain string fails beyond its 32 KiB
 * default buffer, so we feed it through the input callback in chunks (indices are UTF-16 units,
 * like JS strings).
 */
export function parseText(language: Language, text: string, oldTree?: Tree): Tree {
  const parser = parserFor(language);
  return parser.parse((index: number) => (index < text.length ? text.slice(index, index + CHUNK) : ''), oldTree);
}
