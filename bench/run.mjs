#!/usr/bin/env node
// Benchmark: wall time, CPU time and peak memory of tree-sitter parse only, connlint and cppcheck
// on real network servers. Run bench/fetch-corpus.sh once (root, network), build (`npx tsc -p .`),
// then:
//
//   npm run bench -- [--no-cppcheck] [--timeout SECONDS] [--repeat N] [--out FILE] [PROJECT...]
//
// PROJECT is a folder, or a package name in bench/.cache/ (nginx, redis, ...); default: every
// package there. For each project, one after the other (no two measurements overlap):
//   parse -j1 / -jN      bench/parse-only.mjs, single-threaded / N worker threads
//   connlint -j1 / -jN   node bin/connlint.js --format json [--jobs 1] DIR   (N = default jobs)
//   cppcheck             cppcheck -jN --quiet --enable=warning, on the same source files
//   cppcheck mc1         the same with --max-configs=1
// Wall seconds, CPU seconds (user + system, all threads and child processes) and peak RSS (for
// cppcheck -jN, of its largest process) come from GNU time (/usr/bin/time). CPU time barely
// changes when other work shares the machine; wall time does, so each row also shows the load
// average before it. Each tool gets --timeout seconds (default 600); --repeat N runs parse and
// connlint N times and keeps the fastest (cppcheck runs once).
// Prints a markdown report and writes it to bench/results.md; each tool's output is kept in
// bench/.cache/results/ for triage. No network.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverFiles } from '../dist/core/engine/discover.js';
import { ConfigResolver } from '../dist/core/engine/config.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const CACHE = join(ROOT, 'bench/.cache');
const RESULTS = join(CACHE, 'results');
const JOBS = Math.max(1, availableParallelism());
const HEADERS = /\.(h|hh|hpp|hxx|h\+\+|ipp|tpp)$/i;
const PJ = `parse -j${JOBS}`;
const CJ = `connlint -j${JOBS}`;

function parseArgs(argv) {
  const options = { cppcheck: true, timeout: 600, repeat: 1, out: join(ROOT, 'bench/results.md'), projects: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-cppcheck') options.cppcheck = false;
    else if (a === '--timeout') options.timeout = Number(argv[++i]);
    else if (a === '--repeat') options.repeat = Math.max(1, Number(argv[++i]));
    else if (a === '--out') options.out = resolve(argv[++i]);
    else if (a.startsWith('-')) throw new Error(`unknown option ${a} (see the comment at the top of bench/run.mjs)`);
    else options.projects.push(a);
  }
  return options;
}

/** A folder given directly, or bench/.cache/NAME-VERSION for a package name. */
function projectDir(name) {
  if (existsSync(name)) return resolve(name);
  const match = existsSync(CACHE) && readdirSync(CACHE).find((d) => d.startsWith(`${name}-`) && /^\d/.test(d.slice(name.length + 1)));
  if (!match) throw new Error(`no project '${name}' (run bench/fetch-corpus.sh ${name})`);
  return join(CACHE, match);
}

function allProjects() {
  if (!existsSync(CACHE)) throw new Error('bench/.cache/ is empty: run bench/fetch-corpus.sh first');
  return readdirSync(CACHE, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /-\d/.test(d.name))
    .map((d) => join(CACHE, d.name));
}

// Each tool runs in its own process group (so a timeout can kill all of it); Ctrl-C must reach it too.
let running;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (running) process.kill(-running.pid, 'SIGKILL');
    process.exit(130);
  });
}

/** Runs a command under GNU time with a timeout; resolves to wall/CPU seconds, peak MB, exit code, output. */
function measure(command, args, timeoutSeconds) {
  const timeFile = join(tmpdir(), `connlint-bench-${process.pid}.time`);
  return new Promise((resolvePromise) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, command, ...args], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid, 'SIGKILL'); // the whole group: time and what it runs
    }, timeoutSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      running = undefined;
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (timedOut) return resolvePromise({ timedOut, stdout, stderr });
      const [seconds, user, system, kb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      rmSync(timeFile, { force: true });
      resolvePromise({ seconds, cpu: user + system, peakMB: kb / 1024, code, stdout, stderr });
    });
  });
}

/** Reads every file once so that the first tool measured does not pay for a cold page cache. */
function warmPageCache(dir) {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) readFileSync(join(entry.parentPath ?? entry.path, entry.name));
  }
}

