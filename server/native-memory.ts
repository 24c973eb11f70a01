import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * tree-sitter trees live in native memory that V8 does not see: a 5,000-line file's tree is a few
 * MB outside a JS heap of a few MB, and node-tree-sitter does not report it (no
 * napi_adjust_external_memory). Left alone, V8 rarely collects and the dropped trees of a busy
 * editing session pile up (hundreds of MB). Forcing full collections instead costs 5-40 ms each
 * with a workspace's facts on the heap, and an edit that arrives meanwhile waits for it.
 *
 * So the server tells V8 how much each tree holds: every tree is paired with a buffer of
 * about its native size, which V8 counts as external memory and schedules its own (incremental,
 * concurrent) collections by. The buffer is never written, so it costs address space, not RAM.
 * A full collection is forced only when a document closes.
 */
let collect: (() => void) | undefined;

function gcFunction(): (() => void) | undefined {
  if (collect) return collect;
  try {
    // The standard way to reach V8's collector without a command-line flag.
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  } catch {
    collect = undefined;
  }
  return collect;
}

/**
 * Native bytes of a tree per character of its text, measured on real C (memcached.c, redis
 * module.c, nginx): a tree parsed from scratch holds 13-22; a tree re-parsed incrementally from
 * the previous one shares every unchanged subtree with it and holds only what the parser rebuilt,
 * 0.6-2.4 per character of the whole text. Counting the full size for each re-parse told V8 that
 * every keystroke made 2-3 MB of garbage, so it ran a full collection every 30 or so edits (pauses
 * of 4-13 ms, some in the middle of a check). Counting less lets garbage pile up longer between
 * collections (bench/lsp-latency.mjs, 10,000 edits): at 2 per character the server's RSS rose 11 %;
 * at 6 it swung between 165 and 198 MB; at 10 it stayed between 165 and 180 MB, and full
 * collections came a third less often than at 16 (4 instead of 6 in 200 edits). (Measured when every
 * edit re-parsed the document; most edits now parse one function, tracked by that function's length.)
 */
const FRESH_TREE_BYTES_PER_CHAR = 16;
const REPARSED_TREE_BYTES_PER_CHAR = 10;

export class NativeMemory {
  /** Each tracked tree's stand-in for its native memory; freed with the tree. */
  private readonly weights = new WeakMap<object, Buffer>();
  private pending = false;

  /** A tree was built over `chars` characters of text, from scratch or re-parsed from an older tree. */
  track(tree: object, chars: number, how: 'fresh' | 'reparsed'): void {
    const perChar = how === 'fresh' ? FRESH_TREE_BYTES_PER_CHAR : REPARSED_TREE_BYTES_PER_CHAR;
    // Uninitialized: nothing writes to it, so it costs neither a memset nor resident pages.
    this.weights.set(tree, Buffer.allocUnsafeSlow(chars * perChar));
  }

  /** Collects now-unreachable trees right after the current turn (never in the middle of a reply): a document was closed. */
  collectSoon(): void {
    const gc = gcFunction();
    if (!gc || this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      gc();
    });
  }
}
