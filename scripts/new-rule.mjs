#!/usr/bin/env node
// Scaffolds a rule: npm run new-rule -- ID [--root DIR]
//
// Writes rules/ID.ts (registered in rules/index.ts), docs/rules/ID.md, test/rules/ID.test.ts,
// test/fixtures/ID/{bad.c,good.c} and the rule's entry in schema/connlint.schema.json, then prints
// what is left to do. Every written file carries the text 'new-rule placeholder'; the completeness
// test (test/rules/completeness.test.ts) fails until the author has replaced it and added a sample
// and a README row, and the rule's own test fails until check() reports what bad.c expects.
// Plain Node, no dependencies. Exit 2 on an invalid or existing id.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addRuleEntry, ENGINE_RULE_IDS, formatSchema, SCHEMA_PATH } from './build-schema.mjs';

/** Also in test/completeness.ts (SCAFFOLD_MARKER). */
const MARKER = 'new-rule placeholder';
const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
/** Names under test/rules/ and test/fixtures/ that are not rules (test/completeness.ts NON_RULE_TESTS). */
const RESERVED = new Set([...ENGINE_RULE_IDS, 'completeness']);
const JS_RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await'.split(' '),
);
const DEFAULT_SEVERITY = 'warning';

const USAGE = 'usage: npm run new-rule -- RULE-ID [--root DIR]   (RULE-ID in kebab-case, e.g. listen-backlog-too-small)';

class UsageError extends Error {}

function camelCase(id) {
  const name = id.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
  return JS_RESERVED.has(name) ? `${name}Rule` : name;
}

function parseArgs(argv) {
  let id;
  let root = join(dirname(fileURLToPath(import.meta.url)), '..');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg === '--root') {
      if (i + 1 >= argv.length) throw new UsageError('--root needs a directory');
      root = resolve(argv[++i]);
    } else if (arg.startsWith('--root=')) root = resolve(arg.slice('--root='.length));
    else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
    else if (id === undefined) id = arg;
    else throw new UsageError(`one rule id at a time (got '${id}' and '${arg}')`);
  }
  if (id === undefined) throw new UsageError('missing the rule id');
  return { id, root };
}

/** rules/index.ts with the rule imported (after the last rule import) and appended to ALL_RULES. */
function registerRule(indexText, id, name) {
  const all = /(export const ALL_RULES\b[^=]*=\s*\[)([^\]]*)(\])/.exec(indexText);
  if (!all) throw new UsageError("rules/index.ts: cannot find 'export const ALL_RULES … = [ … ]'");
  const inner = all[2];
  const items = inner.includes('\n') ? `${inner.replace(/,?\s*$/, '')},\n  ${name},\n` : inner.trim() === '' ? name : `${inner.replace(/,?\s*$/, '')}, ${name}`;
  let text = indexText.slice(0, all.index) + all[1] + items + all[3] + indexText.slice(all.index + all[0].length);
  const imports = [...text.matchAll(/^import [^\n]* from '\.\/[^']+\.js';$/gm)];
  const line = `import { ${name} } from './${id}.js';`;
  if (imports.length === 0) {
    const first = text.search(/^import /m);
    text = first >= 0 ? `${text.slice(0, first)}${line}\n${text.slice(first)}` : `${line}\n${text}`;
  } else {
    const last = imports.at(-1);
    const at = last.index + last[0].length;
    text = `${text.slice(0, at)}\n${line}${text.slice(at)}`;
  }
  return text;
}

function ruleSource(id, name) {
  return `import type { Rule } from '../core/engine/rule.js';

/**
 * ${MARKER}: what ${id} finds, why it breaks a server (the incident it comes from), and how it
 * decides. See rules/fd-leak.ts and rules/accept-loop-early-exit.ts for the shape of a check.
 */
export const ${name}: Rule = {
  meta: {
    id: '${id}',
    title: '${MARKER}: a title in a few words',
    shortDescription: '${MARKER}: one sentence saying what the rule reports.',
    fullDescription: '${MARKER}: what the rule reports, why it is a bug and what to do instead.',
    defaultSeverity: '${DEFAULT_SEVERITY}',
    tags: ['reliability', 'network'],
    precision: 'medium',
    fixable: false,
  },
  check() {
    // ${MARKER}: find the bug in ctx.file (facts, syntax, ctx.cfg(functionIndex)) and call
    // ctx.report({ span, message, anchorText, related, path }) for each finding.
  },
};
`;
}

function docsSource(id) {
  return `# ${id}

<!-- ${MARKER}: fill in every section, then delete the placeholders (test/rules/completeness.test.ts looks for them). -->

**${MARKER}: title** · default severity: \`${DEFAULT_SEVERITY}\`

## What it does

${MARKER}: what ${id} reports, in a paragraph: the call, the path, the condition.

## Why

${MARKER}: what goes wrong at run time — the incident or the symptom users see.

## Example

\`\`\`c
/* ${MARKER}: the smallest code ${id} reports, the reported line marked */
\`\`\`

## Use instead

\`\`\`c
/* ${MARKER}: the same code, fixed */
\`\`\`

## Limits

${MARKER}: what it does not see and what it reports wrongly (pinned in test/fixtures/${id}/ with
\`expect-missing\` and \`expect-spurious\`, docs/testing-rules.md).

## How to silence

One finding: \`// connlint-disable-next-line ${id} -- reason\` on the line above it (or
\`// connlint-disable-line ${id}\` at its end). Everywhere: \`{ "rules": { "${id}": "off" } }\` in
connlint.json.
`;
}

