/** Appends `value` to the list `map` keeps under `key` (a map of lists, built in one pass). */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
