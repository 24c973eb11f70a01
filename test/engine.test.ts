import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigResolver, parseConfig } from '../core/engine/config.js';
import { detectLanguage } from '../core/syntax/language.js';
import { parseText } from '../core/syntax/parser.js';
import { ALL_RULES } from '../rules/index.js';
import { FactsTable, ProjectIndex } from '../core/project/project-index.js';
import { emptyConfig } from '../core/engine/config.js';
import { settingsFor } from '../core/engine/settings.js';
import { expandedExpression, leavesAlways, macroExpressions } from '../core/project/macros.js';
import { providersOf } from '../core/project/provider.js';
import { callGraphOf } from '../core/project/call-graph.js';
import { registrationsProvider, type RegistrationItem } from '../domain/accept/registrations.js';
import { acceptWrappersProvider } from '../domain/accept/accept-wrappers.js';
import { invalidMacrosProvider } from '../domain/descriptors/summaries.js';
import { prepareSource } from '../core/project/source-file.js';
import { linesShownIn, moveFinding, type Finding } from '../core/engine/findings.js';
import { LineMap } from '../core/syntax/source-text.js';
import { analyze } from './helpers.js';
import { tempDir, ROOT } from './cli-helpers.js';
import { withBsdFindings } from '../core/engine/platform-findings.js';
import { UNUSED_DIRECTIVE_RULE } from '../core/engine/suppressions.js';

const EDGE_BUG = (prefix = '', name = 'f') => `${prefix}#include <sys/epoll.h>
int lfd;
void arm(int ep) { struct epoll_event ev; ev.events = EPOLLIN | EPOLLET; epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev); }
void ${name}(void) { for (;;) { int fd = accept(lfd, 0, 0); if (fd < 0) return; if (fd > 9) return; } }
`;

describe('parsing', () => {
  it('parses inputs far beyond 32 KiB', () => {
    const big = `${'int pad_function_with_a_long_name(int a) { return a + 1; }\n'.repeat(4000)}${EDGE_BUG()}`;
    expect(big.length).toBeGreaterThan(200_000);
    expect(parseText('c', big).rootNode.hasError).toBe(false);
    expect(analyze([{ path: 'big.c', text: big }]).map((f) => f.location.line)).toEqual([4004]);
  });

  it('reports columns in UTF-16 units after non-ASCII text', () => {
    const text = EDGE_BUG().replace('void f(void) {', 'void f(void) { const char *s = "héllo→"; ');
    const [finding] = analyze([{ path: 'u.c', text }]);
    const line = text.split('\n')[3]!;
    expect(finding!.location.column).toBe(line.lastIndexOf('return') + 1);
  });

  it('chooses the grammar by extension; .h is C unless it has C++ constructs (or config says)', () => {
    expect(detectLanguage('a.c', '')).toBe('c');
    for (const ext of ['cc', 'cpp', 'cxx', 'c++', 'hpp', 'hh', 'hxx', 'h++', 'ipp', 'tpp']) expect(detectLanguage(`a.${ext}`, '')).toBe('cpp');
    expect(detectLanguage('a.h', 'struct s { int class_id; };')).toBe('c');
    expect(detectLanguage('a.h', '// class Foo in a comment\nint x;')).toBe('c');
    expect(detectLanguage('a.h', 'namespace net {\nclass Server;\n}')).toBe('cpp');
    expect(detectLanguage('a.h', 'template <typename T> T f(T);')).toBe('cpp');
    expect(detectLanguage('a.h', 'int x;', 'cpp')).toBe('cpp');
  });

  it('analyses C++ in .h headers (member accept loop)', () => {
    const text = readFileSync(join(ROOT, 'test/fixtures/accept-loop-early-exit/member.cpp'), 'utf8');
    const expected = text.split('\n').flatMap((l, i) => (l.includes('expect: accept-loop-early-exit') ? [i + 1] : []));
    expect(expected).toHaveLength(2);
    expect(analyze([{ path: 'member.h', text }]).map((f) => f.location.line)).toEqual(expected);
  });
});

