import { fsPath } from './file-names.js';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { ProjectIndex } from '../project/project-index.js';
import { prepareSource } from '../project/source-file.js';
import { Analyzer } from './analyzer.js';
import { isBuildFileName, projectSwitches, switchesOfSources, type ProjectSwitches } from './build-files.js';
import type { CheckOptions } from './check-file.js';
import { emptyConfig, findConfigFile, type ConfigResolver, type ResolvedConfig } from './config.js';
import { CompileDatabases } from './compile-commands.js';
import { discoverFiles } from './discover.js';
import { includedHeaders } from './includes.js';
import type { Finding } from './findings.js';
import type { JobOptions } from './file-jobs.js';
import { runAnalysis, type RunResult } from './pool.js';
import type { Rule } from './rule.js';

/**
 * The analysis session: discover → facts (per file, in parallel) → project index → check →
 * findings. The CLI runs it over paths (with worker threads), tests over in-memory sources
 * (`analyzeSources`); the LSP server keeps its own incremental state but takes its settings,
 * file loading and checks from the same engine modules (see docs/architecture.md).
 *
 * "Index the whole project, report on some files": when files are named one by one (a
 * pre-commit hook passes the staged ones) or come from --stdin, the facts that decide their
 * findings often live in files that were not named (the EPOLLET registration in listener.c,
 * `#define NET_ERR -1` in a header). The session then finds the project root and indexes every
 * C/C++ file under it for facts, and reports only on the named files.
 */

export interface SessionOptions extends JobOptions {
  readonly rules: readonly Rule[];
  /** A module exporting the same rule set as `ALL_RULES`, imported by worker threads. */
  readonly rulesModule: string;
  readonly configs: ConfigResolver;
  readonly jobs: { readonly count: number; readonly explicit: boolean };
  /** Index the project around named files (default). */
  readonly projectIndex: boolean;
  /** Follow symbolic links out of the folders walked (discover.ts). */
  readonly followSymlinks?: boolean;
}

export interface SessionRequest {
  readonly paths: readonly string[];
  /** Source read from standard input, analysed as `name`. */
  readonly stdin?: { readonly name: string; readonly text: string };
}

/** Which files a run reports on and which it reads only for their facts. */
export interface SessionPlan {
  readonly report: string[];
  readonly indexOnly: string[];
  /** The project root, when the project is indexed around named files. */
  readonly projectRoot?: string;
  readonly problems: { path: string; message: string; fatal: boolean }[];
  /** Folders left out as another operating system's (see discover.ts). */
  readonly otherPlatformFolders?: readonly string[];
}

export interface SessionResult extends RunResult {
  readonly plan: SessionPlan;
  /** The configuration switches the run took as a default build has them (build-files.ts). */
  readonly switches?: ProjectSwitches;
}

export class AnalysisSession {
  constructor(private readonly options: SessionOptions) {}

  /** Discovery: the files named or found under named folders, and (for named files) the rest of their project. */
  plan(request: SessionRequest): SessionPlan {
    const { cwd, configs } = this.options;
    if (request.stdin) {
      const report = [request.stdin.name];
      const project = this.options.projectIndex ? this.projectAround(report) : undefined;
      return this.withIncludedHeaders({ report, indexOnly: project?.files ?? [], projectRoot: project?.root, problems: [] }, project !== undefined);
    }
    const discovery = discoverFiles(request.paths, cwd, configs, { followSymlinks: this.options.followSymlinks });
    const namedFiles = request.paths.filter((p) => isFile(resolve(cwd, p)));
    const project = this.options.projectIndex && namedFiles.length > 0 ? this.projectAround(discovery.files) : undefined;
    return this.withIncludedHeaders({ report: discovery.files, indexOnly: project?.files ?? [], projectRoot: project?.root, problems: discovery.problems, otherPlatformFolders: discovery.otherPlatformFolders }, project !== undefined);
  }

  /**
   * The plan with the headers its files include from elsewhere (include folders, `../common/x.h`)
   * read for their facts too. Followed when include folders are configured (`includeDirs`, a
   * compile database's -I) or the project is indexed around named files; a plain folder run
   * without include folders does not read its files twice for it.
   */
  private withIncludedHeaders(plan: SessionPlan, aroundNamedFiles: boolean): SessionPlan {
    const { cwd, configs } = this.options;
    // A config's database that cannot be read is an error of the run (-p was checked by the CLI).
    const databaseProblems: SessionPlan['problems'] = [];
    const databases = new CompileDatabases(cwd, this.options.compileCommands, (path, message, config) =>
      databaseProblems.push({ path: config.file ? relative(cwd, config.file) : path, message: `compileCommands: ${message}`, fatal: true }),
    );
    const includeDirsOf = (file: string): readonly string[] => databases.includeDirsOf(file, configs.forFile(file));
    const absolute = [...plan.report, ...plan.indexOnly].map((f) => resolve(cwd, f));
    // Asked for every file: a config's compile database that cannot be read is an error of the run.
    const withIncludeDirs = absolute.filter((f) => includeDirsOf(f).length > 0).length > 0;
    const problems = [...plan.problems, ...databaseProblems];
    if (!this.options.projectIndex || (!aroundNamedFiles && !withIncludeDirs)) return { ...plan, problems };
    const headers = includedHeaders(absolute, new Set(absolute), includeDirsOf);
    return { ...plan, indexOnly: [...plan.indexOnly, ...headers.map((h) => relative(cwd, h))], problems };
  }

