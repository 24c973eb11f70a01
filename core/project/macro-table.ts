import type { FileFacts, MacroAlias, MacroBody, MacroExpression, ReturningMacro } from './facts.js';
import type { SourceFile } from './source-file.js';
import { defineLines, macroAliasesAt, macroBodiesAt, macroConstantsAt, macroExpressionsAt, returningMacrosAt, type Positioned } from './macros.js';
import { isTranslationUnitPath } from '../syntax/language.js';
import { isInactive } from '../syntax/inactive-branches.js';

/**
 * What the macros mean at one place: the engine and the rules ask it what a name stands for
 * (an alias of a library function, an integer, a statement macro, a macro that may return).
 */
export interface MacroScope {
  /** Function-like macros that can return from the function they are used in. */
  readonly returning: ReadonlyMap<string, ReturningMacro>;
  /** Macros that stand for a function under another name. */
  readonly aliases: ReadonlyMap<string, MacroAlias>;
  /** Integer object-like macros: name → value. */
  readonly constants: ReadonlyMap<string, string>;
  /** Statement macros with the calls in their bodies. */
  readonly bodies: ReadonlyMap<string, MacroBody>;
  /** Function-like macros that are an expression reading their parameters (`#define SOCK_INVALID(s) ((s) < 0)`). */
  readonly expressions: ReadonlyMap<string, MacroExpression>;
  /** Functions declared with a no-return marker, standard or a macro's (`ATTRIB_NORETURN`): see no-return-declarations.ts. */
  readonly noReturnDeclared: ReadonlySet<string>;
  /** Object-like macros standing for a member access's object (`#define BX_SER_THIS theSerial->`), wherever the project defines them. */
  readonly memberPrefixes: ReadonlySet<string>;
  /**
   * The function a name stands for through macro aliases (`xs_socket` → `socket`, chains
   * followed), with the target's arguments as positions of the call's own (`sclose(x)` →
   * `close`, [0]); the name itself when it is no alias.
   */
  resolveAlias(name: string): { name: string; args?: readonly number[] };
  /** An expression macro that calls nothing but other such macros: what it is given is only read. */
  readsOnly(name: string): boolean;
}


/** The queries every scope answers from its maps. */
abstract class ScopeQueries {
  abstract readonly aliases: ReadonlyMap<string, MacroAlias>;
  abstract readonly expressions: ReadonlyMap<string, MacroExpression>;

  resolveAlias(name: string): { name: string; args?: readonly number[] } {
    let args: readonly number[] | undefined;
    const seen = new Set<string>();
    for (let alias = this.aliases.get(name); alias && !seen.has(alias.name); alias = this.aliases.get(name)) {
      seen.add(alias.name);
      // Compose: the new target's argument i is the previous level's argument alias.args[i].
      if (alias.args) args = alias.args.map((a) => (a < 0 ? -1 : args ? (args[a] ?? -1) : a));
      name = alias.target;
    }
    return { name, args };
  }

  readsOnly(name: string, depth = 0): boolean {
    const macro = this.expressions.get(name);
    return macro !== undefined && depth < 8 && macro.calls.every((callee) => callee !== name && this.readsOnly(callee, depth + 1));
  }
}

/** The maps a scope is read from, and `at`: the scope with a file's own definitions laid over it. */
export abstract class TableScope extends ScopeQueries implements MacroScope {
  abstract readonly returning: ReadonlyMap<string, ReturningMacro>;
  abstract readonly constants: ReadonlyMap<string, string>;
  abstract readonly bodies: ReadonlyMap<string, MacroBody>;
  abstract readonly noReturnDeclared: ReadonlySet<string>;
  abstract readonly memberPrefixes: ReadonlySet<string>;

  /**
   * The macros in effect in `[from, to)` of a file whose text is `text` (a function's body): the
   * table, with the file's own `#define`s and `#undef`s laid over it in file order. A name takes
   * the last definition or `#undef` before `from`, unless the function defines it itself (then
   * that definition: `#define CHECK(x) …` inside the body, `#undef CHECK` at its end); a name
   * the file defines only further down keeps the table's meaning.
   */
  at(text: string, from: number, to: number, inactive: () => readonly (readonly [number, number])[] = () => []): MacroScope {
    const own = fileMacros(text, inactive);
    if (own.events.length === 0) return this;
    const picks: number[] = [];
    for (const events of own.byName.values()) {
      let pick = -1;
      for (const i of events) {
        const event = own.events[i]!;
        if (event.at < from) pick = i;
        else if (event.at < to) {
          if (!event.undef) {
            pick = i;
            break;
          }
        } else break;
      }
      if (pick >= 0) picks.push(pick);
    }
    if (picks.length === 0) return this;
    const key = picks.join(',');
    let scopes = own.scopes.get(this);
    if (!scopes) own.scopes.set(this, (scopes = new Map()));
    let scope = scopes.get(key);
    if (!scope) scopes.set(key, (scope = new LayeredScope(this, ownLayer(own, picks))));
    return scope;
  }
}

