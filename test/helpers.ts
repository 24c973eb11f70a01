import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeSources } from '../core/engine/session.js';
import { emptyConfig, type ResolvedConfig } from '../core/engine/config.js';
import type { Finding } from '../core/engine/findings.js';
import type { Rule } from '../core/engine/rule.js';
import { ALL_RULES, findRule } from '../rules/index.js';
import { checkExpectations, parseExpectations } from './expectations.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

/** All files under a fixture folder (or one file), as { path, text }, paths relative to fixtures/ and '/'-separated. */
export function fixtureSources(...names: string[]): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const visit = (abs: string) => {
    if (statSync(abs).isDirectory()) for (const e of readdirSync(abs).sort()) visit(join(abs, e));
    else out.push({ path: relative(FIXTURES, abs).split('\\').join('/'), text: readFileSync(abs, 'utf8') });
  };
  for (const n of names) visit(join(FIXTURES, n));
  return out;
}

/** The rules a test is about (each rule's fixtures assert that rule's findings exactly). */
export const ACCEPT_RULES = ALL_RULES.filter((r) => r.meta.id.includes('accept'));

export function analyze(sources: { path: string; text: string }[], config?: ResolvedConfig, reportUnusedDirectives = false, rules: readonly Rule[] = ACCEPT_RULES): Finding[] {
  return analyzeSources(sources, { rules, config: config ?? emptyConfig(FIXTURES), reportUnusedDirectives });
}

export function actualFindings(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.location.file}:${f.location.line} ${f.ruleId} ${f.severity}`).sort();
}

/**
 * Fixture folders a rule's test runs on besides its own test/fixtures/<id>/. Every expectation of a
 * rule must live in one of its folders (test/rules/completeness.test.ts checks), and the rule must be
 * silent on every file there that expects nothing of it. The accept rules share their fixtures: each
 * folder's hard negatives hold for both.
 */
export const SHARED_FIXTURES: Readonly<Record<string, readonly string[]>> = {
  'accept-loop-early-exit': ['et-accept-not-drained'],
  'et-accept-not-drained': ['accept-loop-early-exit'],
};

export function fixtureFoldersOf(ruleId: string): string[] {
  return [ruleId, ...(SHARED_FIXTURES[ruleId] ?? [])];
}

/**
 * The units a fixture folder is analysed as, relative to fixtures/: each file on its own, each
 * sub-folder as one project (cross-file fixtures).
 */
export function fixtureUnits(folder: string): string[] {
  const abs = join(FIXTURES, folder);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .sort()
    .map((entry) => `${folder}/${entry}`);
}

/** Rule ids an annotation may name. */
export const RULE_IDS: ReadonlySet<string> = new Set(ALL_RULES.map((r) => r.meta.id));

/** Problems of one rule on one fixture unit: parse errors of the annotations, then mismatches ([] when all agree). */
export function ruleFixtureProblems(ruleId: string, unit: string): string[] {
  const rule = findRule(ruleId);
  if (!rule) return [`no rule '${ruleId}' in ALL_RULES`];
  const sources = fixtureSources(unit);
  const { expectations, errors } = parseExpectations(sources, RULE_IDS);
  if (errors.length > 0) return errors;
  return checkExpectations(
    analyze(sources, undefined, false, [rule]),
    expectations.filter((e) => e.rule === ruleId),
  );
}

/**
 * One test per fixture unit of the rule's folders (its own and SHARED_FIXTURES): the rule's findings
 * there are exactly what the `// expect…` annotations say. `titles` names what a unit of the rule's own
 * folder is about (keys relative to that folder: 'exits.c', 'cross').
 */
export function describeRuleFixtures(ruleId: string, titles: Readonly<Record<string, string>> = {}): void {
  describe(`${ruleId} on its fixtures`, () => {
    const units = fixtureFoldersOf(ruleId).flatMap(fixtureUnits);
    it('has fixtures, and a title for each unit named', () => {
      expect(fixtureUnits(ruleId).length).toBeGreaterThan(0);
      expect(Object.keys(titles).filter((name) => !units.includes(`${ruleId}/${name}`))).toEqual([]);
    });
    for (const unit of units) {
      const title = unit.startsWith(`${ruleId}/`) ? titles[unit.slice(ruleId.length + 1)] : undefined;
      it(title ? `${unit}: ${title}` : unit, () => {
        const problems = ruleFixtureProblems(ruleId, unit);
        expect(problems.join('\n\n')).toBe('');
      });
    }
  });
}
