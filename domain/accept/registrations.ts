import { TRIGGER_REGISTRATIONS } from './trigger-apis.js';
import { flagHelpersProvider } from './flag-helpers.js';
import { macroRegistrations, type MacroRegistration } from './macro-registrations.js';
import { equalityAliasesProvider } from './equality-aliases.js';
import type { TriggerApi, TriggerRegistration } from '../catalog/trigger-registration.js';
import { descriptorKey, keyBaseName, keysMatch } from '../descriptors/descriptor-key.js';
import type { CallFact, FunctionFact, ParamFact, ScopeInfo, Span } from '../../core/project/facts.js';
import { spanOf as nodeSpan } from '../../core/project/facts.js';
import type { ProjectIndex, SiteRef } from '../../core/project/project-index.js';
import { callGraphOf, type FunctionRef } from '../../core/project/call-graph.js';
import { itemsOf, type FactsProvider, type FileFactsInput } from '../../core/project/provider.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { identifiersIn, squeeze } from '../../core/syntax/nodes.js';
import { escapeRegExp } from '../../core/util/regexp.js';
import { push } from '../../core/util/multimap.js';

/**
 * Registrations of descriptors with an event notifier (epoll_ctl, EV_SET, event_new, …) and their
 * trigger mode, as a facts provider: per file, each registering call with the descriptor's key and
 * its flags (or the parameter they come from); per project, the registrations made concrete —
 * a wrapper whose descriptor or flags are parameters is expanded at each of its call sites.
 */

/** How a registration sets the trigger mode: fixed, or taken from a parameter of its function. */
export type TriggerMode = 'edge' | 'level' | 'unknown';
export type ModeSource = TriggerMode | ParamMode;

/**
 * The mode comes from parameter `param`: its flags, or, with `edgeWhen`, a comparison of it with a
 * constant (`if (trigger == ospoll_trigger_edge) ev.events |= EPOLLET;`): edge-triggered when the
 * argument is (`equals`) or is not that constant.
 */
export interface ParamMode {
  readonly param: number;
  readonly edgeWhen?: { readonly equals: boolean; readonly value: string };
}

export interface RegistrationItem extends Span {
  readonly api: TriggerApi;
  /** Registering call: `epoll_ctl`, `EV_SET`, `event_new`, … */
  readonly call: string;
  /** Descriptor key (see descriptor-key.ts). */
  readonly key: string;
  readonly mode: ModeSource;
  readonly fn: number;
  /** libevent: the callback that receives this descriptor as its first argument. */
  readonly callback?: string;
  /** Functions its flags call when the mode is unknown (`e.events = epoll_events(i, NULL)`): see flag-helpers.ts. */
  readonly flagCalls?: readonly string[];
}

/** A registration with its trigger mode and key made concrete (wrappers expanded at their call sites). */
export interface ResolvedRegistration {
  readonly key: string;
  readonly mode: TriggerMode;
  readonly api: TriggerApi;
  readonly call: string;
  readonly site: SiteRef;
  /** The wrapper call that made this registration concrete, when there was one. */
  readonly via?: SiteRef;
  readonly callback?: string;
}

export interface Registrations {
  /** Registrations that may register the descriptor named by `key`. */
  registrationsOf(key: string): ResolvedRegistration[];
  /** libevent-style registrations whose callback is `functionName` (the callback gets the fd as argument 0). */
  registrationsWithCallback(functionName: string, file: string): ResolvedRegistration[];
  /**
   * The program's event layer, when every registration it makes (at least one) is
   * edge-triggered: one of them, as evidence. A descriptor handed to a callback of that layer is
   * then edge-triggered whatever its key.
   */
  edgeTriggeredLayer(): ResolvedRegistration | undefined;
}

const WRAPPER_DEPTH = 3;

