#!/usr/bin/env node
// A large document in the language server (issue 21, item 12): while a ~5 MB C document is opened
// and typed in, how long do requests about another document wait? Runs the built server twice —
// with connlint.largeDocumentBytes at its default (the large document is checked in a background
// thread when opened and saved) and at 0 (checked as typed, in the server's thread, as before) —
// and prints, per run: hover latencies on a small document (median and worst of 20, sent every
// 250 ms from the moment the large one is opened, while 10 edits are typed into it), the time
// until the large document's diagnostics arrive, and the server's peak resident memory.
//
//   node bench/lsp-large-document.mjs [--mb 5]
//
// Input: the samples' and fixtures' C files repeated (functions renamed per copy) up to the size.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const args = process.argv.slice(2);
const MB = Number(args[args.indexOf('--mb') + 1] ?? 5) || 5;

const sources = [];
const collect = (dir) => {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path);
    else if (extname(entry) === '.c') sources.push(readFileSync(path, 'utf8'));
  }
};
collect(join(ROOT, 'samples'));
collect(join(ROOT, 'test', 'fixtures'));
let large = '';
for (let copy = 0; large.length < MB * 1024 * 1024; copy++) {
  for (const text of sources) large += `\n/* copy ${copy} */\n${text.replace(/\b([a-z_]\w*)\s*\(/g, (m, name) => (/^(open|close|accept|socket|read|write|epoll_\w+|fcntl|pipe|fopen|fclose|return|if|for|while|switch|sizeof)$/.test(name) ? m : `${name}_${copy}(`))}`;
}

async function run(largeDocumentBytes) {
  const dir = mkdtempSync(join(tmpdir(), 'connlint-large-'));
  const largeFile = join(dir, 'large.c');
  const smallFile = join(dir, 'small.c');
  writeFileSync(largeFile, large);
  writeFileSync(smallFile, 'int small(void) { return 0; }\n');
  const server = spawn(process.execPath, [join(ROOT, 'bin', 'connlint-lsp.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  const published = new Map();
  connection.onNotification('textDocument/publishDiagnostics', (p) => published.set(p.uri, performance.now()));
  connection.onRequest('workspace/configuration', () => [{ largeDocumentBytes }]);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.onNotification('window/showMessage', () => {});
  connection.onNotification('window/logMessage', () => {});
  connection.onNotification('$/progress', () => {});
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'w' }], capabilities: { workspace: { configuration: true } } });
  await connection.sendNotification('initialized', {});
  await new Promise((r) => setTimeout(r, 1000));
  const smallUri = pathToFileURL(smallFile).href;
  const largeUri = pathToFileURL(largeFile).href;
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: smallUri, languageId: 'c', version: 1, text: readFileSync(smallFile, 'utf8') } });
  let peak = 0;
  const sampler = setInterval(() => {
    const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
    peak = Math.max(peak, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  }, 100);
  const opened = performance.now();
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: largeUri, languageId: 'c', version: 1, text: large } });
  const hovers = [];
  for (let i = 0; i < 20; i++) {
    if (i < 10) await connection.sendNotification('textDocument/didChange', { textDocument: { uri: largeUri, version: 2 + i }, contentChanges: [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: ' ' }] });
    const sent = performance.now();
    await connection.sendRequest('textDocument/hover', { textDocument: { uri: smallUri }, position: { line: 0, character: 5 } });
    hovers.push(performance.now() - sent);
    await new Promise((r) => setTimeout(r, 250));
  }
  while (!published.has(largeUri) && performance.now() - opened < 300_000) await new Promise((r) => setTimeout(r, 100));
  clearInterval(sampler);
  const sorted = [...hovers].sort((a, b) => a - b);
  server.kill();
  rmSync(dir, { recursive: true, force: true });
  return { median: sorted[10], worst: sorted.at(-1), diagnostics: published.has(largeUri) ? published.get(largeUri) - opened : NaN, peak };
}

console.log(`large document: ${(Buffer.byteLength(large) / 1024 / 1024).toFixed(1)} MB, ${large.split('\n').length} lines`);
for (const [label, bytes] of [['largeDocumentBytes default (1 MiB)', 1024 * 1024], ['largeDocumentBytes 0 (checked as typed)', 0]]) {
  const r = await run(bytes);
  console.log(`${label}: hover on another document median ${r.median.toFixed(0)} ms, worst ${r.worst.toFixed(0)} ms; large document's diagnostics after ${(r.diagnostics / 1000).toFixed(1)} s; peak RSS ${r.peak.toFixed(0)} MB`);
}
process.exit(0);
