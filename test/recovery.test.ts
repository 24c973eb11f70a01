import { describe, expect, it } from 'vitest';
import { conditionalGroups, configurationLookup, evaluateCondition, evaluateDefined, type PreprocessorConfiguration } from '../core/syntax/conditionals.js';
import { inactiveBranches } from '../core/syntax/inactive-branches.js';
import { parseText } from '../core/syntax/parser.js';
import { recoveryLookup } from '../core/syntax/linux-build.js';
import { hasBsdVariant } from '../core/project/platforms.js';
import { recoverText } from '../core/syntax/recovery.js';
import { settledDefinitions } from '../core/syntax/settled-definitions.js';

const lookup = (defined: Record<string, string>, undefinedNames: string[] = []) => configurationLookup({ defined: new Map(Object.entries(defined)), undefined: new Set(undefinedNames) });

describe('#if expressions', () => {
  it('decides what the names it reads decide, and nothing else', () => {
    const config = lookup({ A: '1', B: '0', V: '0x10200', S: 'text' }, ['U']);
    expect(evaluateCondition('A && !B', config)).toBe(true);
    expect(evaluateCondition('defined(A) && !defined(U)', config)).toBe(true);
    expect(evaluateCondition('defined U || B', config)).toBe(false);
    expect(evaluateCondition('V >= 0x10100L', config)).toBe(true);
    expect(evaluateCondition('V < 0x10100 /* old */', config)).toBe(false);
    expect(evaluateCondition('(A + 1) * 2 == 4 ? 1 : 0', config)).toBe(true);
    expect(evaluateCondition('U', config)).toBe(false); // an undefined name is 0
    expect(evaluateCondition('S', config)).toBe(true); // defined, not a number: true as a truth value
    expect(evaluateCondition('S > 2', config)).toBeUndefined();
    expect(evaluateCondition('X', config)).toBeUndefined();
    expect(evaluateCondition('X || A', config)).toBe(true);
    expect(evaluateCondition('X && B', config)).toBe(false);
    expect(evaluateCondition('__has_include(<poll.h>)', config)).toBeUndefined();
    expect(evaluateCondition('VERSION_AT_LEAST(1, 2)', config)).toBeUndefined();
    expect(evaluateCondition('A &&', config)).toBeUndefined();
    expect(evaluateDefined('A', false, config)).toBe(true);
    expect(evaluateDefined('U', true, config)).toBe(true);
    expect(evaluateDefined('X', false, config)).toBeUndefined();
  });

  it('finds groups and branches in the text, not in comments or strings, following continuations', () => {
    const text = '#ifdef A\nint a;\n#elif defined(B) && \\\n  C\nint b;\n#else\n/*\n#if 0\n*/\nconst char *s = "#endif";\n#endif\n#if X\n#endif\n#if unbalanced\n';
    const groups = conditionalGroups(text);
    expect(groups).toHaveLength(2);
    expect(groups[0]!.branches.map((b) => [b.directive.kind, b.directive.condition])).toEqual([['ifdef', 'A'], ['elif', 'defined(B) &&    C'], ['else', '']]);
    expect(text.slice(groups[0]!.branches[1]!.bodyStart, groups[0]!.branches[1]!.bodyEnd)).toBe('\nint b;\n');
    expect(text.slice(groups[0]!.endif.start, groups[0]!.endif.end)).toBe('#endif');
  });

  it('finds a directive right after a line that ends in a line comment or an unclosed quote', () => {
    const text = "#ifdef _WIN32\nint a; // it's Windows\n#else\nint b; // \"quoted\"\n#endif\nchar c = ';\n#if X\n#endif\n";
    const groups = conditionalGroups(text);
    expect(groups.map((g) => g.branches.map((b) => b.directive.kind))).toEqual([['ifdef', 'else'], ['if']]);
    expect(text.slice(groups[0]!.endif.start, groups[0]!.endif.end)).toBe('#endif');
  });

  it('takes code that includes a header no Linux system has for another platform\'s', () => {
    const text = '#include <fcntl.h>\n#if METHOD == METHOD_BPF\n#include <net/bpf.h>\nint bpf;\n#endif\n#ifdef HAVE_SYS_SOCKIO_H\n#include <sys/sockio.h>\n#endif\nint linux_code;\n';
    const inactive = inactiveBranches(text, 'c', undefined, 'undecided');
    expect(inactive.map(([s, e]) => text.slice(s, e))).toEqual(['\n#include <net/bpf.h>\nint bpf;\n', '\n#include <sys/sockio.h>\n']);
    expect(inactiveBranches('#include <windows.h>\nint w;\n', 'c', undefined, 'undecided')).toEqual([[0, 28]]);
    expect(inactiveBranches('#include <sys/socket.h>\nint s;\n', 'c', undefined, 'undecided')).toEqual([]);
  });

  it('recovery takes a Linux build with GCC for platform macros, and features as defined', () => {
    const c = recoveryLookup('c', undefined);
    expect(evaluateDefined('_WIN32', false, c)).toBe(false);
    for (const other of ['__WIN32', 'USE_WIN32_LDAP', 'HAVE_WINSOCK2_H', '__FreeBSD__', 'TARGET_DARWIN']) expect(evaluateDefined(other, false, c)).toBe(false);
    expect(evaluateDefined('__linux__', false, c)).toBe(true);
    expect(evaluateCondition('__GNUC__ >= 4', c)).toBe(true);
    expect(evaluateDefined('__cplusplus', false, c)).toBe(false);
    expect(evaluateDefined('__cplusplus', false, recoveryLookup('cpp', undefined))).toBe(true);
    expect(evaluateDefined('HAVE_POLL', false, c)).toBe(true);
    expect(evaluateCondition('REPLACE_FCHDIR', c)).toBe(false);
    expect(evaluateDefined('HAVE_POLL', true, c)).toBe(false);
    // The build's configuration comes first.
    const configured = recoveryLookup('c', { defined: new Map([['_WIN32', '1']]), undefined: new Set(['HAVE_POLL']) });
    expect(evaluateDefined('_WIN32', false, configured)).toBe(true);
    expect(evaluateDefined('HAVE_POLL', false, configured)).toBe(false);
  });

  it('a BSD build (the accept rules\' second reading of kqueue code): BSD, Apple and kqueue names defined, Linux\'s and epoll\'s not', () => {
    const bsd = recoveryLookup('c', { defined: new Map(), undefined: new Set(), platform: 'bsd' });
    for (const name of ['__APPLE__', '__FreeBSD__', 'HAVE_KQUEUE', 'NC_HAVE_KQUEUE', 'HAVE_SYS_EVENT_H', 'OS_DARWIN', 'TARGET_MACOS']) expect(evaluateDefined(name, false, bsd), name).toBe(true);
    for (const name of ['__linux__', 'HAVE_LINUX', 'OS_LINUX', 'HAVE_EPOLL', 'USE_EPOLL', 'HAVE_SYS_EPOLL_H', 'HAVE_IO_URING', '_WIN32', '__sun']) expect(evaluateDefined(name, false, bsd), name).toBe(false);
    // Not decided by the platform: features, versions, switches that turn something off.
    expect(evaluateDefined('HAVE_POLL', false, bsd)).toBe(true);
    expect(evaluateCondition('__GNUC__ >= 4', bsd)).toBe(true);
    // Linux's headers are another platform's there, and BSD's are not.
    const text = '#ifdef WITH_NOTIFIER\n#include <sys/epoll.h>\nint e;\n#else\n#include <sys/event.h>\nint k;\n#endif\n';
    const branches = (platform?: 'bsd') => inactiveBranches(text, 'c', platform ? { defined: new Map(), undefined: new Set(), platform } : undefined, 'undecided').map(([s, e]) => text.slice(s, e));
    expect(branches()).toEqual([]);
    expect(branches('bsd')).toEqual(['\n#include <sys/epoll.h>\nint e;\n']);
    expect(inactiveBranches('#include <net/bpf.h>\nint b;\n', 'c', { defined: new Map(), undefined: new Set(), platform: 'bsd' }, 'undecided')).toEqual([]);
  });

  it('a file has a BSD reading only when a Linux build does not compile its kqueue code', () => {
    expect(hasBsdVariant('#if HAVE_LINUX\nint e;\n#else\nvoid f(void) { kevent(q, 0, 0, 0, 0, 0); }\n#endif\n', 'c', undefined)).toBe(true);
    expect(hasBsdVariant('#ifdef HAVE_KQUEUE\n#include <sys/event.h>\n#endif\n', 'c', undefined)).toBe(true);
    // Compiled as it is (a backend file the build system picks), or no kqueue code at all.
    expect(hasBsdVariant('#include <sys/event.h>\nvoid f(void) { kevent(q, 0, 0, 0, 0, 0); }\n', 'c', undefined)).toBe(false);
    expect(hasBsdVariant('#ifdef __APPLE__\nint mac;\n#endif\n', 'c', undefined)).toBe(false);
  });
});

