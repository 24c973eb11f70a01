import { statSync } from 'node:fs';
import { BackgroundCheck } from './background-check.js';
import { join } from 'node:path';
import { ConfigResolver, type ResolvedConfig } from '../core/engine/config.js';
import type { FileFacts } from '../core/project/facts.js';
import { isSourcePath } from '../core/syntax/language.js';
import { FactsTable, ProjectIndex } from '../core/project/project-index.js';
import type { Analyzer } from '../core/engine/analyzer.js';
import { detached } from './detached.js';
import { discoverFiles } from '../core/engine/discover.js';
import { projectSwitches } from '../core/engine/build-files.js';
import { includedHeaders } from '../core/engine/includes.js';
import type { CompileDatabases } from '../core/engine/compile-commands.js';
import type { ConfigStore } from './config-store.js';
import type { NativeMemory } from './native-memory.js';

/** Lets the CLI's file discovery use the editor's config store (reloadable, forgiving). */
class StoreResolver extends ConfigResolver {
  constructor(private readonly store: ConfigStore) {
    super();
  }
  override forDirectory(dir: string): ResolvedConfig {
    return this.store.forDirectory(dir);
  }
  override forFile(path: string): ResolvedConfig {
    return this.store.forFile(path);
  }
}

export interface BuildProgress {
  report(done: number, total: number): void;
  readonly cancelled: boolean;
}

/** Work per event-loop turn while indexing in the background: requests keep flowing between slices. */
const SLICE_MS = 15;

/**
 * The facts of every C/C++ file in the workspace folders — what the CLI's first phase computes —
 * so checks in the editor see cross-file facts (an EPOLLET registration in another file). Disk
 * files are read in the background; open documents override their disk version with their live
 * facts. The ProjectIndex is rebuilt lazily, only when some facts changed.
 */
export class WorkspaceIndex {
  private readonly diskFacts = new Map<string, FileFacts>();
  /** Open documents' live facts (several pieces each: see incremental.ts). */
  private readonly openFacts = new Map<string, readonly FileFacts[]>();
  /** How often each open document's facts were replaced, and in total (see contextFor). */
  private readonly openUpdates = new Map<string, number>();
  private totalOpenUpdates = 0;
  private cached: ProjectIndex | undefined;
  /**
   * The facts of everything but the document last edited, tabled once: while one document is
   * being typed in, each edit re-tables only that document (a project's table takes 5-20 ms).
   */
  private rest: { readonly without: string; readonly table: FactsTable } | undefined;
  private lastEdited: string | undefined;
  /**
   * The edited document's facts as tables of runs of consecutive pieces (see incremental.ts: one
   * piece per function), in document order: tables answer in the same order as one table would.
   * An edit replaces one piece, so one run is re-tabled and the others are kept, wherever the
   * edit lands. (Tabling the pieces before and after the edited one instead re-tabled the whole
   * document each time the edit moved to another function: over 440 bench edits those tables were
   * the largest source of objects promoted out of V8's young generation, 18 MB; 4.6 MB with runs.)
   */
  private editedRuns: { readonly path: string; readonly runs: readonly TabledRun[] } | undefined;
  /** Files over this size (bytes; 0: none) are read in a worker thread (see readInBackground). */
  largeFileBytes = 0;
  /** Called when a background read has landed (the server re-checks what depends on it). */
  onBackgroundRead: (path: string) => void = () => {};
  private readonly backgroundReads = new Map<string, BackgroundCheck>();
  /** Bumped on every change of disk facts (not of open documents): part of pull result ids. */
  generation = 0;
  complete = false;

  constructor(
    private readonly analyzer: Analyzer,
    private readonly configs: ConfigStore,
    private readonly log: (message: string) => void,
    private readonly memory: NativeMemory,
    private readonly compileDatabases: CompileDatabases,
  ) {}