export const registrationsProvider: FactsProvider<RegistrationItem, Registrations> = {
  id: 'trigger-registrations',
  extract(file: FileFactsInput): RegistrationItem[] {
    const out: RegistrationItem[] = [];
    // (Only a file that names a registering call can define a macro around one.)
    const macros = file.partial ? new Map<string, MacroRegistration>() : macroRegistrations(file.text, TRIGGER_REGISTRATIONS);
    file.calls.forEach((call, i) => {
      const macro = macros.get(call.callee);
      if (macro) {
        const reg = macroRegistration(macro, call, file.callNodes[i]!, file.scope(call.fn));
        if (reg) out.push(reg);
        return;
      }
      const spec = TRIGGER_REGISTRATIONS.find((r) => r.name === call.callee);
      if (!spec) return;
      const reg = registration(spec, call, file.callNodes[i]!, file.scope(call.fn), file.text, file.functionNodes[call.fn]);
      if (!reg) return;
      out.push(reg);
      for (const key of fieldCopies(call.args[spec.fdArg]!, file.scope(call.fn), file.text, file.functionNodes[call.fn])) out.push({ ...reg, key });
    });
    return out;
  },
  build: resolveRegistrations,
};

function resolveRegistrations(index: ProjectIndex): Registrations {
  const byName = new Map<string, ResolvedRegistration[]>();
  const byCallback = new Map<string, ResolvedRegistration[]>();
  const all: ResolvedRegistration[] = [];
  const add = (reg: ResolvedRegistration): void => {
    push(byName, keyBaseName(reg.key), reg);
    if (reg.callback) push(byCallback, reg.callback, reg);
    all.push(reg);
  };
  const helpers = index.derived(flagHelpersProvider);
  // Flags computed by a helper that always returns the edge flag (`epoll_events(…)`).
  const modeOf = (reg: RegistrationItem): ModeSource => {
    if (reg.mode !== 'unknown' || !reg.flagCalls) return reg.mode;
    const spec = TRIGGER_REGISTRATIONS.find((r) => r.name === reg.call);
    return spec && reg.flagCalls.some((name) => helpers.get(name) === spec.edgeFlag) ? 'edge' : 'unknown';
  };
  /** Makes a registration concrete; one whose key or mode is a parameter is expanded at each call site. */
  const graph = callGraphOf(index);
  const expand = (file: string, functions: readonly FunctionFact[], item: RegistrationItem): void => {
    const reg = { ...item, mode: modeOf(item) };
    const fn = functions[reg.fn];
    const site: SiteRef = { file, ...spanOf(reg) };
    const base = { api: reg.api, call: reg.call, site, callback: reg.callback };
    const keyParam = paramOf(reg.key);
    const modeParam = typeof reg.mode === 'object' ? reg.mode.param : undefined;
    if ((keyParam === undefined && modeParam === undefined) || !fn) {
      add({ ...base, key: reg.key, mode: typeof reg.mode === 'object' ? 'unknown' : reg.mode });
      return;
    }
    const spec = TRIGGER_REGISTRATIONS.find((r) => r.name === reg.call)!;
    // `fixedMode`: the mode once a caller's argument decided it (`ospoll_add(server_poll, fd,
    // ospoll_trigger_level, …)` inside `SetNotifyFd(fd, …)`), carried on to that caller's callers.
    const visit = (fnRef: FunctionRef, keyP: number | undefined, modeP: number | undefined, fixedKey: string | undefined, fixedMode: TriggerMode, depth: number, via: SiteRef | undefined, edgeWhen: ParamMode['edgeWhen']): void => {
      for (const call of graph.callSitesOf(fnRef)) {
        const scope = { file: call.file, functionName: call.caller.qualifiedName, className: call.caller.className, params: call.caller.params };
        const key = keyP !== undefined ? (call.call.args[keyP] ? descriptorKey(call.call.args[keyP]!, scope) : undefined) : fixedKey;
        const modeArg = modeP !== undefined ? call.call.args[modeP] : undefined;
        const mode = modeP === undefined ? fixedMode : modeArg === undefined ? 'unknown' : modeOfArgument(modeArg, edgeWhen, spec, call.caller.params);
        if (!key) continue;
        const thisVia = via ?? { file: call.file, ...spanOf(call.call) };
        const nextKeyP = paramOf(key);
        const nextModeP = typeof mode === 'object' ? mode.param : undefined;
        if (nextModeP === undefined) add({ ...base, key, mode: mode as TriggerMode, via: thisVia });
        expandedModes.add(typeof mode === 'object' ? 'unknown' : mode);
        if ((nextKeyP !== undefined || nextModeP !== undefined) && depth > 1) {
          visit(call.edge.caller, nextKeyP, nextModeP, nextKeyP === undefined ? key : undefined, typeof mode === 'object' ? 'unknown' : mode, depth - 1, thisVia, typeof mode === 'object' ? mode.edgeWhen : undefined);
        }
      }
    };
    const fnRef = graph.refOf(file, fn);
    const expandedModes = new Set<TriggerMode>();
    if (fnRef) visit(fnRef, keyParam, modeParam, keyParam === undefined ? reg.key : undefined, typeof reg.mode === 'object' ? 'unknown' : reg.mode, WRAPPER_DEPTH, undefined, typeof reg.mode === 'object' ? reg.mode.edgeWhen : undefined);
    // Keep the unexpanded registration too: callbacks and same-function parameters still match it.
    // A mode from a parameter is then the one every call site gives, when they all agree
    // (`ospoll_add(…, ospoll_trigger_level, …)` everywhere: level), else undecided.
    const agreed = expandedModes.size === 1 ? [...expandedModes][0]! : 'unknown';
    add({ ...base, key: reg.key, mode: typeof reg.mode === 'object' ? agreed : reg.mode });
  };
  for (const { item, file, functions } of itemsOf(index, registrationsProvider)) expand(file, functions, item);
  return {
  /** Registrations that may register the descriptor named by `key`. */
  registrationsOf(key: string): ResolvedRegistration[] {
    return (byName.get(keyBaseName(key)) ?? []).filter((r) => keysMatch(r.key, key));
  },

  /** libevent-style registrations whose callback is `functionName` (the callback gets the fd as argument 0). */
  registrationsWithCallback(functionName: string, file: string): ResolvedRegistration[] {
    return (byCallback.get(functionName) ?? []).filter((r) => r.site.file === file || !index.defines(r.site.file, functionName));
  },

  edgeTriggeredLayer(): ResolvedRegistration | undefined {
    // Every one, of every API, those whose mode comes from a parameter too: one the wrapper's
    // callers decide (nginx's `ngx_epoll_add_event(ev, event, flags)`, called through a function
    // pointer) may register a listener level-triggered, and a program with two notifiers may
    // serve its listeners with the other one.
    // Each build has its own notifier (a `*-kqueue.c` or `*-epoll.c` backend the build system
    // picks): a Linux build's event layer is all but kqueue's, a BSD build's all but epoll's.
    const foreign = index.platform === 'bsd' ? 'epoll' : 'kqueue';
    const native = all.filter((r) => r.api !== foreign);
    if (native.length === 0 || !native.every((r) => r.mode === 'edge')) return undefined;
    // The same evidence whatever order the index was built in: the first by file and line.
    return native.reduce((a, b) => (b.site.file.localeCompare(a.site.file) || b.site.line - a.site.line) < 0 ? b : a);
  },
  };
}

