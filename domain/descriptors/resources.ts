import { ACQUIRE_FUNCTIONS, BORROW_FUNCTIONS, RELEASE_FUNCTIONS, type AcquireFunction, type HandleKind } from '../catalog/posix.js';
import type { FunctionSettings } from '../../core/engine/config.js';
import type { AnalysisSettings, FileAnalysis } from '../../core/engine/settings.js';
import { macrosIn, type MacroScope } from '../../core/project/macro-table.js';

/**
 * The resource catalog merged with configuration: which calls acquire, release or merely borrow a
 * handle. Project functions are added from the index (summaries) by the rules that need them.
 */
export interface ResourceCatalog {
  acquire(name: string): AcquireFunction | undefined;
  release(name: string): HandleKind | undefined;
  /** Which argument a release call closes (its first), when `name` releases. */
  releasedArg(name: string): number | undefined;
  isBorrow(name: string): boolean;
  /** Configured to take ownership: overrides summaries that would say "borrow". */
  isTake(name: string): boolean;
  /** Does the call hand argument `argIndex` to the function it stands for? (A macro alias may drop it.) */
  forwardsArg(name: string, argIndex: number): boolean;
  /** The release call to suggest for a kind of handle. */
  releaseFor(kind: HandleKind): string;
}

export function resourceCatalog(functions: FunctionSettings): ResourceCatalog {
  const acquires = new Map<string, AcquireFunction>(ACQUIRE_FUNCTIONS.map((f) => [f.name, f]));
  for (const name of functions.acquire) acquires.set(name, { name, kind: 'descriptor', minArgs: 0 });
  const releases = new Map<string, HandleKind>(RELEASE_FUNCTIONS.map((f) => [f.name, f.kind]));
  for (const name of functions.release) releases.set(name, 'descriptor');
  const borrows = new Set([...BORROW_FUNCTIONS, ...functions.borrow]);
  const takes = new Set(functions.take);
  for (const name of takes) borrows.delete(name);
  return {
    acquire: (name) => acquires.get(name),
    release: (name) => releases.get(name),
    releasedArg: (name) => (releases.has(name) ? 0 : undefined),
    isBorrow: (name) => borrows.has(name),
    isTake: (name) => takes.has(name),
    forwardsArg: () => true,
    releaseFor: (kind) => (kind === 'descriptor' ? 'close' : kind === 'stream' ? 'fclose' : 'closedir'),
  };
}

const catalogs = new WeakMap<FunctionSettings, ResourceCatalog>();

/** The resource catalog under a file's settings (one per configuration, built once). */
export function resourcesFor(settings: Pick<AnalysisSettings, 'functions'>): ResourceCatalog {
  let catalog = catalogs.get(settings.functions);
  if (!catalog) {
    catalog = resourceCatalog(settings.functions);
    catalogs.set(settings.functions, catalog);
  }
  return catalog;
}

const scopeCatalogs = new WeakMap<MacroScope, Map<FunctionSettings, ResourceCatalog>>();

/**
 * The resource catalog as function `fn` of a file sees it: names that are macro aliases of
 * catalog functions there (`#define xs_socket socket`, `#define sclose(x) close(x)`, in a header
 * or earlier in the file) answer as their targets, with argument positions moved to the macro's own.
 */
export function resourcesOf(ctx: FileAnalysis, fn: number): ResourceCatalog {
  const macros = macrosIn(ctx.file, ctx.index, fn);
  let byConfig = scopeCatalogs.get(macros);
  if (!byConfig) scopeCatalogs.set(macros, (byConfig = new Map()));
  let catalog = byConfig.get(ctx.settings.functions);
  if (!catalog) {
    catalog = macros.aliases.size === 0 ? resourcesFor(ctx.settings) : withAliases(resourcesFor(ctx.settings), macros);
    byConfig.set(ctx.settings.functions, catalog);
  }
  return catalog;
}

function withAliases(base: ResourceCatalog, macros: MacroScope): ResourceCatalog {
  // A catalog function keeps its meaning when a project redefines its name (curl's debug build:
  // `#define fopen(f, m) curl_dbg_fopen(f, m, __LINE__, __FILE__)`): only other names are aliases.
  const known = (name: string) => base.acquire(name) !== undefined || base.release(name) !== undefined || base.isBorrow(name) || base.isTake(name);
  const resolve = (name: string): { name: string; args?: readonly number[] } => (known(name) ? { name } : macros.resolveAlias(name));
  /** The call's argument that is the target's argument `i` (undefined: an expression, or none). */
  const callArg = (args: readonly number[] | undefined, i: number | undefined): number | undefined => {
    if (i === undefined) return undefined;
    if (!args) return i;
    const a = args[i];
    return a === undefined || a < 0 ? undefined : a;
  };
  return {
    acquire(name) {
      const { name: target, args } = resolve(name);
      const spec = base.acquire(target);
      if (!spec || target === name) return spec;
      const outArrayArg = callArg(args, spec.outArrayArg);
      const whenArg = callArg(args, spec.when?.arg);
      // A condition or out-array argument the macro computes cannot be checked: not an acquire.
      if ((spec.outArrayArg !== undefined && outArrayArg === undefined) || (spec.when && whenArg === undefined)) return undefined;
      return { ...spec, name, outArrayArg, when: spec.when && { ...spec.when, arg: whenArg! }, takesArg: callArg(args, spec.takesArg), duplicatesArg: callArg(args, spec.duplicatesArg) };
    },
    release: (name) => base.release(resolve(name).name),
    releasedArg(name) {
      const { name: target, args } = resolve(name);
      return callArg(args, base.releasedArg(target));
    },
    isBorrow: (name) => base.isBorrow(resolve(name).name),
    isTake: (name) => base.isTake(resolve(name).name),
    forwardsArg(name, argIndex) {
      const { name: target, args } = resolve(name);
      // Only an alias of a catalog function is known to drop an argument.
      return !args || !known(target) || args.includes(argIndex) || args.includes(-1);
    },
    releaseFor: (kind) => base.releaseFor(kind),
  };
}
