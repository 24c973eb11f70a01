import type { CallFact, FileFacts, FunctionFact, Span } from './facts.js';
import { splitQualified, type ClassFact, type FunctionRefFact } from './call-facts.js';
import type { FactsTable, ProjectIndex, SiteRef } from './project-index.js';
import { functionArgumentApi, ONCE_APIS, THREAD_START_APIS, type FunctionArgumentApi } from './thread-apis.js';
import { push } from '../util/multimap.js';

/**
 * The project's call graph, derived from the facts of the project index (so a worker thread that
 * receives the facts rebuilds the same graph). Nothing is computed up front: the LSP server builds
 * a new index on every edit, so a graph answers each query from the index's name tables and
 * memoizes what it worked out; the few tables of its own (functions used as values, constructor
 * calls, classes) are built once per FactsTable and so shared by the graphs of later indexes that
 * reuse the table (the LSP's table of the rest of the workspace).
 *
 * Resolution is by name, made precise where the facts allow: `static` functions only in their
 * file (unless defined in a header); a call prefers a definition in its own file, then one outside
 * files that define `main` of another program; methods by the class of the receiver (declared type
 * of a parameter, local or member; `this`); `Class::m()` only to that class (and its bases). When
 * one definition cannot be told, every candidate of the same shape (name, parameter count, method
 * or free function) gets an edge marked `ambiguous`. Calls through a field or variable holding a
 * function (`c->on_read(c)`) go to every function stored in a field or variable of that name
 * anywhere (`indirect`); calls of a function-pointer parameter go to the functions passed for it.
 */

/** A function: its file and its index among that file's functions. */
export interface FunctionRef {
  readonly file: string;
  /**
   * Index into the file's `functions` (FunctionFact.index). When the index holds the file in several
   * pieces (the LSP's per-function facts), into the pieces' functions one after the other, in index order.
   */
  readonly index: number;
}

/** How a function was handed over as a value. */
export type RegistrationVia =
  | { readonly kind: 'arg'; readonly callee: string; readonly arg: number }
  /** Assigned to a member (`c->on_read = f`). */
  | { readonly kind: 'field'; readonly field: string }
  /** Assigned to a variable (`cb = f`, `void (*cb)(int) = f`). */
  | { readonly kind: 'variable'; readonly variable: string }
  /** An element of a brace initializer (`{ .accept = f }`: field `accept`; `{ "GET", f }`: none). */
  | { readonly kind: 'initializer'; readonly field?: string };

/** A place that uses a function as a value: passed as a callback, stored in a field or table. */
export interface Registration {
  readonly site: SiteRef;
  /** The function it happens in; none at file scope (a static table of handlers). */
  readonly by?: FunctionRef;
  readonly via: RegistrationVia;
  /** The name there matched several functions (this is one of them). */
  readonly ambiguous: boolean;
}

/**
 * `call`: a direct call; `constructor`: `new T(…)`, `T x(…)`, `make_unique<T>(…)`, `T(…)`;
 * `indirect`: a call through a field, variable or parameter holding the callee (see `registeredBy`
 * for where it was stored); `callback`: the caller hands the callee over as a value (`registeredBy`)
 * — someone else (a library, a thread) may call it.
 */
export type EdgeKind = 'call' | 'constructor' | 'indirect' | 'callback';

export interface CallEdge {
  readonly caller: FunctionRef;
  readonly callee: FunctionRef;
  /** The call (or, for a callback, the place the function is named). */
  readonly site: SiteRef;
  readonly kind: EdgeKind;
  /** Resolved by shape only: one of several candidates. */
  readonly ambiguous: boolean;
  readonly indirect: boolean;
  /** The call is inside a loop of its function (CallFact.inLoop). Never for callbacks. */
  readonly inLoop: boolean;
  readonly registeredBy?: Registration;
  /** The call's facts (arguments, result use) for `call`, `constructor` and `indirect` edges. */
  readonly call?: CallFact;
}

/** A loop that runs a function: `chain[0]` is the call inside the loop, the last edge calls the function. */
export interface LoopWitness {
  readonly loop: SiteRef;
  readonly chain: readonly CallEdge[];
}

export interface ThreadStart {
  /** The API (`pthread_create`, `thread`, …) and the argument the function is passed as. */
  readonly api: FunctionArgumentApi;
  readonly registration: Registration;
}

export interface ReachedOnlyFrom {
  readonly only: boolean;
  /**
   * When `only`: a shortest chain from a root down to the function (empty when it is a root).
   * Otherwise: the chain from the offending place down to the function — for `loop` its first
   * edge is the call in a loop; for `registered`/`no-callers`/`depth` it starts at that function.
   */
  readonly witness: readonly CallEdge[];
  /**
   * `loop`: a call on the way is in a loop; `registered`: a function on the way is used as a value
   * (a callback, a handler table: it may be called from anywhere); `no-callers`: a function on the
   * way is called by no function of the project; `unreached`: the callers only call each other
   * (cycles not entered from a root); `depth`: the search was cut off.
   */
  readonly reason?: 'loop' | 'registered' | 'no-callers' | 'unreached' | 'depth';
  /** The function where the reason applies, and the registration for `registered`. */
  readonly at?: FunctionRef;
  readonly registration?: Registration;
  /** Cycles (recursion) among the callers looked at, each as its functions. */
  readonly cycles: readonly (readonly FunctionRef[])[];
}

const graphs = new WeakMap<ProjectIndex, CallGraph>();

/** The call graph of an index, built once per index. */
export function callGraphOf(index: ProjectIndex): CallGraph {
  let graph = graphs.get(index);
  if (!graph) {
    graph = new CallGraph(index);
    graphs.set(index, graph);
  }
  return graph;
}

