import type { FactsProvider } from '../../core/project/provider.js';
import { checkWrappersProvider } from './check-wrappers.js';
import { closeAllFunctionsProvider } from './close-all-functions.js';
import { destructorReleasesProvider } from './destructor-releases.js';
import { keptReturnsProvider } from './kept-returns.js';
import { lockingParamsProvider } from './lock-wrappers.js';
import { pairFillersProvider } from './pair-fillers.js';
import { successTakersProvider } from './success-takers.js';
import { borrowedParamsProvider, cleanupMacrosProvider, invalidMacrosProvider } from './summaries.js';

/** What the descriptor analyses read from the project besides the generic facts. */
export const DESCRIPTOR_PROVIDERS: readonly FactsProvider[] = [borrowedParamsProvider, invalidMacrosProvider, cleanupMacrosProvider, checkWrappersProvider, lockingParamsProvider, keptReturnsProvider, destructorReleasesProvider, pairFillersProvider, closeAllFunctionsProvider, successTakersProvider];
