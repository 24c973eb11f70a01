import type { AnalysisSettings } from '../../core/engine/settings.js';
import type { FunctionSettings } from '../../core/engine/config.js';
import { itemsOf, type FactsProvider } from '../../core/project/provider.js';
import { ACCEPT_FUNCTIONS } from '../catalog/posix.js';

/**
 * Accept wrappers as a facts provider: a project function that returns the result of accept()
 * (or of a configured accept-like function) on one of its parameters accepts connections too; its
 * call sites are accept sites, with that parameter as the listener.
 */
export interface AcceptWrapperItem {
  readonly fn: number;
  /** The parameter holding the listening descriptor. */
  readonly listenerParam: number;
}

const acceptFunctionMaps = new WeakMap<FunctionSettings, ReadonlyMap<string, number>>();

/** accept-like functions under a file's settings: name → listener argument (catalog + configuration). */
export function acceptFunctionsFor(settings: Pick<AnalysisSettings, 'functions'>): ReadonlyMap<string, number> {
  let map = acceptFunctionMaps.get(settings.functions);
  if (!map) {
    const m = new Map<string, number>();
    for (const f of [...ACCEPT_FUNCTIONS, ...settings.functions.acceptWrappers]) m.set(f.name, f.listenerArg);
    map = m;
    acceptFunctionMaps.set(settings.functions, map);
  }
  return map;
}

/** Accept wrappers in any file: function name → listener parameter. */
export const acceptWrappersProvider: FactsProvider<AcceptWrapperItem, ReadonlyMap<string, number>> = {
  id: 'accept-wrappers',
  extract(file) {
    const acceptFunctions = acceptFunctionsFor(file.settings as AnalysisSettings);
    const byFunction = new Map<number, number>();
    for (const call of file.calls) {
      const listenerArg = acceptFunctions.get(call.callee);
      if (listenerArg === undefined || call.fn < 0) continue;
      const fact = file.functions[call.fn]!;
      if (!fact.returnsCallOf?.includes(call.callee)) continue;
      const param = fact.params.findIndex((p) => p.name === call.args[listenerArg]);
      if (param >= 0) byFunction.set(call.fn, param);
    }
    return [...byFunction].map(([fn, listenerParam]) => ({ fn, listenerParam }));
  },
  build(index) {
    const wrappers = new Map<string, number>();
    for (const { item, functions } of itemsOf(index, acceptWrappersProvider)) wrappers.set(functions[item.fn]!.name, item.listenerParam);
    return wrappers;
  },
};
