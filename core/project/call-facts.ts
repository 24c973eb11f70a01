import type { Language } from '../syntax/language.js';
import type { SyntaxNode } from '../syntax/parser.js';
import type { LineMap } from '../syntax/source-text.js';
import { childrenForField, squeeze } from '../syntax/nodes.js';
import { lowerBound } from '../util/sorted.js';
import { GNU_ATTRIBUTE, isGnuAttributeKeyword } from '../syntax/gnu-attributes.js';
import { closing, elementsOf, isSpace, isWordChar, skipComment, skipQuoted, skipSpace, splitTopLevel } from '../syntax/c-text.js';
import type { CallFact, FunctionFact, Span } from './facts.js';

/**
 * Facts the call graph (call-graph.ts) needs beyond the names of called functions, extracted in the
 * facts pass (extractFacts) from the nodes its one walk collects: how a call reaches its callee
 * (receiver, qualifier), constructor calls, functions used as values, and C++ class members.
 * Most of it is read from the text between offsets the walk already has (each node property read
 * is a native call; slicing the text is not). Everything here is plain JSON data.
 *
 * Candidates are cheap and loose: an identifier passed as an argument, assigned or put in an
 * initializer is recorded when it is not a parameter or local of its function (nor ALL_CAPS, the
 * convention for macros and constants); only the project knows which of them name functions (the
 * graph keeps those). File-scope names are not filtered out: the facts pass's `globals` also holds
 * functions declared with a pointer result (`void *worker(void *);`).
 */

/** How a call names its callee, besides the name: optional fields of CallFact. */
export interface CallShape {
  /** `obj.m()`, `p->m()`, `this->m()`, `a.b->m()`: the object's text, whitespace squeezed. */
  readonly receiver?: string;
  /** `Class::m()`, `ns::f()`: what is written before the last `::` (`::` for `::f()`). */
  readonly qualifier?: string;
  /** C++: the declared type of the receiver's first name, when that is a parameter or local. */
  receiverType?: string;
  /** Only in `constructorCalls`: how the object is made (`callee` is the class, `T` for `T::T`). */
  readonly construct?: 'new' | 'declaration' | 'make_unique' | 'make_shared';
}

/**
 * A function named where its value is used, not called (a candidate: the graph keeps those that
 * name a project function). `fn`: the enclosing function, -1 at file scope.
 */
export interface FunctionRefFact extends Span {
  readonly fn: number;
  /** The identifier (`on_accept` for `&on_accept`), or a lambda's qualifiedName. */
  readonly name: string;
  /** `Server` for `&Server::onAccept`, `::` for `::f`. */
  readonly qualifier?: string;
  /** An argument of a call or constructor, assigned to a field or variable, or an element of a brace initializer. */
  readonly use: 'arg' | 'assign' | 'initializer';
  /** use `arg`: the called function or constructed class (last identifier: `pthread_create`, `thread`). */
  readonly callee?: string;
  /** use `arg`: the argument's index. */
  readonly arg?: number;
  /** use `assign`: the field or variable assigned (`on_read` for `c->on_read = f`); `initializer`: the designated field, if any. */
  readonly field?: string;
  /** use `assign`: `field` is a variable (`cb = f;`, `void (*cb)(int) = f;`), not a member (`x.cb`, `x->cb`). */
  readonly variable?: boolean;
  /** A lambda written in place (`std::thread t([&] { … })`): `name` is its qualifiedName in the same file. */
  readonly lambda?: boolean;
}

/** A C++ class or struct with a body: what method calls through its members need. */
export interface ClassFact extends Span {
  readonly fn: number;
  /** Last identifier (`Logger` for `ns::Logger<T>`). */
  readonly name: string;
  /** Base classes, last identifiers. */
  readonly bases: readonly string[];
  /** Data members: name and declared type (methods are functions). */
  readonly fields: readonly { readonly name: string; readonly type: string }[];
}

/** The lists extractFacts adds to FileFacts for the call graph (optional: facts of older builds lack them). */
export interface CallGraphFacts {
  readonly functionRefs?: FunctionRefFact[];
  /** `new T(…)`, `T x(…)`, `T x{…}`, `make_unique<T>(…)`: calls of `T::T`, in CallFact's shape. */
  readonly constructorCalls?: CallFact[];
  readonly classes?: ClassFact[];
  /** Functions this file marks `__attribute__((constructor))` (definitions or prototypes): they run before main. */
  readonly startupFunctions?: string[];
}

/** receiver/qualifier of a call, from the node in its `function` field (no native read for a plain name). */
export function callShape(fnNode: SyntaxNode, text: string): CallShape | undefined {
  const type = fnNode.type;
  if (type === 'field_expression') {
    const raw = text.slice(fnNode.startIndex, fnNode.endIndex);
    const written = /[\s/]/.test(raw) ? squeeze(raw) : raw;
    const field = /(?:\.|->)(?:template)?~?[A-Za-z_]\w*(?:<[^<>]*>)?$/.exec(written);
    return field && field.index > 0 ? { receiver: written.slice(0, Math.min(field.index, 160)) } : undefined;
  }
  if (type === 'qualified_identifier') {
    const split = splitQualified(squeeze(text.slice(fnNode.startIndex, fnNode.endIndex)));
    return split ? { qualifier: split.qualifier } : undefined;
  }
  return undefined;
}

