import { keyBaseName, keysMatch, descriptorKey } from '../../domain/descriptors/descriptor-key.js';
import { classifyFlags, type ReturningMacro, type CallFact, type FileFacts, type FunctionFact, type RegistrationFact, type Span, type TriggerMode } from './facts.js';
import { TRIGGER_REGISTRATIONS, type TriggerApi } from '../../domain/catalog/posix.js';

/**
 * The project index: every file's facts merged, so a rule checking one file sees what the others
 * do (an EPOLLET registration in poller.c, an accept wrapper in net.c). Built by the CLI from all
 * inputs before checking; the LSP server keeps one up to date.
 */

export interface SiteRef extends Span {
  readonly file: string;
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

export interface CallSite {
  readonly file: string;
  readonly call: CallFact;
  readonly caller?: FunctionFact;
}

const WRAPPER_DEPTH = 3;

/**
 * The facts of a group of files, by name: everything of the index but the registrations (which
 * are resolved across all files). Built once per group, so the LSP server can rebuild only the
 * table of the document being edited and reuse the one of the rest of the workspace.
 */
export class FactsTable {
  readonly functionsByName = new Map<string, { file: string; fn: FunctionFact }[]>();
  readonly callsByCallee = new Map<string, CallSite[]>();
  readonly acceptWrappers = new Map<string, number>();
  readonly returningMacros = new Map<string, ReturningMacro>();
  readonly invalidMacros = new Set<string>();

  constructor(readonly files: readonly FileFacts[]) {
    for (const file of files) {
      for (const macro of file.returningMacros) this.returningMacros.set(macro.name, macro);
      for (const macro of file.invalidMacros) this.invalidMacros.add(macro);
      for (const fn of file.functions) {
        push(this.functionsByName, fn.name, { file: file.path, fn });
        if (fn.acceptWrapperOf !== undefined) this.acceptWrappers.set(fn.name, fn.acceptWrapperOf);
      }
      for (const call of file.calls) push(this.callsByCallee, call.callee, { file: file.path, call, caller: file.functions[call.fn] });
    }
  }
}

const NONE: readonly never[] = [];

export class ProjectIndex {
  private readonly registrationsByName = new Map<string, ResolvedRegistration[]>();
  private readonly registrationsByCallback = new Map<string, ResolvedRegistration[]>();
  /** Accept wrappers (in any file): function name → listener parameter. */
  readonly acceptWrappers: ReadonlyMap<string, number>;
  /** Function-like macros (in any file) that can return from the function they are used in. */
  readonly returningMacros: ReadonlyMap<string, ReturningMacro>;
  /** Object-like macros (in any file) that stand for -1. */
  readonly invalidMacros: ReadonlySet<string>;
  /** The tables the index looks names up in (one, or the LSP's tables of pieces and of the rest of the workspace). */
  readonly tables: readonly FactsTable[];

  /** The index of these files; `tables` when their facts are already tabled (in that order, later ones winning for macros). */
  constructor(
    readonly files: readonly FileFacts[],
    tables?: readonly FactsTable[],
  ) {
    this.tables = tables ?? [new FactsTable(files)];
    const only = this.tables.length === 1 ? this.tables[0]! : undefined;
    this.acceptWrappers = only ? only.acceptWrappers : new Map(this.tables.flatMap((t) => [...t.acceptWrappers]));
    this.returningMacros = only ? only.returningMacros : new Map(this.tables.flatMap((t) => [...t.returningMacros]));
    this.invalidMacros = only ? only.invalidMacros : new Set(this.tables.flatMap((t) => [...t.invalidMacros]));
    for (const file of files) for (const reg of file.registrations) this.expand(file, reg);
  }

  /** An index over tables built separately (each file in exactly one). */
  static over(tables: readonly FactsTable[]): ProjectIndex {
    return new ProjectIndex(
      tables.flatMap((t) => t.files),
      tables,
    );
  }

  functionsNamed(name: string): readonly { file: string; fn: FunctionFact }[] {
    return this.lookup((t) => t.functionsByName.get(name));
  }

  callsTo(name: string): readonly CallSite[] {
    return this.lookup((t) => t.callsByCallee.get(name));
  }

  private lookup<T>(get: (table: FactsTable) => T[] | undefined): readonly T[] {
    if (this.tables.length === 1) return get(this.tables[0]!) ?? NONE;
    // One copy at most: most names are in one table (a copy per further table adds up with many).
    let first: T[] | undefined;
    let joined: T[] | undefined;
    for (const table of this.tables) {
      const list = get(table);
      if (!list) continue;
      if (!first) first = list;
      else (joined ??= [...first]).push(...list);
    }
    return joined ?? first ?? NONE;
  }

  /**
   * Calls that reach the definition of `name` in `file`: calls in that file, and calls from files
   * that do not define a function of that name themselves (unless the definition is static).
   * Separate programs in one tree (and static helpers) often reuse names.
   */
  callsToDefinition(name: string, file: string): CallSite[] {
    const definition = this.functionsNamed(name).find((d) => d.file === file);
    return this.callsTo(name).filter((site) => site.file === file || (!definition?.fn.isStatic && !this.defines(site.file, name)));
  }

  /** Callees whose results the definitions of `name` return (for acquire-wrapper closure). */
  returnsCallOf(name: string): string[] {
    return this.functionsNamed(name).flatMap((d) => d.fn.returnsCallOf ?? []);
  }

