import { BORROW_FUNCTIONS, DESCRIPTOR_TYPE_NAMES, type HandleKind } from '../catalog/posix.js';
import type { AnalysisSettings } from '../../core/engine/settings.js';
import type { FunctionFact } from '../../core/project/facts.js';
import type { MacroScope } from '../../core/project/macro-table.js';
import { defineLines, defines, VARIADIC_ARGUMENTS } from '../../core/project/macros.js';
import type { ProjectIndex } from '../../core/project/project-index.js';
import { itemsOf, type FactsProvider } from '../../core/project/provider.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { escapeRegExp } from '../../core/util/regexp.js';
import { skipComment, skipQuoted } from '../../core/syntax/c-text.js';
import { GNU_ATTRIBUTE } from '../../core/syntax/gnu-attributes.js';
import { resourcesFor, type ResourceCatalog } from './resources.js';

/**
 * Descriptor summaries of project functions, as facts providers: which parameters a function only
 * borrows (callers keep ownership of what they pass), and which object-like macros stand for -1
 * ("no descriptor" in validity tests).
 */

/** An item of a provider that marks some parameters of a function (borrowed ones, locked ones). */
export interface ParamsItem {
  readonly fn: number;
  readonly params: readonly number[];
}

/** A project call a parameter is passed to: the function it names, and the argument's position. */
export type PassedOn = readonly [callee: string, argIndex: number];

/**
 * Parameters the function only uses (reads, compares, passes to borrowing calls): never closes,
 * stores or returns; and parameters it also passes to calls the catalog does not know (`passedOn`),
 * borrowed if those calls borrow them in turn (a wrapper of a wrapper of `writev()`).
 */
export interface BorrowedParamsItem extends ParamsItem {
  readonly passedOn?: readonly { readonly param: number; readonly to: readonly PassedOn[] }[];
}

/** Does every definition of `name` have its parameter `param` marked by `provider`? (The question, built once per index.) */
export function markedInEveryDefinition(index: ProjectIndex, provider: FactsProvider<ParamsItem>): (name: string, param: number) => boolean {
  const byFunction = paramsByFunction(index, provider);
  return (name, param) => {
    const defs = index.functionsNamed(name);
    return defs.length > 0 && defs.every((d) => byFunction.get(d.fn)?.includes(param));
  };
}

/** Each function's marked parameters, from every file's items of `provider`. */
function paramsByFunction(index: ProjectIndex, provider: FactsProvider<ParamsItem>): Map<FunctionFact, readonly number[]> {
  const byFunction = new Map<FunctionFact, readonly number[]>();
  for (const { item, functions } of itemsOf(index, provider)) byFunction.set(functions[item.fn]!, item.params);
  return byFunction;
}

export interface BorrowedParams {
  /** Every definition of `name` only borrows its parameter `index`. */
  /** Does `name` leave argument `index`, a handle of `kind`, with its caller? */
  borrowsParam(name: string, index: number, kind: HandleKind): boolean;
}

export const borrowedParamsProvider: FactsProvider<BorrowedParamsItem, BorrowedParams> = {
  id: 'borrowed-params',
  extract(file) {
    const resources = resourcesFor(file.settings as AnalysisSettings);
    const out: BorrowedParamsItem[] = [];
    file.functions.forEach((fact, i) => {
      const { params, passedOn } = borrowedParameters(fact, file.functionNodes[i]!, resources);
      if (params.length > 0 || passedOn.length > 0) out.push(passedOn.length > 0 ? { fn: i, params, passedOn } : { fn: i, params });
    });
    return out;
  },
  build(index: ProjectIndex): BorrowedParams {
    const byFunction = new Map<FunctionFact, Set<number>>();
    const pending: { fn: FunctionFact; file: string; param: number; to: readonly PassedOn[] }[] = [];
    for (const { item, file, functions } of itemsOf(index, borrowedParamsProvider)) {
      const fn = functions[item.fn]!;
      byFunction.set(fn, new Set(item.params));
      for (const passed of item.passedOn ?? []) pending.push({ fn, file, ...passed });
    }
    const borrowsParam = (name: string, param: number, kind: HandleKind): boolean => {
      const defs = index.functionsNamed(name);
      // An argument for `...` is read by va_arg as a value: an int descriptor cannot be kept that way,
      // a pointer can (`curl_easy_setopt(h, CURLOPT_PRIVATE, file)` keeps the FILE).
      return defs.length > 0 && defs.every((d) => byFunction.get(d.fn)?.has(param) || (kind === 'descriptor' && d.fn.variadic === true && param >= d.fn.params.length));
    };
    // A parameter passed on is borrowed unless a call it goes to may keep or close it, through
    // project functions and the macros in scope of its file: taken as borrowed first, then dropped
    // until nothing changes (the greatest fixpoint: a recursive `parse_header(fd)` that otherwise
    // only reads `fd` borrows it; a library call nothing defines does not).
    for (const { fn, param } of pending) byFunction.get(fn)!.add(param);
    for (let shrank = pending.length > 0; shrank; ) {
      shrank = false;
      for (let i = pending.length - 1; i >= 0; i--) {
        const { fn, file, param, to } = pending[i]!;
        const kind = handleKindOfType(fn.params[param]?.type ?? '');
        const macros = index.macrosFor(file);
        if (to.every(([callee, arg]) => (macros.bodies.has(callee) ? macroPassesOnlyToBorrows(macros, callee, arg, kind, borrowsParam) : borrowsParam(callee, arg, kind)))) continue;
        byFunction.get(fn)!.delete(param);
        pending.splice(i, 1);
        shrank = true;
      }
    }
    return { borrowsParam };
  },
};