/** `a::b<c::d>::f` → qualifier `a::b<c::d>`, name `f`; `::f` → qualifier `::`. Squeezed text. */
export function splitQualified(written: string): { qualifier: string; name: string } | undefined {
  let depth = 0;
  let last = -1;
  for (let i = 0; i < written.length - 1; i++) {
    const ch = written[i];
    if (ch === '<') depth++;
    else if (ch === '>') depth--;
    else if (ch === ':' && written[i + 1] === ':' && depth === 0) {
      last = i;
      i++;
    }
  }
  if (last < 0) return undefined;
  return { qualifier: last === 0 ? '::' : written.slice(0, last), name: written.slice(last + 2) };
}

/** What the facts pass hands over once its walk is done. */
export interface CallFactsInput {
  readonly text: string;
  readonly lines: LineMap;
  readonly functions: readonly FunctionFact[];
  readonly calls: readonly CallFact[];
  /** Nodes of `calls`, in the same order. */
  readonly callNodes: readonly SyntaxNode[];
  /** Innermost function containing an offset, -1 at file scope. */
  readonly enclosing: (offset: number) => number;
  /** Loops ([start, end) offsets) per function. */
  readonly loops: ReadonlyMap<number, readonly (readonly [number, number])[]>;
  /** Declarations and function nodes the walk met, in document order, with their starts. */
  readonly scopeNodes: { readonly nodes: readonly SyntaxNode[]; readonly starts: readonly number[] };
  readonly locals: (fn: number) => ReadonlyMap<string, string>;
  /** A scoped pass (the LSP's re-extraction of some functions): only these parts of the text. */
  readonly roots?: readonly SyntaxNode[];
}

const C_TYPES: readonly string[] = ['initializer_list', 'attribute_specifier'];
const CPP_TYPES: readonly string[] = [...C_TYPES, 'new_expression', 'class_specifier', 'struct_specifier'];

/** Collects, during the facts walk, the nodes of the types it asks for; `finish` turns them into facts. */
export class CallFactsCollector {
  /** Node types to add to the facts walk. */
  readonly types: readonly string[];
  private readonly lists: SyntaxNode[] = [];
  private readonly news: SyntaxNode[] = [];
  private readonly classNodes: SyntaxNode[] = [];
  private readonly attributes: SyntaxNode[] = [];

  constructor(private readonly language: Language) {
    this.types = language === 'cpp' ? CPP_TYPES : C_TYPES;
  }

  /** Keeps a node of one of `types`; false for any other node (left to the caller). */
  take(node: SyntaxNode, type: string): boolean {
    if (type === 'initializer_list') this.lists.push(node);
    else if (type === 'new_expression') this.news.push(node);
    else if (type === 'class_specifier' || type === 'struct_specifier') this.classNodes.push(node);
    else if (type === 'attribute_specifier') this.attributes.push(node);
    else return false;
    return true;
  }

  finish(input: CallFactsInput): Required<CallGraphFacts> {
    const cpp = this.language === 'cpp';
    const x = new Extraction(input, cpp);
    if (cpp) {
      x.declarationConstructions();
      for (const node of this.news) x.newConstruction(node);
      x.makeConstructions();
      x.receiverTypes();
    }
    x.argumentRefs();
    x.initializerRefs(this.lists);
    x.assignmentRefs();
    return {
      functionRefs: x.refs,
      constructorCalls: x.constructions,
      classes: cpp ? this.classNodes.flatMap((node) => x.classFact(node) ?? []) : [],
      startupFunctions: input.roots ? [] : startupFunctions(input.text, this.attributes),
    };
  }
}

/** Names that never name a function value. */
const NOT_FUNCTIONS = new Set(['NULL', 'nullptr', 'true', 'false', 'this', 'errno', 'stdin', 'stdout', 'stderr', 'void', 'int', 'char', 'long', 'short', 'unsigned', 'signed', 'float', 'double', 'bool', 'sizeof', 'return', 'delete', 'new', 'auto', 'const', 'struct', 'enum', 'union', 'class']);
/**
 * ALL_CAPS: macros and enum constants by convention (SIGINT, EV_READ, SIG_IGN); `*_t`: types
 * (macro arguments: `size_t`, `uint64_t`); `__func__` and other reserved names. (Read without a
 * regular expression: asked of every name passed or assigned.)
 */