  /** Every definition of `name` only borrows its parameter `index` (never closes, stores or returns it). */
  borrowsParam(name: string, index: number): boolean {
    const defs = this.functionsNamed(name);
    return defs.length > 0 && defs.every((d) => d.fn.borrowedParams?.includes(index));
  }

  /** Does `file` define a function called `name`? */
  defines(file: string, name: string): boolean {
    return this.functionsNamed(name).some((d) => d.file === file);
  }

  /** Registrations that may register the descriptor named by `key`. */
  registrationsOf(key: string): ResolvedRegistration[] {
    return (this.registrationsByName.get(keyBaseName(key)) ?? []).filter((r) => keysMatch(r.key, key));
  }

  /** libevent-style registrations whose callback is `functionName` (the callback gets the fd as argument 0). */
  registrationsWithCallback(functionName: string, file: string): ResolvedRegistration[] {
    return (this.registrationsByCallback.get(functionName) ?? []).filter((r) => r.site.file === file || !this.defines(r.site.file, functionName));
  }

  /**
   * Keys a parameter can stand for: the argument keys at the call sites of its function, followed
   * through further parameters up to a small depth.
   */
  argumentKeys(functionName: string, file: string, paramIndex: number, depth = WRAPPER_DEPTH): { key: string; site: SiteRef }[] {
    const out: { key: string; site: SiteRef }[] = [];
    for (const site of this.callsToDefinition(functionName, file)) {
      const arg = site.call.args[paramIndex];
      if (!arg || !site.caller) continue;
      const key = descriptorKey(arg, { file: site.file, functionName: site.caller.qualifiedName, className: site.caller.className, params: site.caller.params });
      if (!key) continue;
      const ref = { file: site.file, ...spanOf(site.call) };
      // A parameter key is kept too: a registration may reach the same parameter from another path.
      out.push({ key, site: ref });
      if (key.startsWith('param:') && depth > 1) out.push(...this.argumentKeys(site.caller.name, site.file, Number(key.slice(key.lastIndexOf(':') + 1)), depth - 1));
    }
    return out;
  }

  private add(reg: ResolvedRegistration): void {
    push(this.registrationsByName, keyBaseName(reg.key), reg);
    if (reg.callback) push(this.registrationsByCallback, reg.callback, reg);
  }

  /** Makes a registration concrete; one whose key or mode is a parameter is expanded at each call site. */
  private expand(file: FileFacts, reg: RegistrationFact): void {
    const fn = file.functions[reg.fn];
    const site: SiteRef = { file: file.path, ...spanOf(reg) };
    const base = { api: reg.api, call: reg.call, site, callback: reg.callback };
    const keyParam = paramOf(reg.key);
    const modeParam = typeof reg.mode === 'object' ? reg.mode.param : undefined;
    if ((keyParam === undefined && modeParam === undefined) || !fn) {
      this.add({ ...base, key: reg.key, mode: typeof reg.mode === 'object' ? 'unknown' : reg.mode });
      return;
    }
    const spec = TRIGGER_REGISTRATIONS.find((r) => r.name === reg.call)!;
    const visit = (fnName: string, fnFile: string, keyP: number | undefined, modeP: number | undefined, fixedKey: string | undefined, depth: number, via: SiteRef | undefined): void => {
      const sites = this.callsToDefinition(fnName, fnFile);
      for (const call of sites) {
        if (!call.caller) continue;
        const scope = { file: call.file, functionName: call.caller.qualifiedName, className: call.caller.className, params: call.caller.params };
        const key = keyP !== undefined ? (call.call.args[keyP] ? descriptorKey(call.call.args[keyP]!, scope) : undefined) : fixedKey;
        const modeArg = modeP !== undefined ? call.call.args[modeP] : undefined;
        const mode = modeP === undefined ? (reg.mode as TriggerMode) : modeArg === undefined ? 'unknown' : classifyFlags(modeArg, spec, call.caller.params);
        if (!key) continue;
        const thisVia = via ?? { file: call.file, ...spanOf(call.call) };
        const nextKeyP = paramOf(key);
        const nextModeP = typeof mode === 'object' ? mode.param : undefined;
        if (nextModeP === undefined) this.add({ ...base, key, mode: mode as TriggerMode, via: thisVia });
        if ((nextKeyP !== undefined || nextModeP !== undefined) && depth > 1) {
          visit(call.caller.name, call.file, nextKeyP, nextModeP, nextKeyP === undefined ? key : undefined, depth - 1, thisVia);
        }
      }
    };
    visit(fn.name, file.path, keyParam, modeParam, keyParam === undefined ? reg.key : undefined, WRAPPER_DEPTH, undefined);
    // Keep the unexpanded registration too: callbacks and same-function parameters still match it.
    this.add({ ...base, key: reg.key, mode: typeof reg.mode === 'object' ? 'unknown' : reg.mode });
  }

  /** Plain data for sending to worker threads. */
  toJSON(): readonly FileFacts[] {
    return this.files;
  }
}

function paramOf(key: string): number | undefined {
  return key.startsWith('param:') ? Number(key.slice(key.lastIndexOf(':') + 1)) : undefined;
}

function spanOf(span: Span): Span {
  return { line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