function handleKindOfType(type: string): HandleKind {
  return /\bFILE\b/.test(type) ? 'stream' : /\bDIR\b/.test(type) ? 'directory' : 'descriptor';
}

/**
 * Does the statement macro `name` (`#define info(fmt, args...) do { g_message(fmt, ##args); } while
 * (0)`) pass its argument `argIndex` only to borrowing calls? Its variadic arguments go where
 * `args`/`__VA_ARGS__` go; after a format string, a descriptor is printed, not kept.
 */
function macroPassesOnlyToBorrows(macros: MacroScope, name: string, argIndex: number, kind: HandleKind, borrowsParam: (name: string, param: number, kind: HandleKind) => boolean, depth = 0): boolean {
  const macro = macros.bodies.get(name)!;
  const variadic = macro.variadicFrom !== undefined && argIndex >= macro.variadicFrom;
  const param = variadic ? VARIADIC_ARGUMENTS : `$${argIndex}`;
  let used = false;
  for (const call of macro.calls) {
    for (let k = 0; k < call.args.length; k++) {
      if (call.args[k] !== param) continue;
      used = true;
      if (variadic && kind === 'descriptor' && call.args.slice(0, k).some((a) => /"[^"]*%/.test(a))) continue;
      if (BORROW_NAMES.has(call.callee)) continue;
      if (macros.bodies.has(call.callee) ? depth < 3 && call.callee !== name && macroPassesOnlyToBorrows(macros, call.callee, k, kind, borrowsParam, depth + 1) : borrowsParam(call.callee, k, kind)) continue;
      return false;
    }
  }
  return used;
}

const BORROW_NAMES = new Set(BORROW_FUNCTIONS);

export interface InvalidMacroItem {
  readonly fn: -1;
  readonly name: string;
  /** The negative value it stands for: `-1`, or another sentinel (`-3`). */
  readonly value: string;
}

/**
 * Names (in any file) that stand for a negative constant, "no descriptor": object-like macros
 * (`#define ANET_ERR -1`, `#define PARENT_UNNECESSARY -3`), enumerators (`enum { retired_fd = -1
 * }`) and constants (`static const int INVALID_FD = -1;`, `constexpr fd_t kNoFd = -1;`).
 */
/** Marks the key of a name's null-pointer value, kept beside a -1 of the same name (validity.ts reads it for streams). */
export const POINTER_SENTINEL = ' *';

export const invalidMacrosProvider: FactsProvider<InvalidMacroItem, ReadonlyMap<string, string>> = {
  id: 'invalid-descriptor-macros',
  extract(file) {
    // Macros are file-level: a pass over some functions leaves them to the whole-file facts.
    return file.partial ? [] : negativeNames(file.text).map(([name, value]) => ({ fn: -1 as const, name, value }));
  },
  build(index) {
    const names = new Map<string, string>();
    // -1 wins over another sentinel of the same name (`retired_fd` is -1 on Linux, something else on Windows).
    for (const { item } of itemsOf(index, invalidMacrosProvider)) {
      if (names.get(item.name) !== '-1') names.set(item.name, item.value);
      if (item.value === 'NULL') names.set(`${item.name}${POINTER_SENTINEL}`, 'NULL');
    }
    return names;
  },
};

export interface CleanupMacroItem {
  readonly fn: -1;
  readonly name: string;
  /** The names of other macros its body uses: a macro is a cleanup when one of them is. */
  readonly uses: readonly string[];
  /** Its body holds a cleanup attribute itself. */
  readonly cleanup: boolean;
}

