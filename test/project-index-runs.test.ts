import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './cli-helpers.js';

/**
 * "Index the whole project, report on some files" (core/engine/session.ts): a pre-commit hook
 * passes only the staged files, but what decides their findings lives in files it did not pass.
 */
const ACCEPT_C = `#include <sys/socket.h>
#include <unistd.h>
#include "net.h"

void on_readable(int lfd) {
    for (;;) {
        int fd = accept(lfd, 0, 0);
        if (fd < 0 && errno == EAGAIN)
            break;
        if (fd > 1000) {
            close(fd);
            return;
        }
        serve(fd);
    }
}
`;
const LISTENER_C = `#include <sys/epoll.h>
#include "net.h"

int arm_listener(int ep, int lfd) {
    struct epoll_event ev;
    ev.events = EPOLLIN | EPOLLET;
    ev.data.fd = lfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    on_readable(lfd);
    return 0;
}
`;
const NET_H = `#define NET_ERR -1
void on_readable(int lfd);
void serve(int fd);
`;
const OPEN_C = `#include <fcntl.h>
#include <unistd.h>
#include "net.h"

int read_config(const char *path, char *buf) {
    int fd = open(path, O_RDONLY);
    if (fd == NET_ERR)
        return -1;
    int n = read(fd, buf, 100);
    close(fd);
    return n;
}
`;

function project(): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'accept.c'), ACCEPT_C);
  writeFileSync(join(dir, 'src', 'listener.c'), LISTENER_C);
  writeFileSync(join(dir, 'src', 'net.h'), NET_H);
  writeFileSync(join(dir, 'src', 'open.c'), OPEN_C);
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}

const errors = (stdout: string) => stdout.split('\n').filter((l) => /: (error|warning|note): .*\[[a-z-]+\]$/.test(l));

describe('runs on some files of a project', () => {
  it('a staged accept.c alone is reported as in a whole-project run: the EPOLLET registration is in listener.c', () => {
    const dir = project();
    const whole = runCli(['.'], { cwd: dir });
    const alone = runCli(['src/accept.c'], { cwd: dir });
    expect(errors(whole.stdout)).toEqual([expect.stringMatching(/^src\/accept\.c:12:13: error: 'return' leaves the accept loop after accept\(\) succeeded \(line 7\); 'lfd' is edge-triggered/)]);
    expect(errors(alone.stdout)).toEqual(errors(whole.stdout));
    expect(alone.code).toBe(1);
    // The same with worker threads: the indexed files are parsed in the workers too, and not reported.
    expect(errors(runCli(['--jobs', '2', 'src/accept.c'], { cwd: dir }).stdout)).toEqual(errors(whole.stdout));
    // Only the named file is reported on, and counted.
    const json = JSON.parse(runCli(['--format', 'json', 'src/accept.c'], { cwd: dir }).stdout) as { summary: { files: number }; findings: { file: string }[] };
    expect(json.findings.map((f) => f.file)).toEqual(['src/accept.c']);
    expect(json.summary.files).toBe(1);
  });

  it('--no-project-index analyses the named file alone (the listener is then unknown: silent; taken as edge-triggered with edgeTriggered: assume; no question with ask, as the file names no edge-triggered mode)', () => {
    const dir = project();
    const alone = runCli(['--no-project-index', 'src/accept.c'], { cwd: dir });
    expect(errors(alone.stdout)).toEqual([]);
    expect(alone.code).toBe(0);
    writeFileSync(join(dir, 'connlint.json'), JSON.stringify({ rules: { 'accept-loop-early-exit': ['error', { edgeTriggered: 'ask' }] } }));
    expect(errors(runCli(['--no-project-index', 'src/accept.c'], { cwd: dir }).stdout)).toEqual([]);
    writeFileSync(join(dir, 'connlint.json'), JSON.stringify({ rules: { 'accept-loop-early-exit': ['error', { edgeTriggered: 'assume' }] } }));
    const assumed = runCli(['--no-project-index', 'src/accept.c'], { cwd: dir });
    expect(errors(assumed.stdout)).toEqual([expect.stringMatching(/^src\/accept\.c:12:13: error: .*taken as edge-triggered by the edgeTriggered option/)]);
    expect(assumed.code).toBe(1);
  });

  it('a failure constant defined in a header that was not named still counts (no false leak)', () => {
    const dir = project();
    expect(errors(runCli(['src/open.c'], { cwd: dir }).stdout)).toEqual([]);
    expect(errors(runCli(['--no-project-index', 'src/open.c'], { cwd: dir }).stdout)).toEqual([
      expect.stringMatching(/^src\/open\.c:8:9: error: descriptor 'fd' from open\(\) \(line 6\) is still open when this return leaves the function/),
    ]);
  });

  it('--stdin with --stdin-filename is indexed within its project too, its text replacing the file on disk', () => {
    const dir = project();
    const edited = ACCEPT_C.replace('            return;\n', '            continue;\n');
    expect(errors(runCli(['--stdin', '--stdin-filename', 'src/accept.c'], { cwd: dir, input: edited }).stdout)).toEqual([]);
    expect(errors(runCli(['--stdin', '--stdin-filename', 'src/accept.c'], { cwd: dir, input: ACCEPT_C }).stdout)).toHaveLength(1);
  });

  it('the project root is the nearest connlint.json above the named files: files outside it are not indexed', () => {
    const dir = project();
    writeFileSync(join(dir, 'src', 'connlint.json'), '{}');
    mkdirSync(join(dir, 'src', 'sub'));
    // Taking undecided listeners as edge-triggered shows that the registration in listener.c is not seen.
    writeFileSync(join(dir, 'src', 'sub', 'connlint.json'), JSON.stringify({ rules: { 'accept-loop-early-exit': ['error', { edgeTriggered: 'assume' }] } }));
    writeFileSync(join(dir, 'src', 'sub', 'accept.c'), ACCEPT_C);
    // listener.c is in src/, above src/sub/connlint.json: not part of the sub-project.
    const out = runCli(['--debug', 'src/sub/accept.c'], { cwd: dir });
    expect(out.stderr).toMatch(/indexing 0 more files of the project at .*src\/sub for cross-file facts/);
    expect(errors(out.stdout)).toEqual([expect.stringMatching(/error: .*taken as edge-triggered by the edgeTriggered option/)]);
  });

  it('a repository nested in another one whose .gitignore hides it is indexed as its own project', () => {
    const outer = tempDir();
    execFileSync('git', ['init', '-q'], { cwd: outer });
    writeFileSync(join(outer, '.gitignore'), 'vendor/\n');
    mkdirSync(join(outer, 'vendor'));
    const dir = project();
    execFileSync('mv', [dir, join(outer, 'vendor', 'net')]);
    const out = runCli(['--debug', 'vendor/net/src/accept.c'], { cwd: outer });
    expect(out.stderr).toMatch(/indexing 3 more files of the project at .*vendor\/net for cross-file facts/);
    expect(errors(out.stdout)).toEqual([expect.stringMatching(/^vendor\/net\/src\/accept\.c:12:13: error: /)]);
  });
});

