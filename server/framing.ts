import { Transform, type TransformCallback } from 'node:stream';

/** A message longer than this is taken for a broken header (a client would not send one). */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

const HEADER_END = Buffer.from('\r\n\r\n', 'ascii');
const CONTENT_LENGTH = /^content-length$/i;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*)$/;

/**
 * Between the client's byte stream and the JSON-RPC reader: passes well-framed messages through
 * unchanged and skips a malformed header (`Content-Length: abc`, a misspelt name, a length past
 * MAX_MESSAGE_BYTES) to the next `Content-Length` that starts a well-formed one, saying so through
 * `log`. The reader alone stops reading for good at such a header: the server stays alive but
 * answers nothing again, and the editor never restarts it.
 */
export class FrameGuard extends Transform {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of the body still to pass through unchecked. */
  private bodyLeft = 0;
  /** Skipping to the next `Content-Length`: why, and how many bytes so far. */
  private skipping: { why: string; dropped: number } | undefined;

  constructor(private readonly log: (message: string) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.drain();
    done();
  }

  private drain(): void {
    for (;;) {
      if (this.bodyLeft > 0) {
        const part = this.buffer.subarray(0, this.bodyLeft);
        if (part.length === 0) return;
        this.push(part);
        this.bodyLeft -= part.length;
        this.buffer = this.buffer.subarray(part.length);
        continue;
      }
      if (this.buffer.length === 0) return;
      if (this.skipping && !this.resync()) return;
      const end = this.buffer.indexOf(HEADER_END);
      if (end < 0) {
        // A header is short: this much without its end is not one.
        if (this.buffer.length > 64 * 1024) this.skip('a header with no end');
        else return;
        continue;
      }
      const length = contentLength(this.buffer.subarray(0, end).toString('latin1'));
      if (typeof length === 'string') {
        this.skip(length);
        continue;
      }
      this.push(this.buffer.subarray(0, end + HEADER_END.length));
      this.buffer = this.buffer.subarray(end + HEADER_END.length);
      this.bodyLeft = length;
      // A zero-length body is the reader's to report.
      if (length === 0) continue;
    }
  }

  /** Starts skipping at the header at the start of the buffer, which is not one. */
  private skip(why: string): void {
    this.skipping = { why, dropped: 1 };
    this.buffer = this.buffer.subarray(1);
  }

  /** Drops bytes up to the next `Content-Length`, keeping a tail that may start one: is one there? */
  private resync(): boolean {
    const skipping = this.skipping!;
    const next = indexOfIgnoringCase(this.buffer, 'content-length');
    const dropped = next < 0 ? Math.max(0, this.buffer.length - ('content-length'.length - 1)) : next;
    skipping.dropped += dropped;
    this.buffer = this.buffer.subarray(dropped);
    if (next < 0) return false;
    this.log(`connlint-lsp: skipped ${skipping.dropped} bytes of input: ${skipping.why}; reading on at the next Content-Length header`);
    this.skipping = undefined;
    return true;
  }
}

/** The header's content length, or why the header is not one. */
function contentLength(header: string): number | string {
  let length: number | string = 'a header with no Content-Length';
  for (const line of header.split('\r\n')) {
    const m = HEADER_LINE.exec(line);
    if (!m) return `a header line that is not 'Name: value' (${JSON.stringify(line.slice(0, 40))})`;
    if (!CONTENT_LENGTH.test(m[1]!)) continue;
    const value = m[2]!.trim();
    if (!/^\d{1,10}$/.test(value)) return `Content-Length ${JSON.stringify(value.slice(0, 40))} is not a number`;
    length = Number(value);
    if (length > MAX_MESSAGE_BYTES) return `Content-Length ${value} is over ${MAX_MESSAGE_BYTES} bytes`;
  }
  return length;
}

/** The first `content-length` as clients write it (any of three casings). */
function indexOfIgnoringCase(buffer: Buffer, ascii: string): number {
  const lower = buffer.indexOf(ascii, 0, 'latin1');
  const title = buffer.indexOf('Content-Length', 0, 'latin1');
  const upper = buffer.indexOf(ascii.toUpperCase(), 0, 'latin1');
  const found = [lower, title, upper].filter((i) => i >= 0);
  return found.length > 0 ? Math.min(...found) : -1;
}
