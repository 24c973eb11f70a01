import type { Rule } from '../core/engine/rule.js';
import { acceptLoopEarlyExit } from './accept-loop-early-exit.js';
import { etAcceptNotDrained } from './et-accept-not-drained.js';
import { fdLeak } from './fd-leak.js';

/** Every rule connlint ships, in the order `--list-rules` and SARIF `rules[]` show them. */
export const ALL_RULES: readonly Rule[] = [acceptLoopEarlyExit, etAcceptNotDrained, fdLeak];

export function findRule(id: string): Rule | undefined {
  return ALL_RULES.find((r) => r.meta.id === id);
}
