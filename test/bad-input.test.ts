import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, runCliAsync, tempDir } from './cli-helpers.js';
import { spawnSync } from 'node:child_process';

/** Section 6: every bad input is a clear message, a sensible exit code, and the rest of the run goes on. */
const ACCEPT_BUG = `#include <sys/epoll.h>
int lfd;
void arm(int ep) { struct epoll_event ev; ev.events = EPOLLIN | EPOLLET; epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev); }
void f(void) { for (;;) { int fd = accept(lfd, 0, 0); if (fd < 0) return; if (fd > 9) { close(fd); return; } serve(fd); } }
`;

function projectWith(files: Record<string, string | Buffer>): string {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 'good.c'), ACCEPT_BUG);
  return dir;
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);

describe('bad input', () => {
  it('a binary file named x.c is skipped with a warning; the rest is analysed', () => {
    const dir = projectWith({ 'x.c': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0xff, 0xfe, 0]) });
    const r = runCli(['.'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('connlint: x.c: binary file (contains NUL bytes), skipped\n');
    expect(r.stdout).toContain('good.c:4:');
    noStack(r.stderr);
  });

  it('a text file with a NUL byte in the middle is binary too', () => {
    const dir = projectWith({ 'nul.c': `int a;\n${'x'.repeat(10000)}\0\nint b;\n` });
    const r = runCli(['--format', 'json', '.'], { cwd: dir });
    expect(JSON.parse(r.stdout).problems).toEqual([{ file: 'nul.c', level: 'warning', message: 'binary file (contains NUL bytes), skipped' }]);
    expect(r.code).toBe(1);
  });

  it('a file with an identifier over the length limit is skipped and says so; the summary counts it; the rest is analysed', () => {
    const name = 'p'.repeat(32_768);
    const dir = projectWith({ 'long.c': `int g(int ${name}) {\n  int fd = open("a", 0);\n  if (fd < 0) return -1;\n  if (${name}) return 1;\n  close(fd);\n  return 0;\n}\n` });
    const r = runCli(['long.c'], { cwd: dir });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'no problems found in 0 files (1 skipped: see the messages above)\n', 'connlint: long.c: has an identifier of 32,768 characters, over the limit of 4,096; skipped\n']);
    const all = runCli(['--format', 'json', '.'], { cwd: dir });
    expect(JSON.parse(all.stdout).problems).toEqual([{ file: 'long.c', level: 'warning', message: 'has an identifier of 32,768 characters, over the limit of 4,096; skipped' }]);
    expect(JSON.parse(all.stdout).findings.map((f: { file: string; line: number }) => `${f.file}:${f.line}`)).toEqual(['good.c:4']);
    noStack(all.stderr);
  });

  it('one decoding for files and standard input: lone CRs are line breaks, a BOM is dropped, a NUL makes the input binary', () => {
    const leak = 'int f(int a) {\n  int fd = open("x", 0);\n  if (fd < 0) return -1;\n  if (a) {\n    return 1;\n  }\n  close(fd);\n  return 0;\n}\n';
    const variants: Record<string, string> = { 'cr.c': leak.replace(/\n/g, '\r'), 'mixed.c': leak.replace(/\n/g, (_m, at: number) => (at % 2 ? '\r' : '\r\n')), 'bom.c': `\ufeff${leak}`, 'bom1.c': `\ufeff${leak.replace(/\n/g, ' ')}` };
    const expected: Record<string, string> = { 'cr.c': '5:5', 'mixed.c': '5:5', 'bom.c': '5:5', 'bom1.c': '1:81' };
    const dir = projectWith(variants);
    for (const name of Object.keys(variants)) {
      const file = JSON.parse(runCli(['--format', 'json', '--no-project-index', name], { cwd: dir }).stdout);
      const stdin = JSON.parse(runCli(['--format', 'json', '--no-project-index', '--stdin', '--stdin-filename', name], { cwd: dir, input: variants[name] }).stdout);
      // The leak is on the fifth line whatever ends its lines, at its own column (no BOM counted).
      expect(file.findings.map((f: { line: number; column: number }) => `${f.line}:${f.column}`), name).toEqual([expected[name]]);
      expect(stdin.findings, name).toEqual(file.findings);
    }
    const binary = runCli(['--format', 'json', '--stdin', '--stdin-filename', 'nul.c'], { cwd: dir, input: `${leak}\0` });
    expect(JSON.parse(binary.stdout).problems).toEqual([{ file: 'nul.c', level: 'warning', message: 'binary file (contains NUL bytes), skipped' }]);
    expect(JSON.parse(binary.stdout).findings).toEqual([]);
  });

  it('invalid UTF-8 is read as Latin-1 and still analysed', () => {
    const latin1 = Buffer.concat([Buffer.from('/* caf'), Buffer.from([0xe9]), Buffer.from(' */\n'), Buffer.from(ACCEPT_BUG)]);
    const dir = projectWith({ 'latin1.c': latin1 });
    const r = runCli(['--format', 'json', 'latin1.c'], { cwd: dir });
    const out = JSON.parse(r.stdout);
    expect(out.findings.map((f: { line: number }) => f.line)).toEqual([5]);
    expect(out.problems).toEqual([{ file: 'latin1.c', level: 'note', message: 'not valid UTF-8; read as Latin-1' }]);
  });

  it('an empty file is fine', () => {
    const dir = projectWith({ 'empty.c': '' });
    const r = runCli(['empty.c'], { cwd: dir });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'no problems found in 1 file\n', '']);
  });

  it('syntax errors do not stop the run; a function that is mostly ERROR is skipped (--debug says so)', () => {
    const broken = `${ACCEPT_BUG}\nvoid g(void) { for (;;) { int fd = accept(lfd, 0, 0); ))) ]]] @@@ $$$ ((( if if if ))) return; }\nvoid h(void) { int fd = accept(lfd, 0, 0); if (fd) { ${'@ $ '.repeat(60)} } return; }\n`;
    const dir = projectWith({ 'broken.c': broken });
    const r = runCli(['--debug', 'broken.c'], { cwd: dir });
    expect(r.stdout).toContain('broken.c:4:');
    expect(r.stderr).toContain('broken.c: contains syntax errors (or code the grammar does not know); those regions are skipped');
    expect(r.stderr).toMatch(/broken\.c:7: skipped function 'h': its body is mostly syntax errors/);
    noStack(r.stderr);
  });

  it('a 20 MB generated file is analysed without crashing or hanging', async () => {
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 20 * 1024 * 1024; i++) {
      const fn = `int f${i}(int a) {\n  if (a > ${i}) return a - 1;\n  for (int k = 0; k < a; k++) g(k);\n  return a + ${i};\n}\n`;
      parts.push(fn);
      size += fn.length;
    }
    const dir = projectWith({ 'huge.c': parts.join('') });
    const r = await runCliAsync(['huge.c', 'good.c'], { cwd: dir, timeoutMs: 240_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 problem (1 error, 0 warnings, 0 notes) in 2 files');
  }, 300_000);

  it('10,000 nested ifs and braces: no stack overflow, the function is skipped with a note (and a debug line)', () => {
    const n = 10000;
    const dir = projectWith({
      'deep.c': `void f(int a) {\n${'if (a) {\n'.repeat(n)}int fd = accept(a, 0, 0);\n${'}\n'.repeat(n)}}\n`,
      'braces.c': `void g(void) ${'{'.repeat(n)}${'}'.repeat(n)}\n`,
    });
    const r = runCli(['--debug', 'deep.c', 'braces.c', 'good.c'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('in 3 files');
    expect(r.stderr).toMatch(/deep\.c:1: skipped function 'f': its statements nest deeper than 1200 levels/);
    expect(r.stderr).toContain("connlint: deep.c: function 'f' (line 1) not analysed: its statements nest deeper than 1200 levels\n");
    noStack(r.stderr);
  });

  it('an unreadable file is an error (exit 2) and the rest is still analysed', () => {
    const dir = projectWith({ 'secret.c': 'int x;\n' });
    chmodSync(join(dir, 'secret.c'), 0o000);
    // Root reads anything: run as an unprivileged user when we are root.
    const asRoot = process.getuid?.() === 0;
    const argv = ['secret.c', 'good.c'];
    const r = asRoot
      ? (() => {
          const p = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, BIN, ...argv], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
          return { code: p.status, stdout: p.stdout, stderr: p.stderr };
        })()
      : runCli(argv, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('connlint: secret.c: cannot read: permission denied\n');
    expect(r.stdout).toContain('good.c:4:');
  });

  it('symlink loops are reported and skipped', () => {
    const dir = projectWith({});
    symlinkSync('loop-b.c', join(dir, 'loop-a.c'));
    symlinkSync('loop-a.c', join(dir, 'loop-b.c'));
    mkdirSync(join(dir, 'sub'));
    symlinkSync('..', join(dir, 'sub', 'up'));
    const r = runCli(['.'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('connlint: loop-a.c: too many levels of symbolic links (symlink loop)');
    expect(r.stderr).toContain('connlint: sub/up: directory already visited through a symbolic link (loop), skipped');
    expect(r.stdout).toContain('in 1 file');
  });

  it('symbolic links out of the folder walked are not followed unless --follow-symlinks; one file is never reported twice', () => {
    const outside = projectWith({});
    const dir = projectWith({});
    mkdirSync(join(dir, 'src'));
    symlinkSync(join(outside, 'good.c'), join(dir, 'src', 'elsewhere.c'));
    symlinkSync(outside, join(dir, 'src', 'other-tree'));
    symlinkSync(join(dir, 'good.c'), join(dir, 'src', 'alias.c'));
    const files = (args: string[]) => JSON.parse(runCli(['--format', 'json', '--no-project-index', ...args], { cwd: dir }).stdout).findings.map((f: { file: string; line: number }) => `${f.file}:${f.line}`);
    // good.c and its alias inside the tree: one physical file, reported once, under its first name.
    expect(files(['.'])).toEqual(['good.c:4']);
    expect(files(['--follow-symlinks', '.'])).toEqual(['good.c:4', 'src/elsewhere.c:4']);
  });

  it('an unreadable folder is an error of the run (exit 2), as an unreadable file is; the rest is analysed', () => {
    const dir = projectWith({});
    mkdirSync(join(dir, 'private'));
    writeFileSync(join(dir, 'private', 'x.c'), 'int x;\n');
    chmodSync(join(dir, 'private'), 0o000);
    const asRoot = process.getuid?.() === 0;
    const r = asRoot
      ? (() => {
          const p = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, BIN, '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
          return { code: p.status, stdout: p.stdout, stderr: p.stderr };
        })()
      : runCli(['.'], { cwd: dir });
    chmodSync(join(dir, 'private'), 0o755);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('connlint: private: permission denied\n');
    expect(r.stdout).toContain('good.c:4:');
  });

  it('a nonexistent path is exit 2 with a clear message, after analysing the others', () => {
    const dir = projectWith({});
    const r = runCli(['missing.c', 'good.c'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('connlint: missing.c: no such file or directory\n');
    expect(r.stdout).toContain('good.c:4:');
  });

  it('a broken connlint.json is exit 2 naming the file, the spot and the problem', () => {
    const cases: [string, RegExp][] = [
      ['{ "rules": { "accept-loop-early-exit": "loud" } }', /connlint\.json: \/rules\/accept-loop-early-exit: must be equal to one of the allowed values: off, note, warning, error/],
      ['{ "rules": { "no-such-rule": "error" } }', /connlint\.json: \/rules: unknown rule 'no-such-rule'/],
      ['{ "rules": { "accept-loop-early-exit": ["error", { "edgeTriggered": "sometimes" }] } }', /\/rules\/accept-loop-early-exit\/1\/edgeTriggered: must be equal to one of the allowed values: auto, ask, assume, always, never/],
      ['{ "rules": { "accept-loop-early-exit": ["error", { "edgeTriggerd": "always" }] } }', /\/rules\/accept-loop-early-exit\/1: unknown property 'edgeTriggerd'/],
      ['{ "functions": { "acceptWrappers": [{ "name": "my accept" }] } }', /\/functions\/acceptWrappers\/0\/name: must match pattern/],
      ['{ "rules": { ', /connlint\.json(:\d+:\d+)?: not valid JSON/],
      ['{ "colour": true }', /connlint\.json: \/: unknown property 'colour'/],
      [`{ "${'k'.repeat(1_000_000)}": 1 }`, /connlint\.json: \/: unknown property 'k{77}…'\n$/],
      ['{ "ignore": ["build/", "src/[z-a]*.c"] }', /connlint\.json: \/ignore\/1: 'src\/\[z-a\]\*\.c': the range 'z-a' runs backwards \(at character 6\)/],
    ];
    for (const [config, message] of cases) {
      const dir = projectWith({ 'connlint.json': config });
      const r = runCli(['good.c'], { cwd: dir });
      expect(r.code, config).toBe(2);
      expect(r.stderr, config).toMatch(message);
      expect(r.stderr.trim().split('\n'), config).toHaveLength(1);
    }
  });

  it('a connlint.json with a byte-order mark is read; --config naming a device that never ends is refused at 1 MiB', () => {
    const dir = projectWith({ 'connlint.json': '\ufeff{ "rules": { "accept-loop-early-exit": "off" } }' });
    const r = runCli(['--format', 'json', 'good.c'], { cwd: dir });
    expect([r.code, JSON.parse(r.stdout).findings.length, r.stderr]).toEqual([0, 0, '']);
    const zero = runCli(['--config', '/dev/zero', 'good.c'], { cwd: dir });
    expect([zero.code, zero.stderr]).toEqual([2, 'connlint: /dev/zero: config file is over 1 MiB; not read\n']);
  });

  it('--config naming a missing file is exit 2', () => {
    const dir = projectWith({});
    const r = runCli(['--config', 'nope.json', 'good.c'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^connlint: .*nope\.json: cannot read config file \(ENOENT\)\n$/);
  });
});

describe('file names that are not UTF-8 (issue 21, item 11)', () => {
  const LEAK = 'int f(const char *p) {\n  int fd = open(p, 0);\n  if (fd < 0) return -1;\n  if (p[0]) return 1;\n  close(fd);\n  return 0;\n}\n';
  const leaks = (stdout: string) => stdout.split('\n').filter((l) => /: error: .*\[fd-leak\]$/.test(l)).map((l) => l.split(': error')[0]);
  function latin1Tree(): string {
    const dir = tempDir();
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('.c')]), LEAK);
    mkdirSync(Buffer.concat([Buffer.from(`${dir}/dir`), Buffer.from([0xff])]));
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/dir`), Buffer.from([0xff]), Buffer.from('/x.c')]), LEAK);
    return dir;
  }

  it('are found and analysed, shown with their odd bytes in octal as git shows them; SARIF names their bytes', () => {
    const dir = latin1Tree();
    const run = runCli(['.'], { cwd: dir });
    expect(leaks(run.stdout)).toEqual(['caf\\351.c:4:13', 'dir\\377/x.c:4:13']);
    expect(run.code).toBe(1);
    expect(runCli(['--jobs', '2', '.'], { cwd: dir }).stdout).toBe(run.stdout);
    const sarif = JSON.parse(runCli(['--format', 'sarif', '.'], { cwd: dir }).stdout) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    expect(sarif.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri)).toEqual(['caf%E9.c', 'dir%FF/x.c']);
  });

  it('can be named as shown, or as a shell passes them to Node (each odd byte a U+FFFD) when that names one file', () => {
    const dir = latin1Tree();
    expect(leaks(runCli(['caf\\351.c'], { cwd: dir }).stdout)).toEqual(['caf\\351.c:4:13']);
    expect(leaks(runCli(['caf\ufffd.c'], { cwd: dir }).stdout)).toEqual(['caf\\351.c:4:13']);
    // Two names it could stand for: neither is guessed.
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe8]), Buffer.from('.c')]), LEAK);
    const ambiguous = runCli(['caf\ufffd.c'], { cwd: dir });
    expect(ambiguous.stderr).toContain('caf\ufffd.c: no such file or directory');
    expect(ambiguous.code).toBe(2);
  });
});

describe('a reader that goes away', () => {
  it('`connlint … | head -c 10`: no stack trace, the exit code of the run', () => {
    const dir = projectWith({ 'a.c': ACCEPT_BUG });
    const result = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" --format sarif . | head -c 10 > /dev/null`], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
  });
});
