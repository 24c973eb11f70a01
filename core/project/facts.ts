import { markedDeclarations, noReturnDeclarations, noReturnMarkerMacros } from './no-return-declarations.js';
import { NEVER_FAILING_NAMES } from '../flow/never-failing.js';
import Parser from 'tree-sitter';
import { grammarOf, type SyntaxNode, type Tree } from '../syntax/parser.js';
import type { Language } from '../syntax/language.js';
import { childrenForField, declaredName, lastIdentifier, squeeze } from '../syntax/nodes.js';
import { LineMap } from '../syntax/source-text.js';
import { lowerBound } from '../util/sorted.js';
import { elementsOf } from '../syntax/c-text.js';
import { OrderedAncestry } from '../syntax/ordered-ancestry.js';
import { includeNames } from './include-graph.js';
import { defineLines, macroAliases, macroBodies, macroConstants, macroExpressions, memberPrefixMacros, returningMacros } from './macros.js';
import { inactiveBranches, isInactive } from '../syntax/inactive-branches.js';
import { braceDepths } from '../syntax/macro-rewrites.js';
import type { PreprocessorConfiguration } from '../syntax/conditionals.js';
import type { FactsProvider, FileFactsInput, ProvidedItem } from './provider.js';
import { CallFactsCollector, callShape, type CallGraphFacts, type CallShape } from './call-facts.js';

/**
 * The per-file facts pass. Everything here is plain data (JSON-serializable): worker threads send
 * it to the main thread, which merges all files into the project index before any rule runs.
 */

