import type { MacroAlias, MacroBody, ReturningMacro, CallFact, FileFacts, FunctionFact, Span } from './facts.js';
import type { FactsProvider, ProvidedItem } from './provider.js';

/**
 * The project index: every file's facts merged, so a rule checking one file sees what the others
 * do (an EPOLLET registration in poller.c, an accept wrapper in net.c). Built by the session from
 * all of the project's files before checking; the LSP server keeps one up to date. It knows the
 * generic facts (functions, calls, macros); what a family of rules adds comes from its facts
 * providers (`derived`), built lazily once per index.
 */

export interface SiteRef extends Span {
  readonly file: string;
}

export interface CallSite {
  readonly file: string;
  readonly call: CallFact;
  readonly caller?: FunctionFact;
}

/**
 * The facts of a group of files, by name. Built once per group, so the LSP server can rebuild only the
 * table of the document being edited and reuse the one of the rest of the workspace.
 */
export class FactsTable {
  readonly functionsByName = new Map<string, { file: string; fn: FunctionFact }[]>();
  readonly callsByCallee = new Map<string, CallSite[]>();
  readonly returningMacros = new Map<string, ReturningMacro>();
  readonly macroAliases = new Map<string, MacroAlias>();
  readonly macroConstants = new Map<string, string>();
  readonly macroBodies = new Map<string, MacroBody>();

  constructor(readonly files: readonly FileFacts[]) {
    for (const file of files) {
      for (const macro of file.returningMacros) this.returningMacros.set(macro.name, macro);
      for (const alias of file.macroAliases ?? []) this.macroAliases.set(alias.name, alias);
      for (const constant of file.macroConstants ?? []) this.macroConstants.set(constant.name, constant.value);
      for (const body of file.macroBodies ?? []) this.macroBodies.set(body.name, body);
      for (const fn of file.functions) push(this.functionsByName, fn.name, { file: file.path, fn });
      for (const call of file.calls) push(this.callsByCallee, call.callee, { file: file.path, call, caller: file.functions[call.fn] });
    }
  }
}

const NONE: readonly never[] = [];

export class ProjectIndex {
  /** Function-like macros (in any file) that can return from the function they are used in. */
  readonly returningMacros: ReadonlyMap<string, ReturningMacro>;
  /** Macros (in any file) that stand for a function under another name. */
  readonly macroAliases: ReadonlyMap<string, MacroAlias>;
  /** Integer object-like macros (in any file): name → value. */
  readonly macroConstants: ReadonlyMap<string, string>;
  /** Statement macros (in any file) with the calls in their bodies. */
  readonly macroBodies: ReadonlyMap<string, MacroBody>;
  /** The tables the index looks names up in (one, or the LSP's tables of pieces and of the rest of the workspace). */
  readonly tables: readonly FactsTable[];
  private readonly built = new Map<string, unknown>();

  /** The index of these files; `tables` when their facts are already tabled (in that order, later ones winning for macros). */
  constructor(
    readonly files: readonly FileFacts[],
    tables?: readonly FactsTable[],
  ) {
    this.tables = tables ?? [new FactsTable(files)];
    const only = this.tables.length === 1 ? this.tables[0]! : undefined;
    this.returningMacros = only ? only.returningMacros : new Map(this.tables.flatMap((t) => [...t.returningMacros]));
    this.macroAliases = only ? only.macroAliases : new Map(this.tables.flatMap((t) => [...t.macroAliases]));
    this.macroConstants = only ? only.macroConstants : new Map(this.tables.flatMap((t) => [...t.macroConstants]));
    this.macroBodies = only ? only.macroBodies : new Map(this.tables.flatMap((t) => [...t.macroBodies]));
  }

  /**
   * The function a name stands for through macro aliases (`xs_socket` → `socket`, chains
   * followed), with the target's arguments as positions of the call's own (`sclose(x)` →
   * `close`, [0]); the name itself when it is no alias.
   */
  resolveAlias(name: string): { name: string; args?: readonly number[] } {
    let args: readonly number[] | undefined;
    const seen = new Set<string>();
    for (let alias = this.macroAliases.get(name); alias && !seen.has(alias.name); alias = this.macroAliases.get(name)) {
      seen.add(alias.name);
      // Compose: the new target's argument i is the previous level's argument alias.args[i].
      if (alias.args) args = alias.args.map((a) => (a < 0 ? -1 : args ? (args[a] ?? -1) : a));
      name = alias.target;
    }
    return { name, args };
  }

  /** A provider's project-level answers over this index (built on first use, then kept). */
  derived<Item extends ProvidedItem, P>(provider: FactsProvider<Item, P>): P {
    if (this.built.has(provider.id)) return this.built.get(provider.id) as P;
    // A provider that did not run in the facts pass would answer "nothing" everywhere, silently.
    const first = this.files[0];
    if (first && !(provider.id in first.provided)) throw new Error(`facts provider '${provider.id}' was not run: declare it in the providers of the rule that reads it`);
    const value = provider.build(this);
    this.built.set(provider.id, value);
    return value;
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

  /** Callees whose results the definitions of `name` return (for acquire-wrapper closure). */
  returnsCallOf(name: string): string[] {
    return this.functionsNamed(name).flatMap((d) => d.fn.returnsCallOf ?? []);
  }

  /** Does `file` define a function called `name`? */
  defines(file: string, name: string): boolean {
    return this.functionsNamed(name).some((d) => d.file === file);
  }

  /** Plain data for sending to worker threads. */
  toJSON(): readonly FileFacts[] {
    return this.files;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
