import type { FunctionFact, MacroExpression } from '../../core/project/facts.js';
import type { ProjectIndex } from '../../core/project/project-index.js';
import { itemsOf, type FactsProvider } from '../../core/project/provider.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { isNestedFunction, squeeze, unwrap } from '../../core/syntax/nodes.js';
import { DESCRIPTOR_TYPE_NAMES } from '../catalog/posix.js';
import { descriptorFlagCall, fcntlFailure, integerValue, statusNameValue } from './validity.js';

/**
 * Project functions that only set or read a descriptor's flags (or set a socket option that cannot
 * fail on an open socket, validity.ts) and fail only when fcntl (setsockopt) does:
 * sway's `bool sway_set_cloexec(int fd, bool cloexec)` returns false only when `fcntl(fd, F_GETFD)`
 * or `fcntl(fd, F_SETFD, …)` fails, which happens only for a descriptor that is not open. A test of
 * such a call's failure (`if (!sway_set_cloexec(sockets[0], true)) return false;`) is then a test
 * of the descriptor, read as the fcntl call it stands for: on the path where the descriptor was
 * just opened, that branch is never taken.
 *
 * Read from the function's syntax: every return gives a success literal (`true`, `0`), the result
 * of a flag command on the parameter, or a failure literal (`false`, a negative number) under a
 * test that the flag command on the parameter failed (directly, or through the variable that holds
 * `fcntl(fd, F_GETFD)`, tested before anything else is stored in it). Anything else — another call
 * that may fail, a goto — and the function is not one.
 */

export interface CheckWrapperItem {
  readonly fn: number;
  readonly param: number;
  /**
   * 'bool': true on success; 'set': 0 or fcntl(F_SET…)'s result, negative on failure; 'get':
   * fcntl(F_GET…)'s result or a negative; 'expression': the function is one `return` of
   * `expression`, which reads only its parameters (mdadm's `is_fd_valid(fd)`: `fd > -1`).
   */
  readonly returns: 'bool' | 'set' | 'get' | 'expression';
  readonly expression?: string;
}

export const checkWrappersProvider: FactsProvider<CheckWrapperItem, ReadonlyMap<string, MacroExpression>> = {
  id: 'descriptor-check-wrappers',
  extract(file) {
    const out: CheckWrapperItem[] = [];
    const flagCalls = /\b(?:fcntl|setsockopt|ioctl)\b/.test(file.text);
    file.functions.forEach((fact, i) => {
      const node = file.functionNodes[i]!;
      const expression = predicateOf(fact, node);
      if (expression !== undefined) {
        out.push({ fn: i, param: -1, returns: 'expression', expression });
        return;
      }
      const found = flagCalls ? checkWrapperOf(fact, node) : undefined;
      if (found) out.push({ fn: i, ...found });
    });
    return out;
  },
  build(index: ProjectIndex) {
    const byFunction = new Map<FunctionFact, CheckWrapperItem>();
    for (const { item, functions } of itemsOf(index, checkWrappersProvider)) byFunction.set(functions[item.fn]!, item);
    const wrappers = new Map<string, MacroExpression>();
    for (const [fact, item] of byFunction) {
      if (wrappers.has(fact.name)) continue;
      // Every definition of the name must be one, alike (a static helper of the same name elsewhere may fail otherwise).
      const defs = index.functionsNamed(fact.name);
      if (!defs.every((d) => sameWrapper(byFunction.get(d.fn), item))) continue;
      wrappers.set(fact.name, asExpression(fact, item));
    }
    return wrappers;
  },
};

function sameWrapper(a: CheckWrapperItem | undefined, b: CheckWrapperItem): boolean {
  return a !== undefined && a.param === b.param && a.returns === b.returns && a.expression === b.expression;
}

/** The fcntl call the wrapper stands for, as an expression macro of its parameters. */
function asExpression(fact: FunctionFact, item: CheckWrapperItem): MacroExpression {
  const params = fact.params.map((p, i) => (p.name ? p.name : `__arg${i}`));
  // `int testOk(int pass, const char *fmt, ...)` returning `pass` (EPICS's test reporter): any number of arguments past the last parameter.
  if (item.returns === 'expression') return { name: fact.name, params, body: `(${item.expression!})`, calls: [], ...(fact.variadic ? { variadic: true } : {}), function: true };
  const fd = params[item.param]!;
  const body = item.returns === 'bool' ? `(fcntl(${fd}, F_SETFD, 0) != -1)` : item.returns === 'set' ? `fcntl(${fd}, F_SETFD, 0)` : `fcntl(${fd}, F_GETFD)`;
  return { name: fact.name, params, body, calls: ['fcntl'], function: true };
}

