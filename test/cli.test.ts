import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, runCliAsync, tempDir } from './cli-helpers.js';

const BAD = 'samples/incident-003-accept-loop/bad_server.cpp';
const FIXED = 'samples/incident-003-accept-loop/fixed_server.cpp';

describe('connlint CLI', () => {
  it('reports the bad sample in gcc style with exit 1 and stays silent on the fixed one', () => {
    const bad = runCli([BAD]);
    expect(bad.code).toBe(1);
    const lines = bad.stdout.split('\n');
    expect(lines[0]).toMatch(/^samples\/incident-003-accept-loop\/bad_server\.cpp:41:17: error: 'return' leaves the accept loop after accept4\(\) succeeded \(line 37\);.* \[accept-loop-early-exit\]$/);
    expect(lines[1]).toBe('   41 |                 return;  // BUG: leaves the rest of the edge-triggered backlog stranded');
    expect(lines[2]).toBe('      |                 ^~~~~~~');
    expect(lines).toContain("samples/incident-003-accept-loop/bad_server.cpp:37:18: note: accept4() accepted a connection into 'fd' here");
    expect(lines).toContain('samples/incident-003-accept-loop/bad_server.cpp:66:5: note: registered edge-triggered (EPOLLET) with epoll_ctl() here');
    expect(bad.stdout).toContain('1 problem (1 error, 0 warnings, 0 notes) in 1 file');
    const fixed = runCli([FIXED]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toBe('no problems found in 1 file\n');
  });

  it('npx connlint samples/ finds every bad sample and nothing in the fixed ones', () => {
    const r = runCli(['samples/']);
    expect(r.code).toBe(1);
    const diagnostics = r.stdout.split('\n').filter((l) => /: (error|warning): /.test(l)).map((l) => l.replace(/: (error|warning): .*\[(.*)\]$/, ' $1 $2'));
    expect(diagnostics).toEqual([
      'samples/incident-002-fd-leak/bad_static_files.c:41:9 error fd-leak',
      'samples/incident-002-fd-leak/bad_static_files.c:57:9 error fd-leak',
      'samples/incident-002-fd-leak/bad_static_files.c:73:9 error fd-leak',
      'samples/incident-003-accept-loop/bad_server.cpp:41:17 error accept-loop-early-exit',
      'samples/incident-003-accept-loop/one_accept_per_event.c:13:14 error et-accept-not-drained',
    ]);
  });

  it('json: documented shape', () => {
    const r = runCli(['--format', 'json', BAD]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.tool).toEqual({ name: 'connlint', version: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version });
    expect(out.summary).toEqual({ files: 1, errors: 1, warnings: 0, notes: 0 });
    expect(out.findings).toHaveLength(1);
    const f = out.findings[0];
    expect(Object.keys(f)).toEqual(['rule', 'severity', 'file', 'line', 'column', 'endLine', 'endColumn', 'message', 'function', 'related', 'path', 'fix', 'fingerprint']);
    expect([f.rule, f.severity, f.file, f.line, f.column, f.endLine, f.endColumn, f.function]).toEqual(['accept-loop-early-exit', 'error', BAD, 41, 17, 41, 24, '{anonymous}::accept_new_conn'.replace('{anonymous}::', '')]);
    expect(f.related[0]).toMatchObject({ file: BAD, line: 37, message: "accept4() accepted a connection into 'fd' here" });
    expect(f.fix).toEqual({ description: "Replace 'return;' with 'continue;'", edits: [{ file: BAD, line: 41, column: 17, endLine: 41, endColumn: 24, newText: 'continue;' }] });
    expect(f.fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('sarif: rules, results with ruleId/ruleIndex, %SRCROOT% URIs, code flows, fingerprints, fixes, category', () => {
    const r = runCli(['--format', 'sarif', '--sarif-category', 'connlint/c', BAD]);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('connlint');
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(['accept-loop-early-exit', 'et-accept-not-drained', 'fd-leak']);
    const rule = run.tool.driver.rules[0];
    expect(rule.help.markdown).toContain('# accept-loop-early-exit');
    // The accept rules' measured precision on held-out servers is medium (docs/precision.md).
    expect(rule.properties).toMatchObject({ precision: 'medium', 'problem.severity': 'error', 'security-severity': '5.3' });
    // fd-leak's measured precision on held-out code (docs/precision.md).
    expect(run.tool.driver.rules[2].properties).toMatchObject({ precision: 'high' });
    expect(rule.defaultConfiguration.level).toBe('error');
    const result = run.results[0];
    expect([result.ruleId, result.ruleIndex, result.level]).toEqual(['accept-loop-early-exit', 0, 'error']);
    expect(result.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: BAD, uriBaseId: '%SRCROOT%' }, region: { startLine: 41, startColumn: 17, endLine: 41, endColumn: 24 } });
    expect(run.originalUriBaseIds['%SRCROOT%'].uri).toMatch(/^file:\/\/.*\/$/);
    expect(result.relatedLocations.map((l: { message: { text: string } }) => l.message.text)).toContain('registered edge-triggered (EPOLLET) with epoll_ctl() here');
    expect(result.codeFlows[0].threadFlows[0].locations.map((l: { location: { message: { text: string } } }) => l.location.message.text)).toEqual([
      "accept4() succeeds: 'fd' holds a connection",
      "'fd != -1' is true",
      "'g_connections >= kMaxConnections' is true",
      "'return' leaves the accept loop before accept4() has reported EAGAIN",
    ]);
    expect(result.partialFingerprints['connlintFingerprint/v1']).toMatch(/^[0-9a-f]{32}$/);
    expect(result.fixes[0].artifactChanges[0].replacements[0]).toEqual({ deletedRegion: { startLine: 41, startColumn: 17, endLine: 41, endColumn: 24 }, insertedContent: { text: 'continue;' } });
    expect(run.automationDetails.id).toBe('connlint/c/');
  });

  it('github: workflow commands', () => {
    const r = runCli(['--format', 'github', BAD]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=samples\/incident-003-accept-loop\/bad_server\.cpp,line=41,col=17,endLine=41,endColumn=24,title=connlint accept-loop-early-exit::'return' leaves the accept loop/);
  });

  it('-o writes the report to a file; stdout stays empty', () => {
    const dir = tempDir();
    const r = runCli(['--format', 'json', '-o', join(dir, 'out.json'), BAD]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')).findings).toHaveLength(1);
  });

  // Async: five runs in one synchronous stretch kept vitest's worker from answering its runner on a loaded machine.
  it('--rule, --quiet and --max-warnings decide the exit code', async () => {
    expect((await runCliAsync(['--rule', 'accept-loop-early-exit=off', BAD])).code).toBe(0);
    const warn = await runCliAsync(['--rule', 'accept-loop-early-exit=warning', BAD]);
    expect(warn.code).toBe(0);
    expect(warn.stdout).toContain(': warning: ');
    expect((await runCliAsync(['--rule', 'accept-loop-early-exit=warning', '--max-warnings', '0', BAD])).code).toBe(1);
    expect((await runCliAsync(['--rule', 'accept-loop-early-exit=warning', '--max-warnings', '1', BAD])).code).toBe(0);
    const quiet = await runCliAsync(['--rule', 'accept-loop-early-exit=warning', '--quiet', BAD]);
    expect(quiet.stdout).toBe('no problems found in 1 file\n');
  });

  it('usage errors exit 2 with a one-line message', () => {
    for (const args of [['--rule', 'nope=error', BAD], ['--rule', 'accept-loop-early-exit=loud', BAD], ['--format', 'xml', BAD], ['--jobs', '0', BAD], ['--explain', 'nope'], ['--bogus']]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(runCli(['--rule', 'nope=error', BAD]).stderr).toBe("connlint: --rule: unknown rule 'nope' (see connlint --list-rules)\n");
  });

  it('--list-rules, --explain, --version, --help', () => {
    const list = runCli(['--list-rules']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^RULE +SEVERITY +FIX +TITLE\naccept-loop-early-exit +error +fix +Accept loop exits/);
    const explain = runCli(['--explain', 'et-accept-not-drained']);
    expect(explain.code).toBe(0);
    expect(explain.stdout.startsWith('# et-accept-not-drained')).toBe(true);
    expect(runCli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--stdin-filename');
  });

  it('--stdin with --stdin-filename (language and config from the name)', () => {
    const source = readFileSync(join(ROOT, BAD), 'utf8');
    const r = runCli(['--stdin', '--stdin-filename', 'src/server.cpp', '--format', 'json'], { input: source });
    expect(r.code).toBe(1);
    const f = JSON.parse(r.stdout).findings[0];
    expect([f.file, f.line, f.rule]).toEqual(['src/server.cpp', 41, 'accept-loop-early-exit']);
    expect(runCli(['--stdin'], { input: 'int main(void) { return 0; }' }).code).toBe(0);
  });

  it('worker threads give the same findings as a single thread', () => {
    const one = JSON.parse(runCli(['--format', 'json', '--jobs', '1', 'samples/', 'test/fixtures/accept-loop-early-exit', 'test/fixtures/et-accept-not-drained']).stdout);
    const two = JSON.parse(runCli(['--format', 'json', '--jobs', '2', 'samples/', 'test/fixtures/accept-loop-early-exit', 'test/fixtures/et-accept-not-drained']).stdout);
    expect(two.findings).toEqual(one.findings);
    expect(one.findings.length).toBeGreaterThan(10);
  });

  it('walks directories honouring .gitignore and config ignore; explicit files are always analysed', () => {
    const dir = tempDir();
    mkdirSync(join(dir, '.git'));
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'build'));
    mkdirSync(join(dir, 'vendor'));
    const bad = readFileSync(join(ROOT, BAD), 'utf8');
    for (const f of ['src/a.cpp', 'build/gen.cpp', 'vendor/lib.cpp', 'src/skip.cc']) writeFileSync(join(dir, f), bad);
    writeFileSync(join(dir, 'src/notes.txt'), bad);
    writeFileSync(join(dir, '.gitignore'), 'build/\n');
    writeFileSync(join(dir, 'src/.gitignore'), 'skip.cc\n');
    writeFileSync(join(dir, 'connlint.json'), JSON.stringify({ ignore: ['vendor/**'] }));
    const files = (r: ReturnType<typeof runCli>) => [...new Set(JSON.parse(r.stdout).findings.map((f: { file: string }) => f.file))].sort();
    expect(files(runCli(['--format', 'json', '.'], { cwd: dir }))).toEqual(['src/a.cpp']);
    expect(files(runCli(['--format', 'json', 'src'], { cwd: dir }))).toEqual(['src/a.cpp']);
    expect(files(runCli(['--format', 'json', 'vendor/lib.cpp', 'src/notes.txt'], { cwd: dir }))).toEqual(['src/notes.txt', 'vendor/lib.cpp']);
  });

  it('suppressions and --report-unused-disable-directives', () => {
    const dir = tempDir();
    const source = readFileSync(join(ROOT, BAD), 'utf8').replace(
      '                return;  // BUG',
      '                // connlint-disable-next-line accept-loop-early-exit -- limit reached on purpose\n                return;  // BUG',
    );
    const text = `${source}\n// connlint-disable-next-line et-accept-not-drained\nint unused_here;\n`;
    writeFileSync(join(dir, 's.cpp'), text);
    const unusedLine = text.split('\n').findIndex((l) => l.includes('disable-next-line et-accept')) + 1;
    const r = runCli(['--format', 'json', 's.cpp'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).findings).toEqual([]);
    const unused = runCli(['--format', 'json', '--report-unused-disable-directives', 's.cpp'], { cwd: dir });
    expect(unused.code).toBe(0);
    expect(JSON.parse(unused.stdout).findings.map((f: { rule: string; line: number; severity: string }) => [f.rule, f.line, f.severity])).toEqual([['unused-disable-directive', unusedLine, 'warning']]);
    const sarif = JSON.parse(runCli(['--format', 'sarif', '--report-unused-disable-directives', 's.cpp'], { cwd: dir }).stdout);
    expect(sarif.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toContain('unused-disable-directive');
  });

  it('colours only when asked (FORCE_COLOR) and never in files', () => {
    expect(runCli([BAD], { env: { FORCE_COLOR: '1', NO_COLOR: '' } }).stdout).toContain('\x1b[1m');
    expect(runCli([BAD]).stdout).not.toContain('\x1b[');
    expect(existsSync(join(ROOT, 'docs/rules/accept-loop-early-exit.md'))).toBe(true);
  });

  it("other operating systems' folders are left out of folder runs (said with --debug); named, they are analysed", () => {
    const dir = tempDir();
    const leaky = 'int setup_device(const char *p) {\n    int fd = open(p, 0);\n    if (fd < 0)\n        return -1;\n    if (p[0])\n        return 1;\n    close(fd);\n    return 0;\n}\n';
    // (Apache's os/ has tpf/, netware/, bs2000/, os390/ beside unix/.)
    for (const os of ['linux', 'solaris', 'bsd', 'tpf']) {
      mkdirSync(join(dir, 'src', os), { recursive: true });
      writeFileSync(join(dir, 'src', os, 'device.c'), leaky);
    }
    // Files named for another system (libusb's os/netbsd_usb.c) too; headers stay.
    mkdirSync(join(dir, 'src', 'os'), { recursive: true });
    writeFileSync(join(dir, 'src', 'os', 'netbsd_usb.c'), leaky);
    writeFileSync(join(dir, 'src', 'os', 'netbsd_usb.h'), '#define NETBSD_USB 1\n');
    const folder = runCli(['--debug', 'src'], { cwd: dir });
    expect(folder.code).toBe(1);
    expect(folder.stdout.split('\n').filter((l) => l.includes('error:')).map((l) => l.split(':')[0])).toEqual(['src/linux/device.c']);
    expect(folder.stderr).toContain('connlint: debug: 4 folders and files of other operating systems not analysed (src/bsd, src/solaris, src/tpf, src/os/netbsd_usb.c); name one to analyse it');
    const named = runCli(['src/solaris', 'src/os/netbsd_usb.c'], { cwd: dir });
    expect(named.stdout).toContain('src/solaris/device.c:6:9: error:');
    expect(named.stdout).toContain('src/os/netbsd_usb.c:6:9: error:');
  });
});