/**
 * Keys a parameter can stand for: the argument keys at the call sites of its function, followed
 * through further parameters up to a small depth.
 */
export function argumentKeys(index: ProjectIndex, fn: FunctionRef, paramIndex: number, depth = WRAPPER_DEPTH): { key: string; site: SiteRef }[] {
  const out: { key: string; site: SiteRef }[] = [];
  const aliases = index.derived(equalityAliasesProvider);
  for (const site of callGraphOf(index).callSitesOf(fn)) {
    const arg = site.call.args[paramIndex];
    if (!arg) continue;
    const scope = { file: site.file, functionName: site.caller.qualifiedName, className: site.caller.className, params: site.caller.params };
    const ref = { file: site.file, ...spanOf(site.call) };
    // `if (fd == lfd) handle_accept(efd, fd)`: the argument is also the descriptor it equals there.
    const alias = aliases.get(`${site.file}:${site.call.line}:${site.call.column}:${paramIndex}`);
    for (const expression of alias ? [arg, alias] : [arg]) {
      const key = descriptorKey(expression, scope);
      if (!key) continue;
      // A parameter key is kept too: a registration may reach the same parameter from another path.
      out.push({ key, site: ref });
      if (key.startsWith('param:') && depth > 1) out.push(...argumentKeys(index, site.edge.caller, Number(key.slice(key.lastIndexOf(':') + 1)), depth - 1));
    }
  }
  return out;
}

