import type { FileAnalysis } from '../../core/engine/settings.js';
import type { MacroExpression } from '../../core/project/facts.js';
import { macrosIn } from '../../core/project/macro-table.js';
import { invalidMacrosProvider } from './summaries.js';
import { checkWrappersProvider, withCheckWrappers } from './check-wrappers.js';

/**
 * What a project says about invalid descriptors, in one place for every analysis that reads a
 * failure test (fd-leak's ownership, the accept rules' handle flow): names it defines for -1
 * (`#define SOCK_BAD -1`, `INVALID_SOCKET`), its integer macros, and its test macros
 * (`#define SOCK_INVALID(s) ((s) < 0)`) and functions that only test a descriptor's flags (check-wrappers.ts), so `SOCK_BAD == msgsock` reads as a failed accept
 * everywhere alike.
 */
export interface InvalidityKnowledge {
  readonly invalidNames: ReadonlyMap<string, string>;
  readonly constants: ReadonlyMap<string, string>;
  readonly expressions: ReadonlyMap<string, MacroExpression>;
}

/** The knowledge that applies inside function `fn` of the file (its macros are those above it). */
export function invalidityKnowledge(ctx: FileAnalysis, fn: number): InvalidityKnowledge {
  const macros = macrosIn(ctx.file, ctx.index, fn);
  return { invalidNames: ctx.index.derived(invalidMacrosProvider), constants: macros.constants, expressions: withCheckWrappers(macros.expressions, ctx.index.derived(checkWrappersProvider)) };
}
