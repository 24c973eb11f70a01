import { describe, expect, it } from 'vitest';
import { buildCfg, CfgTooDeepError, type Cfg, type CfgNode } from '../core/flow/cfg.js';
import { NO_RETURN_FUNCTIONS } from '../core/flow/no-return.js';
import { parseText } from '../core/syntax/parser.js';
import type { Language } from '../core/syntax/language.js';
import { solveHandleFlow, INVALID, UNSET, VALID } from '../domain/descriptors/handle-flow.js';
import { impliedValidity } from '../domain/descriptors/validity.js';
import type { SyntaxNode } from '../core/syntax/parser.js';

function functions(code: string, language: Language = 'c'): SyntaxNode[] {
  const tree = parseText(language, code);
  const out: SyntaxNode[] = [];
  const stack = [tree.rootNode];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'function_definition' || n.type === 'lambda_expression') out.push(n);
    stack.push(...n.namedChildren);
  }
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

function cfgOf(code: string, language: Language = 'c', index = 0): Cfg {
  return buildCfg(functions(code, language)[index]!, { noReturn: new Set(NO_RETURN_FUNCTIONS) });
}

const text = (n: CfgNode) => n.syntax?.text.replace(/\s+/g, ' ') ?? n.kind;
/** "from -[T/F]-> to" for every edge out of condition nodes. */
function branches(cfg: Cfg): string[] {
  return cfg.nodes.filter((n) => n.kind === 'condition').flatMap((n) => n.succs.map((e) => `${text(n)} -${e.assumption === undefined ? '' : e.assumption ? 'T' : 'F'}-> ${firstReal(e.to)}`));
}
/** Skip joins to name where control really goes. */
function firstReal(n: CfgNode): string {
  let cur = n;
  for (let i = 0; cur.kind === 'join' && cur.succs.length === 1 && i < 10; i++) cur = cur.succs[0]!.to;
  return text(cur);
}
const reachable = (cfg: Cfg, target: CfgNode): boolean => {
  const seen = new Set<number>([cfg.entry.id]);
  const queue = [cfg.entry];
  while (queue.length) for (const e of queue.shift()!.succs) if (!seen.has(e.to.id)) (seen.add(e.to.id), queue.push(e.to));
  return seen.has(target.id);
};
const nodeWith = (cfg: Cfg, t: string) => cfg.nodes.find((n) => n.syntax && text(n) === t)!;