interface Located<T> {
  readonly facts: FileFacts;
  readonly item: T;
}

interface Definition {
  readonly ref: FunctionRef;
  readonly fact: FunctionFact;
}

interface Resolution {
  readonly defs: readonly Definition[];
  readonly ambiguous: boolean;
}

interface Target {
  readonly def: Definition;
  readonly kind: EdgeKind;
  readonly ambiguous: boolean;
  readonly registeredBy?: Registration;
}

/** Per FactsTable: what the graph looks up that the index has no table for. */
interface GraphTable {
  readonly refsByName: Map<string, Located<FunctionRefFact>[]>;
  /** Stored in a member (assignments, designated initializers), by the member's name. */
  readonly refsByField: Map<string, Located<FunctionRefFact>[]>;
  /** Assigned to a variable, by its name. */
  readonly refsByVariable: Map<string, Located<FunctionRefFact>[]>;
  /** Passed as an argument, by the called function's (or class's) name. */
  readonly refsByCallee: Map<string, Located<FunctionRefFact>[]>;
  readonly constructionsByClass: Map<string, Located<CallFact>[]>;
  readonly classesByName: Map<string, Located<ClassFact>[]>;
  readonly startupNames: Set<string>;
}

const graphTables = new WeakMap<FactsTable, GraphTable>();

function graphTableOf(table: FactsTable): GraphTable {
  let t = graphTables.get(table);
  if (t) return t;
  t = { refsByName: new Map(), refsByField: new Map(), refsByVariable: new Map(), refsByCallee: new Map(), constructionsByClass: new Map(), classesByName: new Map(), startupNames: new Set() };
  for (const facts of table.files) {
    for (const ref of facts.functionRefs ?? []) {
      const located = { facts, item: ref };
      push(t.refsByName, ref.name, located);
      if (ref.use === 'arg' && ref.callee !== undefined) push(t.refsByCallee, ref.callee, located);
      else if (ref.field !== undefined) push(ref.variable ? t.refsByVariable : t.refsByField, ref.field, located);
    }
    for (const call of facts.constructorCalls ?? []) push(t.constructionsByClass, call.callee, { facts, item: call });
    for (const cls of facts.classes ?? []) push(t.classesByName, cls.name, { facts, item: cls });
    for (const name of facts.startupFunctions ?? []) t.startupNames.add(name);
  }
  graphTables.set(table, t);
  return t;
}

/** Calls, constructor calls and function values of each function of a piece of facts, by function index. */
interface FunctionContents {
  readonly calls: CallFact[][];
  readonly constructions: CallFact[][];
  readonly refs: FunctionRefFact[][];
}

const contentsCache = new WeakMap<FileFacts, FunctionContents>();

function contentsOf(facts: FileFacts): FunctionContents {
  let c = contentsCache.get(facts);
  if (c) return c;
  const n = facts.functions.length;
  c = { calls: Array.from({ length: n }, () => []), constructions: Array.from({ length: n }, () => []), refs: Array.from({ length: n }, () => []) };
  for (const call of facts.calls) if (call.fn >= 0) c.calls[call.fn]?.push(call);
  for (const call of facts.constructorCalls ?? []) if (call.fn >= 0) c.constructions[call.fn]?.push(call);
  for (const ref of facts.functionRefs ?? []) if (ref.fn >= 0) c.refs[ref.fn]?.push(ref);
  contentsCache.set(facts, c);
  return c;
}

const HEADER = /\.(h|hh|hpp|hxx|h\+\+|inc|inl|ipp|tpp)$/i;
/** Words of a type spelling that are no class names. */
const TYPE_WORDS = new Set(['const', 'volatile', 'struct', 'class', 'union', 'enum', 'typename', 'unsigned', 'signed', 'int', 'char', 'short', 'long', 'float', 'double', 'bool', 'void', 'auto', 'static', 'mutable', 'std', 'size_t']);
const NONE: readonly never[] = [];
/** Statement keywords: a "function" or "call" by that name is the grammar misreading macro-heavy code. */
const KEYWORDS = new Set(['if', 'else', 'while', 'for', 'do', 'switch', 'case', 'return', 'sizeof', 'goto', 'break', 'continue', 'default']);

export class CallGraph {
  private pieces: Map<string, { facts: FileFacts; offset: number }[]> | undefined;
  private readonly offsets = new Map<FileFacts, number>();
  private readonly interned = new Map<string, FunctionRef>();
  private readonly definitionsCache = new Map<string, Definition[]>();
  private readonly callEdgesCache = new Map<CallFact, CallEdge[]>();
  private readonly refResolutions = new Map<FunctionRefFact, Resolution>();
  private readonly refEdgesCache = new Map<FunctionRefFact, CallEdge[]>();
  private readonly storedTargetsCache = new Map<string, Target[]>();
  private readonly callersCache = new Map<FunctionRef, CallEdge[]>();
  private readonly calleesCache = new Map<FunctionRef, CallEdge[]>();
  private readonly registrationsCache = new Map<FunctionRef, Registration[]>();
  private programs: Set<string> | undefined;
  private roots: FunctionRef[] | undefined;
  private tables: GraphTable[] | undefined;

  constructor(readonly index: ProjectIndex) {}

  // ---- Functions ----

  /** The one FunctionRef object for a file and index (graph results use these, so they compare with ===). */
  ref(file: string, index: number): FunctionRef {
    const key = `${index}\u0000${file}`;
    let ref = this.interned.get(key);
    if (!ref) {
      ref = { file, index };
      this.interned.set(key, ref);
    }
    return ref;
  }