describe('output independent of -j and of the order of paths', () => {
  it('four identical EPOLLET registrations in four files: the same evidence (the first file) and the same bytes with -j1, -j2 and any order', () => {
    const dir = tempDir();
    for (const name of ['a', 'b', 'c', 'd']) {
      writeFileSync(join(dir, `${name}.c`), `#include <sys/epoll.h>\nextern int lfd;\nvoid arm_${name}(int ep) { struct epoll_event ev; ev.events = EPOLLIN | EPOLLET; ev.data.fd = lfd; epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev); }\n`);
    }
    writeFileSync(join(dir, 'loop.c'), 'extern int lfd;\nvoid on_accept(void) {\n  for (;;) {\n    int c = accept(lfd, 0, 0);\n    if (c < 0) return;\n    if (c > 1000) { close(c); return; }\n    serve(c);\n  }\n}\n');
    const runs = [
      ['--jobs', '1', '.'],
      ['--jobs', '2', '.'],
      ['--jobs', '1', 'd.c', 'c.c', 'loop.c', 'b.c', 'a.c'],
      ['--jobs', '2', 'loop.c', 'd.c', 'b.c', 'c.c', 'a.c'],
    ].map((args) => runCli(['--format', 'sarif', ...args], { cwd: dir }).stdout);
    expect(runs[0]).toContain('"uri": "a.c"');
    for (const run of runs.slice(1)) expect(run).toBe(runs[0]);
  });

  it('two headers define CHECK differently: each file gets the CHECK it includes, whatever the order of the paths and -j (issue 21, item 6)', () => {
    const dir = tempDir();
    const user = (header: string, fn: string, cleanup: boolean) =>
      [`#include <fcntl.h>`, `#include <unistd.h>`, `#include "${header}"`, `int ${fn}(const char *p) {`, '  int fd = open(p, O_RDONLY);', '  if (fd < 0) return -1;', '  CHECK(write(fd, "x", 1));', '  close(fd);', '  return 0;', ...(cleanup ? ['cleanup:', '  close(fd);', '  return -1;'] : []), '}', ''].join('\n');
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'a', 'check.h'), '#define CHECK(x) do { if ((x) < 0) goto cleanup; } while (0)\n');
    writeFileSync(join(dir, 'b', 'check.h'), '#define CHECK(x) do { if ((x) < 0) return -1; } while (0)\n');
    // Jumps to its cleanup: no leak. Returns with fd open: a leak at the CHECK.
    writeFileSync(join(dir, 'a', 'a.c'), user('check.h', 'fa', true));
    writeFileSync(join(dir, 'b', 'b.c'), user('check.h', 'fb', false));
    // Includes neither header: what CHECK does is unknown, so nothing is claimed about it.
    writeFileSync(join(dir, 'c.c'), user('missing.h', 'fc', false));
    const leakInB = [expect.stringMatching(/^b\/b\.c:7:3: error: descriptor 'fd' from open\(\) \(line 5\) is still open when this 'CHECK' returns from the function \[fd-leak\]$/)];
    for (const args of [['a/a.c', 'b/b.c', 'c.c'], ['c.c', 'b/b.c', 'a/a.c'], ['--jobs', '2', 'a/a.c', 'b/b.c', 'c.c'], ['.'], ['b/b.c']]) {
      expect(errors(runCli(args, { cwd: dir }).stdout), args.join(' ')).toEqual(leakInB);
    }
    for (const alone of ['a/a.c', 'c.c']) expect(errors(runCli([alone], { cwd: dir }).stdout), alone).toEqual([]);
  });
});
