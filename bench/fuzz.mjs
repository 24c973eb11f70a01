#!/usr/bin/env node
// Mutation fuzzing of the analysis (issue 21). Mutates the C/C++ files of samples/ and
// test/fixtures/ with a seeded generator and checks, for every mutant:
//   - no exception escapes the engine;
//   - a work bound: no mutant takes longer than --max-ms (a fuzz finding, not a unit test);
//   - every location of every finding lies inside the mutant's text;
//   - the same findings twice, and with the mutant analysed before or after another file;
// and every --cli-every mutants, through the CLI: --stdin gives what file mode gives, --jobs 2
// gives what --jobs 1 gives (byte for byte), SARIF parses and names only rules it defines.
// Each failure is written to --out (default bench/.cache/fuzz-failures/) as the mutant and what
// failed, to become a minimized regression test. Needs the build (npm run build).
//
//   npm run fuzz -- --iterations 2000 --seed 7 [--cli-every 50] [--max-ms 10000] [--out DIR] [--lsp]
//
// --lsp: the language server instead (bench/fuzz-lsp.mjs): --iterations documents, each opened,
// edited at random with invalid messages mixed in, and its diagnostics compared with the CLI's.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { analyzeSources } = await import(join(ROOT, 'dist/core/engine/session.js'));
const { ALL_RULES } = await import(join(ROOT, 'dist/rules/index.js'));
const { emptyConfig } = await import(join(ROOT, 'dist/core/engine/config.js'));
const { decodeSource } = await import(join(ROOT, 'dist/core/syntax/source-text.js'));
const { fuzzInputs } = await import('./fuzz-inputs.mjs');

const options = { iterations: 1000, seed: 1, cliEvery: 50, maxMs: 10_000, out: join(ROOT, 'bench/.cache/fuzz-failures') };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const value = () => args[++i];
  if (args[i] === '--iterations') options.iterations = Number(value());
  else if (args[i] === '--seed') options.seed = Number(value());
  else if (args[i] === '--cli-every') options.cliEvery = Number(value());
  else if (args[i] === '--max-ms') options.maxMs = Number(value());
  else if (args[i] === '--out') options.out = value();
  else if (args[i] === '--lsp') options.lsp = true;
  else {
    console.error(`fuzz: unknown argument ${args[i]}`);
    process.exit(2);
  }
}

const inputs = fuzzInputs(ROOT, options.seed);
const { pick, corpus, mutate } = inputs;

if (options.lsp) {
  const { fuzzLsp } = await import('./fuzz-lsp.mjs');
  process.exit((await fuzzLsp(ROOT, options, inputs)) === 0 ? 0 : 1);
}

const config = emptyConfig(ROOT);
const analyse = (sources) => analyzeSources(sources, { rules: ALL_RULES, config });
const stable = (findings) => JSON.stringify(findings.map(({ fingerprint, ...f }) => f));

function outsideText(findings, text, path) {
  const lines = text.split(/\r\n|\r|\n/);
  const inside = (line, column) => line >= 1 && (line < lines.length || (line === lines.length && column <= lines[line - 1].length + 1)) && column >= 1;
  for (const f of findings) {
    const places = [f.location, ...f.related.map((r) => r.location), ...(f.path ?? []).map((s) => s.location)].filter((l) => l.file === path);
    for (const l of places) if (!inside(l.line, l.column) || !inside(l.endLine, l.endColumn)) return `${f.ruleId} at ${JSON.stringify(l)}`;
  }
  return undefined;
}