/** The copy, for a text (undefined: none made). */
const recovered = (text: string, language: 'c' | 'cpp' = 'c', defines: Record<string, string> = {}, undefinedNames: string[] = []) =>
  recoverText(language, text, parseText(language, text), { defined: new Map(Object.entries(defines)), undefined: new Set(undefinedNames) });

describe('configuration-resolved copies of what the grammar cannot parse', () => {
  const SPLIT = 'int f(int fd) {\n#ifdef HAVE_IOCTL\n    if (ioctl(fd) < 0) {\n#else\n    if (fcntl(fd) < 0) {\n#endif\n        return -1;\n    }\n    return 0;\n}\n';

  it('keeps one branch of an #if that splits a statement; offsets and lines stay', () => {
    const copy = recovered(SPLIT)!;
    expect(copy.text).toHaveLength(SPLIT.length);
    expect(copy.text.split('\n')).toEqual(['int f(int fd) {', ' '.repeat(17), '    if (ioctl(fd) < 0) {', '     ', ' '.repeat(24), '      ', '        return -1;', '    }', '    return 0;', '}', '']);
    expect(copy.tree.rootNode.hasError).toBe(false);
    expect(copy.functionsRecovered).toBe(1);
    expect(copy.regions).toEqual([[0, SPLIT.length - 1]]);
  });

  it('the build configuration picks the branch', () => {
    expect(recovered(SPLIT, 'c', {}, ['HAVE_IOCTL'])!.text).toContain('    if (fcntl(fd) < 0) {');
    expect(recovered(SPLIT, 'c', {}, ['HAVE_IOCTL'])!.text).not.toContain('ioctl');
  });

  it('leaves text that parses alone, and groups around the broken function', () => {
    expect(recovered('int f(void) {\n#ifdef A\n    a();\n#else\n    b();\n#endif\n    return 0;\n}\n')).toBeUndefined();
    const ok = '#ifdef FEATURE\nint ok(void) {\n#ifdef A\n    a();\n#endif\n    return 0;\n}\n#endif\n';
    const copy = recovered(ok + SPLIT)!;
    expect(copy.text.startsWith(ok)).toBe(true);
    expect(copy.text.slice(ok.length)).toBe(recovered(SPLIT)!.text);
  });

  it('block macros become loop heads; an unbraced iterating macro too; a statement macro without ; gets one', () => {
    const text = 'void f(struct l *l) {\n    LIST_FOREACH(x, l, link) {\n        use(x);\n    }\n    list_for_each_entry(x, l, link)\n        use(x);\n    TRACE(x)\n    done();\n}\n';
    const copy = recovered(text)!;
    expect(copy.text.split('\n').slice(1, 8)).toEqual(['    while       (x, l, link) {', '        use(x);', '    }', '    while              (x, l, link)', '        use(x);', '    TRACE(x)', ';   done();']);
    expect(copy.tree.rootNode.hasError).toBe(false);
  });

  it('type arguments, attribute macros and GNU case ranges', () => {
    const text = 'int f(void *p, int k, va_list ap) {\n    static THREAD_LOCAL int n;\n    int u __maybe_unused = 0;\n    struct c *c = container_of(p, struct c, link);\n    char *s = va_arg(ap, char *);\n    switch (k) { case 1 ... 3: return 1; }\n    return 0;\n}\n';
    const copy = recovered(text)!;
    expect(copy.text.split('\n').slice(1, 6)).toEqual(['    static              int n;', '    int u                = 0;', '    struct c *c = container_of(p, 0       , link);', '    char *s = va_arg(ap, 0     );', '    switch (k) { case 1 ||  3: return 1; }']);
    expect(copy.tree.rootNode.hasError).toBe(false);
  });

  it('a function head split by #ifdef _WIN32 becomes a function (the Linux branch)', () => {
    const text = '#ifdef _WIN32\nint f(SOCKET s)\n{\n#else\nint f(int s)\n{\n#endif\n    return s;\n}\n';
    const copy = recovered(text)!;
    expect(copy.text).toContain('int f(int s)');
    expect(copy.text).not.toContain('SOCKET');
    expect(copy.tree.rootNode.descendantsOfType('function_definition')).toHaveLength(1);
  });

  it('C++: a block macro the grammar takes for a nested function; constructors are left alone', () => {
    const text = 'int f(const std::vector<int> &v) {\n    Q_FOREACH(const int &x, v) {\n        use(x);\n    }\n    return 0;\n}\n';
    const copy = recovered(text, 'cpp')!;
    expect(copy.text.split('\n')[1]).toBe('    while    (           x, v) {');
    expect(copy.tree.rootNode.descendantsOfType('function_definition')).toHaveLength(1);
    expect(recovered('class Conn {\npublic:\n    Conn(int fd) { fd_ = fd; }\n    int fd_;\n};\n', 'cpp')).toBeUndefined();
  });

  it('a large data table of comments and numbers in #if groups (libwebsockets lextable.h) takes no time', () => {
    // A directive ending in `)` and then thousands of comment lines: what made a pattern over comments backtrack without end.
    const comments = Array.from({ length: 3000 }, (_, i) => `\t/* ${i}: ${i}: header-${i}: */\n`).join('');
    const rows = Array.from({ length: 3000 }, (_, i) => `\t0x${(i % 256).toString(16)}, 0x00 /* (to 0x${i.toString(16)} state ${i}) */,\n`).join('');
    const text = `#if !defined(A) && !defined(B)\n${comments}${rows}#else\n${rows}#endif\n`;
    const started = Date.now();
    recovered(text);
    // Not a timing assertion: a pattern that backtracks without end would not come back at all.
    expect(Date.now() - started).toBeGreaterThanOrEqual(0);
  });

  it('a function the grammar broke into several file-level pieces is repaired whole (lighttpd mod_cgi.c)', () => {
    const split = (n: number) => `    if (a) {\n#ifdef V6\n        x = ${n}; } else {\n#else\n        x = -${n}; } else {\n#endif\n        x = 0;\n    }\n    x += a;\n    fn${n}(x);\n`;
    const text = `static int f(int a) {\n    int x = 0;\n#ifndef __WIN32\n${split(1)}${split(2)}${split(3)}    return x;\n#else\n    return -1;\n#endif\n}\nint g(void) { return 1; }\n`;
    const copy = recovered(text)!;
    const functions = copy.tree.rootNode.descendantsOfType('function_definition').map((f) => [f.startPosition.row + 1, f.endPosition.row + 1, f.hasError]);
    expect(functions).toEqual([[1, 38, false], [39, 39, false]]);
  });

  it('a copy that parses no better is not kept', () => {
    expect(recovered('int f(void) {\n    int x = ) ;\n    return 0;\n}\n')).toBeUndefined();
  });
});

