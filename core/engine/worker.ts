import { parentPort, workerData } from 'node:worker_threads';
import { FileJobs, type JobOptions } from './file-jobs.js';
import type { FileFacts } from '../project/facts.js';

/** Worker thread: phase one for its share of files, then phase two once the index arrives. */
export type WorkerRequest = { type: 'prepare'; paths: string[] } | { type: 'check'; paths: string[]; facts: FileFacts[] };

const jobs = new FileJobs(workerData as JobOptions);

parentPort!.on('message', (request: WorkerRequest) => {
  if (request.type === 'prepare') {
    for (const path of request.paths) parentPort!.postMessage({ type: 'prepared', file: jobs.prepare(path) });
    parentPort!.postMessage({ type: 'prepare-done' });
  } else {
    parentPort!.postMessage({ type: 'checked', files: jobs.check(request.paths, request.facts) });
  }
});
