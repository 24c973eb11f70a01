import { checkFile } from '../core/analyze.js';
import type { ResolvedConfig } from '../core/config.js';
import type { Finding, SeveritySetting } from '../core/findings.js';
import { detectLanguage } from '../core/language.js';
import { settingsFor, type AnalysisSettings } from '../core/settings.js';
import { prepareSource, type SourceFile } from '../core/source-file.js';
import { ALL_RULES } from '../rules/index.js';
import { MAX_FILE_BYTES } from '../cli/file-jobs.js';
import type { ConfigStore } from './config-store.js';
import type { OpenDocument } from './documents.js';
import type { WorkspaceIndex } from './workspace-index.js';

/** A document parsed at one version, ready for the rules. */
export interface PreparedDocument {
  readonly version: number;
  readonly file: SourceFile;
  readonly config: ResolvedConfig;
  readonly settings: AnalysisSettings;
}

/**
 * The two phases of checking an open document, split so the scheduler can drop stale work in
 * between: `prepare` (incremental re-parse, facts; updates the workspace index with the live
 * facts) and `check` (rules against the project index).
 */
export class DocumentChecker {
  private readonly settingsByConfig = new WeakMap<ResolvedConfig, AnalysisSettings>();

  constructor(
    private readonly configs: ConfigStore,
    private readonly workspace: WorkspaceIndex,
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
    doc.takeTouched();
    const file = prepareSource(doc.path, text, settings, [], oldTree);
    // Keep the new tree right away: edits arriving from now on must be applied to it.
    doc.tree = file.tree;
    doc.treeLanguage = file.language;
    this.workspace.setOpen(doc.path, file.facts);
    return { version: doc.version, file, config, settings };
  }

  check(prepared: PreparedDocument, overrides: Readonly<Record<string, SeveritySetting>>): Finding[] {
    return checkFile(prepared.file, this.workspace.index(), prepared.settings, { rules: ALL_RULES, config: prepared.config, overrides });
  }
}
