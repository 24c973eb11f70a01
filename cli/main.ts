import { fsPath } from '../core/engine/file-names.js';
import { decodeSource } from '../core/syntax/source-text.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, ConfigResolver } from '../core/engine/config.js';
import { compareFindings, type Finding, type SeveritySetting, SEVERITIES } from '../core/engine/findings.js';
import { packageRoot } from '../core/util/package-root.js';
import { ruleDocs } from '../core/engine/rule-docs.js';
import { LineMap } from '../core/syntax/source-text.js';
import { UNUSED_DIRECTIVE_RULE } from '../core/engine/suppressions.js';
import { ALL_RULES, findRule } from '../rules/index.js';
import { formatGithub } from './formatters/github.js';
import { formatJson } from './formatters/json.js';
import { formatSarif } from './formatters/sarif.js';
import { formatText } from './formatters/text.js';
import { AnalysisSession } from '../core/engine/session.js';
import { addCoverage, NO_COVERAGE } from '../core/engine/coverage.js';
import { CompileCommands, CompileCommandsError } from '../core/engine/compile-commands.js';
import { countBySeverity, type Formatter, type Report } from './report.js';

/** Exit codes scripts can rely on. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

const FORMATTERS: Record<string, Formatter> = { text: formatText, json: formatJson, sarif: formatSarif, github: formatGithub };

interface CliOptions {
  format: string;
  outputFile?: string;
  config?: string;
  rule: string[];
  maxWarnings?: number;
  listRules?: boolean;
  explain?: string;
  stdin?: boolean;
  stdinFilename?: string;
  followSymlinks?: boolean;
  jobs: number;
  quiet?: boolean;
  debug?: boolean;
  reportUnusedDisableDirectives?: boolean;
  sarifCategory?: string;
  color?: boolean;
  projectIndex: boolean;
  compileCommands?: string;
}

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}

function positiveInteger(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function buildProgram(io: { out: (s: string) => void; err: (s: string) => void }): Command {
  return new Command()
    .name('connlint')
    .description('Static analyzer for C and C++ network code: the bugs that make a server fall over at connection N+1.')
    .version(version(), '-v, --version')
    .argument('[paths...]', 'files and directories to analyse (directories: C/C++ files, honouring .gitignore)', ['.'])
    .addOption(new Option('-f, --format <format>', 'output format').choices(Object.keys(FORMATTERS)).default('text'))
    .option('-o, --output-file <file>', 'write the report to a file instead of stdout')
    .option('-c, --config <file>', 'use this config file instead of looking for connlint.json')
    .option('--rule <id=severity>', 'set a rule severity (off|note|warning|error); repeatable', collect, [])
    .option('--max-warnings <n>', 'fail (exit 1) when there are more than n warnings', nonNegativeInteger)
    .option('--list-rules', 'list the rules and exit')
    .option('--explain <rule>', "print a rule's documentation and exit")
    .option('--stdin', 'read the source to analyse from standard input')
    .option('--stdin-filename <name>', 'file name for --stdin (chooses the language and config)')
    .option('-j, --jobs <n>', 'worker threads', positiveInteger, Math.max(1, availableParallelism()))
    .option('-q, --quiet', 'report errors only')
    .option('--debug', 'explain skipped functions and files; stack traces on internal errors')
    .option('--report-unused-disable-directives', 'report connlint-disable comments that suppress nothing')
    .option('-p, --compile-commands <path>', "a compile_commands.json (or its folder): each file's -D and -U decide its #if branches")
    .option('--follow-symlinks', 'follow symbolic links that lead out of the folders walked (by default they are not: a link to another tree would pull it in)')
    .option('--no-project-index', 'when files are named (or read from --stdin), analyse them alone instead of indexing the rest of their project for cross-file facts')
    .option('--sarif-category <id>', 'SARIF automationDetails.id (GitHub code scanning category)')
    .option('--color', 'force colours')
    .option('--no-color', 'disable colours')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(run connlint --help for usage)');
}

function parseRuleOverrides(specs: readonly string[]): Record<string, SeveritySetting> {
  const overrides: Record<string, SeveritySetting> = {};
  for (const spec of specs) {
    const m = /^([\w-]+)=(\w+)$/.exec(spec.trim());
    if (!m) throw new UsageError(`--rule expects ID=SEVERITY, got '${spec}'`);
    const [, id, severity] = m;
    if (!findRule(id!) && id !== UNUSED_DIRECTIVE_RULE) throw new UsageError(`--rule: unknown rule '${id}' (see connlint --list-rules)`);
    if (!SEVERITIES.includes(severity as SeveritySetting)) throw new UsageError(`--rule: severity must be one of ${SEVERITIES.join(', ')}, got '${severity}'`);
    overrides[id!] = severity as SeveritySetting;
  }
  return overrides;
}

class UsageError extends Error {}

function listRules(): string {
  const rows = ALL_RULES.map((r) => [r.meta.id, r.meta.defaultSeverity, r.meta.fixable ? 'fix' : '', r.meta.title]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length), ['RULE', 'SEVERITY', 'FIX'][i]!.length));
  const line = (row: string[]) => row.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  ');
  return `${[line(['RULE', 'SEVERITY', 'FIX', 'TITLE']), ...rows.map(line)].join('\n')}\n`;
}

/**
 * Standard input decoded as a file's bytes are (invalid UTF-8 read as Latin-1, with the same note);
 * the file jobs then apply the same checks to the text (decodeText: a NUL makes it binary).
 */
