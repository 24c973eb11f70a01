import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkFile } from './check-file.js';
import { ConfigResolver } from './config.js';
import type { FileFacts } from '../project/facts.js';
import type { Finding, SeveritySetting } from './findings.js';
import { ProjectIndex } from '../project/project-index.js';
import { settingsFor } from './settings.js';
import { prepareBytes, prepareSource, type SourceFile } from '../project/source-file.js';
import { ALL_RULES } from '../../rules/index.js';
import { ParseTimeoutError } from '../syntax/parser.js';

/**
 * The two phases for a batch of files, the same in a worker thread and in the main thread:
 * `prepare` parses and extracts facts (keeping trees for phase two), `check` runs the rules
 * against the merged project index.
 */

export interface JobOptions {
  readonly cwd: string;
  readonly configFile?: string;
  readonly overrides: Readonly<Record<string, SeveritySetting>>;
  readonly reportUnusedDirectives: boolean;
  readonly debug: boolean;
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
  readonly error?: string;
}

/** Larger inputs are generated code or data, not something to lint. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Trees kept between the phases, per thread; beyond it files are parsed again in phase two. */
const CACHE_BUDGET_CHARS = 256 * 1024 * 1024;

export class FileJobs {
  private readonly configs: ConfigResolver;
  private readonly cache = new Map<string, SourceFile>();
  private readonly texts = new Map<string, string>();
  private cachedChars = 0;

  constructor(private readonly options: JobOptions) {
    this.configs = new ConfigResolver(options.configFile, options.cwd);
  }

  private settings(path: string) {
    return settingsFor(this.configs.forFile(path));
  }

  prepare(path: string, stdinText?: string): PreparedFile {
    try {
      let file: SourceFile;
      if (stdinText !== undefined) {
        file = prepareSource(path, stdinText, this.settings(path));
        this.texts.set(path, stdinText);
      } else {
        const absolute = resolve(this.options.cwd, path);
        const size = statSync(absolute).size;
        if (size > MAX_FILE_BYTES) return { path, notices: [], skipped: `file is ${(size / 1048576).toFixed(0)} MiB, over the ${MAX_FILE_BYTES / 1048576} MiB limit; skipped` };
        const result = prepareBytes(path, readFileSync(absolute), this.settings(path));
        if (!result.ok) return { path, notices: [], skipped: result.reason };
        file = result.file;
      }
      if (this.cachedChars + file.text.length <= CACHE_BUDGET_CHARS) {
        this.cache.set(path, file);
        this.cachedChars += file.text.length;
      }
      return { path, facts: file.facts, notices: file.notices };
    } catch (error) {
      if (error instanceof ParseTimeoutError) return { path, notices: [], skipped: error.message };
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') return { path, notices: [], skipped: 'cannot read: permission denied', unreadable: true };
      if (code === 'ENOENT') return { path, notices: [], skipped: 'cannot read: no such file or directory', unreadable: true };
      if (code === 'EISDIR') return { path, notices: [], skipped: 'cannot read: is a directory', unreadable: true };
      if (code === 'ELOOP') return { path, notices: [], skipped: 'cannot read: too many levels of symbolic links', unreadable: true };
      return { path, notices: [], error: this.describe(error) };
    }
  }

  check(paths: readonly string[], allFacts: readonly FileFacts[]): CheckedFile[] {
    const index = new ProjectIndex(allFacts);
    return paths.map((path) => this.checkOne(path, index));
  }

  private checkOne(path: string, index: ProjectIndex): CheckedFile {
    const debug: string[] = [];
    try {
      let file = this.cache.get(path);
      if (!file) {
        const text = this.texts.get(path);
        const result = text !== undefined ? { ok: true as const, file: prepareSource(path, text, this.settings(path)) } : prepareBytes(path, readFileSync(resolve(this.options.cwd, path)), this.settings(path));
        if (!result.ok) return { path, findings: [], debug };
        file = result.file;
      }
      this.cache.delete(path);
      const config = this.configs.forFile(path);
      const findings = checkFile(file, index, settingsFor(config), {
        rules: ALL_RULES,
        config,
        overrides: this.options.overrides,
        reportUnusedDirectives: this.options.reportUnusedDirectives,
        debug: this.options.debug ? (m) => debug.push(m) : undefined,
      });
      return { path, findings, debug };
    } catch (error) {
      return { path, findings: [], debug, error: this.describe(error) };
    }
  }

  private describe(error: unknown): string {
    if (error instanceof RangeError && /call stack/i.test(error.message)) return 'input nests too deeply to analyse (stack exhausted)';
    return this.options.debug && error instanceof Error && error.stack ? error.stack : (error as Error).message ?? String(error);
  }
}