export interface Span {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface ParamFact {
  readonly name: string;
  readonly type: string;
}

export interface FunctionFact extends Span {
  readonly index: number;
  /** Last identifier: `onAccept` for `Server::onAccept`. */
  readonly name: string;
  /** As qualified as we can tell: `Server::onAccept`, `main`, `<lambda@12>`. */
  readonly qualifiedName: string;
  readonly className?: string;
  readonly params: readonly ParamFact[];
  /** Ends in `...`: arguments past `params` are the variadic ones. */
  readonly variadic?: boolean;
  /** No `return` in the body, whose last statement calls this (see endingCall). */
  readonly endsIn?: string;
  /**
   * No `return` in the body, whose last statement is `if (param OP constant) { …; call(…); }`
   * (see endingCallWhen): a call passing a value that satisfies the test does not come back when
   * `call` never returns (`starter_return(…, JOB_EXEC_RETRY, …)` ends in `if (code < 0) exit(254);`).
   */
  readonly endsInWhen?: EndingCallWhen;
  /** The one integer constant every return of the function returns (`return 0;` on every path), if so. */
  readonly returnsOnly?: string;
  /** Every return returns this parameter, unchanged (`int _verify(int ok, …) { if (!ok) report(…); return ok; }`). */
  readonly returnsParam?: number;
  /**
   * The function sets a signal's handler with `signal()` or `sigaction()` for the signal its
   * parameter `param` names, and can fail only where that call does (gnu-radius's
   * `grad_set_signal(int sig, handler)`): 'handler' if it returns the old handler or SIG_ERR,
   * 'status' if 0 or -1. Named catchable signals never make it fail (core/flow/never-failing.ts).
   */
  readonly setsSignal?: { readonly param: number; readonly returns: 'handler' | 'status' };
  /** A C++ function's return type when it is a template (`Result<TempFile>`, `std::expected<int, E>`), squeezed. */
  readonly returnTemplate?: string;
  /** A C++ function's return type when it is a named type returned by value (`stdplus::ManagedFd`, `Socket`), squeezed: maybe a class. */
  readonly returnClass?: string;
  readonly isLambda: boolean;
  /** `static`: only callable from its own file. */
  readonly isStatic: boolean;
  /** Callees whose result this function returns (`return f(…)`, or `v = f(…); … return v;`); a class's own (`Cls::open`) with its qualifier. */
  returnsCallOf?: string[];
}

export interface EndingCallWhen {
  readonly param: number;
  /** `<`, `<=`, `>`, `>=`, `==`, `!=`: the parameter on the left. */
  readonly op: string;
  readonly value: number;
  readonly call: string;
}

export interface CallFact extends Span, CallShape {
  readonly callee: string;
  /** Index of the enclosing function in `functions`, -1 at file scope. */
  readonly fn: number;
  /** Argument texts, whitespace squeezed, at most 160 characters each. */
  readonly args: readonly string[];
  readonly inLoop: boolean;
  /** The call's value is used (tested, assigned, passed on) rather than discarded. */
  readonly resultUsed: boolean;
  /** Called through an object or struct field (`l->accept(c)`, `sock.accept()`): not the libc function. */
  readonly member: boolean;
}

export interface FileFacts extends CallGraphFacts {
  readonly path: string;
  readonly language: Language;
  readonly functions: FunctionFact[];
  readonly calls: CallFact[];
  /** Function-like macros defined here whose body returns or jumps (`#define CHECK(x) if (!(x)) return -1`). */
  readonly returningMacros: ReturningMacro[];
  /** Macros that stand for a function under another name (`#define sclose(x) close(x)`). */
  readonly macroAliases: MacroAlias[];
  /** Object-like macros that are an integer (`#define PIPE_WR 1`): array subscripts. */
  readonly macroConstants: MacroConstant[];
  /** Function-like macros used as statements, with the calls in their bodies (`#define FAIL_CLOSE(x) close(in); return (x)`). */
  readonly macroBodies: MacroBody[];
  /** Function-like macros whose body is an expression reading its parameters (`#define SOCK_INVALID(s) ((s) < 0)`). */
  readonly macroExpressions?: MacroExpression[];
  /** Functions declared here with a no-return marker (`_Noreturn`, `ATTRIB_NORETURN`): calls to them end a path. */
  readonly noReturnDeclared?: string[];
  /** Object-like macros defined here as a no-return marker under another name (`#define NONRET __attribute__((noreturn))`). */
  readonly noReturnMarkers?: string[];
  /** Declarations here with an upper-case word around the function (`NONRET void die(…);`): [word, function]. */
  readonly markedDeclarations?: [string, string][];
  /** Object-like macros that stand for a member access's object (`#define BX_SER_THIS theSerial->`). */
  readonly memberPrefixes?: string[];
  /** The `#include`s outside inactive branches, as written (`"net.h"`, `<proj/net.h>`): whose macros this file sees. */
  readonly includes?: string[];
  /** Items of the facts providers (see provider.ts), by provider id. */
  readonly provided: Record<string, ProvidedItem[]>;
  /** The file as a BSD or macOS build sees it, when it holds kqueue code (see core/project/platforms.ts). */
  readonly bsd?: FileFacts;
}

/** What is visible inside a function: enough to tell a parameter, a local, a global and a member apart. */
export interface ScopeInfo {
  readonly file: string;
  /** Qualified function name (`Server::onAccept`, `main`). */
  readonly functionName: string;
  /** Class/struct whose member function this is, for `this->x` and bare members. */
  readonly className?: string;
  readonly params: readonly { readonly name: string; readonly type: string }[];
  /** Local variable types, when known (undefined: not collected). */
  readonly locals?: ReadonlyMap<string, string>;
  /** Names declared at file scope in this file. */
  readonly globals?: ReadonlySet<string>;
}

/**
 * A macro that may return from its caller. When its body is `if (!(P)) return …` (or `if (P)`),
 * `param`/`returnsWhen` say which argument decides and on which truth value it returns.
 */
export interface MacroBody {
  readonly name: string;
  /**
   * Calls in the body, in order; arguments as written, parameters as `$0`, `$1`, …. `tested`: the
   * call is (inside) the condition of an `if`, `while` or `switch`, which runs whichever way the
   * macro then goes (`if (fclose(x) != 0) goto FCLOSE_ERROR;` closes on both). `goesOn`: of a body
   * that returns or jumps only inside a test, a call that is a statement of its top level, which
   * runs when the macro does not leave (`do { if (…) { close(so); goto cont; } send(ibuf, so); } while (0)`).
   */
  readonly calls: readonly { readonly callee: string; readonly args: readonly string[]; readonly tested?: boolean; readonly goesOn?: boolean }[];
  /** The body returns or jumps (a returning macro: its calls happen on the way out). */
  readonly returns: boolean;
  /** The body may skip some of its calls (a test, a loop). */
  readonly conditional?: boolean;
  /**
   * Of a conditional body, the calls that are statements of its own top level, which run on every
   * expansion (woof's `do { if (I_IsDebuggerAttached()) DoDebugBreak(); I_ErrorInternal(…); } while (0)`).
   */
  readonly callsAlways?: readonly string[];
  /** A variadic macro: the position of its first variadic argument (passed on as `$...` in `calls`). */
  readonly variadicFrom?: number;
}

export interface MacroExpression {
  readonly name: string;
  readonly params: readonly string[];
  /** The body as written, comments removed. */
  readonly body: string;
  /** Names the body calls (other macros, functions). */
  readonly calls: readonly string[];
  /** Takes more arguments than its parameters (a C variadic function standing as one: `testOk(pass, fmt, …)`). */
  readonly variadic?: boolean;
  /** A function standing as an expression, not a macro: C++ may call it qualified (`check::holds(…)`). */
  readonly function?: boolean;
}

export interface MacroConstant {
  readonly name: string;
  /** The integer, in decimal. */
  readonly value: string;
}

export interface MacroAlias {
  readonly name: string;
  /** The function (or macro) it stands for. */
  readonly target: string;
  /** Function-like: for each argument of the target, the macro parameter it is (-1: an expression). Object-like: none, arguments pass through. */
  readonly args?: readonly number[];
}

export interface ReturningMacro {
  readonly name: string;
  readonly param?: number;
  readonly returnsWhen?: boolean;
  /** The macro jumps to this label (`goto cleanup`) rather than returning. */
  readonly gotoLabel?: string;
  /**
   * The body leaves on every expansion: a `return` or `goto` of its own, under no `if` or loop
   * (`#define RETURN(x) do { if (fd >= 0) close(fd); return (x); } while (0)`).
   */
  readonly always?: boolean;
  /** No return in the body: it leaves through one of these calls, where one never returns (`if (!(x)) abort()`). */
  readonly exits?: readonly string[];
  /**
   * Calls the body makes under no condition before it leaves (lrzip's `#define fatal_return(stuff,
   * …) do { fatal stuff; return __VA_ARGS__; } while (0)`): where one never returns, neither does
   * the macro, and its return is never reached.
   */
  readonly callsFirst?: readonly string[];
  /** Variables it sets before it leaves (`iRet = code;`): to a constant, or to argument `param`. */
  readonly assigns?: readonly MacroAssignment[];
  /**
   * The guard compares two arguments, or an argument with 0, for equality (`int __got = (got),
   * __expected = (expected); if (__got != __expected) return false;`): which arguments (undefined
   * for a literal 0 in the body) and whether it returns when they are equal.
   */
  readonly equality?: MacroEquality;
  /**
   * The guard tests a call's result, not the argument itself (`if (!_verify((int)(A), #A, …))
   * return;`): `param`/`returnsWhen` hold only where `callee` returns its argument `arg` unchanged
   * (FunctionFact.returnsParam), which the project's definitions decide.
   */
  readonly via?: { readonly callee: string; readonly arg: number };
  /**
   * The guard assigns an argument to a variable and compares it with a constant (librelp's
   * `#define CHKRet(code) if((iRet = code) != RELP_RET_OK) goto finalize_it`): past the macro the
   * variable equals the constant, and on the way out it differs (or the reverse, `==`).
   */
  readonly comparedAssignment?: MacroComparedAssignment;
}

export interface MacroComparedAssignment {
  readonly name: string;
  readonly param: number;
  readonly constant: string;
  readonly returnsWhenEqual: boolean;
}

export interface MacroEquality {
  readonly left?: number;
  readonly right?: number;
  readonly returnsWhenEqual: boolean;
}

export interface MacroAssignment {
  readonly name: string;
  readonly value?: string;
  readonly param?: number;
}

/** Non-serializable companions of the facts: syntax nodes, for the check pass in the same process. */
export interface FileSyntax {
  readonly functionNodes: SyntaxNode[];
  readonly callNodes: SyntaxNode[];
  readonly comments: SyntaxNode[];
  /** Names declared at file scope. */
  readonly globals: ReadonlySet<string>;
  /** Local declarations of a function (name → type spelling), read once per file and function. */
  readonly locals: (fn: number) => ReadonlyMap<string, string>;
  /** `#if` branches the configuration analysed rules out, sorted: their `#define`s do not count (read when first asked). */
  readonly inactiveBranches: () => readonly (readonly [number, number])[];
}

const LOOP_TYPES_C = ['while_statement', 'for_statement', 'do_statement'];
const LOOP_TYPES_CPP = [...LOOP_TYPES_C, 'for_range_loop'];
const errorQueries = new Map<Language, Parser.Query>();

/** ERROR nodes: asked for only inside function bodies that have errors (see analyze.ts). */
export function errorQuery(language: Language): Parser.Query {
  let query = errorQueries.get(language);
  if (!query) {
    query = new Parser.Query(grammarOf(language), '(ERROR) @error');
    errorQueries.set(language, query);
  }
  return query;
}

export function spanOf(node: SyntaxNode): Span {
  return {
    line: node.startPosition.row + 1,
    column: node.startPosition.column + 1,
    endLine: node.endPosition.row + 1,
    endColumn: node.endPosition.column + 1,
  };
}

/** Splits an argument list's text (`(a, f(b, c))`) on top-level commas: squeezed, at most 160 characters each. */
/** Longest argument text kept (squeezed); longer ones are cut. */
const ARGUMENT_CHARS = 160;

/**
 * The arguments of the argument list at [open, close) of `text`, squeezed and cut. `nested`: the
 * argument lists of calls inside it (start → end), skipped without reading them, so that
 * `f(f(f(…)))` is read once and not once per call.
 */
function argumentsBetween(text: string, open: number, close: number, nested?: ReadonlyMap<number, number>): string[] {
  // Only the start of a long argument is read: what is kept of it is at most ARGUMENT_CHARS long.
  return elementsOf(text, open + 1, close - 1, nested).map(([s, e]) => squeeze(text.slice(s, Math.min(e, s + ARGUMENT_CHARS * 16))).slice(0, ARGUMENT_CHARS));
}

export interface FactsOptions {
  readonly providers: readonly FactsProvider[];
  /** The build's `-D`/`-U`: which `#if` branches' macro definitions count (see inactive-branches.ts). */
  readonly configuration?: PreprocessorConfiguration;
  /** Handed to the providers (see FileFactsInput.settings). */
  readonly settings: unknown;
}

/**
 * Facts of a part of a file: the functions within `roots` (top-level function definitions of the
 * file's own tree) and what they contain. The LSP server re-extracts only the functions an edit
 * touched; the rest of the file (declarations, macros: `globals`, and the file-level facts it keeps
 * from the last whole-file pass) is unchanged.
 */
export interface FactsScope {
  readonly roots: readonly SyntaxNode[];
  /** Names declared at file scope, as the whole-file pass found them. */
  readonly globals: ReadonlySet<string>;
}

export function extractFacts(
  path: string,
  language: Language,
  tree: Tree,
  text: string,
  options: FactsOptions,
  lines: LineMap = new LineMap(text),
  scope?: FactsScope,
): { facts: FileFacts; syntax: FileSyntax } {
  // descendantsOfType walks the tree in native code: about twice as fast as a query over it.
  const functionTypes = language === 'cpp' ? ['function_definition', 'lambda_expression'] : ['function_definition'];
  const loopTypes = language === 'cpp' ? LOOP_TYPES_CPP : LOOP_TYPES_C;
  const functionNodes: SyntaxNode[] = [];
  const callNodes: SyntaxNode[] = [];
  const callStarts: number[] = [];
  const loopRanges: [number, number][] = [];
  // What local declarations are read from (see localDeclarations), collected in the same walk.
  const scopeNodes: NodesInOrder = { nodes: [], starts: [] };
  const callGraphFacts = new CallFactsCollector(language);
  // descendantsOfType returns nodes in document (pre-)order, outer before inner: already sorted the
  // way everything below expects. Each range is read once (every read is a native call). One walk
  // for all: each walk visits every node of the tree natively (half a millisecond on a big function).
  // (Collecting expression statements too, to tell a call statement without asking for its parent,
  // cost the CLI more in node objects than it saved: nginx took 4.4-4.8 s of CPU with, 3.7-3.8 without.)
  const types = [...functionTypes, ...loopTypes, 'call_expression', ...DECLARATION_TYPES, ...callGraphFacts.types];
  for (const node of (scope?.roots ?? [tree.rootNode]).flatMap((root) => root.descendantsOfType(types))) {
    const type = node.type;
    if (type === 'call_expression') {
      callNodes.push(node);
      callStarts.push(node.startIndex);
      continue;
    }
    if (callGraphFacts.take(node, type)) continue;
    const isFunction = type === 'function_definition' || type === 'lambda_expression';
    const declares = DECLARATION_TYPES.includes(type);
    if (isFunction || declares) {
      scopeNodes.nodes.push(node);
      scopeNodes.starts.push(node.startIndex);
    }
    if (isFunction) functionNodes.push(node);
    else if (!declares) loopRanges.push([node.startIndex, node.endIndex]);
  }
  // Suppression comments are rare: look for them only when the text mentions connlint.
  const comments = text.includes('connlint-') ? tree.rootNode.descendantsOfType('comment') : [];
  // Functions in `#if 0` blocks, or in another platform's (`#ifdef _WIN32` on Linux), are not
  // compiled: nor are the calls in them (a kqueue registration in `#ifdef HAVE_KQUEUE`).
  const notCompiled = text.includes('#') ? inactiveBranches(text, language, options.configuration, 'undecided') : [];
  if (notCompiled.length > 0) for (let i = functionNodes.length - 1; i >= 0; i--) if (isInactive(notCompiled, functionNodes[i]!.startIndex)) functionNodes.splice(i, 1);

  const functions = functionNodes.map((node, index) => functionFact(node, index, text, language, lines));
  const enclosing = enclosingIndex(functions, lines);
  const calls: CallFact[] = [];
  const callNodesKept: SyntaxNode[] = [];
  const returnedNames = new Map<number, ReturnsOf>();
  // Loops per function, so "is this call in a loop" looks only at its own function's loops.
  const loopsByFunction = new Map<number, [number, number][]>();
  for (const range of loopRanges) {
    const owner = enclosing(range[0]);
    const list = loopsByFunction.get(owner);
    if (list) list.push(range);
    else loopsByFunction.set(owner, [range]);
  }
  const globals = scope?.globals ?? fileScopeNames(tree.rootNode);
  const ancestry = new OrderedAncestry(tree.rootNode);
  const callParts = callNodes.map((node) => ({ fnNode: node.childForFieldName('function'), argsNode: node.childForFieldName('arguments') }));
  const argumentLists = new Map<number, number>();
  for (const { argsNode } of callParts) if (argsNode) argumentLists.set(argsNode.startIndex, argsNode.endIndex);
  callNodes.forEach((node, i) => {
    const { fnNode, argsNode } = callParts[i]!;
    const callee = fnNode ? (fnNode.type === 'identifier' ? text.slice(fnNode.startIndex, fnNode.endIndex) : lastIdentifier(fnNode)) : undefined;
    if (!callee || !argsNode) return;
    const start = callStarts[i]!;
    const fn = enclosing(start);
    if (fn < 0 && notCompiled.length > 0 && isInactive(notCompiled, start)) return;
    // A call is "in a loop" only for loops of its own function, not of an enclosing one around a lambda.
    const inLoop = loopsByFunction.get(fn)?.some(([s, e]) => s < start && start < e) ?? false;
    const parentType = ancestry.parentType(node);
    const resultUsed = parentType !== 'expression_statement';
    const member = isIndirectCallee(fnNode!);
    // `return (netio->open)(s, fd, mode);` returns whatever a callback returns, not open()'s descriptor.
    // `return interval<T>::open(lo, hi);` returns a class's own open(), not the C library's: noted
    // with its qualifier (`interval<T>::open`), which acquirer summaries do not take for libc's.
    const qualifier = fnNode!.type === 'qualified_identifier' ? callShape(fnNode!, text)?.qualifier : undefined;
    const returnedCallee = qualifier && qualifier !== '::' && qualifier !== 'std' ? `${qualifier}::${callee}` : callee;
    // The parentheses and casts around the call up to what holds it.
    if (fn >= 0 && parentType && resultUsed && !member) noteReturnedCall(functions[fn]!, functionNodes[fn]!, node, ancestry.chainFromParent(PARENTHESES), returnedCallee, returnedNames, globals);
    // The argument list ends the call: its end is the call's end.
    const argsEnd = argsNode.endIndex;
    calls.push({ callee, fn, args: argumentsBetween(text, argsNode.startIndex, argsEnd, argumentLists), inLoop, resultUsed, member, ...lines.span(start, argsEnd), ...callShape(fnNode!, text) });
    callNodesKept.push(node);
  });

  const localsCache = new Map<number, Map<string, string>>();
  const locals = (fn: number): ReadonlyMap<string, string> => {
    let map = localsCache.get(fn);
    if (!map) {
      map = localDeclarations(functionNodes[fn]!, scopeNodes);
      localsCache.set(fn, map);
    }
    return map;
  };
  const input: FileFactsInput = {
    path,
    language,
    text,
    functions,
    functionNodes,
    calls,
    callNodes: callNodesKept,
    scope: (fn) => scopeInfo(path, functions, fn, globals, locals),
    partial: scope !== undefined,
    settings: options.settings,
  };
  const provided: Record<string, ProvidedItem[]> = {};
  for (const provider of options.providers) provided[provider.id] = provider.extract(input);

  // The `#define` lines that count, read once for every kind of macro.
  let inactiveRead: readonly (readonly [number, number])[] | undefined;
  const inactive = () => (inactiveRead ??= inactiveBranches(text, language, options.configuration));
  let definesRead: readonly number[] | undefined;
  const defines = () => (definesRead ??= activeLines(defineLines(text), inactive()));
  const graphFacts = callGraphFacts.finish({ text, lines, functions, calls, callNodes: callNodesKept, enclosing, loops: loopsByFunction, scopeNodes, locals, roots: scope?.roots });
  return {
    // Macros are file-level: a scoped pass leaves them to the whole-file facts.
    facts: { path, language, functions, calls, returningMacros: scope ? [] : returningMacros(text, defines()), macroAliases: scope ? [] : macroAliases(text, defines()), macroConstants: scope ? [] : macroConstants(text, defines()), macroBodies: scope ? [] : macroBodies(text, defines()), macroExpressions: scope ? [] : macroExpressions(text, defines()), noReturnDeclared: scope ? [] : noReturnDeclarations(text), noReturnMarkers: scope ? [] : noReturnMarkerMacros(text, defines()), markedDeclarations: scope ? [] : markedDeclarations(text), memberPrefixes: scope ? [] : memberPrefixMacros(text, defines()), includes: scope ? [] : includeNames(text, inactive()), provided, ...graphFacts },
    syntax: { functionNodes, callNodes: callNodesKept, comments, globals, locals, inactiveBranches: inactive },
  };
}

/** For each offset, the innermost function containing it (functions sorted by start). */
function enclosingIndex(functions: readonly FunctionFact[], lines: LineMap): (offset: number) => number {
  // Offsets of each function, computed once from the spans (no native calls per lookup).
  const starts = functions.map((f) => lines.offsetOf(f.line - 1, f.column - 1));
  const ends = functions.map((f) => lines.offsetOf(f.endLine - 1, f.endColumn - 1));
  return (offset: number) => {
    // Functions nest (lambdas, local classes), so keep the last (innermost) match.
    let lo = 0;
    let hi = starts.length - 1;
    let lastStartingBefore = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= offset) {
        lastStartingBefore = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = lastStartingBefore; i >= 0; i--) {
      if (starts[i]! <= offset && offset < ends[i]!) return i;
      // Nested functions are contiguous after their parent; stop once far enough back.
      if (lastStartingBefore - i > 64) break;
    }
    return -1;
  };
}

