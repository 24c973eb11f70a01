import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isSourcePath } from '../core/syntax/language.js';
import { parseExpectations } from './expectations.js';
import { fixtureFoldersOf } from './helpers.js';

/**
 * What every shipped rule must have besides its code (test/rules/completeness.test.ts), checked on
 * the files under `root` so that the scaffold's test can run it on a scratch copy. Returns the
 * problems as "path: what is missing" strings ([] when complete). Whether a sample triggers the rule
 * needs the rule itself: see samplesTriggering().
 */

/** Text the scaffold (scripts/new-rule.mjs) puts in every file it writes, to be replaced by the author. */
export const SCAFFOLD_MARKER = 'new-rule placeholder';

/** test/rules/ files that are not a rule's test. */
export const NON_RULE_TESTS: readonly string[] = ['completeness.test.ts'];

const read = (path: string) => (existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined);

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return [dir];
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => filesUnder(join(dir, entry)));
}

/** Fixture sources under test/fixtures/<folder>/, paths relative to test/fixtures/ as the rule tests name them. */
function fixtureSourcesIn(root: string, folder: string): { path: string; text: string }[] {
  const base = join(root, 'test', 'fixtures');
  return filesUnder(join(base, folder)).map((abs) => ({ path: relative(base, abs).split('\\').join('/'), text: readFileSync(abs, 'utf8') }));
}

/** What one rule lacks: docs, test file, fixtures with an expectation, schema entry, README row; scaffold text left. */
export function ruleProblems(root: string, id: string): string[] {
  const problems: string[] = [];
  const readme = read(join(root, 'README.md')) ?? '';
  const schema = JSON.parse(read(join(root, 'schema', 'connlint.schema.json')) ?? '{}') as { properties?: { rules?: { properties?: Record<string, unknown> } } };
  const schemaRules = schema.properties?.rules?.properties ?? {};

  const docs = `docs/rules/${id}.md`;
  const docsText = read(join(root, docs));
  if (docsText === undefined) problems.push(`${docs}: missing`);
  else if (!docsText.includes(id)) problems.push(`${docs}: does not mention '${id}'`);

  const test = `test/rules/${id}.test.ts`;
  const testText = read(join(root, test));
  if (testText === undefined) problems.push(`${test}: missing`);
  else if (!testText.includes(`describeRuleFixtures('${id}'`)) problems.push(`${test}: does not run describeRuleFixtures('${id}', …) on its fixtures`);

  const fixtures = `test/fixtures/${id}/`;
  if (!existsSync(join(root, fixtures))) problems.push(`${fixtures}: missing`);
  else {
    const { expectations } = parseExpectations(fixtureSourcesIn(root, id));
    if (!expectations.some((e) => e.rule === id && e.kind === 'expect')) problems.push(`${fixtures}: no '// expect: ${id} …' annotation (a fixture the rule must report on)`);
  }

  if (!(id in schemaRules)) problems.push(`schema/connlint.schema.json: no entry rules.${id} (npm run schema)`);

  const row = readme.split('\n').find((line) => line.trimStart().startsWith('|') && line.includes(`](docs/rules/${id}.md)`));
  if (!row) problems.push(`README.md: no row in the rules table linking docs/rules/${id}.md`);

  const ownFiles = [`rules/${id}.ts`, docs, test, ...filesUnder(join(root, fixtures)).map((abs) => relative(root, abs).split('\\').join('/'))];
  for (const path of ownFiles) if (read(join(root, path))?.includes(SCAFFOLD_MARKER)) problems.push(`${path}: still has the scaffold's '${SCAFFOLD_MARKER}' text`);
  return problems;
}

/** Rule-shaped files without a rule: docs/rules/*.md, test/fixtures/* folders, test/rules/* tests. */
export function orphanProblems(root: string, ruleIds: readonly string[]): string[] {
  const problems: string[] = [];
  const known = new Set(ruleIds);
  const list = (...dir: string[]) => (existsSync(join(root, ...dir)) ? readdirSync(join(root, ...dir)).sort() : []);
  for (const entry of list('docs', 'rules')) {
    if (!entry.endsWith('.md') || !known.has(entry.slice(0, -3))) problems.push(`docs/rules/${entry}: no rule '${entry.replace(/\.md$/, '')}' in ALL_RULES`);
  }
  for (const entry of list('test', 'fixtures')) {
    if (!known.has(entry)) problems.push(`test/fixtures/${entry}: no rule '${entry}' in ALL_RULES (fixtures go in test/fixtures/<rule-id>/)`);
  }
  for (const entry of list('test', 'rules')) {
    if (NON_RULE_TESTS.includes(entry)) continue;
    if (!entry.endsWith('.test.ts') || !known.has(entry.slice(0, -'.test.ts'.length))) problems.push(`test/rules/${entry}: no rule '${entry.replace(/\.test\.ts$/, '')}' in ALL_RULES`);
  }
  return problems;
}

/** Annotations their rule's test never reads (outside the rule's fixture folders), and malformed ones. */
export function placementProblems(root: string, ruleIds: readonly string[]): string[] {
  const problems: string[] = [];
  for (const folder of ruleIds) {
    const { expectations, errors } = parseExpectations(fixtureSourcesIn(root, folder), new Set(ruleIds));
    problems.push(...errors.map((error) => `test/fixtures/${error}`));
    for (const e of expectations) {
      if (!fixtureFoldersOf(e.rule).includes(folder)) problems.push(`test/fixtures/${e.file}:${e.writtenOn}: '${e.source}' is not checked: test/rules/${e.rule}.test.ts does not run on test/fixtures/${folder}/ (SHARED_FIXTURES in test/helpers.ts)`);
    }
  }
  return problems;
}

/** Everything above, for all rules. */
export function completenessProblems(root: string, ruleIds: readonly string[]): string[] {
  return [...ruleIds.flatMap((id) => ruleProblems(root, id)), ...orphanProblems(root, ruleIds), ...placementProblems(root, ruleIds)];
}

/** The C/C++ files under samples/, as analyzeSources takes them (paths relative to `root`). */
export function sampleSources(root: string): { path: string; text: string }[] {
  return filesUnder(join(root, 'samples'))
    .filter(isSourcePath)
    .map((abs) => ({ path: relative(root, abs).split('\\').join('/'), text: readFileSync(abs, 'utf8') }));
}