  /** The facts of a function (throws for a reference to no function of the index). */
  fact(fn: FunctionRef): FunctionFact {
    return this.locate(fn).fact;
  }

  /** Functions (not lambdas) called `name` (last identifier: `Open` for `Logger::Open`). */
  functionsNamed(name: string): FunctionRef[] {
    return this.definitions(name).map((d) => d.ref);
  }

  /** Every function of the project (lambdas included). */
  allFunctions(): FunctionRef[] {
    const out: FunctionRef[] = [];
    for (const [path, pieces] of this.piecesByPath()) for (const { facts, offset } of pieces) facts.functions.forEach((_, i) => out.push(this.ref(path, offset + i)));
    return out;
  }

  /**
   * The function of `file` that `fact` describes, found by its position: rules hold the facts of
   * the file being checked, which the LSP server may have extracted apart from the index's pieces.
   */
  refOf(file: string, fact: FunctionFact): FunctionRef | undefined {
    for (const { facts, offset } of this.piecesByPath().get(file) ?? NONE) {
      const i = facts.functions.findIndex((f) => f === fact || (f.line === fact.line && f.column === fact.column && f.qualifiedName === fact.qualifiedName));
      if (i >= 0) return this.ref(file, offset + i);
    }
    return undefined;
  }

  /** The edges of one call of `file` (found by position, like refOf): what it may call. */
  edgesOfCall(file: string, call: CallFact): readonly CallEdge[] {
    const site = this.index.callsTo(call.callee).find((s) => s.file === file && s.call.line === call.line && s.call.column === call.column);
    const facts = site?.caller ? this.pieceOfFunction(file, site.caller) : undefined;
    return facts && site ? this.callEdges(facts, site.call) : NONE;
  }

  /** Direct and indirect calls of `fn` with their call facts and callers: what parameters of `fn` are passed. */
  callSitesOf(fn: FunctionRef): { readonly file: string; readonly call: CallFact; readonly caller: FunctionFact; readonly edge: CallEdge }[] {
    return this.callers(fn).flatMap((edge) => (edge.call && edge.kind !== 'constructor' ? [{ file: edge.site.file, call: edge.call, caller: this.fact(edge.caller), edge }] : []));
  }

  // ---- Edges ----

  /** Calls of `fn` (direct, constructor, indirect) and places that hand it over as a callback, by file and position. */
  callers(fn: FunctionRef): readonly CallEdge[] {
    fn = this.canonical(fn);
    const cached = this.callersCache.get(fn);
    if (cached) return cached;
    const { fact } = this.locate(fn);
    const edges: CallEdge[] = [];
    const seen = new Set<CallFact>();
    const fromCalls = (name: string) => {
      for (const site of this.index.callsTo(name)) {
        if (!site.caller || seen.has(site.call)) continue;
        seen.add(site.call);
        const facts = this.pieceOfFunction(site.file, site.caller);
        if (facts) for (const e of this.callEdges(facts, site.call)) if (e.callee === fn) edges.push(e);
      }
    };
    if (!fact.isLambda) fromCalls(fact.name);
    if (fact.className !== undefined && fact.name === fact.className) {
      for (const t of this.graphTables()) {
        for (const { facts, item } of t.constructionsByClass.get(fact.name) ?? NONE) for (const e of this.callEdges(facts, item, true)) if (e.callee === fn) edges.push(e);
      }
    }
    // Calls through what it was stored in: fields and variables of those names, parameters it was passed for.
    for (const reg of this.registrations(fn)) {
      const via = reg.via;
      if (via.kind === 'variable') fromCalls(via.variable);
      else if (via.kind === 'field' || via.kind === 'initializer') {
        if (via.field !== undefined) fromCalls(via.field);
      } else {
        for (const receiver of this.definitions(via.callee)) {
          const param = receiver.fact.params[via.arg]?.name;
          if (param) fromCalls(param);
        }
      }
    }
    for (const located of this.refsNamed(fact.isLambda ? fact.qualifiedName : fact.name)) for (const e of this.refEdges(located)) if (e.callee === fn) edges.push(e);
    edges.sort(bySite);
    this.callersCache.set(fn, edges);
    return edges;
  }

  /** What `fn` calls (direct, constructor, indirect) and hands over as callbacks, by position. */
  callees(fn: FunctionRef): readonly CallEdge[] {
    fn = this.canonical(fn);
    const cached = this.calleesCache.get(fn);
    if (cached) return cached;
    const { facts, local } = this.locate(fn);
    const contents = contentsOf(facts);
    const edges = [
      ...contents.calls[local]!.flatMap((call) => this.callEdges(facts, call)),
      ...contents.constructions[local]!.flatMap((call) => this.callEdges(facts, call, true)),
      ...contents.refs[local]!.flatMap((ref) => this.refEdges({ facts, item: ref })),
    ].sort(bySite);
    this.calleesCache.set(fn, edges);
    return edges;
  }

  /** Where `fn` is used as a value (passed, stored, put in a table), file-scope tables included. */
  registrations(fn: FunctionRef): readonly Registration[] {
    fn = this.canonical(fn);
    const cached = this.registrationsCache.get(fn);
    if (cached) return cached;
    const fact = this.fact(fn);
    const out: Registration[] = [];
    for (const located of this.refsNamed(fact.isLambda ? fact.qualifiedName : fact.name)) {
      const resolution = this.resolveRef(located);
      if (resolution.defs.some((d) => d.ref === fn)) out.push(this.registration(located, resolution.ambiguous));
    }
    this.registrationsCache.set(fn, out);
    return out;
  }

  // ---- Queries ----

