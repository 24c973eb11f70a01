import type { ProjectIndex } from '../../core/project/project-index.js';
import { itemsOf, type FactsProvider, type ProvidedItem } from '../../core/project/provider.js';
import { callArguments, calleeName, callsIn, squeeze, unwrap } from '../../core/syntax/nodes.js';
import { RELEASE_FUNCTIONS } from '../catalog/posix.js';

/**
 * C++ classes whose destructor (or another method) closes a member: `struct ioFD { int FD; ~ioFD() { if (FD >= 0)
 * close(FD); } };` (XRootD keeps such helpers next to the code using them). A descriptor stored in
 * that member of a local object (`ioFD In; In.FD = open(…)`) is closed when the object goes out of
 * scope, on every way out of the function, like one held by a cleanup attribute in C.
 */
export interface DestructorReleases {
  /** Does a destructor of class `className` close its member `field`? */
  closesMember(className: string, field: string): boolean;
  /**
   * The other methods of class `className` that close its member `field` (nosh's `void
   * logger::close(const char *name) { … ::close(current_fd) … }`): another method calling one
   * unqualified (`close(name_u);`, which C++ finds in the class before the C library) closes it.
   */
  methodsClosing(className: string, field: string): readonly string[];
}

interface DestructorItem extends ProvidedItem {
  readonly className: string;
  /** The method's name; the destructor's starts with `~`. */
  readonly method: string;
  readonly fields: readonly string[];
}

const RELEASES = new Set(RELEASE_FUNCTIONS.map((f) => f.name));
const RELEASE_CALL = new RegExp(`\\b(?:${[...RELEASES].join('|')})\\s*\\(`);

export const destructorReleasesProvider: FactsProvider<DestructorItem, DestructorReleases> = {
  id: 'destructor-releases',
  extract(file) {
    const out: DestructorItem[] = [];
    if (file.language !== 'cpp') return out;
    file.functions.forEach((fact, i) => {
      if (fact.className === undefined || fact.isLambda) return;
      const body = file.functionNodes[i]?.childForFieldName('body');
      // (Most methods close nothing: their text says so without a walk of the tree.)
      if (!body || !RELEASE_CALL.test(file.text.slice(body.startIndex, body.endIndex))) return;
      const fields = new Set<string>();
      for (const call of callsIn(body)) {
        const name = calleeName(call)?.replace(/^::/, '');
        if (!name || !RELEASES.has(name)) continue;
        // `close(FD)`, `::close(this->fd_)`, `fclose(fp)`: the member, by its own name.
        const arg = squeeze(unwrap(callArguments(call)[0] ?? call).text).replace(/^this->/, '');
        if (/^[A-Za-z_]\w*$/.test(arg)) fields.add(arg);
      }
      if (fields.size > 0) out.push({ fn: i, className: fact.className.replace(/^.*::/, ''), method: fact.name, fields: [...fields] });
    });
    return out;
  },
  build(index: ProjectIndex): DestructorReleases {
    const byClass = new Map<string, Set<string>>();
    const methods = new Map<string, string[]>();
    for (const { item } of itemsOf(index, destructorReleasesProvider)) {
      if (!item.method.startsWith('~')) {
        for (const field of item.fields) {
          const key = `${item.className}::${field}`;
          const list = methods.get(key) ?? [];
          if (!list.includes(item.method)) list.push(item.method);
          methods.set(key, list);
        }
        continue;
      }
      const set = byClass.get(item.className) ?? new Set<string>();
      for (const field of item.fields) set.add(field);
      byClass.set(item.className, set);
    }
    return {
      closesMember: (className, field) => byClass.get(className)?.has(field) === true,
      methodsClosing: (className, field) => methods.get(`${className}::${field}`) ?? [],
    };
  },
};
