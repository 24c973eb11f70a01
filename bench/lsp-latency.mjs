#!/usr/bin/env node
// LSP latency benchmark: time from textDocument/didChange to the textDocument/publishDiagnostics
// for that version, for one-line edits in a 5,000-line and a 20,000-line C file, and the server's
// resident memory over 10,000 edits. Runs the built server (`node bin/connlint-lsp.js --stdio`),
// so build first (`npx tsc -p .`). No network.
//
//   node bench/lsp-latency.mjs [--edits N] [--warmup N] [--memory-edits N] [--sizes 5000,20000] [--kinds body,'new call'] [--trace FILE]
//
// --trace FILE: the server runs with connlint.trace.server = verbose and its log lines (one per
// check: time, full or incremental, functions analysed) go to FILE, to explain the slow edits.
//
// Input: real code from the bench corpus (bench/fetch-corpus.sh → bench/.cache): memcached.c cut
// to 5,000 lines, redis module.c + cluster.c cut to 20,000 lines (at a function boundary), each
// edited in a workspace holding the rest of its project's sources (memcached: 144 files, redis
// src/: 166), indexed before the first edit. Without the corpus, generated C of the same size
// (accept loops, epoll registrations, error paths), alone in its workspace.
// Edits (each waits for its publish before the next): insert a statement line inside a function
// body, then delete it again, at pseudo-random lines (fixed seed). Two kinds:
//   body      `    lsp_bench_counter++;`   — facts other functions use are unchanged (the common case)
//   new call  `    (void)close(-1);`       — adds a call: the whole file is re-analysed by design
// Memory: VmRSS of the server process (Linux /proc) every 100 body edits on the 5,000-line file, reported
// per 1,000 edits: the last, lowest and highest sample; growth is measured on the lowest (the floor of
// the sawtooth collections make).
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const CACHE = join(ROOT, 'bench', '.cache');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const EDITS = option('--edits', 200);
// Edits made before the measured ones (not measured): the server's code is compiled by then, as in
// an editing session that has been going for a minute. Other lines than the measured edits'.
const WARMUP = option('--warmup', 40);
const TRACE_FILE = args.includes('--trace') ? args[args.indexOf('--trace') + 1] : undefined;
const MEMORY_EDITS = option('--memory-edits', 10_000);

/** The first `lines` lines of the given files, ending at a line that closes a top-level block. */
function realCode(files, lines) {
  const all = files.map((f) => readFileSync(f, 'latin1')).join('\n').split('\n');
  let end = Math.min(lines, all.length);
  while (end > 0 && all[end - 1] !== '}') end--;
  return { text: `${all.slice(0, end).join('\n')}\n`, source: files.map((f) => f.slice(CACHE.length + 1)).join(' + ') };
}

/** Plausible network-server C: accept loops, epoll registrations, descriptor error paths. */
function generatedCode(lines) {
  const out = ['#include <errno.h>', '#include <sys/epoll.h>', '#include <sys/socket.h>', '#include <unistd.h>', 'struct conn { int fd; int state; char buf[512]; };', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `static int handle_${i}(int epfd, int lfd, struct conn *c) {`,
      '    struct epoll_event ev;',
      '    ev.events = EPOLLIN | EPOLLET;',
      '    ev.data.fd = lfd;',
      '    if (epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev) < 0) return -1;',
      '    for (;;) {',
      '        int fd = accept(lfd, NULL, NULL);',
      '        if (fd < 0) {',
      '            if (errno == EAGAIN) break;',
      '            return -1;',
      '        }',
      `        c->fd = fd;`,
      `        c->state = ${i};`,
      '        ssize_t n = read(fd, c->buf, sizeof c->buf);',
      '        if (n <= 0) {',
      '            close(fd);',
      '            continue;',
      '        }',
      '        write(fd, c->buf, (size_t)n);',
      '    }',
      '    return 0;',
      '}',
      '',
    );
  }
  return { text: `${out.slice(0, lines).join('\n')}\n`, source: 'generated' };
}

/**
 * The file to edit and the workspace around it. With the corpus, the workspace is the project's
 * whole source tree (as a user opens it: the server indexes every file, and the edited file's facts
 * are merged with the others' on every edit), the edited file standing in for the ones it is cut from.
 */
function input(lines) {
  const memcached = join(CACHE, 'memcached-1.6.18');
  const redis = join(CACHE, 'redis-7.0.15', 'src');
  if (lines <= 6000 && existsSync(join(memcached, 'memcached.c'))) return { ...realCode([join(memcached, 'memcached.c')], lines), project: memcached, replaces: ['memcached.c'], name: 'memcached.c' };
  const files = ['module.c', 'cluster.c'];
  if (files.every((f) => existsSync(join(redis, f)))) return { ...realCode(files.map((f) => join(redis, f)), lines), project: redis, replaces: files, name: 'bench.c' };
  return { ...generatedCode(lines), name: 'bench.c' };
}