describe('fingerprints', () => {
  it('are stable when unrelated code is added above, and tell identical statements apart', () => {
    const before = analyze([{ path: 'a.c', text: EDGE_BUG() }]);
    const after = analyze([{ path: 'a.c', text: EDGE_BUG('/* new header comment */\nstatic int unrelated(void) { return 1; }\n\n') }]);
    expect(after.map((f) => f.location.line)).toEqual(before.map((f) => f.location.line + 3));
    expect(after.map((f) => f.fingerprint)).toEqual(before.map((f) => f.fingerprint));
    const twice = analyze([{ path: 'a.c', text: `${EDGE_BUG()}${EDGE_BUG('', 'g').split('\n').slice(3).join('\n')}` }]);
    expect(new Set(twice.map((f) => f.fingerprint)).size).toBe(twice.length);
    const renamedFile = analyze([{ path: 'b.c', text: EDGE_BUG() }]);
    expect(renamedFile[0]!.fingerprint).not.toBe(before[0]!.fingerprint);
  });
});

describe('suppressions', () => {
  const cases: [string, (t: string) => string, number[]][] = [
    ['disable-next-line with reason', (t) => t.replace('void f(void)', '// connlint-disable-next-line accept-loop-early-exit -- known\nvoid f(void)'), []],
    ['disable-line', (t) => t.replace('if (fd > 9) return; } }', 'if (fd > 9) return; } } // connlint-disable-line accept-loop-early-exit'), []],
    ['a list of rules', (t) => t.replace('void f(void)', '// connlint-disable-next-line et-accept-not-drained, accept-loop-early-exit\nvoid f(void)'), []],
    ['no rule list: all rules', (t) => t.replace('void f(void)', '/* connlint-disable-next-line */\nvoid f(void)'), []],
    ['another rule only', (t) => t.replace('void f(void)', '// connlint-disable-next-line et-accept-not-drained\nvoid f(void)'), [5]],
    ['block disable ... enable', (t) => t.replace('void f(void)', '/* connlint-disable accept-loop-early-exit */\nvoid f(void)').concat('/* connlint-enable accept-loop-early-exit */\n'), []],
    ['enable before the finding', (t) => t.replace('void f(void)', '/* connlint-disable accept-loop-early-exit */\n/* connlint-enable accept-loop-early-exit */\nvoid f(void)'), [6]],
    ['not a directive inside a string', (t) => t.replace('int lfd;', 'int lfd; const char *s = "// connlint-disable-next-line";'), [4]],
  ];
  for (const [name, edit, lines] of cases) {
    it(name, () => {
      expect(analyze([{ path: 's.c', text: edit(EDGE_BUG()) }]).map((f) => f.location.line)).toEqual(lines);
    });
  }

  it('reports unused directives only when asked', () => {
    const text = `// connlint-disable-next-line accept-loop-early-exit\nint nothing_here;\n${EDGE_BUG()}`;
    expect(analyze([{ path: 's.c', text }]).map((f) => f.ruleId)).toEqual(['accept-loop-early-exit']);
    const withUnused = analyze([{ path: 's.c', text }], undefined, true);
    expect(withUnused.map((f) => [f.ruleId, f.location.line])).toEqual([
      ['accept-loop-early-exit', 6],
      ['unused-disable-directive', 1],
    ]);
    expect(withUnused[1]!.message).toBe("unused connlint-disable-next-line directive (no 'accept-loop-early-exit' findings to suppress here)");
  });
});