describe('inactive #if branches (whose #define lines do not count)', () => {
  const rangesOf = (text: string, configuration?: PreprocessorConfiguration) => inactiveBranches(text, 'c', configuration).map(([s, e]) => text.slice(s, e).trim());
  it('rules out other platforms, #if 0, and what a feature taken as present excludes; not include guards, nor names the file defines', () => {
    const text = [
      '#ifndef NET_H',
      '#define NET_H',
      '#ifdef _WIN32',
      '#define A 1',
      '#else',
      '#define A 2',
      '#endif',
      '#if 0',
      '#define B 1',
      '#endif',
      '#if defined(HAVE_POLL)',
      '#define C 1',
      '#elif defined(__APPLE__)',
      '#define C 2',
      '#else',
      '#define C 3',
      '#endif',
      '#ifndef MAP_FAILED',
      '#define MAP_FAILED ((void *)-1)',
      '#endif',
      '#if VERSION > 2',
      '#define D 1',
      '#elif defined(_WIN32)',
      '#define D 2',
      '#else',
      '#define D 3',
      '#endif',
      '#endif',
      '',
    ].join('\n');
    expect(rangesOf(text)).toEqual(['#define A 1', '#define B 1', '#define C 2', '#define C 3', '#define D 2']);
    // The build's configuration decides first.
    expect(rangesOf(text, { defined: new Map(), undefined: new Set(['HAVE_POLL']) })).toEqual(['#define A 1', '#define B 1', '#define C 1', '#define C 2', '#define D 2']);
  });

  it('a name the file defines once, outside every group, decides the tests after its line, over the build\'s -D', () => {
    const text = [
      '#if USE_PORT',
      'int before;',
      '#endif',
      '#define USE_PORT (0x1)',
      '#define QUIET',
      '#define TWICE 1',
      '#undef TWICE',
      '#ifndef GUARDED',
      '#define GUARDED 1',
      '#endif',
      '#if USE_PORT',
      'int port;',
      '#else',
      'int no_port;',
      '#endif',
      '#ifndef QUIET',
      'int loud;',
      '#endif',
      '#if TWICE',
      'int twice;',
      '#endif',
      '#if GUARDED',
      'int guarded;',
      '#endif',
      '',
    ].join('\n');
    expect(rangesOf(text)).toEqual(['int no_port;', 'int loud;']);
    expect(rangesOf(text, { defined: new Map([['USE_PORT', '0']]), undefined: new Set(['QUIET']) })).toEqual(['int before;', 'int no_port;', 'int loud;']);
    expect([...settledDefinitions(text)].map(([name, d]) => [name, d.value])).toEqual([['USE_PORT', 1], ['QUIET', 'defined']]);
  });
});

describe('the other configuration', () => {
  it('takes feature macros as not defined, but a library version macro stays as in the first (a comparison with it undecided)', () => {
    const other = recoveryLookup('c', undefined, 'undefined');
    expect(other('HAVE_FSYNC')).toBe(0);
    expect(other('MHD_VERSION')).toBe('defined');
    expect(other('OPENSSL_VERSION_NUMBER')).toBe('defined');
    expect(evaluateCondition('defined(MHD_VERSION) && MHD_VERSION >= 0x00090000', other)).toBeUndefined();
    expect(other('_WIN32')).toBe(0);
  });
});
