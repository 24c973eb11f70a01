import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseText, type SyntaxNode } from '../core/syntax/parser.js';
import { ALL_RULES } from '../rules/index.js';
import { textLimitProblem } from '../core/syntax/text-limits.js';
import { analyze } from './helpers.js';
import { runCli, tempDir } from './cli-helpers.js';

/**
 * Inputs of extreme shape (issue 21): each is analysed, with its findings asserted, and a bound on
 * the work it takes counted in steps, never in time.
 */

/** Counts the reads of `node.parent` (tree-sitter answers each by walking down from the root: linear in the depth). */
function countingParentReads<T>(run: () => T): { result: T; reads: number } {
  let proto: object | null = Object.getPrototypeOf(parseText('c', 'int x;').rootNode) as object;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'parent')) proto = Object.getPrototypeOf(proto) as object | null;
  const own = Object.getOwnPropertyDescriptor(proto!, 'parent')!;
  let reads = 0;
  Object.defineProperty(proto!, 'parent', {
    ...own,
    get(this: SyntaxNode) {
      reads++;
      return own.get!.call(this) as unknown;
    },
  });
  try {
    return { result: run(), reads };
  } finally {
    Object.defineProperty(proto!, 'parent', own);
  }
}

/** A function that leaks `fd` on the return whose value is `expression`. */
function leakAround(expression: string): string {
  return `#include <fcntl.h>\n#include <unistd.h>\nint f(int);\nint g(int x) {\n  int fd = open("a", O_RDONLY);\n  if (fd < 0) return -1;\n  if (x) return ${expression};\n  close(fd);\n  return 0;\n}\n`;
}

describe('deep expression trees', () => {
  const shapes: [string, string][] = [
    ['15,000 nested calls', 'f('.repeat(15_000) + 'x' + ')'.repeat(15_000)],
    ['a sum of 20,000 calls', Array.from({ length: 20_000 }, () => 'f(x)').join(' + ')],
    ['a comma chain of 20,000 calls', `(${Array.from({ length: 20_000 }, () => 'f(x)').join(', ')})`],
    ['100,000 nested parentheses', '('.repeat(100_000) + 'x' + ')'.repeat(100_000)],
  ];
  for (const [name, expression] of shapes) {
    it(`${name}: the leak on its return is found, reading no parent per call (each read walks down from the root)`, () => {
      const { result, reads } = countingParentReads(() => analyze([{ path: 'deep.c', text: leakAround(expression) }], undefined, false, ALL_RULES));
      expect(result.map((f) => `${f.ruleId} ${f.location.line}:${f.location.column} ${f.message.slice(0, 60)}`)).toEqual(["fd-leak 7:10 descriptor 'fd' from open() (line 5) is still open when this"]);
      expect(reads).toBeLessThan(200);
    });
  }
});