async function benchProject(dir, options) {
  const name = basename(dir);
  const rel = relative(ROOT, dir) || '.';
  const log = (s) => process.stderr.write(`bench: ${name}: ${s}\n`);
  const save = (suffix, text) => writeFileSync(join(RESULTS, `${name}.${suffix.replace(/[\s=]+/g, '')}`), text);
  warmPageCache(dir);
  const row = { name, load: loadavg()[0], runs: {} };
  const run = async (label, command, args, onDone) => {
    log(`${label} ...`);
    let r = await measure(command, args, options.timeout);
    for (let i = 1; i < options.repeat && !r.timedOut && command !== 'cppcheck'; i++) {
      const again = await measure(command, args, options.timeout);
      if (!again.timedOut && again.seconds < r.seconds) r = again;
    }
    row.runs[label] = r;
    log(r.timedOut ? `${label}: over ${options.timeout} s, killed` : `${label}: ${r.seconds.toFixed(2)} s (CPU ${r.cpu.toFixed(2)} s), ${r.peakMB.toFixed(0)} MB, exit ${r.code}`);
    if (!r.timedOut) onDone?.(r);
  };

  await run('parse -j1', process.execPath, ['bench/parse-only.mjs', rel], (r) => Object.assign(row, JSON.parse(r.stdout)));
  await run(PJ, process.execPath, ['bench/parse-only.mjs', '--jobs', String(JOBS), rel]);
  const connlint = (label, extra) =>
    run(label, process.execPath, ['bin/connlint.js', '--format', 'json', ...extra, rel], (r) => {
      save(`${label}.json`, r.stdout);
      if (r.stderr) save(`${label}.stderr`, r.stderr);
      try {
        const report = JSON.parse(r.stdout);
        r.findings = {};
        for (const f of report.findings) r.findings[f.rule] = (r.findings[f.rule] ?? 0) + 1;
        r.internalErrors = report.problems.filter((p) => p.level === 'error').length;
      } catch {
        r.internalErrors = `no JSON (exit ${r.code})`;
      }
    });
  await connlint('connlint -j1', ['--jobs', '1']);
  await connlint(CJ, []);

  if (options.cppcheck) {
    // The files connlint analyses, less headers (cppcheck reaches those through #include).
    const { files } = discoverFiles([dir], ROOT, new ConfigResolver(undefined, ROOT));
    const list = join(RESULTS, `${name}.cppcheck-files`);
    writeFileSync(list, `${files.filter((f) => !HEADERS.test(f)).join('\n')}\n`);
    const base = [`-j${JOBS}`, '--quiet', '--enable=warning', `--file-list=${list}`];
    const cppcheck = (label, extra) =>
      run(label, 'cppcheck', [...base, ...extra], (r) => {
        save(`${label}.txt`, r.stderr);
        r.warnings = (r.stderr.match(/^\S.*:\d+:\d+: (error|warning):/gm) ?? []).length;
      });
    await cppcheck('cppcheck', []);
    await cppcheck('cppcheck mc1', ['--max-configs=1']);
  }
  return row;
}

// ---- the report ----

const ok = (r) => r && !r.timedOut;
const fmtS = (r, key, timeout) => (!r ? '—' : r.timedOut ? `>${(r.sum ?? timeout).toFixed(0)}` : r[key].toFixed(2));
const ratio = (a, b, key) => (ok(a) && ok(b) ? ` (${(a[key] / b[key]).toFixed(1)}×)` : '');
const kLocPerS = (lines, r) => {
  if (!ok(r) || !lines) return '—';
  const v = lines / 1000 / r.seconds;
  return v < 10 ? v.toFixed(1) : v.toFixed(0);
};

/** Sums over projects (ratios of sums, not means of ratios); a timed-out run counts as the timeout. */
function totalRow(rows, timeout) {
  const total = { name: '**total**', files: 0, lines: 0, runs: {} };
  for (const row of rows) {
    total.files += row.files ?? 0;
    total.lines += row.lines ?? 0;
    for (const [label, r] of Object.entries(row.runs)) {
      const t = (total.runs[label] ??= { seconds: 0, cpu: 0, sum: 0 });
      t.sum += r.timedOut ? timeout : r.seconds;
      t.timedOut ||= r.timedOut;
      if (!r.timedOut) {
        t.seconds += r.seconds;
        t.cpu += r.cpu;
      }
    }
  }
  return total;
}