  /** Functions reachable from `roots` with a shortest chain of edges to each (roots: empty chain). */
  reachableFrom(roots: readonly FunctionRef[], { maxDepth = Infinity, callbacks = true }: { maxDepth?: number; callbacks?: boolean } = {}): Map<FunctionRef, readonly CallEdge[]> {
    const chains = new Map<FunctionRef, readonly CallEdge[]>();
    let frontier = roots.map((r) => this.canonical(r));
    for (const r of frontier) chains.set(r, []);
    for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
      const next: FunctionRef[] = [];
      for (const fn of frontier) {
        for (const e of this.callees(fn)) {
          if ((!callbacks && e.kind === 'callback') || chains.has(e.callee)) continue;
          chains.set(e.callee, [...chains.get(fn)!, e]);
          next.push(e.callee);
        }
      }
      frontier = next;
    }
    return chains;
  }

  /**
   * A loop that runs `fn`: a call of it, or of a function that (transitively, up to `maxDepth`
   * calls) calls it, inside a loop. Callbacks are not followed (who runs them is not known).
   */
  runsInsideLoop(fn: FunctionRef, { maxDepth = 8 }: { maxDepth?: number } = {}): LoopWitness | undefined {
    fn = this.canonical(fn);
    const chainOf = new Map<FunctionRef, readonly CallEdge[]>([[fn, []]]);
    let frontier = [fn];
    for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
      const next: FunctionRef[] = [];
      for (const f of frontier) {
        const edges = this.callers(f).filter((e) => e.kind !== 'callback');
        const looped = edges.find((e) => e.inLoop);
        if (looped) return { loop: looped.site, chain: [looped, ...chainOf.get(f)!] };
        for (const e of edges) {
          if (chainOf.has(e.caller)) continue;
          chainOf.set(e.caller, [e, ...chainOf.get(f)!]);
          next.push(e.caller);
        }
      }
      frontier = next;
    }
    return undefined;
  }

  /** Is `fn` started as a thread (pthread_create, std::thread, thrd_create, …)? How. */
  isThreadStartRoutine(fn: FunctionRef): ThreadStart | undefined {
    return this.passedTo(fn, THREAD_START_APIS);
  }

  /** Is `fn` run through pthread_once / call_once? How. */
  isOnceRoutine(fn: FunctionRef): ThreadStart | undefined {
    return this.passedTo(fn, ONCE_APIS);
  }

  /** `main`, `__attribute__((constructor))` functions and once-routines: code that runs once, at startup. */
  startupRoots(): readonly FunctionRef[] {
    if (this.roots) return this.roots;
    const roots = new Set<FunctionRef>();
    for (const d of this.definitions('main')) if (this.isFree(d.fact)) roots.add(d.ref);
    for (const t of this.graphTables()) for (const name of t.startupNames) for (const d of this.definitions(name)) roots.add(d.ref);
    for (const api of ONCE_APIS) {
      for (const located of this.tablesGet((t) => t.refsByCallee.get(api.callee))) {
        if (located.item.arg === api.arg) for (const d of this.resolveRef(located).defs) roots.add(d.ref);
      }
    }
    this.roots = [...roots];
    return this.roots;
  }

  /** reachedOnlyFrom with the startup roots. */
  isReachedOnlyFromStartup(fn: FunctionRef, options?: { maxDepth?: number }): ReachedOnlyFrom {
    return this.reachedOnlyFrom(fn, this.startupRoots(), options);
  }

  /**
   * Does every chain of callers of `fn` lead back to one of `roots` without a call in a loop?
   * Functions used as values (callbacks, handler tables) and functions nobody in the project calls
   * break the chain (they may run any time). Cycles are followed once and reported.
   */
  reachedOnlyFrom(fn: FunctionRef, roots: readonly FunctionRef[], { maxDepth = 16 }: { maxDepth?: number } = {}): ReachedOnlyFrom {
    fn = this.canonical(fn);
    const rootSet = new Set(roots.map((r) => this.canonical(r)));
    // Breadth first up the callers: `down` is the edge from each function toward fn.
    const down = new Map<FunctionRef, CallEdge | undefined>([[fn, undefined]]);
    const depthOf = new Map<FunctionRef, number>([[fn, 0]]);
    const chainDown = (from: FunctionRef): CallEdge[] => {
      const chain: CallEdge[] = [];
      for (let e = down.get(from); e; e = down.get(e.callee)) chain.push(e);
      return chain;
    };
    const callerEdges = new Map<FunctionRef, CallEdge[]>();
    const queue = [fn];
    let rootReached: FunctionRef | undefined;
    let verdict: Omit<ReachedOnlyFrom, 'cycles'> | undefined;
    for (let i = 0; i < queue.length && !verdict; i++) {
      const f = queue[i]!;
      if (rootSet.has(f)) {
        rootReached ??= f;
        continue;
      }
      const registration = this.registrations(f)[0];
      if (registration) {
        verdict = { only: false, reason: 'registered', at: f, registration, witness: chainDown(f) };
        break;
      }
      const edges = this.callers(f).filter((e) => e.kind !== 'callback');
      callerEdges.set(f, edges);
      if (edges.length === 0) {
        verdict = { only: false, reason: 'no-callers', at: f, witness: chainDown(f) };
        break;
      }
      for (const e of edges) {
        if (e.inLoop) {
          verdict = { only: false, reason: 'loop', at: e.caller, witness: [e, ...chainDown(f)] };
          break;
        }
        if (down.has(e.caller)) continue;
        if (depthOf.get(f)! + 1 > maxDepth) {
          verdict = { only: false, reason: 'depth', at: e.caller, witness: [e, ...chainDown(f)] };
          break;
        }
        down.set(e.caller, e);
        depthOf.set(e.caller, depthOf.get(f)! + 1);
        queue.push(e.caller);
      }
    }
    verdict ??= rootReached ? { only: true, witness: chainDown(rootReached) } : { only: false, reason: 'unreached', at: fn, witness: [] };
    return { ...verdict, cycles: cyclesAmong(callerEdges) };
  }

  /** A shortest cycle of calls from `fn` back to itself (callbacks not followed), if there is one. */
  isRecursive(fn: FunctionRef, { maxDepth = 16 }: { maxDepth?: number } = {}): readonly CallEdge[] | undefined {
    fn = this.canonical(fn);
    const up = new Map<FunctionRef, CallEdge | undefined>([[fn, undefined]]);
    const chainTo = (to: FunctionRef): CallEdge[] => {
      const chain: CallEdge[] = [];
      for (let e = up.get(to); e; e = up.get(e.caller)) chain.unshift(e);
      return chain;
    };
    let frontier = [fn];
    for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
      const next: FunctionRef[] = [];
      for (const f of frontier) {
        for (const e of this.callees(f)) {
          if (e.kind === 'callback') continue;
          if (e.callee === fn) return [...chainTo(f), e];
          if (up.has(e.callee)) continue;
          up.set(e.callee, e);
          next.push(e.callee);
        }
      }
      frontier = next;
    }
    return undefined;
  }

  // ---- Resolution ----

  /** Edges of one call (or constructor call) site, memoized. */
  private callEdges(facts: FileFacts, call: CallFact, constructor = false): CallEdge[] {
    let edges = this.callEdgesCache.get(call);
    if (edges) return edges;
    edges = [];
    if (call.fn >= 0) {
      const caller = this.refIn(facts, call.fn);
      const site = siteOf(facts.path, call);
      const seen = new Set<string>();
      for (const t of constructor ? this.targets(this.resolveConstructor(call.callee, call.args.length), 'constructor') : this.resolveCall(facts, call)) {
        const key = `${t.kind}:${t.def.ref.index}:${t.def.ref.file}`;
        if (seen.has(key)) continue;
        seen.add(key);
        edges.push({ caller, callee: t.def.ref, site, kind: t.kind, ambiguous: t.ambiguous, indirect: t.kind === 'indirect', inLoop: call.inLoop, call, ...(t.registeredBy ? { registeredBy: t.registeredBy } : {}) });
      }
    }
    this.callEdgesCache.set(call, edges);
    return edges;
  }

  private refEdges(located: Located<FunctionRefFact>): CallEdge[] {
    const ref = located.item;
    let edges = this.refEdgesCache.get(ref);
    if (edges) return edges;
    edges = [];
    if (ref.fn >= 0) {
      const resolution = this.resolveRef(located);
      if (resolution.defs.length > 0) {
        const registration = this.registration(located, resolution.ambiguous);
        const caller = registration.by!;
        edges = resolution.defs.map((d) => ({ caller, callee: d.ref, site: registration.site, kind: 'callback' as const, ambiguous: resolution.ambiguous, indirect: false, inLoop: false, registeredBy: registration }));
      }
    }
    this.refEdgesCache.set(ref, edges);
    return edges;
  }

  private resolveCall(facts: FileFacts, call: CallFact): Target[] {
    const name = call.callee;
    const argc = call.args.length;
    const caller = call.fn >= 0 ? facts.functions[call.fn] : undefined;
    if (call.receiver !== undefined) return this.resolveMemberCall(facts, call);
    const q = call.qualifier;
    if (q === '::') return this.targets(this.resolveFree(name, facts.path, argc), 'call');
    if (q) {
      if (/^(::)?std\b/.test(q)) return [];
      const cls = lastComponent(q);
      if (this.isClass(cls)) {
        const method = this.resolveMethod(cls, name, argc);
        if (method.defs.length > 0) return this.targets(method, 'call');
        return name === cls ? this.targets(this.resolveConstructor(cls, argc), 'constructor') : [];
      }
      // A namespace: `ns::f` defined as such (className ns) or inside `namespace ns { … }`.
      return this.targets(this.resolveFree(name, facts.path, argc, (d) => d.className === cls), 'call');
    }
    const cls = this.classOf(facts, call.fn);
    if (cls) {
      const method = this.resolveMethod(cls, name, argc);
      if (method.defs.length > 0) return this.targets(method, 'call');
    }
    const free = this.resolveFree(name, facts.path, argc);
    if (free.defs.length > 0) return this.targets(free, 'call');
    if (this.isClass(name)) {
      const ctor = this.resolveConstructor(name, argc);
      if (ctor.defs.length > 0) return this.targets(ctor, 'constructor');
    }
    // No function of that name: a function pointer (parameter, variable; a member in a method).
    const out: Target[] = [];
    const param = caller && !caller.isLambda ? caller.params.findIndex((p) => p.name === name) : -1;
    if (param >= 0) {
      const self = this.refIn(facts, call.fn);
      for (const located of this.tablesGet((t) => t.refsByCallee.get(caller!.name))) {
        if (located.item.arg !== param) continue;
        // Only arguments of calls that reach this very function (not a same-named one elsewhere; methods: by name).
        if (this.isFree(caller!) && !this.resolveFree(caller!.name, located.facts.path, undefined).defs.some((d) => d.ref === self)) continue;
        const resolution = this.resolveRef(located);
        const registration = this.registration(located, resolution.ambiguous);
        for (const def of resolution.defs) out.push({ def, kind: 'indirect', ambiguous: resolution.ambiguous, registeredBy: registration });
      }
    }
    out.push(...this.storedTargets(name, 'variable'));
    if (cls && this.fieldType(cls, name) !== undefined) out.push(...this.storedTargets(name, 'field'));
    return out;
  }

  private resolveMemberCall(facts: FileFacts, call: CallFact): Target[] {
    const name = call.callee;
    const argc = call.args.length;
    const classes = this.receiverClasses(facts, call);
    if (classes && classes.length > 0) {
      const found = classes.map((c) => this.resolveMethod(c, name, argc)).filter((r) => r.defs.length > 0);
      if (found.length === 1) return this.targets(found[0]!, 'call');
      if (found.length > 1) return this.targets({ defs: found.flatMap((r) => r.defs), ambiguous: true }, 'call');
      return this.storedTargets(name, 'field');
    }
    // A type of no project class (a C struct, a library class): only what was stored in such a field.
    if (classes) return this.storedTargets(name, 'field');
    // Receiver of unknown type: every method of that name and arity, and functions stored in such fields.
    const methods = this.definitions(name).filter((d) => d.fact.className !== undefined);
    const shaped = methods.filter((d) => arity(d.fact) === argc);
    return [...this.targets({ defs: shaped.length > 0 ? shaped : methods, ambiguous: true }, 'call'), ...this.storedTargets(name, 'field')];
  }

  /** Functions stored in members (or variables) called `name`, as indirect targets. */
  private storedTargets(name: string, where: 'field' | 'variable'): Target[] {
    const key = `${where}:${name}`;
    let out = this.storedTargetsCache.get(key);
    if (out) return out;
    out = [];
    for (const located of this.tablesGet((t) => (where === 'field' ? t.refsByField : t.refsByVariable).get(name))) {
      const resolution = this.resolveRef(located);
      if (resolution.defs.length === 0) continue;
      const registration = this.registration(located, resolution.ambiguous);
      for (const def of resolution.defs) out.push({ def, kind: 'indirect', ambiguous: resolution.ambiguous, registeredBy: registration });
    }
    this.storedTargetsCache.set(key, out);
    return out;
  }

  /** The functions a function value names. */
  private resolveRef(located: Located<FunctionRefFact>): Resolution {
    const ref = located.item;
    let resolution = this.refResolutions.get(ref);
    if (resolution) return resolution;
    const { facts } = located;
    if (ref.lambda) {
      const index = facts.functions.findIndex((f) => f.isLambda && f.qualifiedName === ref.name);
      resolution = { defs: index >= 0 ? [{ ref: this.refIn(facts, index), fact: facts.functions[index]! }] : [], ambiguous: false };
    } else if (ref.qualifier && ref.qualifier !== '::') {
      const cls = lastComponent(ref.qualifier);
      resolution = this.isClass(cls) ? this.resolveMethod(cls, ref.name, undefined) : this.resolveFree(ref.name, facts.path, undefined, (d) => d.className === cls);
    } else {
      const cls = ref.qualifier ? undefined : this.classOf(facts, ref.fn);
      const method = cls ? this.resolveMethod(cls, ref.name, undefined) : undefined;
      resolution = method && method.defs.length > 0 ? method : this.resolveFree(ref.name, facts.path, undefined);
    }
    this.refResolutions.set(ref, resolution);
    return resolution;
  }

  /**
   * Free functions called `name` seen from `fromPath`: those defined in that file; else those
   * visible from it (not static, or defined in a header), preferring files that are not another
   * program's main file. `alsoFree`: further definitions to count as free (namespace members).
   */
  private resolveFree(name: string, fromPath: string, argc: number | undefined, alsoFree?: (fact: FunctionFact) => boolean): Resolution {
    const defs = this.definitions(name).filter((d) => this.isFree(d.fact) || alsoFree?.(d.fact));
    if (defs.length === 0) return { defs, ambiguous: false };
    const own = defs.filter((d) => d.ref.file === fromPath);
    if (own.length > 0) return pick(own, argc);
    const visible = defs.filter((d) => !d.fact.isStatic || HEADER.test(d.ref.file));
    if (visible.length > 1) {
      const programs = this.programFiles();
      const shared = visible.filter((d) => !programs.has(d.ref.file));
      if (shared.length > 0) return pick(shared, argc);
    }
    return pick(visible, argc);
  }

  /** Methods `name` of class `cls`, or of its nearest bases that have one. */
  private resolveMethod(cls: string, name: string, argc: number | undefined): Resolution {
    const seen = new Set<string>();
    let level = [cls];
    for (let depth = 0; depth < 8 && level.length > 0; depth++) {
      const defs = this.definitions(name).filter((d) => d.fact.className !== undefined && level.includes(d.fact.className));
      if (defs.length > 0) return pick(defs, argc);
      for (const c of level) seen.add(c);
      level = [...new Set(level.flatMap((c) => this.classFacts(c).flatMap((l) => l.item.bases)))].filter((b) => !seen.has(b));
    }
    return { defs: NONE, ambiguous: false };
  }

  private resolveConstructor(cls: string, argc: number): Resolution {
    return pick(
      this.definitions(cls).filter((d) => d.fact.className === cls),
      argc,
    );
  }

  private targets(resolution: Resolution, kind: EdgeKind): Target[] {
    return resolution.defs.map((def) => ({ def, kind, ambiguous: resolution.ambiguous }));
  }

  /**
   * Classes the receiver of a member call can be, from declared types: `this`; a parameter or local
   * (CallFact.receiverType); a member of the enclosing method's class; then member by member
   * (`a.b->m()`). Undefined when unknown; empty when known to be of no class of the project.
   */
  private receiverClasses(facts: FileFacts, call: CallFact): string[] | undefined {
    const segments = call.receiver!.split(/->|\./).map((s) => s.replace(/^[(*&]+|\)+$/g, '').replace(/\[.*\]$/, ''));
    if (!segments.every((s) => /^[A-Za-z_]\w*$/.test(s))) return undefined;
    const own = this.classOf(facts, call.fn);
    let classes: string[] | undefined;
    let rest = segments;
    if (segments[0] === 'this') {
      if (!own) return undefined;
      classes = [own];
      rest = segments.slice(1);
    } else if (call.receiverType !== undefined) {
      classes = this.classesInType(call.receiverType);
      rest = segments.slice(1);
    } else {
      classes = own ? [own] : undefined;
    }
    for (const field of rest) {
      if (!classes) return undefined;
      const types = classes.flatMap((c) => this.fieldType(c, field) ?? []);
      if (types.length === 0) return undefined;
      const next = types.map((t) => this.classesInType(t));
      if (next.some((n) => n === undefined)) return undefined;
      classes = [...new Set(next.flat() as string[])];
    }
    return classes;
  }

  /** Project classes named in a type spelling; undefined when it names no type at all (`auto`, `int`). */
  private classesInType(type: string): string[] | undefined {
    const words = (type.match(/[A-Za-z_]\w*/g) ?? []).filter((w) => !TYPE_WORDS.has(w));
    if (words.length === 0) return undefined;
    return [...new Set(words.filter((w) => this.isClass(w)))];
  }

  /** Declared type of member `field` of `cls` or a base. */
  private fieldType(cls: string, field: string): string | undefined {
    const seen = new Set<string>();
    const visit = (c: string, depth: number): string | undefined => {
      if (seen.has(c) || depth > 8) return undefined;
      seen.add(c);
      for (const { item } of this.classFacts(c)) {
        const member = item.fields.find((f) => f.name === field);
        if (member) return member.type;
      }
      for (const { item } of this.classFacts(c)) {
        for (const base of item.bases) {
          const found = visit(base, depth + 1);
          if (found) return found;
        }
      }
      return undefined;
    };
    return visit(cls, 0);
  }

  /** The class of the method a call or value is in (a lambda's: the method it is written in). */
  private classOf(facts: FileFacts, fn: number): string | undefined {
    let fact = fn >= 0 ? facts.functions[fn] : undefined;
    // Functions are in document order: the nearest earlier one whose span holds a lambda is where it is written.
    for (let i = fn - 1; fact?.isLambda && i >= 0; i--) {
      const outer = facts.functions[i]!;
      if (contains(outer, fact)) fact = outer;
    }
    const cls = fact && !fact.isLambda ? fact.className : undefined;
    return cls !== undefined && this.isClass(cls) ? cls : undefined;
  }

  /** A class (struct) of the project: defined here, or with a constructor defined here. */
  /** Is `name` a class or struct of the project (defined, or with methods defined)? */
  isClass(name: string): boolean {
    return this.classFacts(name).length > 0 || this.definitions(name).some((d) => d.fact.className === name);
  }

  /** A function that is no method: no class, or qualified by a namespace (`ns::f`). */
  private isFree(fact: FunctionFact): boolean {
    return fact.className === undefined || !this.isClass(fact.className);
  }

  private classFacts(name: string): readonly Located<ClassFact>[] {
    return this.tablesGet((t) => t.classesByName.get(name));
  }

  private refsNamed(name: string): readonly Located<FunctionRefFact>[] {
    return this.tablesGet((t) => t.refsByName.get(name));
  }

  private passedTo(fn: FunctionRef, apis: readonly FunctionArgumentApi[]): ThreadStart | undefined {
    for (const registration of this.registrations(fn)) {
      const via = registration.via;
      const api = via.kind === 'arg' ? functionArgumentApi(apis, via.callee, via.arg) : undefined;
      if (api) return { api, registration };
    }
    return undefined;
  }

  private registration(located: Located<FunctionRefFact>, ambiguous: boolean): Registration {
    const ref = located.item;
    const via: RegistrationVia =
      ref.use === 'arg'
        ? { kind: 'arg', callee: ref.callee!, arg: ref.arg! }
        : ref.use === 'assign'
          ? ref.variable
            ? { kind: 'variable', variable: ref.field! }
            : { kind: 'field', field: ref.field! }
          : ref.field !== undefined
            ? { kind: 'initializer', field: ref.field }
            : { kind: 'initializer' };
    const site = siteOf(located.facts.path, ref);
    return ref.fn >= 0 ? { site, by: this.refIn(located.facts, ref.fn), via, ambiguous } : { site, via, ambiguous };
  }

  /** Files defining a free `main`: each the main file of a program. */
  private programFiles(): Set<string> {
    this.programs ??= new Set(this.definitions('main').filter((d) => d.fact.className === undefined).map((d) => d.ref.file));
    return this.programs;
  }

  // ---- Identity ----

  private definitions(name: string): Definition[] {
    let defs = this.definitionsCache.get(name);
    if (defs) return defs;
    defs = [];
    if (KEYWORDS.has(name)) return defs;
    for (const { file, fn } of this.index.functionsNamed(name)) {
      if (fn.isLambda) continue;
      const facts = this.pieceOfFunction(file, fn);
      if (facts) defs.push({ ref: this.refIn(facts, fn.index), fact: fn });
    }
    this.definitionsCache.set(name, defs);
    return defs;
  }

  private piecesByPath(): Map<string, { facts: FileFacts; offset: number }[]> {
    if (this.pieces) return this.pieces;
    this.pieces = new Map();
    for (const facts of this.index.files) {
      let list = this.pieces.get(facts.path);
      if (!list) this.pieces.set(facts.path, (list = []));
      const last = list[list.length - 1];
      const offset = last ? last.offset + last.facts.functions.length : 0;
      list.push({ facts, offset });
      this.offsets.set(facts, offset);
    }
    return this.pieces;
  }

  private refIn(facts: FileFacts, local: number): FunctionRef {
    this.piecesByPath();
    return this.ref(facts.path, (this.offsets.get(facts) ?? 0) + local);
  }

  /** The piece of a file's facts that holds this FunctionFact (the file's facts, outside the LSP). */
  private pieceOfFunction(path: string, fact: FunctionFact): FileFacts | undefined {
    const pieces = this.piecesByPath().get(path);
    if (!pieces) return undefined;
    if (pieces.length === 1) return pieces[0]!.facts;
    return pieces.find((p) => p.facts.functions[fact.index] === fact)?.facts;
  }

  private locate(fn: FunctionRef): { facts: FileFacts; local: number; fact: FunctionFact } {
    const pieces = this.piecesByPath().get(fn.file);
    const piece = pieces?.find((p) => fn.index >= p.offset && fn.index < p.offset + p.facts.functions.length);
    if (!piece) throw new Error(`no function ${fn.index} in ${fn.file}`);
    const local = fn.index - piece.offset;
    return { facts: piece.facts, local, fact: piece.facts.functions[local]! };
  }

  private canonical(fn: FunctionRef): FunctionRef {
    return this.ref(fn.file, fn.index);
  }

  /**
   * Does a field (`member`) or variable called `name` hold a project function somewhere
   * (`c->on_read = on_read`, `cb = on_read`)? Calls through it (`c->on_read(c)`, `cb(c)`) are edges
   * of the graph: the LSP server counts them among the calls the index reads (server/unit-facts.ts).
   */
  holdsFunction(name: string, member: boolean): boolean {
    for (const t of this.graphTables()) {
      const stored = member ? t.refsByField.get(name) : t.refsByVariable.get(name);
      if (stored?.some(({ item }) => this.index.functionsNamed(item.name).length > 0)) return true;
    }
    return false;
  }

  private graphTables(): GraphTable[] {
    this.tables ??= this.index.tables.map(graphTableOf);
    return this.tables;
  }

  private tablesGet<T>(get: (t: GraphTable) => T[] | undefined): readonly T[] {
    const tables = this.graphTables();
    if (tables.length === 1) return get(tables[0]!) ?? NONE;
    return tables.flatMap((t) => get(t) ?? []);
  }
}