async function readStdin(): Promise<{ text: string; warning?: string }> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  const decoded = decodeSource(bytes);
  return decoded.ok ? { text: decoded.text, warning: decoded.warning } : { text: bytes.toString('latin1') };
}

function useColor(options: CliOptions, toFile: boolean): boolean {
  if (toFile) return false;
  if (options.color === true && process.argv.includes('--color')) return true;
  if (options.color === false) return false;
  if (process.env['NO_COLOR']) return false;
  if (process.env['FORCE_COLOR'] && process.env['FORCE_COLOR'] !== '0') return true;
  return process.stdout.isTTY === true;
}

/** Runs the CLI; returns the exit code (never throws, never prints a stack unless --debug). */
export async function main(argv: readonly string[], cwd: string = process.cwd()): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s);
  const program = buildProgram({ out, err });
  let options: CliOptions;
  let paths: string[];
  try {
    program.parse([...argv], { from: 'user' });
    options = program.opts<CliOptions>();
    paths = program.processedArgs[0] as string[];
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    err(`connlint: ${(error as Error).message}\n`);
    return EXIT_ERROR;
  }
  try {
    return await run(options, paths, cwd, out, err, program.getOptionValueSource('jobs') === 'cli');
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      err(`connlint: ${error.message}\n`);
      return EXIT_ERROR;
    }
    err(`connlint: internal error: ${(error as Error).message}\n`);
    if (options.debug) err(`${(error as Error).stack}\n`);
    return EXIT_ERROR;
  }
}

