import { statSync } from 'node:fs';
import { join } from 'node:path';
import { CompileCommands } from '../core/engine/compile-commands.js';
import type { BuildConfiguration, ResolvedConfig } from '../core/engine/config.js';

/**
 * The compile databases configs name (`compileCommands` in connlint.json), for the editor: loaded
 * on first use and again when the file's modification time changes (a rebuild rewrites it), so a
 * long-running server never works from a stale one. Throws CompileCommandsError.
 */
export class CompileDatabases {
  private readonly loaded = new Map<string, { readonly mtimeMs: number; readonly db: CompileCommands }>();

  /** `onError`: a database that cannot be read (the file is then analysed without it). */
  constructor(private readonly onError: (path: string, message: string) => void = () => {}) {}

  /** A file's -D / -U from its config's database. */
  fileConfiguration(path: string, config: ResolvedConfig): BuildConfiguration | undefined {
    return this.databaseFor(config)?.configurationOf(path);
  }

  /** Where a file's `#include`s are found: its config's `includeDirs`, then its database's -I. */
  includeDirsOf(path: string, config: ResolvedConfig): readonly string[] {
    const fromDatabase = this.databaseFor(config)?.includeDirsOf(path) ?? [];
    return fromDatabase.length === 0 ? config.includeDirs : [...config.includeDirs, ...fromDatabase];
  }

  private databaseFor(config: ResolvedConfig): CompileCommands | undefined {
    if (config.compileCommands === undefined) return undefined;
    try {
      return this.get(config.compileCommands);
    } catch (error) {
      this.onError(config.compileCommands, (error as Error).message);
      return undefined;
    }
  }

  get(path: string): CompileCommands | undefined {
    const file = databaseFile(path);
    const mtimeMs = modified(file);
    const cached = this.loaded.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.db;
    const db = CompileCommands.load(file, '/');
    this.loaded.set(file, { mtimeMs, db });
    return db;
  }
}

function databaseFile(path: string): string {
  try {
    return statSync(path).isDirectory() ? join(path, 'compile_commands.json') : path;
  } catch {
    return path;
  }
}

function modified(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}
