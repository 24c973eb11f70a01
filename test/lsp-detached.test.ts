import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { detached, ownCopy } from '../server/detached.js';

describe('detached (server/detached.ts)', () => {
  it('copies every long string of plain objects and arrays in place; short strings, numbers and shapes stay', () => {
    const text = `${'int f(void) { return accept(listen_fd, (struct sockaddr *)&addr, &len); }\n'.repeat(10)}`;
    const at = (part: string) => text.slice(text.indexOf(part), text.indexOf(part) + part.length);
    const facts = { path: text.slice(0, 30), calls: [{ callee: at('accept'), args: [at('listen_fd'), at('(struct sockaddr *)&addr')], line: 1, inLoop: false }], empty: [], nothing: null };
    const same = detached(facts);
    expect(same).toBe(facts);
    expect(facts).toEqual({ path: text.slice(0, 30), calls: [{ callee: 'accept', args: ['listen_fd', '(struct sockaddr *)&addr'], line: 1, inLoop: false }], empty: [], nothing: null });
    expect(ownCopy('héllo wörld, 😀 and more')).toBe('héllo wörld, 😀 and more');
  });

  it('facts made detached keep no document text alive; facts holding slices do', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Twenty 2 MB "documents", each with a fact sliced from it; the documents themselves are dropped.
    const factsOfDocuments = (detach: boolean) =>
      Array.from({ length: 20 }, (_, i) => {
        const text = new Array(200_000).fill(`line ${i} of it;`.padEnd(10, ' ').slice(0, 10)).join('');
        const fact = { qualifiedName: text.slice(100, 140), args: [text.slice(200, 230)] };
        return detach ? detached(fact) : fact;
      });
    const heldBy = (detach: boolean) => {
      gc();
      const before = getHeapStatistics().used_heap_size;
      const kept = factsOfDocuments(detach);
      gc();
      const grown = getHeapStatistics().used_heap_size - before;
      expect(kept).toHaveLength(20);
      return grown;
    };
    const MB = 1024 * 1024;
    expect(heldBy(false)).toBeGreaterThan(30 * MB);
    expect(heldBy(true)).toBeLessThan(5 * MB);
  });
});
