import type { SyntaxNode } from '../syntax/parser.js';
import { callArguments, calleeName, comparisonWithCall, squeeze, unwrap } from '../syntax/nodes.js';
import { withoutCasts } from '../syntax/c-text.js';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * Library calls that cannot fail with the arguments they are given, and what a test of their
 * failure is worth: `if (signal(SIGHUP, on_hup) == SIG_ERR)` is never true (signal() fails only
 * for a bad signal number, SIGKILL or SIGSTOP), nor is `sigprocmask(SIG_BLOCK, &set, NULL) < 0`
 * (its only errors are a bad `how` and a bad pointer). The CFG takes such a test as decided, so
 * no path runs the error branch with, say, a pipe still open (sslsplit's privilege separation).
 * Only named signals and named `how` values count: a variable might hold anything.
 */

/** A named signal a handler may be set for (every SIG* name but SIGKILL and SIGSTOP). */
const CATCHABLE_SIGNAL = /^SIG(?!KILL$|STOP$)[A-Z0-9]+$/;
const SIGNAL_MASK_HOW = /^SIG_(?:BLOCK|UNBLOCK|SETMASK)$/;

export const NEVER_FAILING_NAMES: ReadonlySet<string> = new Set(['signal', 'sigset', 'bsd_signal', 'sigaction', 'sigprocmask', 'pthread_sigmask', 'sigemptyset', 'sigfillset', 'sigaddset', 'sigdelset']);

/** 'handler': returns the old handler, SIG_ERR on failure; 'status': 0 on success, -1 (or an error number) on failure. */
type Kind = 'handler' | 'status';

/** A project function that sets the handler of the signal its parameter `param` names, failing only where that does. */
export interface SignalSetter {
  readonly param: number;
  readonly returns: Kind;
}

function neverFailingCall(node: SyntaxNode, signalSetterOf?: (name: string) => SignalSetter | undefined): Kind | undefined {
  let call = unwrap(node);
  // `(oldsig = signal(SIGCHLD, SIG_DFL)) == SIG_ERR`: the call's result, kept as it is tested.
  if (call.type === 'assignment_expression' && call.childForFieldName('operator')?.type === '=') call = unwrap(call.childForFieldName('right') ?? call);
  if (call.type !== 'call_expression') return undefined;
  const name = calleeName(call)?.replace(/^::/, '');
  if (!name) return undefined;
  // `grad_set_signal(SIGCHLD, SIG_DFL)`: the project's own setter, for a named catchable signal.
  const setter = NEVER_FAILING_NAMES.has(name) ? undefined : signalSetterOf?.(name);
  if (setter) {
    const signal = callArguments(call)[setter.param];
    return signal && CATCHABLE_SIGNAL.test(squeeze(signal.text)) ? setter.returns : undefined;
  }
  // Every condition that is a call asks: its arguments are read only for the calls listed here.
  if (!NEVER_FAILING_NAMES.has(name)) return undefined;
  const args = callArguments(call).map((a) => squeeze(a.text));
  switch (name) {
    case 'signal':
    case 'sigset':
    case 'bsd_signal':
      return args.length === 2 && CATCHABLE_SIGNAL.test(args[0]!) ? 'handler' : undefined;
    case 'sigaction':
      return args.length === 3 && CATCHABLE_SIGNAL.test(args[0]!) ? 'status' : undefined;
    case 'sigprocmask':
    case 'pthread_sigmask':
      return args.length === 3 && SIGNAL_MASK_HOW.test(args[0]!) ? 'status' : undefined;
    case 'sigemptyset':
    case 'sigfillset':
      return args.length === 1 ? 'status' : undefined;
    case 'sigaddset':
    case 'sigdelset':
      return args.length === 2 && CATCHABLE_SIGNAL.test(args[1]!) ? 'status' : undefined;
    default:
      return undefined;
  }
}

/**
 * Library calls whose result is never negative: counts of `size_t` (`fread`, `fwrite`; a cast to
 * `int` does not make them negative), `dirfd()` of an open directory stream (glibc fails only
 * where the stream has no descriptor, which `opendir` never gives), `fileno()` likewise (only a
 * memory stream — fmemopen, open_memstream, fopencookie — has none, and those are not what a
 * program asks the number of), and ones that are always positive: the page size.
 * `(int)fread(buf, 1, n, f) < 0` is never true.
 */
const NEVER_NEGATIVE: ReadonlyMap<string, 'nonnegative' | 'positive'> = new Map([
  ['fread', 'nonnegative'], ['fwrite', 'nonnegative'], ['fread_unlocked', 'nonnegative'], ['fwrite_unlocked', 'nonnegative'], ['dirfd', 'nonnegative'], ['fileno', 'nonnegative'], ['fileno_unlocked', 'nonnegative'],
  ['getpagesize', 'positive'],
]);
const PAGE_SIZE = /^_SC_PAGE_?SIZE$/;

/** A conversion whose output may be empty (`%s` of "", `%.0d` of 0); `%c` and `%%` always print one character. */
const PRINTED_CONVERSION = /%(?!%|[-+ #0-9.*hlLqjzt]*c)[-+ #0-9.*hlLqjzt]*[diouxXeEfFgGaAspn]/g;

/** A format that prints no wide character or string (`%ls`, `%lc`, `%S`, `%C`), whose conversion could fail. */
const NARROW_FORMAT = /^"(?:[^"%\\]|\\.|%(?![-+ #0-9.*]*(?:l[sc]|[SC])))*"/;

/**
 * 'nonnegative' or 'positive' for such a call, else undefined: `sysconf(_SC_PAGESIZE)` is positive;
 * `snprintf(buf, sizeof buf, "%s/%s", …)` with a literal narrow format is never negative (it
 * counts the characters it would write). `argsOf` gives the argument list's text, without parentheses; it is read only for those two.
 */
export function neverNegativeCall(name: string, argsOf: () => string): 'nonnegative' | 'positive' | undefined {
  if (name === 'sysconf') return PAGE_SIZE.test(argsOf().trim().split(',')[0]!.trim()) ? 'positive' : undefined;
  if (name === 'snprintf' || name === 'sprintf') {
    const args = argsOf();
    const format = /"/.exec(args);
    const narrow = format ? NARROW_FORMAT.exec(args.slice(format.index)) : null;
    if (!narrow) return undefined;
    // A character printed whatever the arguments (`"%s %lx\n"`: the space and the newline; `%%`,
    // `%c`): the count is at least 1 (wzdftpd's `if (snprintf(buf, n, "%s %lx\n", …) <= 0)`).
    return /[^%]|%%|%c/.test(narrow[0].slice(1, -1).replace(PRINTED_CONVERSION, '')) ? 'positive' : 'nonnegative';
  }
  return NEVER_NEGATIVE.get(name);
}

function neverNegativeTest(expr: SyntaxNode): boolean | undefined {
  let kind: 'nonnegative' | 'positive' | undefined;
  const comparison = comparisonWithCall(expr, (node) => {
    const call = unwrap(node);
    const name = call.type === 'call_expression' ? calleeName(call)?.replace(/^::/, '') : undefined;
    kind = name === undefined ? undefined : neverNegativeCall(name, () => callArguments(call).map((a) => a.text).join(', '));
    return kind !== undefined;
  });
  if (!comparison || !kind || !/^-?\d+$/.test(comparison.other)) return undefined;
  const other = Number(comparison.other);
  const { op } = comparison;
  // The call's value is ≥ 0 (or > 0): decided only where every such value gives the same answer.
  const least = kind === 'positive' ? 1 : 0;
  if (other < least) return op === '>' || op === '>=' || op === '!=' ? true : op === '<' || op === '<=' || op === '==' ? false : undefined;
  if (other === least) return op === '>=' ? true : op === '<' ? false : undefined;
  return undefined;
}

/** The exec family returns only when it failed, with -1: a test of its result is decided the other way (flags.ts: a variable assigned one holds -1). */
export const RETURNS_ONLY_ON_FAILURE: ReadonlySet<string> = new Set(['execl', 'execlp', 'execle', 'execv', 'execvp', 'execvpe', 'execve', 'fexecve']);

function returnsOnlyOnFailure(node: SyntaxNode): boolean {
  const call = unwrap(node);
  return call.type === 'call_expression' && RETURNS_ONLY_ON_FAILURE.has(calleeName(call)?.replace(/^::/, '') ?? '');
}

/** `execvp(…) == -1` (true), `execvp(…) < 0` (true), `execvp(…) != -1` (false): what an exec that returned says. */
function execTest(expr: SyntaxNode): boolean | undefined {
  if (returnsOnlyOnFailure(expr)) return true;
  const comparison = comparisonWithCall(expr, returnsOnlyOnFailure);
  if (!comparison) return undefined;
  const { op, other } = comparison;
  if (other === '-1') return op === '==' || op === '<=' || op === '<' ? op !== '<' : op === '!=' || op === '>' ? false : op === '>=' ? true : undefined;
  if (other === '0') return op === '<' || op === '<=' || op === '!=' ? true : op === '==' || op === '>=' || op === '>' ? false : undefined;
  return undefined;
}

/**
 * Address parsers given a literal address they accept: `inet_aton("127.0.0.1", &a)` and
 * `inet_pton(AF_INET, "10.0.2.2", &a)` return 1, `inet_addr("127.0.0.1")` is not INADDR_NONE.
 * Only plain dotted quads without leading zeros (which every libc's inet_pton takes) and, for
 * AF_INET6, an IPv6 literal without a zone count; "255.255.255.255" is INADDR_NONE itself.
 */
function literalAddressCall(node: SyntaxNode): 'one' | 'address' | undefined {
  const call = unwrap(node);
  if (call.type !== 'call_expression') return undefined;
  const name = calleeName(call)?.replace(/^::/, '');
  if (name !== 'inet_aton' && name !== 'inet_pton' && name !== 'inet_addr') return undefined;
  const args = callArguments(call).map((a) => squeeze(a.text));
  const literal = (text: string | undefined): string | undefined => (text && /^"[^"\\]*"$/.test(text) ? text.slice(1, -1) : undefined);
  if (name === 'inet_aton') return args.length === 2 && isIPv4(literal(args[0]) ?? '') ? 'one' : undefined;
  if (name === 'inet_addr') {
    const address = literal(args[0]);
    return args.length === 1 && address !== undefined && isIPv4(address) && address !== '255.255.255.255' ? 'address' : undefined;
  }
  const address = literal(args[1]);
  if (args.length !== 3 || address === undefined) return undefined;
  if (args[0] === 'AF_INET') return isIPv4(address) ? 'one' : undefined;
  return args[0] === 'AF_INET6' && !address.includes('%') && isIPv6(address) ? 'one' : undefined;
}

/** `inet_aton("127.0.0.1", &a) == 0` (false), `inet_pton(AF_INET, "10.0.2.2", &a) <= 0` (false), `!inet_aton(…)` through its operand. */
function literalAddressTest(expr: SyntaxNode): boolean | undefined {
  const bare = literalAddressCall(expr);
  if (bare) return bare === 'one' ? true : undefined;
  const comparison = comparisonWithCall(expr, (node) => literalAddressCall(node) !== undefined);
  if (!comparison) return undefined;
  const { op, other } = comparison;
  if (literalAddressCall(comparison.call) === 'address') return other === 'INADDR_NONE' && (op === '==' || op === '!=') ? op === '!=' : undefined;
  return /^-?\d+$/.test(other) ? compareNumbers(1, op, Number(other)) : undefined;
}

/**
 * The value of a condition that tests such a call's result (true or false), else undefined:
 * `signal(…) == SIG_ERR` false, `sigaction(…) < 0` false, `sigprocmask(…) == 0` true, a bare
 * `sigaction(…)` (non-zero on failure) false.
 */
export function neverFailingTest(condition: SyntaxNode, signalSetterOf?: (name: string) => SignalSetter | undefined): boolean | undefined {
  const expr = unwrap(condition);
  const exec = execTest(expr);
  if (exec !== undefined) return exec;
  const address = literalAddressTest(expr);
  if (address !== undefined) return address;
  const sign = neverNegativeTest(expr);
  if (sign !== undefined) return sign;
  const bare = neverFailingCall(expr, signalSetterOf);
  if (bare) return bare === 'status' ? false : undefined;
  const comparison = comparisonWithCall(expr, (node) => neverFailingCall(node, signalSetterOf) !== undefined);
  if (!comparison) return undefined;
  const { op, other } = comparison;
  if (neverFailingCall(comparison.call, signalSetterOf) === 'handler') return other === 'SIG_ERR' && (op === '==' || op === '!=') ? op === '!=' : undefined;
  // A status: 0 on success.
  if (other === '0') return op === '==' || op === '>=' || op === '<=' ? true : op === '!=' || op === '<' || op === '>' ? false : undefined;
  if (other === '-1') return op === '==' || op === '<=' ? false : op === '!=' || op === '>' ? true : undefined;
  return undefined;
}

/** The project function a condition's call names, plainly (`f(…)`, `::f(…)`), or undefined. */
function plainCallee(node: SyntaxNode): string | undefined {
  const call = unwrap(node);
  if (call.type !== 'call_expression') return undefined;
  const fn = call.childForFieldName('function');
  return fn?.type === 'identifier' ? fn.text : undefined;
}

/**
 * The value of a condition testing a call of a project function that always returns one constant
 * (`rv = wdmd_socket_address(…)` is always 0): `f(…) < 0` false, `f(…)` (non-zero) false, `f(…) ==
 * 0` true. `constantResultOf` answers from the project's definitions; undefined: not decided.
 */
export function constantResultTest(condition: SyntaxNode, constantResultOf: ((name: string) => string | undefined) | undefined): boolean | undefined {
  if (!constantResultOf) return undefined;
  const expr = unwrap(condition);
  const bare = plainCallee(expr);
  if (bare !== undefined) {
    const value = constantResultOf(bare);
    return value === undefined ? undefined : Number(value) !== 0;
  }
  let value: string | undefined;
  const comparison = comparisonWithCall(expr, (node) => {
    const name = plainCallee(node);
    value = name === undefined ? undefined : constantResultOf(name);
    return value !== undefined;
  });
  if (!comparison || value === undefined || !/^-?\d+$/.test(comparison.other)) return undefined;
  return compareNumbers(Number(value), comparison.op, Number(comparison.other));
}

/** `a op b` for a comparison operator; undefined for any other. */
export function compareNumbers(a: number, op: string, b: number): boolean | undefined {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return undefined;
  }
}

/**
 * Allocators that never return null: they abort on failure (GLib's `g_new0`, `g_malloc`, the
 * `xmalloc` family of many projects, PHP's `emalloc`); C++ `new` throws instead (a `new_expression`).
 * `alloca` and glibc's `strdupa` take stack space and have no failure value at all.
 */
const NEVER_NULL_ALLOCATORS = String.raw`alloca|__builtin_alloca|strdupa|strndupa|g_new0?|g_malloc0?|g_malloc0?_n|g_slice_new0?|g_slice_alloc0?|g_realloc|xmalloc|xcalloc|xzalloc|xrealloc|xreallocarray|xstrdup|xstrndup|xmemdup|emalloc|ecalloc|erealloc|estrdup`;
/** A value that is a call of one of them (`alloca(n)`, casts already taken off). */
export const NEVER_NULL_CALL = new RegExp(String.raw`^(?:${NEVER_NULL_ALLOCATORS})\(`);
/** A text that calls one of them somewhere, or uses `new`. */
const NEVER_NULL_MENTION = new RegExp(String.raw`\b(?:${NEVER_NULL_ALLOCATORS})\s*\(|\bnew\b`);

const NO_NAMES: ReadonlySet<string> = new Set();

/**
 * Names a function gives only never-null values, by every assignment and initializer it has
 * (`it = (ioctl_trans_di *)alloca(len);` three times over in ntp's refclock_tsyncpci), whose
 * address it never takes: a test of one against null is decided wherever it stands, whatever
 * else the function tracks (a flag slot would have to be spared for it).
 */
export function neverNullNames(fn: SyntaxNode): ReadonlySet<string> {
  const text = fn.text;
  if (!NEVER_NULL_MENTION.test(text)) return NO_NAMES;
  const verdicts = new Map<string, boolean>();
  for (const node of fn.descendantsOfType(['assignment_expression', 'init_declarator', 'update_expression', 'parameter_declaration'])) {
    if (node.type === 'update_expression' || node.type === 'parameter_declaration') {
      const name = node.type === 'update_expression' ? node.childForFieldName('argument')?.text : declaredName(node.childForFieldName('declarator'));
      if (name) verdicts.set(name, false);
      continue;
    }
    const assignment = node.type === 'assignment_expression';
    const name = assignment ? node.childForFieldName('left')?.text : declaredName(node.childForFieldName('declarator'));
    const value = node.childForFieldName(assignment ? 'right' : 'value');
    if (!name || !value || !/^[A-Za-z_]\w*$/.test(name)) continue;
    const never = (!assignment || node.childForFieldName('operator')?.type === '=') && (value.type === 'new_expression' || NEVER_NULL_CALL.test(withoutCasts(squeeze(value.text))));
    verdicts.set(name, (verdicts.get(name) ?? true) && never);
  }
  const names = [...verdicts].filter(([name, never]) => never && !new RegExp(`&\\s*${name}\\b`).test(text)).map(([name]) => name);
  return names.length === 0 ? NO_NAMES : new Set(names);
}

function declaredName(declarator: SyntaxNode | null): string | undefined {
  const name = declarator?.text.replace(/^[\s*&]+/, '');
  return name && /^[A-Za-z_]\w*$/.test(name) ? name : undefined;
}

/** `it == NULL` (false), `it != NULL`, `it` (true) for a name of neverNullNames; undefined for any other test. */
export function neverNullTest(condition: SyntaxNode, names: ReadonlySet<string>): boolean | undefined {
  if (names.size === 0) return undefined;
  const expr = unwrap(condition);
  if (expr.type === 'identifier') return names.has(expr.text) ? true : undefined;
  if (expr.type !== 'binary_expression') return undefined;
  const op = expr.childForFieldName('operator')?.type;
  const left = expr.childForFieldName('left');
  const right = expr.childForFieldName('right');
  if ((op !== '==' && op !== '!=') || !left || !right) return undefined;
  const isNull = (node: SyntaxNode) => /^(?:NULL|nullptr|0|\(\s*void\s*\*\s*\)\s*0)$/.test(squeeze(unwrap(node).text));
  const tested = isNull(right) ? unwrap(left) : isNull(left) ? unwrap(right) : undefined;
  return tested?.type === 'identifier' && names.has(tested.text) ? op === '!=' : undefined;
}
