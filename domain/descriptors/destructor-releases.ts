import type { ProjectIndex } from '../../core/project/project-index.js';
import { itemsOf, type FactsProvider, type ProvidedItem } from '../../core/project/provider.js';
import { callArguments, calleeName, callsIn, squeeze, unwrap } from '../../core/syntax/nodes.js';
import { RELEASE_FUNCTIONS } from '../catalog/posix.js';

/**
 * C++ classes whose destructor closes a member: `struct ioFD { int FD; ~ioFD() { if (FD >= 0)
 * close(FD); } };` (XRootD keeps such helpers next to the code using them). A descriptor stored in
 * that member of a local object (`ioFD In; In.FD = open(…)`) is closed when the object goes out of
 * scope, on every way out of the function, like one held by a cleanup attribute in C.
 */
export interface DestructorReleases {
  /** Does a destructor of class `className` close its member `field`? */
  closesMember(className: string, field: string): boolean;
}

interface DestructorItem extends ProvidedItem {
  readonly className: string;
  readonly fields: readonly string[];
}

const RELEASES = new Set(RELEASE_FUNCTIONS.map((f) => f.name));

export const destructorReleasesProvider: FactsProvider<DestructorItem, DestructorReleases> = {
  id: 'destructor-releases',
  extract(file) {
    const out: DestructorItem[] = [];
    if (file.language !== 'cpp' || !file.text.includes('~')) return out;
    file.functions.forEach((fact, i) => {
      if (!fact.name.startsWith('~') || fact.className === undefined) return;
      const body = file.functionNodes[i]?.childForFieldName('body');
      if (!body) return;
      const fields = new Set<string>();
      for (const call of callsIn(body)) {
        const name = calleeName(call)?.replace(/^::/, '');
        if (!name || !RELEASES.has(name)) continue;
        // `close(FD)`, `::close(this->fd_)`, `fclose(fp)`: the member, by its own name.
        const arg = squeeze(unwrap(callArguments(call)[0] ?? call).text).replace(/^this->/, '');
        if (/^[A-Za-z_]\w*$/.test(arg)) fields.add(arg);
      }
      if (fields.size > 0) out.push({ fn: i, className: fact.className.replace(/^.*::/, ''), fields: [...fields] });
    });
    return out;
  },
  build(index: ProjectIndex): DestructorReleases {
    const byClass = new Map<string, Set<string>>();
    for (const { item } of itemsOf(index, destructorReleasesProvider)) {
      const set = byClass.get(item.className) ?? new Set<string>();
      for (const field of item.fields) set.add(field);
      byClass.set(item.className, set);
    }
    return { closesMember: (className, field) => byClass.get(className)?.has(field) === true };
  },
};
