import { basename, dirname, resolve } from 'node:path';
import type { FileFacts } from './facts.js';
import { isInactive } from '../syntax/inactive-branches.js';

/** An `#include` line: [, `<` or `"`, the name as written]. Also read by core/engine/includes.ts. */
export const INCLUDE_DIRECTIVE = /^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]/gm;

/**
 * The `#include`s of a file outside inactive branches, as written: `"net.h"` or `<proj/net.h>`.
 * Kept in the file's facts so the index knows which headers' macros a translation unit sees.
 */
export function includeNames(text: string, inactive: readonly (readonly [number, number])[]): string[] {
  if (!text.includes('include')) return [];
  const names: string[] = [];
  for (const m of text.matchAll(INCLUDE_DIRECTIVE)) {
    if (isInactive(inactive, m.index)) continue;
    const name = m[2]!.trim();
    names.push(m[1] === '"' ? `"${name}"` : `<${name}>`);
  }
  return names;
}

/**
 * Which of the project's files each file includes, directly or through others. An include is
 * resolved against the files the index knows — not the file system, so the LSP server's unsaved
 * documents count and nothing depends on the order files were given in: `"x.h"` beside the
 * including file first, then any known file whose path ends in the name, the one sharing the
 * longest folder prefix with the includer winning (ties: the path that sorts first). `<x.h>`
 * without a folder is a system header.
 */
export class IncludeGraph {
  private readonly includesOf = new Map<string, string[]>();
  private readonly filesByBase = new Map<string, string[]>();
  private readonly known = new Set<string>();
  private readonly reached = new Map<string, readonly string[]>();

  constructor(files: Iterable<FileFacts>) {
    for (const file of files) {
      // The LSP's piece tables hold a document's functions without its file-level facts.
      const list = this.includesOf.get(file.path);
      if (file.includes && file.includes.length > 0) this.includesOf.set(file.path, list ? [...list, ...file.includes] : [...file.includes]);
      if (this.known.has(file.path)) continue;
      this.known.add(file.path);
      const base = basename(file.path);
      const same = this.filesByBase.get(base);
      if (same) same.push(file.path);
      else this.filesByBase.set(base, [file.path]);
    }
    for (const paths of this.filesByBase.values()) paths.sort();
  }

  /** The known file `name` (`"x.h"` or `<x.h>`) stands for in `from`, if any. */
  resolve(from: string, name: string): string | undefined {
    const quoted = name.startsWith('"');
    const written = name.slice(1, -1);
    if (quoted) {
      const beside = resolve(dirname(from), written);
      if (this.known.has(beside)) return beside;
    }
    const tail = written.replace(/^(\.\.?\/)+/, '');
    // `<stdio.h>` is the system's, even where a project has a compat header of that name.
    if (!quoted && !tail.includes('/')) return undefined;
    let best: string | undefined;
    let bestShared = -1;
    for (const path of this.filesByBase.get(basename(tail)) ?? []) {
      if (path !== tail && !path.endsWith(`/${tail}`)) continue;
      const shared = sharedPrefix(path, from);
      if (shared > bestShared) {
        best = path;
        bestShared = shared;
      }
    }
    return best;
  }

  /**
   * `path` and the known files it includes, directly or not, in the order a preprocessor meets
   * them (depth first, each once).
   */
  reachable(path: string): readonly string[] {
    let order = this.reached.get(path);
    if (order) return order;
    const found: string[] = [];
    const seen = new Set<string>([path]);
    // Own stack: include chains in generated code can be deep.
    const stack: { file: string; next: number }[] = [{ file: path, next: 0 }];
    found.push(path);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const names = this.includesOf.get(top.file) ?? [];
      if (top.next >= names.length) {
        stack.pop();
        continue;
      }
      const header = this.resolve(top.file, names[top.next++]!);
      if (header === undefined || seen.has(header)) continue;
      seen.add(header);
      found.push(header);
      stack.push({ file: header, next: 0 });
    }
    order = found;
    this.reached.set(path, order);
    return order;
  }
}

/** Characters of folder path `a` and `b` share from the start, whole folders only. */
function sharedPrefix(a: string, b: string): number {
  let slash = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n && a[i] === b[i]; i++) if (a[i] === '/') slash = i + 1;
  return slash;
}
