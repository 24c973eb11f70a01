import { decodeSource, LineMap } from '../syntax/source-text.js';
import { detectLanguage, type Language } from '../syntax/language.js';
import { parseText, type Tree } from '../syntax/parser.js';
import { extractFacts, type FactsScope, type FileFacts, type FileSyntax } from './facts.js';
import type { FactsProvider } from './provider.js';

/** What parsing and the facts pass read of the settings (the engine's AnalysisSettings has more). */
export interface SourceSettings {
  readonly headerLanguage: 'auto' | Language;
  readonly providers: readonly FactsProvider[];
}

/** A parsed file with its facts: what the check pass and the LSP server work from. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
  readonly language: Language;
  readonly tree: Tree;
  readonly lines: LineMap;
  readonly facts: FileFacts;
  readonly syntax: FileSyntax;
  /** Things worth telling the user that are not findings (encoding fallbacks, syntax errors). */
  readonly notices: readonly string[];
}

export type LoadResult = { ok: true; file: SourceFile } | { ok: false; reason: string };

/** `oldTree`: the previous tree of this text, already `edit()`ed to match it, for an incremental re-parse (LSP). */
export function prepareSource(path: string, text: string, settings: SourceSettings, notices: string[] = [], oldTree?: Tree): SourceFile {
  const language = detectLanguage(path, text, settings.headerLanguage);
  const tree = parseText(language, text, oldTree);
  if (tree.rootNode.hasError) notices.push('contains syntax errors (or code the grammar does not know); those regions are skipped');
  return sourceFromTree(path, text, language, tree, settings, { notices });
}

/**
 * A file already parsed (the LSP server keeps each document's tree, and its line map). `scope`:
 * only part of it (see FactsScope); `lines`: the text's line map, when kept by the caller.
 */
export function sourceFromTree(
  path: string,
  text: string,
  language: Language,
  tree: Tree,
  settings: SourceSettings,
  { notices = [], scope, lines = new LineMap(text) }: { notices?: string[]; scope?: FactsScope; lines?: LineMap } = {},
): SourceFile {
  const { facts, syntax } = extractFacts(path, language, tree, text, { providers: settings.providers, settings }, lines, scope);
  return { path, text, language, tree, lines, facts, syntax, notices };
}

export function prepareBytes(path: string, bytes: Uint8Array, settings: SourceSettings): LoadResult {
  const decoded = decodeSource(bytes);
  if (!decoded.ok) return decoded;
  const notices = decoded.warning ? [decoded.warning] : [];
  return { ok: true, file: prepareSource(path, decoded.text, settings, notices) };
}
