/**
 * `compute` run once per object, the answer kept for as long as the object lives (a WeakMap):
 * per-function analyses ask the same question of a CFG node, edge or graph once per handle.
 */
export function perObject<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (cache.has(key)) return cache.get(key)!;
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}