  /** Reads and indexes every source file under the folders, a slice at a time. */
  async build(folders: readonly string[], progress: BuildProgress): Promise<number> {
    const resolver = new StoreResolver(this.configs);
    const files: string[] = [];
    for (const folder of folders) {
      try {
        files.push(...discoverFiles([folder], folder, resolver).files.map((f) => join(folder, f)));
      } catch (error) {
        this.log(`indexing ${folder}: ${(error as Error).message}`);
      }
    }
    // Headers the workspace's files include from elsewhere (include folders): read for their facts.
    const inWorkspace = new Set(files);
    const includeDirsOf = (file: string) => this.compileDatabases.includeDirsOf(file, this.configs.forFile(file));
    if (files.some((f) => includeDirsOf(f).length > 0)) files.push(...includedHeaders(files, inWorkspace, includeDirsOf));
    // The switches a default build leaves unset or sets, as the CLI takes them (before any file is
    // read for its facts, which depend on them). Taken once per indexing: an edit of configure.ac
    // counts from the next one (a config change or a restart).
    try {
      this.analyzer.setProjectSwitches(projectSwitches(files, folders.length === 1 ? folders[0] : undefined));
    } catch (error) {
      this.log(`reading build files: ${(error as Error).message}`);
    }
    let sliceStart = performance.now();
    for (let i = 0; i < files.length; i++) {
      if (progress.cancelled) return i;
      this.readFile(files[i]!);
      if (performance.now() - sliceStart > SLICE_MS) {
        progress.report(i + 1, files.length);
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    progress.report(files.length, files.length);
    this.complete = true;
    this.changed();
    return files.length;
  }

  /** (Re)reads one file from disk (saved, created or changed on disk); false if it is not indexable. */
  readFile(path: string): boolean {
    if (!isSourcePath(path)) return false;
    try {
      if (this.largeFileBytes > 0 && statSync(path).size > this.largeFileBytes) return this.readInBackground(path);
      const config = this.configs.forFile(path);
      const result = this.analyzer.load(path, path, config, this.analyzer.fileConfiguration(path, this.compileDatabases.fileConfiguration(path, config)));
      if (!result.file) return this.forget(path);
      // Only the facts are kept; the tree is garbage from here on.
      this.memory.track(result.file.tree, result.file.text.length, 'fresh');
      // Kept while the workspace is open: without the file's text.
      this.diskFacts.set(path, detached(result.file.facts));
      this.changed();
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EACCES' && code !== 'EISDIR') this.log(`indexing ${path}: ${(error as Error).message}`);
      this.forget(path);
      return false;
    }
  }

  /**
   * A large file's facts, read in a worker thread: reading a 5 MB file here would hold every
   * request for seconds. Its facts count from when they arrive (the editor's checks follow).
   */
  private readInBackground(path: string): boolean {
    this.backgroundReads.get(path)?.cancel();
    this.backgroundReads.set(
      path,
      new BackgroundCheck({ path, overrides: {}, factsOnly: true }, (outcome) => {
        this.backgroundReads.delete(path);
        if ('error' in outcome) this.log(`indexing ${path}: ${outcome.error}`);
        else this.setDiskFacts(path, outcome.facts);
        this.onBackgroundRead(path);
      }),
    );
    return true;
  }

  /** A file's facts as read elsewhere (a background check): none when it was not analysed. */
  setDiskFacts(path: string, facts: FileFacts | undefined): void {
    if (!facts) {
      this.forget(path);
      return;
    }
    this.diskFacts.set(path, detached(facts));
    this.changed();
  }

  /** A file was deleted (or became unreadable). */
  forget(path: string): false {
    this.backgroundReads.get(path)?.cancel();
    this.backgroundReads.delete(path);
    if (this.diskFacts.delete(path)) this.changed();
    return false;
  }

  /** Stops the background reads (shutdown). */
  stopBackgroundReads(): void {
    for (const read of this.backgroundReads.values()) read.cancel();
    this.backgroundReads.clear();
  }

  /** The live facts of an open document (they win over its disk version). */
  setOpen(path: string, facts: readonly FileFacts[]): void {
    if (this.openFacts.get(path) === facts) return;
    this.openFacts.set(path, facts);
    this.openUpdates.set(path, (this.openUpdates.get(path) ?? 0) + 1);
    this.totalOpenUpdates++;
    this.cached = undefined;
    if (this.rest?.without !== path) this.rest = undefined;
    this.lastEdited = path;
  }

  closeOpen(path: string): void {
    if (this.editedRuns?.path === path) this.editedRuns = undefined;
    if (this.openFacts.delete(path)) {
      this.totalOpenUpdates++;
      this.cached = undefined;
      this.rest = undefined;
    }
    this.openUpdates.delete(path);
  }

  /** Changes whenever facts other than `path`'s own change: what a check of `path` depends on besides itself. */
  contextFor(path: string): string {
    return `${this.generation}:${this.totalOpenUpdates - (this.openUpdates.get(path) ?? 0)}`;
  }

  get fileCount(): number {
    return this.diskFacts.size;
  }

  /** The index over disk facts with open documents' live facts substituted. */
  index(): ProjectIndex {
    if (this.cached) return this.cached;
    const path = this.lastEdited;
    const edited = path !== undefined ? this.openFacts.get(path) : undefined;
    if (path === undefined || !edited) {
      this.cached = new ProjectIndex(this.currentFacts());
      return this.cached;
    }
    const rest = this.rest?.without === path ? this.rest : { without: path, table: new FactsTable(this.currentFacts(path)) };
    this.rest = rest;
    this.cached = ProjectIndex.over([...this.editedTables(path, edited), rest.table]);
    return this.cached;
  }

  /** Tables of an open document's pieces, in order: re-using those of the runs of pieces unchanged since the last call. */
  private editedTables(path: string, pieces: readonly FileFacts[]): FactsTable[] {
    const previous = this.editedRuns?.path === path ? this.editedRuns.runs : [];
    const size = runLength(pieces.length);
    const runs: TabledRun[] = [];
    for (let start = 0, i = 0; start < pieces.length; start += size, i++) {
      const run = pieces.slice(start, start + size);
      const old = previous[i];
      const same = old !== undefined && old.pieces.length === run.length && old.pieces.every((piece, k) => piece === run[k]);
      runs.push(same ? old : { pieces: run, table: new FactsTable(run) });
    }
    this.editedRuns = { path, runs };
    return runs.map((r) => r.table);
  }

  /** Every file's current facts (open documents' live ones first), but `except`'s. */
  private currentFacts(except?: string): FileFacts[] {
    const all: FileFacts[] = [...this.openFacts].flatMap(([path, facts]) => (path === except ? [] : facts));
    for (const [path, facts] of this.diskFacts) if (path !== except && !this.openFacts.has(path)) all.push(facts);
    return all;
  }

  /** Something every check depends on changed (a saved document): results keyed on `generation` are stale. */
  touch(): void {
    this.changed();
  }

  private changed(): void {
    this.generation++;
    this.cached = undefined;
    this.rest = undefined;
  }
}

interface TabledRun {
  readonly pieces: readonly FileFacts[];
  readonly table: FactsTable;
}

/**
 * Pieces per run: about the square root of their number, so an edit re-tables few pieces and a
 * lookup asks few tables (98 functions: 10 runs of 10; 400: 20 of 20).
 */
function runLength(pieces: number): number {
  return Math.max(8, Math.ceil(Math.sqrt(pieces)));
}