describe('configuration', () => {
  it('the schema names every rule, and rules have docs', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema/connlint.schema.json'), 'utf8'));
    expect(Object.keys(schema.properties.rules.properties).sort()).toEqual([...ALL_RULES.map((r) => r.meta.id), 'unused-disable-directive'].sort());
    for (const rule of ALL_RULES) expect(readFileSync(join(ROOT, `docs/rules/${rule.meta.id}.md`), 'utf8')).toMatch(new RegExp(`^# ${rule.meta.id}\\n`));
  });

  it('is found by walking up from each file; the nearest wins; .connlintrc.json works too', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    mkdirSync(join(dir, 'c'));
    writeFileSync(join(dir, 'connlint.json'), JSON.stringify({ rules: { 'accept-loop-early-exit': 'warning' } }));
    writeFileSync(join(dir, 'a', '.connlintrc.json'), JSON.stringify({ rules: { 'accept-loop-early-exit': 'off' } }));
    const resolver = new ConfigResolver(undefined, dir);
    expect(resolver.forFile('a/b/x.c').rules['accept-loop-early-exit']!.severity).toBe('off');
    expect(resolver.forFile('c/y.c').rules['accept-loop-early-exit']!.severity).toBe('warning');
    const explicit = new ConfigResolver(join(dir, 'connlint.json'), dir);
    expect(explicit.forFile('a/b/x.c').rules['accept-loop-early-exit']!.severity).toBe('warning');
  });

  it('parses every documented setting', () => {
    const config = parseConfig('/p/connlint.json', JSON.stringify({
      $schema: './schema/connlint.schema.json',
      rules: { 'accept-loop-early-exit': ['note', { edgeTriggered: 'always' }], 'et-accept-not-drained': 'off' },
      functions: { acquire: ['my_open'], release: ['my_close'], noReturn: ['die'], acceptWrappers: ['a1', { name: 'a2', listenerArg: 2 }] },
      ignore: ['third_party/**'],
      headerLanguage: 'cpp',
    }));
    expect(config.rules).toEqual({ 'accept-loop-early-exit': { severity: 'note', options: { edgeTriggered: 'always' } }, 'et-accept-not-drained': { severity: 'off', options: {} } });
    expect(config.functions.acceptWrappers).toEqual([{ name: 'a1', listenerArg: 0 }, { name: 'a2', listenerArg: 2 }]);
    expect([config.baseDir, config.ignore, config.headerLanguage]).toEqual(['/p', ['third_party/**'], 'cpp']);
  });

  it('rejects broken files with the path inside them', () => {
    expect(() => parseConfig('/p/connlint.json', '{"rules": {"accept-loop-early-exit": "loud"}}')).toThrow(ConfigError);
    try {
      parseConfig('/p/connlint.json', '{\n  "rules": {\n    "x": 1,\n  }\n}');
    } catch (error) {
      expect((error as ConfigError).position?.line).toBe(4);
    }
  });

  it('configured noReturn functions end paths', () => {
    const text = EDGE_BUG().replace('if (fd > 9) return;', 'if (fd > 9) { die("x"); return; }');
    expect(analyze([{ path: 'n.c', text }]).map((f) => f.location.line)).toEqual([4]);
    const config = parseConfig('/p/connlint.json', JSON.stringify({ functions: { noReturn: ['die'] } }));
    expect(analyze([{ path: 'n.c', text }], config)).toEqual([]);
  });
});

describe('project index', () => {
  it('answers the same over separately built tables as over all files at once', () => {
    const dir = join(ROOT, 'test', 'fixtures', 'accept-loop-early-exit', 'cross');
    const settings = settingsFor(emptyConfig(ROOT), providersOf(ALL_RULES));
    const files = ['poller.c', 'server.c', 'server.h'].map((name) => prepareSource(join(dir, name), readFileSync(join(dir, name), 'utf8'), settings).facts);
    const whole = new ProjectIndex(files);
    const layered = ProjectIndex.over([new FactsTable(files.slice(0, 1)), new FactsTable(files.slice(1))]);
    const names = [...new Set(files.flatMap((f) => [...f.functions.map((fn) => fn.name), ...f.calls.map((c) => c.callee)]))];
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      expect(layered.functionsNamed(name)).toEqual(whole.functionsNamed(name));
      expect(layered.callsTo(name)).toEqual(whole.callsTo(name));
    }
    const keys = files.flatMap((f) => (f.provided[registrationsProvider.id] as RegistrationItem[]).map((r) => r.key));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(layered.derived(registrationsProvider).registrationsOf(key)).toEqual(whole.derived(registrationsProvider).registrationsOf(key));
    expect([...layered.derived(acceptWrappersProvider)]).toEqual([...whole.derived(acceptWrappersProvider)]);
    expect([...layered.derived(invalidMacrosProvider)]).toEqual([...whole.derived(invalidMacrosProvider)]);
    // The call graph gives the same edges over tables (the LSP's) as over one.
    const [g1, g2] = [callGraphOf(whole), callGraphOf(layered)];
    const edges = (g: typeof g1) => g.allFunctions().map((fn) => JSON.stringify([fn, g.callers(fn), g.callees(fn)]));
    expect(edges(g2)).toEqual(edges(g1));
    expect(g1.allFunctions().filter((fn) => g1.callers(fn).length > 0).length).toBe(2);
  });
});

