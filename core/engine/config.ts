import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import AjvModule, { type ErrorObject } from 'ajv';
import { packageRoot } from '../util/package-root.js';
import type { SeveritySetting } from './findings.js';
import type { TargetPlatform } from '../syntax/conditionals.js';

/**
 * connlint.json: found by walking up from each analysed file (nearest wins), or given with
 * --config. Validated against schema/connlint.schema.json, the same file editors use for
 * completion.
 */

export const CONFIG_FILE_NAMES = ['connlint.json', '.connlintrc.json'] as const;

export interface RuleSetting {
  readonly severity: SeveritySetting;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface FunctionSettings {
  readonly acquire: readonly string[];
  readonly release: readonly string[];
  readonly borrow: readonly string[];
  readonly take: readonly string[];
  readonly noReturn: readonly string[];
  readonly acceptWrappers: readonly { name: string; listenerArg: number }[];
}

export interface ResolvedConfig {
  /** The config file, if any. */
  readonly file?: string;
  /** Folder that `ignore` globs are relative to. */
  readonly baseDir: string;
  readonly rules: Readonly<Record<string, RuleSetting>>;
  readonly functions: FunctionSettings;
  readonly ignore: readonly string[];
  readonly headerLanguage: 'auto' | 'c' | 'cpp';
  /** `defines` / `undefines`: the build's configuration, as -D and -U give it. */
  readonly configuration: BuildConfiguration;
  /** `includeDirs`, absolute: where `#include` finds headers (as -I), whose macros and functions are indexed. */
  readonly includeDirs: readonly string[];
  /** `compileCommands`, absolute: the compile database (as -p; -p on the command line wins). */
  readonly compileCommands?: string;
}

/** Macros the build defines (name → value, '1' for a bare -D NAME) and leaves undefined. */
export interface BuildConfiguration {
  readonly defined: ReadonlyMap<string, string>;
  readonly undefined: ReadonlySet<string>;
  /** The platform analysed (Linux when not set): see TargetPlatform. */
  readonly platform?: TargetPlatform;
}

export const NO_CONFIGURATION: BuildConfiguration = { defined: new Map(), undefined: new Set() };

/** `NAME` / `NAME=VALUE` (-D) and `NAME` (-U), later entries winning. */
export function buildConfiguration(defines: readonly string[], undefines: readonly string[]): BuildConfiguration {
  if (defines.length === 0 && undefines.length === 0) return NO_CONFIGURATION;
  const defined = new Map<string, string>();
  const undefinedNames = new Set<string>();
  for (const d of defines) {
    const eq = d.indexOf('=');
    const name = eq < 0 ? d : d.slice(0, eq);
    defined.set(name, eq < 0 ? '1' : d.slice(eq + 1));
    undefinedNames.delete(name);
  }
  for (const u of undefines) {
    defined.delete(u);
    undefinedNames.add(u);
  }
  return { defined, undefined: undefinedNames };
}

/** A file's own -D / -U (compile database) over the configuration file's; undefined when neither says anything. */
export function mergedConfiguration(base: BuildConfiguration, file: BuildConfiguration | undefined): BuildConfiguration | undefined {
  if (!file || (file.defined.size === 0 && file.undefined.size === 0)) return base.defined.size === 0 && base.undefined.size === 0 && !base.platform ? undefined : base;
  const defined = new Map([...base.defined].filter(([name]) => !file.undefined.has(name)));
  for (const [name, value] of file.defined) defined.set(name, value);
  const undefinedNames = new Set([...base.undefined].filter((name) => !file.defined.has(name)));
  for (const name of file.undefined) undefinedNames.add(name);
  return { defined, undefined: undefinedNames, ...(base.platform ? { platform: base.platform } : {}) };
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    /** JSON pointer of the broken spot ('' for the whole file). */
    readonly pointer: string,
    readonly detail: string,
    /** 1-based position of a JSON syntax error, when known. */
    readonly position?: { line: number; column: number },
  ) {
    super(`${file}${position ? `:${position.line}:${position.column}` : ''}: ${pointer ? `${pointer}: ` : ''}${detail}`);
  }
}

export function emptyConfig(baseDir: string): ResolvedConfig {
  return { baseDir, rules: {}, functions: { acquire: [], release: [], borrow: [], take: [], noReturn: [], acceptWrappers: [] }, ignore: [], headerLanguage: 'auto', configuration: NO_CONFIGURATION, includeDirs: [] };
}

const Ajv = AjvModule.default ?? AjvModule;
let validator: ReturnType<InstanceType<typeof Ajv>['compile']> | undefined;

