#!/usr/bin/env node
// Regenerates the per-rule entries of schema/connlint.schema.json from the rules' metadata
// (RuleMeta.shortDescription and RuleMeta.optionsSchema of every rule in ALL_RULES); everything else
// in the schema is kept as it is. Reads the compiled rules from dist/, so build first:
//
//   npm run schema            (tsc, then this script)
//   node scripts/build-schema.mjs --check   exit 1 if the committed schema is out of date
//
// The functions below are plain data transformations, shared with scripts/new-rule.mjs and the
// test that keeps the committed schema current (test/schema.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const SCHEMA_PATH = join('schema', 'connlint.schema.json');

/**
 * Entries of `rules` that are not rules in ALL_RULES but findings the engine itself reports
 * (core/engine/suppressions.ts UNUSED_DIRECTIVE_RULE). They are kept as written, after the rules.
 */
export const ENGINE_RULE_IDS = ['unused-disable-directive'];

const SEVERITY = { $ref: '#/definitions/severity' };

/** The schema entry of one rule: a severity, or [severity, options] when the rule has options. */
export function ruleEntry(meta) {
  const description = `${meta.shortDescription.trim().replace(/\.$/, '')} (connlint --explain ${meta.id}).`;
  if (!meta.optionsSchema) return { description, ...SEVERITY };
  return {
    description,
    oneOf: [SEVERITY, { type: 'array', items: [SEVERITY, meta.optionsSchema], minItems: 1, maxItems: 2 }],
  };
}

/** `schema` with `properties.rules.properties` replaced: the given rule entries, then the engine's entries as they were. */
function withRuleEntries(schema, entries) {
  const rules = schema.properties.rules;
  const properties = {};
  for (const [id, entry] of entries) {
    if (ENGINE_RULE_IDS.includes(id)) throw new Error(`rule id '${id}' is reserved for the engine`);
    properties[id] = entry;
  }
  for (const id of ENGINE_RULE_IDS) {
    if (!rules.properties[id]) throw new Error(`${SCHEMA_PATH}: the engine's entry rules.${id} is missing`);
    properties[id] = rules.properties[id];
  }
  return { ...schema, properties: { ...schema.properties, rules: { ...rules, properties } } };
}

/** `schema` with its rule entries rebuilt from the rules' metadata, in the given (ALL_RULES) order. */
export function buildSchema(schema, metas) {
  return withRuleEntries(
    schema,
    metas.map((meta) => [meta.id, ruleEntry(meta)]),
  );
}

/**
 * `schema` with one more rule entry after the existing rules: what buildSchema gives once the rule
 * is appended to ALL_RULES. For scripts/new-rule.mjs, which cannot load the TypeScript rules.
 */
export function addRuleEntry(schema, meta) {
  const existing = Object.entries(schema.properties.rules.properties).filter(([id]) => !ENGINE_RULE_IDS.includes(id));
  if (existing.some(([id]) => id === meta.id)) throw new Error(`${SCHEMA_PATH} already has an entry for '${meta.id}'`);
  return withRuleEntries(schema, [...existing, [meta.id, ruleEntry(meta)]]);
}

/**
 * JSON with two-space indentation, objects and arrays kept on one line when they fit in `width`
 * columns (the hand-written schema's style); ends with a newline.
 */
export function formatSchema(value, width = 140) {
  const inline = (v) => {
    if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.map(inline).join(', ')}]`;
    if (v && typeof v === 'object') {
      const entries = Object.entries(v);
      return entries.length === 0 ? '{}' : `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`).join(', ')} }`;
    }
    return JSON.stringify(v);
  };
  const format = (v, indent, prefix) => {
    const flat = inline(v);
    if (!v || typeof v !== 'object' || indent.length + prefix.length + flat.length <= width || flat.length <= 2) return flat;
    const inner = `${indent}  `;
    if (Array.isArray(v)) return `[\n${v.map((x) => `${inner}${format(x, inner, '')}`).join(',\n')}\n${indent}]`;
    return `{\n${Object.entries(v)
      .map(([k, x]) => {
        const key = `${JSON.stringify(k)}: `;
        return `${inner}${key}${format(x, inner, key)}`;
      })
      .join(',\n')}\n${indent}}`;
  };
  return `${format(value, '', '')}\n`;
}

/** The schema file's text as `npm run schema` writes it, from the rules' metadata. */
export function schemaText(currentText, metas) {
  return formatSchema(buildSchema(JSON.parse(currentText), metas));
}

async function main(argv) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const check = argv.includes('--check');
  let rules;
  try {
    ({ ALL_RULES: rules } = await import(pathToFileURL(join(root, 'dist', 'rules', 'index.js')).href));
  } catch (error) {
    console.error(`build-schema: cannot load dist/rules/index.js (${error.message}); run 'npm run build' first, or 'npm run schema'`);
    return 2;
  }
  const file = join(root, SCHEMA_PATH);
  const current = readFileSync(file, 'utf8');
  const next = schemaText(current, rules.map((r) => r.meta));
  if (check) {
    if (next === current) return 0;
    console.error(`${SCHEMA_PATH} is out of date with the rules' metadata: run 'npm run schema'`);
    return 1;
  }
  if (next !== current) writeFileSync(file, next);
  console.log(`${SCHEMA_PATH}: ${next === current ? 'up to date' : 'regenerated'} (${rules.length} rules)`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