/** Check wrappers as expression macros, under the macros in effect (a macro of the same name wins). */
export function withCheckWrappers(expressions: ReadonlyMap<string, MacroExpression>, wrappers: ReadonlyMap<string, MacroExpression>): ReadonlyMap<string, MacroExpression> {
  if (wrappers.size === 0) return expressions;
  let merged = mergedCache.get(expressions)?.get(wrappers);
  if (!merged) {
    merged = new Map([...wrappers, ...expressions]);
    const byWrappers = mergedCache.get(expressions) ?? new WeakMap();
    byWrappers.set(wrappers, merged);
    mergedCache.set(expressions, byWrappers);
  }
  return merged;
}

const mergedCache = new WeakMap<ReadonlyMap<string, MacroExpression>, WeakMap<ReadonlyMap<string, MacroExpression>, ReadonlyMap<string, MacroExpression>>>();

const DESCRIPTOR_PARAM = new RegExp(`^(?:(?:const\\s+)?(?:unsigned\\s+)?int|${DESCRIPTOR_TYPE_NAMES.join('|')})$`);
const BOOL_SUCCESS = new Set(['true', 'TRUE']);
const BOOL_FAILURE = new Set(['false', 'FALSE']);
const NEGATIVE = /^-\s*\(?\s*(?:\d+|[A-Za-z_]\w*)\s*\)?$/;

/**
 * 'int-one' is a literal 1 (success, when 0 is returned only where a flag command failed:
 * `network_set_nonblocking()` returning 1 or 0); 'zero-guarded' a 0 returned there; 'one-guarded'
 * a 1 returned there (failure, when 0 is success).
 */
type ReturnKind = 'bool-ok' | 'bool-fail' | 'int-ok' | 'int-fail' | 'int-one' | 'zero-guarded' | 'one-guarded' | 'set' | 'get';

/** Names a predicate's expression may read besides its parameters. */
const PREDICATE_CONSTANT = /^(?:[A-Z][A-Z0-9_]*|true|false|nullptr)$/;

/**
 * The expression of a function whose body is one `return` of an expression of its parameters, with
 * no call in it (`static inline int is_fd_valid(int fd) { return (fd > -1); }`): a test of such a
 * call is a test of the expression.
 */
function predicateOf(fact: FunctionFact, fnNode: SyntaxNode): string | undefined {
  if (fact.params.length === 0) return undefined;
  const body = fnNode.childForFieldName('body');
  if (!body) return undefined;
  // A test reporter taking its place in the source besides the value (libarchive's
  // assertion_assert(file, line, value, condition, extra)): any number of parameters.
  if (fact.params.length > 4) return body.namedChildCount !== 1 && fact.returnsParam !== undefined ? fact.params[fact.returnsParam]?.name : undefined;
  const params = new Set(fact.params.map((p) => p.name));
  const choice = choiceOf(body, params);
  if (choice !== undefined) return choice;
  // `check_bool(name, got) { printf(…); return got; }`: a function that returns one of its
  // parameters unchanged on every path (FunctionFact.returnsParam) tests that argument.
  if (body.namedChildCount !== 1) return fact.returnsParam === undefined ? undefined : fact.params[fact.returnsParam]?.name;
  const statement = body.namedChild(0);
  if (statement?.type !== 'return_statement' || statement.namedChildCount !== 1) return undefined;
  return parameterTest(statement.namedChild(0)!, params);
}

/** The text of an expression that calls nothing and reads parameters and constants only. */
function parameterTest(expression: SyntaxNode, params: ReadonlySet<string | undefined>): string | undefined {
  const text = expression.text;
  if (text.length > 200 || expression.descendantsOfType('call_expression').length > 0) return undefined;
  let readsParam = false;
  for (const [name] of text.matchAll(/[A-Za-z_]\w*/g)) {
    if (params.has(name)) readsParam = true;
    else if (!PREDICATE_CONSTANT.test(name)) return undefined;
  }
  return readsParam ? text : undefined;
}

