import { NO_RETURN_FUNCTIONS } from '../../domain/catalog/posix.js';
import type { ResolvedConfig } from './config.js';
import { defaultAcceptFunctions } from '../project/facts.js';
import { resourceCatalog, type ResourceCatalog } from '../../domain/descriptors/resources.js';

/** Catalog plus configuration, in the shape the engine consults while analysing one file. */
export interface AnalysisSettings {
  readonly noReturn: ReadonlySet<string>;
  /** accept-like functions: name → listener argument (catalog + config; wrappers come from the index). */
  readonly acceptFunctions: ReadonlyMap<string, number>;
  readonly headerLanguage: 'auto' | 'c' | 'cpp';
  readonly resources: ResourceCatalog;
}

export function settingsFor(config: ResolvedConfig): AnalysisSettings {
  return {
    noReturn: new Set([...NO_RETURN_FUNCTIONS, ...config.functions.noReturn]),
    acceptFunctions: defaultAcceptFunctions(config.functions.acceptWrappers),
    headerLanguage: config.headerLanguage,
    resources: resourceCatalog(config.functions),
  };
}
