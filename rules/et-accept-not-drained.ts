import { acceptFlow, acceptSites, handsConnectionToCaller } from '../domain/accept/accept-sites.js';
import { acceptWrappersProvider } from '../domain/accept/accept-wrappers.js';
import { ACCEPT_PROVIDERS } from '../domain/accept/providers.js';
import { fileItems } from '../core/project/provider.js';
import { callGraphOf } from '../core/project/call-graph.js';
import { nodeEvaluating } from '../core/flow/cfg.js';
import { reachableFromEntry } from '../core/flow/dataflow.js';
import { spanOf } from '../core/project/facts.js';
import { lineReference, type RelatedLocation } from '../core/engine/findings.js';
import { acceptLoopOf, type LoopRole } from '../domain/accept/loop-roles.js';
import { retriedByHelper, retryHelpersProvider } from '../domain/accept/retry-helpers.js';
import { macrosIn } from '../core/project/macro-table.js';
import type { Rule } from '../core/engine/rule.js';
import { asksAboutUndecided, edgeTriggeredOptionsSchema, evidenceLocations, listenerTriggerMode, registrationEvidence } from '../domain/accept/trigger-mode.js';
import { SOCKET_TEST_DECIDERS } from '../domain/descriptors/address-lengths.js';

/**
 * One accept() per readiness event on an edge-triggered listener: when two clients arrive together
 * the second one waits for a third. The call must sit in a loop that runs until EAGAIN.
 */
