import { fsPath } from './file-names.js';
import { readFileSync, statSync } from 'node:fs';
import type { ProjectIndex } from '../project/project-index.js';
import { providersOf, type FactsProvider } from '../project/provider.js';
import { otherConfiguration, prepareBytes, type SourceFile } from '../project/source-file.js';
import { ParseTimeoutError } from '../syntax/parser.js';
import type { ProjectSwitches } from './build-files.js';
import { checkFile } from './check-file.js';
import { functionsWithAssumptions, mergeConfigurations } from './configurations.js';
import { withBsdFindings } from './platform-findings.js';
import { bsdConfiguration } from '../project/platforms.js';
import { mergedConfiguration, type BuildConfiguration, type ResolvedConfig, type RuleSetting } from './config.js';
import type { Finding } from './findings.js';
import { MAX_FILE_BYTES } from './limits.js';
import type { Rule } from './rule.js';
import { settingsFor, type AnalysisSettings } from './settings.js';

/** A file read from disk for analysis, or why it was not. */
export type LoadedFile =
  | { readonly file: SourceFile }
  | {
      readonly file?: undefined;
      readonly skipped: string;
      /** The file could not be read at all (a failed run, unlike a deliberately skipped binary). */
      readonly unreadable?: boolean;
    };

export interface CheckRequest {
  readonly config: ResolvedConfig;
  readonly overrides?: Readonly<Record<string, RuleSetting['severity']>>;
  readonly reportUnusedDirectives?: boolean;
  readonly debug?: (message: string) => void;
  /** A function left unanalysed at a limit (see CheckOptions.limit). */
  readonly limit?: (message: string) => void;
  /** The file's -D / -U from a compile database. */
  readonly fileConfiguration?: BuildConfiguration;
}

/**
 * One rule set bound to the engine: the settings each configuration gives (with the rules' facts
 * providers), how a file is read into facts, and how it is checked. Every front end analyses
 * through one: the CLI's file jobs (in each worker thread), the LSP server's workspace index and
 * document checks, and in-memory runs in tests — so a provider, a limit or an error message has
 * one home.
 */
export class Analyzer {
  readonly providers: readonly FactsProvider[];
  /** Library calls whose call sites the providers' project answers read (see FactsProvider.readsCallsTo). */
  readonly readsCallsTo: ReadonlySet<string>;
  private settingsByConfig = new WeakMap<ResolvedConfig, AnalysisSettings>();
  /** Configuration switches a default build of the project leaves unset or sets (core/engine/build-files.ts). */
  private switches: ProjectSwitches = { unset: [], set: [], zero: [] };

  constructor(readonly rules: readonly Rule[]) {
    this.providers = providersOf(rules);
    this.readsCallsTo = new Set(this.providers.flatMap((p) => p.readsCallsTo ?? []));
  }

  /**
   * The project's switches as a default build has them, under the configuration file's and the
   * compile database's -D / -U. True when they changed (settings made before are stale).
   */
  setProjectSwitches(switches: ProjectSwitches): boolean {
    // Plain data, built in a fixed order (sorted lists, files in run order): equal when their JSON is.
    if (JSON.stringify(switches) === JSON.stringify(this.switches)) return false;
    this.switches = switches;
    this.settingsByConfig = new WeakMap();
    return true;
  }

  /**
   * A file's own configuration: the switches its configuration header defines (under), the compile
   * database's -D / -U for it (over). `path`: as the run names it (absolute on disk).
   */
  fileConfiguration(path: string, database: BuildConfiguration | undefined): BuildConfiguration | undefined {
    const names = this.switches.byFile?.[path];
    if (!names) return database;
    return mergedConfiguration({ defined: new Map(names.map((n) => [n, '1'])), undefined: new Set() }, database);
  }

  settingsFor(config: ResolvedConfig): AnalysisSettings {
    let settings = this.settingsByConfig.get(config);
    if (!settings) {
      settings = settingsFor(config, this.providers);
      if (this.switches.unset.length + this.switches.set.length + this.switches.zero.length > 0) settings = { ...settings, configuration: underConfiguration(settings.configuration, this.switches) };
      this.settingsByConfig.set(config, settings);
    }
    return settings;
  }