function report(rows, options) {
  const t = options.timeout;
  const all = rows.length > 1 ? [...rows, totalRow(rows, t)] : rows;
  const line = (cells) => `| ${cells.join(' | ')} |`;
  const table = (header, body) => [line(header), line(header.map((_, i) => (i === 0 ? '---' : '--:'))), ...body];
  const wall = table(
    ['project', 'files', 'kLOC', 'parse -j1 s', `${PJ} s`, 'connlint -j1 s (× parse -j1)', `${CJ} s (× ${PJ})`, 'cppcheck s', 'cppcheck mc1 s', `kLOC/s: connlint -j1 / ${CJ} / cppcheck mc1`, 'load avg'],
    all.map(({ name, files, lines, runs: r, load }) => [
      name, files ?? '—', lines ? (lines / 1000).toFixed(0) : '—',
      fmtS(r['parse -j1'], 'seconds', t), fmtS(r[PJ], 'seconds', t),
      fmtS(r['connlint -j1'], 'seconds', t) + ratio(r['connlint -j1'], r['parse -j1'], 'seconds'),
      fmtS(r[CJ], 'seconds', t) + ratio(r[CJ], r[PJ], 'seconds'),
      fmtS(r['cppcheck'], 'seconds', t), fmtS(r['cppcheck mc1'], 'seconds', t),
      [r['connlint -j1'], r[CJ], r['cppcheck mc1']].map((x) => kLocPerS(lines, x)).join(' / '),
      load === undefined ? '' : load.toFixed(1),
    ]).map(line),
  );
  const cpu = table(
    ['project', 'parse -j1', 'connlint -j1 (× parse -j1)', PJ, `${CJ} (× ${PJ})`, 'cppcheck', 'cppcheck mc1'],
    all.map(({ name, runs: r }) => [
      name, fmtS(r['parse -j1'], 'cpu', t),
      fmtS(r['connlint -j1'], 'cpu', t) + ratio(r['connlint -j1'], r['parse -j1'], 'cpu'),
      fmtS(r[PJ], 'cpu', t), fmtS(r[CJ], 'cpu', t) + ratio(r[CJ], r[PJ], 'cpu'),
      fmtS(r['cppcheck'], 'cpu', t), fmtS(r['cppcheck mc1'], 'cpu', t),
    ]).map(line),
  );
  const memory = table(
    ['project', 'parse -j1', PJ, 'connlint -j1', CJ, 'cppcheck', 'cppcheck mc1'],
    rows.map(({ name, runs: r }) => [name, ...['parse -j1', PJ, 'connlint -j1', CJ, 'cppcheck', 'cppcheck mc1'].map((k) => (ok(r[k]) ? r[k].peakMB.toFixed(0) : '—'))]).map(line),
  );
  const findings = table(
    ['project', 'accept-loop-early-exit', 'et-accept-not-drained', 'other rules', 'internal errors', 'cppcheck warnings (mc1)'],
    rows.map(({ name, runs: r }) => {
      const by = r['connlint -j1']?.findings ?? {};
      const other = Object.entries(by).filter(([k]) => k !== 'accept-loop-early-exit' && k !== 'et-accept-not-drained').reduce((s, [, n]) => s + n, 0);
      const cw = (x) => (ok(x) ? x.warnings : '—');
      return [name, by['accept-loop-early-exit'] ?? 0, by['et-accept-not-drained'] ?? 0, other, r['connlint -j1']?.internalErrors ?? '—', `${cw(r['cppcheck'])} (${cw(r['cppcheck mc1'])})`];
    }).map(line),
  );
  const version = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.trim().split('\n')[0] || 'absent';
  const git = (...args) => spawnSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' }).stdout?.trim();
  const commit = `${git('rev-parse', '--short', 'HEAD') || '(no git)'}${git('status', '--porcelain', '--', 'core', 'rules', 'cli', 'bin') ? ' with uncommitted changes' : ''}`;
  return [
    '# connlint benchmark',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench\` (bench/run.mjs) on ${cpus()[0]?.model.trim()} × ${cpus().length}, ` +
      `Node ${process.version}, connlint ${commit}, ${version('cppcheck', ['--version'])}. ` +
      'Corpus: Debian bookworm source packages (bench/fetch-corpus.sh). kLOC: physical lines of the C/C++ files connlint analyses ' +
      `(its discovery: extensions, .gitignore). cppcheck gets the same files less headers, \`-j${JOBS} --quiet --enable=warning\`; ` +
      '"mc1" adds `--max-configs=1`. Times and peak RSS from GNU time; tools run one after the other; ' +
      (options.repeat > 1 ? `parse and connlint: fastest of ${options.repeat} runs, cppcheck: one run.` : 'one run each.') +
      ` ">${t}": killed after the ${t} s timeout.`,
    '',
    '## Wall time (seconds)',
    '',
    ...wall,
    '',
    '## CPU time (user + system seconds, all threads)',
    '',
    ...cpu,
    '',
    '## Peak memory (MB RSS)',
    '',
    ...memory,
    '',
    '## Findings (connlint -j1)',
    '',
    ...findings,
    '',
  ].join('\n');
}

const options = parseArgs(process.argv.slice(2));
if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` first');
if (options.cppcheck && spawnSync('cppcheck', ['--version']).error) {
  process.stderr.write('bench: cppcheck not found; skipping it (apt-get install cppcheck)\n');
  options.cppcheck = false;
}
mkdirSync(RESULTS, { recursive: true });
const dirs = options.projects.length ? options.projects.map(projectDir) : allProjects();
const rows = [];
for (const dir of dirs) rows.push(await benchProject(dir, options));
const markdown = report(rows, options);
process.stdout.write(markdown);
writeFileSync(options.out, markdown);
process.stderr.write(`bench: wrote ${relative(process.cwd(), options.out)}\n`);