describe('control-flow graph', () => {
  it('decomposes && || ! into atomic conditions with polarity', () => {
    const cfg = cfgOf('void f(int a, int b) { if (!(a && b) || fd < 0) x(); else y(); }');
    expect(branches(cfg).sort()).toEqual(['a -F-> x();', 'a -T-> b', 'b -F-> x();', 'b -T-> fd < 0', 'fd < 0 -F-> y();', 'fd < 0 -T-> x();'].sort());
  });

  it('decomposes ?: and comma in conditions', () => {
    const cfg = cfgOf('void f(int c) { if (c ? a : b) x(); while (g(), h) y(); }');
    expect(branches(cfg)).toEqual(expect.arrayContaining(['c -T-> a', 'c -F-> b', 'a -T-> x();', 'b -T-> x();']));
    expect(cfg.nodes.some((n) => n.kind === 'statement' && text(n) === 'g()')).toBe(true);
    expect(branches(cfg)).toContain('h -T-> y();');
  });

  it('while (1) leaves only through break; do-while(0) never repeats', () => {
    const cfg = cfgOf('void f(void) { while (1) { if (g()) break; } do { h(); } while (0); }');
    expect(cfg.loops.map((l) => [l.syntax.type, l.neverRepeats]).sort()).toEqual([['do_statement', true], ['while_statement', false]]);
    const h = nodeWith(cfg, 'h();');
    expect(h.succs.map((e) => firstReal(e.to))).toEqual(['exit']);
    const brk = cfg.nodes.find((n) => n.jump === 'break')!;
    expect(firstReal(brk.succs[0]!.to)).toBe('h();');
  });

  it('for loops: continue goes to the update, the loop exits on a false condition', () => {
    const cfg = cfgOf('void f(int n) { for (int i = 0; i < n; i++) { if (i == 3) continue; g(i); } done(); }');
    const cont = cfg.nodes.find((n) => n.jump === 'continue')!;
    expect(text(cont.succs[0]!.to)).toBe('i++');
    expect(branches(cfg)).toContain('i < n -F-> done();');
    expect(cfg.loops[0]!.nodes.has(nodeWith(cfg, 'g(i);').id)).toBe(true);
    expect(cfg.loops[0]!.nodes.has(nodeWith(cfg, 'done();').id)).toBe(false);
  });

  it('switch: case fall-through, break to after the switch, default', () => {
    const cfg = cfgOf('void f(int a) { switch (a) { case 1: one(); case 2: two(); break; default: other(); } after(); }');
    expect(nodeWith(cfg, 'one();').succs.map((e) => text(e.to))).toEqual(['two();']);
    const brk = cfg.nodes.find((n) => n.jump === 'break')!;
    expect(text(brk.succs[0]!.to)).toBe('after();');
    expect(nodeWith(cfg, '(a)').succs.map((e) => text(e.to))).toEqual(['one();', 'two();', 'other();']);
  });

  it('goto to a label, forward and backward', () => {
    const cfg = cfgOf('int f(void) { again: if (g()) goto out; if (h()) goto again; return 0; out: cleanup(); return -1; }');
    const gotos = cfg.nodes.filter((n) => n.jump === 'goto').sort((a, b) => a.syntax!.startIndex - b.syntax!.startIndex);
    expect(gotos.map((g) => [g.label, firstReal(g.succs[0]!.to)])).toEqual([
      ['out', 'cleanup();'],
      ['again', 'g()'],
    ]);
  });

  it('calls that never return go to the abort node, not the exit', () => {
    const cfg = cfgOf('void f(int a) { if (a) exit(1); if (a > 1) abort(); if (a > 2) { (void)_exit(2); } g(); }');
    const exits = cfg.nodes.filter((n) => n.noReturn).sort((a, b) => a.syntax!.startIndex - b.syntax!.startIndex).map(text);
    expect(exits).toEqual(['exit(1);', 'abort();', '(void)_exit(2);']);
    for (const n of cfg.nodes.filter((x) => x.noReturn)) expect(n.succs.map((e) => e.to)).toEqual([cfg.abort]);
  });

  it('C++: try/catch edges, throw, range-for, co_return, lambdas as their own functions', () => {
    const code = `
      task f(std::vector<int> v) {
        for (auto x : v) {
          try { use(x); if (x) throw 1; } catch (const E &e) { handle(); }
        }
        auto l = [](int a) { return a; };
        co_return 1;
      }`;
    const cfg = cfgOf(code, 'cpp');
    const use = nodeWith(cfg, 'use(x);');
    expect(use.succs.filter((e) => e.exceptional).map((e) => firstReal(e.to))).toEqual(['handle();']);
    const thr = cfg.nodes.find((n) => n.jump === 'throw')!;
    expect(firstReal(thr.succs[0]!.to)).toBe('handle();');
    expect(cfg.loops[0]!.syntax.type).toBe('for_range_loop');
    expect(cfg.nodes.filter((n) => n.jump === 'return')).toEqual([]);
    expect(cfg.nodes.find((n) => n.jump === 'co_return')!.succs[0]!.to).toBe(cfg.exit);
    const lambda = cfgOf(code, 'cpp', 1);
    expect(lambda.nodes.filter((n) => n.jump === 'return').map(text)).toEqual(['return a;']);
  });

  it('C++ if with an initializer', () => {
    const cfg = cfgOf('void f() { if (int fd = accept(l, 0, 0); fd < 0) bad(); else good(); }', 'cpp');
    expect(branches(cfg).sort()).toEqual(['fd < 0 -F-> good();', 'fd < 0 -T-> bad();']);
    expect(nodeWith(cfg, 'int fd = accept(l, 0, 0);').succs.map((e) => text(e.to))).toEqual(['fd < 0']);
  });

  it('preprocessor branches are both possible', () => {
    const cfg = cfgOf('void f(void) {\n#ifdef X\n  a();\n#else\n  b();\n#endif\n  c();\n}');
    expect(reachable(cfg, nodeWith(cfg, 'a();'))).toBe(true);
    expect(reachable(cfg, nodeWith(cfg, 'b();'))).toBe(true);
  });

  it('unreachable code after return has no path from entry', () => {
    const cfg = cfgOf('int f(void) { return 1; dead(); }');
    expect(reachable(cfg, nodeWith(cfg, 'dead();'))).toBe(false);
    expect(reachable(cfg, cfg.exit)).toBe(true);
  });

  it('gives up on absurd nesting with an error instead of overflowing the stack', () => {
    const deep = `void f(int a) {${'if (a) {'.repeat(10000)}a++;${'}'.repeat(10000)}}`;
    const fn = functions(deep)[0]!;
    expect(() => buildCfg(fn, { noReturn: new Set() })).toThrow(CfgTooDeepError);
    const fine = `void f(int a) {${'if (a) {'.repeat(300)}a++;${'}'.repeat(300)}}`;
    expect(cfgOf(fine).nodes.filter((n) => n.kind === 'condition')).toHaveLength(300);
  });
});

