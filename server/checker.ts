import type { BuildConfiguration, ResolvedConfig } from '../core/engine/config.js';
import type { CompileDatabases } from '../core/engine/compile-commands.js';
import type { Finding, SeveritySetting } from '../core/engine/findings.js';
import { detectLanguage, type Language } from '../core/syntax/language.js';
import { parseText, type Tree } from '../core/syntax/parser.js';
import type { LineMap } from '../core/syntax/source-text.js';
import type { AnalysisSettings } from '../core/engine/settings.js';
import type { Analyzer } from '../core/engine/analyzer.js';
import { MAX_FILE_BYTES } from '../core/engine/limits.js';
import { textLimitProblem } from '../core/syntax/text-limits.js';
import { decodeText } from '../core/syntax/source-text.js';
import type { ConfigStore } from './config-store.js';
import type { NativeMemory } from './native-memory.js';
import type { OpenDocument } from './documents.js';
import type { WorkspaceIndex } from './workspace-index.js';
import type Parser from 'tree-sitter';
import type { AnalysisInput, AnalysisOutput } from './incremental.js';

/** A document at one version, ready to check (its tree is parsed during the check, as far as needed). */
export interface PreparedDocument {
  readonly doc: OpenDocument;
  readonly version: number;
  readonly text: string;
  readonly language: Language;
  readonly config: ResolvedConfig;
  readonly settings: AnalysisSettings;
  /** The document's -D / -U from its config's compile database. */
  readonly fileConfiguration?: BuildConfiguration;
  readonly lines: LineMap;
}

export interface CheckedDocument {
  readonly findings: Finding[];
  readonly mode: 'full' | 'incremental';
  readonly unitsChecked: number;
  readonly matchedBy?: 'edit' | 'text';
  /** Only the edited function was parsed (see IncrementalAnalyzer). */
  readonly unitParsed?: boolean;
  /** Milliseconds per phase (see AnalysisOutput.times; `parse` included). */
  readonly times?: Readonly<Record<string, number>>;
}

/**
 * The two phases of checking an open document, split so the scheduler can drop stale work in
 * between: `prepare` (what the document's configuration and language are) and `check` (parsing
 * what the analysis needs — the edited function alone, or the document incrementally — then facts
 * and rules for what the edit can affect, see incremental.ts; the workspace index gets the live facts).
 */
export class DocumentChecker {
  constructor(
    private readonly analyzer: Analyzer,
    private readonly configs: ConfigStore,
    private readonly workspace: WorkspaceIndex,
    /** Bumped when anything every check depends on changes (config, settings). */
    private readonly globalKey: () => string,
    private readonly memory: NativeMemory,
    /** Compile databases named by configs (re-read when they change on disk). */
    private readonly compileCommands: CompileDatabases,
  ) {}

  /** undefined: the document is too large to analyse (as the CLI skips it). */
  prepare(doc: OpenDocument): PreparedDocument | undefined {
    const text = doc.text;
    // As the CLI: a document with a NUL is binary, one over a limit is not analysed.
    if (text.length * 2 > MAX_FILE_BYTES || !decodeText(text).ok || textLimitProblem(text)) return undefined;
    const config = this.configs.forFile(doc.path);
    const fileConfiguration = this.analyzer.fileConfiguration(doc.path, this.compileCommands.fileConfiguration(doc.path, config));
    const settings = this.analyzer.sourceSettingsFor(config, fileConfiguration);
    // A tree is only reusable with the grammar it came from (a .h can turn from C into C++).
    const language = detectLanguage(doc.path, text, settings.headerLanguage);
    return { doc, version: doc.version, text, language, config, settings, fileConfiguration, lines: doc.lines };
  }

  check(prepared: PreparedDocument, overrides: Readonly<Record<string, SeveritySetting>>): CheckedDocument {
    const { doc, text, language } = prepared;
    const oldTree = doc.treeLanguage === language ? doc.tree : undefined;
    // The edits since the last analysis: this one takes them all (it runs to the end in this turn).
    const edited = doc.editedSpan;
    doc.editedSpan = undefined;
    const parseDocument = (): Tree => this.parseDocument(doc, text, language, oldTree);
    // The document tree stays as it is (edited, not re-parsed): the next parse of either kind re-uses it.
    const parseUnit = oldTree
      ? (range: Parser.Range): Tree => {
          const tree = parseText(language, text, oldTree, [range]);
          this.memory.track(tree, range.endIndex - range.startIndex, 'reparsed');
          return tree;
        }
      : undefined;
    const result = this.analyzeOrReset(doc, {
      path: doc.path,
      text,
      tree: parseDocument,
      parseUnit,
      language,
      config: prepared.config,
      settings: prepared.settings,
      fileConfiguration: prepared.fileConfiguration,
      analyzer: this.analyzer,
      overrides,
      previous: oldTree ? { tree: oldTree, edited } : undefined,
      lines: prepared.lines,
      contextKey: `${this.globalKey()}|${JSON.stringify(overrides)}|${this.workspace.contextFor(doc.path)}`,
      indexWith: (facts) => {
        this.workspace.setOpen(doc.path, facts);
        return this.workspace.index();
      },
    });
    this.workspace.setOpen(doc.path, result.facts);
    return result;
  }

  /** An analysis that fails half-way leaves state that no longer matches the text (and the edits since are taken): the next one starts over. */
  private analyzeOrReset(doc: OpenDocument, input: AnalysisInput): AnalysisOutput {
    try {
      return doc.analysis.analyze(input);
    } catch (error) {
      doc.analysis.release();
      throw error;
    }
  }

  private parseDocument(doc: OpenDocument, text: string, language: Language, oldTree: Tree | undefined): Tree {
    const tree = parseText(language, text, oldTree);
    this.memory.track(tree, text.length, oldTree ? 'reparsed' : 'fresh');
    // Edits from now on are applied to this tree.
    doc.tree = tree;
    doc.treeLanguage = language;
    return tree;
  }

  /**
   * Re-parses the document tree after analyses that parsed one function alone (so its unchanged
   * nodes stay re-usable as edits pile up), when no edit is waiting for analysis. Tells whether the
   * whole tree agrees with what those analyses assumed: the same functions, the same text outside
   * them. If not, the analysis state is dropped and the document must be checked again.
   */
  refreshTree(doc: OpenDocument): 'unchanged' | 'consistent' | 'inconsistent' {
    const oldTree = doc.tree;
    const language = doc.treeLanguage;
    if (doc.analysis.unitParsesSinceTreeParse === 0 || doc.editedSpan !== undefined || !oldTree || !language) return 'unchanged';
    const text = doc.text;
    const tree = this.parseDocument(doc, text, language, oldTree);
    return doc.analysis.documentReparsed(tree, text) ? 'consistent' : 'inconsistent';
  }
}
