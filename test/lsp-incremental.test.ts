import { CompileDatabases } from '../core/engine/compile-commands.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { checkFile } from '../core/engine/check-file.js';
import { emptyConfig } from '../core/engine/config.js';
import type { Finding } from '../core/engine/findings.js';
import { detectLanguage } from '../core/syntax/language.js';
import type Parser from 'tree-sitter';
import { parseText, type Tree } from '../core/syntax/parser.js';
import { ProjectIndex } from '../core/project/project-index.js';
import { Analyzer } from '../core/engine/analyzer.js';
import { prepareSource } from '../core/project/source-file.js';
import { ALL_RULES } from '../rules/index.js';
import { IncrementalAnalyzer, type AnalysisInput } from '../server/incremental.js';
import { LineMap } from '../core/syntax/source-text.js';
import type { FileFacts } from '../core/project/facts.js';
import { WorkspaceIndex } from '../server/workspace-index.js';
import { ConfigStore } from '../server/config-store.js';
import { NativeMemory } from '../server/native-memory.js';
import { mergeEdit, OpenDocument } from '../server/documents.js';
import { DocumentChecker } from '../server/checker.js';
import { ROOT } from './lsp-client.js';

const config = emptyConfig(ROOT);
const engine = new Analyzer(ALL_RULES);
const settings = engine.settingsFor(config);

/** What a user sees of a finding (the fingerprint included: it must not depend on the path taken). */
function view(findings: readonly Finding[]) {
  return findings.map((f) => JSON.stringify(f));
}

