#!/usr/bin/env node
// Recall on fixed bugs from public history: descriptor leaks (bench/recall-cases.tsv, the
// default) and accept loops that strand an edge-triggered backlog (bench/accept-recall-cases.tsv).
//
//   node bench/recall.mjs [--cases TSV] [--bin PATH] [--mirrors DIR] [CASE...]
//
// For each case: clones the repository into bench/.cache/recall/<owner>+<name> (once; needs the
// network; `--mirrors DIR` uses existing clones instead, DIR/<owner>+<name>[/repo]), checks out the parent of the fix commit and the fix commit into worktrees, runs
// `node BIN --format json FILE` inside each (the project around the file is indexed), and counts
// the findings of the case's rules in the function (naming the variable, unless it is `-`). A case
// is found when the parent has one; the fix commit should have none. Prints a table and the totals.
// Columns: repository, fix commit, file, function, variable, and optionally the rules (comma-
// separated; fd-leak when absent).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { extractTree } from './git-tree.mjs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CACHE = join(ROOT, 'bench', '.cache', 'recall');
const args = process.argv.slice(2);
let bin = join(ROOT, 'bin', 'connlint.js');
let mirrors;
let casesFile = join(ROOT, 'bench', 'recall-cases.tsv');
const only = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--bin') bin = resolve(args[++i]);
  else if (args[i] === '--cases') casesFile = resolve(args[++i]);
  else if (args[i] === '--mirrors') mirrors = resolve(args[++i]);
  else only.push(args[i]);
}
const cases = readFileSync(casesFile, 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => {
    const [repo, sha, file, fn, variable, rules] = l.split('\t');
    return { repo, sha, file, fn, variable, rules: (rules || 'fd-leak').split(',') };
  })
  .filter((c) => only.length === 0 || only.some((o) => c.repo.includes(o)));

mkdirSync(CACHE, { recursive: true });
const git = (gitDir, ...a) => execFileSync('git', [`--git-dir=${gitDir}`, ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function gitDirOf(c) {
  const name = c.repo.replace('/', '+');
  if (mirrors) {
    for (const candidate of [join(mirrors, name, 'repo', '.git'), join(mirrors, name, 'repo'), join(mirrors, name)]) if (existsSync(join(candidate, 'HEAD'))) return candidate;
    throw new Error(`no clone of ${c.repo} under ${mirrors}`);
  }
  const clone = join(CACHE, name);
  if (!existsSync(clone)) execFileSync('git', ['clone', '--quiet', '--bare', `https://github.com/${c.repo}.git`, clone], { stdio: 'inherit' });
  return clone;
}

/** The tree at `rev` (sources and build files), extracted once (a project root of its own, so connlint indexes only it). */
function checkout(c, rev, label) {
  const dir = join(CACHE, 'trees', `${c.repo.replace('/', '+')}-${c.sha.slice(0, 9)}-${label}-b`);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    extractTree(gitDirOf(c), rev, dir);
    execFileSync('git', ['init', '--quiet', dir]);
  }
  return dir;
}

function hits(dir, c) {
  const r = spawnSync(process.execPath, [bin, '--format', 'json', c.file], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600_000 });
  const findings = JSON.parse(r.stdout || '{"findings":[]}').findings;
  return findings.filter((f) => c.rules.includes(f.rule) && (c.variable === '-' || f.message.includes(`'${c.variable}'`)) && (f.function ?? '').includes(c.fn)).map((f) => f.line);
}

let found = 0;
let flagged = 0;
for (const c of cases) {
  const before = hits(checkout(c, `${c.sha}^`, 'before'), c);
  const after = hits(checkout(c, c.sha, 'after'), c);
  if (before.length > 0) found++;
  if (after.length > 0) flagged++;
  console.log(`${c.repo.padEnd(32)} ${c.fn.padEnd(28)} ${c.variable.padEnd(14)} parent: ${before.length > 0 ? `found (lines ${before.join(', ')})` : 'missed'}  fix: ${after.length > 0 ? `flagged (lines ${after.join(', ')})` : 'silent'}`);
}
console.log(`\n${found} of ${cases.length} fixed ${casesFile.endsWith('recall-cases.tsv') && !casesFile.includes('accept') ? 'leaks' : 'bugs'} found; ${flagged} of ${cases.length} fix commits flagged`);
