import { readdirSync } from 'node:fs';
import { basename, dirname, sep } from 'node:path';

/**
 * File names that are not UTF-8 (`caf\xe9.c` from a Latin-1 system). Node names files with
 * strings, which cannot hold such bytes: a name read as a string no longer opens. connlint shows
 * each one with its odd bytes as octal escapes, as git does (`caf\351.c`), and opens it by its
 * bytes through this table (absolute shown path → absolute path as bytes). Worker threads get a
 * copy of the table with their files.
 */
const rawPaths = new Map<string, Buffer>();

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A name as shown: its UTF-8, with each byte that is not part of a valid sequence as `\ooo`. */
export function shownName(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    let out = '';
    let i = 0;
    while (i < bytes.length) {
      const lead = bytes[i]!;
      const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xf0 && lead < 0xf5 ? 4 : 0;
      if (length > 0 && i + length <= bytes.length) {
        try {
          out += strictUtf8.decode(bytes.subarray(i, i + length));
          i += length;
          continue;
        } catch {
          // not a valid sequence: escaped below
        }
      }
      out += `\\${lead.toString(8).padStart(3, '0')}`;
      i++;
    }
    return out;
  }
}

/** What to give `fs` for an absolute path connlint shows: the bytes, for a name that is not UTF-8. */
export function fsPath(absolute: string): string | Buffer {
  if (rawPaths.size === 0) return absolute;
  return rawPaths.get(absolute) ?? absolute;
}

/** The names of a folder's entries as shown, remembering how to open those that are not UTF-8. */
export function entriesOf(dir: string): { name: string; isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean }[] {
  const dirBytes = fsPath(dir);
  return readdirSync(dirBytes, { withFileTypes: true, encoding: 'buffer' }).map((entry) => {
    const raw = entry.name as unknown as Buffer;
    const name = shownName(raw);
    if (name !== raw.toString('utf8') || typeof dirBytes !== 'string') {
      const prefix = typeof dirBytes === 'string' ? Buffer.from(dirBytes, 'utf8') : dirBytes;
      rawPaths.set(`${dir.endsWith(sep) ? dir : dir + sep}${name}`, Buffer.concat([prefix, Buffer.from(prefix.at(-1) === 0x2f ? '' : sep), raw]));
    }
    return { name, isDirectory: () => entry.isDirectory(), isFile: () => entry.isFile(), isSymbolicLink: () => entry.isSymbolicLink() };
  });
}

/**
 * The file an argument names when it does not exist as written: the shell passed a name that is
 * not UTF-8 to Node, which decoded it with U+FFFD for each odd byte (or the user copied the name
 * as connlint shows it, `caf\351.c`). The one entry of its folder it can stand for, if exactly one.
 */
export function argumentFile(absolute: string): string | undefined {
  const name = basename(absolute);
  if (!name.includes('\ufffd') && !/\\[0-7]{3}/.test(name)) return undefined;
  let entries;
  try {
    entries = entriesOf(dirname(absolute));
  } catch {
    return undefined;
  }
  const lossy = (shown: string) => shown.replace(/(?:\\[0-7]{3})+/g, (run) => '\ufffd'.repeat(run.length / 4));
  const matches = entries.filter((e) => e.name === name || lossy(e.name) === name);
  return matches.length === 1 ? `${dirname(absolute)}${sep}${matches[0]!.name}` : undefined;
}

/** The table, to hand to a worker thread. */
export function rawPathTable(): [string, Uint8Array][] {
  return [...rawPaths];
}

/** Adds a table made elsewhere (the main thread's, in a worker). */
export function addRawPaths(table: readonly (readonly [string, Uint8Array])[]): void {
  for (const [shown, raw] of table) rawPaths.set(shown, Buffer.from(raw));
}
