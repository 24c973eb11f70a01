// The language server's fuzzing (`npm run fuzz -- --lsp`, see bench/fuzz.mjs). One server runs for
// the whole run, over stdio. Each iteration opens a document with a mutant's text, sends 1-20
// random edits (ranges anywhere, text from the corpus, deletions, line breaks), mixed with invalid
// messages (a broken header, JSON that is not JSON-RPC, a change with a fractional position, a
// hover on a position of a string), and checks:
//   - the server answers a request after each invalid message (it neither died nor went deaf);
//   - the diagnostics published for the last version equal the CLI's findings on the final text
//     (rule, range, message), analysed fresh by the same engine (a document over 1 MiB is saved
//     first: it is checked when saved);
//   - its resident memory does not grow: sampled every 100 documents (each closed after its check).
// Failures are written to --out as the final text and what failed.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function fuzzLsp(ROOT, options, inputs) {
  const { TextDocument } = await import('vscode-languageserver-textdocument');
  const { decodeSource } = await import(join(ROOT, 'dist/core/syntax/source-text.js'));
  const { pick, int, corpus, tokens, mutate } = inputs;
  const expectedOf = await engineFindings(ROOT);

  const dir = mkdtempSync(join(tmpdir(), 'connlint-fuzz-lsp-'));
  const { server, connection, publishes, waiters } = await startLanguageServer(ROOT, dir, 'fuzz');
  let stderr = '';
  server.stderr.on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
  let exited;
  server.on('exit', (code, signal) => (exited = `code ${code}, signal ${signal}`));
  // After the server is gone, nothing is sent (the connection would throw): the failure says why.
  const alive = () => exited === undefined;

  server.stdin.on('error', () => {});
  const raw = (text) => alive() && server.stdin.write(text);
  const frame = (body) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const INVALID = invalidMessages(raw, frame, connection, int);
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const memory = [];
  const waitForPublish = (uri, version) =>
    new Promise((resolve) => {
      const started = Date.now();
      const check = () => {
        const p = publishes.get(uri);
        if (p && p.version === version) resolve(p);
        else if (Date.now() - started > options.maxMs || server.exitCode !== null) resolve(undefined);
        else {
          waiters.push(check);
          setTimeout(check, 200);
        }
      };
      check();
    });

  let failures = 0;
  let edits = 0;
  const started = Date.now();
  for (let i = 1; i <= options.iterations; i++) {
    const base = pick(corpus);
    const decoded = decodeSource(mutate(base.text).bytes);
    const initial = decoded.ok ? decoded.text : base.text;
    const path = join(dir, `doc${i}${base.path.endsWith('.cpp') ? '.cpp' : '.c'}`);
    const uri = pathToFileURL(path).href;
    let doc = TextDocument.create(uri, 'c', 1, initial);
    const notify = async (method, params) => {
      try {
        if (alive()) await connection.sendNotification(method, params);
      } catch {
        // closed under us: the exit is the failure
      }
    };
    await notify('textDocument/didOpen', { textDocument: { uri, languageId: path.endsWith('.cpp') ? 'cpp' : 'c', version: 1, text: initial } });
    let problem;
    const count = 1 + int(20);
    // What was sent, to replay a failure (bench/fuzz-lsp-replay.mjs).
    const sent = [{ open: initial, path }];
    for (let e = 0; e < count && !problem && alive(); e++) {
      const text = doc.getText();
      const a = int(text.length + 1);
      const b = Math.min(text.length, a + (int(3) === 0 ? int(200) : int(8)));
      const other = pick(corpus).text;
      const all = tokens(other);
      const inserted = pick([() => '', () => '\n', () => '\r\n', () => (all.length ? other.slice(...pick(all)) : 'x'), () => other.slice(int(other.length), int(other.length) + int(120)), () => ' return 0; '])();
      const range = { start: doc.positionAt(a), end: doc.positionAt(b) };
      doc = TextDocument.update(doc, [{ range, text: inserted }], doc.version + 1);
      edits++;
      await notify('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges: [{ range, text: inserted }] });
      sent.push({ version: doc.version, range, text: inserted });
      if (int(10) === 0) {
        const invalid = int(INVALID.length);
        sent.push({ invalid });
        await INVALID[invalid](uri);
        const hover = async () => {
          try {
            await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
          } catch {
            // an error answer is an answer; a closed connection shows as the exit
          }
          return true;
        };
        const answered = alive() && (await Promise.race([hover(), new Promise((r) => setTimeout(() => r(false), options.maxMs))]));
        if (!answered) problem = 'no answer to a request after an invalid message';
      }
    }
    // A document over connlint.largeDocumentBytes (default 1 MiB) is checked when saved, not as typed.
    if (!problem && Buffer.byteLength(doc.getText(), 'utf8') > 1024 * 1024) await notify('textDocument/didSave', { textDocument: { uri } });
    if (!problem) {
      const published = await waitForPublish(uri, doc.version);
      if (!published) problem = server.exitCode !== null ? `the server exited (${server.exitCode}): ${stderr.slice(-500)}` : `no diagnostics for the last version within ${options.maxMs} ms`;
      else {
        const expected = expectedOf(path, doc.getText(), dir);
        const got = published.diagnostics.map(diagnosticKey);
        if (JSON.stringify([...got].sort()) !== JSON.stringify([...expected].sort())) problem = `diagnostics differ from the CLI's: got ${JSON.stringify(got).slice(0, 400)}, expected ${JSON.stringify(expected).slice(0, 400)}`;
      }
    }
    await notify('textDocument/didClose', { textDocument: { uri } });
    publishes.delete(uri);
    if (!alive()) problem = `the server exited (${exited}): ${stderr.slice(-1500)}`;
    if (/\n\s+at .*:\d+:\d+\)/.test(stderr)) problem ??= `stack trace on stderr: ${stderr.slice(-600)}`;
    if (problem) {
      failures++;
      mkdirSync(options.out, { recursive: true });
      const file = join(options.out, `lsp-seed${options.seed}-${i}${path.endsWith('.cpp') ? '.cpp' : '.c'}`);
      writeFileSync(file, doc.getText());
      writeFileSync(`${file}.txt`, `#${i} ${base.path}, ${count} edits\n${problem}\n`);
      writeFileSync(`${file}.sent.json`, JSON.stringify(sent));
      console.log(`FAIL #${i} ${base.path}: ${problem}`);
      if (!alive()) break;
    }
    if (i % 100 === 0) memory.push(rss());
    if (i % 200 === 0) console.log(`${i} documents, ${edits} edits, ${failures} failures, ${Math.round((Date.now() - started) / 1000)} s, RSS ${Math.round(memory.at(-1))} MB`);
  }
  // Memory flat: the last samples no higher than the early ones allow for (collections make a sawtooth).
  const early = memory.slice(0, 3);
  const late = memory.slice(-3);
  if (memory.length >= 6 && Math.min(...late) > Math.max(...early) * 1.5) {
    failures++;
    console.log(`FAIL memory grows: ${memory.map((m) => Math.round(m)).join(', ')} MB every 100 documents`);
  }
  if (alive()) {
    await connection.sendRequest('shutdown').catch(() => {});
    await connection.sendNotification('exit').catch(() => {});
  }
  server.kill();
  rmSync(dir, { recursive: true, force: true });
  const range = memory.length > 0 ? `; RSS ${Math.round(Math.min(...memory))}-${Math.round(Math.max(...memory))} MB` : '';
  console.log(`fuzz --lsp: seed ${options.seed}, ${options.iterations} documents, ${edits} edits, ${failures} failures${range}`);
  return failures;
}

