import type { ResolvedConfig } from '../core/config.js';
import type { Finding, SeveritySetting } from '../core/findings.js';
import { detectLanguage, type Language } from '../core/language.js';
import { parseText, type Tree } from '../core/parser.js';
import type { LineMap } from '../core/source.js';
import { settingsFor, type AnalysisSettings } from '../core/settings.js';
import { MAX_FILE_BYTES } from '../cli/file-jobs.js';
import type { ConfigStore } from './config-store.js';
import type { NativeMemory } from './native-memory.js';
import type { OpenDocument } from './documents.js';
import type { WorkspaceIndex } from './workspace-index.js';
import type { EditedSpan } from './unit-match.js';

/** A document parsed at one version, ready for the rules. */
export interface PreparedDocument {
  readonly doc: OpenDocument;
  readonly version: number;
  readonly text: string;
  readonly tree: Tree;
  readonly language: Language;
  readonly config: ResolvedConfig;
  readonly settings: AnalysisSettings;
  readonly parseMs: number;
  readonly lines: LineMap;
  /** The tree this one was re-parsed from, and what the edits in between covered. */
  readonly previous?: { readonly tree: Tree; readonly edited: EditedSpan | undefined };
}

export interface CheckedDocument {
  readonly findings: Finding[];
  readonly mode: 'full' | 'incremental';
  readonly unitsChecked: number;
  readonly matchedBy?: 'edit' | 'text';
  /** Milliseconds per phase (see AnalysisOutput.times). */
  readonly times?: Readonly<Record<string, number>>;
}

/**
 * The two phases of checking an open document, split so the scheduler can drop stale work in
 * between: `prepare` (incremental re-parse of the edited tree) and `check` (facts and rules for
 * what the edit can affect, see incremental.ts; the workspace index gets the live facts).
 */
export class DocumentChecker {
  private readonly settingsByConfig = new WeakMap<ResolvedConfig, AnalysisSettings>();

  constructor(
    private readonly configs: ConfigStore,
    private readonly workspace: WorkspaceIndex,
    /** Bumped when anything every check depends on changes (config, settings). */
    private readonly globalKey: () => string,
    private readonly memory: NativeMemory,
  ) {}

  private settingsOf(config: ResolvedConfig): AnalysisSettings {
    let settings = this.settingsByConfig.get(config);
    if (!settings) {
      settings = settingsFor(config);
      this.settingsByConfig.set(config, settings);
    }
    return settings;
  }

  /** undefined: the document is too large to analyse (as the CLI skips it). */
  prepare(doc: OpenDocument): PreparedDocument | undefined {
    const text = doc.text;
    if (text.length * 2 > MAX_FILE_BYTES) return undefined;
    const config = this.configs.forFile(doc.path);
    const settings = this.settingsOf(config);
    // A tree is only reusable with the grammar it came from (a .h can turn from C into C++).
    const language = detectLanguage(doc.path, text, settings.headerLanguage);
    const oldTree = doc.treeLanguage === language ? doc.tree : undefined;
    const started = performance.now();
    const tree = parseText(language, text, oldTree);
    const parseMs = performance.now() - started;
    this.memory.track(tree, text.length, oldTree ? 'reparsed' : 'fresh');
    const previous = oldTree ? { tree: oldTree, edited: doc.editedSpan } : undefined;
    // Keep the new tree right away: edits arriving from now on must be applied to it.
    doc.tree = tree;
    doc.treeLanguage = language;
    doc.editedSpan = undefined;
    return { doc, version: doc.version, text, tree, language, config, settings, parseMs, previous, lines: doc.lines };
  }

  check(prepared: PreparedDocument, overrides: Readonly<Record<string, SeveritySetting>>): CheckedDocument {
    const { doc } = prepared;
    const result = doc.analysis.analyze({
      path: doc.path,
      text: prepared.text,
      tree: prepared.tree,
      language: prepared.language,
      config: prepared.config,
      settings: prepared.settings,
      overrides,
      previous: prepared.previous,
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
}
