import { blockMacroHead } from '../syntax/block-macros.js';
import type { CfgEdge } from '../flow/cfg.js';
import { spanOf } from '../project/facts.js';
import type { RelatedLocation } from './findings.js';
import type { RuleContext } from './rule.js';
import type { SyntaxNode } from '../syntax/parser.js';

const MAX_CONDITION_TEXT = 60;

/** Most branch decisions a path shows; a longer path is summarised (see summarised). */
const MAX_PATH_STEPS = 12;

/**
 * Branch decisions along a CFG path, as code-flow steps ("'fd != -1' is true"), at most
 * MAX_PATH_STEPS of them: `matters` tells the decisions worth keeping in a long path (those about
 * the handle the finding is about).
 */
export function branchSteps(ctx: RuleContext, path: readonly CfgEdge[], matters?: (condition: SyntaxNode) => boolean): RelatedLocation[] {
  const decisions = path.filter((edge) => edge.condition && edge.assumption !== undefined);
  if (decisions.length <= MAX_PATH_STEPS) return decisionSteps(ctx, decisions);
  return summarised(ctx, decisions, matters ?? (() => false));
}

/**
 * A long path (a function of two thousand `if`s between the acquire and the exit) as the
 * decisions that matter, up to half the steps, and the last ones before the end (what leads into
 * the exit); one step in the first gap says how many were left out.
 */
function summarised(ctx: RuleContext, decisions: readonly CfgEdge[], matters: (condition: SyntaxNode) => boolean): RelatedLocation[] {
  const keep = new Set<number>();
  for (let i = 0; i < decisions.length && keep.size < MAX_PATH_STEPS / 2; i++) if (matters(decisions[i]!.condition!)) keep.add(i);
  for (let i = decisions.length - 1; i >= 0 && keep.size < MAX_PATH_STEPS - 1; i--) keep.add(i);
  const out: RelatedLocation[] = [];
  let omitted = 0;
  let gapAt: CfgEdge | undefined;
  for (let i = 0; i < decisions.length; i++) {
    if (!keep.has(i)) {
      omitted++;
      gapAt ??= decisions[i];
      continue;
    }
    out.push(...decisionSteps(ctx, [decisions[i]!]));
  }
  const gap = { location: ctx.locate(spanOf(gapAt!.condition!)), message: `… ${omitted.toLocaleString('en-US')} other branch decisions on the way, not shown` };
  const before = decisions.findIndex((_, i) => !keep.has(i));
  out.splice([...keep].filter((i) => i < before).length, 0, gap);
  return out;
}

function decisionSteps(ctx: RuleContext, path: readonly CfgEdge[]): RelatedLocation[] {
  const steps: RelatedLocation[] = [];
  for (const edge of path) {
    if (!edge.condition || edge.assumption === undefined) continue;
    const original = ctx.file.recovery?.originalText;
    const macro = original === undefined ? undefined : blockMacroHead(original, edge.condition);
    if (macro) {
      const outcome = macro.loop ? (edge.assumption ? 'runs its block' : 'is done') : edge.assumption ? 'runs its block' : 'skips its block';
      steps.push({ location: ctx.locate(ctx.file.lines.span(macro.start, macro.end)), message: `'${shortened(macro.text)}' ${outcome}` });
      continue;
    }
    const text = shortened(edge.condition.text);
    // `#ifdef X` / `#ifndef X`: the configuration the path is in.
    const ifdef = edge.condition.type === 'identifier' && edge.condition.parent?.type === 'preproc_ifdef';
    const outcome = ifdef ? (edge.assumption ? 'defined' : 'not defined') : edge.assumption ? 'true' : 'false';
    steps.push({ location: ctx.locate(spanOf(edge.condition)), message: `'${text}' is ${outcome}` });
  }
  return steps;
}

function shortened(condition: string): string {
  const text = condition.replace(/\s+/g, ' ');
  return text.length > MAX_CONDITION_TEXT ? `${text.slice(0, MAX_CONDITION_TEXT - 1)}…` : text;
}

/**
 * A loop or `if` head that is a block macro in the file (`LIST_FOREACH(x, l, link) {`), analysed
 * through the configuration-resolved copy as `while       (x, l, link)`: the macro call as written.
 */
