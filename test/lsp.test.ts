import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Hover, TextEdit } from 'vscode-languageserver-protocol';
import { analyzeSources } from '../core/engine/session.js';
import { emptyConfig } from '../core/engine/config.js';
import { ALL_RULES } from '../rules/index.js';
import { FULL_CAPABILITIES, LspClient, ROOT, scratchCopy, summary, uriOf } from './lsp-client.js';

const SAMPLE_DIR = join(ROOT, 'samples', 'incident-003-accept-loop');
const BAD = readFileSync(join(SAMPLE_DIR, 'bad_server.cpp'), 'utf8');
// bad_server.cpp line 41 (1-based): "                return;  // BUG: ..."; 'return;' spans columns 17-24.
const RETURN_LINE = 40;
const RETURN_RANGE = { start: { line: RETURN_LINE, character: 16 }, end: { line: RETURN_LINE, character: 23 } };

let client: LspClient | undefined;
let cleanups: (() => void)[] = [];
afterEach(async () => {
  await client?.shutdown();
  client = undefined;
  for (const c of cleanups.splice(0)) c();
});

/** A workspace holding only bad_server.cpp (and whatever a test adds). */
function badWorkspace(): { dir: string; file: string; uri: string } {
  const scratch = scratchCopy(join(SAMPLE_DIR, 'bad_server.cpp'));
  cleanups.push(scratch.cleanup);
  const file = join(scratch.dir, 'bad_server.cpp');
  return { dir: scratch.dir, file, uri: uriOf(file) };
}

async function startWith(dir: string | undefined, capabilities = FULL_CAPABILITIES) {
  client = LspClient.start();
  const init = await client.initialize(dir, capabilities);
  return { client, init };
}

