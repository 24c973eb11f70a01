import { NO_RETURN_FUNCTIONS } from '../flow/no-return.js';
import type { FactsProvider } from '../project/provider.js';
import type { ProjectIndex } from '../project/project-index.js';
import type { SourceFile } from '../project/source-file.js';
import type { BuildConfiguration, FunctionSettings, ResolvedConfig } from './config.js';

/** Configuration in the shape the engine consults while analysing one file. */
export interface AnalysisSettings {
  readonly noReturn: ReadonlySet<string>;
  readonly headerLanguage: 'auto' | 'c' | 'cpp';
  /**
   * The configuration's function lists (acquire, release, accept wrappers, …): read by the domain
   * catalogs (domain/), which the engine knows nothing of.
   */
  readonly functions: FunctionSettings;
  /** The facts providers of the rules being run (see core/project/provider.ts). */
  readonly providers: readonly FactsProvider[];
  /** `defines` / `undefines` of the configuration file. */
  readonly configuration: BuildConfiguration;
}

export function settingsFor(config: ResolvedConfig, providers: readonly FactsProvider[] = []): AnalysisSettings {
  return {
    noReturn: new Set([...NO_RETURN_FUNCTIONS, ...config.functions.noReturn]),
    headerLanguage: config.headerLanguage,
    functions: config.functions,
    providers,
    configuration: config.configuration,
  };
}

/**
 * What an analysis of one file works from: the file, the project index and the settings. Domain
 * analyses (accept sites, trigger modes, ownership) take this, never a rule's context; a rule
 * passes its own (RuleContext extends it).
 */
export interface FileAnalysis {
  readonly file: SourceFile;
  readonly index: ProjectIndex;
  readonly settings: AnalysisSettings;
}
