import { descriptorKey } from '../descriptors/descriptor-key.js';
import { scopeInfo } from '../../core/project/facts.js';
import { callGraphOf } from '../../core/project/call-graph.js';
import { argumentKeys, registrationsProvider, type ResolvedRegistration, type TriggerMode } from './registrations.js';
import type { FileAnalysis } from '../../core/engine/settings.js';
import type { RelatedLocation } from '../../core/engine/findings.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { expectsNonBlocking, servedByLevelReadiness } from './loop-roles.js';
import { edgeFlagMentionsProvider } from './edge-flag-mentions.js';

/**
 * Is a listening descriptor edge-triggered? Decided from registrations anywhere in the project:
 * epoll_ctl ADD/MOD with EPOLLET, kqueue EV_SET with EV_CLEAR, libevent with EV_ET — on the same
 * descriptor expression, through parameters of the accepting function (its call sites), and for
 * libevent callbacks, through the registration that names the callback.
 */
export interface TriggerEvidence {
  readonly mode: TriggerMode;
  /** The registration that decided it (the edge-triggered one, or one level-triggered one). */
  readonly registration?: ResolvedRegistration;
  /** The descriptor key the decision is about. */
  readonly key?: string;
  /**
   * Decided by the program's event layer, not a registration of this descriptor: the accepting
   * function is a callback, and every registration the program makes with that API is edge-triggered.
   */
  readonly layer?: boolean;
  /**
   * A level-triggered registration of the same descriptor with another API (kqueue `EV_CLEAR` in
   * one backend, epoll without `EPOLLET` in another): the message names both rather than pick one.
   */
  readonly otherwise?: ResolvedRegistration;
}

/**
 * What to do about a listener: `auto` decides from registrations and says nothing when none is
 * found; `ask` turns that silence into a note; `assume` takes an undecided listener as
 * edge-triggered; `always` / `never` take every listener as edge- / level-triggered.
 */
export type EdgeTriggeredOption = 'auto' | 'ask' | 'assume' | 'always' | 'never';
const EDGE_TRIGGERED_OPTIONS: readonly EdgeTriggeredOption[] = ['auto', 'ask', 'assume', 'always', 'never'];

/**
 * The options schema of a rule that asks for trigger modes: `edgeTriggered`, with what `auto`,
 * `always` and `never` mean for that rule.
 */
export function edgeTriggeredOptionsSchema(meaning: Record<EdgeTriggeredOption, string>): Readonly<Record<string, unknown>> {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      edgeTriggered: {
        description: `auto (default): ${meaning.auto}; ask: ${meaning.ask}; assume: ${meaning.assume}; always: ${meaning.always}; never: ${meaning.never}.`,
        enum: EDGE_TRIGGERED_OPTIONS,
        default: 'auto',
      },
    },
  };
}

export function edgeTriggeredOption(options: Readonly<Record<string, unknown>>): EdgeTriggeredOption {
  const value = options['edgeTriggered'];
  return EDGE_TRIGGERED_OPTIONS.find((o) => o === value) ?? 'auto';
}

/**
 * `options`: the rule's options (`edgeTriggered`). `reassignedAtLine`: the line of an accept that
 * stores the connection into the listener's own variable (`fd = accept(fd, …)`, libvma's test
 * server): registrations of that variable after it, in the same function, are the connection's.
 */
