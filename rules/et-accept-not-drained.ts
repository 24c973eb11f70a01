import { acceptSites } from '../domain/accept/accept-sites.js';
import { acceptWrappersProvider } from '../domain/accept/accept-wrappers.js';
import { ACCEPT_PROVIDERS } from '../domain/accept/providers.js';
import { fileItems } from '../core/project/provider.js';
import { callGraphOf } from '../core/project/call-graph.js';
import { innermostRealLoop, nodeEvaluating } from '../core/flow/cfg.js';
import { spanOf } from '../core/project/facts.js';
import type { RelatedLocation } from '../core/engine/findings.js';
import type { Rule } from '../core/engine/rule.js';
import { describeRegistration, listenerTriggerMode, edgeTriggeredOptionsSchema } from '../domain/accept/trigger-mode.js';

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
    precision: 'high',
    securitySeverity: 5.3,
    fixable: false,
    optionsSchema: edgeTriggeredOptionsSchema({
      auto: 'decide from EPOLLET/EV_CLEAR/EV_ET registrations (listeners with none stay silent)',
      always: 'treat every listener as edge-triggered (every accept outside a loop is reported)',
      never: 'treat every listener as level-triggered (nothing is reported)',
    }),
  },
  providers: ACCEPT_PROVIDERS,
  check(ctx) {
    const wrappers = new Set(fileItems(ctx.file.facts, acceptWrappersProvider).map((w) => w.fn));
    const graph = callGraphOf(ctx.index);
    for (const site of acceptSites(ctx)) {
      const fn = ctx.file.facts.functions[site.fn]!;
      // A wrapper that returns the accepted descriptor is judged at its callers.
      if (wrappers.has(site.fn)) continue;
      const cfg = ctx.cfg(site.fn);
      if (!cfg) continue;
      const node = nodeEvaluating(cfg, site.node);
      if (!node || innermostRealLoop(node)) continue;
      // A helper whose callers loop on its result (`while (accept_one(l) == 0);`) drains too; an
      // event loop that calls a handler for its side effects (`on_readable(fd);`) does not.
      const fnRef = graph.refOf(ctx.file.path, fn);
      const callers = fnRef ? graph.callSitesOf(fnRef) : [];
      if (callers.length > 0 && callers.every((c) => c.call.inLoop && c.call.resultUsed)) continue;
      const trigger = listenerTriggerMode(ctx, ctx.options, site.fn, site.listener);
      if (trigger.mode !== 'edge') continue;
      const related: RelatedLocation[] = [];
      if (trigger.registration) {
        const r = trigger.registration;
        related.push({ location: { file: r.site.file, line: r.site.line, column: r.site.column, endLine: r.site.endLine, endColumn: r.site.endColumn }, message: describeRegistration(r) });
      }
      ctx.report({
        span: spanOf(site.node),
        message: `${site.call.callee}() on edge-triggered listener '${site.listener}' is not in a loop: one connection is accepted per wake-up and the rest of the backlog waits for the next client. Loop until ${site.call.callee}() fails with EAGAIN`,
        related,
        functionIndex: site.fn,
        anchorText: site.node.text,
      });
    }
  },
};