  /** What parsing reads of the settings, with a file's own configuration over the configuration file's. */
  sourceSettingsFor(config: ResolvedConfig, fileConfiguration?: BuildConfiguration): AnalysisSettings {
    const settings = this.settingsFor(config);
    if (!fileConfiguration) return settings;
    return { ...settings, configuration: mergedConfiguration(settings.configuration, fileConfiguration) ?? settings.configuration };
  }

  /** Reads, decodes, parses and extracts facts; file-system errors become reasons, other errors are thrown. */
  /** `fileConfiguration`: the file's -D / -U from a compile database (over the configuration file's). */
  load(path: string, absolute: string, config: ResolvedConfig, fileConfiguration?: BuildConfiguration): LoadedFile {
    try {
      const size = statSync(fsPath(absolute)).size;
      if (size > MAX_FILE_BYTES) return { skipped: `file is ${(size / 1048576).toFixed(0)} MiB, over the ${MAX_FILE_BYTES / 1048576} MiB limit; skipped` };
      const result = prepareBytes(path, readFileSync(fsPath(absolute)), this.sourceSettingsFor(config, fileConfiguration));
      return result.ok ? { file: result.file } : { skipped: result.reason };
    } catch (error) {
      if (error instanceof ParseTimeoutError) return { skipped: error.message };
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') return { skipped: 'cannot read: permission denied', unreadable: true };
      if (code === 'ENOENT') return { skipped: 'cannot read: no such file or directory', unreadable: true };
      if (code === 'EISDIR') return { skipped: 'cannot read: is a directory', unreadable: true };
      if (code === 'ELOOP') return { skipped: 'cannot read: too many levels of symbolic links', unreadable: true };
      throw error;
    }
  }

  /** The rules over one prepared file against the project index: fingerprinted, unsuppressed findings. */
  check(file: SourceFile, index: ProjectIndex, request: CheckRequest): Finding[] {
    const linux = this.checkConfigurations(file, index, request);
    // The rules whose bugs live in kqueue backends, on the project as a BSD build sees it.
    const rules = this.rules.filter((rule) => rule.meta.otherPlatforms?.includes('bsd'));
    const bsdIndex = rules.length > 0 ? index.bsdVariant() : undefined;
    if (!bsdIndex) return linux;
    const settings = this.settingsFor(request.config);
    const bsd = checkFile(file.bsd ?? file, bsdIndex, { ...settings, configuration: bsdConfiguration(settings.configuration) }, { rules, ...request });
    return withBsdFindings(linux, bsd);
  }

  /** The Linux build's findings: the file's, and those of its other configuration (see configurations.ts). */
  private checkConfigurations(file: SourceFile, index: ProjectIndex, request: CheckRequest): Finding[] {
    const settings = this.settingsFor(request.config);
    const options = { rules: this.rules, ...request };
    const checked = new Set<number>();
    const first = checkFile(file, index, settings, { ...options, cfgRequested: checked });
    // A recovered function whose #if branches a feature assumption chose, and in which a rule had
    // something to check: the other configuration too.
    const assumed = file.recovery?.assumed ?? [];
    if (assumed.length === 0 || ![...functionsWithAssumptions(file, assumed)].some((fn) => checked.has(fn))) return first;
    const other = otherConfiguration(file, this.sourceSettingsFor(request.config, request.fileConfiguration));
    if (!other) return first;
    const functions = functionsWithAssumptions(other, [...file.recovery!.assumed, ...other.recovery!.assumed]);
    if (functions.size === 0) return first;
    const second = checkFile(other, index, settings, { ...options, onlyFunctions: functions });
    return mergeConfigurations(file, other, first, second, functions);
  }
}

/** The project's default switches, with what `base` (the configuration file) says of a name winning. */
function underConfiguration(base: BuildConfiguration, switches: ProjectSwitches): BuildConfiguration {
  const defined = new Map(base.defined);
  for (const name of switches.set) if (!base.undefined.has(name) && !defined.has(name)) defined.set(name, '1');
  for (const name of switches.zero) if (!base.undefined.has(name) && !defined.has(name)) defined.set(name, '0');
  const undefinedNames = new Set(base.undefined);
  for (const name of switches.unset) if (!base.defined.has(name)) undefinedNames.add(name);
  return { defined, undefined: undefinedNames };
}