/**
 * The mode an argument gives a wrapper's parameter: its flags, or, when the wrapper compares the
 * parameter with a constant (`edgeWhen`), that constant or another one (`ospoll_add(…,
 * ospoll_trigger_level, …)` where only `ospoll_trigger_edge` adds EPOLLET), or the caller's parameter.
 */
function modeOfArgument(arg: string, edgeWhen: ParamMode['edgeWhen'], spec: Pick<TriggerRegistration, 'edgeFlag' | 'flagPrefix'>, params: readonly ParamFact[]): ModeSource {
  if (!edgeWhen) return classifyFlags(arg, spec, params);
  const value = squeeze(arg).replace(/^\((.*)\)$/, '$1');
  if (!/^[A-Za-z_][\w:]*$/.test(value)) return 'unknown';
  const param = params.findIndex((p) => p.name === value);
  if (param >= 0) return { param, edgeWhen };
  return (value === edgeWhen.value) === edgeWhen.equals ? 'edge' : 'level';
}

/** Classifies a flags expression: contains the edge flag, only this API's constants, or a parameter. */
export function classifyFlags(flags: string, spec: Pick<TriggerRegistration, 'edgeFlag' | 'flagPrefix'>, params: readonly ParamFact[]): ModeSource {
  const ids = identifiersIn(flags);
  // `edge ? EPOLLET : 0`: edge-triggered on one arm only, decided at run time — by the caller when
  // the condition compares a parameter with a constant (`trigger == ospoll_trigger_edge ? EPOLLET : 0`).
  if (ids.includes(spec.edgeFlag)) return conditionalEdge(flags, spec.edgeFlag) ? parameterComparison(flags, spec.edgeFlag, params) ?? 'unknown' : 'edge';
  const unknown = ids.filter((id) => !spec.flagPrefix.test(id));
  if (unknown.length === 0) return ids.length > 0 || /^\d+$/.test(flags) ? 'level' : 'unknown';
  if (unknown.length === 1) {
    const param = params.findIndex((p) => p.name === unknown[0]);
    if (param >= 0) return { param };
  }
  return 'unknown';
}

/** `(p == C) ? (EPOLLET) : 0` with `p` a parameter: the mode is `p`'s, edge-triggered when it equals `C` (or differs, for `!=`, or with the flag in the other arm). */
function parameterComparison(flags: string, edgeFlag: string, params: readonly ParamFact[]): ParamMode | undefined {
  const m = /\(?\s*([A-Za-z_][\w:]*)\s*(==|!=)\s*([A-Za-z_][\w:]*)\s*\)?\s*\?([^?]*?[^:]):(?!:)/.exec(flags);
  if (!m) return undefined;
  const [name, other] = params.some((p) => p.name === m[1]) ? [m[1]!, m[3]!] : [m[3]!, m[1]!];
  const param = params.findIndex((p) => p.name === name);
  if (param < 0 || params.some((p) => p.name === other)) return undefined;
  const inFirstArm = new RegExp(`\\b${edgeFlag}\\b`).test(m[4]!);
  return { param, edgeWhen: { equals: (m[2] === '==') === inFirstArm, value: other } };
}