/** Invalid messages, each followed by a request that must be answered (shared with bench/fuzz-lsp-replay.mjs). */
export function invalidMessages(raw, frame, connection, int) {
  return [
    () => raw(`Content-Length: x${int(100)}\r\n\r\n{}`),
    () => raw(`Content-Lenght: 2\r\n\r\n{}`),
    () => raw(frame('{"jsonrpc":"2.0","method":')),
    () => raw(frame('[1,2,3]')),
    (uri) => raw(frame(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri, version: 1e9 }, contentChanges: [{ range: { start: { line: 0.5, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }] } }))),
    (uri) => raw(frame(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'c', version: 1, text: 42 } } }))),
    async (uri) => {
      try {
        await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 'x', character: 0 } });
      } catch {
        // InvalidParams, as it should be
      }
    },
  ];
}

/** A language server on stdio, initialised with `dir` as its workspace; its diagnostics by URI as published. */
export async function startLanguageServer(ROOT, dir, name) {
  const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = await import('vscode-jsonrpc/node');
  const server = spawn(process.execPath, [join(ROOT, 'bin', 'connlint-lsp.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  server.stdin.on('error', () => {});
  const connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  const publishes = new Map();
  const waiters = [];
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    publishes.set(p.uri, p);
    for (const w of waiters.splice(0)) w();
  });
  for (const method of ['window/logMessage', 'window/showMessage', '$/progress']) connection.onNotification(method, () => {});
  connection.onRequest('workspace/configuration', () => [{}]);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('client/registerCapability', () => null);
  connection.listen();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name }], capabilities: { workspace: { configuration: true } } });
  await connection.sendNotification('initialized', {});
  return { server, connection, publishes, waiters };
}

const rangeKey = (rule, r, message) => `${rule} ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${message}`;

/** A published diagnostic as the fuzzers compare it. */
export const diagnosticKey = (d) => rangeKey(d.code, d.range, d.message);

/**
 * The fuzzers' oracle: the engine's findings on a document's final text, as the CLI reads a file
 * (nothing when it is binary or past a limit such as a 5,000-character name).
 */
export async function engineFindings(ROOT) {
  const { analyzeSources } = await import(join(ROOT, 'dist/core/engine/session.js'));
  const { ALL_RULES } = await import(join(ROOT, 'dist/rules/index.js'));
  const { emptyConfig } = await import(join(ROOT, 'dist/core/engine/config.js'));
  const { decodeSource } = await import(join(ROOT, 'dist/core/syntax/source-text.js'));
  const { textLimitProblem } = await import(join(ROOT, 'dist/core/syntax/text-limits.js'));
  return (path, text, dir) => {
    if (!decodeSource(Buffer.from(text, 'utf8')).ok || textLimitProblem(text)) return [];
    return analyzeSources([{ path, text }], { rules: ALL_RULES, config: emptyConfig(dir) })
      .filter((f) => f.location.file === path)
      .map((f) => rangeKey(f.ruleId, { start: { line: f.location.line - 1, character: f.location.column - 1 }, end: { line: f.location.endLine - 1, character: f.location.endColumn - 1 } }, f.message));
  };
}
