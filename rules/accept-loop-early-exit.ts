import { acceptFlow, acceptSites, type AcceptSite } from '../domain/accept/accept-sites.js';
import { ACCEPT_PROVIDERS } from '../domain/accept/providers.js';
import { jumpTarget, nodeEvaluating, type CfgNode, type LoopInfo } from '../core/flow/cfg.js';
import { branchSteps } from '../core/engine/code-path.js';
import { findPath, reachableFromEntry } from '../core/flow/dataflow.js';
import { spanOf } from '../core/project/facts.js';
import { lineReference, type Fix, type RelatedLocation } from '../core/engine/findings.js';
import { VALID } from '../domain/descriptors/handle-flow.js';
import { acceptLoopOf } from '../domain/accept/loop-roles.js';
import type { Rule, RuleContext } from '../core/engine/rule.js';
import { asksAboutUndecided, edgeTriggeredOptionsSchema, evidenceLocations, listenerTriggerMode, registrationEvidence } from '../domain/accept/trigger-mode.js';
import { SOCKET_TEST_DECIDERS } from '../domain/descriptors/address-lengths.js';

/**
 * Incident 003: an accept loop on an edge-triggered listener that leaves (return / break / goto)
 * after a successful accept. Edge-triggered readiness fires once per new arrival, so whatever is
 * still in the backlog waits for the next client — in CLOSE_WAIT once its own client gives up.
 * Only leaving on the accept-failed branch (EAGAIN: backlog drained) is safe.
 */
export const acceptLoopEarlyExit: Rule = {
  meta: {
    id: 'accept-loop-early-exit',
    title: 'Accept loop exits before the backlog is drained',
    shortDescription: 'A return/break/goto leaves an accept loop after a successful accept, stranding the rest of an edge-triggered backlog.',
    fullDescription:
      'On an edge-triggered listening socket (EPOLLET, EV_CLEAR, EV_ET) the accept loop must run until accept() fails with EAGAIN. ' +
      'Leaving it on any path where the last accept() succeeded leaves queued connections without a wake-up: they sit in the backlog, ' +
      'turn into CLOSE_WAIT when their clients give up, and new clients time out.',
    defaultSeverity: 'error',
    tags: ['reliability', 'correctness', 'network', 'epoll'],
    cwe: ['CWE-400'],
    // Measured on held-out servers (docs/precision.md): errors on sets 120-121 were false more often than true.
    precision: 'medium',
    securitySeverity: 5.3,
    fixable: true,
    // kqueue backends register EV_CLEAR where epoll ones are level-triggered (core/project/platforms.ts).
    otherPlatforms: ['bsd'],
    optionsSchema: edgeTriggeredOptionsSchema({
      auto: 'decide from EPOLLET/EV_CLEAR/EV_ET registrations; listeners with none found are not reported',
      ask: 'as auto, and a note asks about each accept loop of a listener whose trigger mode was not found',
      assume: 'as auto, and a listener whose trigger mode was not found is taken as edge-triggered (findings have the configured severity)',
      always: 'treat every listener as edge-triggered, whatever its registrations say',
      never: 'treat every listener as level-triggered (nothing is reported)',
    }),
  },
  providers: ACCEPT_PROVIDERS,
  testDeciders: SOCKET_TEST_DECIDERS,
  check(ctx) {
    const reported = new Set<string>();
    for (const site of acceptSites(ctx)) checkSite(ctx, site, reported);
  },
};

const LEAVING_JUMPS = new Set(['return', 'break', 'goto', 'co_return']);

