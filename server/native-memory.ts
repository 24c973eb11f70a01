import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * tree-sitter trees live in native memory that V8 does not see: a 5,000-line file's tree is a few
 * MB outside a JS heap of a few MB, so V8 rarely collects, and the dropped trees of a busy editing
 * session pile up (hundreds of MB; bench/lsp-latency.mjs shows it). A long-running server asks for
 * a collection itself once enough text has been parsed since the last one.
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

/** Characters parsed (full or incremental) between collections: ~16 bytes of tree per character. */
const BUDGET_CHARS = 2_000_000;

export class NativeMemory {
  private parsedChars = 0;
  private pending = false;

  /** A tree was built over `chars` characters of text. */
  noteParsed(chars: number): void {
    this.parsedChars += chars;
  }

  /** Collects soon (after the current turn: never in the middle of a reply) when over budget. */
  collectIfDue(force = false): void {
    if (this.pending || (!force && this.parsedChars < BUDGET_CHARS)) return;
    const gc = gcFunction();
    if (!gc) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.parsedChars = 0;
      gc();
    });
  }
}
