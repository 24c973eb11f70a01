#!/usr/bin/env node
// fd-leak precision corpus: reruns the rule over the Debian source packages in bench/.cache/ and
// prints the number of files, fd-leak findings and wall time per project (docs/precision.md holds
// the triage of these findings). Build first (`npx tsc -p .`), then:
//
//   node bench/precision.mjs [--jobs N] [PROJECT...]      (PROJECT: nginx, redis, ... ; default: all)
//
// Vendored third-party code and Debian packaging are excluded (EXCLUDE below). Each project's full
// JSON report is written to bench/.cache/results/NAME.fd-leak.json for triage.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const CACHE = join(ROOT, 'bench/.cache');
const RESULTS = join(CACHE, 'results');

// Top-level entries not analysed: Debian packaging everywhere, plus vendored libraries.
const EXCLUDE = {
  '*': ['debian'],
  redis: ['deps'], //           hiredis, jemalloc, lua, linenoise, hdr_histogram
  memcached: ['vendor'], //     lua, mcmc
  mosquitto: ['deps'], //       uthash.h, utlist.h
};

const args = process.argv.slice(2);
let jobs;
const wanted = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--jobs' || args[i] === '-j') jobs = args[++i];
  else wanted.push(args[i]);
}

const projects = readdirSync(CACHE, { withFileTypes: true })
  .filter((d) => d.isDirectory() && /-\d/.test(d.name))
  .map((d) => d.name)
  .filter((d) => wanted.length === 0 || wanted.some((w) => d.startsWith(`${w}-`) || d === w))
  .sort();
if (projects.length === 0) throw new Error('no project in bench/.cache/ (run bench/fetch-corpus.sh)');
mkdirSync(RESULTS, { recursive: true });

const rows = [];
for (const dir of projects) {
  const name = dir.replace(/-\d.*$/, '');
  const excluded = [...EXCLUDE['*'], ...(EXCLUDE[name] ?? [])];
  const paths = readdirSync(join(CACHE, dir))
    .filter((e) => !excluded.includes(e) && !e.startsWith('.'))
    .map((e) => relative(ROOT, join(CACHE, dir, e)));
  const cli = ['bin/connlint.js', '--rule', 'accept-loop-early-exit=off', '--rule', 'et-accept-not-drained=off', '--format', 'json'];
  if (jobs) cli.push('--jobs', String(jobs));
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...cli, ...paths], { cwd: ROOT, maxBuffer: 1 << 30, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    process.stderr.write(`precision: ${dir}: no JSON (exit ${r.status})\n${r.stderr}\n`);
    continue;
  }
  writeFileSync(join(RESULTS, `${dir}.fd-leak.json`), r.stdout);
  const findings = report.findings.filter((f) => f.rule === 'fd-leak');
  const errors = report.problems.filter((p) => p.level === 'error').length;
  rows.push({ dir, files: report.summary.files, findings: findings.length, seconds, errors, excluded });
  process.stderr.write(`precision: ${dir}: ${findings.length} findings, ${report.summary.files} files, ${seconds.toFixed(1)} s\n`);
}

const lines = ['| project | files | fd-leak findings | wall s | internal errors | excluded |', '|---|--:|--:|--:|--:|---|'];
for (const r of rows) lines.push(`| ${r.dir} | ${r.files} | ${r.findings} | ${r.seconds.toFixed(1)} | ${r.errors} | ${r.excluded.join(', ')} |`);
const total = rows.reduce((t, r) => ({ files: t.files + r.files, findings: t.findings + r.findings, seconds: t.seconds + r.seconds }), { files: 0, findings: 0, seconds: 0 });
lines.push(`| **total** | ${total.files} | ${total.findings} | ${total.seconds.toFixed(1)} | | |`);
console.log(lines.join('\n'));
if (existsSync(RESULTS)) process.stderr.write(`precision: reports in ${relative(ROOT, RESULTS)}/NAME.fd-leak.json\n`);