function functionFact(node: SyntaxNode, index: number, text: string, language: Language, lines: LineMap): FunctionFact {
  const span = lines.span(node.startIndex, node.endIndex);
  if (node.type === 'lambda_expression') {
    const decl = node.childForFieldName('declarator');
    const params = decl ? parameters(decl.childForFieldName('parameters')) : [];
    return { index, name: `<lambda@${span.line}>`, qualifiedName: `<lambda@${span.line}:${span.column}>`, params, isLambda: true, isStatic: true, ...span };
  }
  const declarator = functionDeclarator(node);
  const nameNode = declarator?.childForFieldName('declarator');
  const written = nameNode ? squeeze(text.slice(nameNode.startIndex, nameNode.endIndex)) : `<anonymous@${span.line}>`;
  const name = (nameNode && lastIdentifier(nameNode)) ?? written.replace(/^.*::/, '');
  let className: string | undefined;
  if (written.includes('::')) {
    className = written.slice(0, written.lastIndexOf('::')).replace(/<.*$/, '').replace(/^.*::/, '');
  } else if (language === 'cpp') {
    className = enclosingClassName(node);
  }
  const qualifiedName = className && !written.includes('::') ? `${className}::${written}` : written;
  const isStatic = node.namedChildren.some((c) => c.type === 'storage_class_specifier' && c.text === 'static');
  const list = declarator?.childForFieldName('parameters') ?? null;
  const variadic = list?.namedChildren.some((c) => c.type === 'variadic_parameter') === true;
  const endsIn = endingCall(node, text);
  const params = parameters(list);
  const endsInWhen = endsIn ? undefined : endingCallWhen(node, text, params);
  const returnsOnly = onlyReturnedConstant(node, text);
  const returnsParam = returnsOnly === undefined ? onlyReturnedParameter(node, text, params) : undefined;
  const setsSignal = signalSetter(node, text, params);
  const returnType = language === 'cpp' ? node.childForFieldName('type') : null;
  const isTemplate = returnType !== null && (returnType.type === 'template_type' || (returnType.type === 'qualified_identifier' && returnType.text.includes('<')));
  const returnTemplate = isTemplate ? squeeze(returnType.text) : undefined;
  // `stdplus::ManagedFd makeSocket(…)`, `Socket accept_one(…)`: a class object returned by value (not through `*` or `&`).
  const byValue = node.childForFieldName('declarator')?.type === 'function_declarator';
  const returnClass = !isTemplate && byValue && returnType !== null && (returnType.type === 'qualified_identifier' || returnType.type === 'type_identifier') ? squeeze(returnType.text) : undefined;
  return { index, name, qualifiedName, className, params, ...(variadic ? { variadic } : {}), ...(endsIn ? { endsIn } : {}), ...(endsInWhen ? { endsInWhen } : {}), ...(returnsOnly !== undefined ? { returnsOnly } : {}), ...(returnsParam !== undefined ? { returnsParam } : {}), ...(setsSignal ? { setsSignal } : {}), ...(returnTemplate !== undefined ? { returnTemplate } : {}), ...(returnClass !== undefined ? { returnClass } : {}), isLambda: false, isStatic, ...span };
}