describe('moving findings', () => {
  const at = (line: number, column = 5) => ({ file: 'a.c', line, column, endLine: line, endColumn: column + 3 });
  const finding: Finding = {
    ruleId: 'fd-leak',
    severity: 'error',
    message: "descriptor 'fd' from socket() (line 12) is still open when this return leaves the function",
    location: at(20),
    related: [{ location: at(12), message: "'fd' acquired by socket() here" }, { location: { ...at(3), file: 'b.c' }, message: 'registered edge-triggered here' }],
    path: [{ location: at(14), message: "path: 'fd < 0' is false" }],
    fix: { description: 'close it', edits: [{ location: at(20), newText: 'close(fd);' }] },
    fingerprint: 'x',
  };

  it('moves every location and line reference inside the moved lines of its file, and nothing else', () => {
    const moved = moveFinding(finding, 'a.c', 10, 25, 4);
    expect(moved.message).toContain('(line 16)');
    expect(moved.location.line).toBe(24);
    expect(moved.related[0]!.location.line).toBe(16);
    // Another file's location stays.
    expect(moved.related[1]).toEqual(finding.related[1]);
    expect(moved.path![0]!.location.line).toBe(18);
    expect(moved.fix!.edits[0]!.location).toEqual(at(24));
    expect(moved.fingerprint).toBe('x');
    // Lines outside the moved range stay.
    expect(moveFinding(finding, 'a.c', 15, 25, 4).related[0]!.location.line).toBe(12);
  });

  it('lists every line a finding shows in a file, line references in its messages included', () => {
    expect(linesShownIn(finding, 'a.c').map((r) => r.line).sort((a, b) => a - b)).toEqual([12, 12, 14, 20, 20]);
    // Line references name lines of the finding's own file.
    expect(linesShownIn(finding, 'b.c').map((r) => r.line)).toEqual([3]);
  });
});

describe('line maps', () => {
  it('kept through edits give the same lines as a map built from the edited text', () => {
    let seed = 11;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const piece = () => ['a', 'bc', '\n', '\r\n', 'x\ny', '\n\n', ''][Math.floor(next() * 7)]!;
    let text = Array.from({ length: 30 }, piece).join('');
    let map = new LineMap(text);
    for (let i = 0; i < 500; i++) {
      const start = Math.floor(next() * (text.length + 1));
      const end = start + Math.floor(next() * Math.min(5, text.length - start + 1));
      const inserted = Array.from({ length: Math.floor(next() * 3) }, piece).join('');
      text = text.slice(0, start) + inserted + text.slice(end);
      map = map.edited(text, start, end, inserted);
      const fresh = new LineMap(text);
      expect(map.lineCount).toBe(fresh.lineCount);
      for (let line = 0; line < fresh.lineCount; line++) {
        expect(map.offsetOf(line, 0)).toBe(fresh.offsetOf(line, 0));
        expect(map.lineText(line)).toBe(fresh.lineText(line));
      }
      for (let offset = 0; offset <= text.length; offset += 3) expect(map.span(offset, text.length)).toEqual(fresh.span(offset, text.length));
    }
  });
});

