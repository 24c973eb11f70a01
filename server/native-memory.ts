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

/** Characters parsed (full or incremental) before a collection is wanted: ~16 bytes of tree per character. */
const BUDGET_CHARS = 2_000_000;
/** Past this, collect even while the user is typing (memory stays bounded under a steady stream of edits). */
const CEILING_CHARS = 4 * BUDGET_CHARS;
/** A collection waits for a pause this long in the server's work: a full GC takes 5-15 ms, which an edit should not wait for. */
const IDLE_MS = 300;

export class NativeMemory {
  private parsedChars = 0;
  private pending = false;
  private idleTimer: NodeJS.Timeout | undefined;

  /** A tree was built over `chars` characters of text. */
  noteParsed(chars: number): void {
    this.parsedChars += chars;
  }

  /**
   * Called when a piece of work is done. Over budget, a collection runs once the server has been
   * idle for a moment (each call pushes it back); over the ceiling, right after the current turn
   * (never in the middle of a reply). `force`: a document was closed, collect now.
   */
  collectIfDue(force = false): void {
    if (this.pending || (!force && this.parsedChars < BUDGET_CHARS)) return;
    if (force || this.parsedChars >= CEILING_CHARS) {
      this.collectSoon();
      return;
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.collectSoon(), IDLE_MS);
    this.idleTimer.unref();
  }

  private collectSoon(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const gc = gcFunction();
    if (!gc || this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.parsedChars = 0;
      gc();
    });
  }
}
