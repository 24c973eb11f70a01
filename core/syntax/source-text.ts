/**
 * Turning bytes into analysable text. Kept apart from the file system so the CLI, the LSP server
 * and tests all apply the same rules to binary files and odd encodings.
 */

export type DecodedSource =
  | { ok: true; text: string; warning?: string }
  | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Bytes with a NUL are a binary file, as git and grep decide it. */
export function decodeSource(bytes: Uint8Array): DecodedSource {
  if (bytes.includes(0)) return { ok: false, reason: BINARY };
  try {
    return decodeText(utf8.decode(bytes));
  } catch {
    // Old C sources often carry Latin-1 comments; analysing them beats skipping them.
    const decoded = decodeText(latin1.decode(bytes));
    return decoded.ok ? { ...decoded, warning: 'not valid UTF-8; read as Latin-1' } : decoded;
  }
}

const BINARY = 'binary file (contains NUL bytes), skipped';

/**
 * Decoded text as every entry point analyses it (files, standard input): a NUL makes it binary, a
 * byte-order mark is dropped, lone CRs are line breaks (see loneCrAsLf).
 */
export function decodeText(text: string): DecodedSource {
  if (text.includes('\0')) return { ok: false, reason: BINARY };
  return { ok: true, text: loneCrAsLf(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) };
}

/**
 * The text with each lone CR written as LF, at the same offset. A lone CR ends a line for GCC (and
 * a `//` comment with it) and for LSP clients, but tree-sitter and the line map count only LF: in a
 * file of old Mac line ends every position after the first CR would be off.
 */
export function loneCrAsLf(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/** Line starts, for converting UTF-16 offsets (tree-sitter's indices in Node) to line/column. */
export class LineMap {
  private readonly starts: Uint32Array;
  /** `starts`: the line starts of `text`, when already known (see edited). */
  constructor(
    readonly text: string,
    starts?: Uint32Array,
  ) {
    if (starts) {
      this.starts = starts;
      return;
    }
    // Counted first, then filled: one allocation.
    let count = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
    this.starts = new Uint32Array(count);
    let line = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts[line++] = i + 1;
  }

  /**
   * The map of `text`: this map's text with [start, oldEnd) replaced by `inserted`. Only the
   * inserted text is scanned (the LSP server keeps one map per document through every edit).
   */
  edited(text: string, start: number, oldEnd: number, inserted: string): LineMap {
    const old = this.starts;
    // Lines starting inside the replaced text (after `start`, up to and including `oldEnd`) go.
    let first = this.lineOf(start) + 1;
    let afterRemoved = first;
    while (afterRemoved < old.length && old[afterRemoved]! <= oldEnd) afterRemoved++;
    const added: number[] = [];
    for (let i = inserted.indexOf('\n'); i !== -1; i = inserted.indexOf('\n', i + 1)) added.push(start + i + 1);
    const delta = inserted.length - (oldEnd - start);
    const starts = new Uint32Array(first + added.length + (old.length - afterRemoved));
    starts.set(old.subarray(0, first));
    starts.set(added, first);
    first += added.length;
    for (let i = afterRemoved; i < old.length; i++) starts[first++] = old[i]! + delta;
    return new LineMap(text, starts);
  }
  get lineCount(): number {
    return this.starts.length;
  }
  /** 0-based line of an offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  lineText(line: number): string {
    const start = this.starts[line] ?? this.text.length;
    const next = this.starts[line + 1];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, '');
  }
  /** 1-based span of [start, end) offsets, columns in UTF-16 units like tree-sitter's. */
  span(start: number, end: number): { line: number; column: number; endLine: number; endColumn: number } {
    const line = this.lineOf(start);
    const endLine = this.lineOf(end);
    return { line: line + 1, column: start - this.starts[line]! + 1, endLine: endLine + 1, endColumn: end - this.starts[endLine]! + 1 };
  }
  offsetOf(line: number, column: number): number {
    return (this.starts[line] ?? this.text.length) + column;
  }
}
