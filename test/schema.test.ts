import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../core/engine/config.js';
import { UNUSED_DIRECTIVE_RULE } from '../core/engine/suppressions.js';
import { ALL_RULES } from '../rules/index.js';
import { addRuleEntry, buildSchema, ENGINE_RULE_IDS, formatSchema, ruleEntry, schemaText, SCHEMA_PATH } from '../scripts/build-schema.mjs';
import { ROOT } from './cli-helpers.js';

const committed = readFileSync(join(ROOT, SCHEMA_PATH), 'utf8');

describe('config schema from the rules’ metadata (scripts/build-schema.mjs)', () => {
  it('the committed schema is what `npm run schema` generates (regenerate after changing a rule’s meta)', () => {
    expect(committed).toBe(schemaText(committed, ALL_RULES.map((r) => r.meta)));
  });

  it('has one entry per rule, in ALL_RULES order, then the engine’s own', () => {
    const schema = JSON.parse(committed);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe('https://github.com/connlint/connlint/blob/main/schema/connlint.schema.json');
    expect(Object.keys(schema.properties.rules.properties)).toEqual([...ALL_RULES.map((r) => r.meta.id), UNUSED_DIRECTIVE_RULE]);
    expect(ENGINE_RULE_IDS).toEqual([UNUSED_DIRECTIVE_RULE]);
    for (const rule of ALL_RULES) {
      const entry = schema.properties.rules.properties[rule.meta.id];
      expect(entry.description).toContain(`connlint --explain ${rule.meta.id}`);
      expect(entry.oneOf?.[1].items[1] ?? null).toEqual(rule.meta.optionsSchema ?? null);
    }
  });

  it('the accept rules declare their edgeTriggered option; config validation (ajv) uses it', () => {
    for (const id of ['accept-loop-early-exit', 'et-accept-not-drained']) {
      const meta = ALL_RULES.find((r) => r.meta.id === id)!.meta;
      expect((meta.optionsSchema as { properties: { edgeTriggered: { enum: string[] } } }).properties.edgeTriggered.enum).toEqual(['auto', 'ask', 'assume', 'always', 'never']);
      const config = (value: unknown) => () => parseConfig('/x/connlint.json', JSON.stringify({ rules: { [id]: value } }));
      expect(config(['warning', { edgeTriggered: 'always' }])().rules[id]).toEqual({ severity: 'warning', options: { edgeTriggered: 'always' } });
      expect(config(['error'])().rules[id]!.options).toEqual({});
      expect(config(['error', { edgeTriggered: 'sometimes' }])).toThrow(`/rules/${id}/1/edgeTriggered: must be equal to one of the allowed values: auto, ask, assume, always, never`);
      expect(config(['error', { edgeTriggered: 'auto' }, 3])).toThrow(`/rules/${id}`);
    }
    // A rule without options takes a severity only.
    expect(() => parseConfig('/x/connlint.json', JSON.stringify({ rules: { 'fd-leak': ['error', {}] } }))).toThrow('/rules/fd-leak');
  });

  it('builds entries with and without options, keeps the rest of the schema, and adds one rule after the others', () => {
    const plain = { id: 'x-rule', shortDescription: 'Does a thing.' };
    expect(ruleEntry(plain)).toEqual({ description: 'Does a thing (connlint --explain x-rule).', $ref: '#/definitions/severity' });
    const options = { type: 'object', properties: { n: { type: 'integer' } } };
    expect(ruleEntry({ ...plain, optionsSchema: options }).oneOf).toEqual([
      { $ref: '#/definitions/severity' },
      { type: 'array', items: [{ $ref: '#/definitions/severity' }, options], minItems: 1, maxItems: 2 },
    ]);
    const schema = JSON.parse(committed);
    const metas = ALL_RULES.map((r) => r.meta);
    const built = buildSchema(schema, metas);
    expect({ ...built, properties: { ...built.properties, rules: null } }).toEqual({ ...schema, properties: { ...schema.properties, rules: null } });
    // What the scaffold writes equals what `npm run schema` writes once the rule is in ALL_RULES.
    expect(formatSchema(addRuleEntry(schema, plain))).toBe(formatSchema(buildSchema(schema, [...metas, plain])));
    expect(() => addRuleEntry(schema, { id: 'fd-leak', shortDescription: 'again' })).toThrow("already has an entry for 'fd-leak'");
    expect(() => buildSchema(schema, [{ id: UNUSED_DIRECTIVE_RULE, shortDescription: 'mine' }])).toThrow('reserved for the engine');
  });
});