/** What a name is defined as, of each kind (a returning macro with calls is also a statement macro). */
interface MacroDefinition {
  readonly returning?: ReturningMacro;
  readonly alias?: MacroAlias;
  readonly constant?: string;
  readonly body?: MacroBody;
  readonly expression?: MacroExpression;
}

/** One header's definition of a name. */
interface HeaderDefinition extends MacroDefinition {
  readonly file: string;
}

/**
 * The macros of the project's headers (and other included files), by name. A `.c`/`.cpp` file's
 * own `#define`s are not here — no other translation unit sees them; `at` lays them over the
 * table where they are in effect. A name that headers define differently (`CHECK` jumping to
 * `cleanup` in one, returning -1 in another) means what the header a translation unit includes
 * says (`forIncludes`); the maps themselves hold the last definition added, which is what a
 * file that includes none of them sees of a name only one header defines. One per FactsTable;
 * an index over several tables merges them.
 */
export class MacroTable extends TableScope {
  readonly returning = new Map<string, ReturningMacro>();
  readonly aliases = new Map<string, MacroAlias>();
  readonly constants = new Map<string, string>();
  readonly bodies = new Map<string, MacroBody>();
  readonly expressions = new Map<string, MacroExpression>();
  readonly noReturnDeclared = new Set<string>();
  readonly memberPrefixes = new Set<string>();
  /** Project macros that stand for a no-return marker, and the functions declared with each word that may be one. */
  private readonly noReturnMarkers = new Set<string>();
  private readonly declaredWith = new Map<string, string[]>();
  /** Each name's definitions by header, in the order the headers were added. */
  private readonly definitions = new Map<string, HeaderDefinition[]>();
  private conflictsFound: ReadonlyMap<string, readonly HeaderDefinition[]> | undefined;
  private readonly scopesByPicks = new Map<string, TableScope>();

  add(file: FileFacts): void {
    // A function declared no-return is one wherever it is called from.
    for (const name of file.noReturnDeclared ?? []) this.noReturnDeclared.add(name);
    // And one declared with a project's marker macro, whichever file defines the macro.
    for (const [word, fn] of file.markedDeclarations ?? []) this.markDeclaration(word, fn);
    for (const word of file.noReturnMarkers ?? []) this.addNoReturnMarker(word);
    // So is a member-access prefix: a name spelled as a type in front of a field.
    for (const name of file.memberPrefixes ?? []) this.memberPrefixes.add(name);
    if (isTranslationUnitPath(file.path)) return;
    const byName = new Map<string, { -readonly [K in keyof HeaderDefinition]: HeaderDefinition[K] }>();
    const of = (name: string) => {
      let definition = byName.get(name);
      if (!definition) byName.set(name, (definition = { file: file.path }));
      return definition;
    };
    for (const macro of file.returningMacros) of(macro.name).returning = macro;
    for (const alias of file.macroAliases ?? []) of(alias.name).alias = alias;
    for (const constant of file.macroConstants ?? []) of(constant.name).constant = constant.value;
    for (const body of file.macroBodies ?? []) of(body.name).body = body;
    for (const expression of file.macroExpressions ?? []) of(expression.name).expression = expression;
    for (const [name, definition] of byName) this.define(name, definition);
  }

  private markDeclaration(word: string, fn: string): void {
    if (this.noReturnMarkers.has(word)) this.noReturnDeclared.add(fn);
    else this.declaredWith.set(word, [...(this.declaredWith.get(word) ?? []), fn]);
  }

  private addNoReturnMarker(word: string): void {
    if (this.noReturnMarkers.has(word)) return;
    this.noReturnMarkers.add(word);
    for (const fn of this.declaredWith.get(word) ?? []) this.noReturnDeclared.add(fn);
    this.declaredWith.delete(word);
  }

  /** A later definition replaces the name's earlier one, whatever kind either is. */
  private define(name: string, definition: HeaderDefinition): void {
    set(this.returning, name, definition.returning);
    set(this.aliases, name, definition.alias);
    set(this.constants, name, definition.constant);
    set(this.bodies, name, definition.body);
    set(this.expressions, name, definition.expression);
    const list = (this.definitions.get(name) ?? []).filter((d) => d.file !== definition.file);
    list.push(definition);
    this.definitions.set(name, list);
    this.conflictsFound = undefined;
  }

