import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../core/analyze.js';
import { emptyConfig } from '../core/config.js';
import type { Finding } from '../core/findings.js';
import { detectLanguage } from '../core/language.js';
import { parseText, type Tree } from '../core/parser.js';
import { ProjectIndex } from '../core/project-index.js';
import { settingsFor } from '../core/settings.js';
import { prepareSource } from '../core/source-file.js';
import { ALL_RULES } from '../rules/index.js';
import { IncrementalAnalyzer, type AnalysisInput } from '../server/incremental.js';
import { mergeEdit } from '../server/documents.js';
import { ROOT } from './lsp-client.js';

const config = emptyConfig(ROOT);
const settings = settingsFor(config);

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
  const kind = Math.floor(next() * 7);
  switch (kind) {
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

function runEdits(path: string, initial: string, edits: number, seed: number) {
  const next = random(seed);
  const analyzer = new IncrementalAnalyzer();
  const language = detectLanguage(path, initial, 'auto');
  let text = initial;
  let tree: Tree = parseText(language, text);
  const modes = { full: 0, incremental: 0, byEdit: 0 };
  let previous: AnalysisInput['previous'];
  const analyze = () =>
    analyzer.analyze({ path, text, tree, language, config, settings, overrides: {}, contextKey: 'fixed', indexWith: (facts) => new ProjectIndex(facts), previous });
  expect(view(analyze().findings)).toEqual(view(fullCheck(path, text)));
  for (let i = 0; i < edits; i++) {
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
    // As the server does: the edited old tree and the span of the edit go along with the new tree.
    previous = { tree, edited: mergeEdit(undefined, edit.start, edit.end, edit.start + edit.text.length) };
    tree = parseText(language, text, tree);
    const result = analyze();
    modes[result.mode]++;
    if (result.matchedBy === 'edit') modes.byEdit++;
    expect(view(result.findings), `after edit ${i + 1} ${JSON.stringify(edit)}`).toEqual(view(fullCheck(path, text)));
  }
  return modes;
}

describe('incremental re-checking (server/incremental.ts)', () => {
  it('gives exactly the findings of a whole-file check after every random edit (C, many functions)', () => {
    const dir = join(ROOT, 'test', 'fixtures', 'accept');
    const text = readdirSync(dir)
      .filter((f) => f.endsWith('.c'))
      .sort()
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    const modes = runEdits(join(dir, 'all.c'), text, 150, 1);
    // Every path was exercised (edits between functions, or that change facts other functions
    // depend on, take the full path by design; edits inside one function are matched by their span).
    expect(modes.incremental).toBeGreaterThan(20);
    expect(modes.full).toBeGreaterThan(20);
    expect(modes.byEdit).toBeGreaterThan(10);
  });

  it('gives exactly the findings of a whole-file check after every random edit (C++, functions in a namespace)', () => {
    const path = join(ROOT, 'samples', 'incident-003-accept-loop', 'bad_server.cpp');
    const modes = runEdits(path, readFileSync(path, 'utf8'), 80, 7);
    expect(modes.incremental).toBeGreaterThan(0);
  });
});