describe('connlint-lsp over stdio', () => {
  it('initializes with incremental sync, code actions, hover and pull diagnostics', async () => {
    const { init } = await startWith(undefined);
    expect(init.serverInfo.name).toBe('connlint');
    expect(init.capabilities['textDocumentSync']).toEqual({ openClose: true, change: 2, save: { includeText: false } });
    expect(init.capabilities['codeActionProvider']).toEqual({ codeActionKinds: ['quickfix', 'source.fixAll.connlint'] });
    expect(init.capabilities['hoverProvider']).toBe(true);
    expect(init.capabilities['diagnosticProvider']).toEqual({ identifier: 'connlint', interFileDependencies: true, workspaceDiagnostics: false });
  });

  it('publishes the finding with the version, rule code, docs link, related locations and the CLI message', async () => {
    const { dir, file, uri } = badWorkspace();
    const { client } = await startWith(dir);
    client.open(file, BAD, 7);
    const publish = await client.nextPublish(uri, { version: 7 });
    expect(summary(publish.diagnostics)).toEqual(['accept-loop-early-exit@41']);
    const d = publish.diagnostics[0]!;
    const [cli] = analyzeSources([{ path: file, text: BAD }], { rules: ALL_RULES, config: emptyConfig(dir) });
    expect(d).toMatchObject({
      range: RETURN_RANGE,
      severity: 1,
      code: 'accept-loop-early-exit',
      source: 'connlint',
      message: cli!.message,
      codeDescription: { href: 'https://github.com/connlint/connlint/blob/main/docs/rules/accept-loop-early-exit.md' },
    });
    expect(d.message).toMatch(/^'return' leaves the accept loop after accept4\(\) succeeded \(line 37\)/);
    expect(d.relatedInformation?.map((r) => `${r.location.range.start.line + 1}: ${r.message}`)).toEqual([
      "37: accept4() accepted a connection into 'fd' here",
      '66: registered edge-triggered (EPOLLET) with epoll_ctl() here',
      "38: path: 'fd != -1' is true",
      "39: path: 'g_connections >= kMaxConnections' is true",
    ]);
    expect(d.relatedInformation!.every((r) => r.location.uri === uri)).toBe(true);
  });

  it('a document with lone CR line ends gets the CLI\'s positions, also after an edit that inserts CRs; one with a NUL is binary and gets nothing', async () => {
    const { dir, file, uri } = badWorkspace();
    const { client } = await startWith(dir);
    const crText = BAD.replace(/\r?\n/g, '\r');
    client.open(file, crText, 1);
    expect(summary((await client.nextPublish(uri, { version: 1 })).diagnostics)).toEqual(['accept-loop-early-exit@41']);
    // Two lines inserted above, with CR line ends: the finding moves down two lines.
    client.change(file, 2, [{ range: { start: { line: 15, character: 0 }, end: { line: 15, character: 0 } }, text: '// one\r// two\r' }]);
    expect(summary((await client.nextPublish(uri, { version: 2 })).diagnostics)).toEqual(['accept-loop-early-exit@43']);
    const nulFile = join(dir, 'nul.cpp');
    client.open(nulFile, `${BAD}\0`, 1);
    expect((await client.nextPublish(uriOf(nulFile), { version: 1 })).diagnostics).toEqual([]);
  });

  it('invalid parameters: a request gets InvalidParams, a notification is ignored with one log line; the documents are untouched', async () => {
    const { dir, file, uri } = badWorkspace();
    const { client } = await startWith(dir);
    // A didOpen whose text is a number opens nothing; the proper one after it works.
    void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'cpp', version: 1, text: 42 } });
    client.open(file, BAD, 2);
    expect(summary((await client.nextPublish(uri, { version: 2 })).diagnostics)).toEqual(['accept-loop-early-exit@41']);
    // A change at a fractional position is ignored: the server's text stays the client's.
    client.change(file, 3, [{ range: { start: { line: 1.5, character: 0 }, end: { line: 1.5, character: 0 } }, text: '// x\n' }]);
    client.change(file, 4, [{ range: { start: { line: 15, character: 0 }, end: { line: 15, character: 0 } }, text: '// one\n' }]);
    expect(summary((await client.nextPublish(uri, { version: 4 })).diagnostics)).toEqual(['accept-loop-early-exit@42']);
    await expect(client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 'x', character: 0 } })).rejects.toMatchObject({ code: -32602 });
    await expect(client.connection.sendRequest('textDocument/codeAction', { textDocument: {}, range: RETURN_RANGE, context: { diagnostics: [] } })).rejects.toMatchObject({ code: -32602 });
    expect(client.logs.filter((l) => l.message.includes('ignored')).map((l) => l.message)).toEqual([
      'connlint: didOpen ignored: textDocument.text must be a string',
      'connlint: didChange ignored: contentChanges[0].range.start must be a position of non-negative integers',
    ]);
    expect(client.logs.some((l) => /\n\s+at /.test(l.message))).toBe(false);
  });

  it('a malformed Content-Length header is skipped with one line on stderr; the server reads on and answers', async () => {
    const { dir, file, uri } = badWorkspace();
    const { client } = await startWith(dir);
    const body = JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'cpp', version: 9, text: 'x' } } });
    const broken = [`Content-Length: abc\r\n\r\n${body}`, `Content-Lenght: 12\r\n\r\n{"jsonrpc":1}`];
    for (const bytes of broken) client.process.stdin!.write(bytes);
    client.open(file, BAD, 2);
    expect(summary((await client.nextPublish(uri, { version: 2 })).diagnostics)).toEqual(['accept-loop-early-exit@41']);
    // The misspelt header is no place to read on at: one skip to the open's header.
    expect(client.stderr.split('\n').filter((l) => l.includes('skipped'))).toEqual([
      `connlint-lsp: skipped ${Buffer.byteLength(broken.join(''))} bytes of input: Content-Length "abc" is not a number; reading on at the next Content-Length header`,
    ]);
  });

  it('a document over connlint.largeDocumentBytes is checked in the background when opened and saved, not as typed; the others as typed', async () => {
    const { dir, file, uri } = badWorkspace();
    client = LspClient.start();
    client.settings = { largeDocumentBytes: 1000 };
    await client.initialize(dir);
    // The settings are asked for on `initialized`; the index is built after that.
    await client.waitFor('the index', () => client!.progress.some((p) => (p as { value: { kind: string } }).value.kind === 'end'));
    client.open(file, BAD, 1);
    expect(summary((await client.nextPublish(uri, { version: 1 })).diagnostics)).toEqual(['accept-loop-early-exit@41']);
    expect(client.messages.map((m) => m.message)).toContain(
      'connlint: bad_server.cpp is 3 KB, over connlint.largeDocumentBytes (1000 bytes): it is checked in the background when opened and saved, not as you type',
    );
    // A large document never saved (found by the LSP fuzzing: it was not checked at all) is checked as the editor has it.
    const unsaved = join(dir, 'unsaved.cpp');
    client.open(unsaved, BAD, 1);
    expect(summary((await client.nextPublish(uriOf(unsaved), { version: 1 })).diagnostics)).toEqual(['accept-loop-early-exit@41']);
    // A small document is checked as it is typed, as always.
    const small = join(dir, 'small.c');
    client.open(small, 'int f(void) { return 0; }\n', 1);
    expect((await client.nextPublish(uriOf(small), { version: 1 })).diagnostics).toEqual([]);
    // Typing the fix checks nothing; the last result no longer describes the text (no hover, no fixes).
    client.change(file, 2, [{ range: RETURN_RANGE, text: 'continue;' }]);
    expect(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: RETURN_RANGE.start })).toBeNull();
    // Saved: the file is checked again.
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'cpp', 1, BAD), [{ range: RETURN_RANGE, newText: 'continue;' }]);
    writeFileSync(file, fixed);
    void client.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
    expect((await client.nextPublish(uri, { version: 2 })).diagnostics).toEqual([]);
    // One publish per check: on opening and on saving, none for the typing.
    expect(client.publishes.filter((p) => p.uri === uri).map((p) => [p.version, p.diagnostics.length])).toEqual([[1, 1], [2, 0]]);
    // Under the limit again, it is checked as typed.
    client.settings = { largeDocumentBytes: 0 };
    void client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { connlint: client.settings } });
    client.change(file, 3, [{ range: RETURN_RANGE, text: 'return;' }]);
    expect(summary((await client.nextPublish(uri, { version: 3 })).diagnostics)).toEqual(['accept-loop-early-exit@41']);
  });

  it('large documents closed while their background checks parse: the checks stop, the server lives (it aborted: a thread terminated mid-parse; found by the LSP fuzzing)', async () => {
    const { dir, file, uri } = badWorkspace();
    client = LspClient.start();
    client.settings = { largeDocumentBytes: 1000 };
    await client.initialize(dir);
    await client.waitFor('the index', () => client!.progress.some((p) => (p as { value: { kind: string } }).value.kind === 'end'));
    let text = '';
    for (let i = 0; i < 20_000; i++) text += `int f${i}(int a) { int fd = open("x", 0); if (fd < 0) return -1; if (a) return 1; close(fd); return 0; }\n`;
    for (let round = 0; round < 6; round++) {
      const big = join(dir, `big${round}.c`);
      client.open(big, text, 1);
      await new Promise((r) => setTimeout(r, 150 + round * 150));
      void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(big) } });
    }
    client.open(file, BAD, 1);
    expect(summary((await client.nextPublish(uri, { version: 1 })).diagnostics)).toEqual(['accept-loop-early-exit@41']);
    expect(client.process.exitCode).toBeNull();
    expect(client.stderr).not.toContain('terminate called');
  });

  it('a function inside an error region (its facts kept apart from the other functions\') gets the findings the CLI gives (found by the LSP fuzzing)', async () => {
    const { dir } = badWorkspace();
    const { client } = await startWith(dir);
    const source = readFileSync(join(ROOT, 'test', 'robustness', 'nested-in-error-region.cpp'), 'utf8');
    const file = join(dir, 'nested.cpp');
    client.open(file, source, 1);
    const published = await client.nextPublish(uriOf(file), { version: 1 });
    const [cli] = analyzeSources([{ path: file, text: source }], { rules: ALL_RULES, config: emptyConfig(dir) });
    expect(cli!.message).toMatch(/it runs only at startup \(every caller leads back to main\)/);
    expect(published.diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([`4: ${cli!.message}`]);
  });

  it('a document with a kqueue backend a Linux build does not compile gets the BSD build\'s finding, as the CLI does, after every edit (whole-file)', async () => {
    const { dir } = badWorkspace();
    const { client } = await startWith(dir);
    const source = readFileSync(join(ROOT, 'test', 'fixtures', 'et-accept-not-drained', 'kqueue-backend.c'), 'utf8');
    const file = join(dir, 'kqueue-backend.c');
    const cliFindings = (text: string) => analyzeSources([{ path: file, text }], { rules: ALL_RULES, config: emptyConfig(dir) }).map((f) => `${f.location.line}: ${f.message}`);
    const lspFindings = (published: { diagnostics: { range: { start: { line: number } }; message: string }[] }) => published.diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`);
    client.open(file, source, 1);
    const opened = lspFindings(await client.nextPublish(uriOf(file), { version: 1 }));
    expect(opened).toEqual(cliFindings(source));
    expect(opened).toEqual([expect.stringMatching(/^55: .*EV_CLEAR at kqueue-backend\.c:49\) \(in a BSD or macOS build, with kqueue\)$/)]);
    // An edit in the Linux handler (line 34): the BSD finding stays.
    const lines = source.split('\n');
    client.change(file, 2, [{ range: { start: { line: 34, character: 0 }, end: { line: 34, character: 0 } }, text: '    (void)0;\n' }]);
    const edited = [...lines.slice(0, 34), '    (void)0;', ...lines.slice(34)].join('\n');
    expect(lspFindings(await client.nextPublish(uriOf(file), { version: 2 }))).toEqual(cliFindings(edited));
    expect(cliFindings(edited)).toHaveLength(1);
  });

  it('clears the diagnostic when an edit fixes the bug and brings it back when an edit breaks it again', async () => {
    const { dir, file, uri } = badWorkspace();
    const { client } = await startWith(dir);
    client.open(file, BAD, 1);
    expect(summary((await client.nextPublish(uri, { version: 1 })).diagnostics)).toEqual(['accept-loop-early-exit@41']);
    client.change(file, 2, [{ range: RETURN_RANGE, text: 'continue;' }]);
    expect((await client.nextPublish(uri, { version: 2 })).diagnostics).toEqual([]);
    client.change(file, 3, [{ range: { start: { line: RETURN_LINE, character: 16 }, end: { line: RETURN_LINE, character: 25 } }, text: 'return;' }]);
    expect(summary((await client.nextPublish(uri, { version: 3 })).diagnostics)).toEqual(['accept-loop-early-exit@41']);
    // An edit above shifts the finding: incremental re-parse keeps positions right.
    client.change(file, 4, [{ range: { start: { line: 15, character: 0 }, end: { line: 15, character: 0 } }, text: '// one\n// two\n' }]);
    expect(summary((await client.nextPublish(uri, { version: 4 })).diagnostics)).toEqual(['accept-loop-early-exit@43']);
  });

  it('coalesces a burst of changes; only the newest version is published last and versions never go back', async () => {
    const { dir, file, uri } = badWorkspace();
    const { client } = await startWith(dir);
    client.open(file, BAD, 1);
    await client.nextPublish(uri, { version: 1 });
    const before = client.publishes.length;
    // 30 keystrokes: type a comment at the end of line 41, then one that fixes the bug.
    for (let i = 0; i < 30; i++) client.change(file, 2 + i, [{ range: { start: { line: RETURN_LINE, character: 90 + i }, end: { line: RETURN_LINE, character: 90 + i } }, text: 'x' }]);
    client.change(file, 32, [{ range: RETURN_RANGE, text: 'continue;' }]);
    const last = await client.nextPublish(uri, { after: before, version: 32 });
    expect(last.diagnostics).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    const versions = client.publishes.slice(before).filter((p) => p.uri === uri).map((p) => p.version!);
    expect(versions.at(-1)).toBe(32);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(versions.length).toBeLessThan(31);
  });

  it('checks a change that finds the last check done right away; debounces only changes that arrive while one is pending', async () => {
    const { dir, file, uri } = badWorkspace();
    client = LspClient.start();
    // A debounce far longer than a check: a publish before it fires shows that no debounce applied.
    client.settings = { debounceMs: 3000 };
    await client.initialize(dir);
    // Once the background index is done and its re-check of open documents has passed, nothing
    // but the changes below makes the server check.
    await client.waitFor('the index', () => client!.progress.some((p) => (p as { value: { kind: string } }).value.kind === 'end'));
    client.open(file, BAD, 1);
    await client.nextPublish(uri, { version: 1 });
    await new Promise((r) => setTimeout(r, 200));
    const sent = performance.now();
    client.change(file, 2, [{ range: { start: { line: 15, character: 0 }, end: { line: 15, character: 0 } }, text: '// moved\n' }]);
    expect(summary((await client.nextPublish(uri, { version: 2 })).diagnostics)).toEqual(['accept-loop-early-exit@42']);
    const published = performance.now();
    expect(published - sent).toBeLessThan(1500);
    // Right after that publish, well within debounceMs of the previous change.
    client.change(file, 3, [{ range: { start: { line: RETURN_LINE + 1, character: 16 }, end: { line: RETURN_LINE + 1, character: 23 } }, text: 'continue;' }]);
    expect((await client.nextPublish(uri, { version: 3 })).diagnostics).toEqual([]);
    expect(performance.now() - published).toBeLessThan(1500);
    // Two changes in one go: the second finds the first's check scheduled, so only it is published.
    const burst = client.publishes.length;
    client.changeTogether(file, [
      { version: 4, changes: [{ range: { start: { line: RETURN_LINE + 1, character: 16 }, end: { line: RETURN_LINE + 1, character: 25 } }, text: 'return;' }] },
      { version: 5, changes: [{ range: { start: { line: 15, character: 0 }, end: { line: 16, character: 0 } }, text: '' }] },
    ]);
    expect(summary((await client.nextPublish(uri, { after: burst, version: 5 })).diagnostics)).toEqual(['accept-loop-early-exit@41']);
    // (A re-publish of an older version when the background index completes may come in between.)
    expect(client.publishes.slice(burst).filter((p) => p.uri === uri).map((p) => p.version)).not.toContain(4);
  });

  it('parses an edited function alone, then re-parses the document tree once typing pauses', async () => {
    const scratch = scratchCopy(join(SAMPLE_DIR, 'one_accept_per_event.c'));
    cleanups.push(scratch.cleanup);
    const file = join(scratch.dir, 'one_accept_per_event.c');
    const uri = uriOf(file);
    client = LspClient.start();
    client.settings = { trace: { server: 'verbose' } };
    await client.initialize(scratch.dir);
    await client.waitFor('the index', () => client!.progress.some((p) => (p as { value: { kind: string } }).value.kind === 'end'));
    client.open(file, readFileSync(file, 'utf8'), 1);
    expect(summary((await client.nextPublish(uri, { version: 1 })).diagnostics)).toEqual(['et-accept-not-drained@13']);
    const logged = (pattern: RegExp) => client!.logs.some((l) => pattern.test(l.message));
    // A statement added in on_listener_readable (line 16): that function alone is parsed.
    client.change(file, 2, [{ range: { start: { line: 15, character: 0 }, end: { line: 15, character: 0 } }, text: '    (void)0;\n' }]);
    expect(summary((await client.nextPublish(uri, { version: 2 })).diagnostics)).toEqual(['et-accept-not-drained@13']);
    await client.waitFor('the check log', () => logged(/ v2 in .*by edit, function parsed alone/));
    // Typing pauses: the document tree is re-parsed, and it agrees.
    await client.waitFor('the re-parse', () => logged(/re-parsed .* v2 in .* \(consistent\)/));
    // Undone: the same function, parsed alone from the re-parsed tree.
    client.change(file, 3, [{ range: { start: { line: 15, character: 0 }, end: { line: 16, character: 0 } }, text: '' }]);
    expect(summary((await client.nextPublish(uri, { version: 3 })).diagnostics)).toEqual(['et-accept-not-drained@13']);
    // An edit in event_loop: the finding in on_listener_readable names its lines, so the document is parsed.
    client.change(file, 4, [{ range: { start: { line: 22, character: 0 }, end: { line: 22, character: 0 } }, text: '    (void)0;\n' }]);
    expect(summary((await client.nextPublish(uri, { version: 4 })).diagnostics)).toEqual(['et-accept-not-drained@13']);
    await client.waitFor('the check log', () => logged(/ v4 in .*\(by edit\)/));
  });

  it('serves pull diagnostics with result ids', async () => {
    const { dir, file, uri } = badWorkspace();
    const { client } = await startWith(dir);
    client.open(file, BAD, 1);
    const report = await client.connection.sendRequest<{ kind: string; resultId: string; items: { code: string; range: unknown }[] }>('textDocument/diagnostic', { textDocument: { uri } });
    expect(report.kind).toBe('full');
    expect(summary(report.items as never)).toEqual(['accept-loop-early-exit@41']);
    const again = await client.connection.sendRequest<{ kind: string; resultId: string }>('textDocument/diagnostic', { textDocument: { uri }, previousResultId: report.resultId });
    expect(again).toEqual({ kind: 'unchanged', resultId: report.resultId });
    client.change(file, 2, [{ range: RETURN_RANGE, text: 'continue;' }]);
    const fixed = await client.connection.sendRequest<{ kind: string; items: unknown[] }>('textDocument/diagnostic', { textDocument: { uri }, previousResultId: report.resultId });
    expect(fixed).toMatchObject({ kind: 'full', items: [] });
  });

  it('offers the fix (preferred), a disable comment with the indentation and fix-all; applied fixes leave no findings', async () => {
    const { dir, file, uri } = badWorkspace();
    const { client } = await startWith(dir);
    client.open(file, BAD, 1);
    const diagnostic = (await client.nextPublish(uri, { version: 1 })).diagnostics[0]!;
    const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    expect(actions.map((a) => [a.title, a.kind, a.isPreferred ?? false])).toEqual([
      ["Replace 'return;' with 'continue;'", 'quickfix', true],
      ['Disable accept-loop-early-exit for this line', 'quickfix', false],
      ['Fix all auto-fixable connlint problems', 'source.fixAll.connlint', false],
    ]);
    expect(actions[0]!.diagnostics).toEqual([diagnostic]);
    const editsOf = (a: CodeAction): TextEdit[] => {
      const change = a.edit!.documentChanges![0] as { textDocument: { uri: string; version: number }; edits: TextEdit[] };
      expect(change.textDocument).toEqual({ uri, version: 1 });
      return change.edits;
    };
    expect(editsOf(actions[0]!)).toEqual([{ range: RETURN_RANGE, newText: 'continue;' }]);
    expect(editsOf(actions[1]!)).toEqual([{ range: { start: { line: RETURN_LINE, character: 0 }, end: { line: RETURN_LINE, character: 0 } }, newText: '                // connlint-disable-next-line accept-loop-early-exit -- \n' }]);

    const only = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll'] } });
    expect(only.map((a) => a.kind)).toEqual(['source.fixAll.connlint']);

    // Apply the preferred fix as the editor would, then the disable comment on a fresh copy.
    let version = 1;
    for (const action of [actions[0]!, actions[1]!]) {
      const doc = TextDocument.create(uri, 'cpp', 1, BAD);
      const fixed = TextDocument.applyEdits(doc, editsOf(action));
      version++;
      client.change(file, version, [{ text: fixed }]);
      expect((await client.nextPublish(uri, { version })).diagnostics).toEqual([]);
      client.change(file, ++version, [{ text: BAD }]);
      await client.nextPublish(uri, { version });
    }
  });

  it('hovers the rule title, why and fix over a diagnostic range', async () => {
    const { dir, file, uri } = badWorkspace();
    const { client } = await startWith(dir);
    client.open(file, BAD, 1);
    await client.nextPublish(uri, { version: 1 });
    const hover = await client.connection.sendRequest<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: RETURN_LINE, character: 19 } });
    const value = (hover.contents as { kind: string; value: string }).value;
    expect((hover.contents as { kind: string }).kind).toBe('markdown');
    expect(hover.range).toEqual(RETURN_RANGE);
    expect(value.split('\n')[0]).toBe('**Accept loop exits before the backlog is drained** — `accept-loop-early-exit` (connlint)');
    expect(value).toContain('#### Why it matters');
    expect(value).toContain('An edge-triggered notification (`EPOLLET`');
    expect(value).toContain('#### How to fix');
    expect(value).toContain('Keep looping until `accept()` fails with `EAGAIN`');
    expect(value).toContain('[Rule documentation](https://github.com/connlint/connlint/blob/main/docs/rules/accept-loop-early-exit.md)');
    const outside = await client.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 36, character: 4 } });
    expect(outside).toBeNull();
  });
});
