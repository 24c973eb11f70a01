import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildConfiguration, type BuildConfiguration, type ResolvedConfig } from './config.js';

/** What a compile database says of one file. */
interface CompiledFile {
  readonly configuration: BuildConfiguration;
  /** -I and -iquote folders, absolute, in order. */
  readonly includeDirs: readonly string[];
}

/**
 * A compile database (`compile_commands.json`, as CMake, Bear and meson write it and clang-tidy and
 * cppcheck read it): each file's -D and -U, so `#if`s on them take the branch the build compiles,
 * and its -I, where its `#include`s are found.
 */
export class CompileCommands {
  private constructor(private readonly byFile: ReadonlyMap<string, CompiledFile>) {}

  /** `path`: the database, or a folder holding compile_commands.json. Throws CompileCommandsError. */
  static load(path: string, cwd: string): CompileCommands {
    let file = resolve(cwd, path);
    try {
      if (statSync(file).isDirectory()) file = join(file, 'compile_commands.json');
    } catch {
      throw new CompileCommandsError(`${path}: no such file or directory`);
    }
    let entries: unknown;
    try {
      entries = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new CompileCommandsError(`${file}: ${(error as NodeJS.ErrnoException).code ? `cannot read (${(error as NodeJS.ErrnoException).code})` : `not valid JSON (${(error as Error).message})`}`);
    }
    if (!Array.isArray(entries)) throw new CompileCommandsError(`${file}: expected an array of compile commands`);
    const byFile = new Map<string, CompiledFile>();
    entries.forEach((entry: unknown, i) => {
      const e = entry as { directory?: unknown; file?: unknown; arguments?: unknown; command?: unknown };
      if (typeof e !== 'object' || e === null || typeof e.directory !== 'string' || typeof e.file !== 'string') {
        throw new CompileCommandsError(`${file}: entry ${i} needs "directory" and "file" strings`);
      }
      const args = Array.isArray(e.arguments) ? e.arguments.filter((a): a is string => typeof a === 'string') : typeof e.command === 'string' ? splitCommand(e.command) : undefined;
      if (!args) throw new CompileCommandsError(`${file}: entry ${i} needs "arguments" or "command"`);
      byFile.set(resolve(e.directory, e.file), { configuration: configurationOf(args), includeDirs: includeDirsOf(args, e.directory) });
    });
    return new CompileCommands(byFile);
  }

  /** The configuration a file is compiled with (undefined: the database does not list it). */
  configurationOf(absolutePath: string): BuildConfiguration | undefined {
    return this.byFile.get(absolutePath)?.configuration;
  }

  /** The folders a file's `#include`s are looked up in (empty: the database does not list it). */
  includeDirsOf(absolutePath: string): readonly string[] {
    return this.byFile.get(absolutePath)?.includeDirs ?? [];
  }
}

/**
 * The compile databases a run or an editor session uses: `-p` (`explicit`, over every config's) or
 * each file's config's `compileCommands`. Each is loaded once, and again when its modification
 * time changes (a rebuild rewrites it; the editor's server runs for hours). A database that cannot
 * be read goes to `onError` once per path and message, and files are analysed without it.
 */
export class CompileDatabases {
  private readonly loaded = new Map<string, { readonly mtimeMs: number; readonly db: CompileCommands }>();
  private readonly reported = new Set<string>();

  constructor(
    private readonly cwd: string,
    private readonly explicit?: string,
    private readonly onError: (path: string, message: string, config: ResolvedConfig) => void = () => {},
  ) {}

  /** A file's -D / -U (absolute path). */
  fileConfiguration(path: string, config: ResolvedConfig): BuildConfiguration | undefined {
    return this.databaseFor(config)?.configurationOf(path);
  }

  /** Where a file's `#include`s are found: its config's `includeDirs`, then its database's -I. */
  includeDirsOf(path: string, config: ResolvedConfig): readonly string[] {
    const fromDatabase = this.databaseFor(config)?.includeDirsOf(path) ?? [];
    return fromDatabase.length === 0 ? config.includeDirs : [...config.includeDirs, ...fromDatabase];
  }

  private databaseFor(config: ResolvedConfig): CompileCommands | undefined {
    const path = this.explicit ?? config.compileCommands;
    if (path === undefined) return undefined;
    const file = databaseFile(resolve(this.cwd, path));
    const mtimeMs = modified(file);
    const cached = this.loaded.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached.db;
    try {
      const db = CompileCommands.load(file, this.cwd);
      this.loaded.set(file, { mtimeMs, db });
      return db;
    } catch (error) {
      const message = (error as Error).message;
      if (!this.reported.has(`${file}\u0000${message}`)) {
        this.reported.add(`${file}\u0000${message}`);
        this.onError(path, message, config);
      }
      return undefined;
    }
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

/** `-I DIR`, `-IDIR`, `-iquote DIR`, relative to the entry's directory. */
function includeDirsOf(args: readonly string[], directory: string): string[] {
  const dirs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    for (const flag of ['-I', '-iquote']) {
      if (arg === flag && i + 1 < args.length) dirs.push(resolve(directory, args[++i]!));
      else if (arg.startsWith(flag) && arg.length > flag.length && (flag !== '-I' || !arg.startsWith('-iquote'))) dirs.push(resolve(directory, arg.slice(flag.length)));
    }
  }
  return dirs;
}

export class CompileCommandsError extends Error {}

/** `-DNAME`, `-D NAME=V`, `-UNAME`, `-U NAME`, in order. */
function configurationOf(args: readonly string[]): BuildConfiguration {
  const defines: string[] = [];
  const undefines: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    for (const [flag, list] of [['-D', defines], ['-U', undefines]] as const) {
      if (arg === flag && i + 1 < args.length) list.push(args[++i]!);
      else if (arg.startsWith(flag) && arg.length > 2) list.push(arg.slice(2));
    }
  }
  return buildConfiguration(defines, undefines);
}

/** A shell command line split into words: spaces separate, quotes group, backslash escapes. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