describe('macro aliases (functions under macro names)', () => {
  it('reads object-like and function-like aliases, and resolves chains with argument positions', async () => {
    const { macroAliases } = await import('../core/project/macros.js');
    const text = [
      '#define xs_socket socket',
      '#define xs_open_file(name, mode, create, access) open((const char *) name, mode|create, access)',
      '#define sclose(x) close(x) /* closes */',
      '#define W(a, b) (write((b), (a), 1))',
      '#define SECOND(a, b) sclose(b)',
      '#define CALL(f) f()',
      '#define MAX 10',
      '#define TWICE(x) (f(x) + f(x))',
    ].join('\n');
    expect(macroAliases(text)).toEqual([
      { name: 'xs_socket', target: 'socket' },
      { name: 'xs_open_file', target: 'open', args: [0, -1, 3] },
      { name: 'sclose', target: 'close', args: [0] },
      { name: 'W', target: 'write', args: [1, 0, -1] },
      { name: 'SECOND', target: 'sclose', args: [1] },
    ]);
    const settings = settingsFor(emptyConfig(ROOT));
    const index = new ProjectIndex([prepareSource('m.h', text, settings).facts]);
    expect(index.macros.resolveAlias('SECOND')).toEqual({ name: 'close', args: [1] });
    expect(index.macros.resolveAlias('xs_socket')).toEqual({ name: 'socket', args: undefined });
    expect(index.macros.resolveAlias('read')).toEqual({ name: 'read', args: undefined });
  });

  it('expression macros: bodies that are an expression, with what they call; a use expands to the body with the arguments', () => {
    const text = [
      '#define SOCK_INVALID(s) ((s) < 0) /* -1 on error */',
      '#define BOTH(a, b) (SOCK_INVALID(a) || (b) == NULL)',
      '#define CHECKED(f) ((f) != NULL && !ferror(f))',
      '#define RESET(x) ((x) = -1)',
      '#define BUMP(x) ((x)++)',
      '#define CLOSE_BOTH(a, b) do { close(a); close(b); } while (0)',
      '#define NAME(x) #x',
      '#define PASTE(a, b) a ## b',
      '#define VARIADIC(...) f(__VA_ARGS__)',
      '#define NOT_A_FUNCTION (1 < 2)',
    ].join('\n');
    expect(macroExpressions(text)).toEqual([
      { name: 'SOCK_INVALID', params: ['s'], body: '((s) < 0)', calls: [] },
      { name: 'BOTH', params: ['a', 'b'], body: '(SOCK_INVALID(a) || (b) == NULL)', calls: ['SOCK_INVALID'] },
      { name: 'CHECKED', params: ['f'], body: '((f) != NULL && !ferror(f))', calls: ['ferror'] },
      // `#x` makes a string of the argument (libarchive's assert(e) reports #e); pasting (`##`) is no expression.
      { name: 'NAME', params: ['x'], body: '#x', calls: [] },
    ]);
    expect(expandedExpression(macroExpressions(text)[1]!, ['fd', 'log->f'])).toBe('(SOCK_INVALID(fd) || (log->f) == NULL)');
    expect(expandedExpression(macroExpressions(text)[3]!, ['f  != NULL'])).toBe('"f != NULL"');
    const index = new ProjectIndex([prepareSource('m.h', text, settingsFor(emptyConfig(ROOT))).facts]);
    expect(['SOCK_INVALID', 'BOTH', 'CHECKED', 'RESET'].map((n) => index.macros.readsOnly(n))).toEqual([true, true, false, false]);
  });

  it('macros in file order: a .c file lays its own #define and #undef over the headers\' where they are in effect', () => {
    const settings = settingsFor(emptyConfig(ROOT));
    const header = prepareSource('net.h', '#define sclose(x) close(x)\n#define die(m) exit(1)\n#define SLOT 2\n', settings).facts;
    const other = prepareSource('other.c', '#define LOCAL_ONLY(x) close(x)\n', settings).facts;
    const index = new ProjectIndex([header, other]);
    // Another translation unit's macros are not the table's.
    expect([...index.macros.aliases.keys()].sort()).toEqual(['die', 'sclose']);
    const text = ['int a(void) { return 0; }', '#undef sclose', '#define die(m) abort()', '#define SLOT 3', 'int b(void) {', '#define IN_B 1', '  return 0;', '#undef IN_B', '}', ''].join('\n');
    const offset = (s: string) => text.indexOf(s);
    const before = index.macros.at(text, 0, offset('#undef sclose'));
    expect(before).toBe(index.macros);
    const inB = index.macros.at(text, offset('int b'), text.length);
    expect([...inB.aliases.keys()].sort()).toEqual(['die']);
    expect(inB.aliases.size).toBe(1);
    expect(inB.resolveAlias('die')).toEqual({ name: 'abort', args: [] });
    expect(inB.resolveAlias('sclose')).toEqual({ name: 'sclose', args: undefined });
    expect(inB.constants.get('SLOT')).toBe('3');
    expect(inB.constants.get('IN_B')).toBe('1');
    expect(index.macros.at(text, offset('int b'), text.length)).toBe(inB);
  });

  it('headers that define a name differently: a file sees the first definition among what it includes, none when it includes neither', () => {
    const settings = settingsFor(emptyConfig(ROOT));
    const facts = (path: string, text: string) => prepareSource(path, text, settings).facts;
    const index = new ProjectIndex([
      facts('/p/a/check.h', '#define CHECK(x) if (!(x)) goto out\n#define SAME(x) close(x)\n'),
      facts('/p/b/check.h', '#define CHECK(x) if (!(x)) return -1\n#define SAME(x) close(x)\n#include "deep.h"\n'),
      facts('/p/b/deep.h', '#include "check.h"\n#define DEEP 1\n'),
      facts('/p/a/a.c', '#include "check.h"\n'),
      facts('/p/b/b.c', '#include <b/deep.h>\n#if 0\n#include "../a/check.h"\n#endif\n'),
      facts('/p/both.c', '#include "a/check.h"\n#include "b/check.h"\n'),
      facts('/p/none.c', '#include "other.h"\n'),
    ]);
    // Identical definitions are no conflict.
    expect([...index.macros.conflicts().keys()]).toEqual(['CHECK']);
    expect(index.macrosFor('/p/a/a.c').returning.get('CHECK')?.gotoLabel).toBe('out');
    // Through <b/deep.h> (a path suffix) and its "check.h" beside it (an include cycle); the #if 0 include does not count.
    expect(index.macrosFor('/p/b/b.c').returning.get('CHECK')).toEqual({ name: 'CHECK', param: 0, returnsWhen: false });
    expect(index.macrosFor('/p/both.c').returning.get('CHECK')?.gotoLabel).toBe('out');
    expect(index.macrosFor('/p/none.c').returning.has('CHECK')).toBe(false);
    expect(index.macrosFor('/p/none.c').aliases.get('SAME')?.target).toBe('close');
    // A header sees its own definition first.
    expect(index.macrosFor('/p/a/check.h').returning.get('CHECK')?.gotoLabel).toBe('out');
    // One scope per set of choices.
    expect(index.macrosFor('/p/both.c')).toBe(index.macrosFor('/p/a/a.c'));
  });
});