const JUMPS = /\b(?:return|goto|longjmp|exit|_exit|abort|throw|break|continue)\b/;

/**
 * `if (return_value < 0) { log(strerror(errno)); return -1; } return 0;` (libsocket's
 * `check_error`): two numbers chosen by a test of the parameters, with only logging beside them —
 * as `((test) ? (-1) : (0))`. What runs beside the returns may not name a parameter (it cannot close
 * or keep the descriptor) nor jump; declarations, comments and conditional blocks of such code are
 * allowed (`#ifdef VERBOSE`).
 */
function choiceOf(body: SyntaxNode, params: ReadonlySet<string | undefined>): string | undefined {
  const items = body.namedChildren.filter((c) => c.type !== 'comment');
  const early = earlyChoiceOf(items, params);
  if (early !== undefined) return early;
  const last = items.at(-1);
  const branch = items.at(-2);
  if (last?.type !== 'return_statement' || branch?.type !== 'if_statement' || branch.childForFieldName('alternative')) return undefined;
  if (!items.slice(0, -2).every((item) => inert(item, params))) return undefined;
  const condition = branch.childForFieldName('condition');
  const test = condition ? parameterTest(unwrap(condition), params) : undefined;
  const taken = returnedInteger(branch.childForFieldName('consequence'), params);
  const otherwise = returnedInteger(last, params);
  if (test === undefined || taken === undefined || otherwise === undefined || taken === otherwise) return undefined;
  return `(${test}) ? (${taken}) : (${otherwise})`;
}

/**
 * `if (condition) return 1; report(file, line, …); ++failures; return 0;` (libgd's
 * `_gdTestAssert(file, line, condition)`): the test first, its number returned at once, then
 * statements that neither jump nor read what the test reads, then the other number. The
 * statements may name other parameters (the place being reported).
 */
function earlyChoiceOf(items: readonly SyntaxNode[], params: ReadonlySet<string | undefined>): string | undefined {
  const [branch, ...rest] = items;
  const last = rest.at(-1);
  if (branch?.type !== 'if_statement' || branch.childForFieldName('alternative') || last?.type !== 'return_statement' || rest.length < 2) return undefined;
  const condition = branch.childForFieldName('condition');
  const test = condition ? parameterTest(unwrap(condition), params) : undefined;
  if (test === undefined) return undefined;
  const tested = new Set(params.size > 0 ? [...test.matchAll(/[A-Za-z_]\w*/g)].map(([name]) => name).filter((name) => params.has(name)) : []);
  if (!rest.slice(0, -1).every((item) => inert(item, tested))) return undefined;
  const taken = returnedInteger(branch.childForFieldName('consequence'), params);
  const otherwise = returnedInteger(last, params);
  if (taken === undefined || otherwise === undefined || taken === otherwise) return undefined;
  return `(${test}) ? (${taken}) : (${otherwise})`;
}

/** The integer a statement returns (a `return N;`, or a block of inert statements ending in one). */
function returnedInteger(statement: SyntaxNode | null, params: ReadonlySet<string | undefined>): string | undefined {
  if (!statement) return undefined;
  if (statement.type === 'compound_statement') {
    const items = statement.namedChildren.filter((c) => c.type !== 'comment');
    return items.slice(0, -1).every((item) => inert(item, params)) ? returnedInteger(items.at(-1) ?? null, params) : undefined;
  }
  if (statement.type !== 'return_statement' || statement.namedChildCount !== 1) return undefined;
  const value = integerValue(statement.namedChild(0)!);
  return value === undefined ? undefined : String(value);
}

/** A statement that neither jumps nor names a parameter: a declaration, a log call, a conditional block of them. */
function inert(statement: SyntaxNode, params: ReadonlySet<string | undefined>): boolean {
  if (!['declaration', 'expression_statement', 'preproc_ifdef', 'preproc_if', 'comment'].includes(statement.type)) return false;
  const text = statement.text;
  if (text.length > 2000 || JUMPS.test(text)) return false;
  for (const [name] of text.matchAll(/[A-Za-z_]\w*/g)) if (params.has(name)) return false;
  return true;
}


