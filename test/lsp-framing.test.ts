import { describe, expect, it } from 'vitest';
import { FrameGuard, MAX_MESSAGE_BYTES } from '../server/framing.js';

/** What the guard passes on and logs for `chunks` written one by one. */
async function through(chunks: string[]): Promise<{ out: string; logs: string[] }> {
  const logs: string[] = [];
  const guard = new FrameGuard((m) => logs.push(m));
  const parts: Buffer[] = [];
  guard.on('data', (d: Buffer) => parts.push(d));
  for (const chunk of chunks) guard.write(Buffer.from(chunk, 'utf8'));
  guard.end();
  await new Promise((resolve) => guard.on('end', resolve));
  return { out: Buffer.concat(parts).toString('utf8'), logs };
}

const frame = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const A = frame('{"jsonrpc":"2.0","method":"a","params":{"text":"é Content-Length: 3\\r\\n\\r\\n"}}');
const B = frame('{"jsonrpc":"2.0","method":"b"}');

describe('FrameGuard: the framing of LSP messages', () => {
  it('passes well-framed messages through unchanged, whatever the chunking (a header or body split anywhere)', async () => {
    const all = A + 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n' + B;
    for (const at of [1, 7, 18, 20, 40, all.length - 1]) {
      expect(await through([all.slice(0, at), all.slice(at)])).toEqual({ out: all, logs: [] });
    }
  });

  it.each([
    ['Content-Length: abc\r\n\r\n{}', 'Content-Length "abc" is not a number'],
    ['Content-Lenght: 2\r\n\r\n{}', 'a header with no Content-Length'],
    ['garbage\r\n\r\n', `a header line that is not 'Name: value' ("garbage")`],
    [`Content-Length: ${MAX_MESSAGE_BYTES + 1}\r\n\r\n`, `Content-Length ${MAX_MESSAGE_BYTES + 1} is over ${MAX_MESSAGE_BYTES} bytes`],
  ])('skips %j to the next Content-Length, with one line saying why and how much', async (bad, why) => {
    const bytes = Buffer.byteLength(bad);
    const expected = { out: A + B, logs: [`connlint-lsp: skipped ${bytes} bytes of input: ${why}; reading on at the next Content-Length header`] };
    expect(await through([A, bad, B])).toEqual(expected);
    // Arriving byte by byte, the skipping is the same.
    expect(await through([A, ...bad.split(''), B])).toEqual(expected);
  });

  it('a header that never ends is skipped once past 64 KiB', async () => {
    const { out, logs } = await through([A, 'x'.repeat(70_000), B]);
    expect(out).toBe(A + B);
    expect(logs).toEqual(['connlint-lsp: skipped 70000 bytes of input: a header with no end; reading on at the next Content-Length header']);
  });
});