/**
 * `void merr(…) { …; exit(1); }`: a function with no `return` whose body ends in a call — the
 * call every path through it reaches, unless a loop or a branch leaves it first (the index
 * decides, knowing which functions never return: see ProjectIndex.neverReturning).
 */
function endingCall(fn: SyntaxNode, text: string): string | undefined {
  // A `break` only leaves a loop or a `switch` inside the body (ziproxy's `send_error()`, a switch
  // on the status, then `exit(1)`): the last statement still runs.
  const last = lastStatementOf(fn, text, /\breturn\b|\bgoto\b|\blongjmp\b/);
  return last?.statement.type === 'expression_statement' ? leadingCallee(last.statement, text) : undefined;
}

/** A body's last statement, when nothing in the body (`leaves`: `return`, `goto`, …) can leave it before. */
function lastStatementOf(fn: SyntaxNode, text: string, leaves: RegExp): { statement: SyntaxNode; bodyText: string } | undefined {
  const body = fn.childForFieldName('body');
  if (!body || body.type !== 'compound_statement') return undefined;
  const bodyText = text.slice(body.startIndex, body.endIndex);
  if (leaves.test(bodyText)) return undefined;
  const statement = body.namedChildren.filter((c) => c.type !== 'comment').at(-1);
  return statement ? { statement, bodyText } : undefined;
}

