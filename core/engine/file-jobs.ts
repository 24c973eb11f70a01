import { resolve } from 'node:path';
import { Analyzer, type LoadedFile } from './analyzer.js';
import type { ProjectSwitches } from './build-files.js';
import { CompileDatabases } from './compile-commands.js';
import { ConfigResolver, type BuildConfiguration } from './config.js';
import type { FileFacts } from '../project/facts.js';
import type { Finding, SeveritySetting } from './findings.js';
import { ProjectIndex } from '../project/project-index.js';
import { prepareText, type SourceFile } from '../project/source-file.js';
import { ParseTimeoutError } from '../syntax/parser.js';
import type { Rule } from './rule.js';
import { syntaxCoverage, type SyntaxCoverage } from './coverage.js';

/**
 * The session's two phases for a batch of files, the same in a worker thread and in the main
 * thread: `prepare` parses and extracts facts (keeping trees for phase two when the file is
 * reported on), `check` runs the rules against the merged project index.
 */

export interface JobOptions {
  readonly cwd: string;
  readonly configFile?: string;
  readonly overrides: Readonly<Record<string, SeveritySetting>>;
  readonly reportUnusedDirectives: boolean;
  readonly debug: boolean;
  /** A compile database (`-p`): each file's -D / -U. */
  readonly compileCommands?: string;
  /** Configuration switches a default build leaves unset or sets (build-files.ts). */
  readonly projectSwitches?: ProjectSwitches;
}

export interface PreparedFile {
  readonly path: string;
  readonly facts?: FileFacts;
  readonly notices: readonly string[];
  /** Why the file was not analysed (binary, too large, unreadable). */
  readonly skipped?: string;
  /** The file could not be read at all (a failed run, unlike a deliberately skipped binary). */
  readonly unreadable?: boolean;
  /** An internal error while analysing it. */
  readonly error?: string;
}

export interface CheckedFile {
  readonly path: string;
  readonly findings: Finding[];
  readonly debug: readonly string[];
  /** Functions left unanalysed at a limit, said as notes (check-file.ts). */
  readonly limits?: readonly string[];
  readonly error?: string;
  /** Function bodies and how many had regions skipped for syntax errors (with --debug only). */
  readonly coverage?: SyntaxCoverage;
}

/** Trees kept between the phases, per thread; beyond it files are parsed again in phase two. */
const CACHE_BUDGET_CHARS = 256 * 1024 * 1024;

export class FileJobs {
  private readonly configs: ConfigResolver;
  private readonly analyzer: Analyzer;
  private readonly cache = new Map<string, SourceFile>();
  private readonly texts = new Map<string, string>();
  private cachedChars = 0;
  private readonly compileDatabases: CompileDatabases;

  constructor(
    private readonly options: JobOptions,
    rules: readonly Rule[],
  ) {
    this.configs = new ConfigResolver(options.configFile, options.cwd);
    this.analyzer = new Analyzer(rules);
    if (options.projectSwitches) this.analyzer.setProjectSwitches(options.projectSwitches);
    // Loaded again in each worker thread (plain data would be as big to send); the CLI checked it.
    // Problems with a database are reported by the session's plan; here the file is analysed without it.
    this.compileDatabases = new CompileDatabases(options.cwd, options.compileCommands);
  }

  /** The file from --stdin or from disk. */
  private load(path: string): LoadedFile {
    const text = this.texts.get(path);
    const config = this.configs.forFile(path);
    const fileConfiguration = this.fileConfiguration(path);
    if (text !== undefined) {
      const result = prepareText(path, text, this.analyzer.sourceSettingsFor(config, fileConfiguration));
      return result.ok ? { file: result.file } : { skipped: result.reason };
    }
    return this.analyzer.load(path, resolve(this.options.cwd, path), config, fileConfiguration);
  }

  /** The file's -D / -U from the compile database (-p, else its config's `compileCommands`), over what its configuration header defines. */
  private fileConfiguration(path: string): BuildConfiguration | undefined {
    const absolute = resolve(this.options.cwd, path);
    return this.analyzer.fileConfiguration(absolute, this.compileDatabases.fileConfiguration(absolute, this.configs.forFile(path)));
  }

  /** `keep`: the file will be checked (its tree is kept for phase two); otherwise only its facts are wanted. */
  prepare(path: string, stdinText?: string, keep = true): PreparedFile {
    try {
      if (stdinText !== undefined) this.texts.set(path, stdinText);
      const loaded = this.load(path);
      if (!loaded.file) return { path, notices: [], skipped: loaded.skipped, unreadable: loaded.unreadable };
      const file = loaded.file;
      if (keep && this.cachedChars + file.text.length <= CACHE_BUDGET_CHARS) {
        this.cache.set(path, file);
        this.cachedChars += file.text.length;
      }
      return { path, facts: file.facts, notices: file.notices };
    } catch (error) {
      if (error instanceof ParseTimeoutError) return { path, notices: [], skipped: error.message };
      return { path, notices: [], error: this.describe(error) };
    }
  }

  check(paths: readonly string[], allFacts: readonly FileFacts[]): CheckedFile[] {
    const index = new ProjectIndex(allFacts);
    return paths.map((path) => this.checkOne(path, index));
  }

  private checkOne(path: string, index: ProjectIndex): CheckedFile {
    const debug: string[] = [];
    const limits = new Set<string>();
    try {
      let file = this.cache.get(path);
      if (!file) {
        const loaded = this.load(path);
        if (!loaded.file) return { path, findings: [], debug };
        file = loaded.file;
      }
      this.cache.delete(path);
      const findings = this.analyzer.check(file, index, {
        config: this.configs.forFile(path),
        overrides: this.options.overrides,
        reportUnusedDirectives: this.options.reportUnusedDirectives,
        debug: this.options.debug ? (m) => debug.push(m) : undefined,
        limit: (m) => limits.add(m),
        fileConfiguration: this.fileConfiguration(path),
      });
      return { path, findings, debug, limits: [...limits], coverage: this.options.debug ? syntaxCoverage(file) : undefined };
    } catch (error) {
      return { path, findings: [], debug, error: this.describe(error) };
    }
  }

  private describe(error: unknown): string {
    if (error instanceof RangeError && /call stack/i.test(error.message)) return 'input nests too deeply to analyse (stack exhausted)';
    return this.options.debug && error instanceof Error && error.stack ? error.stack : (error as Error).message ?? String(error);
  }
}