/**
 * Macros that put a cleanup on a declaration (`#define __do_close call_cleaner(close_prot)`,
 * `#define call_cleaner(f) __attribute__((__cleanup__(f##_function)))`, `#define autoclose
 * __attribute__((cleanup(closep)))`): a variable declared with one is closed at the end of its
 * scope. Found through macros of macros, across files.
 */
export const cleanupMacrosProvider: FactsProvider<CleanupMacroItem, ReadonlySet<string>> = {
  id: 'cleanup-macros',
  extract(file) {
    if (file.partial || !file.text.includes('#')) return [];
    // A link of the chain may sit in a header that never spells `cleanup` (fastfetch's io.h:
    // `#define FF_AUTO_CLOSE_FD FF_A_CLEANUP(wrapClose)`, over attributes.h's `FF_A_CLEANUP(func)
    // __attribute__((__cleanup__(func)))`): kept are the attributes themselves and the macros
    // whose whole body is one other macro, named or called.
    const items: CleanupMacroItem[] = [];
    for (const { name, body } of defines(file.text)) {
      const cleanup = CLEANUP_ATTRIBUTE.test(body);
      if (cleanup || SINGLE_MACRO_BODY.test(body)) items.push({ fn: -1 as const, name, cleanup, uses: [...new Set(body.match(/[A-Za-z_]\w*/g) ?? [])] });
    }
    return items;
  },
  build(index) {
    const items = [...itemsOf(index, cleanupMacrosProvider)].map(({ item }) => item);
    const names = new Set(items.filter((m) => m.cleanup).map((m) => m.name));
    // Macros of macros: until nothing new.
    for (let grew = names.size > 0; grew; ) {
      grew = false;
      for (const m of items) if (!names.has(m.name) && m.uses.some((u) => names.has(u))) names.add(m.name), (grew = true);
    }
    return names;
  },
};

const CLEANUP_ATTRIBUTE = new RegExp(`${GNU_ATTRIBUTE}\\s*\\(\\(\\s*(?:__)?cleanup(?:__)?\\s*\\(`);
const SINGLE_MACRO_BODY = /^\s*[A-Za-z_]\w*\s*(?:\([^()]*\))?\s*(?:\/[*/].*)?$/;

const HANDLE_TYPES = new RegExp(`^(?:int|${DESCRIPTOR_TYPE_NAMES.join('|')})$|\\bFILE\\s*\\*|\\bDIR\\s*\\*`);
const CONTROL_KEYWORDS = new Set(['if', 'while', 'switch', 'return', 'for', 'sizeof']);

/**
 * Parameters that look like handles and are only used, never closed, stored, returned or passed
 * on to a call that might keep them: callers still own what they pass in. Those also passed to
 * calls the catalog does not know come with those calls (`passedOn`), for the project-wide pass.
 * Read from the text of the body (cheaper than a walk, and only for handle-typed parameters).
 */
function borrowedParameters(fact: FunctionFact, fnNode: SyntaxNode, resources: ResourceCatalog): { params: number[]; passedOn: { param: number; to: PassedOn[] }[] } {
  const params: number[] = [];
  const passedOn: { param: number; to: PassedOn[] }[] = [];
  let body: string | undefined;
  fact.params.forEach((param, index) => {
    if (!param.name || !HANDLE_TYPES.test(param.type.trim())) return;
    body ??= codeWithoutText(fnNode.childForFieldName('body')?.text ?? '');
    const to = callsTakingOnly(body, param.name, resources);
    if (to?.length === 0) params.push(index);
    else if (to) passedOn.push({ param: index, to });
  });
  return { params, passedOn };
}

/**
 * A body without comments, and with string literals reduced to `"%"` or `""` (whether they hold a
 * format directive): `log("session_fd=%d", session_fd)` names the parameter once, not twice.
 */
function codeWithoutText(body: string): string {
  // One scan, not a regular expression: an alternation repeated over a string literal tens of
  // thousands of characters long overflows the regular-expression engine's stack.
  let out = '';
  let copied = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body.charCodeAt(i);
    let last: number;
    let replacement: string;
    if (ch === 47 /* / */ && (body.charCodeAt(i + 1) === 47 || body.charCodeAt(i + 1) === 42)) {
      const line = body.charCodeAt(i + 1) === 47;
      last = skipComment(body, i, body.length);
      // An unclosed block comment (skipComment runs to the end) is no comment here.
      if (!line && last === body.length) continue;
      if (line && body.charCodeAt(last) === 10) last--; // the line break stays
      replacement = ' ';
    } else if (ch === 34 /* " */ || ch === 39 /* ' */) {
      last = skipQuoted(body, i, body.length);
      if (body.charCodeAt(last) !== ch) continue; // not closed on its line
      replacement = ch === 39 ? "' '" : body.slice(i, last + 1).includes('%') ? '"%"' : '""';
    } else continue;
    out += body.slice(copied, i) + replacement;
    copied = last + 1;
    i = last;
  }
  return out + body.slice(copied);
}