function fullCheck(path: string, text: string): Finding[] {
  const file = prepareSource(path, text, settings);
  return checkFile(file, new ProjectIndex([file.facts]), settings, { rules: ALL_RULES, config });
}

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** One-line edits of the kinds typing produces, including ones that change facts other functions depend on. */
function randomEdit(text: string, next: () => number): Edit {
  const lines: number[] = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines.push(i + 1);
  const line = Math.floor(next() * (lines.length - 1));
  const start = lines[line]!;
  const end = (lines[line + 1] ?? text.length + 1) - 1;
  const current = text.slice(start, end);
  const kind = Math.floor(next() * 8);
  switch (kind) {
    case 7: {
      // A call of a function defined in the file (its call sites are facts other functions read).
      const defined = [...text.matchAll(/^[A-Za-z_][\w \t*]*?\b([A-Za-z_]\w*)\s*\([^;{]*\)\s*\{/gm)].map((m) => m[1]!);
      const callee = defined[Math.floor(next() * defined.length)] ?? 'helper';
      return { start, end: start, text: `    ${callee}(lfd);\n` };
    }
    case 0:
      return { start, end: start, text: '    int lsp_tmp = 0;\n' };
    case 1:
      return { start, end: Math.min(end + 1, text.length), text: '' };
    case 2:
      return { start: end, end, text: ' /* edited */' };
    case 3:
      return { start, end: start, text: '        close(fd);\n' };
    case 4:
      return current.includes('return;') ? { start: start + current.indexOf('return;'), end: start + current.indexOf('return;') + 7, text: 'continue;' } : { start, end: start, text: '\n' };
    case 5:
      return current.includes('EPOLLIN') ? { start: start + current.indexOf('EPOLLIN'), end: start + current.indexOf('EPOLLIN') + 7, text: 'EPOLLIN | EPOLLET' } : { start: end, end, text: ' ' };
    default:
      return current.includes('EPOLLET') ? { start: start + current.indexOf('EPOLLET'), end: start + current.indexOf('EPOLLET') + 7, text: '0' } : { start, end: start, text: '// comment\n' };
  }
}

function pointAt(text: string, offset: number) {
  const before = text.slice(0, offset);
  const row = before.split('\n').length - 1;
  return { row, column: offset - (before.lastIndexOf('\n') + 1) };
}

/**
 * `unitParse`: as the server runs it, the document tree is parsed only when the analysis asks for
 * it, and an edited function may be parsed on its own from the (edited, stale) document tree.
 */
/**
 * Random edits, each checked against a whole-file check. Async, giving the event loop a turn
 * every few edits: a loop of hundreds of analyses in one synchronous stretch kept vitest's worker
 * from answering its runner for over a minute on a loaded machine ("Timeout calling onTaskUpdate").
 */
async function runEdits(path: string, initial: string, edits: number, seed: number, { unitParse = false } = {}) {
  const next = random(seed);
  const analyzer = new IncrementalAnalyzer();
  const language = detectLanguage(path, initial, 'auto');
  let text = initial;
  let tree: Tree = parseText(language, text);
  const modes = { full: 0, incremental: 0, byEdit: 0, unitParsed: 0, byEditParsingDocument: 0 };
  let previous: AnalysisInput['previous'];
  // Line starts kept through the edits, and the project index of a workspace, as the server keeps them.
  let lines = new LineMap(text);
  const workspace = new WorkspaceIndex(engine, new ConfigStore(() => undefined), () => undefined, new NativeMemory(), new CompileDatabases('/'));
  const indexWith = (facts: readonly FileFacts[]) => {
    workspace.setOpen(path, facts);
    return workspace.index();
  };
  const analyze = () => {
    if (!unitParse) return analyzer.analyze({ path, text, tree, language, config, settings, analyzer: engine, overrides: {}, contextKey: 'fixed', indexWith, previous, lines });
    const old = tree;
    const current = text;
    const parseDocument = () => (tree = parseText(language, current, old));
    const parseUnit = (range: Parser.Range) => parseText(language, current, old, [range]);
    return analyzer.analyze({ path, text, tree: parseDocument, parseUnit, language, config, settings, analyzer: engine, overrides: {}, contextKey: 'fixed', indexWith, previous: previous && { tree: old, edited: previous.edited }, lines });
  };
  expect(view(analyze().findings)).toEqual(view(fullCheck(path, text)));
  for (let i = 0; i < edits; i++) {
    if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
    const edit = randomEdit(text, next);
    const updated = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    tree.edit({
      startIndex: edit.start,
      oldEndIndex: edit.end,
      newEndIndex: edit.start + edit.text.length,
      startPosition: pointAt(text, edit.start),
      oldEndPosition: pointAt(text, edit.end),
      newEndPosition: pointAt(updated, edit.start + edit.text.length),
    });
    text = updated;
    lines = lines.edited(text, edit.start, edit.end, edit.text);
    // As the server does: the edited old tree and the span of the edit go along with the new tree.
    previous = { tree, edited: mergeEdit(undefined, edit.start, edit.end, edit.start + edit.text.length) };
    // The server's way re-parses the document (from the edited tree) only if the analysis asks.
    if (!unitParse) tree = parseText(language, text, tree);
    const result = analyze();
    modes[result.mode]++;
    if (result.matchedBy === 'edit') modes.byEdit++;
    if (result.unitParsed) modes.unitParsed++;
    else if (result.matchedBy === 'edit') modes.byEditParsingDocument++;
    expect(view(result.findings), `after edit ${i + 1} ${JSON.stringify(edit)}`).toEqual(view(fullCheck(path, text)));
  }
  return modes;
}

/**
 * An editing session as the server runs it: one analysis of `source`, then edits (inserting
 * `insert` before the first `at`), each analysed with the document tree parsed only if the
 * analysis asks (it is only edited otherwise) and single-function parses from it. Every analysis
 * must give the whole-file findings.
 */
function editingSession(path: string, source: string) {
  const language = detectLanguage(path, source, 'auto');
  const analyzer = new IncrementalAnalyzer();
  let text = source;
  let tree = parseText(language, text);
  let lastMode: 'full' | 'incremental' | undefined;
  const base = { path, language, config, settings, analyzer: engine, overrides: {}, contextKey: 'fixed', indexWith: (facts: readonly FileFacts[]) => new ProjectIndex(facts) };
  analyzer.analyze({ ...base, text, tree, lines: new LineMap(text) });
  const edit = (at: string, insert: string) => {
    const start = text.indexOf(at);
    expect(start).toBeGreaterThan(0);
    const updated = text.slice(0, start) + insert + text.slice(start);
    tree.edit({ startIndex: start, oldEndIndex: start, newEndIndex: start + insert.length, startPosition: pointAt(text, start), oldEndPosition: pointAt(text, start), newEndPosition: pointAt(updated, start + insert.length) });
    text = updated;
    const old = tree;
    const current = text;
    let documentParsed = false;
    const result = analyzer.analyze({
      ...base,
      text,
      lines: new LineMap(text),
      tree: () => ((documentParsed = true), (tree = parseText(language, current, old))),
      parseUnit: (range) => parseText(language, current, old, [range]),
      previous: { tree: old, edited: mergeEdit(undefined, start, start, start + insert.length) },
    });
    expect(view(result.findings)).toEqual(view(fullCheck(path, text)));
    lastMode = result.mode;
    return { matchedBy: result.matchedBy, unitParsed: result.unitParsed === true, documentParsed };
  };
  /** The document re-parsed as the server does when typing pauses; does it agree? */
  const reparseDocument = () => analyzer.documentReparsed((tree = parseText(language, text, tree)), text);
  return { analyzer, edit, reparseDocument, text: () => text, lastMode: () => lastMode };
}

/**
 * The C fixtures of the accept rules this test was tuned on, as one file of many functions (in
 * file-name order). A fixed list: the random edits, and so the counts of each re-check path below,
 * depend on the text, and a fixture added later would change them.
 */
function acceptFixtures(): { path: string; text: string } {
  const files = [
    ['accept-loop-early-exit', 'exits.c'],
    ['accept-loop-early-exit', 'fields.c'],
    ['accept-loop-early-exit', 'kqueue.c'],
    ['accept-loop-early-exit', 'level.c'],
    ['et-accept-not-drained', 'libevent.c'],
    ['et-accept-not-drained', 'not-drained.c'],
    ['accept-loop-early-exit', 'unknown.c'],
  ].map(([rule, name]) => join(ROOT, 'test', 'fixtures', rule!, name!));
  const text = files.map((file) => readFileSync(file, 'utf8')).join('\n');
  return { path: join(ROOT, 'test', 'fixtures', 'accept-loop-early-exit', 'all.c'), text };
}

describe('incremental re-checking (server/incremental.ts)', () => {
  it('gives exactly the findings of a whole-file check after every random edit (C, many functions)', async () => {
    const { path, text } = acceptFixtures();
    const modes = await runEdits(path, text, 150, 1);
    // Every path was exercised (edits between functions, or that change facts other functions
    // depend on, take the full path by design; edits inside one function are matched by their span).
    expect(modes.incremental).toBeGreaterThan(20);
    expect(modes.full).toBeGreaterThan(20);
    expect(modes.byEdit).toBeGreaterThan(10);
  });

  it('parsing only the edited function (from the stale document tree), gives exactly the findings of a whole-file check after every random edit', async () => {
    const { path, text } = acceptFixtures();
    const modes = await runEdits(path, text, 500, 1, { unitParse: true });
    // Edits inside one function at file scope take the single-function parse; the rest re-parse the
    // document (after a single-function parse, from the tree that is stale by then), or are
    // whole-file because the function's facts for the index changed (what it returns, the call it
    // ends in: whether it can return at all).
    expect(modes.unitParsed).toBeGreaterThanOrEqual(7);
    // Edits that leave their function with a syntax error re-parse the document.
    expect(modes.byEditParsingDocument).toBeGreaterThan(0);
    expect(modes.full).toBeGreaterThan(20);
    const cpp = join(ROOT, 'samples', 'incident-003-accept-loop', 'bad_server.cpp');
    const cppModes = await runEdits(cpp, readFileSync(cpp, 'utf8'), 60, 7, { unitParse: true });
    expect(cppModes.incremental).toBeGreaterThan(0);
    // 560 analyses: 22 s alone, over a minute on a loaded machine (async now, so the per-test timeout applies).
  }, 300_000);

  it('parses a function alone only at file scope, without errors, when no other function needs re-checking and no suppression comment is elsewhere', () => {
    // One analysis of `source`, then one edit at `at` (inserting `insert`): how was it analysed?
    const editedOnce = (path: string, source: string, at: string, insert: string) => {
      const { matchedBy, unitParsed, documentParsed } = editingSession(path, source).edit(at, insert);
      expect(matchedBy).toBe('edit');
      return { unitParsed, documentParsed };
    };
    const source = [
      '#include <sys/socket.h>',
      '#include <unistd.h>',
      'static int serve(int lfd) {',
      '    for (;;) {',
      '        int fd = accept(lfd, NULL, NULL);',
      '        if (fd < 0) return -1;',
      '        if (write(fd, "x", 1) < 0) return -1;',
      '        close(fd);',
      '    }',
      '}',
      '#ifdef WITH_EXTRA',
      'static int extra(int lfd) {',
      '    int fd = accept(lfd, NULL, NULL);',
      '    if (fd < 0) return -1;',
      '    if (write(fd, "x", 1) < 0) return -1;',
      '    close(fd);',
      '    return 0;',
      '}',
      '#endif',
      '',
    ].join('\n');
    const path = join(ROOT, 'test', 'unit-alone.c');
    expect(fullCheck(path, source).map((f) => `${f.ruleId}:${f.location.line}`)).toEqual(['fd-leak:7', 'fd-leak:15']);
    const inServe = '        close(fd);\n    }';
    // At file scope: parsed alone, the document is not re-parsed.
    expect(editedOnce(path, source, inServe, '        (void)0;\n')).toEqual({ unitParsed: true, documentParsed: false });
    // A syntax error in it: the document is re-parsed.
    expect(editedOnce(path, source, inServe, '        (void)0 +;\n')).toEqual({ unitParsed: false, documentParsed: true });
    // Inside `#ifdef`: its context is outside it.
    expect(editedOnce(path, source, '    close(fd);\n    return 0;', '    (void)0;\n')).toEqual({ unitParsed: false, documentParsed: true });
    // A suppression comment outside the edited function could apply inside it.
    const suppressed = source.replace('#ifdef WITH_EXTRA', '// connlint-disable-next-line fd-leak -- test\n#ifdef WITH_EXTRA');
    expect(editedOnce(path, suppressed, inServe, '        (void)0;\n')).toEqual({ unitParsed: false, documentParsed: true });
    // C++: main() stands at file scope, but a finding in a namespace function names its lines, so that function is re-checked too, from the document.
    const cpp = join(ROOT, 'samples', 'incident-003-accept-loop', 'bad_server.cpp');
    expect(editedOnce(cpp, readFileSync(cpp, 'utf8'), '    int listen_fd = make_listener', '    (void)0;\n')).toEqual({ unitParsed: false, documentParsed: true });

    // As the server goes on: the document tree is only edited while functions are parsed alone; an
    // edit that then needs the document re-parsed is still matched by its span (the earlier changes
    // lie in functions analysed from their own parse).
    const session = editingSession(path, source);
    const edit = session.edit;
    expect(edit(inServe, '        (void)0;\n')).toEqual({ matchedBy: 'edit', unitParsed: true, documentParsed: false });
    expect(edit(inServe, '        (void)1;\n')).toEqual({ matchedBy: 'edit', unitParsed: true, documentParsed: false });
    expect(edit('    close(fd);\n    return 0;', '    (void)0;\n')).toEqual({ matchedBy: 'edit', unitParsed: false, documentParsed: true });
    expect(edit(inServe, '        (void)2;\n')).toEqual({ matchedBy: 'edit', unitParsed: true, documentParsed: false });
    // The document re-parsed when typing pauses: it agrees with what the analyses assumed.
    expect(session.reparseDocument()).toBe(true);
    // A tree that disagrees (another function's text): the state is dropped, the next analysis is whole-file.
    const other = session.text().replace('static int serve(int lfd)', 'static int serve2(int lfd)');
    expect(session.analyzer.documentReparsed(parseText('c', other), other)).toBe(false);
    expect(edit(inServe, '        (void)3;\n')).toEqual({ matchedBy: undefined, unitParsed: false, documentParsed: true });
  });

  it('after an analysis that failed half-way, the next one is whole-file (the edits it took are not lost)', () => {
    const path = join(ROOT, 'samples', 'incident-003-accept-loop', 'one_accept_per_event.c');
    let text = readFileSync(path, 'utf8');
    const configs = new ConfigStore(() => undefined);
    const workspace = new WorkspaceIndex(engine, configs, () => undefined, new NativeMemory(), new CompileDatabases('/'));
    const checker = new DocumentChecker(engine, configs, workspace, () => 'fixed', new NativeMemory(), new CompileDatabases('/'));
    const doc = new OpenDocument('file:///x.c', path, 'c', 1, text);
    const check = () => checker.check(checker.prepare(doc)!, {});
    expect(view(check().findings)).toEqual(view(fullCheck(path, text)));
    // Two statements added in on_listener_readable (line 16), one check each; the first check fails.
    const insert = (version: number, line: number) => {
      doc.applyChanges([{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '    (void)0;\n' }], version);
      text = doc.text;
    };
    insert(2, 15);
    const failing = vi.spyOn(doc.analysis, 'analyze').mockImplementationOnce(() => {
      throw new Error('injected failure');
    });
    expect(check).toThrow('injected failure');
    failing.mockRestore();
    insert(3, 15);
    const result = check();
    expect(result.mode).toBe('full');
    expect(view(result.findings)).toEqual(view(fullCheck(path, text)));
  });

  it('gives exactly the findings of a whole-file check after every random edit (C++, functions in a namespace)', async () => {
    const path = join(ROOT, 'samples', 'incident-003-accept-loop', 'bad_server.cpp');
    const modes = await runEdits(path, readFileSync(path, 'utf8'), 80, 7);
    expect(modes.incremental).toBeGreaterThan(0);
  });

  it('merges the edits since the last parse into one span: the text outside it is the old text, shifted', () => {
    const next = random(3);
    for (let round = 0; round < 200; round++) {
      const original = 'x'.repeat(40 + Math.floor(next() * 40)).replace(/x/g, () => String.fromCharCode(97 + Math.floor(next() * 26)));
      let text = original;
      let span: ReturnType<typeof mergeEdit> | undefined;
      for (let e = 0; e < 1 + Math.floor(next() * 4); e++) {
        const start = Math.floor(next() * (text.length + 1));
        const end = start + Math.floor(next() * Math.min(6, text.length - start + 1));
        const inserted = 'Z'.repeat(Math.floor(next() * 5));
        text = text.slice(0, start) + inserted + text.slice(end);
        span = mergeEdit(span, start, end, start + inserted.length);
      }
      const { start, end, delta } = span!;
      expect(text.length - original.length).toBe(delta);
      expect(text.slice(0, start)).toBe(original.slice(0, start));
      expect(text.slice(end)).toBe(original.slice(end - delta));
    }
  });

  it('after several edits in one function (one parse, one analysis), and edits in two functions, gives the whole-file findings', () => {
    const path = join(ROOT, 'samples', 'incident-003-accept-loop', 'bad_server.cpp');
    let text = readFileSync(path, 'utf8');
    const language = detectLanguage(path, text, 'auto');
    let tree: Tree = parseText(language, text);
    const analyzer = new IncrementalAnalyzer();
    const analyze = (previous?: AnalysisInput['previous']) =>
      analyzer.analyze({ path, text, tree, language, config, settings, analyzer: engine, overrides: {}, contextKey: 'fixed', indexWith: (facts) => new ProjectIndex(facts), previous });
    analyze();
    const edit = (edits: readonly { at: string; insert: string }[]) => {
      const old = tree;
      let span: ReturnType<typeof mergeEdit> | undefined;
      for (const { at, insert } of edits) {
        const start = text.indexOf(at);
        expect(start).toBeGreaterThan(0);
        const updated = text.slice(0, start) + insert + text.slice(start);
        tree.edit({ startIndex: start, oldEndIndex: start, newEndIndex: start + insert.length, startPosition: pointAt(text, start), oldEndPosition: pointAt(text, start), newEndPosition: pointAt(updated, start + insert.length) });
        text = updated;
        span = mergeEdit(span, start, start, start + insert.length);
      }
      tree = parseText(language, text, tree);
      return analyze({ tree: old, edited: span });
    };
    // Two edits in the accept loop's function, the second fixing the early return.
    const fixed = edit([
      { at: '        int fd = accept4', insert: '        (void)0;\n' },
      { at: 'return;  // BUG', insert: 'continue; // ' },
    ]);
    expect(fixed.matchedBy).toBe('edit');
    expect(view(fixed.findings)).toEqual(view(fullCheck(path, text)));
    expect(fixed.findings.filter((f) => f.ruleId === 'accept-loop-early-exit')).toEqual([]);
    // Edits in two functions at once are told apart by comparing texts.
    const lines = text.split('\n');
    const firstBody = lines.findIndex((l) => /^\s+\S.*;$/.test(l));
    const lastBody = lines.findLastIndex((l) => /^\s+\S.*;$/.test(l));
    const two = edit([
      { at: lines[lastBody]!, insert: '    (void)1;\n' },
      { at: lines[firstBody]!, insert: '    (void)2;\n' },
    ]);
    expect(two.matchedBy).toBe('text');
    expect(view(two.findings)).toEqual(view(fullCheck(path, text)));
  });
});

describe('what an edit can change elsewhere (the facts-provider contract, the call graph)', () => {
  it('a call of a library function named like a field that holds a project function stays incremental; a call through that field re-checks the file', () => {
    const source = 'struct conn_type { int (*close)(int); };\nstatic int sock_close(int fd) { return fd; }\nstruct conn_type sockets = { .close = sock_close };\nvoid f(struct conn_type *c) {\n    int x = 0;\n}\nvoid g(void) {\n    int y = 0;\n}\n';
    const session = editingSession('fields.c', source);
    session.edit('    int x = 0;', '    (void)close(-1);\n');
    expect(session.lastMode()).toBe('incremental');
    session.edit('    int y = 0;', '    c_unknown(1);\n');
    expect(session.lastMode()).toBe('incremental');
    session.edit('    int x = 0;', '    c->close(1);\n');
    expect(session.lastMode()).toBe('full');
  });
});

