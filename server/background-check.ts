import { Worker } from 'node:worker_threads';
import type { Finding } from '../core/engine/findings.js';
import type { FileFacts } from '../core/project/facts.js';
import type { BackgroundAnswer, BackgroundRequest } from './background-worker.js';

export type BackgroundOutcome = { readonly findings: Finding[]; readonly facts?: FileFacts; readonly skipped?: string } | { readonly error: string };

/**
 * A check of one file in a worker thread, as the CLI would run it: the server's thread stays free
 * for other documents' requests while a large document is analysed. A newer check of the same
 * document stops the running one through a shared flag its parses poll (cancelParsesWhen): the
 * thread is never terminated, since terminating it mid-parse aborts the whole process (found by
 * the LSP fuzzing); it ends by itself, soon, and its answer is dropped.
 */
export class BackgroundCheck {
  private readonly stop = new Int32Array(new SharedArrayBuffer(4));
  private settled = false;

  constructor(request: BackgroundRequest, done: (outcome: BackgroundOutcome) => void) {
    const worker = new Worker(new URL('./background-worker.js', import.meta.url), { workerData: { ...request, stop: this.stop } });
    // Not a reason to keep the server's process alive.
    worker.unref();
    const settle = (outcome: BackgroundOutcome) => {
      if (this.settled) return;
      this.settled = true;
      done(outcome);
    };
    worker.once('message', (answer: BackgroundAnswer) => settle('error' in answer ? answer : { findings: answer.findings as Finding[], facts: answer.facts as FileFacts | undefined, skipped: answer.skipped }));
    worker.once('error', (error) => settle({ error: error.message }));
    worker.once('exit', (code) => settle({ error: `the background check stopped (exit code ${code})` }));
  }

  /** Stops the check; its callback is not called. */
  cancel(): void {
    this.settled = true;
    Atomics.store(this.stop, 0, 1);
  }
}
