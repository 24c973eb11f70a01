import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  FileChangeType,
  LSPErrorCodes,
  MessageType,
  ResponseError,
  ShowMessageNotification,
  TextDocumentSyncKind,
  WatchKind,
  type ClientCapabilities,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_FILE_NAMES } from '../core/engine/config.js';
import type { Finding } from '../core/engine/findings.js';
import { isSourcePath, SOURCE_EXTENSIONS } from '../core/syntax/language.js';
import { packageRoot } from '../core/util/package-root.js';
import { DocumentChecker } from './checker.js';
import { BackgroundCheck } from './background-check.js';
import { FallbackWatcher } from './file-watcher.js';
import { codeActionsFor, FIX_ALL_KIND } from './code-actions.js';
import { ConfigStore, type ConfigLoadEvent } from './config-store.js';
import { toDiagnostic } from './diagnostics.js';
import { OpenDocument } from './documents.js';
import { changeProblem, documentRequestProblem, openProblem } from './params.js';
import { hoverFor } from './hover.js';
import { locatePointer } from './json-locate.js';
import { NativeMemory } from './native-memory.js';
import { CompileDatabases } from '../core/engine/compile-commands.js';
import { DEFAULT_SETTINGS, parseClientSettings, type ClientSettings } from './settings.js';
import { pathToUri, uriToPath } from './uri.js';
import { WorkspaceIndex } from './workspace-index.js';
import { Analyzer } from '../core/engine/analyzer.js';
import { ALL_RULES } from '../rules/index.js';

/** Languages connlint analyses (VS Code ids; Neovim and eglot use c/cpp too). */
const LANGUAGE_IDS = new Set(['c', 'cpp', 'cuda-cpp', 'objective-c', 'objective-cpp']);

/** Re-checks of every open document after a project-wide change (index, config) wait this long for more. */
const BROADCAST_DELAY_MS = 50;

/**
 * After checks that parsed the edited function alone (see IncrementalAnalyzer), the document tree
 * is re-parsed once typing pauses this long, or right after this many such checks in a row: the
 * edits pile up in it meanwhile, and every piled-up edit inside a function is a part of it a
 * single-function parse cannot re-use (on memcached.c, 0.39 ms per parse after 100 bench edits,
 * 0.51 ms after 600; a document parse takes 4 ms).
 */
const TREE_REFRESH_IDLE_MS = 200;
const TREE_REFRESH_AFTER = 128;

/** Runs `run` after `delay` ms; with no delay, right after the messages already received (a timer of 0 would wait a millisecond). */
function later(delay: number, run: () => void): { cancel(): void } {
  if (delay <= 0) {
    const immediate = setImmediate(run);
    return { cancel: () => clearImmediate(immediate) };
  }
  const timer = setTimeout(run, delay);
  return { cancel: () => clearTimeout(timer) };
}

interface CheckResult {
  readonly key: string;
  readonly version: number;
  readonly findings: Finding[];
  readonly diagnostics: Diagnostic[];
}

interface DocState {
  readonly doc: OpenDocument;
  /** A scheduled check not started yet. */
  pending?: { cancel(): void };
  /** A check started and not finished (it yields once, between preparing and checking). */
  checking: boolean;
  result?: CheckResult;
  closed: boolean;
  /** When the last change arrived (performance.now()), for the trace's latency. */
  lastChange: number;
  /** A scheduled re-parse of the document tree (see TREE_REFRESH_IDLE_MS). */
  treeRefresh?: { cancel(): void };
  /** How many times it was saved (a large document is checked again after each save). */
  saves: number;
  /** Over connlint.largeDocumentBytes: checked in the background when opened and saved, not as typed. */
  large?: LargeState;
}

interface LargeState {
  /** The check running, and the key (saves, config, settings) it checks. */
  background?: BackgroundCheck;
  key?: string;
}

interface Capabilities {
  readonly pullDiagnostics: boolean;
  readonly diagnosticRefresh: boolean;
  readonly configuration: boolean;
  readonly dynamicConfiguration: boolean;
  readonly dynamicWatchers: boolean;
  readonly relatedInformation: boolean;
  readonly versionedEdits: boolean;
}