  /** `plan`: the request's plan when the caller already made it (to check configs first). */
  async run(request: SessionRequest, onProgress?: (done: number) => void, plan: SessionPlan = this.plan(request)): Promise<SessionResult> {
    const { cwd } = this.options;
    const sources = [...plan.report, ...plan.indexOnly].map((f) => resolve(cwd, f));
    const stdinTexts = new Map(request.stdin ? [[resolve(cwd, request.stdin.name), request.stdin.text]] : []);
    const projectSwitchesOfRun = sources.length > 0 ? projectSwitches(sources, plan.projectRoot ?? projectRootOrUndefined(commonDirectory(sources.map((f) => dirname(f)))), stdinTexts) : undefined;
    const result = await runAnalysis(
      { paths: plan.report, indexOnly: plan.indexOnly, rules: this.options.rules, rulesModule: this.options.rulesModule },
      this.options.jobs,
      // What worker threads need of the options: plain data only.
      { cwd: this.options.cwd, configFile: this.options.configFile, overrides: this.options.overrides, reportUnusedDirectives: this.options.reportUnusedDirectives, debug: this.options.debug, compileCommands: this.options.compileCommands, projectSwitches: projectSwitchesOfRun },
      onProgress,
      request.stdin?.text,
    );
    return { ...result, plan, switches: projectSwitchesOfRun };
  }

  /**
   * The project the reported files belong to: the nearest folder above all of them holding a
   * connlint.json, else the git work tree, else their common folder; and its C/C++ files (as
   * discovery finds them: .gitignore and `ignore` honoured) that are not reported on.
   */
  private projectAround(report: readonly string[]): { root: string; files: string[] } | undefined {
    const { cwd, configs } = this.options;
    if (report.length === 0) return undefined;
    const absolute = report.map((f) => resolve(cwd, f));
    const common = commonDirectory(absolute.map((f) => dirname(f)));
    const root = projectRoot(common);
    const reported = new Set(absolute);
    const files = discoverFiles([relative(cwd, root) || '.'], cwd, configs, { followSymlinks: this.options.followSymlinks }).files.filter((f) => !reported.has(resolve(cwd, f)));
    return { root, files };
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(fsPath(path)).isFile();
  } catch {
    return false;
  }
}

function commonDirectory(dirs: readonly string[]): string {
  let common = dirs[0]!;
  for (const dir of dirs) while (common !== dirname(common) && dir !== common && !dir.startsWith(common.endsWith(sep) ? common : common + sep)) common = dirname(common);
  return common;
}

/** Nearest folder (from `dir` up) with a connlint config, else the enclosing git work tree, else `dir`. */
export function projectRoot(dir: string): string {
  return projectRootOrUndefined(dir) ?? dir;
}

/** Nearest folder (from `dir` up) with a connlint config, else the enclosing git work tree. */
function projectRootOrUndefined(dir: string): string | undefined {
  const config = findConfigFile(dir);
  if (config) return dirname(config);
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return current;
    if (dirname(current) === current) return undefined;
  }
}

/**
 * In-memory analysis of a set of sources as one project (facts of all, then checks of each): what
 * tests use. `report`: the paths to report on (default: all).
 */
export function analyzeSources(
  sources: readonly { path: string; text: string }[],
  options: { rules: readonly Rule[]; config?: ResolvedConfig; report?: readonly string[] } & Omit<CheckOptions, 'rules' | 'config'>,
): Finding[] {
  const config = options.config ?? emptyConfig(process.cwd());
  const analyzer = new Analyzer(options.rules);
  analyzer.setProjectSwitches(switchesOfSources(sources));
  // Build files among the sources (a fixture's CMakeLists.txt) say which switches exist; they are not analysed.
  const files = sources.filter((s) => !isBuildFileName(basename(s.path))).map((s) => prepareSource(s.path, s.text, analyzer.sourceSettingsFor(config, analyzer.fileConfiguration(s.path, undefined))));
  const index = new ProjectIndex(files.map((f) => f.facts));
  const report = options.report ? new Set(options.report) : undefined;
  return files.filter((f) => !report || report.has(f.path)).flatMap((f) => analyzer.check(f, index, { ...options, config, fileConfiguration: analyzer.fileConfiguration(f.path, undefined) }));
}