describe('macros that leave on every use', () => {
  it('a return or goto of its own at the top level of the body', () => {
    expect(leavesAlways(' do { \\\n if (fd != -1) \\\n close(fd); \\\n return (x); \\\n } while (0);')).toBe(true);
    expect(leavesAlways(' { status = (code); goto out; }')).toBe(true);
    expect(leavesAlways(' close(fd); return -1')).toBe(true);
    expect(leavesAlways(' do { if (a) { log(a); } return a; } while (0)')).toBe(true);
  });
  it('a return under an if, else or loop of the body, or none', () => {
    expect(leavesAlways(' do { if ((x) < 0) return (x); } while (0)')).toBe(false);
    expect(leavesAlways(' if (!(x)) { close(fd); return -1; }')).toBe(false);
    expect(leavesAlways(' do { if (a) log(a); else return a; } while (0)')).toBe(false);
    expect(leavesAlways(' for (;;) return 1')).toBe(false);
    expect(leavesAlways(' do { } while (0); return 1')).toBe(true);
    expect(leavesAlways(' if (x) abort()')).toBe(false);
  });
});

describe('the BSD build\'s findings (core/engine/platform-findings.ts)', () => {
  const finding = (ruleId: string, severity: 'error' | 'note', line: number, functionName: string): Finding => ({
    ruleId,
    severity,
    message: `m${line}`,
    location: { file: 'src/stream.c', line, column: 5, endLine: line, endColumn: 11 },
    related: [],
    fingerprint: `${ruleId}:${line}`,
    functionName,
  });
  it('adds what only the BSD build finds, saying so; not what the Linux build has at the same place, nor a second question in a function the Linux build already asks about', () => {
    const linux = [finding('accept-loop-early-exit', 'note', 556, 'uv__server_io'), finding(UNUSED_DIRECTIVE_RULE, 'note', 10, '')];
    const bsd = [
      finding('accept-loop-early-exit', 'note', 528, 'uv__server_io'),
      finding('accept-loop-early-exit', 'note', 556, 'uv__server_io'),
      finding('et-accept-not-drained', 'error', 600, 'uv__server_io'),
      finding('et-accept-not-drained', 'note', 700, 'other_handler'),
    ];
    expect(withBsdFindings(linux, bsd).map((f) => [f.ruleId, f.location.line, f.message])).toEqual([
      ['accept-loop-early-exit', 556, 'm556'],
      ['et-accept-not-drained', 600, 'm600 (in a BSD or macOS build, with kqueue)'],
      ['et-accept-not-drained', 700, 'm700 (in a BSD or macOS build, with kqueue)'],
    ]);
    // A suppression unused in the Linux build and in the BSD build is unused.
    expect(withBsdFindings(linux, [finding(UNUSED_DIRECTIVE_RULE, 'note', 10, '')]).map((f) => f.ruleId)).toEqual([UNUSED_DIRECTIVE_RULE, 'accept-loop-early-exit']);
  });
});
