import type { SourceFile } from './source-file.js';
import { escapeRegExp } from '../util/regexp.js';
import { squeeze } from '../syntax/nodes.js';
import { withoutOuterParentheses } from '../syntax/c-text.js';
import type { ProjectIndex } from './project-index.js';
import { callGraphOf } from './call-graph.js';
import type { CallFact } from './facts.js';
import { NON_ZERO_VALUE } from '../flow/cfg.js';

/**
 * The values a `static` function's parameters can take, when every call of it is in view and
 * passes a constant there: `static int open_listener(int family)` called only as
 * `open_listener(AF_INET)` and `open_listener(AF_INET6)` never runs its `else { return -1; }`
 * branch. Branches that only such a caller's value rules out are otherwise taken for real paths.
 *
 * Only where nothing else can call it: a `static` free function or one in an anonymous namespace
 * (its name is not seen outside its file) whose name the file mentions only in its own declarations and in direct calls — not stored,
 * passed as a callback, or used inside a macro body — and whose every call passes as many
 * arguments as it has parameters. Also a program's own non-`static` function (nc6's
 * `open3(cmd, &in, &out, NULL)`, declared in a header of the program): the project defines
 * `main()` and defines the function once, every place that uses it is a direct call the call
 * graph resolves to it (never a callback, a stored pointer or a macro's body), and every one passes
 * a constant. An address (`&geom`) or a string literal counts as a constant: not null. A library's function may have callers outside the project: a project without a
 * `main()` keeps every path.
 */
export type ParameterValues = ReadonlyMap<string, readonly string[]>;

const NONE: ParameterValues = new Map();
/** A constant an argument may be: a number, a character, an upper-case name (`AF_INET`), `NULL`, `true`. */
const CONSTANT_ARGUMENT = /^(?:-?(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*|'(?:[^'\\]|\\.)'|TRUE|FALSE|true|false|NULL|nullptr|[A-Z][A-Z0-9_]*)$/;
/** An address of a variable, a field or an element, or a string literal: never null. */
const ADDRESS_ARGUMENT = /^(?:&\s*[A-Za-z_][\w.\->\[\]\s]*|"(?:[^"\\]|\\.)*")$/;
/** More values than this for one parameter are not worth the paths they split into. */
const MAX_VALUES = 4;

// A program function's values depend on its callers elsewhere: computed again for a new index (the LSP server's after an edit).
const cache = new WeakMap<SourceFile, { index: ProjectIndex | undefined; byFunction: Map<number, ParameterValues> }>();

export function parameterValuesOf(file: SourceFile, fnIndex: number, index?: ProjectIndex): ParameterValues {
  let cached = cache.get(file);
  if (!cached || cached.index !== index) cache.set(file, (cached = { index, byFunction: new Map() }));
  const byFunction = cached.byFunction;
  let values = byFunction.get(fnIndex);
  if (!values) byFunction.set(fnIndex, (values = compute(file, fnIndex, index)));
  return values;
}