function checkSite(ctx: RuleContext, site: AcceptSite, reported: Set<string>): void {
  if (!site.variable) return;
  const cfg = ctx.cfg(site.fn);
  if (!cfg) return;
  const acceptNode = nodeEvaluating(cfg, site.node);
  // Dead code (after an unconditional `continue`): it accepts nothing.
  if (!acceptNode || !reachableFromEntry(cfg).has(acceptNode.id)) return;
  const flow = acceptFlow(ctx, cfg, site)!;
  // Only a loop that drains the backlog can leave it too early: an event loop runs once per
  // event, and an EINTR retry loop is meant to be left once accept() succeeds.
  const accepting = acceptLoopOf(cfg, acceptNode, flow);
  if (!accepting || accepting.role !== 'drain') return;
  const loop = accepting.loop;
  const exits = cfg.nodes.filter((n) => n.jump && LEAVING_JUMPS.has(n.jump) && loop.nodes.has(n.id) && leavesLoop(n, loop));
  if (exits.length === 0) return;
  const offending = exits.filter((n) => ((flow.before(n) ?? 0) & VALID) !== 0).sort((a, b) => a.syntax!.startIndex - b.syntax!.startIndex);
  if (offending.length === 0) return;

  const trigger = listenerTriggerMode(ctx, ctx.options, site.fn, site.listener, site.variable === site.listener ? site.call.line : undefined);
  if (trigger.mode === 'level') return;
  // Undecided listeners: silent unless the user asks for notes (`edgeTriggered: ask`).
  if (trigger.mode === 'unknown' && !asksAboutUndecided(ctx, ctx.options, cfg.function, false)) return;
  const edge = trigger.mode === 'edge';
  const severity = edge ? ctx.severity : 'note';
  const acceptLocation = ctx.locate(spanOf(site.node));

  // A note is a question ("is this listener edge-triggered?"): ask it once per loop, not per exit.
  const reportedExits = edge ? offending : offending.slice(0, 1);
  const others = offending.length - reportedExits.length;
  for (const exit of reportedExits) {
    const key = `${exit.id}@${site.fn}`;
    if (reported.has(key)) continue;
    reported.add(key);
    const statement = exit.syntax!;
    const what = exit.jump === 'goto' ? `goto ${exit.label ?? ''}`.trim() : exit.jump === 'co_return' ? 'co_return' : exit.jump!;
    const evidence = trigger.registration ? ` (${registrationEvidence({ ...trigger, registration: trigger.registration })})` : ' (taken as edge-triggered by the edgeTriggered option)';
    const consequence = edge
      ? `'${site.listener}' is edge-triggered${evidence}, so connections still queued get no new wake-up and wait in the backlog (CLOSE_WAIT once their clients give up)`
      : `if '${site.listener}' is edge-triggered (no EPOLLET/EV_CLEAR/EV_ET registration of it was found), connections still queued are stranded in the backlog`;
    const related: RelatedLocation[] = [{ location: acceptLocation, message: `${site.call.callee}() accepted a connection into '${site.variable}' here` }];
    related.push(...evidenceLocations(trigger));
    const path = findPath(acceptNode, exit, (e) => loop.nodes.has(e.to.id) && ((flow.along(e) ?? 0) & VALID) !== 0);
    const steps: RelatedLocation[] = [
      { location: acceptLocation, message: `${site.call.callee}() succeeds: '${site.variable}' holds a connection` },
      ...(path ? branchSteps(ctx, path) : []),
      { location: ctx.locate(spanOf(statement)), message: `'${what}' leaves the accept loop before ${site.call.callee}() has reported EAGAIN` },
    ];
    ctx.report({
      span: spanOf(statement),
      message: `'${what}' leaves the accept loop after ${site.call.callee}() succeeded ${lineReference(site.call.line)}; ${consequence}. Use 'continue' so the loop runs until ${site.call.callee}() fails with EAGAIN${others > 0 ? ` (${others} more exit${others === 1 ? '' : 's'} of this loop likewise)` : ''}`,
      severity,
      related,
      path: steps,
      fix: continueFix(ctx, exit, loop),
      functionIndex: site.fn,
      anchorText: statement.text,
    });
  }
}

/** A jump leaves the loop when its target is outside the loop's nodes (a break of an inner switch does not). */
function leavesLoop(node: CfgNode, loop: LoopInfo): boolean {
  const target = jumpTarget(node);
  return target !== undefined && !loop.nodes.has(target.id);
}

const SIDE_EFFECT_FREE = /^[\w\s.\->()!-]*$/;

/** `continue` is a faithful replacement only when the accept loop is the jump's innermost loop and nothing is lost. */
function continueFix(ctx: RuleContext, exit: CfgNode, loop: LoopInfo): Fix | undefined {
  if (exit.loops[0] !== loop || exit.viaMacro) return undefined;
  const statement = exit.syntax!;
  const value = exit.jump === 'return' ? statement.namedChildren[0] : undefined;
  if (value && (!SIDE_EFFECT_FREE.test(value.text) || value.text.includes('('))) return undefined;
  return {
    description: `Replace '${statement.text.replace(/\s+/g, ' ')}' with 'continue;'`,
    edits: [{ location: ctx.locate(spanOf(statement)), newText: 'continue;' }],
    preferred: true,
  };
}
