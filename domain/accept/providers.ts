import type { FactsProvider } from '../../core/project/provider.js';
import { acceptWrappersProvider } from './accept-wrappers.js';
import { registrationsProvider } from './registrations.js';

/** What the accept analyses read from the project besides the generic facts: wrappers and registrations. */
export const ACCEPT_PROVIDERS: readonly FactsProvider[] = [acceptWrappersProvider, registrationsProvider];