/** Is the edge flag in one arm of a `?:` and not the other? */
function conditionalEdge(flags: string, edgeFlag: string): boolean {
  const m = /\?([^:?]*):([^|)?]*)/.exec(flags);
  if (!m) return false;
  const has = (arm: string) => new RegExp(`\\b${edgeFlag}\\b`).test(arm);
  return has(m[1]!) !== has(m[2]!);
}

function registration(spec: TriggerRegistration, call: CallFact, callNode: SyntaxNode, scope: ScopeInfo, text: string, fnNode: SyntaxNode | undefined): RegistrationItem | undefined {
  if (spec.opArg !== undefined && spec.registeringOps) {
    // `mod ? EPOLL_CTL_MOD : EPOLL_CTL_ADD` registers either way; so may a variable `op` (nginx's
    // `ngx_epoll_add_event`). Only an operation that names none of the registering ones does not.
    const op = call.args[spec.opArg];
    if (!op) return undefined;
    const prefix = spec.registeringOps[0]!.replace(/[A-Z]+$/, '');
    const named = identifiersIn(op).filter((id) => id.startsWith(prefix));
    if (named.length > 0 && !named.some((id) => spec.registeringOps!.includes(id))) return undefined;
  }
  const fdText = call.args[spec.fdArg];
  // An API with no edge-triggered mode registers level-triggered, whatever its flags.
  let flags = spec.flagsArg < 0 ? '' : call.args[spec.flagsArg];
  if (!fdText || flags === undefined) return undefined;
  if (spec.removingFlags?.some((f) => identifiersIn(flags!).includes(f))) return undefined;
  const key = descriptorKey(fdText, scope);
  if (!key) return undefined;
  if (spec.flagsField) flags = structFieldValue(flags, spec.flagsField, text, fnNode, callNode) ?? '';
  const mode = spec.edgeFlag === '' ? 'level' : flags === '' ? 'unknown' : classifyFlags(flags, spec, scope.params);
  const callback = spec.callbackArg !== undefined ? call.args[spec.callbackArg] : undefined;
  const flagCalls = mode === 'unknown' ? [...flags.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]!) : [];
  return {
    api: spec.api,
    call: call.callee,
    key,
    mode,
    fn: call.fn,
    callback: callback && /^[A-Za-z_]\w*$/.test(callback) ? callback : undefined,
    ...(flagCalls.length > 0 ? { flagCalls } : {}),
    ...nodeSpan(callNode),
  };
}

/**
 * Keys of the fields the registering function copies the registered descriptor into: epollix's
 * `worker_data[i].server_fd = server_fd;` before `epoll_ctl(…, server_fd, &ev)` with `EPOLLET`,
 * whose worker then accepts on `data->server_fd`. The field holds the same listener, registered so.
 * For a local, the fields it is copied from too: pgagroal's `fd = watcher->fds.main.listen_fd;`
 * (one case of a switch) before `EV_SET(&kev, fd, …, EV_ADD | EV_CLEAR, …)`.
 */
