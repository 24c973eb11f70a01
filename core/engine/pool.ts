import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FileFacts } from '../project/facts.js';
import { FileJobs, type CheckedFile, type JobOptions, type PreparedFile } from './file-jobs.js';

/**
 * Runs both phases over many files. With one job (or few files) everything happens in this
 * thread; otherwise files are split among worker threads by size, each worker keeps the trees it
 * parsed, and the merged facts are sent back to all of them for the check phase. Files stay on
 * the worker that parsed them, which is why this is not a generic task pool.
 */
export interface RunResult {
  readonly prepared: PreparedFile[];
  readonly checked: CheckedFile[];
}

/** Below this much input, starting threads costs more than it saves. */
const IN_PROCESS_BYTES = 2 * 1024 * 1024;

export async function runAnalysis(paths: readonly string[], jobs: { count: number; explicit: boolean }, options: JobOptions, onProgress?: (done: number) => void, stdinText?: string): Promise<RunResult> {
  const sizes = paths.map((p) => {
    try {
      return statSync(resolve(options.cwd, p)).size;
    } catch {
      return 0;
    }
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  // An explicit --jobs N is obeyed; the default only starts threads when the input is big enough.
  if (jobs.count <= 1 || paths.length < 2 || (!jobs.explicit && total < IN_PROCESS_BYTES) || stdinText !== undefined) {
    const local = new FileJobs(options);
    const prepared = paths.map((p, i) => {
      const r = local.prepare(p, stdinText);
      onProgress?.(i + 1);
      return r;
    });
    const facts = prepared.flatMap((p) => (p.facts ? [p.facts] : []));
    return { prepared, checked: local.check(prepared.filter((p) => p.facts).map((p) => p.path), facts) };
  }
  return runInWorkers(paths, sizes, Math.min(jobs.count, paths.length), options, onProgress);
}

async function runInWorkers(paths: readonly string[], sizes: number[], count: number, options: JobOptions, onProgress?: (done: number) => void): Promise<RunResult> {
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
  const workers = shares.map(() => new Worker(new URL('./worker.js', import.meta.url), { workerData: options }));
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
            worker.postMessage({ type: 'prepare', paths: shares[w] });
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
            worker.postMessage({ type: 'check', paths: preparedByWorker[w]!.filter((p) => p.facts).map((p) => p.path), facts });
          }),
      ),
    );
    return { prepared, checked: checkedByWorker.flat() };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
