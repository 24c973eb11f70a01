import { addRawPaths } from './file-names.js';
import { parentPort, workerData } from 'node:worker_threads';
import { FileJobs, type JobOptions } from './file-jobs.js';
import type { FileFacts } from '../project/facts.js';
import type { Rule } from './rule.js';

/** Worker thread: phase one for its share of files, then phase two once the index arrives. */
export type WorkerRequest = { type: 'prepare'; paths: string[]; indexOnly: string[] } | { type: 'check'; paths: string[]; facts: FileFacts[] };

export interface WorkerData {
  readonly options: JobOptions;
  /** The module whose `ALL_RULES` export is the rule set (the engine never imports rules/ itself). */
  readonly rulesModule: string;
  /** The main thread's names that are not UTF-8 (see file-names.ts). */
  readonly rawPaths?: readonly (readonly [string, Uint8Array])[];
}

const { options, rulesModule, rawPaths } = workerData as WorkerData;
addRawPaths(rawPaths ?? []);
const { ALL_RULES: rules } = (await import(rulesModule)) as { ALL_RULES: readonly Rule[] };
const jobs = new FileJobs(options, rules);

parentPort!.on('message', (request: WorkerRequest) => {
  if (request.type === 'prepare') {
    const indexOnly = new Set(request.indexOnly);
    for (const path of request.paths) parentPort!.postMessage({ type: 'prepared', file: jobs.prepare(path, undefined, !indexOnly.has(path)) });
    parentPort!.postMessage({ type: 'prepare-done' });
  } else {
    parentPort!.postMessage({ type: 'checked', files: jobs.check(request.paths, request.facts) });
  }
});
