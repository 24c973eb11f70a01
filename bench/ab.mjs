#!/usr/bin/env node
// A/B: this checkout's connlint against another build (e.g. a `git worktree` of the previous
// commit, built with `npx tsc -p .`), with the parse-only floor, in one run.
//
//   node bench/ab.mjs OTHER_CHECKOUT [--repeat N] [--jobs N] [PROJECT...]
//
// For each project of bench/.cache (or those named), N rounds (default 3); each round runs
// parse-only, then the two builds in alternating order (`node BIN --format json --jobs J DIR`,
// default J = 1), so both see the same machine. Keeps the fastest wall and the least CPU (user +
// system, from GNU time) of each, and prints them with the ratios to parse-only and to each other.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CACHE = join(ROOT, 'bench', '.cache');
const args = process.argv.slice(2);
const other = resolve(args.shift() ?? '');
let repeat = 3;
let jobs = 1;
const projects = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--repeat') repeat = Number(args[++i]);
  else if (args[i] === '--jobs') jobs = Number(args[++i]);
  else projects.push(args[i]);
}
const dirs = projects.length > 0 ? projects : readdirSync(CACHE).filter((d) => /-\d/.test(d));

function timed(command) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', process.execPath, ...command], { cwd: CACHE, encoding: 'utf8', maxBuffer: 1 << 30 });
  const [wall, user, sys] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: user + sys };
}

const rows = [];
const total = { parse: { wall: 0, cpu: 0 }, a: { wall: 0, cpu: 0 }, b: { wall: 0, cpu: 0 } };
for (const dir of dirs) {
  const best = { parse: { wall: Infinity, cpu: Infinity }, a: { wall: Infinity, cpu: Infinity }, b: { wall: Infinity, cpu: Infinity } };
  const keep = (k, t) => {
    best[k].wall = Math.min(best[k].wall, t.wall);
    best[k].cpu = Math.min(best[k].cpu, t.cpu);
  };
  for (let round = 0; round < repeat; round++) {
    keep('parse', timed([join(ROOT, 'bench', 'parse-only.mjs'), '--jobs', String(jobs), dir]));
    const runs = [
      ['a', join(ROOT, 'bin', 'connlint.js')],
      ['b', join(other, 'bin', 'connlint.js')],
    ];
    if (round % 2 === 1) runs.reverse();
    for (const [k, bin] of runs) keep(k, timed([bin, '--format', 'json', '--jobs', String(jobs), dir]));
  }
  for (const k of ['parse', 'a', 'b']) {
    total[k].wall += best[k].wall;
    total[k].cpu += best[k].cpu;
  }
  rows.push([dir, best]);
}
rows.push(['**total**', total]);
console.log(`| project | parse wall s | this wall s | other wall s | this/parse | other/parse | this CPU s | other CPU s | this/other CPU |`);
console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
for (const [name, b] of rows) {
  const f = (x) => x.toFixed(2);
  console.log(`| ${name} | ${f(b.parse.wall)} | ${f(b.a.wall)} | ${f(b.b.wall)} | ${f(b.a.wall / b.parse.wall)}× | ${f(b.b.wall / b.parse.wall)}× | ${f(b.a.cpu)} | ${f(b.b.cpu)} | ${f(b.a.cpu / b.b.cpu)}× |`);
}