  /** The tables' macros as one (the table itself when there is one); later tables win. */
  static merged(tables: readonly MacroTable[]): MacroTable {
    if (tables.length === 1) return tables[0]!;
    const merged = new MacroTable();
    for (const t of tables) {
      for (const [name, list] of t.definitions) for (const definition of list) merged.define(name, definition);
      for (const name of t.noReturnDeclared) merged.noReturnDeclared.add(name);
      for (const [word, fns] of t.declaredWith) for (const fn of fns) merged.markDeclaration(word, fn);
      for (const word of t.noReturnMarkers) merged.addNoReturnMarker(word);
      for (const name of t.memberPrefixes) merged.memberPrefixes.add(name);
    }
    return merged;
  }

  /** Names headers define in more than one way, with their definitions. */
  conflicts(): ReadonlyMap<string, readonly HeaderDefinition[]> {
    if (this.conflictsFound) return this.conflictsFound;
    const found = new Map<string, readonly HeaderDefinition[]>();
    for (const [name, list] of this.definitions) {
      if (list.length < 2) continue;
      const meaning = (d: HeaderDefinition) => JSON.stringify([d.returning, d.alias, d.constant, d.body, d.expression]);
      const first = meaning(list[0]!);
      if (list.some((d) => meaning(d) !== first)) found.set(name, list);
    }
    return (this.conflictsFound = found);
  }

  /**
   * The macros a translation unit sees that includes `headers` (itself first, then what it
   * includes, in the order a preprocessor meets them): a name headers define differently takes
   * the first of those definitions the unit includes (include guards and `#ifndef NAME` keep the
   * first), and is unknown when it includes none of them — guessing one would let another
   * unit's `CHECK` decide this one's paths.
   */
  forIncludes(headers: readonly string[]): TableScope {
    const conflicts = this.conflicts();
    if (conflicts.size === 0) return this;
    const position = new Map(headers.map((file, i) => [file, i] as const));
    const chosen = new Map<string, HeaderDefinition | undefined>();
    const picks: string[] = [];
    for (const [name, list] of conflicts) {
      let best: HeaderDefinition | undefined;
      let bestAt = Infinity;
      for (const definition of list) {
        const at = position.get(definition.file);
        if (at !== undefined && at < bestAt) {
          best = definition;
          bestAt = at;
        }
      }
      // The table's own value is the last definition: no overlay needed when that one is chosen.
      if (best === list[list.length - 1]) continue;
      chosen.set(name, best);
      picks.push(`${name}=${best?.file ?? ''}`);
    }
    if (picks.length === 0) return this;
    const key = picks.join('\n');
    let scope = this.scopesByPicks.get(key);
    if (!scope) this.scopesByPicks.set(key, (scope = new LayeredScope(this, chosen)));
    return scope;
  }
}

function set<V>(map: Map<string, V>, name: string, value: V | undefined): void {
  if (value === undefined) map.delete(name);
  else map.set(name, value);
}

/**
 * A scope read through a layer of definitions by name first (undefined there: the name is not a
 * macro here), then `base`: a translation unit's choice among headers' definitions
 * (MacroTable.forIncludes), a file's own `#define`s and `#undef`s (`at`).
 */
class LayeredScope extends TableScope {
  readonly returning: ReadonlyMap<string, ReturningMacro>;
  readonly aliases: ReadonlyMap<string, MacroAlias>;
  readonly constants: ReadonlyMap<string, string>;
  readonly bodies: ReadonlyMap<string, MacroBody>;
  readonly expressions: ReadonlyMap<string, MacroExpression>;
  readonly noReturnDeclared: ReadonlySet<string>;
  readonly memberPrefixes: ReadonlySet<string>;

  constructor(base: MacroScope, layer: ReadonlyMap<string, MacroDefinition | undefined>) {
    super();
    const of = <K extends keyof MacroDefinition>(kind: K) => {
      const over = new Map<string, MacroDefinition[K] | undefined>();
      for (const [name, definition] of layer) over.set(name, definition?.[kind]);
      return over;
    };
    this.returning = new OverlayMap(base.returning, of('returning'));
    this.aliases = new OverlayMap(base.aliases, of('alias'));
    this.constants = new OverlayMap(base.constants, of('constant'));
    this.bodies = new OverlayMap(base.bodies, of('body'));
    this.expressions = new OverlayMap(base.expressions, of('expression'));
    this.noReturnDeclared = base.noReturnDeclared;
    this.memberPrefixes = base.memberPrefixes;
  }
}

/** A file's `#define` and `#undef` lines in order, with what each definition is. */
interface FileMacros {
  readonly events: readonly { readonly name: string; readonly at: number; readonly undef: boolean }[];
  /** Name → indices of its events, in order. */
  readonly byName: ReadonlyMap<string, number[]>;
  readonly returning: ReadonlyMap<number, ReturningMacro>;
  readonly aliases: ReadonlyMap<number, MacroAlias>;
  readonly constants: ReadonlyMap<number, string>;
  readonly bodies: ReadonlyMap<number, MacroBody>;
  readonly expressions: ReadonlyMap<number, MacroExpression>;
  /** Scopes built over each table, by the events they pick. */
  readonly scopes: WeakMap<TableScope, Map<string, MacroScope>>;
}

