import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, emptyConfig, findConfigFile, parseConfig, type ResolvedConfig } from '../core/engine/config.js';

/** What happened when a config file was (re)loaded. */
export type ConfigLoadEvent =
  | { file: string; ok: true }
  | { file: string; ok: false; error: ConfigError; text: string | undefined; keptLastGood: boolean };

interface LoadedConfig {
  /** The last config that loaded cleanly from this file; stays in force while the file is broken. */
  good?: ResolvedConfig;
  error?: ConfigError;
}

/**
 * connlint.json files for the editor: the same discovery as the CLI (nearest file at or above the
 * document), but reloadable, and forgiving: a file that stops being valid keeps its last good
 * contents in force (the user is mid-edit), and the error is reported through `onLoad`.
 */
export class ConfigStore {
  private readonly fileForDir = new Map<string, string | null>();
  private readonly loaded = new Map<string, LoadedConfig>();
  /** Bumped on every change that can alter a resolved config: part of the pull-diagnostics result id. */
  generation = 0;

  constructor(private readonly onLoad: (event: ConfigLoadEvent) => void) {}

  forFile(path: string): ResolvedConfig {
    return this.forDirectory(dirname(resolve(path)));
  }

  forDirectory(directory: string): ResolvedConfig {
    const dir = resolve(directory);
    let file = this.fileForDir.get(dir);
    if (file === undefined) {
      file = findConfigFile(dir) ?? null;
      this.fileForDir.set(dir, file);
    }
    if (file === null) return emptyConfig(dir);
    let entry = this.loaded.get(file);
    if (!entry) {
      entry = {};
      this.loaded.set(file, entry);
      this.load(file, entry);
    }
    return entry.good ?? emptyConfig(dirname(file));
  }

  /** A config file was created, changed or deleted: forget discovery, reload the file. */
  invalidate(file: string): void {
    this.generation++;
    this.fileForDir.clear();
    const entry = this.loaded.get(file);
    if (entry) this.load(file, entry);
  }

  /** Config files currently known to be broken (for re-reporting after a restart of the client view). */
  errors(): ConfigError[] {
    return [...this.loaded.values()].flatMap((e) => (e.error ? [e.error] : []));
  }

  private load(file: string, entry: LoadedConfig): void {
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        // Deleted: discovery (cleared by invalidate) will find the next one up.
        this.loaded.delete(file);
        if (entry.error) this.onLoad({ file, ok: true });
        return;
      }
      this.fail(file, entry, new ConfigError(file, '', `cannot read config file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`), undefined);
      return;
    }
    try {
      entry.good = parseConfig(file, text);
      const hadError = entry.error !== undefined;
      entry.error = undefined;
      if (hadError || this.generation > 0) this.onLoad({ file, ok: true });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.fail(file, entry, error, text);
    }
  }

  private fail(file: string, entry: LoadedConfig, error: ConfigError, text: string | undefined): void {
    entry.error = error;
    this.onLoad({ file, ok: false, error, text, keptLastGood: entry.good !== undefined });
  }
}
