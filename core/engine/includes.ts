import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isSourcePath } from '../syntax/language.js';
import { INCLUDE_DIRECTIVE } from '../project/include-graph.js';

/** More headers than this are not followed (a -I of a whole system include tree, say). */
export const MAX_INCLUDED_FILES = 5000;


/**
 * The headers the given files include, directly or through other headers, that are not among
 * them (`known`): `#include "x.h"` looked up beside the including file and then in its include
 * folders, `#include <x.h>` in its include folders only (system headers are not read). Absolute
 * paths, in the order found. What makes a header's macros (`#define NET_ERR -1`) and functions
 * known when it lies outside the files analysed, e.g. in another folder given with -I.
 */
export function includedHeaders(files: readonly string[], known: ReadonlySet<string>, includeDirsOf: (file: string) => readonly string[]): string[] {
  const seen = new Set(known);
  const found: string[] = [];
  const queue = [...files];
  while (queue.length > 0 && found.length < MAX_INCLUDED_FILES) {
    const file = queue.shift()!;
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    const dirs = includeDirsOf(file);
    for (const [, bracket, name] of text.matchAll(INCLUDE_DIRECTIVE)) {
      const candidates = [...(bracket === '"' ? [dirname(file)] : []), ...dirs].map((dir) => resolve(dir, name!.trim()));
      const header = candidates.find((c) => isRegularFile(c));
      if (!header || seen.has(header) || !isSourcePath(header)) continue;
      seen.add(header);
      found.push(header);
      queue.push(header);
    }
  }
  return found;
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
