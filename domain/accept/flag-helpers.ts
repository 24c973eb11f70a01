import { itemsOf, type FactsProvider } from '../../core/project/provider.js';
import { TRIGGER_REGISTRATIONS } from './trigger-apis.js';

/**
 * Functions that compute an event mask with the edge-triggered flag in it, as a facts provider:
 * `static int epoll_events(…) { return EPOLLHUP | EPOLLERR | EPOLLET | …; }`. A registration whose
 * flags call one (`e.events = epoll_events(i, NULL)`) is edge-triggered. Every `return` of the
 * function must carry the flag.
 */
export interface FlagHelperItem {
  readonly fn: number;
  /** The edge flag every return carries (`EPOLLET`, `EV_CLEAR`, `EV_ET`). */
  readonly flag: string;
}

const EDGE_FLAGS = [...new Set(TRIGGER_REGISTRATIONS.map((r) => r.edgeFlag))];
const RETURN = /\breturn\b([^;]*);/g;

/** Helper name → the edge flag it always returns. */
export const flagHelpersProvider: FactsProvider<FlagHelperItem, ReadonlyMap<string, string>> = {
  id: 'edge-flag-helpers',
  extract(file) {
    const out: FlagHelperItem[] = [];
    // Most files name no edge flag at all: nothing to read function by function.
    if (!EDGE_FLAGS.some((flag) => file.text.includes(flag))) return out;
    file.functionNodes.forEach((node, fn) => {
      const text = file.text.slice(node.startIndex, node.endIndex);
      if (!EDGE_FLAGS.some((flag) => text.includes(flag))) return;
      const returned = [...text.matchAll(RETURN)].map((m) => m[1]!);
      if (returned.length === 0) return;
      const flag = EDGE_FLAGS.find((f) => returned.every((r) => new RegExp(`\\b${f}\\b`).test(r)));
      if (flag) out.push({ fn, flag });
    });
    return out;
  },
  build(index) {
    const helpers = new Map<string, string>();
    for (const { item, functions } of itemsOf(index, flagHelpersProvider)) helpers.set(functions[item.fn]!.name, item.flag);
    return helpers;
  },
};