function fieldCopies(fdText: string, scope: ScopeInfo, text: string, fnNode: SyntaxNode | undefined): string[] {
  const name = fdText.trim();
  if (!fnNode || !/^[A-Za-z_]\w*$/.test(name)) return [];
  const body = text.slice(fnNode.startIndex, fnNode.endIndex);
  const field = String.raw`([A-Za-z_][\w\[\]().>-]*?(?:\.|->)[A-Za-z_]\w*)`;
  const copies = [...body.matchAll(new RegExp(String.raw`${field}\s*=\s*${escapeRegExp(name)}\s*;`, 'g'))];
  if (descriptorKey(name, scope)?.startsWith('local:')) copies.push(...body.matchAll(new RegExp(String.raw`(?<![\w.>])${escapeRegExp(name)}\s*=\s*${field}\s*;`, 'g')));
  const keys: string[] = [];
  for (const m of copies) {
    // `workers[i].listen_fd`: a field of the array's element type. Only a field of a known type:
    // `field:*.listen_fd` would stand for every struct's field of that name.
    const key = descriptorKey(m[1]!.replace(/\[[^\]]*\]/g, ''), scope);
    if (key && !key.startsWith('field:*.') && !keys.includes(key)) keys.push(key);
  }
  return keys;
}

/** `SLAP_SOCK_ADD(s, sl);`: the macro's registration of its argument, with the flags its body assigns. */
function macroRegistration(macro: MacroRegistration, call: CallFact, callNode: SyntaxNode, scope: ScopeInfo): RegistrationItem | undefined {
  const fdText = call.args[macro.param];
  const key = fdText ? descriptorKey(fdText, scope) : undefined;
  if (!key) return undefined;
  const { spec } = macro;
  const mode = spec.edgeFlag === '' ? 'level' : macro.flags === '' ? 'unknown' : classifyFlags(macro.flags, spec, scope.params);
  return { api: spec.api, call: spec.name, key, mode, fn: call.fn, ...nodeSpan(callNode) };
}

/**
 * The flags an epoll registration uses: `&ev` → the expressions assigned to `ev.events` (or set in
 * its initializer) earlier in the function; `&(struct epoll_event){.events = …}` → that value.
 * Several assignments (`ev.events = EPOLLIN; ev.events |= EPOLLET;`) are joined with `|`.
 */
function structFieldValue(arg: string, field: string, text: string, fnNode: SyntaxNode | undefined, callNode: SyntaxNode): string | undefined {
  const literal = new RegExp(`\\.${field}=([^,}]+)`).exec(arg);
  if (literal) return literal[1];
  const variable = arg.replace(/^&/, '').replace(/^\((.*)\)$/, '$1');
  if (!fnNode) return undefined;
  const before = text.slice(fnNode.startIndex, callNode.startIndex);
  const v = escapeRegExp(variable);
  const assigned = [...before.matchAll(new RegExp(`${v}\\s*(?:\\.|->)\\s*${field}\\s*(\\|?=)\\s*([^;]+);`, 'g'))];
  let values: string[] = [];
  for (const m of assigned) {
    if (m[1] === '=') values = [];
    // `if (trigger == ospoll_trigger_edge) ev.events |= EPOLLET;`: that part only when the test holds.
    const test = CONDITIONAL_BEFORE.exec(before.slice(Math.max(0, m.index! - 200), m.index));
    values.push(test ? `(${squeeze(test[1]!)}) ? (${m[2]!}) : 0` : m[2]!);
  }
  if (values.length > 0) return squeeze(values.join('|'));
  const init = new RegExp(`\\b${v}\\s*=\\s*\\{([^;]*)\\}\\s*;`).exec(before) ?? new RegExp(`\\b${v}\\s*\\{([^;]*)\\}\\s*;`).exec(before);
  if (init) {
    const designated = new RegExp(`\\.${field}\\s*=\\s*([^,}]+)`).exec(init[1]!);
    if (designated) return squeeze(designated[1]!);
    const first = init[1]!.split(',')[0];
    if (first && !first.includes('.')) return squeeze(first);
  }
  return undefined;
}

/** An `if (…)` (or `if (…) {`) right before an assignment: its condition. */
const CONDITIONAL_BEFORE = /\bif\s*\(([^;{}]*)\)\s*\{?\s*$/;

function paramOf(key: string): number | undefined {
  return key.startsWith('param:') ? Number(key.slice(key.lastIndexOf(':') + 1)) : undefined;
}

function spanOf(span: Span): Span {
  return { line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn };
}
