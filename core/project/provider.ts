import type { Language } from '../syntax/language.js';
import type { SyntaxNode } from '../syntax/parser.js';
import type { CallFact, FunctionFact, ScopeInfo } from './facts.js';
import type { ProjectIndex } from './project-index.js';

/**
 * The facts-provider contract: how a family of rules adds knowledge to the facts pass without
 * editing the engine. A provider says
 *   - what it extracts per file (`extract`: plain JSON items, each tied to a function by `fn`, or
 *     to the file with fn -1), stored in `FileFacts.provided[id]` and sent to worker threads as is;
 *   - what it builds per project (`build`: once per project index, lazily, from every file's items
 *     and the generic index);
 *   - which calls its answers read at other files' call sites (`readsCallsTo`), besides calls of
 *     functions defined in the project (which every index answer may read).
 * From that the LSP server (and a cache, or a changed-files run) knows exactly when one file's
 * facts can change the project's answers: when its items, its functions, its macros or its calls of
 * project functions and of the names providers read change — and at no other edit.
 */
export interface ProvidedItem {
  /** Index of the function the item belongs to in its file's facts; -1: the file. */
  readonly fn: number;
}

/** What a provider sees of one file during the facts pass (syntax nodes are this process's only). */
export interface FileFactsInput<Settings = unknown> {
  readonly path: string;
  readonly language: Language;
  readonly text: string;
  readonly functions: readonly FunctionFact[];
  readonly functionNodes: readonly SyntaxNode[];
  readonly calls: readonly CallFact[];
  readonly callNodes: readonly SyntaxNode[];
  /** Parameters, locals and globals visible in a function (for keys that name the same thing across files). */
  scope(fn: number): ScopeInfo;
  /**
   * Only some functions of the file are extracted (the LSP server re-extracts edited functions):
   * file-level items (fn -1) must not be produced, the whole-file pass keeps them.
   */
  readonly partial: boolean;
  /** The file's analysis settings (configuration the provider may read). */
  readonly settings: Settings;
}

export interface FactsProvider<Item extends ProvidedItem = ProvidedItem, Project = unknown> {
  /** Key of the items in `FileFacts.provided`; unique among providers. */
  readonly id: string;
  extract(file: FileFactsInput): Item[];
  /** The project-level answers, built once per index from `itemsOf(index, this)`. */
  build(index: ProjectIndex): Project;
  /** Library calls whose sites anywhere in the project the answers read (e.g. a registration API). */
  readonly readsCallsTo?: readonly string[];
}

/** Every item of a provider in the index, with the facts piece it came from. */
export function* itemsOf<Item extends ProvidedItem>(index: ProjectIndex, provider: FactsProvider<Item>): Generator<{ item: Item; file: string; functions: readonly FunctionFact[] }> {
  for (const facts of index.files) {
    const items = facts.provided?.[provider.id] as Item[] | undefined;
    if (!items) continue;
    for (const item of items) yield { item, file: facts.path, functions: facts.functions };
  }
}

/** The items of a provider in one file's facts. */
export function fileItems<Item extends ProvidedItem>(facts: { readonly provided?: Readonly<Record<string, readonly ProvidedItem[]>> }, provider: FactsProvider<Item>): readonly Item[] {
  return (facts.provided?.[provider.id] as Item[] | undefined) ?? [];
}

/** The distinct providers of a set of rules (a provider shared by two rules runs once). */
export function providersOf(rules: readonly { readonly providers?: readonly FactsProvider[] }[]): FactsProvider[] {
  const byId = new Map<string, FactsProvider>();
  for (const rule of rules) for (const p of rule.providers ?? []) byId.set(p.id, p);
  return [...byId.values()];
}