/**
 * The calls the catalog does not know that `name` is passed to, if every other use of it only
 * borrows it (no closing, storing, returning or passing to a releasing call); undefined otherwise.
 */
function callsTakingOnly(body: string, name: string, resources: ResourceCatalog): PassedOn[] | undefined {
  const re = new RegExp(`\\b${escapeRegExp(name)}\\b`, 'g');
  let uses = 0;
  const to: PassedOn[] = [];
  for (const m of body.matchAll(re)) {
    uses++;
    const before = body.slice(Math.max(0, m.index! - 200), m.index!).trimEnd();
    const after = body.slice(m.index! + name.length).trimStart();
    if (/^=(?!=)/.test(after) || /^(\+\+|--)/.test(after)) return undefined;
    if (/^(->|\.|\[)/.test(after)) continue;
    if (/\breturn$/.test(before)) return undefined;
    if (/[^=!<>]=$/.test(before) || /&$/.test(before) && !/&&$/.test(before)) return undefined;
    // `const Socket res = {(force Socket_Value)sock}; return res;` (c-toxcore), `return Conn{fd};`:
    // an element of a brace initializer is stored in the aggregate it builds.
    if (/^[},]/.test(after) && innermostOpenBracket(before.replace(/\(\s*[A-Za-z_][\w\s*]*\)$/, '')) === '{') return undefined;
    if (/[(,]$/.test(before) && /^[),]/.test(after)) {
      const call = callBefore(before);
      if (call === undefined || CONTROL_KEYWORDS.has(call.callee)) continue;
      if (resources.release(call.callee) || resources.isTake(call.callee) || call.callee === CALL_THROUGH_EXPRESSION) return undefined;
      // `log_msg("socket %d", fd)`: a value for a format, printed, not kept.
      if (resources.isBorrow(call.callee) || call.afterFormat) continue;
      to.push([call.callee, call.argIndex]);
    }
  }
  return uses > 0 && !releasesEqualHandle(body, name, resources) ? to : undefined;
}

/** The innermost bracket `text` leaves open at its end: `{`, `(`, `[`, or undefined. */
function innermostOpenBracket(text: string): string | undefined {
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const ch = text[i]!;
    if (ch === ')' || ch === ']' || ch === '}') depth++;
    else if (ch === '(' || ch === '[' || ch === '{') {
      if (depth === 0) return ch;
      depth--;
    }
  }
  return undefined;
}

/**
 * Does the body release what it found equal to the parameter (`if (entry->sd == sd) {
 * close(entry->sd); … }`, a registry's close by number)? Then the caller's handle is closed too.
 */
function releasesEqualHandle(body: string, name: string, resources: ResourceCatalog): boolean {
  if (!body.includes('==')) return false;
  const param = escapeRegExp(name);
  // Matched from the start of a name only (`(?<![\w.])`): tried inside every long name it is quadratic.
  const operand = String.raw`(?<![\w.])(\*?[A-Za-z_][\w.]*(?:->[A-Za-z_]\w*|\[\w+\])*)`;
  const equal = new Set<string>();
  for (const m of body.matchAll(new RegExp(`${operand}\\s*==\\s*${param}\\b`, 'g'))) equal.add(m[1]!);
  for (const m of body.matchAll(new RegExp(`(?<![\\w.>])${param}\\s*==\\s*${operand}`, 'g'))) equal.add(m[1]!);
  for (const other of equal) {
    if (other === name) continue;
    for (const call of body.matchAll(new RegExp(`\\b([A-Za-z_]\\w*)\\s*\\(\\s*${escapeRegExp(other)}\\s*\\)`, 'g'))) if (resources.release(call[1]!)) return true;
  }
  return false;
}

/** A call through an expression (`(netio->open)(strm, fd)`, `table[i](fd)`): what it does is unknown. */
const CALL_THROUGH_EXPRESSION = '(*)';

/**
 * The call whose argument list is open at the end of `before` (`foo(a, ` → foo, argument 1), and
 * whether a format string (`"… %d …"`) comes before that argument.
 */
