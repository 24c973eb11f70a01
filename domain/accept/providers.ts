import type { FactsProvider } from '../../core/project/provider.js';
import { acceptWrappersProvider } from './accept-wrappers.js';
import { registrationsProvider } from './registrations.js';
import { invalidMacrosProvider } from '../descriptors/summaries.js';
import { checkWrappersProvider } from '../descriptors/check-wrappers.js';
import { flagHelpersProvider } from './flag-helpers.js';
import { equalityAliasesProvider } from './equality-aliases.js';
import { retryHelpersProvider } from './retry-helpers.js';
import { edgeFlagMentionsProvider } from './edge-flag-mentions.js';

/** What the accept analyses read from the project besides the generic facts: wrappers, registrations, helpers that compute edge-triggered masks, arguments equal to another descriptor, helpers that retry a call on EAGAIN, whether the program names an edge-triggered mode at all, names for invalid descriptors, functions that only test a descriptor's flags (what invalidity.ts reads). */
export const ACCEPT_PROVIDERS: readonly FactsProvider[] = [acceptWrappersProvider, registrationsProvider, flagHelpersProvider, equalityAliasesProvider, invalidMacrosProvider, checkWrappersProvider, retryHelpersProvider, edgeFlagMentionsProvider];