function cli(argv, cwd, input) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/connlint.js'), ...argv], { cwd, input, encoding: 'utf8', timeout: options.maxMs * 3, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cliChecks(name, bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'connlint-fuzz-'));
  try {
    writeFileSync(join(dir, name), bytes);
    writeFileSync(join(dir, 'other.c'), corpus[0].text);
    const file = cli(['--format', 'json', '--no-project-index', name], dir);
    if (![0, 1].includes(file.code)) return `CLI exit ${file.code}: ${file.stderr.slice(0, 300)}`;
    if (/\n\s+at .*:\d+:\d+\)/.test(file.stderr)) return `stack trace: ${file.stderr.slice(0, 300)}`;
    const stdin = cli(['--format', 'json', '--no-project-index', '--stdin', '--stdin-filename', name], dir, bytes);
    const drop = (out) => JSON.stringify({ ...JSON.parse(out), problems: undefined });
    if (drop(stdin.stdout) !== drop(file.stdout)) return '--stdin differs from file mode';
    const one = cli(['--format', 'sarif', '--jobs', '1', name, 'other.c'], dir);
    const two = cli(['--format', 'sarif', '--jobs', '2', 'other.c', name], dir);
    if (one.stdout !== two.stdout) return '--jobs 2 (other order) differs from --jobs 1';
    const sarif = JSON.parse(one.stdout);
    const defined = new Set(sarif.runs[0].tool.driver.rules.map((r) => r.id));
    if (sarif.version !== '2.1.0' || sarif.runs[0].results.some((r) => !defined.has(r.ruleId))) return 'SARIF names a rule it does not define';
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

class SkipInProcess extends Error {}

let failures = 0;
let slowest = { ms: 0, what: '' };
const started = Date.now();
for (let i = 1; i <= options.iterations; i++) {
  // node-tree-sitter frees dead trees only when the event loop turns: without a turn the process
  // grew to 23 GB over 11,000 mutants of a long run (issue 20's memory note).
  if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
  const base = pick(corpus);
  const { bytes, applied } = mutate(base.text);
  const name = `mutant${extname(base.path)}`;
  const what = `#${i} ${base.path} (${applied.join(', ')})`;
  // Analysed as the CLI reads a file: a binary one (a NUL) only through the CLI checks.
  const decoded = decodeSource(bytes);
  const text = decoded.ok ? decoded.text : undefined;
  let problem;
  try {
    if (text === undefined) {
      if (options.cliEvery > 0 && i % options.cliEvery === 0) problem = cliChecks(name, bytes);
      throw new SkipInProcess();
    }
    const t0 = performance.now();
    const first = analyse([{ path: name, text }]);
    const ms = performance.now() - t0;
    if (ms > slowest.ms) slowest = { ms, what };
    if (ms > options.maxMs) problem = `took ${Math.round(ms)} ms (bound ${options.maxMs})`;
    problem ??= outsideText(first, text, name);
    const again = analyse([{ path: name, text }]);
    if (!problem && stable(again) !== stable(first)) problem = 'a second run differs';
    if (!problem) {
      const other = corpus[(i * 7) % corpus.length];
      const before = analyse([{ path: name, text }, { path: `other-${other.path.replace(/\//g, '_')}`, text: other.text }]).filter((f) => f.location.file === name);
      const after = analyse([{ path: `other-${other.path.replace(/\//g, '_')}`, text: other.text }, { path: name, text }]).filter((f) => f.location.file === name);
      if (stable(before) !== stable(after)) problem = 'findings depend on the order of files';
    }
    if (!problem && options.cliEvery > 0 && i % options.cliEvery === 0) problem = cliChecks(name, bytes);
  } catch (error) {
    if (!(error instanceof SkipInProcess)) problem = `exception: ${error?.stack?.split('\n').slice(0, 4).join(' | ') ?? error}`;
  }
  if (problem) {
    failures++;
    mkdirSync(options.out, { recursive: true });
    const file = join(options.out, `seed${options.seed}-${i}${extname(base.path)}`);
    writeFileSync(file, bytes);
    writeFileSync(`${file}.txt`, `${what}\n${problem}\n`);
    console.log(`FAIL ${what}: ${problem} -> ${relative(process.cwd(), file)}`);
  }
  if (i % 200 === 0) console.log(`${i} mutants, ${failures} failures, ${Math.round((Date.now() - started) / 1000)} s`);
}
console.log(`fuzz: seed ${options.seed}, ${options.iterations} mutants, ${failures} failures; slowest ${Math.round(slowest.ms)} ms (${slowest.what})`);
process.exit(failures === 0 ? 0 : 1);
