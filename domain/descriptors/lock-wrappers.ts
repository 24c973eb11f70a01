import type { FunctionFact } from '../../core/project/facts.js';
import type { ProjectIndex } from '../../core/project/project-index.js';
import type { FactsProvider } from '../../core/project/provider.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { callArguments, calleeName, callsIn, squeeze, unwrap } from '../../core/syntax/nodes.js';
import { markedInEveryDefinition, type ParamsItem } from './summaries.js';

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
      const fnNode = file.functionNodes[i]!;
      if (!/\b(?:flock|lockf|F_SETLK)/.test(fnNode.text)) return;
      const params = lockedParams(fact, fnNode);
      if (params.length > 0) out.push({ fn: i, params });
    });
    return out;
  },
  build(index: ProjectIndex): LockingParams {
    return { locksParam: markedInEveryDefinition(index, lockingParamsProvider) };
  },
};

/** The parameters a function takes a lock on: a call in its body that `takesLock` with the parameter first. */
function lockedParams(fact: FunctionFact, fnNode: SyntaxNode): number[] {
  const body = fnNode.childForFieldName('body');
  if (!body) return [];
  const out = new Set<number>();
  for (const call of callsIn(body)) {
    const name = calleeName(call)?.replace(/^::/, '');
    if (!name || !LOCKING_CALLS.has(name)) continue;
    const args = callArguments(call);
    const index = fact.params.findIndex((p) => p.name !== '' && p.name === squeeze(unwrap(args[0] ?? call).text) && /^(?:const\s+)?int$/.test(squeeze(p.type)));
    if (index >= 0 && takesLock(name, args, () => fnNode.text)) out.add(index);
  }
  return [...out];
}

const LOCKING_CALLS = new Set(['flock', 'lockf', 'lockf64', 'fcntl', 'fcntl64', 'setsockopt']);

/**
 * A lock taken (not released, not tested) on the descriptor, the call's first argument:
 * `flock(fd, LOCK_EX)`, `lockf(fd, F_TLOCK, 0)`, `fcntl(fd, F_SETLK, &fl)` with a write or read
 * lock; or a multicast group joined on the socket (`setsockopt(s, IPPROTO_IPV6, IPV6_JOIN_GROUP,
 * …)`), a membership that lasts only while the socket is open (rpcbind keeps its socket for that,
 * its close commented out). `functionText`: the enclosing function's text, read only for fcntl.
 */
export function takesLock(name: string, args: readonly SyntaxNode[], functionText: () => string): boolean {
  if (name === 'setsockopt') return MULTICAST_JOIN.test(squeeze(args[2]?.text ?? ''));
  const command = squeeze(args[1]?.text ?? '');
  if (name === 'flock') return /\bLOCK_(?:EX|SH)\b/.test(command);
  // `lockf(fd, 1, 0)` (djb's lock_ex): F_LOCK and F_TLOCK are 1 and 2 in every C library.
  if (name === 'lockf' || name === 'lockf64') return /^(?:F_T?LOCK|[12])$/.test(command);
  if (name === 'fcntl' || name === 'fcntl64') {
    if (!/^F_(?:OFD_)?SETLKW?(?:64)?$/.test(command)) return false;
    // `fl.l_type = F_UNLCK` before it releases, not takes.
    const fn = functionText();
    return !/\bF_UNLCK\b/.test(fn) || /\bF_(?:WR|RD)LCK\b/.test(fn);
  }
  return false;
}

const MULTICAST_JOIN = /^(?:IP_ADD_MEMBERSHIP|IP_ADD_SOURCE_MEMBERSHIP|IPV6_JOIN_GROUP|IPV6_ADD_MEMBERSHIP|MCAST_JOIN_GROUP|MCAST_JOIN_SOURCE_GROUP)$/;
