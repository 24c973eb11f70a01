import type { FactsProvider, ProvidedItem } from '../../core/project/provider.js';
import { itemsOf } from '../../core/project/provider.js';
import { closing } from '../../core/syntax/c-text.js';

export interface CloseAllItem extends ProvidedItem {
  readonly name: string;
}

/**
 * Project functions that close every descriptor in a range of numbers: a loop over a counter that
 * closes the counter (amanda's `safe_fd()`: `for (fd = 0; fd < FD_SETSIZE; fd++) … close(fd);`,
 * sparing the ranges and descriptors it is given; `for (fd = getdtablesize(); fd > 2; fd--)
 * close(fd);`). A call of one closes what the caller holds, unless the caller hands the handle to
 * it (one of the descriptors it spares): the same as `closefrom()`.
 */
export const closeAllFunctionsProvider: FactsProvider<CloseAllItem, ReadonlySet<string>> = {
  id: 'close-all-functions',
  extract(file) {
    const items: CloseAllItem[] = [];
    file.functionNodes.forEach((fnNode, i) => {
      const body = fnNode.childForFieldName('body')?.text;
      if (body && body.includes('close') && closesEveryNumber(body)) items.push({ fn: i, name: file.functions[i]!.name });
    });
    return items;
  },
  build(index) {
    return new Set([...itemsOf(index, closeAllFunctionsProvider)].map(({ item }) => item.name));
  },
};

/** `for (v = …; v < …; v++)` (or counting down with `>`): the counter, and where the loop's head ends. */
const COUNTER_LOOP = /\bfor\s*\(\s*(?:(?:int|long|unsigned|register)\s+)*([A-Za-z_]\w*)\s*=[^;]*;\s*\1\s*[<>]=?[^;]*;[^)]*\)/g;

/** Does the body hold a counting loop whose own statement closes the counter (`close(fd)`, `(void) close(i)`)? */
function closesEveryNumber(body: string): boolean {
  for (const m of body.matchAll(COUNTER_LOOP)) {
    const after = m.index + m[0].length;
    const open = /^\s*\{/.exec(body.slice(after, after + 200));
    const end = open ? closing(body, after + open[0].length - 1) : body.indexOf(';', after) + 1;
    if (end <= after) continue;
    if (new RegExp(`\\bclose\\s*\\(\\s*${m[1]}\\s*\\)`).test(body.slice(after, end))) return true;
  }
  return false;
}