/** A scratch workspace: the project's C/C++ sources (minus the files the edited one replaces) and the edited file. */
function workspace({ text, project, replaces = [], name }) {
  const dir = mkdtempSync(join(tmpdir(), 'connlint-lsp-bench-'));
  if (project) {
    cpSync(project, dir, {
      recursive: true,
      filter: (src) => {
        if (src === project) return true;
        const rel = relative(project, src);
        if (replaces.includes(rel)) return false;
        return statSync(src).isDirectory() ? !rel.split(sep).some((part) => part.startsWith('.')) : /\.(c|h|cc|cpp|hpp)$/.test(src);
      },
    });
  }
  const file = join(dir, name);
  writeFileSync(file, text);
  return { dir, file, files: project ? countSources(dir) : 1 };
}

function countSources(dir) {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) if (entry.isFile() && /\.(c|h|cc|cpp|hpp)$/.test(entry.name)) n++;
  return n;
}

/** Statement lines inside function bodies (indented, ending in ';'), in a fixed pseudo-random order. */
function editLines(text) {
  const lines = text.split('\n');
  const candidates = [];
  lines.forEach((l, i) => {
    if (/^(    |\t)\s*[A-Za-z_][\w>\-.\[\]]*(\s*=\s*[^;]*)?;\s*$/.test(l) && !/^\s*(return|break|continue|goto|case|default)\b/.test(l)) candidates.push(i);
  });
  let seed = 42;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
  }
  return candidates;
}