/** The function a statement starts by calling: `exit(1);`, `(void) _exit(2);`, `std::exit(status);` → its own name. */
function leadingCallee(statement: SyntaxNode, text: string): string | undefined {
  return /^\s*\(?\s*(?:\(\s*void\s*\)\s*)?(?:(?:[A-Za-z_]\w*)?\s*::\s*)*([A-Za-z_]\w*)\s*\(/.exec(text.slice(statement.startIndex, statement.endIndex))?.[1];
}

/**
 * `void starter_return(int up, int down, int code, …) { …; if (code < 0) { exit(254); } }`: no
 * `return` in the body, which ends in an `if` without `else` comparing a parameter (never assigned
 * in the body) with an integer, its branch ending in a call. Every path reaches that test.
 */
function endingCallWhen(fn: SyntaxNode, text: string, params: readonly ParamFact[]): EndingCallWhen | undefined {
  const ending = lastStatementOf(fn, text, /\breturn\b|\bgoto\b|\blongjmp\b|\bthrow\b/);
  const last = ending?.statement;
  if (!ending || !last || last.type !== 'if_statement' || last.childForFieldName('alternative')) return undefined;
  const condition = last.childForFieldName('condition');
  const test = condition && /^\(\s*\(?\s*([A-Za-z_]\w*)\s*\)?\s*(<=|>=|==|!=|<|>)\s*\(?\s*(-?\d+)\s*\)?\s*\)$/.exec(text.slice(condition.startIndex, condition.endIndex));
  if (!test) return undefined;
  const param = params.findIndex((p) => p.name === test[1]);
  if (param < 0 || new RegExp(`(?<![\\w.>])${test[1]}\\s*(?:[-+*/%&|^]?=(?!=)|\\+\\+|--)|(?:\\+\\+|--|&)\\s*${test[1]}\\b`).test(ending.bodyText)) return undefined;
  let branch = last.childForFieldName('consequence');
  if (branch?.type === 'compound_statement') branch = branch.namedChildren.filter((c) => c.type !== 'comment').at(-1) ?? null;
  const call = branch?.type === 'expression_statement' ? leadingCallee(branch, text) : undefined;
  return call ? { param, op: test[2]!, value: Number(test[3]), call } : undefined;
}

/**
 * What each `return` of a function returns, parentheses and spaces removed, in order; undefined
 * where the returns in the text may not be all of them: a macro call may hide one (`CHECK(x);`),
 * a lambda has its own, `throw` and `longjmp` leave without one.
 */
function returnedExpressions(fn: SyntaxNode, text: string): string[] | undefined {
  const body = fn.childForFieldName('body');
  if (!body || body.type !== 'compound_statement') return undefined;
  const bodyText = text.slice(body.startIndex, body.endIndex);
  if (!bodyText.includes('return') || /\b[A-Z][A-Z0-9_]*\s*\(|\]\s*\(|\blongjmp\b|\bthrow\b/.test(bodyText)) return undefined;
  return [...bodyText.matchAll(/\breturn\b([^;]*);/g)].map((m) => m[1]!.replace(/[\s()]/g, ''));
}

/** The one value every `return` returns, if it is one and has `shape` (a comment saying another gives up). */
function onlyReturned(fn: SyntaxNode, text: string, shape: RegExp): string | undefined {
  const returned = returnedExpressions(fn, text);
  if (!returned || returned.length === 0) return undefined;
  return returned.every((r) => r === returned[0] && shape.test(r)) ? returned[0] : undefined;
}

/** Calls a signal setter may make besides the one that sets the handler: the signal calls that cannot fail, and clearing its struct. */
const SIGNAL_SETTER_CALLS = new Set([...NEVER_FAILING_NAMES, 'memset', 'bzero']);

/** See FunctionFact.setsSignal: read from the body's text and its returns. */
function signalSetter(fn: SyntaxNode, text: string, params: readonly ParamFact[]): FunctionFact['setsSignal'] {
  const body = fn.childForFieldName('body');
  if (!body || params.length === 0 || params.length > 3) return undefined;
  const bodyText = text.slice(body.startIndex, body.endIndex);
  if (!/\bsig(?:nal|action)\s*\(/.test(bodyText)) return undefined;
  const set = /\bsig(?:nal|action)\s*\(\s*([A-Za-z_]\w*)\s*,/.exec(bodyText);
  const param = set ? params.findIndex((p) => p.name === set[1]) : -1;
  if (param < 0) return undefined;
  // Nothing else that may fail: every call is one of the setter's own.
  for (const [, callee] of bodyText.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) if (!SIGNAL_SETTER_CALLS.has(callee!) && !['if', 'return', 'sizeof', 'while', 'for'].includes(callee!)) return undefined;
  const returned = returnedExpressions(fn, text);
  if (!returned || returned.length === 0) return undefined;
  // (Returned texts come without spaces and parentheses: `signal(sig, h)` reads `signalsig,h`.)
  if (returned.every((r) => r === 'SIG_ERR' || r.startsWith('signal') || /\.sa_handler$/.test(r))) return { param, returns: 'handler' };
  if (returned.every((r) => /^-?\d+$/.test(r) || r.startsWith('sigaction'))) return { param, returns: 'status' };
  return undefined;
}

/** `static int address_of(…) { …; return 0; }`: the constant every `return` returns. */
function onlyReturnedConstant(fn: SyntaxNode, text: string): string | undefined {
  const value = onlyReturned(fn, text, /^-?\d+$/);
  // `int pipe(int fildes[2]) { errno = ENOSYS; return -1; }` (Apache's TPF port): a stand-in for a
  // platform that lacks the call, not what the call gives where the real one exists.
  if (value !== undefined && UNSUPPORTED_STUB.test(text.slice(fn.startIndex, fn.endIndex))) return undefined;
  return value;
}

/** A body that says the call is not supported here. */
const UNSUPPORTED_STUB = /\berrno\s*=\s*(?:ENOSYS|ENOTSUP|EOPNOTSUPP)\b/;

/**
 * `int _verify(int ok, const char *what, …) { if (!ok) …; return ok; }`: the parameter every
 * `return` returns, never assigned, incremented or given away by address in the body.
 */
function onlyReturnedParameter(fn: SyntaxNode, text: string, params: readonly ParamFact[]): number | undefined {
  if (params.length === 0) return undefined;
  const name = onlyReturned(fn, text, /^[A-Za-z_]\w*$/);
  const index = name === undefined ? -1 : params.findIndex((p) => p.name === name);
  if (index < 0) return undefined;
  const body = fn.childForFieldName('body')!;
  const bodyText = text.slice(body.startIndex, body.endIndex);
  const changed = new RegExp(String.raw`(?:\b${name}\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)|\+\+\s*${name}\b|--\s*${name}\b|\b${name}\s*(?:\+\+|--)|&\s*${name}\b)`);
  return changed.test(bodyText) ? undefined : index;
}

function functionDeclarator(fn: SyntaxNode): SyntaxNode | undefined {
  let node: SyntaxNode | null = fn.childForFieldName('declarator');
  for (let guard = 0; node && guard < 16; guard++) {
    if (node.type === 'function_declarator') return node;
    node = node.childForFieldName('declarator');
  }
  return undefined;
}

function enclosingClassName(fn: SyntaxNode): string | undefined {
  let node = fn.parent;
  for (let guard = 0; node && guard < 8; guard++, node = node.parent) {
    if (node.type === 'field_declaration_list') {
      const spec = node.parent;
      if (spec && (spec.type === 'class_specifier' || spec.type === 'struct_specifier')) return spec.childForFieldName('name')?.text;
    }
    if (node.type === 'translation_unit' || node.type === 'compound_statement') return undefined;
  }
  return undefined;
}

function parameters(list: SyntaxNode | null): ParamFact[] {
  if (!list) return [];
  const params: ParamFact[] = [];
  for (const p of list.namedChildren) {
    if (p.type !== 'parameter_declaration' && p.type !== 'optional_parameter_declaration') continue;
    const declarator = p.childForFieldName('declarator');
    const type = p.childForFieldName('type')?.text ?? '';
    const name = declarator ? declaredName(declarator) : undefined;
    params.push({ name: name ?? '', type: declarator ? `${type} ${declarator.text.replace(/[A-Za-z_]\w*\s*$/, '')}`.trim() : type });
  }
  return params;
}

function fileScopeNames(root: SyntaxNode): Set<string> {
  const names = new Set<string>();
  for (const child of root.namedChildren) {
    if (child.type !== 'declaration') continue;
    for (const d of childrenForField(child, 'declarator')) {
      if (d.type === 'function_declarator') continue;
      const name = declaredName(d);
      if (name) names.add(name);
    }
  }
  return names;
}

/** Nodes that declare locals (or start a nested function, whose locals are its own). */
const DECLARATION_TYPES = ['declaration', 'condition_clause', 'for_range_loop'];

/** Nodes of some types in document order, with their starts (found by binary search). */
interface NodesInOrder {
  readonly nodes: SyntaxNode[];
  readonly starts: number[];
}

/** Local variable declarations of a function: name → type spelling. */
function localDeclarations(fnNode: SyntaxNode, scopeNodes: NodesInOrder): Map<string, string> {
  const locals = new Map<string, string>();
  const body = fnNode.childForFieldName('body');
  if (!body) return locals;
  const bodyEnd = body.endIndex;
  // The candidates inside the body, in document order: those the walk met from the body's start on.
  const { nodes, starts } = scopeNodes;
  let i = lowerBound(starts, body.startIndex);
  // Declarations inside nested lambdas and local functions belong to those.
  let nestedEnd = -1;
  for (; i < nodes.length && starts[i]! < bodyEnd; i++) {
    const node = nodes[i]!;
    const start = starts[i]!;
    if (start < nestedEnd) continue;
    if (node.type === 'lambda_expression' || node.type === 'function_definition') {
      nestedEnd = node.endIndex;
      continue;
    }
    // `extern FILE *yyin;` inside a function names a global, not a local.
    if (node.namedChildren.some((c) => c.type === 'storage_class_specifier' && c.text === 'extern')) continue;
    const storage = node.namedChildren.some((c) => c.type === 'storage_class_specifier' && c.text === 'static') ? 'static ' : '';
    const type = storage + (node.childForFieldName('type')?.text ?? '');
    for (const d of childrenForField(node, 'declarator')) {
      const name = declaredName(d);
      // `int& fds = table[i]`, `for (auto& fds : table)`: a reference names storage declared elsewhere.
      const reference = d.type === 'reference_declarator' || d.childForFieldName('declarator')?.type === 'reference_declarator';
      if (name && !locals.has(name)) locals.set(name, `${type} ${d.text.includes('*') ? '*' : ''}${reference ? '&' : ''}`.trim());
    }
  }
  return locals;
}

export function scopeInfo(path: string, functions: readonly FunctionFact[], fn: number, globals: ReadonlySet<string>, locals: FileSyntax['locals']): ScopeInfo {
  if (fn < 0) return { file: path, functionName: '<file>', params: [], locals: new Map(), globals };
  const f = functions[fn]!;
  return { file: path, functionName: f.qualifiedName, className: f.className, params: f.params, locals: locals(fn), globals };
}


/**
 * Records that `fact` returns the result of `callee`: `return callee(…)`, or `v = callee(…)` with a
 * `return v;` somewhere in the function (accept wrappers, acquire wrappers).
 */
/**
 * A call through a field or a pointer (`c->accept(…)`, `obj.open()`, `(netio->open)(…)`,
 * `(*fp)(…)`): a method or callback, whatever library name it shares. `(close)(fd)` (parentheses
 * that keep a macro from expanding) still calls `close`.
 */
function isIndirectCallee(fnNode: SyntaxNode): boolean {
  let inner = fnNode;
  while (inner.type === 'parenthesized_expression' && inner.namedChildCount === 1) inner = inner.namedChild(0)!;
  return inner.type !== 'identifier' && inner.type !== 'qualified_identifier' && inner.type !== 'template_function';
}

const PARENTHESES = (type: string) => type === 'parenthesized_expression' || type === 'cast_expression';

/** `ancestors`: the call's parent, then the parentheses and casts around it up to what holds it (OrderedAncestry). */
function noteReturnedCall(fact: FunctionFact, fnNode: SyntaxNode, call: SyntaxNode, ancestors: readonly SyntaxNode[], callee: string, cache: Map<number, ReturnsOf>, globals: ReadonlySet<string>): void {
  const holder = ancestors[ancestors.length - 1];
  const child = ancestors.length > 1 ? ancestors[ancestors.length - 2]! : call;
  if (!holder || holder.type === 'parenthesized_expression' || holder.type === 'cast_expression') return;
  let returned = holder.type === 'return_statement';
  if (!returned) {
    let variable: string | undefined;
    if (holder.type === 'assignment_expression' && holder.childForFieldName('right')?.id === child.id) variable = squeeze(holder.childForFieldName('left')?.text ?? '');
    else if (holder.type === 'init_declarator') variable = declaredName(holder);
    if (!variable) return;
    // `sock = socket(…); return sock;` with a file-level or static `sock`: a cached handle handed
    // out again and again, not a new one for the caller.
    if (isKeptVariable(variable, fnNode, globals)) return;
    // `fd_ = open_file(); return fd_;` in a method: the object's own member, which it keeps (tfs's FileOperation::check_file).
    if (isMemberVariable(variable, fnNode, fact)) return;
    returned = returnsValueOf(variable, fnNode, holder.endIndex - fnNode.startIndex, cache, fact.index);
    // Returned, but also stored in an object the caller passed in, a member, or a file-level
    // variable or table (wiringPi's `spiFds[number][channel] = fd; return fd;`): a borrowed number.
    if (returned && (storedInCallersObject(variable, fnNode, fact.params, globals) || storedInMember(variable, fnNode, fact) || linkedIntoGlobal(variable, fnNode.text, globals))) return;
  }
  if (returned) (fact.returnsCallOf ??= []).includes(callee) || fact.returnsCallOf.push(callee);
}

/** Per function: where each `return v;` is, and whether it is an error passthrough; where `v` is assigned. */
interface ReturnsOf {
  readonly text: string;
  readonly returns: Map<string, { at: number; passthrough: boolean }[]>;
  readonly assignments: Map<string, number[]>;
}

/**
 * Does the value assigned to `variable` (the assignment ending at `after`, relative to the
 * function) reach a `return variable;` — one with no other assignment of it in between, that is
 * not an error passthrough (`if (fd < 0) return fd;`, `if (sd == AC_SOCKET_INVALID) return sd;`,
 * `if (err) return err;`: the call's result
 * returned only when it failed is a status, not a handle: libuv's `new_socket`, iproute2's
 * `dl_argv_parse` returning its last `err = …`)?
 */
/** A branch hint around the test (`if (UNLIKELY (fd < 0))`, `if (G_UNLIKELY (fd == -1))`), and its closing parenthesis. */
const HINT = String.raw`(?:\s*(?:[A-Za-z_]\w*_)?(?:UNLIKELY|LIKELY|unlikely|likely)\s*\()?`;
const HINT_CLOSE = String.raw`(?:\s*\))?`;

/**
 * A failure test of `name` inside an `if (…)`: `v < 0`, `v == -1`, `v == SOME_ERR`, plain `v`, or a
 * negated predicate of it (`!NT_STATUS_IS_OK(status)`, `!is_valid(fd)`).
 */
function failureTestOf(name: string): string {
  // Also with the call assigned in the test: `if ((fd = p_open(path, flags, mode)) < 0) return fd;` (libgit2).
  return String.raw`\s*(?:\(?\s*${name}\s*\)?\s*(?:(?:<\s*0|==\s*-1|<=\s*-1|==\s*[A-Z_][A-Z0-9_]*)\s*)?|\(\s*${name}\s*=(?!=)[^;{}]*\)\s*(?:<\s*0|==\s*-1|<=\s*-1|==\s*[A-Z_][A-Z0-9_]*)\s*|!\s*[A-Za-z_]\w*\s*\(\s*${name}\s*\)\s*)`;
}

function returnsValueOf(variable: string, fnNode: SyntaxNode, after: number, cache: Map<number, ReturnsOf>, index: number): boolean {
  let info = cache.get(index);
  if (!info) {
    const text = fnNode.text;
    const returns = new Map<string, { at: number; passthrough: boolean }[]>();
    // A lambda's `return fd;` returns from the lambda (bpftrace's `mktemp(name, [](char *s) { int fd
    // = mkostemp(s, …); …; return fd; })`), not from the function around it.
    const lambdas = /\]\s*(?:\(|\{|->|mutable)/.test(text) ? nestedLambdaRanges(fnNode) : [];
    for (const m of text.matchAll(/\breturn\s*\(?\s*([A-Za-z_]\w*)\s*\)?\s*;/g)) {
      const name = m[1]!;
      if (lambdas.some(([start, end]) => start <= m.index && m.index < end)) continue;
      // The statements just before: `if (v < 0)`, `if (v == -1)`, `if (v)`, then at most a few statements.
      const before = text.slice(Math.max(0, m.index - 240), m.index);
      const guard = new RegExp(`\\bif\\s*\\(${HINT}${failureTestOf(name)}\\)${HINT_CLOSE}\\s*\\{?\\s*(?:(?!\\s*return\\b)[^;{}]*;\\s*){0,3}$`);
      // Or anywhere in the block such a test opens: `if (destfd < 0) { if (srcfd != -1) close(srcfd); return destfd; }`.
      const open = openingBrace(text, m.index);
      const blockGuard = open >= 0 && new RegExp(`\\bif\\s*\\(${HINT}${failureTestOf(name)}\\)${HINT_CLOSE}\\s*$`).test(text.slice(Math.max(0, open - 200), open));
      (returns.get(name) ?? returns.set(name, []).get(name)!).push({ at: m.index, passthrough: blockGuard || guard.test(before) });
    }
    // Only assignments in the body's own statement list (depth 1) surely run before a later return
    // there; one in a branch (`else fd = accept(…)`, `fd = -1` after a failed fcntl) may not.
    const found = [...text.matchAll(/\b([A-Za-z_]\w*)\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)/g)].filter((m) => returns.has(m[1]!));
    const depths = braceDepths(text, found.map((m) => m.index));
    const assignments = new Map<string, number[]>();
    found.forEach((m, k) => {
      if (depths[k] === 1) (assignments.get(m[1]!) ?? assignments.set(m[1]!, []).get(m[1]!)!).push(m.index);
    });
    info = { text, returns, assignments };
    cache.set(index, info);
  }
  const assigned = info.assignments.get(variable) ?? [];
  return (info.returns.get(variable) ?? []).some((r) => r.at > after && !r.passthrough && !assigned.some((a) => a > after && a < r.at));
}

/** Nested lambdas of a function (not itself), as ranges relative to its start. */
function nestedLambdaRanges(fnNode: SyntaxNode): [number, number][] {
  return fnNode
    .descendantsOfType('lambda_expression')
    .filter((l) => l.id !== fnNode.id)
    .map((l) => [l.startIndex - fnNode.startIndex, l.endIndex - fnNode.startIndex]);
}

/** The `{` of the block `at` is in (balanced blocks before it skipped); -1 at the top. Comments and strings are not looked at. */
function openingBrace(text: string, at: number): number {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    const ch = text.charCodeAt(i);
    if (ch === 125) depth++;
    else if (ch === 123) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** A file-level variable not declared again in the function, or a `static` local. */
function isKeptVariable(variable: string, fnNode: SyntaxNode, globals: ReadonlySet<string>): boolean {
  if (!/^[A-Za-z_]\w*$/.test(variable)) return false;
  const text = fnNode.text;
  if (new RegExp(`\\bstatic\\b[^;{}()]*\\b${variable}\\b`).test(text)) return true;
  if (!globals.has(variable)) return false;
  // Declared in the function too (shadowing the global): a local after all.
  return !new RegExp(`(?:^|[;{}])\\s*(?!(?:return|else|case|goto|do)\\b)(?:const\\s+)?[A-Za-z_][\\w\\s*]*[\\s*]${variable}\\s*(?:=|;|,|\\[)`).test(text);
}

/**
 * `conn->fd = fd; … return fd;`: the descriptor is stored in an object the caller passed in, which
 * keeps it (and closes it with itself); the caller gets a borrowed copy of the number. (Found from
 * each `= variable;`, looking back at its left side.)
 */
function storedInCallersObject(variable: string, fnNode: SyntaxNode, params: readonly { readonly name: string }[], globals: ReadonlySet<string>): boolean {
  const text = fnNode.text;
  if (!/^[A-Za-z_]\w*$/.test(variable) || !text.includes('->')) return false;
  for (const m of text.matchAll(new RegExp(`=\\s*${variable}\\s*;`, 'g'))) {
    const left = /([A-Za-z_]\w*)\s*->\s*[\w.>-]+\s*$/.exec(text.slice(Math.max(0, m.index! - 120), m.index));
    if (!left) continue;
    if (params.some((p) => p.name === left[1])) return true;
    // Or in a node the function links into a file-level registry (Lynx's `LYOpenTemp()`:
    // `p->file = fp; … ly_temp = p;`): the registry keeps it and closes it later.
    if (linkedIntoGlobal(left[1]!, text, globals)) return true;
  }
  return false;
}

/**
 * A method that keeps the descriptor it returns in a member of its object (thermald's
 * `get_cached_fd()`: `fd_cache[full_path] = fd; return fd;`, `cache_.emplace(key, fd)`,
 * `this->fd_ = fd`): the object holds it and closes it (its destructor), the caller borrows it.
 */
function storedInMember(variable: string, fnNode: SyntaxNode, fact: FunctionFact): boolean {
  if (fact.className === undefined || !/^[A-Za-z_]\w*$/.test(variable)) return false;
  const text = fnNode.text;
  const isMember = (name: string) => isUndeclaredName(name, text, fact);
  for (const m of text.matchAll(new RegExp(String.raw`=\s*${variable}\s*;`, 'g'))) {
    const left = /(this\s*->\s*)?([A-Za-z_]\w*)\s*(?:\[[^\]\n]*\]|\.\s*[\w.]+|->\s*[\w.>-]+)?\s*$/.exec(text.slice(Math.max(0, m.index - 120), m.index));
    if (left && (left[1] !== undefined || isMember(left[2]!))) return true;
  }
  for (const m of text.matchAll(new RegExp(String.raw`(this\s*->\s*)?\b([A-Za-z_]\w*)\s*(?:\.|->)\s*(?:insert|emplace|emplace_back|push_back|push|try_emplace|insert_or_assign)\s*\([^;]*\b${variable}\b`, 'g'))) {
    if (m[1] !== undefined || isMember(m[2]!)) return true;
  }
  return false;
}

/** In a method, a name that is neither a parameter nor declared in the function: a member of its class (or a global). */
function isUndeclaredName(name: string, text: string, fact: FunctionFact): boolean {
  if (fact.params.some((p) => p.name === name)) return false;
  // `int fd = …`, `Conn *c;`: a type before it; `return fd_;`, `else fd_ = …` are no declarations.
  // The white space is matched from its start only (`(?<!\s)`): tried from every position of a long
  // run of it (a table the build's configuration blanks, fmt's format-inl.h) it was quadratic.
  for (const m of text.matchAll(new RegExp(String.raw`(\w+)?[>*&]?(?<!\s)\s+(?:[*&]+\s*)?${name}\s*(?:[=;,\[({]|$)`, 'gm'))) {
    if (m[0]!.trimStart().startsWith(name) && m[1] === undefined) continue;
    if (m[1] !== undefined && STATEMENT_KEYWORDS.has(m[1])) continue;
    return false;
  }
  return true;
}

const STATEMENT_KEYWORDS = new Set(['return', 'else', 'case', 'goto', 'do', 'throw', 'delete', 'sizeof', 'co_return', 'co_yield']);

/** `fd_` or `this->fd_` assigned in a method of a class: a member, kept by the object. */
function isMemberVariable(variable: string, fnNode: SyntaxNode, fact: FunctionFact): boolean {
  if (fact.className === undefined) return false;
  if (/^this\s*->\s*[A-Za-z_]\w*$/.test(variable)) return true;
  return /^[A-Za-z_]\w*$/.test(variable) && isUndeclaredName(variable, fnNode.text, fact);
}

/**
 * Is `node` (a pointer, or a descriptor) stored into a file-level variable (`ly_temp = p;`,
 * `head->next = p;` with `head` global, `spiFds[n][c] = fd;`, a field of a table's element:
 * awk's `files[i].fp = fp;`)?
 */
function linkedIntoGlobal(node: string, text: string, globals: ReadonlySet<string>): boolean {
  if (globals.size === 0) return false;
  for (const m of text.matchAll(new RegExp(`(?<![\\w.>])([A-Za-z_]\\w*)(?:\\s*\\[[^\\]]*\\])*(?:\\s*(?:->|\\.)\\s*[\\w.>-]+)?\\s*=\\s*${node}\\s*;`, 'g'))) {
    if (globals.has(m[1]!)) return true;
  }
  return false;
}

/** The line starts outside the inactive branches. */
function activeLines(starts: readonly number[], inactive: readonly (readonly [number, number])[]): readonly number[] {
  return inactive.length === 0 ? starts : starts.filter((start) => !isInactive(inactive, start));
}
