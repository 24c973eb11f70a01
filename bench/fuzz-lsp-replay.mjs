#!/usr/bin/env node
// Replays what the language server's fuzzing sent for one failed document (bench/fuzz-lsp.mjs
// writes FILE.sent.json): a fresh server, the document opened, every edit and invalid message in
// order, then its last diagnostics compared with the engine's findings on the final text.
//   node bench/fuzz-lsp-replay.mjs bench/.cache/fuzz-failures/lsp-seed23-82.c.sent.json
// Exit 0: the server agrees with the engine (the failure needs what came before it in the run);
// 1: it does not (a reproducer on its own).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { diagnosticKey, engineFindings, invalidMessages, startLanguageServer } from './fuzz-lsp.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/fuzz-lsp-replay.mjs FILE.sent.json');
  process.exit(2);
}
const sent = JSON.parse(readFileSync(file, 'utf8'));
const { TextDocument } = await import('vscode-languageserver-textdocument');
const expectedOf = await engineFindings(ROOT);
const dir = mkdtempSync(join(tmpdir(), 'connlint-lsp-replay-'));
const { server, connection, publishes } = await startLanguageServer(ROOT, dir, 'replay');
server.stderr.pipe(process.stderr);
const frame = (body) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const INVALID = invalidMessages((text) => server.stdin.write(text), frame, connection, () => 7);

const [{ open, path: originalPath }, ...steps] = sent;
const path = join(dir, basename(originalPath));
const uri = pathToFileURL(path).href;
let doc = TextDocument.create(uri, 'c', 1, open);
await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: path.endsWith('.cpp') ? 'cpp' : 'c', version: 1, text: open } });
for (const step of steps) {
  if ('invalid' in step) {
    await INVALID[step.invalid](uri);
    await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }).catch(() => {});
    continue;
  }
  doc = TextDocument.update(doc, [{ range: step.range, text: step.text }], step.version);
  await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: step.version }, contentChanges: [{ range: step.range, text: step.text }] });
}
if (Buffer.byteLength(doc.getText(), 'utf8') > 1024 * 1024) await connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
const deadline = Date.now() + 60_000;
while (publishes.get(uri)?.version !== doc.version && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
const got = (publishes.get(uri)?.diagnostics ?? []).map(diagnosticKey).sort();
const expected = expectedOf(path, doc.getText(), dir).sort();
const same = JSON.stringify(got) === JSON.stringify(expected);
console.log(`${same ? 'same' : 'DIFFERENT'}: server ${JSON.stringify(got)}\n      engine ${JSON.stringify(expected)}`);
server.kill();
rmSync(dir, { recursive: true, force: true });
process.exit(same ? 0 : 1);