function capabilitiesOf(c: ClientCapabilities): Capabilities {
  return {
    pullDiagnostics: c.textDocument?.diagnostic !== undefined,
    diagnosticRefresh: c.workspace?.diagnostics?.refreshSupport === true,
    configuration: c.workspace?.configuration === true,
    dynamicConfiguration: c.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    dynamicWatchers: c.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    relatedInformation: c.textDocument?.publishDiagnostics?.relatedInformation === true,
    versionedEdits: c.workspace?.workspaceEdit?.documentChanges === true,
  };
}

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * connlint's language server: live diagnostics for open C/C++ documents, checked against a facts
 * index of the whole workspace; quick fixes, hover docs, connlint.json reloading.
 */
export class ConnlintServer {
  private readonly docs = new Map<string, DocState>();
  private readonly configs: ConfigStore;
  private readonly workspace: WorkspaceIndex;
  private readonly checker: DocumentChecker;
  private readonly memory = new NativeMemory();
  /** The rule set and engine every check runs through, as in the CLI. */
  private readonly analyzer = new Analyzer(ALL_RULES);
  private fallbackWatcher: FallbackWatcher | undefined;
  private caps: Capabilities = capabilitiesOf({});
  private folders: string[] = [];
  private settings: ClientSettings = DEFAULT_SETTINGS;
  private settingsGeneration = 0;
  private pushedSettings: unknown;
  private indexBuild: { cancelled: boolean } | undefined;
  private broadcastTimer: NodeJS.Timeout | undefined;
  private shuttingDown = false;
  private readonly compileDatabases = new CompileDatabases('/', undefined, (path, message) => this.onCompileDatabaseError(path, message));
  /** Config files with a published error diagnostic (cleared once they load again). */
  private readonly brokenConfigs = new Set<string>();

  constructor(private readonly connection: Connection) {
    this.configs = new ConfigStore((event) => this.onConfigLoad(event));
    this.workspace = new WorkspaceIndex(this.analyzer, this.configs, (m) => this.connection.console.warn(m), this.memory, this.compileDatabases);
    this.workspace.onBackgroundRead = () => this.recheckAll(BROADCAST_DELAY_MS);
    this.checker = new DocumentChecker(this.analyzer, this.configs, this.workspace, () => `${this.configs.generation}:${this.settingsGeneration}`, this.memory, this.compileDatabases);
  }

