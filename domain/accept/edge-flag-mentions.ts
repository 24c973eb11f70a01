import { blankComments } from '../../core/syntax/c-text.js';
import type { FactsProvider, ProvidedItem } from '../../core/project/provider.js';

/**
 * Where a program names an edge-triggered mode at all: `EPOLLET`, libevent's `EV_ET`, kqueue's
 * `EV_CLEAR` on a descriptor (not in an `EV_SET` of a timer, user, signal, process or vnode event,
 * which are no descriptors). A program that never does registers no listener edge-triggered, so
 * `edgeTriggered: ask` need not question its listeners: whatever connlint could not follow, it is
 * level-triggered. Mentions in comments (`e.events = EPOLLIN; // | EPOLLET`) do not count; those in
 * code another platform's build compiles do (the check errs towards asking).
 */
export interface EdgeFlagMention extends ProvidedItem {
  readonly flag: string;
}

const EDGE_FLAG = /\b(EPOLLET|EV_ET|EV_CLEAR)\b/g;
const NON_DESCRIPTOR_FILTER = /\bEVFILT_(?:TIMER|USER|SIGNAL|PROC|PROCDESC|VNODE|FS|MACHPORT|EXCEPT)\b/;

export const edgeFlagMentionsProvider: FactsProvider<EdgeFlagMention, boolean> = {
  id: 'edge-flag-mentions',
  extract(file) {
    if (!/\b(?:EPOLLET|EV_ET|EV_CLEAR)\b/.test(file.text)) return [];
    const code = blankComments(file.text);
    const seen = new Set<string>();
    const out: EdgeFlagMention[] = [];
    for (const m of code.matchAll(EDGE_FLAG)) {
      const at = m.index!;
      if (m[1] === 'EV_CLEAR' && onOtherKqueueFilter(code, at)) continue;
      const fn = file.functionNodes.findIndex((node) => node.startIndex <= at && at < node.endIndex);
      // The LSP's re-extraction of some functions gives their items only; the file's are kept.
      if (fn < 0 && file.partial) continue;
      const key = `${fn}:${m[1]}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ fn, flag: m[1]! });
    }
    return out;
  },
  /** Does the program name an edge-triggered mode anywhere? */
  build(index) {
    return index.files.some((f) => (f.provided?.[edgeFlagMentionsProvider.id]?.length ?? 0) > 0);
  },
};

/** `EV_SET(&kev, id, EVFILT_TIMER, EV_ADD | EV_CLEAR, …)`: the statement around `at` registers no descriptor. */
function onOtherKqueueFilter(code: string, at: number): boolean {
  const start = code.lastIndexOf('EV_SET', at);
  if (start < 0 || code.slice(start, at).includes(';')) return false;
  const end = code.indexOf(';', at);
  return NON_DESCRIPTOR_FILTER.test(code.slice(start, end < 0 ? code.length : end));
}
