import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSources } from '../core/engine/session.js';
import { emptyConfig } from '../core/engine/config.js';
import type { Rule } from '../core/engine/rule.js';
import { schemaText } from '../scripts/build-schema.mjs';
import { ROOT } from './cli-helpers.js';
import { completenessProblems, sampleSources, SCAFFOLD_MARKER } from './completeness.js';
import { checkExpectations, parseExpectations } from './expectations.js';

/**
 * scripts/new-rule.mjs, run with --root on a scratch copy of the checkout (never on the repository
 * itself): what it writes, that the result compiles and loads, and that the completeness test and the
 * rule's own test are red until the author has done the rest.
 */
const SCRIPT = join(ROOT, 'scripts', 'new-rule.mjs');
const ID = 'listen-backlog-too-small';
let root = '';

const newRule = (...args: string[]) => {
  const r = spawnSync(process.execPath, [SCRIPT, ...args, '--root', root], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8');
/** Every file name the scaffold could touch, and the two files it edits. */
const snapshot = () => ({
  lists: [['rules'], ['docs', 'rules'], ['test', 'rules'], ['test', 'fixtures']].map((dir) => readdirSync(join(root, ...dir)).sort()),
  index: read('rules', 'index.ts'),
  schema: read('schema', 'connlint.schema.json'),
});

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'connlint-new-rule-'));
  for (const entry of ['package.json', 'tsconfig.json', 'README.md', 'core', 'domain', 'rules', 'docs', 'schema', 'samples', 'test']) {
    cpSync(join(ROOT, entry), join(root, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('npm run new-rule -- ID (scripts/new-rule.mjs)', () => {
  it('refuses an id that is not kebab-case, or reserved, with exit 2 and writes nothing', () => {
    const before = snapshot();
    for (const id of ['Listen_Backlog', 'listen--backlog', 'listen_backlog', '9lives', 'trailing-', 'completeness', 'unused-disable-directive']) {
      const r = newRule(id);
      expect(r.code, id).toBe(2);
      expect(r.stderr).toMatch(/^new-rule: invalid rule id/);
      expect(r.stderr).toContain('usage: npm run new-rule -- RULE-ID');
    }
    expect(newRule().stderr).toContain('missing the rule id');
    expect(newRule('a-rule', 'b-rule').code).toBe(2);
    expect(snapshot()).toEqual(before);
  });

  it('refuses an existing rule with exit 2, naming what exists', () => {
    const before = snapshot();
    const r = newRule('fd-leak');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("new-rule: rule 'fd-leak' already exists: rules/fd-leak.ts, docs/rules/fd-leak.md, test/rules/fd-leak.test.ts, test/fixtures/fd-leak");
    expect(snapshot()).toEqual(before);
  });

  it('writes the rule (compiling), registers it, writes docs, test, fixtures and the schema entry, and prints the checklist', async () => {
    const r = newRule(ID);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Created rule '${ID}'`);
    for (const item of ['npm run schema', 'samples/', "README.md's rules table", SCAFFOLD_MARKER]) expect(r.stdout).toContain(item);

    expect(read('rules', 'index.ts')).toContain(`import { listenBacklogTooSmall } from './${ID}.js';`);
    expect(read('rules', 'index.ts')).toContain('[acceptLoopEarlyExit, etAcceptNotDrained, fdLeak, listenBacklogTooSmall]');
    const docs = read('docs', 'rules', `${ID}.md`);
    for (const section of ['What it does', 'Why', 'Example', 'Use instead', 'Limits', 'How to silence']) expect(docs).toContain(`\n## ${section}\n`);
    expect(read('test', 'rules', `${ID}.test.ts`)).toContain(`describeRuleFixtures('${ID}'`);
    expect(readdirSync(join(root, 'test', 'fixtures', ID)).sort()).toEqual(['bad.c', 'good.c']);

    // The scratch rules load; `npm run schema` would write exactly what the scaffold wrote.
    const { ALL_RULES } = (await import(pathToFileURL(join(root, 'rules', 'index.ts')).href)) as { ALL_RULES: readonly Rule[] };
    expect(ALL_RULES.map((rule) => rule.meta.id)).toEqual(['accept-loop-early-exit', 'et-accept-not-drained', 'fd-leak', ID]);
    const schema = read('schema', 'connlint.schema.json');
    expect(schemaText(schema, ALL_RULES.map((rule) => rule.meta))).toBe(schema);

    // Red until done: the rule reports nothing yet, so the bad fixture's expectation is not met …
    const rule = ALL_RULES.at(-1)!;
    const sources = ['bad.c', 'good.c'].map((name) => ({ path: `${ID}/${name}`, text: read('test', 'fixtures', ID, name) }));
    const { expectations, errors } = parseExpectations(sources, new Set(ALL_RULES.map((x) => x.meta.id)));
    expect(errors).toEqual([]);
    const findings = analyzeSources(sources, { rules: [rule], config: emptyConfig(root) });
    expect(checkExpectations(findings, expectations)).toEqual([expect.stringContaining(`${ID}/bad.c:6: not reported: 'expect: ${ID} warning'`)]);
    // … no sample triggers it, and the completeness test lists what is left.
    expect(analyzeSources(sampleSources(root), { rules: [rule], config: emptyConfig(root) })).toEqual([]);
    expect(completenessProblems(root, ALL_RULES.map((x) => x.meta.id))).toEqual([
      `README.md: no row in the rules table linking docs/rules/${ID}.md`,
      ...[`rules/${ID}.ts`, `docs/rules/${ID}.md`, `test/rules/${ID}.test.ts`, `test/fixtures/${ID}/bad.c`, `test/fixtures/${ID}/good.c`].map(
        (path) => `${path}: still has the scaffold's '${SCAFFOLD_MARKER}' text`,
      ),
    ]);

    // A second run refuses.
    expect(newRule(ID).code).toBe(2);

    // What it wrote compiles (tsc, strict).
    writeFileSync(join(root, 'tsconfig.scaffold.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true }, include: ['rules'] }));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.scaffold.json')], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