describe('validity of branch conditions', () => {
  const cond = (expr: string) => functions(`void f(void) { if (${expr}) ; }`)[0]!.childForFieldName('body')!.namedChildren[0]!.childForFieldName('condition')!;
  const cases: [string, boolean, 'descriptor' | 'pointer', string | undefined][] = [
    ['fd < 0', true, 'descriptor', 'invalid'],
    ['fd < 0', false, 'descriptor', 'valid'],
    ['fd == -1', true, 'descriptor', 'invalid'],
    ['fd != -1', true, 'descriptor', 'valid'],
    ['-1 == fd', true, 'descriptor', 'invalid'],
    ['0 > fd', true, 'descriptor', 'invalid'],
    ['fd >= 0', true, 'descriptor', 'valid'],
    ['fd > -1', false, 'descriptor', 'invalid'],
    ['(fd = accept(l, 0, 0)) < 0', true, 'descriptor', 'invalid'],
    ['fd == INVALID_SOCKET', false, 'descriptor', 'valid'],
    ['fd', true, 'descriptor', 'valid'],
    ['fd', false, 'descriptor', 'invalid'],
    ['fd != 0', true, 'descriptor', 'valid'],
    ['fd == 0', true, 'descriptor', 'invalid'],
    ['fd == -2', true, 'descriptor', 'invalid'],
    ['fd != -2', true, 'descriptor', undefined],
    // A descriptor on the number the program asked for (fcntl(fd, F_DUPFD, 255) == 255) is kept by that number.
    ['fd == 3', true, 'descriptor', 'invalid'],
    ['fd != 255', false, 'descriptor', 'invalid'],
    ['fd == 255', false, 'descriptor', 'valid'],
    ['fd == 2', true, 'descriptor', 'invalid'],
    ['fd != 2', true, 'descriptor', 'valid'],
    ['other < 0', true, 'descriptor', undefined],
    ['fp == NULL', true, 'pointer', 'invalid'],
    ['fp != nullptr', true, 'pointer', 'valid'],
    ['fp', false, 'pointer', 'invalid'],
  ];
  for (const [expr, assumption, shape, expected] of cases) {
    it(`${expr} is ${assumption} → ${expected ?? 'no information'}`, () => {
      const handle = shape === 'pointer' ? 'fp' : 'fd';
      expect(impliedValidity(cond(expr), assumption, handle, shape)).toBe(expected);
    });
  }
});

describe('handle typestate dataflow', () => {
  it('learns validity on branches and joins at merges', () => {
    const cfg = cfgOf(`int f(int l) {
      int fd = accept(l, 0, 0);
      if (fd < 0) { g(); return -1; }
      h();
      fd = -1;
      return 0;
    }`);
    const flow = solveHandleFlow(cfg, { variable: 'fd', shape: 'descriptor', isSource: (rhs) => rhs.text.startsWith('accept') });
    const at = (t: string) => flow.before(nodeWith(cfg, t));
    expect(at('int fd = accept(l, 0, 0);')).toBe(UNSET);
    expect(at('g();')).toBe(INVALID);
    expect(at('h();')).toBe(VALID);
    // `fd = -1` empties the variable but does not undo the successful accept on this path.
    expect(at('return 0;')).toBe(VALID);
    expect(flow.before(cfg.exit)).toBe(INVALID | VALID);
  });

  it('terminates on loops and carries state around the back edge', () => {
    const cfg = cfgOf(`void f(int l) {
      int fd = -1;
      while (running()) {
        marker();
        fd = accept(l, 0, 0);
        if (fd == -1) continue;
        use(fd);
      }
    }`);
    const flow = solveHandleFlow(cfg, { variable: 'fd', shape: 'descriptor', isSource: (rhs) => rhs.text.startsWith('accept') });
    expect(flow.before(nodeWith(cfg, 'marker();'))).toBe(INVALID | VALID);
    expect(flow.before(nodeWith(cfg, 'use(fd);'))).toBe(VALID);
  });
});