function testSource(id) {
  return `import { describeRuleFixtures } from '../helpers.js';

/**
 * ${id}. Each fixture under test/fixtures/${id}/ states what the rule reports with \`// expect…\`
 * comments (docs/testing-rules.md); every other line there must stay silent.
 */
describeRuleFixtures('${id}', {
  'bad.c': '${MARKER}: what the reported cases have in common',
  'good.c': '${MARKER}: the shapes closest to the bug that are fine',
});
`;
}

function badFixture(id) {
  return `/* ${id}: ${MARKER}. Replace with the code the rule must report, each finding marked on
 * its line with an expectation comment stating severity, @column, "message fragment" and note:LINE
 * (docs/testing-rules.md). Until check() reports it, test/rules/${id}.test.ts fails. */

void reported(void) {
    int placeholder = 0; // expect: ${id} ${DEFAULT_SEVERITY}
}
`;
}

function goodFixture(id) {
  return `/* ${id}: ${MARKER}. Replace with the code the rule must stay silent on: the shapes
 * closest to the bug that are fine, each with a comment saying why. No annotation means no finding. */

void fine(void) {
}
`;
}

export function newRule(id, root) {
  if (!KEBAB.test(id)) throw new UsageError(`invalid rule id '${id}': use kebab-case (lowercase letters and digits, words joined by '-', starting with a letter)`);
  if (RESERVED.has(id)) throw new UsageError(`invalid rule id '${id}': the name is taken by the engine or the test suite`);
  const name = camelCase(id);
  const paths = {
    rule: join('rules', `${id}.ts`),
    docs: join('docs', 'rules', `${id}.md`),
    test: join('test', 'rules', `${id}.test.ts`),
    fixtures: join('test', 'fixtures', id),
  };
  const indexPath = join('rules', 'index.ts');
  for (const needed of [indexPath, SCHEMA_PATH]) if (!existsSync(join(root, needed))) throw new UsageError(`${join(root, needed)} not found: is ${root} a connlint checkout (--root)?`);
  const indexText = readFileSync(join(root, indexPath), 'utf8');
  const schema = JSON.parse(readFileSync(join(root, SCHEMA_PATH), 'utf8'));
  const taken = Object.values(paths).filter((p) => existsSync(join(root, p)));
  if (new RegExp(`'\\./${id}\\.js'`).test(indexText)) taken.push(`${indexPath} (imports ./${id}.js)`);
  if (schema.properties?.rules?.properties?.[id]) taken.push(`${SCHEMA_PATH} (rules.${id})`);
  if (taken.length > 0) throw new UsageError(`rule '${id}' already exists: ${taken.join(', ')}`);

  // Everything is computed before anything is written.
  const writes = [
    [paths.rule, ruleSource(id, name)],
    [indexPath, registerRule(indexText, id, name)],
    [paths.docs, docsSource(id)],
    [paths.test, testSource(id)],
    [join(paths.fixtures, 'bad.c'), badFixture(id)],
    [join(paths.fixtures, 'good.c'), goodFixture(id)],
    [SCHEMA_PATH, formatSchema(addRuleEntry(schema, { id, shortDescription: `${MARKER}: one sentence saying what the rule reports.` }))],
  ];
  for (const [path, text] of writes) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { paths, name };
}

function checklist(id, paths) {
  return `Created rule '${id}':
  ${paths.rule}   (registered in rules/index.ts)
  ${paths.docs}
  ${paths.test}
  ${paths.fixtures}/bad.c, good.c
  ${SCHEMA_PATH}   (rules.${id})

Still to do — test/rules/completeness.test.ts and test/rules/${id}.test.ts fail until it is done:
  [ ] check() and meta in ${paths.rule} (title, descriptions, severity, tags, precision; optionsSchema
      if the rule takes options), then 'npm run schema'
  [ ] fixtures: real cases in bad.c, every finding marked '// expect: ${id} SEVERITY @COLUMN "fragment"',
      the hard negatives in good.c, known limits as expect-missing / expect-spurious
  [ ] every section of ${paths.docs}
  [ ] a sample under samples/ that the rule reports, with its fixed version and a row in samples/README.md
  [ ] a row in README.md's rules table linking docs/rules/${id}.md
  [ ] replace every '${MARKER}' text
  [ ] npx tsc -p tsconfig.json && npx vitest run test/rules
See docs/testing-rules.md.
`;
}

function main(argv) {
  try {
    const args = parseArgs(argv);
    if (args.help) {
      console.log(USAGE);
      return 0;
    }
    const { paths } = newRule(args.id, args.root);
    console.log(checklist(args.id, paths));
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`new-rule: ${error.message}\n${USAGE}`);
    return 2;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) process.exitCode = main(process.argv.slice(2));