function checkWrapperOf(fact: FunctionFact, fnNode: SyntaxNode): Omit<CheckWrapperItem, 'fn'> | undefined {
  const body = fnNode.childForFieldName('body');
  if (!body || !/\b(?:fcntl|setsockopt|ioctl)\b/.test(body.text) || /\b(?:goto|longjmp|throw)\b/.test(body.text)) return undefined;
  for (let param = 0; param < fact.params.length; param++) {
    const { name, type } = fact.params[param]!;
    if (!name || !DESCRIPTOR_PARAM.test(squeeze(type))) continue;
    const returns = wrapperReturns(body, name);
    if (returns) return { param, returns };
  }
  return undefined;
}

/** How the function returns, if it is a check wrapper of parameter `fd`. */
function wrapperReturns(body: SyntaxNode, fd: string): CheckWrapperItem['returns'] | undefined {
  const flagCall = (node: SyntaxNode) => descriptorFlagCall(node, (arg) => squeeze(unwrap(arg).text) === fd);
  // `flags = fcntl(fd, F_GETFD)`: where each variable gets a flag command's result, and where it gets anything else.
  const stores = new Map<string, { at: number; fromFlagCall: 'get' | 'set' | undefined }[]>();
  const kinds = new Set<ReturnKind>();
  let flagCalls = 0;
  let ok = true;
  const store = (name: string, at: number, value: SyntaxNode | null) => {
    const list = stores.get(name) ?? [];
    list.push({ at, fromFlagCall: value !== null ? flagCall(value) : undefined });
    stores.set(name, list);
  };
  /** Is `condition` true exactly when a flag command on `fd` failed (read at offset `at`)? */
  const failureTest = (condition: SyntaxNode, at: number): boolean => {
    const expr = unwrap(condition);
    if (expr.type === 'binary_expression' && expr.childForFieldName('operator')?.type === '||') {
      const [l, r] = [expr.childForFieldName('left'), expr.childForFieldName('right')];
      return !!l && !!r && failureTest(l, at) && failureTest(r, at);
    }
    if (fcntlFailure(expr, fd) === true) return true;
    // `(flags = fcntl(fd, F_GETFL)) == -1`: the call assigned and tested at once.
    if (expr.type === 'binary_expression') {
      const left = unwrap(expr.childForFieldName('left') ?? expr);
      const assigned = left.type === 'assignment_expression' ? left.childForFieldName('right') : null;
      const op = expr.childForFieldName('operator')?.type;
      const other = squeeze(expr.childForFieldName('right')?.text ?? '');
      if (assigned && flagCall(assigned) && ((op === '==' && other === '-1') || (op === '<' && other === '0') || (op === '<=' && other === '-1'))) return true;
    }
    // `if (flags == -1)`, `if (flags < 0)` on the variable holding the last flag command's result;
    // `if (s)`, `if (s != 0)` on one holding a setting command's (0, or -1 when it failed: potd's
    // `s = setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, …); if (s) return 1;`).
    const m = /^\(?([A-Za-z_]\w*)\)?(==-1|<0|<=-1|!=0|)$/.exec(squeeze(expr.text).replace(/^-1==(\w+)$/, '$1==-1'));
    if (!m) return false;
    const last = (stores.get(m[1]!) ?? []).filter((s) => s.at < at).pop()?.fromFlagCall;
    return m[2] === '' || m[2] === '!=0' ? last === 'set' : last !== undefined;
  };
  // In document order with a stack of its own (an expression thousands deep overflowed the call
  // stack). What a test or a return reads of `stores` comes from before it, so it is the same.
  const stack: [SyntaxNode, boolean][] = [[body, false]];
  while (stack.length > 0 && ok) {
    const [node, guarded] = stack.pop()!;
    if (isNestedFunction(node)) continue;
    switch (node.type) {
      case 'if_statement': {
        const condition = node.childForFieldName('condition');
        const consequence = node.childForFieldName('consequence');
        const alternative = node.childForFieldName('alternative');
        const failed = condition !== null && failureTest(condition, node.startIndex);
        if (alternative) stack.push([alternative, guarded]);
        if (consequence) stack.push([consequence, guarded || failed]);
        if (condition) stack.push([condition, guarded]);
        continue;
      }
      case 'return_statement': {
        const value = node.namedChildren.find((c) => c.type !== 'comment');
        // `if (flags < 0) return flags;`: the flag command's own result passed back.
        const held = value && unwrap(value).type === 'identifier' ? stores.get(unwrap(value).text)?.filter((st) => st.at < node.startIndex).pop() : undefined;
        const returned = held?.fromFlagCall ? 'get' : value ? returnKind(value, flagCall) : undefined;
        const kind = returned === 'int-ok' && guarded ? 'zero-guarded' : returned === 'int-one' && guarded ? 'one-guarded' : returned;
        if (!kind || ((kind === 'bool-fail' || kind === 'int-fail') && !guarded)) ok = false;
        else kinds.add(kind);
        if (value) stack.push([value, guarded]);
        continue;
      }
      case 'call_expression':
        if (flagCall(node)) flagCalls++;
        break;
      case 'init_declarator': {
        const declarator = node.childForFieldName('declarator');
        if (declarator?.type === 'identifier') store(declarator.text, node.startIndex, node.childForFieldName('value'));
        break;
      }
      case 'assignment_expression': {
        const left = node.childForFieldName('left');
        if (left?.type === 'identifier') store(left.text, node.startIndex, node.childForFieldName('operator')?.type === '=' ? node.childForFieldName('right') : null);
        break;
      }
    }
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, guarded]);
  }
  if (!ok || flagCalls === 0 || kinds.size === 0) return undefined;
  const has = (...list: ReturnKind[]) => list.some((k) => kinds.has(k));
  // 1 where a flag command failed and 0 otherwise (potd's socket_setopts): a status, like -1 and 0.
  if (kinds.delete('one-guarded')) {
    if (kinds.has('int-one') || kinds.has('zero-guarded')) return undefined;
    kinds.add('int-fail');
  }
  // 1 for success and 0 where a flag command failed: a truth value, like true and false.
  if (kinds.has('int-one')) return has('int-ok', 'int-fail', 'set', 'get') ? undefined : 'bool';
  if (kinds.delete('zero-guarded')) kinds.add('int-ok');
  const isBool = has('bool-ok', 'bool-fail');
  if (isBool) return has('int-ok', 'int-fail', 'set', 'get') ? undefined : 'bool';
  return kinds.has('get') ? 'get' : 'set';
}