function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schema', 'connlint.schema.json'), 'utf8'));
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** The most useful message among ajv's errors (oneOf produces several). */
function describe(errors: ErrorObject[]): { pointer: string; detail: string } {
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const deepest = (specific.length > 0 ? specific : errors).sort((a, b) => b.instancePath.length - a.instancePath.length)[0]!;
  let detail = deepest.message ?? 'invalid';
  if (deepest.keyword === 'additionalProperties') {
    const prop = (deepest.params as { additionalProperty: string }).additionalProperty;
    detail = deepest.instancePath === '/rules' ? `unknown rule '${shortened(prop)}'` : `unknown property '${shortened(prop)}'`;
  } else if (deepest.keyword === 'enum') {
    detail = `${detail}: ${(deepest.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
  }
  return { pointer: deepest.instancePath || '/', detail };
}

export function parseConfig(file: string, withMark: string): ResolvedConfig {
  // A byte-order mark some editors write is no part of the JSON.
  const text = withMark.charCodeAt(0) === 0xfeff ? withMark.slice(1) : withMark;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    let position: { line: number; column: number } | undefined;
    if (at) {
      const before = text.slice(0, Number(at[1]));
      position = { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') };
    }
    throw new ConfigError(file, '', `not valid JSON (${message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '')})`, position);
  }
  const errors = validate(data);
  if (errors.length > 0) {
    const { pointer, detail } = describe(errors);
    throw new ConfigError(file, shortened(pointer), detail);
  }
  for (const [i, pattern] of ((data as { ignore?: string[] }).ignore ?? []).entries()) {
    const problem = globProblem(pattern);
    if (problem) throw new ConfigError(file, `/ignore/${i}`, problem);
  }
  const raw = data as {
    rules?: Record<string, string | [string, Record<string, unknown>?]>;
    functions?: { acquire?: string[]; release?: string[]; borrow?: string[]; take?: string[]; noReturn?: string[]; acceptWrappers?: (string | { name: string; listenerArg?: number })[] };
    ignore?: string[];
    headerLanguage?: 'auto' | 'c' | 'cpp';
    defines?: string[];
    undefines?: string[];
    includeDirs?: string[];
    compileCommands?: string;
  };
  const rules: Record<string, RuleSetting> = {};
  for (const [id, value] of Object.entries(raw.rules ?? {})) {
    rules[id] = typeof value === 'string' ? { severity: value as SeveritySetting, options: {} } : { severity: value[0] as SeveritySetting, options: value[1] ?? {} };
  }
  const fns = raw.functions ?? {};
  return {
    file,
    baseDir: dirname(file),
    rules,
    functions: {
      acquire: fns.acquire ?? [],
      release: fns.release ?? [],
      borrow: fns.borrow ?? [],
      take: fns.take ?? [],
      noReturn: fns.noReturn ?? [],
      acceptWrappers: (fns.acceptWrappers ?? []).map((w) => (typeof w === 'string' ? { name: w, listenerArg: 0 } : { name: w.name, listenerArg: w.listenerArg ?? 0 })),
    },
    ignore: raw.ignore ?? [],
    headerLanguage: raw.headerLanguage ?? 'auto',
    configuration: buildConfiguration(raw.defines ?? [], raw.undefines ?? []),
    includeDirs: (raw.includeDirs ?? []).map((d) => resolve(dirname(file), d)),
    compileCommands: raw.compileCommands !== undefined ? resolve(dirname(file), raw.compileCommands) : undefined,
  };
}

/** A config larger than this is no config (`--config /dev/zero` would otherwise be read forever). */
const MAX_CONFIG_BYTES = 1024 * 1024;

export function loadConfigFile(file: string): ResolvedConfig {
  let bytes: Buffer;
  try {
    bytes = readCapped(file, MAX_CONFIG_BYTES);
  } catch (error) {
    throw new ConfigError(file, '', `cannot read config file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (bytes.length > MAX_CONFIG_BYTES) throw new ConfigError(file, '', `config file is over ${MAX_CONFIG_BYTES / 1024 / 1024} MiB; not read`);
  return parseConfig(resolve(file), bytes.toString('utf8'));
}

/** At most `max` + 1 bytes of a file (devices and pipes have no size to ask for first). */
function readCapped(file: string, max: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(max + 1);
    let length = 0;
    for (let n = 1; n > 0 && length <= max; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** Names and paths echoed in messages, cut (a megabyte of unknown key is not worth printing). */
function shortened(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/**
 * Why an `ignore` pattern cannot mean what it says, or undefined: a bracket range running
 * backwards (`[z-a]`), which the glob library would otherwise take silently as matching nothing.
 */
function globProblem(pattern: string): string | undefined {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      i++;
      continue;
    }
    if (pattern[i] !== '[') continue;
    const close = pattern.indexOf(']', i + 2);
    if (close < 0) return undefined;
    const start = i + 1 + (pattern[i + 1] === '!' || pattern[i + 1] === '^' ? 1 : 0);
    for (let j = start + 1; j + 1 < close; j++) {
      if (pattern[j] === '-' && pattern[j - 1]! > pattern[j + 1]!) return `'${shortened(pattern)}': the range '${pattern[j - 1]}-${pattern[j + 1]}' runs backwards (at character ${j})`;
    }
    i = close;
  }
  return undefined;
}

/** Nearest config file at or above `dir`. */
export function findConfigFile(dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(current, name);
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
    if (dirname(current) === current) return undefined;
  }
}

/** Config per analysed file, cached per folder. `--config` wins over discovery. */
export class ConfigResolver {
  private readonly byDir = new Map<string, ResolvedConfig>();
  private readonly byFile = new Map<string, ResolvedConfig>();

  constructor(
    private readonly explicitFile?: string,
    private readonly cwd: string = process.cwd(),
  ) {}

  forDirectory(dir: string): ResolvedConfig {
    const key = resolve(dir);
    let config = this.byDir.get(key);
    if (!config) {
      const file = this.explicitFile ? resolve(this.cwd, this.explicitFile) : findConfigFile(key);
      if (!file) config = emptyConfig(this.cwd);
      else {
        config = this.byFile.get(file);
        if (!config) {
          config = loadConfigFile(file);
          this.byFile.set(file, config);
        }
      }
      this.byDir.set(key, config);
    }
    return config;
  }

  forFile(path: string): ResolvedConfig {
    return this.forDirectory(dirname(resolve(this.cwd, path)));
  }
}