function isConstantName(name: string): boolean {
  const n = name.length;
  if (name.charCodeAt(0) === 95 && name.charCodeAt(1) === 95) return true;
  if (n > 2 && name.charCodeAt(n - 2) === 95 && name.charCodeAt(n - 1) === 116) return true;
  for (let i = 0; i < n; i++) {
    const ch = name.charCodeAt(i);
    if (ch >= 97 && ch <= 122) return false;
  }
  return true;
}
/** A value that may name a function: optional casts, `&`, qualification; squeezed text. */
const FUNCTION_VALUE = /^(?:\((?:[^()]|\([^()]*\))*\))*&?((?:::)?(?:[A-Za-z_]\w*(?:<[^<>]*>)?::)*)(~?[A-Za-z_]\w*)$/;
/** Declarations the text parse below reads as object constructions: `T x(…)`, `T x{…}` (C++). */
const CONSTRUCTING_DECLARATION = /(?:(?:static|const|constexpr|thread_local|volatile|extern|inline|mutable|register)\s+)*((?:::)?[A-Za-z_]\w*(?:\s*<[^;{}()]*>)?(?:\s*::\s*[A-Za-z_]\w*(?:\s*<[^;{}()]*>)?)*)\s+([A-Za-z_]\w*)\s*([({])/y;
const NOT_CLASS_TYPES = new Set([...NOT_FUNCTIONS, 'size_t', 'ssize_t', 'throw', 'goto', 'else', 'case', 'typedef', 'using', 'namespace', 'operator', 'friend', 'template', 'typename', 'decltype', 'co_return', 'co_await', 'co_yield', 'static_assert']);
/** An element that looks like a parameter declaration (`int a`, `Foo *p`): a function prototype, not a construction. */
const PARAMETER_LIKE = /^(?:(?:const|struct|unsigned|signed|volatile)\s+)*[A-Za-z_][\w:<>]*[\s*&]+[A-Za-z_]\w*$/;
const NEW_TYPE = /new\s*(?:\((?:[^()]|\([^()]*\))*\)\s*)?((?:::)?[A-Za-z_]\w*(?:\s*<[^;{}()]*>)?(?:\s*::\s*[A-Za-z_]\w*(?:\s*<[^;{}()]*>)?)*)\s*/y;
const MAKE_TEMPLATE = /make_(unique|shared)\s*<\s*((?:[^<>]|<[^<>]*>)*)>/y;
const DESIGNATOR = /\.\s*([A-Za-z_]\w*)\s*=\s*/y;
const INDEX_DESIGNATOR = /\[[^\]]*\]\s*=\s*/y;
const ASSIGNED_VALUE = /\s*(?:\((?:[^()\n]|\([^()\n]*\))*\)\s*)?(&\s*)?((?:::)?(?:[A-Za-z_]\w*\s*::\s*)*~?[A-Za-z_]\w*)\s*(?=[;,)}])/y;
const FUNCTION_POINTER_DECLARATOR = /\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\([^()]*\)\s*$/;
const CLASS_HEAD = /(?:class|struct)\s+(?:\[\[[^\]]*\]\]\s*)?(?:alignas\s*\([^)]*\)\s*)?((?:::)?[A-Za-z_][\w:]*(?:\s*<[^{;]*>)?)\s*(?:final\s*)?(?::([^{;]*))?\{/y;

type RefUse = Pick<FunctionRefFact, 'use' | 'callee' | 'arg' | 'field' | 'variable'>;
const LAMBDA = { lambda: true } as const;
/** A value that may name a function (qualified: `&Server::run`), or a lambda written there. */
type Value = { readonly name: string; readonly qualifier?: string } | typeof LAMBDA;

class Extraction {
  readonly refs: FunctionRefFact[] = [];
  readonly constructions: CallFact[] = [];
  private readonly text: string;
  private readonly starts: number[];
  private readonly ends: number[];
  private readonly localNamesCache = new Map<number, Set<string>>();
  /** Brace initializers that are constructor arguments (`T x{…}`, `new T{…}`): their elements are arguments. */
  private readonly constructorBraces = new Set<number>();
  /** make_unique/make_shared calls (index in `calls`) → the class they construct. */
  private readonly madeClass = new Map<number, string>();
  private lambdaStarts: Map<number, number> | undefined;

  constructor(
    private readonly input: CallFactsInput,
    private readonly cpp: boolean,
  ) {
    this.text = input.text;
    const { lines } = input;
    this.starts = input.functions.map((f) => lines.offsetOf(f.line - 1, f.column - 1));
    this.ends = input.functions.map((f) => lines.offsetOf(f.endLine - 1, f.endColumn - 1));
  }

  /** `T x(…);`, `T x{…};` in C++ (tree-sitter reads `T x(a, b)` with plain names as a function declaration: read from the text). */
  declarationConstructions(): void {
    const { nodes, starts } = this.input.scopeNodes;
    const text = this.text;
    for (let i = 0; i < nodes.length; i++) {
      if (nodes[i]!.type !== 'declaration') continue;
      const start = starts[i]!;
      CONSTRUCTING_DECLARATION.lastIndex = start;
      const m = CONSTRUCTING_DECLARATION.exec(text);
      if (!m) continue;
      const cls = typeName(m[1]!);
      if (!cls || NOT_CLASS_TYPES.has(cls.name)) continue;
      const open = CONSTRUCTING_DECLARATION.lastIndex - 1;
      const close = closing(text, open);
      if (close < 0 || !/^\s*[;,]/.test(text.slice(close, close + 8))) continue;
      const elements = elementsOf(text, open + 1, close - 1);
      const brace = m[3] === '{';
      if (!brace && elements.length === 0) continue;
      if (elements.some(([s, e]) => PARAMETER_LIKE.test(text.slice(s, e)) || text.slice(s, e) === 'void')) continue;
      if (brace) this.constructorBraces.add(open);
      this.construction(cls, 'declaration', start, close, elements);
    }
  }

  /** `new T(…)`, `new T{…}`, `new T` (not `new T[n]`). */
  newConstruction(node: SyntaxNode): void {
    const text = this.text;
    const start = node.startIndex;
    NEW_TYPE.lastIndex = start;
    const m = NEW_TYPE.exec(text);
    if (!m) return;
    const cls = typeName(m[1]!);
    if (!cls || NOT_CLASS_TYPES.has(cls.name)) return;
    const after = NEW_TYPE.lastIndex;
    const ch = text[after];
    if (ch === '[') return;
    if (ch === '(' || ch === '{') {
      const close = closing(text, after);
      if (close < 0) return;
      if (ch === '{') this.constructorBraces.add(after);
      this.construction(cls, 'new', start, close, elementsOf(text, after + 1, close - 1));
    } else {
      this.construction(cls, 'new', start, after, []);
    }
  }

  /** `std::make_unique<T>(…)`, `std::make_shared<T>(…)`: the call is in `calls`; T::T is called with its arguments. */
  makeConstructions(): void {
    const { calls, callNodes } = this.input;
    calls.forEach((call, i) => {
      if (call.callee !== 'make_unique' && call.callee !== 'make_shared') return;
      const start = callNodes[i]!.startIndex;
      const at = this.text.indexOf('make_', start);
      if (at < 0 || at - start > 200) return;
      MAKE_TEMPLATE.lastIndex = at;
      const m = MAKE_TEMPLATE.exec(this.text);
      const cls = m ? typeName(m[2]!) : undefined;
      if (!cls) return;
      this.madeClass.set(i, cls.name);
      const span = { line: call.line, column: call.column, endLine: call.endLine, endColumn: call.endColumn };
      this.constructions.push({ callee: cls.name, ...(cls.qualifier ? { qualifier: cls.qualifier } : {}), fn: call.fn, args: call.args, inLoop: call.inLoop, resultUsed: call.resultUsed, member: false, construct: m![1] === 'unique' ? 'make_unique' : 'make_shared', ...span });
    });
  }

  private construction(cls: { name: string; qualifier?: string }, construct: 'new' | 'declaration', start: number, end: number, elements: readonly [number, number][]): void {
    const fn = this.input.enclosing(start);
    const args = elements.map(([s, e]) => squeeze(this.text.slice(s, e)).slice(0, 160));
    this.constructions.push({
      callee: cls.name,
      ...(cls.qualifier ? { qualifier: cls.qualifier } : {}),
      fn,
      args,
      inLoop: this.inLoop(fn, start),
      resultUsed: true,
      member: false,
      construct,
      ...this.input.lines.span(start, end),
    });
    elements.forEach(([s, e], arg) => this.valueRef(fn, s, e, { use: 'arg', callee: cls.name, arg }));
  }

  /** C++: the declared type of each member call's receiver, when its first name is a parameter or local. */
  receiverTypes(): void {
    const { calls, functions, locals } = this.input;
    for (const call of calls) {
      if (!call.receiver || call.fn < 0) continue;
      const first = /^[(*&]*([A-Za-z_]\w*)/.exec(call.receiver)?.[1];
      if (!first || first === 'this') continue;
      for (let fn = call.fn, guard = 0; fn >= 0 && guard < 8; fn = this.parentOf(fn), guard++) {
        const type = functions[fn]!.params.find((p) => p.name === first)?.type ?? locals(fn).get(first);
        if (type !== undefined) {
          call.receiverType = type;
          break;
        }
        if (!functions[fn]!.isLambda) break;
      }
    }
  }

  /** Arguments of calls that may name functions (`pthread_create(&t, 0, worker, arg)`, `signal(SIGINT, on_int)`). */
  argumentRefs(): void {
    const { calls, lines } = this.input;
    const text = this.text;
    calls.forEach((call, i) => {
      // Values first, from the squeezed argument texts (most arguments are locals and parameters);
      // where they are in the text only for the few that may name functions.
      let wanted: [number, Value][] | undefined;
      const { args, fn } = call;
      for (let k = 0; k < args.length; k++) {
        const value = this.valueIn(fn, args[k]!);
        if (value) (wanted ??= []).push([k, value]);
      }
      if (!wanted) return;
      const start = lines.offsetOf(call.line - 1, call.column - 1);
      const end = lines.offsetOf(call.endLine - 1, call.endColumn - 1);
      const open = lastTopLevelParen(text, start, end);
      if (open < 0) return;
      const elements = elementsOf(text, open + 1, end - 1);
      if (elements.length !== args.length) return;
      const callee = this.madeClass.get(i) ?? call.callee;
      for (const [k, value] of wanted) this.pushRef(fn, value, elements[k]![0], elements[k]![1], { use: 'arg', callee, arg: k });
    });
  }

  /** Elements of brace initializers: `{ .accept = on_accept }`, `{ "GET", handle_get }`. */
  initializerRefs(lists: readonly SyntaxNode[]): void {
    // Each list's elements; nested lists (data tables nest deep) are jumped over, read on their own.
    const ends = new Map<number, number>();
    for (const node of lists) ends.set(node.startIndex, node.endIndex);
    for (const [start, end] of ends) if (!this.constructorBraces.has(start)) this.initializerListRefs(start, end, ends);
  }

  private initializerListRefs(start: number, end: number, nested: ReadonlyMap<number, number>): void {
    const text = this.text;
    const fn = this.input.enclosing(start);
    for (const [untrimmed, e] of elementsOf(text, start + 1, end - 1, nested)) {
      const s = skipSpace(text, untrimmed, e);
      let from = s;
      let field: string | undefined;
      const first = text.charCodeAt(s);
      if (first === 46 /* . */) {
        DESIGNATOR.lastIndex = s;
        const designated = DESIGNATOR.exec(text);
        if (designated && DESIGNATOR.lastIndex <= e) {
          field = designated[1];
          from = DESIGNATOR.lastIndex;
        }
      } else if (first === 91 /* [ */) {
        INDEX_DESIGNATOR.lastIndex = s;
        if (INDEX_DESIGNATOR.exec(text) && INDEX_DESIGNATOR.lastIndex <= e) from = INDEX_DESIGNATOR.lastIndex;
      }
      // Numbers, strings, nested braces: no function (tables of data are most initializers).
      if (!mayStartValue(text.charCodeAt(from))) continue;
      this.valueRef(fn, from, e, field ? { use: 'initializer', field } : { use: 'initializer' });
    }
  }

  /**
   * `x->on_read = f;`, `cb = &f;`, `void (*cb)(int) = f;`: found from the text's `=` signs (every
   * assignment expression node would cost native reads); designated initializers are left to the
   * initializer lists. Lines inside comments or after a quote are skipped.
   */
  assignmentRefs(): void {
    const text = this.text;
    const ranges: [number, number][] = this.input.roots ? this.input.roots.map((r) => [r.startIndex, r.endIndex]) : [[0, text.length]];
    for (const [from, to] of ranges) {
      for (let i = text.indexOf('=', from); i !== -1 && i < to; i = text.indexOf('=', i + 1)) {
        const next = text.charCodeAt(i + 1);
        if (next === 61 /* = */) {
          i++;
          continue;
        }
        if (i === 0 || COMPOUND_ASSIGNMENT.has(text.charCodeAt(i - 1))) continue;
        if (!this.mayBeAssignedValue(i + 1, to)) continue;
        ASSIGNED_VALUE.lastIndex = i + 1;
        const value = ASSIGNED_VALUE.exec(text);
        if (!value) {
          // `auto cb = [&](int fd) { … };`
          const at = skipSpace(text, i + 1, to);
          const lambda = text.charCodeAt(at) === 91 /* [ */ ? this.lambdaAt(at) : undefined;
          const target = lambda !== undefined ? assignedName(text, i) : undefined;
          if (target && !inCommentOrString(text, i)) this.valueRef(this.input.enclosing(i), at, this.ends[lambda!]!, assignUse(target));
          continue;
        }
        const written = squeeze(value[2]!);
        const split = splitQualified(written);
        const name = split ? split.name : written;
        if (isConstantName(name) || NOT_FUNCTIONS.has(name)) continue;
        const target = assignedName(text, i);
        if (!target || inCommentOrString(text, i)) continue;
        const valueStart = i + 1 + value[0]!.length - value[0]!.trimStart().length;
        const valueEnd = ASSIGNED_VALUE.lastIndex;
        this.valueRef(this.input.enclosing(i), valueStart, valueEnd, assignUse(target));
      }
    }
  }

  /**
   * Cheap test before the regular expression: what follows an `=` at `at` is a cast, a lambda, a
   * qualified name, or a name (after an optional `&`) followed by `;`, `,`, `)` or `}` — not
   * `x = y->z;`, `x = f(…)`, `x = 0`, the usual assignments.
   */
  private mayBeAssignedValue(at: number, to: number): boolean {
    const text = this.text;
    let j = skipSpace(text, at, to);
    let ch = text.charCodeAt(j);
    if (ch === 40 /* ( */ || ch === 91 /* [ */ || ch === 58 /* : */) return true;
    if (ch === 38 /* & */) {
      j = skipSpace(text, j + 1, to);
      ch = text.charCodeAt(j);
    }
    if (!(isWordChar(ch) && !(ch >= 48 && ch <= 57)) && ch !== 126 /* ~ */) return false;
    while (j < to && isWordChar(text.charCodeAt(j))) j++;
    j = skipSpace(text, j, to);
    ch = text.charCodeAt(j);
    return ch === 59 || ch === 44 || ch === 41 || ch === 125 || (ch === 58 && text.charCodeAt(j + 1) === 58);
  }

  /** A class or struct with a body: name, bases, data members (read natively: classes are few). */
  classFact(node: SyntaxNode): ClassFact | undefined {
    const text = this.text;
    const start = node.startIndex;
    CLASS_HEAD.lastIndex = start;
    const head = CLASS_HEAD.exec(text);
    if (!head) return undefined;
    const cls = typeName(head[1]!);
    if (!cls) return undefined;
    const bases = head[2] ? splitTopLevel(head[2], '<(', '>)').flatMap((b) => typeName(b.replace(/\b(public|private|protected|virtual)\b/g, ''))?.name ?? []) : [];
    const fields: { name: string; type: string }[] = [];
    const body = node.childForFieldName('body');
    for (const member of body?.namedChildren ?? []) {
      if (member.type !== 'field_declaration') continue;
      const typeNode = member.childForFieldName('type');
      if (!typeNode) continue;
      const type = squeezeType(text.slice(typeNode.startIndex, typeNode.endIndex));
      for (const d of childrenForField(member, 'declarator')) {
        const name = memberName(d, text);
        if (name) fields.push({ name: name.name, type: name.pointer ? `${type}*` : type });
      }
    }
    const fn = this.input.enclosing(start);
    return { fn, name: cls.name, bases, fields, ...this.input.lines.span(start, body ? body.startIndex + 1 : CLASS_HEAD.lastIndex) };
  }

  /** Records the value between `s` and `e` if it may name a function and is no local or parameter of `fn`. */
  private valueRef(fn: number, s: number, e: number, use: RefUse): void {
    const raw = this.text.slice(s, e);
    const value = this.valueIn(fn, /[\s/]/.test(raw) ? squeeze(raw) : raw);
    if (value) this.pushRef(fn, value, s, e, use);
  }

  /** What a (squeezed) value text in `fn` may be: a function's name (not a local or parameter of `fn`), a lambda, or nothing. */
  private valueIn(fn: number, value: string): Value | undefined {
    const first = value.charCodeAt(0);
    if (first === 91 /* [ */) return this.cpp ? LAMBDA : undefined;
    if (!mayStartValue(first)) return undefined;
    // Most arguments are a plain name (`fd`, `&addr`): read without a regular expression.
    const from = first === 38 /* & */ ? 1 : 0;
    let end = from;
    while (end < value.length && isWordChar(value.charCodeAt(end))) end++;
    let name: string | undefined;
    let qualifier: string | undefined;
    if (end === value.length && end > from) {
      const c = value.charCodeAt(from);
      if (c >= 48 && c <= 57) return undefined;
      name = from === 0 ? value : value.slice(from);
    } else {
      // A cast, or (C++) a qualified name; in C, `::` is never there.
      if (first !== 40 /* ( */ && !(this.cpp && value.includes('::'))) return undefined;
      const m = FUNCTION_VALUE.exec(value);
      if (!m) return undefined;
      name = m[2]!;
      if (m[1]) qualifier = m[1] === '::' ? '::' : m[1].slice(0, -2);
    }
    if (isConstantName(name) || NOT_FUNCTIONS.has(name)) return undefined;
    if (qualifier) return { name, qualifier };
    // Parameters first: for many functions the only names passed on.
    if (fn >= 0 && this.input.functions[fn]!.params.some((p) => p.name === name)) return undefined;
    return this.localNames(fn).has(name) ? undefined : { name };
  }

  /** Records a value found between `s` and `e` (trimmed here). */
  private pushRef(fn: number, value: Value, s: number, e: number, use: RefUse): void {
    const text = this.text;
    s = skipSpace(text, s, e);
    while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
    if (s >= e) return;
    const span = this.input.lines.span(s, e);
    if ('lambda' in value) {
      const lambda = text.charCodeAt(s) === 91 /* [ */ ? this.lambdaAt(s) : undefined;
      if (lambda !== undefined) this.refs.push({ fn, name: this.input.functions[lambda]!.qualifiedName, ...use, lambda: true, ...span });
      return;
    }
    this.refs.push(value.qualifier ? { fn, name: value.name, qualifier: value.qualifier, ...use, ...span } : { fn, name: value.name, ...use, ...span });
  }

  /** The lambda (function index) starting at `offset`. */
  private lambdaAt(offset: number): number | undefined {
    if (!this.lambdaStarts) {
      this.lambdaStarts = new Map();
      this.input.functions.forEach((f, i) => f.isLambda && this.lambdaStarts!.set(this.starts[i]!, i));
    }
    return this.lambdaStarts.get(offset);
  }

  /** The function a lambda is written in (-1 for a function, or at file scope). */
  private parentOf(fn: number): number {
    const start = this.starts[fn]!;
    return start > 0 ? this.input.enclosing(start - 1) : -1;
  }

  private inLoop(fn: number, offset: number): boolean {
    return this.input.loops.get(fn)?.some(([s, e]) => s < offset && offset < e) ?? false;
  }

  /**
   * Names a function's parameters and declarations introduce (those of lambdas inside it too, and
   * of the function a lambda is written in), read from the text of the declarations the walk met.
   */
  private localNames(fn: number): Set<string> {
    let names = this.localNamesCache.get(fn);
    if (names) return names;
    names = new Set();
    this.localNamesCache.set(fn, names);
    if (fn < 0) return names;
    const fact = this.input.functions[fn]!;
    for (const p of fact.params) if (p.name) names.add(p.name);
    const { nodes, starts } = this.input.scopeNodes;
    const end = this.ends[fn]!;
    for (let i = lowerBound(starts, this.starts[fn]!); i < nodes.length && starts[i]! < end; i++) {
      const type = nodes[i]!.type;
      if (type === 'declaration') for (const n of declaredNames(this.text, starts[i]!)) names.add(n);
      else if (type === 'for_range_loop') {
        const m = /^for\s*\(([^:;]*?)([A-Za-z_]\w*)\s*\]?\s*:[^:]/.exec(this.text.slice(starts[i]!, starts[i]! + 200));
        if (m) names.add(m[2]!);
      }
    }
    if (fact.isLambda) for (const n of this.localNames(this.parentOf(fn))) names.add(n);
    return names;
  }
}


/** `const ns::Logger<int> *` → { name: 'Logger', qualifier: 'ns' }; undefined for no name. */
function typeName(written: string): { name: string; qualifier?: string } | undefined {
  let t = squeeze(written.replace(/\b(const|volatile|struct|class|typename|union|enum)\b/g, ' ')).replace(/[*&]+$/, '');
  // Strip template arguments (outermost only: `a<b<c>>` → `a`).
  let out = '';
  let depth = 0;
  for (const ch of t) {
    if (ch === '<') depth++;
    else if (ch === '>') depth--;
    else if (depth === 0) out += ch;
  }
  t = out;
  const split = splitQualified(t);
  const name = split ? split.name : t;
  if (!/^~?[A-Za-z_]\w*$/.test(name)) return undefined;
  return split && split.qualifier !== '::' ? { name, qualifier: split.qualifier } : { name };
}

function squeezeType(written: string): string {
  return written.replace(/\s+/g, ' ').trim();
}

/** A member declarator's name; methods (a function declarator around the name itself) give none. */
function memberName(declarator: SyntaxNode, text: string): { name: string; pointer: boolean } | undefined {
  let node: SyntaxNode | null = declarator;
  let pointer = false;
  for (let guard = 0; node && guard < 8; guard++) {
    const type = node.type;
    if (type === 'field_identifier' || type === 'identifier') return { name: text.slice(node.startIndex, node.endIndex), pointer };
    if (type === 'function_declarator') {
      const inner = node.childForFieldName('declarator');
      if (!inner || inner.type !== 'parenthesized_declarator') return undefined;
      node = inner;
      continue;
    }
    if (type === 'pointer_declarator') pointer = true;
    node = node.childForFieldName('declarator') ?? node.namedChildren.find((c) => c.type.endsWith('declarator') || c.type.endsWith('identifier')) ?? null;
  }
  return undefined;
}


/** The last `(` at depth 0 in [start, end): where a call's argument list opens. */
function lastTopLevelParen(text: string, start: number, end: number): number {
  let depth = 0;
  let open = -1;
  for (let i = start; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 40 || ch === 91 || ch === 123) {
      if (depth === 0 && ch === 40) open = i;
      depth++;
    } else if (ch === 41 || ch === 93 || ch === 125) depth--;
    else if (ch === 34 || ch === 39) i = skipQuoted(text, i, end);
    else if (ch === 47) i = skipComment(text, i, end);
  }
  return open;
}



/** `==`, `!=`, `<=`, `+=`, …: characters before an `=` that is no plain assignment. */
const COMPOUND_ASSIGNMENT = new Set([...'=!<>+-*/%&|^'].map((c) => c.charCodeAt(0)));

/** Can a value naming a function start with this character (a name, `&`, a cast, `::`, a lambda)? */
function mayStartValue(ch: number): boolean {
  return (isWordChar(ch) && !(ch >= 48 && ch <= 57)) || ch === 38 || ch === 40 || ch === 58 || ch === 91 || ch === 126;
}




/** The variable or field an `=` at `at` assigns; undefined for designated initializers (and what is not an assignment). */
function assignedName(text: string, at: number): { name: string; member: boolean } | undefined {
  let j = at - 1;
  while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--;
  if (text[j] === ']') {
    // A bounded loop back, not lastIndexOf (see skipComment): this runs at every `=` of the file.
    let open = j - 1;
    while (open >= 0 && j - open <= 200 && text[open] !== '[') open--;
    if (open < 0 || j - open > 200) return undefined;
    j = open - 1;
    while (j >= 0 && (text[j] === ' ' || text[j] === '\t')) j--;
  } else if (text[j] === ')') {
    const declared = FUNCTION_POINTER_DECLARATOR.exec(text.slice(Math.max(0, j - 200), j + 1))?.[1];
    return declared ? { name: declared, member: false } : undefined;
  }
  const end = j + 1;
  while (j >= 0 && /\w/.test(text[j]!)) j--;
  const name = text.slice(j + 1, end);
  if (!/^[A-Za-z_]\w*$/.test(name) || name === 'operator') return undefined;
  while (j >= 0 && /\s/.test(text[j]!)) j--;
  if (text[j] === '.') {
    // `{ .accept = f }`, `, .read = g`: a designator, read with its initializer list.
    let k = j - 1;
    while (k >= 0 && /\s/.test(text[k]!)) k--;
    if (text[k] === '{' || text[k] === ',') return undefined;
    return { name, member: true };
  }
  return { name, member: text[j] === '>' && text[j - 1] === '-' };
}

function assignUse(target: { name: string; member: boolean }): RefUse {
  return target.member ? { use: 'assign', field: target.name } : { use: 'assign', field: target.name, variable: true };
}

/** Is `at` on a line after `//`, an opening `/*` or an odd number of double quotes? */
function inCommentOrString(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at) + 1;
  const before = text.slice(lineStart, at);
  if (before.includes('//') || before.includes('/*') || /^\s*\*(\s|$)/.test(before)) return true;
  let quotes = 0;
  for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 34 && before.charCodeAt(i - 1) !== 92) quotes++;
  return quotes % 2 === 1;
}

/**
 * Names a declaration starting at `start` declares, read from its text up to the `;`:
 * `int a = 1, *b, c[3];` → a, b, c; `void (*cb)(int) = f;` → cb; `Logger log(1);` → log.
 */
function declaredNames(text: string, start: number): string[] {
  let depth = 0;
  const names: string[] = [];
  let partStart = start;
  let cut = -1;
  const end = Math.min(text.length, start + 4000);
  const finishPart = (to: number) => {
    let e = cut >= 0 ? cut : to;
    while (e > partStart && isSpace(text.charCodeAt(e - 1))) e--;
    const last = text.charCodeAt(e - 1);
    if (last !== 41 && last !== 93) {
      // The usual `int a = …`, `char *p`: the identifier the part ends with.
      let b = e;
      while (b > partStart && isWordChar(text.charCodeAt(b - 1))) b--;
      if (b < e && !(text.charCodeAt(b) >= 48 && text.charCodeAt(b) <= 57)) names.push(text.slice(b, e));
      return;
    }
    let part = text.slice(partStart, e);
    // Trailing `(…)` (constructor arguments, parameter lists) and `[…]` groups.
    for (let guard = 0; guard < 4 && /[)\]]$/.test(part); guard++) {
      const fp = /\(\s*[*&]+\s*([A-Za-z_]\w*)\s*\)\s*(?:\([^()]*\)|\[[^\]]*\])?$/.exec(part);
      if (fp) {
        names.push(fp[1]!);
        return;
      }
      const group = /(?:\([^()]*(?:\([^()]*\)[^()]*)*\)|\[[^\]]*\])$/.exec(part);
      if (!group) break;
      part = part.slice(0, group.index).trimEnd();
    }
    const m = /\b([A-Za-z_]\w*)$/.exec(part);
    if (m) names.push(m[1]!);
  };
  for (let i = start; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 40 || ch === 91 || ch === 123) depth++;
    else if (ch === 41 || ch === 93 || ch === 125) depth--;
    else if (ch === 34 || ch === 39) i = skipQuoted(text, i, end);
    else if (ch === 47) i = skipComment(text, i, end);
    else if (depth === 0 && ch === 61 /* = */ && cut < 0) cut = i;
    else if (depth === 0 && (ch === 44 || ch === 59)) {
      finishPart(i);
      if (ch === 59) return names;
      partStart = i + 1;
      cut = -1;
    }
    if (depth === 1 && ch === 123 && cut < 0) cut = i;
    if (depth < 0) break;
  }
  return names;
}

const CONSTRUCTOR_ATTRIBUTE = new RegExp(String.raw`^${GNU_ATTRIBUTE}\s*\(\(\s*(?:__)?constructor(?:__)?\b`);

/** `__attribute__((constructor))` functions: the name after the attribute (a definition) or before it (a prototype). */
function startupFunctions(text: string, attributes: readonly SyntaxNode[]): string[] {
  const names: string[] = [];
  for (const node of attributes) {
    const start = node.startIndex;
    const end = node.endIndex;
    if (!CONSTRUCTOR_ATTRIBUTE.test(text.slice(start, end))) continue;
    const after = text.slice(end, end + 300);
    const stop = after.search(/[;{]/);
    const forward = /\b([A-Za-z_]\w*)\s*\(/.exec(stop >= 0 ? after.slice(0, stop) : after);
    if (forward && !isGnuAttributeKeyword(forward[1]!)) {
      names.push(forward[1]!);
      continue;
    }
    const before = text.slice(Math.max(0, start - 300), start);
    const statement = before.slice(Math.max(before.lastIndexOf(';'), before.lastIndexOf('}')) + 1);
    const backward = [...statement.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].pop();
    if (backward) names.push(backward[1]!);
  }
  return names;
}