export function listenerTriggerMode(ctx: FileAnalysis, options: Readonly<Record<string, unknown>>, fnIndex: number, listener: string, reassignedAtLine?: number): TriggerEvidence {
  const option = edgeTriggeredOption(options);
  if (option === 'always') return { mode: 'edge' };
  if (option === 'never') return { mode: 'level' };
  const { facts, syntax } = ctx.file;
  const fn = facts.functions[fnIndex];
  if (!fn) return { mode: 'unknown' };
  const scope = scopeInfo(facts.path, facts.functions, fnIndex, syntax.globals, syntax.locals);
  const key = descriptorKey(listener, scope);
  if (!key) return { mode: 'unknown' };
  const known = ctx.index.derived(registrationsProvider);
  const connections = (r: ResolvedRegistration) => reassignedAtLine !== undefined && r.site.file === facts.path && r.site.line > reassignedAtLine && r.site.line <= fn.endLine;
  const registrations: ResolvedRegistration[] = known.registrationsOf(key).filter((r) => !connections(r));
  if (key.startsWith('param:')) {
    const param = Number(key.slice(key.lastIndexOf(':') + 1));
    const fnRef = callGraphOf(ctx.index).refOf(facts.path, fn);
    if (fnRef) for (const { key: argKey } of argumentKeys(ctx.index, fnRef, param)) registrations.push(...known.registrationsOf(argKey));
    if (param === 0) registrations.push(...known.registrationsWithCallback(fn.name, facts.path));
  }
  // The evidence named is the same whatever order the index was built in (-j): the accepting
  // file's own registrations first, then by file and line.
  registrations.sort((a, b) => Number(b.site.file === facts.path) - Number(a.site.file === facts.path) || a.site.file.localeCompare(b.site.file) || a.site.line - b.site.line);
  const edge = registrations.find((r) => r.mode === 'edge');
  if (edge) {
    const otherwise = registrations.find((r) => r.mode === 'level' && r.api !== edge.api);
    return { mode: 'edge', registration: edge, key, ...(otherwise ? { otherwise } : {}) };
  }
  if (registrations.length > 0 && registrations.every((r) => r.mode === 'level')) return { mode: 'level', registration: registrations[0], key };
  // A callback of the program's event layer (`i.readable = cli_incoming; poller_add_item(p, &i)`)
  // whose every registration is edge-triggered gets its descriptors edge-triggered.
  if (registrations.length === 0 && !key.startsWith('local:')) {
    const graph = callGraphOf(ctx.index);
    const fnRef = graph.refOf(facts.path, fn);
    // A callback (stored or passed on as a value), not a thread's start routine.
    const callback = fnRef !== undefined && graph.registrations(fnRef).length > 0 && !graph.isThreadStartRoutine(fnRef);
    const layer = callback ? known.edgeTriggeredLayer() : undefined;
    if (layer) return { mode: 'edge', registration: layer, key, layer: true };
  }
  return { mode: option === 'assume' ? 'edge' : 'unknown', key };
}

/**
 * Flag and place of the evidence, for a message: `EPOLLET at server.c:42`, or the event layer's;
 * with a level-triggered registration through another API, both (`EV_ET at a.c:5; level-triggered
 * with epoll at b.c:9`).
 */
export function registrationEvidence(trigger: TriggerEvidence & { registration: ResolvedRegistration }): string {
  const r = trigger.registration;
  const at = placeOf(r);
  const edge = trigger.layer ? `a callback of an event layer that registers everything with ${edgeFlagOf(r)}, as at ${at}` : `${edgeFlagOf(r)} at ${at}`;
  return trigger.otherwise ? `${edge}; level-triggered with ${trigger.otherwise.api} at ${placeOf(trigger.otherwise)}` : edge;
}

function placeOf(r: ResolvedRegistration): string {
  return `${r.site.file.slice(r.site.file.lastIndexOf('/') + 1)}:${r.site.line}`;
}

/** The related location's message for the registration that decided the mode. */
export function describeRegistration(r: ResolvedRegistration, layer = false): string {
  const flag = edgeFlagOf(r);
  if (layer) return `every ${r.api} registration of the program is edge-triggered (${flag}), as here with ${r.call}()`;
  return r.mode === 'edge' ? `registered edge-triggered (${flag}) with ${r.call}() here` : `registered level-triggered with ${r.call}() here`;
}

function edgeFlagOf(r: ResolvedRegistration): string {
  return r.api === 'epoll' ? 'EPOLLET' : r.api === 'kqueue' ? 'EV_CLEAR' : r.api === 'libevent' ? 'EV_ET' : `no edge-triggered mode in ${r.api}`;
}


/**
 * Is an undecided listener worth a note? Only with `edgeTriggered: ask`, and only where it may be
 * non-blocking and edge-triggered: not one served by select()/poll() (level), nor — unless the
 * accept sits in a loop that shows it is meant to drain (`loopSaysNonBlocking`) — a blocking
 * accept that never sees EAGAIN; nor in a program that names no edge-triggered mode anywhere
 * (edge-flag-mentions.ts).
 */
export function asksAboutUndecided(ctx: Pick<FileAnalysis, 'index'>, options: Readonly<Record<string, unknown>>, fn: SyntaxNode, loopSaysNonBlocking: boolean): boolean {
  return edgeTriggeredOption(options) === 'ask' && !servedByLevelReadiness(fn) && (loopSaysNonBlocking || expectsNonBlocking(fn)) && ctx.index.derived(edgeFlagMentionsProvider);
}

/** The related locations of the evidence: the registration, and the wrapper call that made it concrete. */
export function evidenceLocations(trigger: TriggerEvidence): RelatedLocation[] {
  const r = trigger.registration;
  if (!r) return [];
  const at = (site: ResolvedRegistration['site']) => ({ file: site.file, line: site.line, column: site.column, endLine: site.endLine, endColumn: site.endColumn });
  const out: RelatedLocation[] = [{ location: at(r.site), message: describeRegistration(r, trigger.layer) }];
  if (r.via) out.push({ location: at(r.via), message: 'through this call' });
  if (trigger.otherwise) out.push({ location: at(trigger.otherwise.site), message: describeRegistration(trigger.otherwise) });
  return out;
}
