import { ACQUIRE_FUNCTIONS, BORROW_FUNCTIONS, RELEASE_FUNCTIONS, type AcquireFunction, type HandleKind } from '../catalog/posix.js';
import type { FunctionSettings } from '../../core/engine/config.js';
import type { AnalysisSettings } from '../../core/engine/settings.js';

/**
 * The resource catalog merged with configuration: which calls acquire, release or merely borrow a
 * handle. Project functions are added from the index (summaries) by the rules that need them.
 */
export interface ResourceCatalog {
  acquire(name: string): AcquireFunction | undefined;
  release(name: string): HandleKind | undefined;
  isBorrow(name: string): boolean;
  /** Configured to take ownership: overrides summaries that would say "borrow". */
  isTake(name: string): boolean;
  /** The release call to suggest for a kind of handle. */
  releaseFor(kind: HandleKind): string;
}

export function resourceCatalog(functions: FunctionSettings): ResourceCatalog {
  const acquires = new Map<string, AcquireFunction>(ACQUIRE_FUNCTIONS.map((f) => [f.name, f]));
  for (const name of functions.acquire) acquires.set(name, { name, kind: 'descriptor' });
  const releases = new Map<string, HandleKind>(RELEASE_FUNCTIONS.map((f) => [f.name, f.kind]));
  for (const name of functions.release) releases.set(name, 'descriptor');
  const borrows = new Set([...BORROW_FUNCTIONS, ...functions.borrow]);
  const takes = new Set(functions.take);
  for (const name of takes) borrows.delete(name);
  return {
    acquire: (name) => acquires.get(name),
    release: (name) => releases.get(name),
    isBorrow: (name) => borrows.has(name),
    isTake: (name) => takes.has(name),
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
