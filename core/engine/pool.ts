import { fsPath, rawPathTable } from './file-names.js';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FileFacts } from '../project/facts.js';
import { FileJobs, type CheckedFile, type JobOptions, type PreparedFile } from './file-jobs.js';
import type { Rule } from './rule.js';
import type { WorkerData } from './worker.js';

/**
 * Runs both phases over many files. With one job (or few files) everything happens in this
 * thread; otherwise files are split among worker threads by size, each worker keeps the trees it
 * parsed, and the merged facts are sent back to all of them for the check phase. Files stay on
 * the worker that parsed them, which is why this is not a generic task pool.
 */
export interface RunResult {
  /** Every file read, reported on or indexed only. */
  readonly prepared: PreparedFile[];
  readonly checked: CheckedFile[];
}

/** What to run: the files reported on, the files only indexed for facts, and the rule set. */
export interface RunPlan {
  readonly paths: readonly string[];
  readonly indexOnly: readonly string[];
  readonly rules: readonly Rule[];
  /** Module exporting the same rules as `ALL_RULES`, for worker threads. */
  readonly rulesModule: string;
}

/** Below this much input, starting threads costs more than it saves. */
const IN_PROCESS_BYTES = 2 * 1024 * 1024;

export async function runAnalysis(plan: RunPlan, jobs: { count: number; explicit: boolean }, options: JobOptions, onProgress?: (done: number) => void, stdinText?: string): Promise<RunResult> {
  const paths = [...plan.paths, ...plan.indexOnly];
  const indexOnly = new Set(plan.indexOnly);
  const sizes = paths.map((p) => {
    try {
      return statSync(fsPath(resolve(options.cwd, p))).size;
    } catch {
      return 0;
    }
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  // An explicit --jobs N is obeyed; the default only starts threads when the input is big enough.
  if (jobs.count <= 1 || paths.length < 2 || (!jobs.explicit && total < IN_PROCESS_BYTES) || stdinText !== undefined) {
    const local = new FileJobs(options, plan.rules);
    const prepared = paths.map((p, i) => {
      // stdin stands for the first reported file; indexed files are read from disk.
      const r = local.prepare(p, i === 0 ? stdinText : undefined, !indexOnly.has(p));
      onProgress?.(i + 1);
      return r;
    });
    const facts = prepared.flatMap((p) => (p.facts ? [p.facts] : []));
    return { prepared, checked: local.check(prepared.filter((p) => p.facts && !indexOnly.has(p.path)).map((p) => p.path), facts) };
  }
  return runInWorkers(paths, indexOnly, sizes, Math.min(jobs.count, paths.length), { options, rulesModule: plan.rulesModule }, onProgress);
}

async function runInWorkers(paths: readonly string[], indexOnly: ReadonlySet<string>, sizes: number[], count: number, data: WorkerData, onProgress?: (done: number) => void): Promise<RunResult> {
  // Largest first onto the least-loaded worker: balanced shares without knowing parse costs.
  const shares: string[][] = Array.from({ length: count }, () => []);
  const loads = new Array<number>(count).fill(0);
  const order = paths.map((p, i) => i).sort((a, b) => sizes[b]! - sizes[a]!);
  for (const i of order) {
    const w = loads.indexOf(Math.min(...loads));
    shares[w]!.push(paths[i]!);
    loads[w]! += sizes[i]! + 1;
  }
  let done = 0;
  const workers = shares.map(() => new Worker(new URL('./worker.js', import.meta.url), { workerData: { ...data, rawPaths: rawPathTable() } }));
  try {
    const preparedByWorker = await Promise.all(
      workers.map(
        (worker, w) =>
          new Promise<PreparedFile[]>((resolvePromise, reject) => {
            const out: PreparedFile[] = [];
            const onMessage = (message: { type: string; file?: PreparedFile }) => {
              if (message.type === 'prepared') {
                out.push(message.file!);
                onProgress?.(++done);
              } else if (message.type === 'prepare-done') {
                worker.off('message', onMessage);
                worker.off('error', reject);
                resolvePromise(out);
              }
            };
            worker.on('message', onMessage);
            worker.once('error', reject);
            worker.postMessage({ type: 'prepare', paths: shares[w], indexOnly: shares[w]!.filter((p) => indexOnly.has(p)) });
          }),
      ),
    );
    const prepared = preparedByWorker.flat();
    const facts: FileFacts[] = prepared.flatMap((p) => (p.facts ? [p.facts] : []));
    const checkedByWorker = await Promise.all(
      workers.map(
        (worker, w) =>
          new Promise<CheckedFile[]>((resolvePromise, reject) => {
            worker.once('message', (message: { files: CheckedFile[] }) => resolvePromise(message.files));
            worker.once('error', reject);
            worker.postMessage({ type: 'check', paths: preparedByWorker[w]!.filter((p) => p.facts && !indexOnly.has(p.path)).map((p) => p.path), facts });
          }),
      ),
    );
    return { prepared, checked: checkedByWorker.flat() };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
