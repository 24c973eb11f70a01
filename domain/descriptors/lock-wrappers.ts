import type { FunctionFact } from '../../core/project/facts.js';
import type { ProjectIndex } from '../../core/project/project-index.js';
import type { FactsProvider } from '../../core/project/provider.js';
import { squeeze } from '../../core/syntax/nodes.js';
import { escapeRegExp } from '../../core/util/regexp.js';
import { paramsByFunction, type ParamsItem } from './summaries.js';

/**
 * Project functions that take a lock on a descriptor they are given: uWSGI's
 * `int uwsgi_fcntl_lock(int fd)` (`fcntl(fd, F_SETLKW, &fl)` with `fl.l_type = F_WRLCK`), a
 * `lock_pidfile(int fd)` calling `flock(fd, LOCK_EX | LOCK_NB)`. A descriptor passed to one holds a
 * lock, kept open on purpose for as long as the lock must last (closing it would drop the lock),
 * as when the caller calls flock() itself.
 */

export interface LockingParams {
  /** Does every definition of `name` take a lock on its parameter `index`? */
  locksParam(name: string, index: number): boolean;
}

export const lockingParamsProvider: FactsProvider<ParamsItem, LockingParams> = {
  id: 'locking-params',
  extract(file) {
    const out: ParamsItem[] = [];
    if (!/\b(?:flock|lockf|F_SETLK)/.test(file.text)) return out;
    file.functions.forEach((fact, i) => {
      const body = file.functionNodes[i]!.childForFieldName('body')?.text;
      if (!body || !/\b(?:flock|lockf|F_SETLK)/.test(body)) return;
      const params = lockedParams(fact, body.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' '));
      if (params.length > 0) out.push({ fn: i, params });
    });
    return out;
  },
  build(index: ProjectIndex): LockingParams {
    const byFunction = paramsByFunction(index, lockingParamsProvider);
    return {
      locksParam(name, param) {
        const defs = index.functionsNamed(name);
        return defs.length > 0 && defs.every((d) => byFunction.get(d.fn)?.includes(param));
      },
    };
  },
};

function lockedParams(fact: FunctionFact, body: string): number[] {
  const out: number[] = [];
  // A record lock is taken only with a read or write lock type, and none released in the function.
  const recordLock = /\bF_(?:WR|RD)LCK\b/.test(body) && !/\bF_UNLCK\b/.test(body);
  fact.params.forEach((param, index) => {
    if (!param.name || !/^(?:const\s+)?int$/.test(squeeze(param.type))) return;
    const p = escapeRegExp(param.name);
    const locked =
      new RegExp(`\\bflock\\s*\\(\\s*${p}\\s*,[^;]*\\bLOCK_(?:EX|SH)\\b`).test(body) ||
      new RegExp(`\\blockf(?:64)?\\s*\\(\\s*${p}\\s*,\\s*F_T?LOCK\\b`).test(body) ||
      (recordLock && new RegExp(`\\bfcntl(?:64)?\\s*\\(\\s*${p}\\s*,\\s*F_(?:OFD_)?SETLKW?(?:64)?\\b`).test(body));
    if (locked) out.push(index);
  });
  return out;
}