export const etAcceptNotDrained: Rule = {
  meta: {
    id: 'et-accept-not-drained',
    title: 'Edge-triggered listener accepts one connection per wake-up',
    shortDescription: 'accept() on an edge-triggered listening socket is not in a loop, so the rest of the backlog is stranded.',
    fullDescription:
      'An edge-triggered notification (EPOLLET, EV_CLEAR, EV_ET) fires once when the backlog becomes non-empty. A handler that calls ' +
      'accept() once per notification leaves every other queued connection waiting until yet another client arrives. Accept in a loop ' +
      'until accept() fails with EAGAIN/EWOULDBLOCK.',
    defaultSeverity: 'error',
    tags: ['reliability', 'correctness', 'network', 'epoll'],
    cwe: ['CWE-400'],
    // Measured on held-out servers (docs/precision.md): errors on sets 120-121 were false more often than true.
    precision: 'medium',
    securitySeverity: 5.3,
    fixable: false,
    // kqueue backends register EV_CLEAR where epoll ones are level-triggered (core/project/platforms.ts).
    otherPlatforms: ['bsd'],
    optionsSchema: edgeTriggeredOptionsSchema({
      auto: 'decide from EPOLLET/EV_CLEAR/EV_ET registrations; listeners with none found are not reported',
      ask: 'as auto, and a note asks about each accept outside a draining loop on a listener whose trigger mode was not found',
      assume: 'as auto, and a listener whose trigger mode was not found is taken as edge-triggered (findings have the configured severity)',
      always: 'treat every listener as edge-triggered, whatever its registrations say',
      never: 'treat every listener as level-triggered (nothing is reported)',
    }),
  },
  providers: ACCEPT_PROVIDERS,
  testDeciders: SOCKET_TEST_DECIDERS,
  check(ctx) {
    const wrappers = new Set(fileItems(ctx.file.facts, acceptWrappersProvider).map((w) => w.fn));
    const graph = callGraphOf(ctx.index);
    const retryHelpers = ctx.index.derived(retryHelpersProvider);
    const asked = new Set<string>();
    for (const site of acceptSites(ctx)) {
      const fn = ctx.file.facts.functions[site.fn]!;
      // A wrapper that returns the accepted descriptor is judged at its callers.
      if (wrappers.has(site.fn)) continue;
      const cfg = ctx.cfg(site.fn);
      if (!cfg) continue;
      const node = nodeEvaluating(cfg, site.node);
      // Dead code (after an unconditional `continue`): it accepts nothing.
      if (!node || !reachableFromEntry(cfg).has(node.id)) continue;
      const accepting = acceptLoopOf(cfg, node, acceptFlow(ctx, cfg, site));
      // Tried again before every wait (a loop retrying on EAGAIN, or a project helper that runs it
      // so: PhotonLibOS's etdoio(LAMBDA(accept4(…)), …)): never waiting with a connection queued.
      if (accepting?.role === 'drain' || accepting?.role === 'wait') continue;
      if (retriedByHelper(site.node, retryHelpers, macrosIn(ctx.file, ctx.index, site.fn))) continue;
      // A helper whose callers loop on its result (`while (accept_one(l) == 0);`) drains too; an
      // event loop that calls a handler for its side effects (`on_readable(fd);`) does not.
      const fnRef = graph.refOf(ctx.file.path, fn);
      const callers = fnRef ? graph.callSitesOf(fnRef) : [];
      if (!accepting && callers.length > 0 && callers.every((c) => c.call.inLoop && c.call.resultUsed)) continue;
      const trigger = listenerTriggerMode(ctx, ctx.options, site.fn, site.listener, site.variable === site.listener ? site.call.line : undefined);
      if (trigger.mode === 'level') continue;
      // A loop around the accept (an event loop, a retry loop) shows a non-blocking listener. An
      // accept primitive that hands the connection to its caller leaves the question to the caller.
      if (trigger.mode === 'unknown' && (!asksAboutUndecided(ctx, ctx.options, cfg.function, accepting !== undefined) || handsConnectionToCaller(site, fn, cfg.function))) continue;
      // A note is a question about the listener: asked once per function (`accept4` under one
      // `#if` and `accept` under the other, an IPv6 and an IPv4 branch), not per accept.
      if (trigger.mode === 'unknown') {
        const question = `${site.fn}\0${site.listener}`;
        if (asked.has(question)) continue;
        asked.add(question);
      }
      const edge = trigger.mode === 'edge';
      const related: RelatedLocation[] = evidenceLocations(trigger);
      if (accepting) related.push({ location: ctx.locate(spanOf(accepting.loop.syntax.child(0) ?? accepting.loop.syntax)), message: LOOP_ROLE_NOTE[accepting.role] });
      const where = accepting ? LOOP_ROLE_CLAUSE[accepting.role](lineReference(accepting.loop.syntax.startPosition.row + 1)) : 'is not in a loop';
      const listener = edge ? `edge-triggered listener '${site.listener}'` : `listener '${site.listener}'`;
      const evidence = !edge
        ? ' (if it is edge-triggered: no EPOLLET/EV_CLEAR/EV_ET registration of it was found)'
        : trigger.registration
          ? ` (edge-triggered: ${registrationEvidence({ ...trigger, registration: trigger.registration })})`
          : ' (taken as edge-triggered by the edgeTriggered option)';
      ctx.report({
        span: spanOf(site.node),
        message: `${site.call.callee}() on ${listener} ${where}: one connection is accepted per wake-up and the rest of the backlog waits for the next client. Loop until ${site.call.callee}() fails with EAGAIN${evidence}`,
        severity: edge ? ctx.severity : 'note',
        related,
        functionIndex: site.fn,
        anchorText: site.node.text,
      });
    }
  },
};

/** What the message says about the loop an accept sits in (`at`: its line reference) when that loop does not drain. */
const LOOP_ROLE_CLAUSE: Record<LoopRole, (at: string) => string> = {
  drain: (at) => `is in a draining loop ${at}`,
  event: (at) => `runs once per readiness event (the loop ${at} iterates events, not the backlog)`,
  retry: (at) => `is in a loop that only retries a failed accept ${at}`,
  wait: (at) => `is in a loop that retries it after EAGAIN ${at}`,
  other: (at) => `is in a loop that does not repeat it until it fails ${at}`,
};

/** The related location on that loop. */
const LOOP_ROLE_NOTE: Record<LoopRole, string> = {
  drain: 'this loop accepts until accept() fails',
  event: 'this loop iterates readiness events: it runs once per event, not until accept() fails',
  retry: 'this loop only retries a failed accept(): it is left once accept() succeeds',
  wait: 'this loop tries accept() again before waiting each time',
  other: 'this loop does not repeat accept() until it fails',
};
