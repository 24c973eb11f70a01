import type { CallFact, FileFacts, FunctionFact, Span } from './facts.js';
import { MacroTable, type TableScope } from './macro-table.js';
import { IncludeGraph } from './include-graph.js';
import type { FactsProvider, ProvidedItem } from './provider.js';
import { push } from '../util/multimap.js';
import type { TargetPlatform } from '../syntax/conditionals.js';

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
  readonly macros = new MacroTable();

  constructor(readonly files: readonly FileFacts[]) {
    for (const file of files) {
      this.macros.add(file);
      for (const fn of file.functions) push(this.functionsByName, fn.name, { file: file.path, fn });
      for (const call of file.calls) push(this.callsByCallee, call.callee, { file: file.path, call, caller: file.functions[call.fn] });
    }
  }
}

const NONE: readonly never[] = [];

export class ProjectIndex {
  /** The macros of every file (returning macros, aliases, integer constants, statement macros). */
  readonly macros: MacroTable;
  /** The tables the index looks names up in (one, or the LSP's tables of pieces and of the rest of the workspace). */
  readonly tables: readonly FactsTable[];
  private readonly built = new Map<string, unknown>();

  /**
   * The index of these files; `tables` when their facts are already tabled (in that order, later
   * ones winning for macros). `platform`: the build the facts are of (see core/project/platforms.ts).
   */
  constructor(
    readonly files: readonly FileFacts[],
    tables?: readonly FactsTable[],
    readonly platform: TargetPlatform = 'linux',
  ) {
    this.tables = tables ?? [new FactsTable(files)];
    this.macros = MacroTable.merged(this.tables.map((t) => t.macros));
  }

  /**
   * The project as a BSD or macOS build sees it: each file holding kqueue code in its BSD reading,
   * the others as they are. Undefined when no file holds kqueue code. Built once.
   */
  bsdVariant(): ProjectIndex | undefined {
    if (this.platform === 'bsd') return this;
    if (this.bsd === undefined) this.bsd = this.files.some((f) => f.bsd) ? new ProjectIndex(this.files.map((f) => f.bsd ?? f), undefined, 'bsd') : null;
    return this.bsd ?? undefined;
  }

  private bsd: ProjectIndex | null | undefined;

  /** The macros translation unit (or header) `path` sees: see MacroTable.forIncludes. */
  macrosFor(path: string): TableScope {
    if (this.macros.conflicts().size === 0) return this.macros;
    let scope = this.macrosByFile.get(path);
    if (!scope) {
      this.includeGraph ??= new IncludeGraph(this.files);
      this.macrosByFile.set(path, (scope = this.macros.forIncludes(this.includeGraph.reachable(path))));
    }
    return scope;
  }

  private includeGraph: IncludeGraph | undefined;
  private readonly macrosByFile = new Map<string, TableScope>();

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

  /**
   * Project functions that never return, given those known not to (`exit`, declared no-return):
   * every definition ends in a call to one of them with no `return` before (`merr()` ending in
   * `exit(1)`), followed through chains. Cached per set of known names.
   */
  neverReturning(known: ReadonlySet<string>): ReadonlySet<string> {
    const cached = this.neverReturningBy.get(known);
    if (cached) return cached;
    const ending = new Map<string, string[]>();
    for (const table of this.tables) {
      for (const [name, defs] of table.functionsByName) {
        const calls = defs.map((d) => d.fn.endsIn);
        if (calls.every((c) => c !== undefined)) ending.set(name, calls as string[]);
        else ending.set(name, []);
      }
    }
    const found = new Set<string>();
    for (let changed = true; changed; ) {
      changed = false;
      for (const [name, calls] of ending) {
        if (found.has(name) || known.has(name) || calls.length === 0) continue;
        if (calls.every((c) => known.has(c) || found.has(c))) {
          found.add(name);
          changed = true;
        }
      }
    }
    this.neverReturningBy.set(known, found);
    return found;
  }

  private readonly neverReturningBy = new WeakMap<ReadonlySet<string>, ReadonlySet<string>>();

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