class Server {
  constructor(dir) {
    // CONNLINT_LSP_NODE_ARGS: node options for the server, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof'.
    const nodeArgs = process.env.CONNLINT_LSP_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    this.process = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin', 'connlint-lsp.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.connection = createMessageConnection(new StreamMessageReader(this.process.stdout), new StreamMessageWriter(this.process.stdin));
    this.waiting = new Map();
    this.connection.onNotification('textDocument/publishDiagnostics', (p) => {
      const key = `${p.uri}#${p.version}`;
      const resolveFn = this.waiting.get(key);
      if (resolveFn) {
        this.waiting.delete(key);
        resolveFn(p);
      }
    });
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    // The background indexing of the workspace folders reports its end with work-done progress.
    this.indexed = new Promise((resolveFn) => this.connection.onNotification('$/progress', (p) => p.value?.kind === 'end' && resolveFn()));
    this.connection.onRequest('workspace/configuration', (p) => p.items.map(() => (TRACE_FILE ? { trace: { server: 'verbose' } } : {})));
    if (TRACE_FILE) this.connection.onNotification('window/logMessage', (p) => appendFileSync(TRACE_FILE, `${p.message}\n`));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.listen();
    this.dir = dir;
  }
  async start() {
    await this.connection.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(this.dir).href, workspaceFolders: [{ uri: pathToFileURL(this.dir).href, name: 'bench' }], capabilities: { window: { workDoneProgress: true }, workspace: { configuration: true } } });
    await this.connection.sendNotification('initialized', {});
  }
  published(uri, version) {
    return new Promise((resolveFn) => this.waiting.set(`${uri}#${version}`, resolveFn));
  }
  rssKiB() {
    const status = readFileSync(`/proc/${this.process.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  }
  async stop() {
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    await new Promise((r) => this.process.on('exit', r));
    this.connection.dispose();
  }
}

/** Opens the file and runs `count` edits (insert, then delete, alternating); returns per-edit latencies in ms. */
async function runEdits(server, uri, text, count, statement, onEdit) {
  const lines = editLines(text);
  let version = 1;
  const first = server.published(uri, version);
  await server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version, text } });
  await first;
  const latencies = [];
  for (let i = -WARMUP; i < count; i++) {
    const pair = Math.floor(i / 2);
    const line = (pair >= 0 ? lines[pair % lines.length] : lines[lines.length + pair]) + 1;
    const change =
      i % 2 === 0
        ? { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: `${statement}\n` }
        : { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' };
    version++;
    const done = server.published(uri, version);
    const sent = performance.now();
    await server.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    await done;
    if (i < 0) continue;
    latencies.push(performance.now() - sent);
    if (TRACE_FILE) appendFileSync(TRACE_FILE, `bench: v${version} line ${line + 1} ${i % 2 === 0 ? 'insert' : 'delete'}: published after ${latencies.at(-1).toFixed(1)} ms\n`);
    if (onEdit) onEdit(i + 1);
  }
  return latencies;
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function latencyRun(lines, statement) {
  const spec = input(lines);
  const { text, source } = spec;
  const { dir, file, files } = workspace(spec);
  const server = new Server(dir);
  try {
    await server.start();
    const uri = pathToFileURL(file).href;
    // Edits start once the workspace is indexed, as in a session that has been open a while.
    await server.indexed;
    const latencies = await runEdits(server, uri, text, EDITS, statement);
    return { lines: text.split('\n').length - 1, source, files, p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(...latencies) };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function memoryRun() {
  const spec = input(5000);
  const { text, source } = spec;
  const { dir, file } = workspace(spec);
  const server = new Server(dir);
  const samples = [];
  try {
    await server.start();
    await server.indexed;
    await runEdits(server, pathToFileURL(file).href, text, MEMORY_EDITS, '    lsp_bench_counter++;', (n) => {
      // Every 100 edits; reported per 1,000 (see below).
      if (n % 100 === 0) samples.push({ edits: n, rssMiB: server.rssKiB() / 1024 });
    });
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { source, samples };
}

/**
 * The floor under every latency above: a request the server answers at once (an unknown method,
 * answered with an error), there and back over the same stdio pipes and JSON-RPC layers, with a
 * pause between requests as between keystrokes.
 */
async function roundTripRun(count = 200) {
  const dir = mkdtempSync(join(tmpdir(), 'connlint-lsp-ping-'));
  const server = new Server(dir);
  const times = [];
  try {
    await server.start();
    for (let i = 0; i < count; i++) {
      await new Promise((r) => setTimeout(r, 5));
      const sent = performance.now();
      await server.connection.sendRequest('connlint/benchPing', {}).catch(() => undefined);
      times.push(performance.now() - sent);
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

const fmt = (n) => n.toFixed(1);
console.log(`# connlint-lsp latency (node ${process.version}, ${EDITS} edits per row after ${WARMUP} warm-up edits)\n`);
console.log('| file | lines | workspace files | edit | p50 ms | p95 ms | max ms |');
console.log('| --- | ---: | ---: | --- | ---: | ---: | ---: |');
const SIZES = args.includes('--sizes') ? args[args.indexOf('--sizes') + 1].split(',').map(Number) : [5000, 20000];
const KINDS = args.includes('--kinds') ? args[args.indexOf('--kinds') + 1].split(',') : ['body', 'new call'];
for (const lines of SIZES) {
  for (const [kind, statement] of [['body', '    lsp_bench_counter++;'], ['new call', '    (void)close(-1);']].filter(([k]) => KINDS.includes(k))) {
    const r = await latencyRun(lines, statement);
    console.log(`| ${r.source} | ${r.lines} | ${r.files} | ${kind} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.max)} |`);
  }
}
const floor = await roundTripRun();
console.log(`\nRound trip of a request the server answers at once (the transport's share of each row): p50 ${fmt(floor.p50)} ms, p95 ${fmt(floor.p95)} ms.`);
if (MEMORY_EDITS > 0) {
  const { source, samples } = await memoryRun();
  // The resident set is a sawtooth: garbage (JS heap and dropped trees) piles up between
  // collections and goes. A single sample lands anywhere on a tooth; the lowest of the ten samples
  // of each thousand edits is what stays (the floor), and growth is measured on it.
  const windows = [];
  for (const s of samples) {
    const end = Math.ceil(s.edits / 1000) * 1000;
    if (windows.at(-1)?.edits !== end) windows.push({ edits: end, last: s.rssMiB, low: s.rssMiB, high: s.rssMiB });
    const w = windows.at(-1);
    w.last = s.rssMiB;
    w.low = Math.min(w.low, s.rssMiB);
    w.high = Math.max(w.high, s.rssMiB);
  }
  console.log(`\nServer RSS over ${MEMORY_EDITS} body edits (${source}, 5,000 lines), sampled every 100 edits:\n`);
  console.log(`| edits | ${windows.map((w) => w.edits).join(' | ')} |`);
  console.log(`| --- | ${windows.map(() => '---:').join(' | ')} |`);
  console.log(`| RSS MiB at the end | ${windows.map((w) => fmt(w.last)).join(' | ')} |`);
  console.log(`| lowest in the last 1,000 | ${windows.map((w) => fmt(w.low)).join(' | ')} |`);
  console.log(`| highest in the last 1,000 | ${windows.map((w) => fmt(w.high)).join(' | ')} |`);
  // The first thousand edits are the warm-up (the heap is still growing to its working size).
  const warm = windows.slice(1);
  if (warm.length >= 2) {
    const first = warm[0];
    const last = warm.at(-1);
    const pct = (a, b) => fmt(((b - a) / a) * 100);
    // Least-squares trend of the floors, as a share of their mean.
    const n = warm.length;
    const meanX = warm.reduce((a, w) => a + w.edits, 0) / n;
    const meanY = warm.reduce((a, w) => a + w.low, 0) / n;
    const slope = warm.reduce((a, w) => a + (w.edits - meanX) * (w.low - meanY), 0) / warm.reduce((a, w) => a + (w.edits - meanX) ** 2, 0);
    const trend = ((slope * (last.edits - first.edits)) / meanY) * 100;
    console.log(`\ngrowth after the first 1,000 edits (windows ${first.edits} → ${last.edits}): floor ${pct(first.low, last.low)} % (least-squares trend ${fmt(trend)} %), highest ${pct(first.high, Math.max(...warm.map((w) => w.high)))} %, last sample ${pct(first.last, last.last)} %`);
  }
}