  /** A compile database a config names that cannot be read (said once per message by CompileDatabases): documents are checked without it. */
  private onCompileDatabaseError(path: string, message: string): void {
    void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `connlint: compile database ${message}; #if branches are analysed without it` });
  }

  /** Whether the client asked for shutdown (an exit after it is a clean one). */
  get shutdownRequested(): boolean {
    return this.shuttingDown;
  }

  listen(): void {
    const c = this.connection;
    c.onInitialize((params) => this.initialize(params));
    c.onInitialized(() => this.guard('initialized', () => this.initialized()));
    c.onDidOpenTextDocument((p) => this.guard('didOpen', () => this.valid('didOpen', openProblem(p)) && this.open(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text)));
    c.onDidChangeTextDocument((p) =>
      this.guard('didChange', () => {
        if (!this.valid('didChange', changeProblem(p))) return;
        const state = this.docs.get(p.textDocument.uri);
        if (!state) return;
        state.doc.applyChanges(p.contentChanges, p.textDocument.version);
        // A large document is checked when saved, not as it is typed.
        if (this.largeDocument(state)) return;
        // Debounce bursts only: a change that finds the document's last check done is checked
        // right away (still after the messages already received, which it coalesces); changes
        // that arrive faster than checks finish (one scheduled or running) wait until the typing
        // pauses for debounceMs. How long ago the previous change came does not matter: an idle
        // server has nothing to save by waiting.
        const inBurst = state.pending !== undefined || state.checking;
        state.lastChange = performance.now();
        this.schedule(state, inBurst ? this.settings.debounceMs : 0);
      }),
    );
    c.onDidSaveTextDocument((p) => this.guard('didSave', () => this.valid('didSave', documentRequestProblem(p)) && this.saved(p.textDocument.uri)));
    c.onDidCloseTextDocument((p) => this.guard('didClose', () => this.valid('didClose', documentRequestProblem(p)) && this.close(p.textDocument.uri)));
    c.onDidChangeConfiguration((p) =>
      this.guard('didChangeConfiguration', async () => {
        this.pushedSettings = (p.settings as Record<string, unknown> | null | undefined)?.['connlint'];
        await this.loadSettings();
      }),
    );
    c.onDidChangeWatchedFiles((p) => this.guard('didChangeWatchedFiles', () => this.watchedFilesChanged(p.changes)));
    c.onCodeAction((p) =>
      this.guardRequest('codeAction', [], () => {
        invalidParams(documentRequestProblem(p, 'range'));
        const state = this.docs.get(p.textDocument.uri);
        if (!state || !this.settings.enable) return [];
        const result = this.current(state);
        if (!result) return [];
        const byFingerprint = new Map(result.findings.map((f, i) => [f.fingerprint, result.diagnostics[i]!]));
        return codeActionsFor(
          { uri: state.doc.uri, version: state.doc.version, text: state.doc.text, findings: result.findings, diagnosticOf: (f) => byFingerprint.get(f.fingerprint)!, versionedEdits: this.caps.versionedEdits },
          p,
        );
      }),
    );
    c.onHover((p) =>
      this.guardRequest('hover', null, () => {
        invalidParams(documentRequestProblem(p, 'position'));
        const state = this.docs.get(p.textDocument.uri);
        if (!state || !this.settings.enable) return null;
        const result = this.current(state);
        return result ? hoverFor(result.findings, p.position) : null;
      }),
    );
    c.languages.diagnostics.on((p, token) =>
      this.guardRequest<DocumentDiagnosticReport>('textDocument/diagnostic', { kind: DocumentDiagnosticReportKind.Full, items: [] }, () => {
        if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.ServerCancelled, 'cancelled', { retriggerRequest: true });
        invalidParams(documentRequestProblem(p));
        const state = this.docs.get(p.textDocument.uri);
        if (!state || !this.settings.enable) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
        const result = this.current(state);
        if (!result) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
        if (p.previousResultId === result.key) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: result.key };
        return { kind: DocumentDiagnosticReportKind.Full, resultId: result.key, items: result.diagnostics };
      }),
    );
    c.onShutdown(() => {
      // After shutdown only `exit` is expected (the library answers other requests with an error).
      this.shuttingDown = true;
      if (this.indexBuild) this.indexBuild.cancelled = true;
      if (this.broadcastTimer) clearTimeout(this.broadcastTimer);
      this.fallbackWatcher?.dispose();
      this.workspace.stopBackgroundReads();
      for (const state of this.docs.values()) this.dispose(state);
    });
    c.listen();
  }

  private initialize(params: InitializeParams): InitializeResult {
    this.caps = capabilitiesOf(params.capabilities);
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : params.rootPath ? [pathToUri(params.rootPath)] : []);
    this.folders = folders.filter((u) => u.startsWith('file:')).map(uriToPath);
    // Clients without workspace/configuration (or before it answers) may pass settings here.
    const init = params.initializationOptions as Record<string, unknown> | undefined;
    if (init && typeof init === 'object') {
      this.pushedSettings = init['connlint'] ?? init;
      this.settings = parseClientSettings(this.pushedSettings, (m) => this.connection.console.warn(m));
      this.workspace.largeFileBytes = this.settings.largeDocumentBytes;
    }
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
        ...(this.caps.pullDiagnostics ? { diagnosticProvider: { identifier: 'connlint', interFileDependencies: true, workspaceDiagnostics: false } } : {}),
        workspace: { workspaceFolders: { supported: true } },
      },
      serverInfo: { name: 'connlint', version: version() },
    };
  }

  private async initialized(): Promise<void> {
    if (this.caps.dynamicConfiguration) await this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'connlint' });
    if (this.caps.dynamicWatchers) {
      const all = WatchKind.Create | WatchKind.Change | WatchKind.Delete;
      const sources = `**/*.{${SOURCE_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`;
      await this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [...CONFIG_FILE_NAMES.map((name) => ({ globPattern: `**/${name}`, kind: all })), { globPattern: sources, kind: all }],
      });
    } else if (this.folders.length > 0) {
      // The client cannot watch files for us (Neovim 0.7, eglot): watch the folders ourselves.
      this.fallbackWatcher = new FallbackWatcher(this.folders, (changes) => this.guard('fileWatcher', () => this.watchedFilesChanged(changes)), (m) => this.connection.console.warn(m));
    }
    await this.loadSettings();
    void this.buildIndex();
  }

  /** Indexes the workspace in the background, with work-done progress; re-checks open documents when done. */
  private async buildIndex(): Promise<void> {
    if (this.indexBuild) this.indexBuild.cancelled = true;
    const build = { cancelled: false };
    this.indexBuild = build;
    if (this.folders.length === 0) {
      this.workspace.complete = true;
      return;
    }
    const progress = await this.connection.window.createWorkDoneProgress();
    progress.begin('connlint: indexing', 0, 'looking for C/C++ files', false);
    const started = performance.now();
    try {
      let lastPercent = -1;
      const count = await this.workspace.build(this.folders, {
        get cancelled() {
          return build.cancelled;
        },
        report: (done, total) => {
          const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
          if (percent !== lastPercent) progress.report(percent, `${done}/${total} files`);
          lastPercent = percent;
        },
      });
      if (build.cancelled) return;
      this.connection.console.info(`connlint: indexed ${count} files in ${Math.round(performance.now() - started)} ms`);
    } finally {
      progress.done();
      if (this.indexBuild === build) this.indexBuild = undefined;
    }
    this.recheckAll(0);
  }

  private async loadSettings(): Promise<void> {
    let raw: unknown = this.pushedSettings;
    if (this.caps.configuration) {
      try {
        raw = (await this.connection.workspace.getConfiguration('connlint')) ?? this.pushedSettings;
      } catch (error) {
        this.connection.console.warn(`connlint: workspace/configuration failed: ${(error as Error).message}`);
      }
    }
    const next = parseClientSettings(raw, (m) => this.connection.console.warn(`connlint: ${m}`));
    if (JSON.stringify(next) === JSON.stringify(this.settings) && this.settingsGeneration > 0) return;
    this.settings = next;
    this.settingsGeneration++;
    this.workspace.largeFileBytes = next.largeDocumentBytes;
    // The size limit may have moved: documents cross it either way.
    for (const state of this.docs.values()) this.largeDocument(state);
    if (!next.enable) {
      for (const state of this.docs.values()) {
        state.pending?.cancel();
        state.pending = undefined;
        state.result = undefined;
        this.connection.sendDiagnostics({ uri: state.doc.uri, version: state.doc.version, diagnostics: [] });
      }
      return;
    }
    this.recheckAll(0);
  }

  private open(uri: string, languageId: string, version: number, text: string): void {
    const path = uriToPath(uri);
    if (!LANGUAGE_IDS.has(languageId) && !isSourcePath(path)) return;
    const existing = this.docs.get(uri);
    if (existing) this.dispose(existing);
    const state: DocState = { doc: new OpenDocument(uri, path, languageId, version, text), closed: false, checking: false, lastChange: 0, saves: 0 };
    this.docs.set(uri, state);
    this.largeDocument(state);
    this.schedule(state, 0);
  }

  private saved(uri: string): void {
    const state = this.docs.get(uri);
    if (!state) return;
    state.saves++;
    if (state.large) {
      // Checked again; its facts are the saved file's, from that check (see checkInBackground).
      this.schedule(state, 0);
      return;
    }
    // Its facts must be those of the saved text before the others are re-checked against them
    // (a check of the last edit may have been dropped as stale when the save arrived).
    this.current(state);
    // The saved text is what other files now see: re-check them (their results depend on it).
    this.workspace.touch();
    this.recheckAll(BROADCAST_DELAY_MS);
  }

  private close(uri: string): void {
    const state = this.docs.get(uri);
    if (!state) return;
    this.docs.delete(uri);
    this.dispose(state);
    this.workspace.closeOpen(state.doc.path);
    // Unsaved edits are gone: the disk version is what the project has again, for every file.
    this.workspace.readFile(state.doc.path);
    this.connection.sendDiagnostics({ uri, diagnostics: [] });
    // Its trees are unreachable now; have them freed rather than wait for V8 to notice.
    this.memory.collectSoon();
    if (this.docs.size > 0) this.recheckAll(BROADCAST_DELAY_MS);
  }

  /** Stops pending work and frees the document's tree (its native memory goes with it). */
  private dispose(state: DocState): void {
    state.closed = true;
    state.pending?.cancel();
    state.pending = undefined;
    state.treeRefresh?.cancel();
    state.treeRefresh = undefined;
    state.large?.background?.cancel();
    state.large = undefined;
    state.result = undefined;
    state.doc.release();
  }

  private watchedFilesChanged(changes: readonly { uri: string; type: FileChangeType }[]): void {
    let configChanged = false;
    let sourcesChanged = false;
    for (const change of changes) {
      if (!change.uri.startsWith('file:')) continue;
      const path = uriToPath(change.uri);
      if ((CONFIG_FILE_NAMES as readonly string[]).includes(basename(path))) {
        this.configs.invalidate(path);
        configChanged = true;
      } else if (isSourcePath(path)) {
        const open = [...this.docs.values()].some((s) => s.doc.path === path);
        if (change.type === FileChangeType.Deleted) this.workspace.forget(path);
        else if (!open) this.workspace.readFile(path);
        sourcesChanged = true;
      }
    }
    // Config options change facts (accept wrappers, header language): re-index in the background.
    if (configChanged) void this.buildIndex();
    if (configChanged || sourcesChanged) this.recheckAll(configChanged ? 0 : BROADCAST_DELAY_MS);
  }

  private onConfigLoad(event: ConfigLoadEvent): void {
    const uri = pathToUri(event.file);
    if (event.ok) {
      if (this.brokenConfigs.delete(event.file)) this.connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    const { error, text } = event;
    const fallback = event.keptLastGood ? 'the last valid configuration stays in force' : 'using the default configuration until it is fixed';
    // A notification (window/showMessage), not showMessageRequest: there is nothing to answer.
    void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: `connlint: invalid configuration ${error.message} (${fallback})` });
    let range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    if (text !== undefined) {
      const doc = TextDocument.create(uri, 'json', 0, text);
      if (error.position) {
        const start = { line: error.position.line - 1, character: error.position.column - 1 };
        range = { start, end: { line: start.line, character: start.character + 1 } };
      } else {
        const unknownMember = /^unknown (?:rule|property) '(.+)'$/.exec(error.detail)?.[1];
        const span = locatePointer(text, error.pointer, unknownMember);
        range = { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
      }
    }
    this.brokenConfigs.add(event.file);
    this.connection.sendDiagnostics({
      uri,
      diagnostics: [{ range, severity: 1, source: 'connlint', code: 'invalid-config', message: `${error.pointer && error.pointer !== '/' ? `${error.pointer}: ` : ''}${error.detail}` }],
    });
  }

  /** The cache key of a result: any of these changing makes it stale. */
  private resultKey(state: DocState): string {
    return `${state.doc.version}:${this.configs.generation}:${this.workspace.generation}:${this.settingsGeneration}`;
  }

  private schedule(state: DocState, delay: number): void {
    if (state.closed || this.shuttingDown || !this.settings.enable) return;
    if (state.large) {
      this.checkInBackground(state, state.large);
      return;
    }
    state.pending?.cancel();
    state.pending = later(delay, () => {
      state.pending = undefined;
      void this.guard('check', () => this.runCheck(state));
    });
  }

  private recheckAll(delay: number): void {
    if (this.broadcastTimer) clearTimeout(this.broadcastTimer);
    this.broadcastTimer = setTimeout(() => {
      this.broadcastTimer = undefined;
      for (const state of this.docs.values()) this.schedule(state, 0);
      if (this.caps.pullDiagnostics && this.caps.diagnosticRefresh) void this.connection.languages.diagnostics.refresh();
    }, delay);
  }

  /**
   * A check in two phases with a turn of the event loop in between: if a newer version (or any
   * other change) arrived meanwhile, this run is stale and stops; the newer one is already scheduled.
   */
  private async runCheck(state: DocState): Promise<void> {
    const key = this.resultKey(state);
    if (state.result?.key === key) return;
    const started = performance.now();
    state.checking = true;
    try {
      const prepared = this.checker.prepare(state.doc);
      await nextTurn();
      if (state.closed || this.shuttingDown || this.resultKey(state) !== key || state.result?.key === key) return;
      const checked = prepared ? this.checker.check(prepared, this.settings.rules) : undefined;
      const result = this.finish(state, key, checked?.findings ?? []);
      if (this.settings.trace === 'verbose') {
        const phases = checked ? Object.entries(checked.times ?? {}).map(([phase, ms]) => `${phase} ${ms.toFixed(1)}`) : [];
        const how = checked ? `${checked.mode}${checked.matchedBy ? ` (by ${checked.matchedBy}${checked.unitParsed ? ', function parsed alone' : ''})` : ''}, ${checked.unitsChecked} functions analysed; ${phases.join(', ')} ms` : 'too large, skipped';
        const now = performance.now();
        this.connection.console.log(`connlint: checked ${state.doc.path} v${result.version} in ${(now - started).toFixed(1)} ms (${how}), published ${(now - state.lastChange).toFixed(1)} ms after the change: ${result.findings.length} findings`);
      }
      if (checked?.unitParsed) this.scheduleTreeRefresh(state);
    } finally {
      state.checking = false;
    }
  }

  private scheduleTreeRefresh(state: DocState): void {
    state.treeRefresh?.cancel();
    state.treeRefresh = later(state.doc.analysis.unitParsesSinceTreeParse >= TREE_REFRESH_AFTER ? 0 : TREE_REFRESH_IDLE_MS, () => {
      state.treeRefresh = undefined;
      void this.guard('re-parse', () => this.refreshTree(state));
    });
  }

  /** Re-parses the document tree if no check is due (one will re-parse or re-use it); re-checks if the tree disagrees. */
  private refreshTree(state: DocState): void {
    if (state.closed || this.shuttingDown || state.pending || state.checking) return;
    const started = performance.now();
    const outcome = this.checker.refreshTree(state.doc);
    if (outcome === 'unchanged') return;
    if (this.settings.trace === 'verbose') this.connection.console.log(`connlint: re-parsed ${state.doc.path} v${state.doc.version} in ${(performance.now() - started).toFixed(1)} ms (${outcome})`);
    if (outcome === 'inconsistent') {
      state.result = undefined;
      this.schedule(state, 0);
    }
  }

  /**
   * Is the document (still) over connlint.largeDocumentBytes? Called when it opens and changes.
   * Turning large, it is checked as it was opened or last saved, not as typed (its facts are the
   * file's on disk until a save), and the user is told once why diagnostics now follow saves.
   */
  private largeDocument(state: DocState): boolean {
    const limit = this.settings.largeDocumentBytes;
    const text = state.doc.text;
    // At most 3 UTF-8 bytes per UTF-16 unit: the exact count only when it can matter.
    const large = limit > 0 && (text.length > limit || (text.length * 3 > limit && Buffer.byteLength(text, 'utf8') > limit));
    if (large === (state.large !== undefined)) return large;
    if (!large) {
      state.large?.background?.cancel();
      state.large = undefined;
      state.result = undefined;
      this.schedule(state, 0);
      return false;
    }
    state.large = {};
    state.pending?.cancel();
    state.pending = undefined;
    state.treeRefresh?.cancel();
    state.treeRefresh = undefined;
    state.doc.release();
    // The workspace index has its facts from disk (read in the background: it is large).
    this.workspace.closeOpen(state.doc.path);
    const bytes = Buffer.byteLength(text, 'utf8');
    const size = bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
    void this.connection.sendNotification(ShowMessageNotification.type, {
      type: MessageType.Info,
      message: `connlint: ${basename(state.doc.path)} is ${size}, over connlint.largeDocumentBytes (${limit} bytes): it is checked in the background when opened and saved, not as you type`,
    });
    return true;
  }

  /** Checks a large document in a worker thread, once per open or save (and config or settings change); a newer check stops an older one. */
  private checkInBackground(state: DocState, large: LargeState): void {
    const key = `${state.saves}:${this.configs.generation}:${this.settingsGeneration}`;
    if (large.key === key) return;
    large.background?.cancel();
    large.key = key;
    const started = performance.now();
    const version = state.doc.version;
    // The text as the editor has it (as saved, or never saved at all).
    large.background = new BackgroundCheck({ path: state.doc.path, text: state.doc.text, overrides: this.settings.rules }, (outcome) => {
      if (state.large !== large || large.key !== key) return;
      large.background = undefined;
      if ('error' in outcome) {
        this.connection.console.error(`connlint: background check of ${state.doc.path} failed: ${outcome.error}`);
        return;
      }
      if (outcome.skipped) this.connection.console.warn(`connlint: ${state.doc.path}: ${outcome.skipped}`);
      if (state.saves > 0) {
        // What other files now see of it: re-check them.
        this.workspace.setDiskFacts(state.doc.path, outcome.facts);
        this.recheckAll(BROADCAST_DELAY_MS);
      }
      const result = this.finish(state, `large:${key}:${version}`, outcome.findings, version);
      if (this.settings.trace === 'verbose') this.connection.console.log(`connlint: checked ${state.doc.path} (saved, in the background) in ${(performance.now() - started).toFixed(1)} ms: ${result.findings.length} findings`);
      if (this.caps.pullDiagnostics && this.caps.diagnosticRefresh) void this.connection.languages.diagnostics.refresh();
    });
  }

  /** The result for the document as it is now, computed on the spot if pending (pull, code actions, hover). */
  private current(state: DocState): CheckResult | undefined {
    // A large document's result is its last background check's, while nothing was typed since.
    if (state.large) return state.result?.version === state.doc.version ? state.result : undefined;
    const key = this.resultKey(state);
    if (state.result?.key === key) return state.result;
    if (state.closed || this.shuttingDown) return undefined;
    state.pending?.cancel();
    state.pending = undefined;
    const prepared = this.checker.prepare(state.doc);
    return this.finish(state, key, prepared ? this.checker.check(prepared, this.settings.rules).findings : []);
  }

  private finish(state: DocState, key: string, findings: Finding[], version = state.doc.version): CheckResult {
    const uriOf = (path: string) => (path === state.doc.path ? state.doc.uri : pathToUri(path));
    const diagnostics = findings.map((f) => toDiagnostic(f, uriOf, this.caps.relatedInformation));
    const result: CheckResult = { key, version, findings, diagnostics };
    state.result = result;
    // Pushed always (Neovim 0.7 and eglot know nothing else), with the version it describes.
    this.connection.sendDiagnostics({ uri: state.doc.uri, version: result.version, diagnostics });
    return result;
  }

  /** Runs a notification handler; a failure is logged and never reaches the connection. */
  private async guard(what: string, run: () => unknown): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.logFailure(what, error);
    }
  }

  private async guardRequest<T>(what: string, fallback: T, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      this.logFailure(what, error);
      return fallback;
    }
  }

  /** True when a notification's parameters are usable; otherwise says why in the log (one line, no stack). */
  private valid(what: string, problem: string | undefined): boolean {
    if (problem) this.connection.console.warn(`connlint: ${what} ignored: ${problem}`);
    return problem === undefined;
  }

  private logFailure(what: string, error: unknown): void {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.connection.console.error(`connlint: ${what} failed: ${detail}`);
  }
}

/** Answers a request whose parameters are unusable with InvalidParams, before it touches anything. */
function invalidParams(problem: string | undefined): void {
  if (problem) throw new ResponseError(ErrorCodes.InvalidParams, problem);
}
