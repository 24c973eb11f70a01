#!/usr/bin/env node
// What "index the whole project, report on some files" costs on pre-commit-sized runs.
//
//   node bench/subset-run.mjs [--repeat N] ROOT FILE...
//
// ROOT is a project root (a git work tree or a folder with connlint.json), FILE... the files a
// pre-commit hook would pass (relative to ROOT). Runs `connlint FILE...` from ROOT with and without
// --no-project-index, and `connlint .` for reference, N times each (default 3, fastest kept), and
// prints wall and CPU seconds, peak RSS, how many files were indexed, and whether the findings in
// the named files equal those of the whole-project run (they should with the index).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const argv = process.argv.slice(2);
let repeat = 3;
if (argv[0] === '--repeat') {
  repeat = Number(argv[1]);
  argv.splice(0, 2);
}
const [root, ...files] = argv;
if (!root || files.length === 0) {
  console.error('usage: subset-run.mjs [--repeat N] ROOT FILE...');
  process.exit(2);
}
const BIN = resolve(import.meta.dirname, '..', 'bin', 'connlint.js');

function run(args) {
  let best;
  for (let i = 0; i < repeat; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, BIN, '--format', 'json', '--debug', ...args], { cwd: resolve(root), encoding: 'utf8', maxBuffer: 1 << 30 });
    const timing = r.stderr.trim().split('\n').pop().split(' ').map(Number);
    const indexed = /indexing (\d+) more files/.exec(r.stderr)?.[1] ?? '0';
    const result = { wall: timing[0], cpu: timing[1] + timing[2], rssMb: timing[3] / 1024, indexed: Number(indexed), findings: JSON.parse(r.stdout).findings };
    if (!best || result.wall < best.wall) best = result;
  }
  return best;
}

const key = (f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.message}`;
const whole = run(['.']);
const named = new Set(files.map((f) => resolve(root, f)));
const expected = whole.findings.filter((f) => named.has(resolve(root, f.file))).map(key).sort();
console.log(`| run | wall s | CPU s | peak RSS MB | files indexed besides the named ones | findings in the named files | same as the whole-project run |`);
console.log(`| --- | ---: | ---: | ---: | ---: | ---: | --- |`);
for (const [label, args] of [
  ['named files, project indexed (default)', files],
  ['named files, --no-project-index', ['--no-project-index', ...files]],
  ['whole project (`connlint .`)', ['.']],
]) {
  const r = run(args);
  const got = r.findings.filter((f) => named.has(resolve(root, f.file))).map(key).sort();
  console.log(`| ${label} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(2)} | ${r.rssMb.toFixed(0)} | ${r.indexed} | ${got.length} | ${JSON.stringify(got) === JSON.stringify(expected) ? 'yes' : 'no'} |`);
}
