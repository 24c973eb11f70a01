import { describe, expect, it } from 'vitest';
import { analyzeSources } from '../../core/engine/session.js';
import { emptyConfig } from '../../core/engine/config.js';
import { ALL_RULES } from '../../rules/index.js';
import { ROOT } from '../cli-helpers.js';
import { orphanProblems, placementProblems, ruleProblems, sampleSources } from '../completeness.js';

/**
 * A rule ships with its documentation, its spec (test file and fixtures), its config schema entry,
 * its README row and an incident sample it catches. `npm run new-rule -- ID` writes the skeletons;
 * this test stays red until they are real. See docs/testing-rules.md.
 */
const IDS = ALL_RULES.map((r) => r.meta.id);

describe('every rule is complete', () => {
  for (const rule of ALL_RULES) {
    const id = rule.meta.id;
    it(`${id}: docs/rules/${id}.md, test/rules/${id}.test.ts, test/fixtures/${id}/ with an expectation, a schema entry, a README row`, () => {
      expect(ruleProblems(ROOT, id).join('\n')).toBe('');
    });

    it(`${id}: a sample under samples/ triggers it`, () => {
      const findings = analyzeSources(sampleSources(ROOT), { rules: [rule], config: emptyConfig(ROOT) });
      expect(findings.filter((f) => f.ruleId === id).map((f) => f.location.file), `no sample under samples/ makes ${id} report (add one, and a row to samples/README.md)`).not.toEqual([]);
    });
  }

  it('no docs/rules page, fixture folder or test/rules file without a rule', () => {
    expect(orphanProblems(ROOT, IDS).join('\n')).toBe('');
  });

  it("every fixture annotation is well-formed and read by its rule's test", () => {
    expect(placementProblems(ROOT, IDS).join('\n')).toBe('');
  });
});