function returnKind(value: SyntaxNode, flagCall: (node: SyntaxNode) => 'get' | 'set' | undefined): ReturnKind | undefined {
  const call = flagCall(value);
  if (call) return call;
  // `return fcntl(fd, F_SETFL, flags) != -1;`, and `return (flags & FD_CLOEXEC) == 0 || fcntl(…) != -1;`
  // (ttyd's fd_set_cloexec: true unless the flag command failed).
  if (flagSuccessTest(unwrap(value), flagCall)) return 'bool-ok';
  const text = squeeze(unwrap(value).text);
  if (text === '1') return 'int-one';
  if (BOOL_SUCCESS.has(text)) return 'bool-ok';
  if (BOOL_FAILURE.has(text)) return 'bool-fail';
  // A project's names for its statuses (`ANET_OK`, `ANET_ERR`) say what they are.
  const named = statusNameValue(text);
  if (text === '0' || named === '0') return 'int-ok';
  if (NEGATIVE.test(text) || named === '-1') return 'int-fail';
  return undefined;
}

/**
 * Is `expr` true exactly when the flag command in it worked: `fcntl(…) != -1`, `>= 0`, `> -1`, or
 * `test || that` where `test` calls nothing (`(flags & FD_CLOEXEC) == 0 || fcntl(…) != -1`)?
 */
function flagSuccessTest(expr: SyntaxNode, flagCall: (node: SyntaxNode) => 'get' | 'set' | undefined): boolean {
  if (expr.type !== 'binary_expression') return false;
  const op = expr.childForFieldName('operator')?.type;
  const left = expr.childForFieldName('left');
  const right = expr.childForFieldName('right');
  if (!left || !right) return false;
  if (op === '||') return left.descendantsOfType('call_expression').length === 0 && left.type !== 'call_expression' && flagSuccessTest(unwrap(right), flagCall);
  const bound = squeeze(right.text);
  const succeeds = (op === '!=' && bound === '-1') || (op === '>=' && bound === '0') || (op === '>' && bound === '-1');
  return succeeds && flagCall(unwrap(left)) !== undefined;
}