async function run(options: CliOptions, paths: string[], cwd: string, out: (s: string) => void, err: (s: string) => void, jobsExplicit: boolean): Promise<number> {
  if (options.listRules) {
    out(listRules());
    return EXIT_OK;
  }
  if (options.explain !== undefined) {
    const rule = findRule(options.explain);
    if (!rule) throw new UsageError(`unknown rule '${options.explain}' (see connlint --list-rules)`);
    out(ruleDocs(rule.meta.id) || `${rule.meta.title}\n\n${rule.meta.fullDescription}\n`);
    return EXIT_OK;
  }
  const overrides = parseRuleOverrides(options.rule);
  if (options.stdinFilename && !options.stdin) throw new UsageError('--stdin-filename needs --stdin');
  if (options.stdin && program_hasPaths(paths)) throw new UsageError('--stdin analyses standard input; do not also give paths');

  // A broken compile database is exit 2 now, not an error per file later.
  if (options.compileCommands !== undefined) {
    try {
      CompileCommands.load(options.compileCommands, cwd);
    } catch (error) {
      if (error instanceof CompileCommandsError) throw new UsageError(`-p: ${error.message}`);
      throw error;
    }
  }
  const configs = new ConfigResolver(options.config, cwd);
  if (options.config) configs.forDirectory(cwd); // a broken --config fails now, before any work

  const problems: Report['problems'][number][] = [];
  let exitError = false;
  const stdinRead = options.stdin ? await readStdin() : undefined;
  const stdinText = stdinRead?.text;
  if (stdinRead?.warning) problems.push({ path: options.stdinFilename ?? 'stdin.c', message: stdinRead.warning, level: 'note' });
  const session = new AnalysisSession({
    rules: ALL_RULES,
    rulesModule: new URL('../rules/index.js', import.meta.url).href,
    configs,
    cwd,
    configFile: options.config,
    overrides,
    reportUnusedDirectives: options.reportUnusedDisableDirectives === true,
    debug: options.debug === true,
    jobs: { count: options.jobs, explicit: jobsExplicit },
    projectIndex: options.projectIndex,
    followSymlinks: options.followSymlinks === true,
    compileCommands: options.compileCommands,
  });
  const request = { paths, stdin: stdinText !== undefined ? { name: options.stdinFilename ?? 'stdin.c', text: stdinText } : undefined };
  const plan = session.plan(request);
  const files = plan.report;
  for (const p of plan.problems) {
    problems.push({ path: p.path, message: p.message, level: p.fatal ? 'error' : 'warning' });
    if (p.fatal) exitError = true;
  }
  // Every file's config must load before we start (a broken connlint.json is exit 2, with its path).
  for (const f of files) configs.forFile(f);
  if (options.debug && plan.otherPlatformFolders?.length) {
    const shown = plan.otherPlatformFolders.slice(0, 5).join(', ');
    err(`connlint: debug: ${plan.otherPlatformFolders.length} folders and files of other operating systems not analysed (${shown}${plan.otherPlatformFolders.length > 5 ? ', …' : ''}); name one to analyse it\n`);
  }
  if (options.debug && plan.projectRoot) err(`connlint: debug: indexing ${plan.indexOnly.length} more files of the project at ${plan.projectRoot} for cross-file facts\n`);

  const progress = progressReporter(files.length + plan.indexOnly.length, options);
  const result = await session.run(request, progress.update, plan);
  progress.done();
  if (options.debug && result.switches) {
    const listed = (names: readonly string[]) => (names.length === 0 ? 'none' : `${names.slice(0, 8).join(', ')}${names.length > 8 ? `, … (${names.length})` : ''}`);
    err(`connlint: debug: configuration switches a default build leaves unset: ${listed(result.switches.unset)}; sets: ${listed(result.switches.set)}; defines only as 0: ${listed(result.switches.zero)}\n`);
  }

  let findings: Finding[] = [];
  const reported = new Set(files);
  // Files read only for their facts are not the run's business unless --debug asks.
  for (const p of result.prepared.filter((p) => reported.has(p.path))) {
    if (p.skipped) problems.push({ path: p.path, message: p.skipped, level: p.unreadable ? 'error' : 'warning' });
    if (p.unreadable) exitError = true;
    if (p.error) {
      problems.push({ path: p.path, message: `internal error: ${p.error}`, level: 'error' });
      exitError = true;
    }
    if (options.debug) for (const n of p.notices) err(`connlint: ${p.path}: ${n}\n`);
    else for (const n of p.notices) if (n.startsWith('not valid UTF-8')) problems.push({ path: p.path, message: n, level: 'note' });
  }
  let coverage = NO_COVERAGE;
  for (const c of result.checked) {
    if (c.coverage) coverage = addCoverage(coverage, c.coverage);
    findings.push(...c.findings);
    for (const d of c.debug) err(`connlint: debug: ${d}\n`);
    for (const message of c.limits ?? []) problems.push({ path: c.path, message, level: 'note' });
    if (c.error) {
      problems.push({ path: c.path, message: `internal error: ${c.error}`, level: 'error' });
      exitError = true;
    }
  }
  if (options.debug && coverage.functions + coverage.lost > 0) {
    const all = coverage.functions + coverage.lost;
    const whole = coverage.functions - coverage.withSkippedRegions;
    err(`connlint: debug: ${all} function bodies: ${whole} (${((100 * whole) / all).toFixed(1)} %) analysed whole (${coverage.recovered} of them through a configuration-resolved copy), ${coverage.withSkippedRegions - coverage.skipped} with regions skipped for syntax errors, ${coverage.skipped} skipped (mostly syntax errors), ${coverage.lost} not recognised by the grammar (preprocessor lines or macros break their syntax)\n`);
  }
  if (options.quiet) findings = findings.filter((f) => f.severity === 'error');
  findings.sort(compareFindings);

  const texts = new Map<string, LineMap | null>();
  const report: Report = {
    toolVersion: version(),
    cwd,
    findings,
    fileCount: result.prepared.filter((p) => p.facts && reported.has(p.path)).length,
    skippedCount: result.prepared.filter((p) => p.skipped && reported.has(p.path)).length,
    problems,
    rules: ALL_RULES,
    sarifCategory: options.sarifCategory,
    sourceLine: (file, line) => {
      if (!texts.has(file)) {
        try {
          texts.set(file, new LineMap(stdinText !== undefined && file === files[0] ? stdinText : readFileSync(fsPath(resolve(cwd, file)), 'utf8')));
        } catch {
          texts.set(file, null);
        }
      }
      return texts.get(file)?.lineText(line - 1);
    },
  };
  // Problems with files go to stderr in human formats; machine formats carry them inside.
  if (options.format === 'text') for (const p of problems) err(`connlint: ${p.path}: ${p.message}\n`);
  const rendered = FORMATTERS[options.format]!(report, { color: useColor(options, options.outputFile !== undefined) });
  if (options.outputFile) {
    try {
      writeFileSync(resolve(cwd, options.outputFile), rendered);
    } catch (error) {
      throw new UsageError(`cannot write ${options.outputFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  } else {
    out(rendered);
  }

  if (exitError) return EXIT_ERROR;
  const counts = countBySeverity(findings);
  if (counts.error > 0) return EXIT_FINDINGS;
  if (options.maxWarnings !== undefined && counts.warning > options.maxWarnings) {
    err(`connlint: ${counts.warning} warnings exceed --max-warnings ${options.maxWarnings}\n`);
    return EXIT_FINDINGS;
  }
  return EXIT_OK;
}

function program_hasPaths(paths: readonly string[]): boolean {
  return !(paths.length === 1 && paths[0] === '.');
}

/** "analysing 120/800 files" on a terminal, for runs long enough to wonder about. */
function progressReporter(total: number, options: CliOptions): { update: (done: number) => void; done: () => void } {
  const enabled = process.stderr.isTTY === true && !process.env['CI'] && total >= 20 && !options.debug;
  let last = 0;
  let shown = false;
  const started = Date.now();
  return {
    update(done) {
      if (!enabled) return;
      const now = Date.now();
      if (now - started < 500 || now - last < 100) return;
      last = now;
      shown = true;
      process.stderr.write(`\rconnlint: analysing ${done}/${total} files`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
