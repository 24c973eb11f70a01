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
//   npm run fuzz -- --iterations 2000 --seed 7 [--cli-every 50] [--max-ms 10000] [--out DIR]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { analyzeSources } = await import(join(ROOT, 'dist/core/engine/session.js'));
const { ALL_RULES } = await import(join(ROOT, 'dist/rules/index.js'));
const { emptyConfig } = await import(join(ROOT, 'dist/core/engine/config.js'));

const options = { iterations: 1000, seed: 1, cliEvery: 50, maxMs: 10_000, out: join(ROOT, 'bench/.cache/fuzz-failures') };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const value = () => args[++i];
  if (args[i] === '--iterations') options.iterations = Number(value());
  else if (args[i] === '--seed') options.seed = Number(value());
  else if (args[i] === '--cli-every') options.cliEvery = Number(value());
  else if (args[i] === '--max-ms') options.maxMs = Number(value());
  else if (args[i] === '--out') options.out = value();
  else {
    console.error(`fuzz: unknown argument ${args[i]}`);
    process.exit(2);
  }
}

/** mulberry32: small, seeded, good enough to pick mutations. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = generator(options.seed);
const pick = (list) => list[Math.floor(random() * list.length)];
const int = (n) => Math.floor(random() * n);

const corpus = [];
const collect = (dir) => {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path);
    else if (['.c', '.h', '.cpp', '.cc', '.hpp'].includes(extname(entry))) corpus.push({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') });
  }
};
collect(join(ROOT, 'samples'));
collect(join(ROOT, 'test/fixtures'));

const TOKEN = /[A-Za-z_]\w*|\d+|\S/g;
const tokens = (text) => [...text.matchAll(TOKEN)].map((m) => [m.index, m.index + m[0].length]);
const PREPROCESSOR = ['#if 0\n', '#endif\n', '#else\n', '#ifdef X\n', '#define CHECK(x) if (!(x)) return -1\n', '#include "x.h"\n', '#if V == 1\n', '#elif\n'];

const MUTATIONS = {
  flip: (t) => {
    const at = int(t.length);
    return t.slice(0, at) + String.fromCharCode(32 + int(95)) + t.slice(at + 1);
  },
  deleteToken: (t) => {
    const all = tokens(t);
    if (all.length === 0) return t;
    const [s, e] = pick(all);
    return t.slice(0, s) + t.slice(e);
  },
  duplicateToken: (t) => {
    const all = tokens(t);
    if (all.length === 0) return t;
    const [s, e] = pick(all);
    return t.slice(0, e) + t.slice(s, e) + t.slice(e);
  },
  swapTokens: (t) => {
    const all = tokens(t);
    if (all.length < 2) return t;
    let [a, b] = [pick(all), pick(all)];
    if (a[0] > b[0]) [a, b] = [b, a];
    if (a[1] > b[0]) return t;
    return t.slice(0, a[0]) + t.slice(b[0], b[1]) + t.slice(a[1], b[0]) + t.slice(a[0], a[1]) + t.slice(b[1]);
  },
  splice: (t) => {
    const other = pick(corpus).text;
    return t.slice(0, int(t.length)) + other.slice(int(other.length));
  },
  truncate: (t) => t.slice(0, int(t.length + 1)),
  deepNesting: (t) => {
    const at = int(t.length);
    const depth = 50 + int(3000);
    return t.slice(0, at) + pick(['(', '{', 'f(', 'if (x) {', '[']).repeat(depth) + t.slice(at);
  },
  preprocessorLine: (t) => {
    const lines = t.split('\n');
    lines.splice(int(lines.length + 1), 0, pick(PREPROCESSOR).trimEnd());
    return lines.join('\n');
  },
  lineEnds: (t) => t.replace(/\r?\n/g, pick(['\r', '\r\n', '\n\r', '\n'])),
  longLine: (t) => {
    const at = int(t.length);
    return `${t.slice(0, at)} ${'x + '.repeat(2000 + int(20000))}1 ${t.slice(at)}`;
  },
  hugeIdentifier: (t) => {
    const all = tokens(t).filter(([s, e]) => /^[A-Za-z_]/.test(t.slice(s, e)));
    if (all.length === 0) return t;
    const name = t.slice(...pick(all));
    return t.split(name).join(name + 'q'.repeat(500 + int(3000)));
  },
  nonAscii: (t) => {
    const at = int(t.length);
    return t.slice(0, at) + pick(['é', '😀', '\u2028', '\ufeff', '\u00a0', '\uFFFD']) + t.slice(at);
  },
};
const NAMES = Object.keys(MUTATIONS);

function mutate(text) {
  let out = text;
  const applied = [];
  for (let n = 1 + int(3); n > 0; n--) {
    const name = pick(NAMES);
    out = MUTATIONS[name](out);
    applied.push(name);
  }
  return { text: out, applied };
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

function cliChecks(name, text) {
  const dir = mkdtempSync(join(tmpdir(), 'connlint-fuzz-'));
  try {
    writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, 'other.c'), corpus[0].text);
    const file = cli(['--format', 'json', '--no-project-index', name], dir);
    if (![0, 1].includes(file.code)) return `CLI exit ${file.code}: ${file.stderr.slice(0, 300)}`;
    if (/\n\s+at .*:\d+:\d+\)/.test(file.stderr)) return `stack trace: ${file.stderr.slice(0, 300)}`;
    const stdin = cli(['--format', 'json', '--no-project-index', '--stdin', '--stdin-filename', name], dir, text);
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

let failures = 0;
let slowest = { ms: 0, what: '' };
const started = Date.now();
for (let i = 1; i <= options.iterations; i++) {
  const base = pick(corpus);
  const { text, applied } = mutate(base.text);
  const name = `mutant${extname(base.path)}`;
  const what = `#${i} ${base.path} (${applied.join(', ')})`;
  let problem;
  try {
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
    if (!problem && options.cliEvery > 0 && i % options.cliEvery === 0) problem = cliChecks(name, text);
  } catch (error) {
    problem = `exception: ${error?.stack?.split('\n').slice(0, 4).join(' | ') ?? error}`;
  }
  if (problem) {
    failures++;
    mkdirSync(options.out, { recursive: true });
    const file = join(options.out, `seed${options.seed}-${i}${extname(base.path)}`);
    writeFileSync(file, text);
    writeFileSync(`${file}.txt`, `${what}\n${problem}\n`);
    console.log(`FAIL ${what}: ${problem} -> ${relative(process.cwd(), file)}`);
  }
  if (i % 200 === 0) console.log(`${i} mutants, ${failures} failures, ${Math.round((Date.now() - started) / 1000)} s`);
}
console.log(`fuzz: seed ${options.seed}, ${options.iterations} mutants, ${failures} failures; slowest ${Math.round(slowest.ms)} ms (${slowest.what})`);
process.exit(failures === 0 ? 0 : 1);
