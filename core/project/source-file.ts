import { textLimitProblem } from '../syntax/text-limits.js';
import { decodeSource, decodeText, LineMap, type DecodedSource } from '../syntax/source-text.js';
import { detectLanguage, type Language } from '../syntax/language.js';
import { parseText, type Tree } from '../syntax/parser.js';
import type { PreprocessorConfiguration } from '../syntax/conditionals.js';
import { recoverText, type AssumedGroup } from '../syntax/recovery.js';
import { extractFacts, type FactsScope, type FileFacts, type FileSyntax } from './facts.js';
import type { FactsProvider } from './provider.js';
import { bsdConfiguration, hasBsdVariant } from './platforms.js';

/** What parsing and the facts pass read of the settings (the engine's AnalysisSettings has more). */
export interface SourceSettings {
  readonly headerLanguage: 'auto' | Language;
  readonly providers: readonly FactsProvider[];
  /** The build's `-D`/`-U` (configuration file, compile database): which branch a recovered copy keeps. */
  readonly configuration?: PreprocessorConfiguration;
}

/** How a file's text was made parseable (see core/syntax/recovery.ts). */
export interface Recovery {
  /** Regions resolved to one configuration: functions with errors and file-level error regions. */
  readonly regions: readonly (readonly [number, number])[];
  readonly rewrites: number;
  readonly functionsRecovered: number;
  /** Groups whose branch a feature assumption chose (`HAVE_IOCTL` taken as defined): see otherConfiguration. */
  readonly assumed: readonly AssumedGroup[];
  /** Set on the other configuration's copy: the features are taken as not defined there. */
  readonly featuresUndefined?: boolean;
  /** The file's own text (what the user sees: paths name a block macro as written, not its `while`). */
  readonly originalText: string;
}

/** A parsed file with its facts: what the check pass and the LSP server work from. */
export interface SourceFile {
  readonly path: string;
  /**
   * The text analysed: the file's, or its configuration-resolved copy (same offsets and lines,
   * some directive lines and branches blanked, see `recovery`).
   */
  readonly text: string;
  readonly language: Language;
  readonly tree: Tree;
  readonly lines: LineMap;
  readonly facts: FileFacts;
  readonly syntax: FileSyntax;
  /** Things worth telling the user that are not findings (encoding fallbacks, syntax errors). */
  readonly notices: readonly string[];
  /** Set when the text is a configuration-resolved copy of the file's. */
  readonly recovery?: Recovery;
  /** The file as a BSD or macOS build sees it, when it holds kqueue code (see core/project/platforms.ts). */
  readonly bsd?: SourceFile;
}

export type LoadResult = { ok: true; file: SourceFile } | { ok: false; reason: string };

/** `oldTree`: the previous tree of this text, already `edit()`ed to match it, for an incremental re-parse (LSP). */
export function prepareSource(path: string, text: string, settings: SourceSettings, notices: string[] = [], oldTree?: Tree): SourceFile {
  const language = detectLanguage(path, text, settings.headerLanguage);
  const tree = parseText(language, text, oldTree);
  return sourceFromDocumentTree(path, text, language, tree, settings, { notices, ownsTree: true });
}

/**
 * A whole file's facts from its tree, through the configuration-resolved copy of its text when the
 * tree has errors a copy repairs (see core/syntax/recovery.ts; `recovery` is then set).
 */
export function sourceFromDocumentTree(
  path: string,
  text: string,
  language: Language,
  tree: Tree,
  settings: SourceSettings,
  /** `ownsTree`: the tree may be edited into the copy's (the caller keeps no use of it). */
  { notices = [], lines, ownsTree = false }: { notices?: string[]; lines?: LineMap; ownsTree?: boolean } = {},
): SourceFile {
  const file = platformSource(path, text, language, tree, settings, { notices, lines, ownsTree });
  if (!hasBsdVariant(text, language, settings.configuration)) return file;
  const bsd = platformSource(path, text, language, parseText(language, text), { ...settings, configuration: bsdConfiguration(settings.configuration) }, { lines: file.lines, ownsTree: true });
  return { ...file, facts: { ...file.facts, bsd: bsd.facts }, bsd };
}

/** The file as the platform of `settings.configuration` sees it. */
function platformSource(
  path: string,
  text: string,
  language: Language,
  tree: Tree,
  settings: SourceSettings,
  { notices = [], lines, ownsTree = false }: { notices?: string[]; lines?: LineMap; ownsTree?: boolean },
): SourceFile {
  const recovered = recoverText(language, text, tree, settings.configuration, ownsTree);
  // A copy tried and not kept has edited the tree into its own: parsed again from the text (only
  // the edited stretches are re-read), or nodes in them would carry the copy's positions.
  const own = !recovered && tree.rootNode.hasChanges ? parseText(language, text, tree) : tree;
  const parsed = recovered?.tree ?? own;
  if (parsed.rootNode.hasError) notices.push('contains syntax errors (or code the grammar does not know); those regions are skipped');
  if (!recovered) return sourceFromTree(path, text, language, own, settings, { notices, lines });
  const { text: resolved, tree: resolvedTree, ...recovery } = recovered;
  // The copy has the text's line starts (only characters other than line breaks are blanked).
  return { ...sourceFromTree(path, resolved, language, resolvedTree, settings, { notices, lines }), recovery: { ...recovery, originalText: text } };
}

/**
 * The file in the other configuration, where its copy assumed features (`#ifdef HAVE_IOCTL` kept
 * as defined): a copy of its text in which those features are not defined. Undefined when no
 * feature decided a branch, or the other copy parses no better than the text or reads the same.
 */
export function otherConfiguration(file: SourceFile, settings: SourceSettings): SourceFile | undefined {
  const recovery = file.recovery;
  if (!recovery || recovery.assumed.length === 0 || recovery.featuresUndefined) return undefined;
  const text = recovery.originalText;
  const other = recoverText(file.language, text, parseText(file.language, text), settings.configuration, true, 'undefined');
  if (!other || other.text === file.text) return undefined;
  const { text: resolved, tree, ...rest } = other;
  return { ...sourceFromTree(file.path, resolved, file.language, tree, settings, { lines: file.lines }), recovery: { ...rest, originalText: text, featuresUndefined: true } };
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
  const { facts, syntax } = extractFacts(path, language, tree, text, { providers: settings.providers, settings, configuration: settings.configuration }, lines, scope);
  return { path, text, language, tree, lines, facts, syntax, notices };
}

export function prepareBytes(path: string, bytes: Uint8Array, settings: SourceSettings): LoadResult {
  return prepareDecoded(path, decodeSource(bytes), settings);
}

/** Text already decoded (standard input), read as a file's bytes would be (see decodeText). */
export function prepareText(path: string, text: string, settings: SourceSettings): LoadResult {
  return prepareDecoded(path, decodeText(text), settings);
}

function prepareDecoded(path: string, decoded: DecodedSource, settings: SourceSettings): LoadResult {
  if (!decoded.ok) return decoded;
  const overLimit = textLimitProblem(decoded.text);
  if (overLimit) return { ok: false, reason: overLimit };
  const notices = decoded.warning ? [decoded.warning] : [];
  return { ok: true, file: prepareSource(path, decoded.text, settings, notices) };
}
