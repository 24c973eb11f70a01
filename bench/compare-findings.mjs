#!/usr/bin/env node
// Compares two runs of connlint over the bench corpus, finding by finding.
//
//   node bench/compare-findings.mjs run BIN OUTDIR [PROJECT...]   # JSON of each project into OUTDIR
//   node bench/compare-findings.mjs diff BEFORE_DIR AFTER_DIR      # per-finding differences
//
// `run` analyses each bench/.cache project with `node BIN --format json --jobs 1 DIR` (BIN: a
// checkout's bin/connlint.js, e.g. a `git worktree` of the previous commit). `diff` compares every
// finding on rule, severity, location, message, related locations, path, fix and fingerprint, and
// prints the findings only one side has and the fields that changed; exit 1 when anything differs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const CACHE = resolve(import.meta.dirname, '.cache');
const [mode, a, b, ...rest] = process.argv.slice(2);

if (mode === 'run') {
  const projects = rest.length > 0 ? rest : readdirSync(CACHE).filter((d) => /-\d/.test(d) && existsSync(join(CACHE, d)));
  mkdirSync(b, { recursive: true });
  for (const project of projects) {
    let out;
    try {
      out = execFileSync(process.execPath, [resolve(a), '--format', 'json', '--jobs', '1', project], { cwd: CACHE, maxBuffer: 1 << 30, encoding: 'utf8' });
    } catch (error) {
      out = error.stdout; // exit 1: findings
    }
    writeFileSync(join(b, `${project}.json`), out);
    console.log(`${project}: ${JSON.parse(out).findings.length} findings`);
  }
} else if (mode === 'diff') {
  const files = readdirSync(a).filter((f) => f.endsWith('.json'));
  const key = (f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.fingerprint ?? ''}`;
  const FIELDS = ['severity', 'endLine', 'endColumn', 'message', 'function', 'related', 'path', 'fix', 'fingerprint'];
  let differences = 0;
  let total = 0;
  for (const file of files) {
    const before = JSON.parse(readFileSync(join(a, file), 'utf8')).findings;
    const afterPath = join(b, file);
    if (!existsSync(afterPath)) {
      console.log(`${file}: missing in ${b}`);
      differences++;
      continue;
    }
    const after = JSON.parse(readFileSync(afterPath, 'utf8')).findings;
    total += before.length;
    const byKey = new Map(after.map((f) => [key(f), f]));
    for (const f of before) {
      const g = byKey.get(key(f));
      if (!g) {
        console.log(`only before: ${key(f)} ${f.message}`);
        differences++;
        continue;
      }
      byKey.delete(key(f));
      for (const field of FIELDS) {
        if (JSON.stringify(f[field]) !== JSON.stringify(g[field])) {
          console.log(`changed ${field}: ${key(f)}\n  before: ${JSON.stringify(f[field])}\n  after:  ${JSON.stringify(g[field])}`);
          differences++;
        }
      }
    }
    for (const g of byKey.values()) {
      console.log(`only after: ${key(g)} ${g.message}`);
      differences++;
    }
  }
  console.log(`${total} findings before in ${files.length} projects; ${differences} differences`);
  process.exitCode = differences > 0 ? 1 : 0;
} else {
  console.error('usage: compare-findings.mjs run BIN OUTDIR [PROJECT...] | diff BEFORE_DIR AFTER_DIR');
  process.exitCode = 2;
}
