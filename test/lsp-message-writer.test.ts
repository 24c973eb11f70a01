import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StreamMessageReader, type Message } from 'vscode-languageserver/node';
import { SingleWriteMessageWriter } from '../server/message-writer.js';

describe('SingleWriteMessageWriter', () => {
  it('writes each message, header and content, in one chunk that a JSON-RPC reader reads back in order', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const writer = new SingleWriteMessageWriter(stream);
    const messages: Message[] = [
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///tmp/ü.c', diagnostics: [{ message: 'fd «leaked»' }] } } as Message,
      { jsonrpc: '2.0', id: 1, result: null } as Message,
    ];
    await Promise.all(messages.map((m) => writer.write(m)));
    expect(chunks).toHaveLength(2);
    const content = JSON.stringify(messages[0]);
    expect(chunks[0]!.toString('utf8')).toBe(`Content-Length: ${Buffer.byteLength(content, 'utf8')}\r\n\r\n${content}`);

    const replay = new PassThrough();
    const read: unknown[] = [];
    new StreamMessageReader(replay).listen((m) => read.push(m));
    replay.end(Buffer.concat(chunks));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(read).toEqual(messages);
  });

  it('reports a failed write as an error of the writer and rejects it', async () => {
    const stream = new PassThrough();
    const writer = new SingleWriteMessageWriter(stream);
    const errors: unknown[] = [];
    writer.onError(([error]) => errors.push(error));
    stream.destroy();
    await expect(writer.write({ jsonrpc: '2.0', id: 2, result: 1 } as Message)).rejects.toThrow();
    expect(errors.length).toBeGreaterThan(0);
  });
});