function compute(file: SourceFile, fnIndex: number, index: ProjectIndex | undefined): ParameterValues {
  const fn = file.facts.functions[fnIndex];
  if (!fn || fn.isLambda || fn.className !== undefined || fn.variadic || fn.params.length === 0) return NONE;
  if (!fn.isStatic && !inAnonymousNamespace(file, fnIndex)) return index ? programFunctionValues(file, fnIndex, index) : NONE;
  // Defined once in the file (two definitions are two `#if` branches: which one runs is not known).
  if (file.facts.functions.filter((f) => f.name === fn.name).length !== 1) return NONE;
  const calls = file.facts.calls.filter((c) => c.callee === fn.name);
  if (calls.length === 0 || calls.some((c) => c.member || c.qualifier !== undefined || c.args.length !== fn.params.length)) return NONE;
  // Every mention of the name outside comments and strings is a call or a declaration: followed
  // by `(`, no more of them than the calls, the definition and one prototype, none in a `#define`.
  let mentions = 0;
  for (const match of file.text.matchAll(new RegExp(`(?<![\\w$])${escapeRegExp(fn.name)}(?![\\w$])`, 'g'))) {
    const at = match.index;
    const node = file.tree.rootNode.descendantForIndex(at, at + fn.name.length);
    if (node.type === 'comment' || /string|char_literal|raw_string/.test(node.type) || /string|char_literal/.test(node.parent?.type ?? '')) continue;
    if (/(?:\.|->|::)\s*$/.test(file.text.slice(Math.max(0, at - 4), at)) || !/^\s*\(/.test(file.text.slice(at + fn.name.length, at + fn.name.length + 80))) return NONE;
    if (node.type === 'preproc_arg' || node.parent?.type === 'preproc_function_def' || node.parent?.type === 'preproc_def' || /^[ \t]*#/.test(lineAround(file.text, at))) return NONE;
    mentions++;
  }
  if (mentions > calls.length + 2) return NONE;
  return constantValues(fn.params, calls);
}

/** A non-`static` function of a program, every call of it in view (see the top of the file). */
function programFunctionValues(file: SourceFile, fnIndex: number, index: ProjectIndex): ParameterValues {
  const fn = file.facts.functions[fnIndex]!;
  if (index.functionsNamed('main').length === 0 || index.functionsNamed(fn.name).length !== 1) return NONE;
  const graph = callGraphOf(index);
  const ref = graph.refOf(file.path, fn);
  if (!ref) return NONE;
  const edges = graph.callers(ref);
  const calls: CallFact[] = [];
  for (const edge of edges) {
    if (edge.kind !== 'call' || edge.ambiguous || !edge.call) return NONE;
    calls.push(edge.call);
  }
  // Every call the project makes by that name is one of those (none left unresolved), and no macro passes it on.
  if (calls.length === 0 || index.callsTo(fn.name).length !== calls.length) return NONE;
  if (calls.some((c) => c.member || (c.qualifier !== undefined && c.qualifier !== '::') || c.args.length !== fn.params.length)) return NONE;
  const values = constantValues(fn.params, calls);
  return values.size > 0 && !namedByMacros(index).has(fn.name) ? values : NONE;
}

const macroNames = new WeakMap<ProjectIndex, ReadonlySet<string>>();

/** Functions the project's macros call or stand for: a use of such a macro is a call the index does not list. */
function namedByMacros(index: ProjectIndex): ReadonlySet<string> {
  let names = macroNames.get(index);
  if (!names) {
    const set = new Set<string>();
    for (const f of index.files) {
      for (const m of f.macroBodies) for (const c of m.calls) set.add(c.callee);
      for (const a of f.macroAliases) set.add(a.target);
    }
    macroNames.set(index, (names = set));
  }
  return names;
}

/** Parameters for which every call passes a constant, with those constants (at most MAX_VALUES). */
function constantValues(params: readonly { readonly name: string }[], calls: readonly CallFact[]): ParameterValues {
  const out = new Map<string, string[]>();
  params.forEach((param, i) => {
    if (!/^[A-Za-z_]\w*$/.test(param.name)) return;
    const seen = new Set<string>();
    for (const call of calls) {
      const arg = withoutOuterParentheses(squeeze(call.args[i] ?? ''));
      // `open_raw(path, &geom, &err)`: an address is never null (pcem's minivhd, `if (geom == NULL) return …;`).
      const value = CONSTANT_ARGUMENT.test(arg) ? arg : ADDRESS_ARGUMENT.test(arg) ? NON_ZERO_VALUE : undefined;
      if (value === undefined) return;
      seen.add(value);
    }
    if (seen.size > 0 && seen.size <= MAX_VALUES) out.set(param.name, [...seen]);
  });
  return out.size > 0 ? out : NONE;
}

/** C++'s other way to keep a function to its file: `namespace { … }`. */
function inAnonymousNamespace(file: SourceFile, fnIndex: number): boolean {
  for (let node = file.syntax.functionNodes[fnIndex]?.parent; node; node = node.parent) {
    if (node.type === 'namespace_definition' && !node.childForFieldName('name')) return true;
  }
  return false;
}

function lineAround(text: string, at: number): string {
  return text.slice(text.lastIndexOf('\n', at) + 1, at);
}
