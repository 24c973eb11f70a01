import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitCommand } from '../core/engine/compile-commands.js';
import { runCli, tempDir } from './cli-helpers.js';

/** A leak only in the configuration that defines KEEP_OPEN. */
const SOURCE = `#include <fcntl.h>
#include <unistd.h>

int first(const char *p) {
    int fd = open(p, O_RDONLY);
    if (fd < 0)
        return -1;
#ifdef KEEP_OPEN
    if (p[0])
        return 1;
#endif
#if defined(LOG_LEVEL) && LOG_LEVEL > 1
    log_open(fd);
#endif
    close(fd);
    return 0;
}
`;

function project(files: Record<string, string>): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.c'), SOURCE);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const leaks = (stdout: string) => stdout.split('\n').filter((l) => /: error: .*\[fd-leak\]$/.test(l));
const LEAK = /^a\.c:10:9: error: descriptor 'fd' from open\(\) \(line 5\) is still open when this return leaves the function/;

describe("the build's configuration decides #if branches", () => {
  it('without one, both branches are analysed', () => {
    expect(leaks(runCli(['a.c'], { cwd: project({}) }).stdout)).toEqual([expect.stringMatching(LEAK)]);
  });

  it('connlint.json defines and undefines', () => {
    expect(leaks(runCli(['a.c'], { cwd: project({ 'connlint.json': '{ "undefines": ["KEEP_OPEN"] }' }) }).stdout)).toEqual([]);
    expect(leaks(runCli(['a.c'], { cwd: project({ 'connlint.json': '{ "defines": ["KEEP_OPEN=1"] }' }) }).stdout)).toEqual([expect.stringMatching(LEAK)]);
  });

  it('-p compile_commands.json: each file its own -D and -U ("arguments" or "command"), over connlint.json', () => {
    const db = (entry: object) => JSON.stringify([{ directory: '.', file: 'a.c', ...entry }]);
    const undefinedHere = project({ 'compile_commands.json': db({ arguments: ['cc', '-U', 'KEEP_OPEN', '-c', 'a.c'] }) });
    expect(leaks(runCli(['-p', 'compile_commands.json', 'a.c'], { cwd: undefinedHere }).stdout)).toEqual([]);
    const definedHere = project({ 'compile_commands.json': db({ command: 'cc "-DKEEP_OPEN" -DLOG_LEVEL=2 -c a.c' }), 'connlint.json': '{ "undefines": ["KEEP_OPEN"] }' });
    expect(leaks(runCli(['-p', '.', 'a.c'], { cwd: definedHere }).stdout)).toEqual([expect.stringMatching(LEAK)]);
  });

  it('a missing or broken compile database is exit 2 with what is wrong', () => {
    const dir = project({ 'bad.json': '{ "not": "an array" }', 'broken.json': '[{' });
    expect(runCli(['-p', 'nope.json', 'a.c'], { cwd: dir })).toMatchObject({ code: 2, stderr: 'connlint: -p: nope.json: no such file or directory\n' });
    expect(runCli(['-p', 'bad.json', 'a.c'], { cwd: dir })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^connlint: -p: .*bad\.json: expected an array of compile commands\n$/) });
    expect(runCli(['-p', 'broken.json', 'a.c'], { cwd: dir })).toMatchObject({ code: 2, stderr: expect.stringMatching(/^connlint: -p: .*broken\.json: not valid JSON/) });
  });

  it('connlint.json compileCommands names the database (relative to the config); -p wins over it', () => {
    const db = (flag: string) => JSON.stringify([{ directory: '.', file: 'a.c', arguments: ['cc', flag, '-c', 'a.c'] }]);
    const dir = project({ 'connlint.json': '{ "compileCommands": "build/undefined.json" }' });
    mkdirSync(join(dir, 'build'));
    writeFileSync(join(dir, 'build', 'undefined.json'), db('-UKEEP_OPEN'));
    writeFileSync(join(dir, 'defined.json'), db('-DKEEP_OPEN'));
    expect(leaks(runCli(['a.c'], { cwd: dir }).stdout)).toEqual([]);
    expect(leaks(runCli(['-p', 'defined.json', 'a.c'], { cwd: dir }).stdout)).toEqual([expect.stringMatching(LEAK)]);
  });

  it("a config's compile database that cannot be read is exit 2, also without the project index", () => {
    const dir = project({ 'connlint.json': '{ "compileCommands": "nope.json" }' });
    for (const args of [['a.c'], ['--no-project-index', '.']]) {
      const out = runCli(args, { cwd: dir });
      expect(out.code).toBe(2);
      expect(out.stderr).toMatch(/^connlint: connlint\.json: compileCommands: .*nope\.json: no such file or directory$/m);
    }
  });

  it('headers included from include folders (includeDirs, a database\'s -I) are read for their macros, not reported on', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'include'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'include', 'net.h'), '#define net_socket socket\n');
    writeFileSync(join(dir, 'src', 'server.c'), '#include <net.h>\nint start(int port) {\n    int s = net_socket(2, 1, 0);\n    if (s < 0)\n        return -1;\n    if (port < 1024)\n        return -2;\n    return s;\n}\n');
    const found = ["src/server.c:7:9: error: descriptor 's' from net_socket() (line 3) is still open when this return leaves the function [fd-leak]"];
    // A folder run of src/ alone does not see the header: net_socket() is an unknown function.
    expect(leaks(runCli(['src'], { cwd: dir }).stdout)).toEqual([]);
    writeFileSync(join(dir, 'connlint.json'), '{ "includeDirs": ["include"] }');
    const withDirs = runCli(['src'], { cwd: dir });
    expect(leaks(withDirs.stdout)).toEqual(found);
    expect(withDirs.stdout).toContain('in 1 file');
    writeFileSync(join(dir, 'connlint.json'), '{}');
    writeFileSync(join(dir, 'compile_commands.json'), JSON.stringify([{ directory: join(dir, 'src'), file: 'server.c', command: 'cc -I ../include -c server.c' }]));
    expect(leaks(runCli(['-p', '.', 'src'], { cwd: dir }).stdout)).toEqual(found);
    // A named file indexes its project, and the headers it includes from outside it.
    expect(leaks(runCli(['-p', '.', 'src/server.c'], { cwd: join(dir) }).stdout)).toEqual(found);
  });

  it('splits command lines as a shell does', () => {
    expect(splitCommand(`cc -DNAME="a b" -D'Q=1' -I /x\\ y -c  file.c`)).toEqual(['cc', '-DNAME=a b', '-DQ=1', '-I', '/x y', '-c', 'file.c']);
  });
});
