import type { CfgEdge } from '../flow/cfg.js';
import { spanOf } from '../project/facts.js';
import type { RelatedLocation } from './findings.js';
import type { RuleContext } from './rule.js';

const MAX_CONDITION_TEXT = 60;

/** Branch decisions along a CFG path, as code-flow steps ("'fd != -1' is true"). */
export function branchSteps(ctx: RuleContext, path: readonly CfgEdge[]): RelatedLocation[] {
  const steps: RelatedLocation[] = [];
  for (const edge of path) {
    if (!edge.condition || edge.assumption === undefined) continue;
    let text = edge.condition.text.replace(/\s+/g, ' ');
    if (text.length > MAX_CONDITION_TEXT) text = `${text.slice(0, MAX_CONDITION_TEXT - 1)}…`;
    // `#ifdef X` / `#ifndef X`: the configuration the path is in.
    const ifdef = edge.condition.type === 'identifier' && edge.condition.parent?.type === 'preproc_ifdef';
    const outcome = ifdef ? (edge.assumption ? 'defined' : 'not defined') : edge.assumption ? 'true' : 'false';
    steps.push({ location: ctx.locate(spanOf(edge.condition)), message: `'${text}' is ${outcome}` });
  }
  return steps;
}
