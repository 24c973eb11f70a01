#!/usr/bin/env node
// Parse-only baseline: what tree-sitter alone costs on the files connlint would analyse.
//
// Usage: node bench/parse-only.mjs [--jobs N] DIR...
//
// Takes the same files as `connlint DIR` (its discovery: extensions, .gitignore, config ignores),
// decodes them the same way and parses them with the same parser setup (dist/core/parser.js), but
// extracts no facts and runs no rules. With --jobs N (default 1) the files are split among N
// worker threads by size, largest first, as connlint's pool does (and, like it, in this thread
// when there is under 2 MiB of input). Needs `npx tsc -p .` first.
// Prints one JSON object: files, lines (physical lines), bytes, parse seconds, files with syntax errors.
import { readFileSync, statSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { discoverFiles } from '../dist/core/engine/discover.js';
import { ConfigResolver } from '../dist/core/engine/config.js';
import { detectLanguage } from '../dist/core/syntax/language.js';
import { ParseTimeoutError, parseText } from '../dist/core/syntax/parser.js';
import { decodeSource } from '../dist/core/syntax/source-text.js';

/** Parses files one after the other; returns totals. */
function parseAll(paths) {
  const totals = { files: 0, lines: 0, bytes: 0, skipped: 0, syntaxErrorFiles: 0 };
  for (const path of paths) {
    const bytes = readFileSync(path);
    const decoded = decodeSource(bytes);
    if (!decoded.ok) {
      totals.skipped++;
      continue;
    }
    let tree;
    try {
      tree = parseText(detectLanguage(path, decoded.text), decoded.text);
    } catch (error) {
      // connlint skips such a file the same way (its parse time budget), after the same wait.
      if (!(error instanceof ParseTimeoutError)) throw error;
      totals.skipped++;
      continue;
    }
    totals.files++;
    totals.bytes += bytes.length;
    totals.lines += countLines(decoded.text);
    if (tree.rootNode.hasError) totals.syntaxErrorFiles++;
  }
  return totals;
}

function countLines(text) {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.length > 0 && !text.endsWith('\n') ? n + 1 : n;
}

/** cli/pool.ts IN_PROCESS_BYTES: below this much input connlint starts no threads. */
const IN_PROCESS_BYTES = 2 * 1024 * 1024;

/** Largest file first onto the least-loaded share, like cli/pool.ts. */
function split(paths, count) {
  const shares = Array.from({ length: count }, () => []);
  const loads = new Array(count).fill(0);
  const sized = paths.map((p) => [p, statSync(p).size]).sort((a, b) => b[1] - a[1]);
  for (const [path, size] of sized) {
    const w = loads.indexOf(Math.min(...loads));
    shares[w].push(path);
    loads[w] += size + 1;
  }
  return shares;
}

function inWorker(paths) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: paths });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function main(argv) {
  let jobs = 1;
  const dirs = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--jobs' || argv[i] === '-j') jobs = Number(argv[++i]);
    else dirs.push(argv[i]);
  }
  if (dirs.length === 0 || !(jobs >= 1)) {
    console.error('usage: node bench/parse-only.mjs [--jobs N] DIR...');
    process.exit(2);
  }
  const cwd = process.cwd();
  const { files } = discoverFiles(dirs, cwd, new ConfigResolver(undefined, cwd));
  const started = performance.now();
  const total = files.reduce((sum, f) => sum + statSync(f).size, 0);
  const threads = jobs > 1 && files.length > 1 && total >= IN_PROCESS_BYTES;
  const parts = threads ? await Promise.all(split(files, Math.min(jobs, files.length)).map(inWorker)) : [parseAll(files)];
  const seconds = (performance.now() - started) / 1000;
  const totals = { files: 0, lines: 0, bytes: 0, skipped: 0, syntaxErrorFiles: 0 };
  for (const part of parts) for (const key of Object.keys(totals)) totals[key] += part[key];
  console.log(JSON.stringify({ jobs, ...totals, parseSeconds: Number(seconds.toFixed(3)) }));
}

if (isMainThread) await main(process.argv.slice(2));
else parentPort.postMessage(parseAll(workerData));
