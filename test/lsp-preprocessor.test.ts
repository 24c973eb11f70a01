import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './cli-helpers.js';
import { LspClient, summary, uriOf } from './lsp-client.js';

let client: LspClient | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await client?.shutdown();
  client = undefined;
  for (const c of cleanups.splice(0)) c();
});

function workspace(files: Record<string, string>): string {
  const dir = tempDir();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** An #ifdef splits the if: the grammar cannot parse the function as written. The leak is in the #else configuration only. */
const SPLIT = `#include <sys/socket.h>
int nonblocking_socket(int on) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        return -1;
#ifdef HAVE_IOCTL
    if (ioctl(s, FIONBIO, &on) < 0) {
        close(s);
#else
    if (setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, &on, sizeof on) < 0) {
#endif
        return -1;
    }
    return s;
}
`;

describe('connlint-lsp: the preprocessor', () => {
  it("analyses a function split by #if through the configuration-resolved copy, in the configuration the compile database gives, on every edit", async () => {
    const dir = workspace({ 'src/net.c': SPLIT, 'connlint.json': '{ "compileCommands": "build" }\n' });
    const file = join(dir, 'src', 'net.c');
    mkdirSync(join(dir, 'build'));
    writeFileSync(join(dir, 'build', 'compile_commands.json'), JSON.stringify([{ directory: join(dir, 'src'), file: 'net.c', arguments: ['cc', '-UHAVE_IOCTL', '-c', 'net.c'] }]));
    client = LspClient.start();
    await client.initialize(dir);
    client.open(file, SPLIT, 1);
    const first = await client.nextPublish(uriOf(file), { version: 1 });
    expect(summary(first.diagnostics)).toEqual(['fd-leak@12']);
    expect(first.diagnostics[0]!.message).toContain("descriptor 's' from socket() (line 3) is still open when this return leaves the function");
    // An edit inside the function: still analysed (whole-file) through the copy.
    client.change(file, 2, [{ range: { start: { line: 12, character: 0 }, end: { line: 12, character: 0 } }, text: '    /* x */\n' }]);
    const second = await client.nextPublish(uriOf(file), { version: 2 });
    expect(summary(second.diagnostics)).toEqual(['fd-leak@12']);
  });

  it('without a compile database both configurations are analysed: the leak where the feature is not defined is reported, and says so', async () => {
    const dir = workspace({ 'src/net.c': SPLIT });
    const file = join(dir, 'src', 'net.c');
    client = LspClient.start();
    await client.initialize(dir);
    client.open(file, SPLIT, 1);
    const published = await client.nextPublish(uriOf(file), { version: 1 });
    expect(summary(published.diagnostics)).toEqual(['fd-leak@12']);
    const info = published.diagnostics[0]!.relatedInformation!.map((r) => `${r.location.range.start.line}: ${r.message}`);
    expect(info).toContain("5: path: 'HAVE_IOCTL' is not defined");
  });

  it('reads macros from a header in an include folder outside the workspace (includeDirs)', async () => {
    const dir = workspace({
      'include/net.h': '#define net_socket socket\n',
      'app/connlint.json': '{ "includeDirs": ["../include"] }\n',
      'app/server.c': '#include <net.h>\nint start(int port) {\n    int s = net_socket(2, 1, 0);\n    if (s < 0)\n        return -1;\n    if (port < 1024)\n        return -2;\n    return s;\n}\n',
    });
    const file = join(dir, 'app', 'server.c');
    client = LspClient.start();
    await client.initialize(join(dir, 'app'));
    client.open(file, '#include <net.h>\nint start(int port) {\n    int s = net_socket(2, 1, 0);\n    if (s < 0)\n        return -1;\n    if (port < 1024)\n        return -2;\n    return s;\n}\n', 1);
    const published = await client.waitFor('the leak through the header macro', () => client!.publishes.find((p) => p.uri === uriOf(file) && summary(p.diagnostics).join() === 'fd-leak@7'));
    expect(published.diagnostics[0]!.message).toContain("'s' from net_socket() (line 3)");
  });

  it('macros in file order: an edit below a #undef sees the redefinition; editing the #define line itself re-checks the functions after it', async () => {
    // The same function before and after DIE is redefined.
    const checked = (name: string) => [`int ${name}(const char *p) {`, '    int fd = open(p, 0);', '    if (fd < 0)', '        return -1;', '    if (p[0] == 0) {', '        DIE("empty");', '        return -1;', '    }', '    close(fd);', '    return 0;', '}'];
    const text = ['#include <unistd.h>', '#define DIE(msg) exit(1)', ...checked('first'), '#undef DIE', '#define DIE(msg) write(2, msg, 1)', ...checked('second'), ''].join('\n');
    const dir = workspace({ 'src/die.c': text });
    const file = join(dir, 'src', 'die.c');
    client = LspClient.start();
    await client.initialize(dir);
    client.open(file, text, 1);
    expect(summary((await client.nextPublish(uriOf(file), { version: 1 })).diagnostics)).toEqual(['fd-leak@22']);
    // An edit inside second(): the unit is re-checked alone, with the definitions above it.
    client.change(file, 2, [{ range: { start: { line: 20, character: 0 }, end: { line: 20, character: 0 } }, text: '        /* x */\n' }]);
    expect(summary((await client.nextPublish(uriOf(file), { version: 2 })).diagnostics)).toEqual(['fd-leak@23']);
    // The redefinition made an exit again: nothing leaks.
    client.change(file, 3, [{ range: { start: { line: 14, character: 17 }, end: { line: 14, character: 33 } }, text: 'exit(2)' }]);
    expect(summary((await client.nextPublish(uriOf(file), { version: 3 })).diagnostics)).toEqual([]);
  });

  it("a header's expression macros and its Linux branch's definitions, in the editor as in the CLI", async () => {
    const header = ['#ifndef NET_H', '#define NET_H', '#define SOCK_INVALID(s) ((s) < 0)', '#ifdef _WIN32', '#define net_close(s) ((void)(s))', '#else', '#define net_close(s) close(s)', '#endif', '#endif', ''].join('\n');
    const source = [
      '#include "net.h"',
      'int serve(int port) {',
      '    int s = socket(2, 1, 0);',
      '    if (SOCK_INVALID(s))',
      '        return -1;',
      '    if (port < 1024)',
      '        return -2;',
      '    net_close(s);',
      '    return 0;',
      '}',
      '',
    ].join('\n');
    const dir = workspace({ 'src/net.h': header, 'src/server.c': source });
    const file = join(dir, 'src', 'server.c');
    client = LspClient.start();
    await client.initialize(dir);
    client.open(file, source, 1);
    const published = await client.waitFor('the leak past the macro test', () => client!.publishes.find((p) => p.uri === uriOf(file) && p.diagnostics.length > 0));
    expect(summary(published.diagnostics)).toEqual(['fd-leak@7']);
    const info = published.diagnostics[0]!.relatedInformation!.map((r) => r.message);
    expect(info).toContain("path: 'SOCK_INVALID(s)' is false");
  });

  it('switches as a default build has them, from the workspace\'s configure.ac, in the editor as in the CLI', async () => {
    const fixture = join(import.meta.dirname, 'fixtures', 'fd-leak', 'configuration-switches');
    const source = readFileSync(join(fixture, 'src', 'tests.c'), 'utf8');
    const dir = workspace({ 'configure.ac': readFileSync(join(fixture, 'configure.ac'), 'utf8'), 'src/tests.c': source });
    const file = join(dir, 'src', 'tests.c');
    client = LspClient.start();
    await client.initialize(dir);
    client.open(file, source, 1);
    // Once indexed (the switches are read with the build files), only the leaks a default build compiles.
    const expected = ['fd-leak@27', 'fd-leak@59', 'fd-leak@73'];
    const published = await client.waitFor('the default build\'s leaks', () => client!.publishes.find((p) => p.uri === uriOf(file) && summary(p.diagnostics).join() === expected.join()));
    expect(summary(published.diagnostics)).toEqual(expected);
  });

  it("what the project's config.h defines outside any #if holds in the editor too: code under #ifndef of it is not compiled", async () => {
    const fixture = join(import.meta.dirname, 'fixtures', 'fd-leak', 'configuration-header');
    const source = readFileSync(join(fixture, 'daemonize.c'), 'utf8');
    const dir = workspace({ 'config.h': readFileSync(join(fixture, 'config.h'), 'utf8'), 'daemonize.c': source });
    const file = join(dir, 'daemonize.c');
    client = LspClient.start();
    await client.initialize(dir);
    client.open(file, source, 1);
    // Once indexed: the #ifndef USE_DAEMON function is gone, the TRACE_OPENS leak stays.
    const published = await client.waitFor('the configuration header applied', () => client!.publishes.find((p) => p.uri === uriOf(file) && summary(p.diagnostics).join() === 'fd-leak@26'));
    expect(summary(published.diagnostics)).toEqual(['fd-leak@26']);
  });
});