function callBefore(before: string): { callee: string; argIndex: number; afterFormat: boolean } | undefined {
  let depth = 0;
  for (let i = before.length - 1; i >= 0; i--) {
    const ch = before[i];
    if (ch === ')') depth++;
    else if (ch === '(') {
      if (depth === 0) {
        const head = before.slice(0, i);
        // `std::make_unique<folly::File>(fd, true)`: a template function, by its name.
        const template = /\b([A-Za-z_]\w*)\s*<[^<>]*(?:<[^<>]*>[^<>]*)*>\s*$/.exec(head)?.[1];
        const callee = /\b([A-Za-z_]\w*)\s*$/.exec(head)?.[1] ?? template ?? (/[)\]]\s*$/.test(head) ? CALL_THROUGH_EXPRESSION : undefined);
        return callee === undefined ? undefined : { callee, ...argumentsSoFar(before.slice(i + 1)) };
      }
      depth--;
    }
  }
  return undefined;
}

/** The arguments before the last one in `text` (an argument list's start): their count, and whether one is a format string. */
function argumentsSoFar(text: string): { argIndex: number; afterFormat: boolean } {
  let argIndex = 0;
  let afterFormat = false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const end = skipQuoted(text, i, text.length) + 1;
      if (depth === 0 && text.slice(i, end).includes('%')) afterFormat = true;
      i = end - 1;
    } else if (ch === '\'') i = skipQuoted(text, i, text.length);
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) argIndex++;
  }
  return { argIndex, afterFormat };
}

/** `#define ANET_ERR -1`, `#define CURL_SOCKET_BAD (-1)`, `#define BAD_FD ((int)-1)`, `#define DONE -3`. */
function negativeNames(text: string): [string, string][] {
  const re = /[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+\(*(?:\([A-Za-z_]\w*\)[ \t]*)?\(*[ \t]*-[ \t]*(\d+)[ \t]*\)*[ \t]*(?:\/[*\/].*)?$/my;
  // Pointer sentinels: `#define XCURSOR_SCAN_CORE ((FILE *) 1)`, `#define MAP_FAILED ((void *) -1)`:
  // compared with a stream, no stream at all, like NULL.
  const sentinel = /[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+\(*[ \t]*\([ \t]*(?:const[ \t]+)?(?:struct[ \t]+)?[A-Za-z_]\w*[ \t]*\*[ \t]*\)[ \t]*\(?[ \t]*-?[ \t]*\d+[ \t]*\)*[ \t]*(?:\/[*\/].*)?$/my;
  const out: [string, string][] = defineLines(text).flatMap((start): [string, string][] => {
    re.lastIndex = start;
    const m = re.exec(text);
    if (m) return [[m[1]!, `-${m[2]!}`]];
    sentinel.lastIndex = start;
    const pointer = sentinel.exec(text);
    return pointer ? [[pointer[1]!, 'NULL']] : [];
  });
  // Enumerators and constants: `retired_fd = -1` inside an enum, `const int NO_FD = -1;`.
  if (/\benum\b/.test(text)) {
    for (const body of text.matchAll(/\benum\b[^{;()]*\{([^{}]*)\}/g)) {
      for (const m of body[1]!.matchAll(/\b([A-Za-z_]\w*)\s*=\s*\(?\s*-\s*(\d+)\s*\)?\s*(?=,|$)/g)) out.push([m[1]!, `-${m[2]!}`]);
    }
  }
  if (/\bconst(?:expr)?\b/.test(text)) {
    for (const m of text.matchAll(/\b(?:constexpr|const)\s+(?:[A-Za-z_][\w:]*\s+)*?([A-Za-z_]\w*)\s*=\s*\(?\s*(?:\([A-Za-z_][\w:]*\)\s*)?-\s*(\d+)\s*\)?\s*;/g)) out.push([m[1]!, `-${m[2]!}`]);
  }
  // Functions of no arguments that only return the invalid value: restinio's `constexpr
  // file_descriptor_t null_file_descriptor(){ return -1; }` (`return nullptr;` for its FILE *
  // build), compared as `null_file_descriptor() == file_descriptor`. Named with their parentheses.
  for (const body of text.matchAll(/\{\s*return\s*\(?\s*(-\s*\d+|nullptr|NULL)\s*\)?\s*;\s*\}/g)) {
    const head = /\b([A-Za-z_]\w*)\s*\(\s*(?:void\s*)?\)\s*(?:const\s*)?(?:noexcept\s*)?$/.exec(text.slice(Math.max(0, body.index! - 160), body.index!));
    if (head && !/^(?:if|while|for|switch|return|sizeof)$/.test(head[1]!)) out.push([`${head[1]!}()`, /\d/.test(body[1]!) ? body[1]!.replace(/\s+/g, '') : 'NULL']);
  }
  return out;
}
