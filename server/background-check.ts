import { Worker } from 'node:worker_threads';
import type { Finding } from '../core/engine/findings.js';
import type { FileFacts } from '../core/project/facts.js';
import type { BackgroundAnswer, BackgroundRequest } from './background-worker.js';

export type BackgroundOutcome = { readonly findings: Finding[]; readonly facts?: FileFacts; readonly skipped?: string } | { readonly error: string };

/**
 * A check of one saved file in a worker thread, as the CLI would run it: the server's thread
 * stays free for other documents' requests while a large document is analysed, and a newer
 * check of the same document stops the running one (`cancel` terminates the thread, which frees
 * its trees and heap at once).
 */
export class BackgroundCheck {
  private readonly worker: Worker;
  private settled = false;

  constructor(request: BackgroundRequest, done: (outcome: BackgroundOutcome) => void) {
    this.worker = new Worker(new URL('./background-worker.js', import.meta.url), { workerData: request });
    const settle = (outcome: BackgroundOutcome) => {
      if (this.settled) return;
      this.settled = true;
      void this.worker.terminate();
      done(outcome);
    };
    this.worker.once('message', (answer: BackgroundAnswer) => settle('error' in answer ? answer : { findings: answer.findings as Finding[], facts: answer.facts as FileFacts | undefined, skipped: answer.skipped }));
    this.worker.once('error', (error) => settle({ error: error.message }));
    this.worker.once('exit', (code) => settle({ error: `the background check stopped (exit code ${code})` }));
  }

  /** Stops the check; its callback is not called. */
  cancel(): void {
    this.settled = true;
    void this.worker.terminate();
  }
}