const NO_MACROS: FileMacros = { events: [], byName: new Map(), returning: new Map(), aliases: new Map(), constants: new Map(), bodies: new Map(), expressions: new Map(), scopes: new WeakMap() };

let lastText: string | undefined;
let lastMacros: FileMacros = NO_MACROS;

function fileMacros(text: string, inactiveBranches: () => readonly (readonly [number, number])[]): FileMacros {
  // Asked once per function of the file being checked, always of the same text.
  if (text === lastText) return lastMacros;
  lastText = text;
  lastMacros = NO_MACROS;
  if (defineLines(text).length === 0 && !text.includes('undef')) return lastMacros;
  const inactive = inactiveBranches();
  const events: { name: string; at: number; undef: boolean }[] = [];
  const byName = new Map<string, number[]>();
  const directive = /^[ \t]*#[ \t]*(define|undef)[ \t]+([A-Za-z_]\w*)/gm;
  for (let m = directive.exec(text); m; m = directive.exec(text)) {
    if (isInactive(inactive, m.index)) continue;
    const name = m[2]!;
    const list = byName.get(name);
    if (list) list.push(events.length);
    else byName.set(name, [events.length]);
    events.push({ name, at: m.index, undef: m[1] === 'undef' });
  }
  if (events.length === 0) return lastMacros;
  const lines = events.filter((e) => !e.undef).map((e) => e.at);
  const byOffset = <T>(list: Positioned<T>[]) => new Map(list.map((d) => [d.at, d.value] as const));
  lastMacros = {
    events,
    byName,
    returning: byOffset(returningMacrosAt(text, lines)),
    aliases: byOffset(macroAliasesAt(text, lines)),
    constants: new Map(macroConstantsAt(text, lines).map((d) => [d.at, d.value.value] as const)),
    bodies: byOffset(macroBodiesAt(text, lines)),
    expressions: byOffset(macroExpressionsAt(text, lines)),
    scopes: new WeakMap(),
  };
  return lastMacros;
}

/**
 * What a file's picked `#define`s and `#undef`s make each name: an `#undef` none, a definition
 * what it is of each kind (none of the others: `#define CHECK(x) ((void)(x))` after a returning
 * CHECK is no longer returning).
 */
function ownLayer(own: FileMacros, picks: readonly number[]): Map<string, MacroDefinition | undefined> {
  const layer = new Map<string, MacroDefinition | undefined>();
  for (const i of picks) {
    const { name, at, undef } = own.events[i]!;
    layer.set(name, undef ? undefined : { returning: own.returning.get(at), alias: own.aliases.get(at), constant: own.constants.get(at), body: own.bodies.get(at), expression: own.expressions.get(at) });
  }
  return layer;
}

/** A map read through `over` first (undefined there: removed), then `base`. */
class OverlayMap<V> implements ReadonlyMap<string, V> {
  readonly size: number;

  constructor(
    private readonly base: ReadonlyMap<string, V>,
    private readonly over: ReadonlyMap<string, V | undefined>,
  ) {
    let size = base.size;
    for (const [name, value] of over) size += (value !== undefined ? 1 : 0) - (base.has(name) ? 1 : 0);
    this.size = size;
  }

  get(name: string): V | undefined {
    return this.over.has(name) ? this.over.get(name) : this.base.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  *entries(): MapIterator<[string, V]> {
    for (const entry of this.base) if (!this.over.has(entry[0])) yield entry;
    for (const [name, value] of this.over) if (value !== undefined) yield [name, value];
  }

  *keys(): MapIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [name, value] of this.entries()) callback(value, name, this);
  }
}

const scopesOfFiles = new WeakMap<SourceFile, { table: TableScope; scopes: MacroScope[] }>();

/** The macros in effect in function `fn` of a file being checked: its includes' (see MacroTable.forIncludes), then its own (see `at`). */
export function macrosIn(file: SourceFile, index: { macrosFor(path: string): TableScope }, fn: number): MacroScope {
  const table = index.macrosFor(file.path);
  let cached = scopesOfFiles.get(file);
  if (!cached || cached.table !== table) scopesOfFiles.set(file, (cached = { table, scopes: [] }));
  let scope = cached.scopes[fn];
  if (!scope) {
    const node = file.syntax.functionNodes[fn];
    scope = node ? table.at(file.text, node.startIndex, node.endIndex, file.syntax.inactiveBranches) : table;
    cached.scopes[fn] = scope;
  }
  return scope;
}