/** Parameters a call must pass: `f(void)` takes none. */
function arity(fact: FunctionFact): number {
  const p = fact.params;
  return p.length === 1 && !p[0]!.name && p[0]!.type.trim() === 'void' ? 0 : p.length;
}

/** One definition, or the candidates (of the call's arity, when some have it) marked ambiguous. */
function pick(defs: readonly Definition[], argc: number | undefined): Resolution {
  if (defs.length <= 1) return { defs, ambiguous: false };
  if (argc === undefined) return { defs, ambiguous: true };
  const shaped = defs.filter((d) => arity(d.fact) === argc);
  if (shaped.length === 1) return { defs: shaped, ambiguous: false };
  return { defs: shaped.length > 0 ? shaped : defs, ambiguous: true };
}

/** `ns::Logger<int>` → `Logger`. */
function lastComponent(qualifier: string): string {
  const name = splitQualified(qualifier)?.name ?? qualifier;
  return name.replace(/<.*$/, '');
}

function contains(outer: Span, inner: Span): boolean {
  const startsBefore = outer.line < inner.line || (outer.line === inner.line && outer.column <= inner.column);
  const endsAfter = outer.endLine > inner.endLine || (outer.endLine === inner.endLine && outer.endColumn >= inner.endColumn);
  return startsBefore && endsAfter;
}

