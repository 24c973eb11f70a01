import type { FactsProvider } from '../../core/project/provider.js';
import { acceptWrappersProvider } from './accept-wrappers.js';
import { registrationsProvider } from './registrations.js';
import { invalidMacrosProvider } from '../descriptors/summaries.js';
import { flagHelpersProvider } from './flag-helpers.js';

/** What the accept analyses read from the project besides the generic facts: wrappers, registrations, helpers that compute edge-triggered masks, names for invalid descriptors. */
export const ACCEPT_PROVIDERS: readonly FactsProvider[] = [acceptWrappersProvider, registrationsProvider, flagHelpersProvider, invalidMacrosProvider];
