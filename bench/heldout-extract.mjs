#!/usr/bin/env node
// Extracts one held-out set's projects (bench/heldout-sets.tsv) at their revisions into a folder:
// sources and build files, from local clones.
//
//   node bench/heldout-extract.mjs --set N --mirrors DIR --out FOLDER
//
// DIR holds a clone of each repository as DIR/<owner>+<name>[/repo] (as `fetch` leaves them); the
// project lands in FOLDER/<project>. Then, from FOLDER:
//   node bin/connlint.js --format json PROJECT > OUT/PROJECT.json
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { extractTree } from './git-tree.mjs';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const set = option('--set');
const mirrors = option('--mirrors');
const out = option('--out');
if (!set || !mirrors || !out) {
  console.error('usage: node bench/heldout-extract.mjs --set N --mirrors DIR --out FOLDER');
  process.exit(2);
}
const rows = readFileSync(join(import.meta.dirname, 'heldout-sets.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#') && !l.startsWith('set\t'))
  .map((l) => l.split('\t'))
  .filter(([s]) => s === set);
if (rows.length === 0) {
  console.error(`no projects for set ${set} in bench/heldout-sets.tsv`);
  process.exit(2);
}
let failed = 0;
for (const [, project, source, revision] of rows) {
  const repo = source.replace(/^github:/, '').replace(/^https:\/\/github\.com\//, '').replace(/\.git$/, '');
  const gitDir = [join(mirrors, repo.replace('/', '+'), 'repo', '.git'), join(mirrors, repo.replace('/', '+'), 'repo'), join(mirrors, repo.replace('/', '+'))].find((d) => existsSync(d));
  if (!gitDir) {
    console.error(`${project}: no clone of ${repo} under ${mirrors}`);
    failed++;
    continue;
  }
  const written = extractTree(resolve(gitDir), revision, join(out, project));
  console.log(`${project}\t${repo}\t${revision.slice(0, 12)}\t${written} files`);
}
process.exit(failed > 0 ? 1 : 0);
