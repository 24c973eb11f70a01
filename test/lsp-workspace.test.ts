import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientCapabilities } from 'vscode-languageserver-protocol';
import { LspClient, ROOT, scratchCopy, summary, uriOf } from './lsp-client.js';

const SAMPLE_DIR = join(ROOT, 'samples', 'incident-003-accept-loop');
const BAD = readFileSync(join(SAMPLE_DIR, 'bad_server.cpp'), 'utf8');
const CROSS_DIR = join(ROOT, 'test', 'fixtures', 'accept-loop-early-exit', 'cross');

let client: LspClient | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await client?.shutdown();
  client = undefined;
  for (const c of cleanups.splice(0)) c();
});

function scratch(...files: string[]) {
  const s = scratchCopy(...files);
  cleanups.push(s.cleanup);
  return s.dir;
}

/** Only the accept rules: the fixtures are written for them (other rules may report more there). */
const acceptOnly = (diagnostics: readonly { code?: number | string }[]) => diagnostics.filter((d) => d.code === 'accept-loop-early-exit' || d.code === 'et-accept-not-drained');

const configChanged = (c: LspClient, file: string, type: 1 | 2 | 3 = 2) => c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(file), type }] });

describe('connlint-lsp: workspace, configuration, settings', () => {
  it('honours a cross-file fact: EPOLLET registered in another workspace file, indexed in the background with progress', async () => {
    const dir = scratch(join(CROSS_DIR, 'poller.c'), join(CROSS_DIR, 'server.c'), join(CROSS_DIR, 'server.h'));
    client = LspClient.start();
    await client.initialize(dir);
    const server = join(dir, 'server.c');
    client.open(server, readFileSync(server, 'utf8'));
    // Once the index is complete, the open document is re-checked with poller.c's registration.
    const withIndex = await client.waitFor('diagnostics with cross-file facts', () =>
      client!.publishes.find((p) => p.uri === uriOf(server) && summary(acceptOnly(p.diagnostics) as never).join() === 'accept-loop-early-exit@17,et-accept-not-drained@24' && acceptOnly(p.diagnostics).every((d) => (d as { severity: number }).severity === 1)),
    );
    const related = withIndex.diagnostics.find((d) => d.code === 'accept-loop-early-exit')!.relatedInformation!;
    expect(related.map((r) => `${r.location.uri.split('/').pop()}:${r.location.range.start.line + 1}: ${r.message}`)).toEqual([
      "server.c:12: accept_client() accepted a connection into 'fd' here",
      'poller.c:10: registered edge-triggered (EPOLLET) with epoll_ctl() here',
      'poller.c:14: through this call',
      "server.c:13: path: 'fd < 0' is false",
      "server.c:15: path: 'srv->nclients > 64' is true",
    ]);
    const kinds = client.progress.map((p) => (p as { value: { kind: string } }).value.kind);
    expect(kinds[0]).toBe('begin');
    expect(kinds.at(-1)).toBe('end');
    expect((client.progress[0] as { value: { title: string } }).value.title).toBe('connlint: indexing');
  });

  it('keeps cross-file facts current: an edited and saved file, and a file changed on disk', async () => {
    const dir = scratch(join(CROSS_DIR, 'poller.c'), join(CROSS_DIR, 'server.c'), join(CROSS_DIR, 'server.h'));
    client = LspClient.start();
    await client.initialize(dir);
    const server = join(dir, 'server.c');
    const poller = join(dir, 'poller.c');
    const pollerText = readFileSync(poller, 'utf8');
    const accepts = (p: { diagnostics: { code?: number | string }[] }) => summary(acceptOnly(p.diagnostics) as never).join();
    client.open(server, readFileSync(server, 'utf8'));
    await client.waitFor('edge-triggered findings', () => client!.publishes.find((p) => p.uri === uriOf(server) && accepts(p) === 'accept-loop-early-exit@17,et-accept-not-drained@24'));

    // Open poller.c, make the registration level-triggered and save: server.c is re-checked.
    client.open(poller, pollerText, 1);
    let seen = client.publishes.length;
    const at = pollerText.split('\n')[13]!.indexOf('EPOLLET');
    client.change(poller, 2, [{ range: { start: { line: 13, character: at }, end: { line: 13, character: at + 7 } }, text: '0' }]);
    await client.connection.sendNotification('textDocument/didSave', { textDocument: { uri: uriOf(poller) } });
    await client.waitFor('server.c without findings', () => client!.publishes.slice(seen).find((p) => p.uri === uriOf(server) && accepts(p) === ''));

    // Closed unsaved: the disk copy (EPOLLET) counts again.
    seen = client.publishes.length;
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(poller) } });
    await client.waitFor('findings back', () => client!.publishes.slice(seen).find((p) => p.uri === uriOf(server) && accepts(p) === 'accept-loop-early-exit@17,et-accept-not-drained@24'));
    // Changed on disk (another tool, a git checkout): the watcher event updates the index.
    seen = client.publishes.length;
    writeFileSync(poller, pollerText.replace('EPOLLIN | EPOLLET', 'EPOLLIN'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(poller), type: 2 }] });
    await client.waitFor('findings gone', () => client!.publishes.slice(seen).find((p) => p.uri === uriOf(server) && accepts(p) === ''));
  });

  it('re-publishes with the new severity when connlint.json changes; an invalid one is reported and the last good one stays', async () => {
    const dir = scratch(join(SAMPLE_DIR, 'bad_server.cpp'));
    const config = join(dir, 'connlint.json');
    writeFileSync(config, JSON.stringify({ rules: { 'accept-loop-early-exit': 'error' } }));
    client = LspClient.start();
    await client.initialize(dir);
    await client.waitFor('file watcher registration', () => client!.registrations.some((r) => (r as { method: string }).method === 'workspace/didChangeWatchedFiles'));
    const file = join(dir, 'bad_server.cpp');
    const uri = uriOf(file);
    client.open(file, BAD);
    expect((await client.nextPublish(uri)).diagnostics[0]!.severity).toBe(1);

    writeFileSync(config, JSON.stringify({ rules: { 'accept-loop-early-exit': 'warning' } }));
    let seen = client.publishes.length;
    await configChanged(client, config);
    await client.waitFor('warning severity', () => client!.publishes.slice(seen).find((p) => p.uri === uri && p.diagnostics[0]?.severity === 2));

    // Broken: an invalid severity. Message + diagnostic on the value; the warning config stays.
    const broken = '{\n  "rules": {\n    "accept-loop-early-exit": "loud"\n  }\n}\n';
    writeFileSync(config, broken);
    seen = client.publishes.length;
    await configChanged(client, config);
    const message = await client.waitFor('showMessage', () => client!.messages.find((m) => m.type === 1));
    expect(message.message).toMatch(/^connlint: invalid configuration .*connlint\.json: \/rules\/accept-loop-early-exit: .* \(the last valid configuration stays in force\)$/);
    const configPublish = await client.nextPublish(uriOf(config), { after: seen });
    expect(configPublish.diagnostics).toHaveLength(1);
    expect(configPublish.diagnostics[0]).toMatchObject({ severity: 1, source: 'connlint', range: { start: { line: 2, character: 30 }, end: { line: 2, character: 36 } } });
    expect(configPublish.diagnostics[0]!.message).toMatch(/^\/rules\/accept-loop-early-exit: /);
    const still = await client.waitFor('re-publish under the old config', () => client!.publishes.slice(seen).find((p) => p.uri === uri));
    expect(summary(still.diagnostics)).toEqual(['accept-loop-early-exit@41']);
    expect(still.diagnostics[0]!.severity).toBe(2);

    // A JSON syntax error is put at its position.
    writeFileSync(config, '{\n  "rules": {,\n}\n');
    seen = client.publishes.length;
    await configChanged(client, config);
    const syntax = await client.nextPublish(uriOf(config), { after: seen });
    expect(syntax.diagnostics[0]!.range.start.line).toBe(1);
    expect(syntax.diagnostics[0]!.message).toMatch(/^not valid JSON/);

    // Fixed: the config diagnostic is cleared and the new severity applies.
    writeFileSync(config, JSON.stringify({ rules: { 'accept-loop-early-exit': 'note' } }));
    seen = client.publishes.length;
    await configChanged(client, config);
    expect((await client.nextPublish(uriOf(config), { after: seen })).diagnostics).toEqual([]);
    await client.waitFor('note severity', () => client!.publishes.slice(seen).find((p) => p.uri === uri && p.diagnostics[0]?.severity === 3));
  });

  it('reports an unknown rule in connlint.json on its name', async () => {
    const dir = scratch(join(SAMPLE_DIR, 'bad_server.cpp'));
    const config = join(dir, 'connlint.json');
    writeFileSync(config, '{ "rules": { "no-such-rule": "error" } }');
    client = LspClient.start();
    await client.initialize(dir);
    const file = join(dir, 'bad_server.cpp');
    client.open(file, BAD);
    // No good config ever loaded: defaults apply, the finding is still an error.
    expect((await client.nextPublish(uriOf(file))).diagnostics[0]!.severity).toBe(1);
    const published = await client.nextPublish(uriOf(config));
    expect(published.diagnostics[0]!.range).toEqual({ start: { line: 0, character: 13 }, end: { line: 0, character: 27 } });
    expect(published.diagnostics[0]!.message).toBe("/rules: unknown rule 'no-such-rule'");
    const message = await client.waitFor('showMessage', () => client!.messages[0]);
    expect(message.message).toMatch(/\(using the default configuration until it is fixed\)$/);
  });

  it('applies connlint.rules and connlint.enable from workspace/configuration on didChangeConfiguration', async () => {
    const dir = scratch(join(SAMPLE_DIR, 'bad_server.cpp'));
    client = LspClient.start();
    client.settings = { rules: { 'accept-loop-early-exit': 'warning' } };
    await client.initialize(dir);
    const file = join(dir, 'bad_server.cpp');
    const uri = uriOf(file);
    client.open(file, BAD);
    await client.waitFor('warning from settings', () => client!.publishes.find((p) => p.uri === uri && p.diagnostics[0]?.severity === 2));
    client.settings = { enable: false };
    let seen = client.publishes.length;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.waitFor('cleared when disabled', () => client!.publishes.slice(seen).find((p) => p.uri === uri && p.diagnostics.length === 0));
    client.settings = { enable: true, rules: { 'accept-loop-early-exit': 'off' } };
    seen = client.publishes.length;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await new Promise((r) => setTimeout(r, 300));
    expect(client.publishes.slice(seen).filter((p) => p.uri === uri).every((p) => p.diagnostics.length === 0)).toBe(true);
    client.settings = { rules: { 'accept-loop-early-exit': 'error' } };
    seen = client.publishes.length;
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await client.waitFor('error again', () => client!.publishes.slice(seen).find((p) => p.uri === uri && p.diagnostics[0]?.severity === 1));
  });

  it('works with a push-only client without workspace/configuration (Neovim 0.7, eglot)', async () => {
    const minimal: ClientCapabilities = { textDocument: { publishDiagnostics: {} } };
    const dir = scratch(join(SAMPLE_DIR, 'bad_server.cpp'));
    client = LspClient.start();
    const init = await client.initialize(dir, minimal, { rules: { 'accept-loop-early-exit': 'warning' } });
    expect(init.capabilities['diagnosticProvider']).toBeUndefined();
    const file = join(dir, 'bad_server.cpp');
    client.open(file, BAD, 3);
    const publish = await client.nextPublish(uriOf(file), { version: 3 });
    expect(summary(publish.diagnostics)).toEqual(['accept-loop-early-exit@41']);
    expect(publish.diagnostics[0]!.severity).toBe(2);
    expect(publish.diagnostics[0]!.relatedInformation).toBeUndefined();
    expect(client.registrations).toEqual([]);
  });

  it('watches the folders itself for a client that cannot register file watchers: connlint.json and other files on disk', async () => {
    const minimal: ClientCapabilities = { textDocument: { publishDiagnostics: {} } };
    const dir = scratch(join(CROSS_DIR, 'poller.c'), join(CROSS_DIR, 'server.c'), join(CROSS_DIR, 'server.h'));
    const config = join(dir, 'connlint.json');
    writeFileSync(config, JSON.stringify({ rules: { 'accept-loop-early-exit': 'error' } }));
    client = LspClient.start();
    await client.initialize(dir, minimal);
    const server = join(dir, 'server.c');
    const uri = uriOf(server);
    const loopFinding = (p: { uri: string; diagnostics: { code?: number | string; severity?: number }[] }) => (p.uri === uri ? p.diagnostics.find((d) => d.code === 'accept-loop-early-exit') : undefined);
    client.open(server, readFileSync(server, 'utf8'));
    await client.waitFor('error from the EPOLLET registration in poller.c', () => client!.publishes.find((p) => loopFinding(p)?.severity === 1));
    expect(client.registrations).toEqual([]);

    // connlint.json edited on disk, no notification from the client: re-published as a warning.
    let seen = client.publishes.length;
    writeFileSync(config, JSON.stringify({ rules: { 'accept-loop-early-exit': 'warning' } }));
    await client.waitFor('warning after the config change', () => client!.publishes.slice(seen).find((p) => loopFinding(p)?.severity === 2));

    // poller.c made level-triggered on disk: the finding goes.
    seen = client.publishes.length;
    const poller = join(dir, 'poller.c');
    writeFileSync(poller, readFileSync(poller, 'utf8').replace('EPOLLIN | EPOLLET', 'EPOLLIN'));
    await client.waitFor('finding gone after poller.c changed', () => client!.publishes.slice(seen).find((p) => p.uri === uri && !loopFinding(p)));
  });

  it('survives odd documents, clears diagnostics of closed ones, and exits 0 after shutdown', async () => {
    const dir = scratch(join(SAMPLE_DIR, 'bad_server.cpp'));
    client = LspClient.start();
    await client.initialize(dir);
    const odd = join(dir, 'odd.c');
    client.open(odd, `int f(void) { ${'('.repeat(3000)} \u0000 \uD800 while (accept(`, 1);
    await client.nextPublish(uriOf(odd), { version: 1 });
    const file = join(dir, 'bad_server.cpp');
    client.open(file, BAD, 1);
    expect(summary((await client.nextPublish(uriOf(file), { version: 1 })).diagnostics)).toEqual(['accept-loop-early-exit@41']);
    const seen = client.publishes.length;
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(file) } });
    // A re-check already under way (the workspace index completing) may still publish before the clear; nothing after it.
    await client.waitFor('cleared', () => client!.publishes.slice(seen).find((p) => p.uri === uriOf(file) && p.diagnostics.length === 0));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.publishes.filter((p) => p.uri === uriOf(file)).at(-1)!.diagnostics).toEqual([]);
    expect(client.logs.filter((l) => l.type === 1)).toEqual([]);
    expect(await client.shutdown()).toBe(0);
    client = undefined;
  });

  it('exits 1 on exit without shutdown', async () => {
    client = LspClient.start();
    await client.initialize(undefined);
    await client.connection.sendNotification('exit');
    const code = await new Promise((resolve) => client!.process.on('exit', resolve));
    expect(code).toBe(1);
    client = undefined;
  });

  it('exits when the editor closes its stdin: 1 without shutdown, 0 after it', async () => {
    for (const [shutdownFirst, expected] of [[false, 1], [true, 0]] as const) {
      client = LspClient.start();
      await client.initialize(undefined);
      if (shutdownFirst) await client.connection.sendRequest('shutdown');
      const exited = new Promise((resolve) => client!.process.on('exit', resolve));
      client.process.stdin!.end();
      expect(await exited).toBe(expected);
      expect(client.stderr).toBe('');
      client.connection.dispose();
      client = undefined;
    }
  });
});