describe('syntax errors in deep trees', () => {
  it('a file-level sum of 20,000 terms with an error in it: error regions are found without recursion (the call stack overflowed)', () => {
    const text = `${leakAround('1')}int y = ${'x + '.repeat(10_000)} ) ${'x + '.repeat(10_000)}1;\n`;
    const findings = analyze([{ path: 'deep-error.c', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId} ${f.location.line}:${f.location.column}`)).toEqual(['fd-leak 7:10']);
  });
});

describe('findings and paths stay proportionate', () => {
  const FD_LEAK = ALL_RULES.filter((r) => r.meta.id === 'fd-leak');
  const head = '#include <fcntl.h>\n#include <unistd.h>\n';

  it('200 descriptors with early returns between them: one finding per descriptor up to the cap, then a note that says what was left out', () => {
    let body = '';
    for (let i = 0; i < 200; i++) body += `  int fd${i} = open("x${i}", O_RDONLY);\n  if (fd${i} < 0) return -1;\n  if (a == ${i}) return ${i};\n`;
    for (let i = 0; i < 200; i++) body += `  close(fd${i});\n`;
    const findings = analyze([{ path: 'many.c', text: `${head}int f(int a) {\n${body}  return 0;\n}\n` }], undefined, false, FD_LEAK);
    expect(findings.length).toBe(101);
    // fd0 leaks at every later return: one finding, at the first, with the first 20 others as notes.
    expect(findings[0]!.message).toBe("descriptor 'fd0' from open() (line 4) is still open when this return leaves the function; also at 398 other exits of the function (the first 20 shown)");
    expect(findings[0]!.related.length).toBe(21);
    const last = findings.at(-1)!;
    expect(`${last.severity} ${last.location.line}: ${last.message}`).toBe('note 304: 100 more acquisitions in this function, from this one on, not checked: fd-leak reports at most 100 findings per function');
    expect(findings.reduce((n, f) => n + (f.path?.length ?? 0) + f.related.length, 0)).toBeLessThan(101 * 40);
  });

  it('one descriptor, then 2,000 returns: one finding with a short path', () => {
    let body = '';
    for (let i = 0; i < 2000; i++) body += `  if (a == ${i}) return ${i};\n`;
    const findings = analyze([{ path: 'returns.c', text: `${head}int f(int a) {\n  int fd = open("a", O_RDONLY);\n  if (fd < 0) return -1;\n${body}  close(fd);\n  return 0;\n}\n` }], undefined, false, FD_LEAK);
    expect(findings.map((f) => `${f.location.line} ${f.message}`)).toEqual(["6 descriptor 'fd' from open() (line 4) is still open when this return leaves the function; also at 1999 other exits of the function (the first 20 shown)"]);
    expect(findings[0]!.path!.map((s) => s.message)).toEqual(["open() succeeds: 'fd' is open", "'fd < 0' is false", "'a == 0' is true", "'fd' is still open here"]);
  });

  it('a leak after 2,000 branches: the path keeps the decisions about the handle and the last ones, and says how many it left out', () => {
    let body = '';
    for (let i = 0; i < 2000; i++) body += `  if (a == ${i}) x++;\n`;
    const findings = analyze([{ path: 'branches.c', text: `${head}int f(int a, int x) {\n  int fd = open("a", O_RDONLY);\n  if (fd < 0) return -1;\n${body}  if (x > 5) return x;\n  close(fd);\n  return 0;\n}\n` }], undefined, false, FD_LEAK);
    expect(findings.length).toBe(1);
    const steps = findings[0]!.path!.map((s) => `${s.location.line} ${s.message}`);
    expect(steps.length).toBe(14);
    expect(steps.slice(0, 4)).toEqual(["4 open() succeeds: 'fd' is open", "5 'fd < 0' is false", '6 … 1,991 other branch decisions on the way, not shown', "1997 'a == 1991' is false"]);
    expect(steps.slice(-2)).toEqual(["2006 'x > 5' is true", "2006 'fd' is still open here"]);
  });
});

describe('many functions of the same name in one file', () => {
  it('a unit repeated 100 times under `#if V == i`: each copy is analysed against its own registration', () => {
    const unit = [
      'static int lfd;',
      'static void arm(int ep) { struct epoll_event ev; ev.events = EPOLLIN | EPOLLET; ev.data.fd = lfd; epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev); }',
      'static void on_accept(int fd) {',
      '  for (;;) {',
      '    int c = accept(fd, 0, 0);',
      '    if (c < 0) return;',
      '    if (c > 1000) { close(c); return; }',
      '    serve(c);',
      '  }',
      '}',
      'static void loop(int ep) {',
      '  struct epoll_event evs[16];',
      '  for (;;) { int n = epoll_wait(ep, evs, 16, -1); for (int i = 0; i < n; i++) if (evs[i].data.fd == lfd) on_accept(lfd); }',
      '}',
    ];
    let text = '#include <sys/epoll.h>\n#include <sys/socket.h>\n#include <unistd.h>\n';
    const expected: string[] = [];
    for (let i = 0; i < 100; i++) {
      const first = text.split('\n').length;
      text += `#if V == ${i}\n${unit.join('\n')}\n#endif\n`;
      expected.push(`accept-loop-early-exit ${first + 7}:31`);
    }
    const findings = analyze([{ path: 'copies.c', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId} ${f.location.line}:${f.location.column}`)).toEqual(expected);
  });
});

describe('ranges within the text', () => {
  it('a function the text ends inside (its brace missing): the fall-off leak is at its last token, not past the end', () => {
    const findings = analyze([{ path: 'cut.c', text: 'int f(void){int d=open("x",0);//\\\n' }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.location.line}:${f.location.column}-${f.location.endLine}:${f.location.endColumn} ${f.message}`)).toEqual([
      "1:30-1:31 descriptor 'd' from open() (line 1) is still open when the function ends here",
    ]);
  });

  it('no location of any finding on the samples cut at every length lies past the end of the text', () => {
    const text = '#include <fcntl.h>\nint f(int a) {\n  int fd = open("x", 0);\n  if (fd < 0) return -1;\n  if (a) {\n    return 1;\n  }\n  close(fd);\n  return 0;\n}\n';
    for (let cut = 1; cut <= text.length; cut++) {
      const part = text.slice(0, cut);
      const lines = part.split('\n');
      const inside = (line: number, column: number) => line < lines.length || (line === lines.length && column <= lines.at(-1)!.length + 1);
      for (const f of analyze([{ path: 'cut.c', text: part }], undefined, false, ALL_RULES)) {
        for (const l of [f.location, ...f.related.map((r) => r.location), ...(f.path ?? []).map((s) => s.location)]) {
          expect(inside(l.line, l.column) && inside(l.endLine, l.endColumn), `${cut}: ${JSON.stringify(l)}`).toBe(true);
        }
      }
    }
  });
});

describe('data fragments', () => {
  it('a megabyte of `0x62, 0xEB, …` (an image to #include into an initializer) is skipped before parsing, saying why; code after such data is not', () => {
    let data = '/* 565 image */\n';
    while (data.length < 1_000_000) data += "0x62, 0xEB, 0x5A, 0xAA, -1, 1.5e-3f, 'a', \"x, y\",\n";
    expect(textLimitProblem(data)).toBe('holds only literals and commas (data to #include into an initializer), no code; skipped');
    expect(textLimitProblem(`${data}int x;\n`)).toBeUndefined();
    expect(textLimitProblem(data.slice(0, 60_000))).toBeUndefined(); // small: left to the parser
  });
});

describe('long names', () => {
  it('a 3,000-character name compared 300 times: names are matched from their start only (66 s of regular-expression backtracking before)', () => {
    const name = `v${'q'.repeat(3000)}`;
    let body = '';
    for (let i = 0; i < 300; i++) body += `  if (${name} == ${i}) g(${name});\n`;
    const text = `${leakAround('1').replace('int g(int x) {', `void g(int);\nint h(int x, int ${name}) {\n${body}`)}`;
    const findings = analyze([{ path: 'names.c', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId} ${f.location.line}`)).toEqual(['fd-leak 309']);
  });
});

describe('unbalanced nesting', () => {
  it('5,000 unclosed `f(` on one line among many syntax errors: argument lists are read a bounded length, error lines found by search (26 s on a fuzzed file before)', () => {
    const text = `${leakAround('1')}void h(void) {\n  ${'f( @ '.repeat(5000)}\n}\n${leakAround('2').replace('int g(', 'int k(')}`;
    const findings = analyze([{ path: 'unbalanced.c', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId} ${f.location.line}:${f.location.column}`)).toEqual(['fd-leak 7:10']);
  });
});

describe('deep expressions in functions that take a descriptor', () => {
  it('a fuzzed flag-wrapper file with a 20,000-term line: the check-wrapper reading walks with its own stack (the call stack overflowed)', () => {
    const text = readFileSync(join(import.meta.dirname, 'robustness', 'deep-flag-wrapper.c'), 'utf8');
    expect(() => analyze([{ path: 'deep-flag-wrapper.c', text }], undefined, false, ALL_RULES)).not.toThrow();
  });

  it('an `else if` chain of 10,000 branches is analysed (built as a loop, not 10,000 levels of recursion; its flag domain no longer pairs 10,000 constants: 27 s and 3.8 GB before)', () => {
    let text = '#include <fcntl.h>\n#include <unistd.h>\nint chain(int a) {\n  int fd = open("x", 0);\n  if (fd < 0) return -1;\n  if (a == 0) { close(fd); return 0; }\n';
    for (let i = 1; i < 10_000; i++) text += `  else if (a == ${i}) { close(fd); return ${i}; }\n`;
    text += '  return -2;\n}\n';
    const findings = analyze([{ path: 'chain.c', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId}@${f.location.line}:${f.location.column}`)).toEqual(['fd-leak@10006:3']);
  });

  it('a function of 50,000 lines is analysed', () => {
    let text = '#include <fcntl.h>\n#include <unistd.h>\nint big(int a) {\n  int fd = open("x", 0);\n  if (fd < 0) return -1;\n';
    for (let i = 0; i < 50_000; i++) text += `  a = a * 3 + ${i};\n`;
    text += '  if (a) return 1;\n  close(fd);\n  return 0;\n}\n';
    const findings = analyze([{ path: 'big.c', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId}@${f.location.line}:${f.location.column}`)).toEqual(['fd-leak@50006:10']);
  });

  it('10,000 nested ifs: past the CFG\'s depth the function is not analysed, and the run says so (a note on stderr and in SARIF), not only under --debug', () => {
    const dir = tempDir();
    let text = '#include <fcntl.h>\n#include <unistd.h>\nint nested(int a) {\n  int fd = open("x", 0);\n  if (fd < 0) return -1;\n';
    for (let i = 0; i < 10_000; i++) text += `if (a > ${i}) {\n`;
    text += 'return 1;\n' + '}\n'.repeat(10_000) + 'close(fd);\n  return 0;\n}\n';
    writeFileSync(join(dir, 'nested.c'), text);
    const run = runCli(['--no-project-index', 'nested.c'], { cwd: dir });
    expect(run.stderr).toBe("connlint: nested.c: function 'nested' (line 3) not analysed: its statements nest deeper than 1200 levels\n");
    expect(run.code).toBe(0);
    const sarif = JSON.parse(runCli(['--no-project-index', '--format', 'sarif', 'nested.c'], { cwd: dir }).stdout) as { runs: { invocations: { toolExecutionNotifications: { level: string; message: { text: string } }[] }[] }[] };
    expect(sarif.runs[0]!.invocations[0]!.toolExecutionNotifications.map((n) => `${n.level}: ${n.message.text}`)).toEqual(["note: nested.c: function 'nested' (line 3) not analysed: its statements nest deeper than 1200 levels"]);
  });

  it('a string literal of 10,000,000 characters: literals are skipped without a backtracking entry per character (the stack overflowed; found by fuzzing, seed 100)', () => {
    const text = `#include <fcntl.h>\nint f(void) {\n  const char *s = "${'a '.repeat(5_000_000)}";\n  int fd = open(s, 0);\n  if (fd < 0) return -1;\n  return 0;\n}\n`;
    const findings = analyze([{ path: 'long-literal.c', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId}@${f.location.line}:${f.location.column}`)).toEqual(['fd-leak@6:3']);
  });

  it('a string literal of 20,000,000 characters in a function taking a descriptor: its body is read for borrowing in one scan (a regular expression overflowed the stack; found by fuzzing, seed 102)', () => {
    const text = `#include <fcntl.h>\n#include <stdio.h>\n#include <unistd.h>\nvoid report(int fd)\n{\n  printf("${'a '.repeat(10_000_000)}%d", fd);\n}\nint run(const char *path)\n{\n  int fd = open(path, O_RDONLY);\n  if (fd < 0)\n    return -1;\n  report(fd);\n  return 0;\n}\n`;
    const findings = analyze([{ path: 'long-literal-borrowed.c', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId}@${f.location.line}:${f.location.column}`)).toEqual(['fd-leak@14:3']);
  });

  it('an #ifndef whose line runs on for 7 MB of long names: no include guard is searched for in it (an unanchored search for its last word took 12 minutes on a fuzzed header, seed 104; over a minute on this one)', () => {
    const text = `#ifndef NET_H ${`${'q'.repeat(3000)} + `.repeat(2400)}\n#define NET_H\n#include <fcntl.h>\nint f(void)\n{\n  int fd = open("a", 0);\n  return 0;\n}\n#endif\n`;
    const findings = analyze([{ path: 'long-guard.h', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId}@${f.location.line}:${f.location.column}`)).toEqual(['fd-leak@7:3']);
  });

  it('a fuzzed file whose loop condition is a 20,000-term expression: the names a condition tests are collected with their own stack (the call stack overflowed; found by fuzzing, seed 104)', () => {
    const text = readFileSync(join(import.meta.dirname, 'robustness', 'deep-loop-condition.cpp'), 'utf8');
    const findings = analyze([{ path: 'deep-loop-condition.cpp', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId}@${f.location.line}:${f.location.column}`)).toEqual(['fd-leak@18:3']);
  });

  it('20,000 `#define` lines ending in `)` inside a syntax-error region (a CMSIS device header): the run of directive lines after a `)` is skipped once, not again from each `)` (btstack\'s STM32 port folder took over four minutes, 74 times its parse, before)', () => {
    let defines = '';
    for (let i = 0; i < 20_000; i++) defines += `#define RCC_CR_BIT${i} ((uint32_t)0x${i.toString(16)}U)\n`;
    const text = `typedef struct {\n  __IO uint32_t CR @ ;\n${defines}} RCC_TypeDef;\n#include <fcntl.h>\nint f(void)\n{\n  int fd = open("a", 0);\n  return 0;\n}\n`;
    const findings = analyze([{ path: 'device.h', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId}@${f.location.line}:${f.location.column}`)).toEqual(['fd-leak@20008:3']);
  });

  it('six flags of seven values each set one after another in a function holding a descriptor: correlations are given up past a budget of tuples per point (pspg\'s main took minutes and gigabytes before), and the leak is still found', () => {
    let body = '';
    for (let f = 1; f <= 6; f++) {
      body += `  int m${f} = 0;\n`;
      for (let v = 1; v <= 7; v++) body += `  ${v === 1 ? 'if' : 'else if'} (g(${f * 10 + v})) m${f} = ${v};\n`;
    }
    for (let f = 1; f <= 6; f++) for (let v = 1; v <= 7; v++) body += `  if (m${f} == ${v}) g(${v});\n`;
    const text = `#include <fcntl.h>\n#include <unistd.h>\nint g(int);\nint f(const char *path)\n{\n  int fd = open(path, O_RDONLY);\n  if (fd < 0)\n    return -1;\n${body}  if (m1 == 3 && m2 == 4)\n    return -2;\n  close(fd);\n  return 0;\n}\n`;
    const findings = analyze([{ path: 'many-flags.c', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId}@${f.location.line}:${f.location.column}`)).toEqual(['fd-leak@100:5']);
  });
});

describe('declarations read as text', () => {
  // The scan for declarations marked by a project's no-return macro (`NONRET void die(…);`) once
  // let a try run from each line start to the end of the file: 20,000 lines of words took 39 s
  // (these 40,000, over two minutes). Each try now stops at its second line; a quadratic scan of
  // this input would not finish within the test's time.
  it('40,000 lines of words with no parenthesis, and a type of 20,000 stars: the leak after them is found', () => {
    const text = `#define NONRET __attribute__((noreturn))\nNONRET void die(const char *m);\n${'ABC def ghi jkl\n'.repeat(40_000)}FOO ${'** '.repeat(20_000)}\n${leakAround('1')}`;
    const findings = analyze([{ path: 'words.c', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId} ${f.location.line}:${f.location.column}`)).toEqual(['fd-leak 40010:10']);
  });

  // The lookup for a method's declaration of a name (is `fd_` a member?) tried a run of white space
  // from each of its characters: fmt's format-inl.h, its table blanked by `#if
  // FMT_USE_FULL_CACHE_DRAGONBOX` decided 0, took spdlog's analysis over 20 minutes. Quadratic,
  // these 480,000 spaces would not finish within the test's time.
  it('a method with 480,000 characters of white space before it assigns a member: the descriptor the member keeps is not reported', () => {
    const text = `#include <fcntl.h>\nclass Cache { public: int get(const char *p); int leak(const char *p); private: int fd_ = -1; int n_ = 0; };\nint Cache::get(const char *p) {\n  n_ = 1;\n${`${' '.repeat(59)}\n`.repeat(8_000)}  n_ = 2;\n  fd_ = ::open(p, O_RDONLY);\n  return fd_;\n}\n${leakAround('1')}`;
    const findings = analyze([{ path: 'blanked.cpp', text }], undefined, false, ALL_RULES);
    expect(findings.map((f) => `${f.ruleId} ${f.location.line}:${f.location.column}`)).toEqual(['fd-leak 8015:10']);
  });
});
