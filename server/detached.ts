/**
 * Long-lived data that keeps no document text alive. V8 makes a slice of 13 or more characters a
 * view of the string it was cut from, so a function's qualified name or a call's argument text read
 * from a document keeps the whole text (hundreds of KB) alive as long as the fact holding it. The
 * server keeps facts for a long time: every workspace file's (each kept its file's text), and in an
 * editing session each function's facts from the version it was last edited in (one version of
 * the document per function edited since: ten versions of memcached.c alive after 200 bench edits;
 * on a 20,000-line file, up to hundreds of MB).
 */

/** Slices shorter than this are copies already (V8's SlicedString::kMinLength). */
const SHORTEST_VIEW = 13;

/** A copy of a slice that does not keep the whole text it came from alive. */
export function ownCopy(slice: string): string {
  return Buffer.from(slice, 'utf16le').toString('utf16le');
}

/** Replaces, in place, every string of 13 or more characters in plain objects and arrays by its own copy; returns `value`. */
export function detached<T>(value: T): T {
  const visit = (holder: Record<string | number, unknown>) => {
    for (const key of Object.keys(holder)) {
      const item = holder[key];
      if (typeof item === 'string') {
        if (item.length >= SHORTEST_VIEW) holder[key] = ownCopy(item);
      } else if (item !== null && typeof item === 'object') visit(item as Record<string | number, unknown>);
    }
  };
  if (value !== null && typeof value === 'object') visit(value as Record<string | number, unknown>);
  return value;
}