/** In order of file, then position (edges of one site keep their order). */
function bySite(a: CallEdge, b: CallEdge): number {
  const x = a.site;
  const y = b.site;
  return x.file < y.file ? -1 : x.file > y.file ? 1 : x.line - y.line || x.column - y.column;
}

function siteOf(file: string, span: Span): SiteRef {
  return { file, line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn };
}

/** Cycles among the caller edges looked at (strongly connected components of more than one function, or calling itself). */
function cyclesAmong(callerEdges: ReadonlyMap<FunctionRef, readonly CallEdge[]>): FunctionRef[][] {
  // Tarjan's algorithm, iterative, over "f ← caller" edges.
  const index = new Map<FunctionRef, number>();
  const low = new Map<FunctionRef, number>();
  const onStack = new Set<FunctionRef>();
  const stack: FunctionRef[] = [];
  const cycles: FunctionRef[][] = [];
  let counter = 0;
  const next = (f: FunctionRef) => (callerEdges.get(f) ?? NONE).map((e) => e.caller).filter((c) => callerEdges.has(c));
  for (const start of callerEdges.keys()) {
    if (index.has(start)) continue;
    const work: { f: FunctionRef; succ: FunctionRef[]; i: number }[] = [];
    const open = (f: FunctionRef) => {
      index.set(f, counter);
      low.set(f, counter++);
      stack.push(f);
      onStack.add(f);
      work.push({ f, succ: next(f), i: 0 });
    };
    open(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      if (top.i < top.succ.length) {
        const s = top.succ[top.i++]!;
        if (!index.has(s)) open(s);
        else if (onStack.has(s)) low.set(top.f, Math.min(low.get(top.f)!, index.get(s)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.f;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.f)!));
      }
      if (low.get(top.f) === index.get(top.f)) {
        const component: FunctionRef[] = [];
        let g: FunctionRef;
        do {
          g = stack.pop()!;
          onStack.delete(g);
          component.push(g);
        } while (g !== top.f);
        if (component.length > 1 || next(top.f).includes(top.f)) cycles.push(component.reverse());
      }
    }
  }
  return cycles;
}
