import { parentPort, workerData } from 'node:worker_threads';
import { dirname } from 'node:path';
import { ConfigResolver } from '../core/engine/config.js';
import { AnalysisSession } from '../core/engine/session.js';
import type { SeveritySetting } from '../core/engine/findings.js';
import { ALL_RULES } from '../rules/index.js';
import { cancelParsesWhen } from '../core/syntax/parser.js';

/** What the server asks of a background check: one saved file, checked as the CLI checks it. */
export interface BackgroundRequest {
  /** Absolute: findings and facts name it so, as the server does. */
  readonly path: string;
  readonly overrides: Readonly<Record<string, SeveritySetting>>;
  /** The document's text (it may differ from the file, or have none): read from the file when absent. */
  readonly text?: string;
  /** Only the file's facts (the workspace index's reading of a large file), no rules, no project. */
  readonly factsOnly?: boolean;
  /** Non-zero at [0]: stop (see cancelParsesWhen). */
  readonly stop?: Int32Array;
}

/** What it answers: the findings and the file's facts, or why the file was not analysed. */
export type BackgroundAnswer = { readonly findings: unknown[]; readonly facts?: unknown; readonly skipped?: string } | { readonly error: string };

async function check(request: BackgroundRequest): Promise<BackgroundAnswer> {
  const cwd = dirname(request.path);
  const session = new AnalysisSession({
    rules: request.factsOnly ? [] : ALL_RULES,
    rulesModule: new URL('../rules/index.js', import.meta.url).href,
    configs: new ConfigResolver(undefined, cwd),
    cwd,
    overrides: request.overrides,
    reportUnusedDirectives: false,
    debug: false,
    jobs: { count: 1, explicit: true },
    projectIndex: !request.factsOnly,
  });
  if (request.stop && Atomics.load(request.stop, 0) !== 0) return { error: 'cancelled' };
  const result = await session.run(request.text === undefined ? { paths: [request.path] } : { paths: [], stdin: { name: request.path, text: request.text } });
  const prepared = result.prepared.find((p) => p.path === request.path);
  const problem = prepared?.error ?? result.checked.find((c) => c.error)?.error;
  if (problem) return { error: problem };
  return { findings: result.checked.flatMap((c) => c.findings), facts: prepared?.facts, skipped: prepared?.skipped };
}

const request = workerData as BackgroundRequest;
if (request.stop) cancelParsesWhen(request.stop);
check(request).then(
  (answer) => parentPort!.postMessage(answer),
  (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) }),
);
