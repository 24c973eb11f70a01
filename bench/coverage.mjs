#!/usr/bin/env node
// How much of each project's code the rules see (the preprocessor issue's measure): function
// bodies analysed whole, with regions skipped for syntax errors (`#if` splitting a statement,
// block macros), skipped entirely, and not recognised as functions at all. Runs `connlint --debug --jobs 1` per project of bench/.cache
// (or those named) and reads its summary line.
//
//   node bench/coverage.mjs [PROJECT...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const CACHE = resolve(import.meta.dirname, '.cache');
const BIN = resolve(import.meta.dirname, '..', 'bin', 'connlint.js');
const projects = process.argv.length > 2 ? process.argv.slice(2) : readdirSync(CACHE).filter((d) => /-\d/.test(d));
const total = { functions: 0, whole: 0, recovered: 0, regions: 0, skipped: 0, lost: 0 };
console.log('| project | function bodies | analysed whole | of them through a configuration-resolved copy | with skipped regions | skipped entirely | not recognised by the grammar |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
const row = (name, c) => console.log(`| ${name} | ${c.functions} | ${c.whole} (${((100 * c.whole) / c.functions).toFixed(1)} %) | ${c.recovered} | ${c.regions} | ${c.skipped} | ${c.lost} |`);
for (const project of projects) {
  const r = spawnSync(process.execPath, [BIN, '--debug', '--jobs', '1', '--format', 'json', join(CACHE, project)], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const m = /(\d+) function bodies: (\d+) \([^)]*\) analysed whole \((\d+) of them[^)]*\), (\d+) with regions skipped for syntax errors, (\d+) skipped \(mostly syntax errors\), (\d+) not recognised/.exec(r.stderr);
  if (!m) {
    console.log(`| ${project} | no summary (exit ${r.status}) | | | |`);
    continue;
  }
  const c = { functions: +m[1], whole: +m[2], recovered: +m[3], regions: +m[4], skipped: +m[5], lost: +m[6] };
  for (const k of Object.keys(total)) total[k] += c[k];
  row(project, c);
}
row('**total**', total);
