import { INVALID_DESCRIPTOR_CONSTANTS, NULL_CONSTANTS } from '../catalog/posix.js';
import { POINTER_SENTINEL } from './summaries.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { callArguments, calleeName, comparisonWithCall, MIRRORED_OPERATOR, squeeze, unwrap } from '../../core/syntax/nodes.js';
import { isBranchHintCall } from '../../core/syntax/branch-hints.js';
import { expandedExpression, subscriptsResolved } from '../../core/project/macros.js';
import type { MacroExpression } from '../../core/project/facts.js';
import { parseText } from '../../core/syntax/parser.js';

/**
 * What a branch condition says about a handle: "valid" (a real descriptor / non-null pointer),
 * "invalid", or nothing. Understands every form users write: `fd < 0`, `fd == -1`, `-1 != fd`,
 * `fd >= 0`, `(fd = accept(...)) < 0`, `fp == NULL`, `!fp` (through the CFG's negation), `fp`.
 */
export type Validity = 'valid' | 'invalid';
/**
 * descriptor: -1 on failure; pointer: NULL on failure; status: a call returning 0 / -1 (pipe,
 * socketpair); wrapped: a descriptor in a C++ wrapper (`std::expected<int, E>`), false on failure.
 */
export type HandleShape = 'descriptor' | 'pointer' | 'status' | 'wrapped';


/** True when `expr` is the handle: `fd`, `(fd)`, `(fd = accept(...))`, `c->fd`. */
export function isHandleExpression(expr: SyntaxNode, handle: string, constants: ReadonlyMap<string, string> = NO_CONSTANTS): boolean {
  const inner = unwrap(expr);
  if (inner.type === 'assignment_expression') {
    // `(fd = open(…)) < 0` tests `fd`; `(ret = socketpair(…, sv)) == -1` tests the call too (the value assigned).
    const left = inner.childForFieldName('left');
    const right = inner.childForFieldName('right');
    if (left !== null && subscriptsResolved(squeeze(left.text), constants) === handle) return true;
    return right !== null && inner.childForFieldName('operator')?.type === '=' && squeeze(unwrap(right).text) === handle;
  }
  if (inner.type === 'cast_expression') {
    const value = inner.childForFieldName('value');
    return value !== null && isHandleExpression(value, handle, constants);
  }
  return subscriptsResolved(squeeze(inner.text), constants) === handle;
}

const NO_CONSTANTS: ReadonlyMap<string, string> = new Map();

/** Strips casts and parentheses from a constant: `(ngx_socket_t) -1` → `-1`, `((void *)0)` → `0`, `reinterpret_cast<FILE *>(-1)` → `-1`. */
function bareConstant(text: string): string {
  let c = text;
  for (let i = 0; i < 4; i++) {
    const before = c;
    c = c
      .replace(/^\(([^()]*)\)$/, '$1')
      .replace(/^\((?:const)?[A-Za-z_][\w]*(?:\*)*\)(?=[-\w(])/, '')
      .replace(/^\(void\*\)/, '')
      // `reinterpret_cast<FILE*>(-1)`, `static_cast<int>(-1)`.
      .replace(/^(?:reinterpret|static|const)_cast<[^<>()]*>\(([^()]*)\)$/, '$1');
    if (c === before) break;
  }
  // `fd != fileno(stdout)`: the standard stream's own number (`openlogfile("stdout")` hands it back).
  const stream = /^(?:::)?fileno\((std(?:in|out|err))\)$/.exec(c)?.[1];
  return stream ? `${stream.toUpperCase()}_FILENO` : c;
}

/**
 * The negative value a name stands for, also qualified by its class (`XmlRpcSocket::Invalid`, a
 * `static const Socket Invalid = -1` member); else the text. For a pointer, a null sentinel of the
 * same name comes first (restinio's `null_file_descriptor()` is `nullptr` in its FILE * build, -1
 * in its POSIX one).
 */
function namedValue(constant: string, invalidNames: ReadonlyMap<string, string> | undefined, shape?: HandleShape): string {
  if (!invalidNames) return constant;
  const member = /^(?:[A-Za-z_]\w*::)+([A-Za-z_]\w*(?:\(\))?)$/.exec(constant)?.[1];
  const lookup = (name: string) => (shape === 'pointer' ? invalidNames.get(`${name}${POINTER_SENTINEL}`) : undefined) ?? invalidNames.get(name);
  return lookup(constant) ?? (member ? lookup(member) : undefined) ?? constant;
}

/** A platform's null pointer constant: `RT_NULL`, `OS_NULL`. */
const NULL_SPELLING = /^[A-Z][A-Z0-9]*_NULL$/;

/** Streams that are never the result of an fopen(): comparing with them tells "not ours". */
const STANDARD_STREAMS = ['stdin', 'stdout', 'stderr'];
/** Descriptors 0–2 are the standard ones: code keeps them open on purpose (daemonize, /dev/null). */
const STANDARD_DESCRIPTOR_MAX = ['2', 'STDERR_FILENO'];
const STANDARD_DESCRIPTORS = ['STDIN_FILENO', 'STDOUT_FILENO', 'STDERR_FILENO'];

/**
 * Validity implied for `handle` when `condition` evaluates to `assumption`. `invalidNames` are
 * project names that stand for a negative constant (`ANET_ERR`, `CURL_SOCKET_BAD`, `retired_fd`); `expressions`, the expression
 * macros in effect (`SOCK_INVALID(fd)` is read as `((fd) < 0)`).
 */
export function impliedValidity(
  condition: SyntaxNode,
  assumption: boolean,
  handle: string,
  shape: HandleShape,
  invalidNames?: ReadonlyMap<string, string>,
  constants?: ReadonlyMap<string, string>,
  expressions?: ReadonlyMap<string, MacroExpression>,
  depth = 0,
): Validity | undefined {
  const expr = unwrap(condition);
  if (depth > MAX_EXPANSION_DEPTH) return undefined;
  let verdict: Validity | undefined;
  const within = (node: SyntaxNode, value: boolean) => impliedValidity(node, value, handle, shape, invalidNames, constants, expressions, depth + 1);
  if (shape === 'descriptor') {
    const failed = fcntlFailure(expr, handle, constants);
    if (failed !== undefined) return failed === assumption ? 'invalid' : undefined;
  } else if (shape === 'pointer') {
    // `fstat(fileno(fp), &st)` of a stream just opened: its descriptor is open, so the query cannot fail.
    const failed = descriptorsUnder(handle).reduce<boolean | undefined>((found, descriptor) => found ?? fcntlFailure(expr, descriptor, constants), undefined);
    if (failed !== undefined) return failed === assumption ? 'invalid' : undefined;
  }
  // `__builtin_expect(!!(s < 0), 0)`, what `dill_slow(s < 0)` expands to: the hinted condition.
  if (expr.type === 'call_expression' && isBranchHintCall(calleeName(expr) ?? '', callArguments(expr).length)) {
    const hinted = callArguments(expr)[0];
    return hinted ? within(hinted, assumption) : undefined;
  }
  if (expr.type === 'call_expression' && expressions && expressions.size > 0) {
    const expansion = expansionOf(expr, expressions);
    if (expansion) return within(expansion, assumption);
  }
  // `set_nonblock(fd) < 0` with a function that stands for `fcntl(fd, F_SETFL, …)`: the comparison of its expansion.
  if (expr.type === 'binary_expression' && expressions && expressions.size > 0) {
    const expansion = comparisonExpansionOf(expr, expressions);
    if (expansion) return within(expansion, assumption);
  }
  // Inside an expansion (`((f) != NULL && (f)->fd >= 0)`, `(!(p))`); the CFG splits the function's own.
  if (expr.type === 'unary_expression' && expr.childForFieldName('operator')?.type === '!') {
    const operand = expr.childForFieldName('argument');
    return operand ? within(operand, !assumption) : undefined;
  }
  // `((fd < 0) ? (-1) : (0))`, what a call of a function that maps its argument's test to two
  // numbers expands to (libsocket's `check_error(fd)`): true exactly when the test chose the non-zero one.
  if (expr.type === 'conditional_expression') {
    const chosen = constantChoice(expr, '!=', 0);
    return chosen ? within(chosen.test, chosen.whenTrue === assumption) : undefined;
  }
  if (expr.type === 'binary_expression') {
    const left = expr.childForFieldName('left');
    const right = expr.childForFieldName('right');
    let op = expr.childForFieldName('operator')?.type ?? '';
    // `-1 == ((fd < 0) ? (-1) : (0))`: the comparison holds for one of the two numbers only, so it is the test that chose it.
    const choice = left && right ? comparedChoice(left, op, right) : undefined;
    if (choice) return within(choice.test, choice.whenTrue === assumption);
    // Both sides hold when `&&` is true, neither when `||` is false.
    if (left && right && ((op === '&&' && assumption) || (op === '||' && !assumption))) return within(left, assumption) ?? within(right, assumption);
    if (!left || !right || !(op in MIRRORED_OPERATOR)) return undefined;
    // `IS_VALID_STREAM(sock) == FALSE` (TORQUE), `is_open(f) != true`: a test compared with a
    // boolean constant is that test, or its negation.
    const truth = (node: SyntaxNode) => {
      const text = unwrap(node).text;
      return /^(?:FALSE|false)$/.test(text) ? false : /^(?:TRUE|true)$/.test(text) ? true : undefined;
    };
    if ((op === '==' || op === '!=') && (truth(right) !== undefined || truth(left) !== undefined)) {
      const [tested, value] = truth(right) !== undefined ? [left, truth(right)!] : [right, truth(left)!];
      if (!isHandleExpression(tested, handle, constants)) return within(tested, (op === '==') === (assumption === value) ? true : false);
    }
    // `fileno(dummyfile) == 1` after `fclose(stdout)`: the stream landed on a standard stream's
    // number, kept open on purpose as that stream (a daemon's /dev/null).
    if (shape === 'pointer' && ((op === '==' && assumption) || (op === '!=' && !assumption))) {
      const [call, number] = unwrap(left).type === 'call_expression' ? [unwrap(left), right] : [unwrap(right), left];
      const args = call.type === 'call_expression' && /^(?:fileno|fileno_unlocked)$/.test(squeeze(call.childForFieldName('function')?.text ?? '')) ? callArguments(call) : [];
      if (args.length === 1 && isHandleExpression(args[0]!, handle, constants) && /^(?:[012]|STD(?:IN|OUT|ERR)_FILENO)$/.test(bareConstant(squeeze(number.text)))) return 'invalid';
    }
    let constant: string;
    if (isHandleExpression(left, handle, constants)) {
      constant = squeeze(right.text);
    } else if (isHandleExpression(right, handle, constants)) {
      constant = squeeze(left.text);
      op = MIRRORED_OPERATOR[op]!;
    } else {
      return undefined;
    }
    constant = bareConstant(constant);
    constant = namedValue(constant, invalidNames, shape);
    // `dir == RT_NULL`: a platform's own spelling of the null pointer (RT-Thread's `RT_NULL`), from a
    // header the tree may not hold; compared with a stream or directory, it is null.
    if (shape === 'pointer' && NULL_SPELLING.test(constant) && !constants?.has(constant)) constant = 'NULL';
    // Equal to a descriptor or stream held elsewhere (`fd != wrapped_fd`, `wfp != rfp`): that one, not ours.
    if ((shape === 'descriptor' || (shape === 'pointer' && !NULL_CONSTANTS.includes(constant))) && (op === '==' || op === '!=') && heldElsewhere(constant)) return assumption === (op === '==') ? 'invalid' : undefined;
    // `pipe(fd) > 0`: a 0/-1 status is never positive — true is a path where nothing was opened;
    // false says nothing (0 or -1).
    if (shape === 'status' && ((op === '>' && constant === '0') || (op === '>=' && constant === '1'))) return assumption ? 'invalid' : undefined;
    // `fp < 0` (a FILE * ordered against null): no pointer is below null, open or not.
    if (shape === 'pointer' && op === '<' && NULL_CONSTANTS.includes(constant)) return assumption ? 'invalid' : undefined;
    verdict = shape === 'descriptor' || shape === 'wrapped' ? descriptorComparison(op, constant) : shape === 'status' ? statusComparison(op, constant) : pointerComparison(op, constant);
    // `fd >= -1` after a call returning -2 for "nothing opened" (ntfs-3g's try_open): every open
    // descriptor passes an ordering with a negative number, so the branch it fails holds none.
    if (verdict === undefined && shape === 'descriptor' && /^-\d+$/.test(constant) && (op === '<' || op === '<=' || op === '>' || op === '>=')) {
      return assumption === (op === '>' || op === '>=') ? undefined : 'invalid';
    }
  } else if ((shape === 'pointer' || shape === 'wrapped') && isHandleExpression(expr, handle, constants)) {
    verdict = 'valid';
  } else if (shape === 'wrapped' && expr.type === 'call_expression') {
    // `if (file_handle_exp.isError())` (osquery's Expected), `fd.has_value()`: the wrapper's own
    // question whether it holds a value or an error.
    verdict = wrapperQuery(expr, handle, constants);
  } else if (shape === 'descriptor' && isHandleExpression(expr, handle, constants)) {
    // `if (fd)`: non-zero as "open", the same convention as `fd != 0`.
    verdict = 'valid';
  } else if (shape === 'status' && isHandleExpression(expr, handle, constants)) {
    verdict = 'invalid';
  }
  if (verdict === undefined) return undefined;
  return assumption ? verdict : verdict === 'valid' ? 'invalid' : 'valid';
}

/** `x.has_value()` → valid, `x.isError()` → invalid: a result wrapper asked about itself; undefined for any other call. */
function wrapperQuery(call: SyntaxNode, handle: string, constants: ReadonlyMap<string, string> | undefined): Validity | undefined {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'field_expression' || callArguments(call).length !== 0) return undefined;
  const object = callee.childForFieldName('argument');
  const method = callee.childForFieldName('field')?.text ?? '';
  if (!object || !isHandleExpression(object, handle, constants)) return undefined;
  if (HOLDS_VALUE_METHOD.test(method)) return 'valid';
  if (HOLDS_ERROR_METHOD.test(method)) return 'invalid';
  return undefined;
}

const HOLDS_VALUE_METHOD = /^(?:has_value|hasValue|isValue|is_value|ok|is_ok|isOk|isOK|succeeded)$/;
const HOLDS_ERROR_METHOD = /^(?:has_error|hasError|isError|is_error|is_err|isErr|failed)$/;

/** An integer literal (`-1`, `(0)`, `- 2`), or undefined. */
export function integerValue(node: SyntaxNode): number | undefined {
  const text = squeeze(unwrap(node).text).replace(/^-\s*\(?\s*(\d+)\s*\)?$/, '-$1');
  // `(((ret) >= 0) ? true : false)` (gfarm's isValidSocket): the boolean constants are 1 and 0.
  if (BOOLEAN_VALUE.has(text)) return BOOLEAN_VALUE.get(text);
  return /^-?\d+$/.test(text) ? Number(text) : undefined;
}

const BOOLEAN_VALUE: ReadonlyMap<string, number> = new Map([['true', 1], ['TRUE', 1], ['false', 0], ['FALSE', 0]]);

const INTEGER_COMPARISON: Record<string, (a: number, b: number) => boolean> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/**
 * `test ? A : B` with integer A and B, compared (`op`) with `value`: when the comparison holds for
 * exactly one of A and B, it is `test` (whenTrue) or its negation.
 */
function constantChoice(choice: SyntaxNode, op: string, value: number): { test: SyntaxNode; whenTrue: boolean } | undefined {
  const test = choice.childForFieldName('condition');
  const a = choice.childForFieldName('consequence');
  const b = choice.childForFieldName('alternative');
  const compare = INTEGER_COMPARISON[op];
  const x = a ? integerValue(a) : undefined;
  const y = b ? integerValue(b) : undefined;
  if (!test || !compare || x === undefined || y === undefined) return undefined;
  const [holdsA, holdsB] = [compare(x, value), compare(y, value)];
  return holdsA === holdsB ? undefined : { test, whenTrue: holdsA };
}

function comparedChoice(left: SyntaxNode, op: string, right: SyntaxNode): { test: SyntaxNode; whenTrue: boolean } | undefined {
  const [l, r] = [unwrap(left), unwrap(right)];
  if (l.type === 'conditional_expression') {
    const value = integerValue(r);
    return value === undefined ? undefined : constantChoice(l, op, value);
  }
  if (r.type === 'conditional_expression') {
    const value = integerValue(l);
    return value === undefined || !(op in MIRRORED_OPERATOR) ? undefined : constantChoice(r, MIRRORED_OPERATOR[op]!, value);
  }
  return undefined;
}

/**
 * Does the branch say `name` holds a negative number (`src < 0`, `src == -1`, `-1 == src`, the
 * false side of `src >= 0`)? Only a failure test in the strict sense: `src == 1` says nothing here.
 */
export function impliesNegative(condition: SyntaxNode, assumption: boolean, name: string): boolean {
  const expr = unwrap(condition);
  if (expr.type === 'unary_expression' && expr.childForFieldName('operator')?.type === '!') {
    const operand = expr.childForFieldName('argument');
    return operand ? impliesNegative(operand, !assumption, name) : false;
  }
  if (expr.type !== 'binary_expression') return false;
  const left = expr.childForFieldName('left');
  const right = expr.childForFieldName('right');
  let op = expr.childForFieldName('operator')?.type ?? '';
  if (!left || !right) return false;
  if ((op === '&&' && assumption) || (op === '||' && !assumption)) return impliesNegative(left, assumption, name) || impliesNegative(right, assumption, name);
  if (!(op in MIRRORED_OPERATOR)) return false;
  let other: string;
  if (squeeze(unwrap(left).text) === name) other = squeeze(right.text);
  else if (squeeze(unwrap(right).text) === name) {
    other = squeeze(left.text);
    op = MIRRORED_OPERATOR[op]!;
  } else return false;
  const c = bareConstant(other);
  const negative = INVALID_DESCRIPTOR_CONSTANTS.includes(c) ? '-1' : c;
  if (!/^-?\d+$/.test(negative)) return false;
  const n = Number(negative);
  if (assumption) return (op === '<' && n <= 0) || (op === '<=' && n < 0) || (op === '==' && n < 0);
  return (op === '>=' && n <= 0) || (op === '>' && n < 0) || (op === '!=' && n < 0);
}

/**
 * Descriptor-flag commands, which fail only for a descriptor that is not open (EBADF): testing one
 * for failure tests the descriptor (`if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)` is never true
 * for an open `fd`).
 */
const FLAG_COMMANDS = /^F_(?:GET|SET)F[LD]$/;

/**
 * Socket options whose setting fails only for a descriptor that is not an open socket: `SO_REUSEADDR`
 * on a socket just made, `TCP_NODELAY`, buffer sizes (Linux clamps them), timeouts. Not those that
 * need a privilege (`SO_BINDTODEVICE`, `IP_TRANSPARENT`), a recent kernel (`SO_REUSEPORT`), a
 * device (`IP_ADD_MEMBERSHIP`) or a value in range (`TCP_KEEPIDLE`): their failure is real.
 */
const NEVER_FAILING_SOCKET_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  SOL_SOCKET: ['SO_REUSEADDR', 'SO_KEEPALIVE', 'SO_SNDBUF', 'SO_RCVBUF', 'SO_SNDTIMEO', 'SO_RCVTIMEO', 'SO_LINGER', 'SO_BROADCAST', 'SO_OOBINLINE', 'SO_DONTROUTE', 'SO_PASSCRED', 'SO_TIMESTAMP'],
  IPPROTO_TCP: ['TCP_NODELAY', 'TCP_CORK', 'TCP_QUICKACK', 'TCP_DEFER_ACCEPT'],
  SOL_TCP: ['TCP_NODELAY', 'TCP_CORK', 'TCP_QUICKACK', 'TCP_DEFER_ACCEPT'],
  IPPROTO_IP: ['IP_FREEBIND', 'IP_PKTINFO', 'IP_RECVERR', 'IP_MULTICAST_LOOP', 'IP_MULTICAST_TTL', 'IP_TTL', 'IP_TOS'],
  SOL_IP: ['IP_FREEBIND', 'IP_PKTINFO', 'IP_RECVERR', 'IP_MULTICAST_LOOP', 'IP_MULTICAST_TTL', 'IP_TTL', 'IP_TOS'],
  IPPROTO_IPV6: ['IPV6_V6ONLY', 'IPV6_RECVPKTINFO', 'IPV6_MULTICAST_LOOP', 'IPV6_MULTICAST_HOPS', 'IPV6_UNICAST_HOPS', 'IPV6_FREEBIND'],
  SOL_IPV6: ['IPV6_V6ONLY', 'IPV6_RECVPKTINFO', 'IPV6_MULTICAST_LOOP', 'IPV6_MULTICAST_HOPS', 'IPV6_UNICAST_HOPS', 'IPV6_FREEBIND'],
};

export function neverFailingSocketOption(level: string, option: string): boolean {
  return NEVER_FAILING_SOCKET_OPTIONS[level]?.includes(option) === true;
}

const FLAG_IOCTLS = /^FIO(?:NBIO|CLEX|NCLEX|ASYNC)$/;
// `ioctlsocket`: Winsock's name for ioctl() on a socket, which portable code defines as ioctl elsewhere.
const FLAG_CALLS: ReadonlySet<string> = new Set(['fcntl', 'fcntl64', 'setsockopt', 'ioctl', 'ioctlsocket']);
const QUERY_CALLS: ReadonlySet<string> = new Set(['fstat', 'fstat64', 'getsockname', 'dup2']);

/**
 * A call that fails only when its descriptor argument (the one `isDescriptor` accepts) is not open:
 * an fcntl flag command ('get': its result is the flags; 'set': 0 on success), `ioctl(fd, FIONBIO,
 * …)`, or setsockopt() of an option that cannot fail (both 'set'). Shared by the failure tests and
 * the project wrappers that only make such calls (check-wrappers.ts).
 */
export function descriptorFlagCall(node: SyntaxNode, isDescriptor: (arg: SyntaxNode) => boolean): 'get' | 'set' | undefined {
  const { callee, args } = callOnDescriptor(node, FLAG_CALLS, isDescriptor) ?? {};
  if (!args) return undefined;
  if (callee === 'ioctl' || callee === 'ioctlsocket') return args.length === 3 && FLAG_IOCTLS.test(squeeze(args[1]!.text)) ? 'set' : undefined;
  if (callee === 'setsockopt') return args.length === 5 && neverFailingSocketOption(squeeze(args[1]!.text), squeeze(args[2]!.text)) ? 'set' : undefined;
  const command = squeeze(args[1]?.text ?? '');
  if (!FLAG_COMMANDS.test(command)) return undefined;
  return command.startsWith('F_GET') ? 'get' : 'set';
}

/**
 * Other calls that fail only for a descriptor that is not open, in a test of the handle's own call
 * (not wrappers: their results say more): `fstat(fd, &st)` (its other errors need a bad pointer or
 * a 32-bit build without large-file support), `getsockname(fd, &addr, &len)` ('set': 0 on
 * success), and `dup2(fd, target)` onto a standard stream's number or another descriptor
 * ('get': the target on success): with both open it fails only if a signal or a racing open()
 * interrupts it, and blind triage takes its error branch as infeasible (Dante's Rconnect, frox).
 * That gives up memcached's daemonize "fix" (docs/precision.md), which only added closes on that branch.
 */
function openDescriptorQuery(node: SyntaxNode, isDescriptor: (arg: SyntaxNode) => boolean): 'get' | 'set' | undefined {
  const { callee, args } = callOnDescriptor(node, QUERY_CALLS, isDescriptor) ?? {};
  if (!args) return undefined;
  if (callee === 'dup2') return args.length === 2 && DUP2_TARGET.test(squeeze(args[1]!.text)) ? 'get' : undefined;
  return args.length === (callee === 'getsockname' ? 3 : 2) ? 'set' : undefined;
}

/** A target `dup2()` cannot be refused: a standard stream's number, or a descriptor held in a variable or field. */
const DUP2_TARGET = /^(?:[012]|STD(?:IN|OUT|ERR)_FILENO|(?:::)?fileno\(std(?:in|out|err)\)|[A-Za-z_][\w.]*(?:->[A-Za-z_]\w*)*(?:\[\w+\])?)$/;

/** A call of one of `names` (`::` aside) whose first argument `isDescriptor` accepts: its name and arguments. */
function callOnDescriptor(node: SyntaxNode, names: ReadonlySet<string>, isDescriptor: (arg: SyntaxNode) => boolean): { callee: string; args: SyntaxNode[] } | undefined {
  const inner = unwrap(node);
  if (inner.type !== 'call_expression') return undefined;
  const callee = squeeze(inner.childForFieldName('function')?.text ?? '').replace(/^::/, '');
  if (!names.has(callee)) return undefined;
  const args = callArguments(inner);
  return args[0] && isDescriptor(args[0]) ? { callee, args } : undefined;
}

/**
 * Is `expr` a test of such a call on the handle (an fcntl flag command, `ioctl(fd, FIONBIO, …)`, or
 * setsockopt() of one of those options): true when it is true exactly if the call failed, false
 * when exactly if it succeeded.
 */
export function fcntlFailure(expr: SyntaxNode, handle: string, constants?: ReadonlyMap<string, string>): boolean | undefined {
  const call = (node: SyntaxNode) => queryOnHandle(node, handle, constants);
  const bare = call(expr);
  // `if (fcntl(fd, F_SETFD, FD_CLOEXEC))`: 0 on success.
  if (bare) return bare === 'set' ? true : undefined;
  const comparison = comparisonWithCall(expr, (node) => call(node) !== undefined);
  return comparison ? comparisonFailure(call(comparison.call)!, comparison.op, comparison.other) : undefined;
}

/** How code names the descriptor under a stream or a directory stream: `fileno(fp)`, `dirfd(d)`. */
export function descriptorsUnder(handle: string): string[] {
  return ['fileno', '::fileno', 'dirfd', '::dirfd'].map((call) => `${call}(${handle})`);
}

/**
 * The kind of call `node` is on the handle (or on the descriptor under a stream: `fileno(fp)`) that
 * fails only when it is not open: see descriptorFlagCall and openDescriptorQuery.
 */
export function queryOnHandle(node: SyntaxNode, handle: string, constants?: ReadonlyMap<string, string>): 'get' | 'set' | undefined {
  const isHandle = (arg: SyntaxNode) => isHandleExpression(arg, handle, constants);
  return descriptorFlagCall(node, isHandle) ?? openDescriptorQuery(node, isHandle);
}

/** Does `result OP other` (the result of such a call of `kind`) say it failed (true), it worked (false), or neither? */
export function comparisonFailure(kind: 'get' | 'set', op: string, other: string): boolean | undefined {
  // A project's names for 0 and -1 (`anetNonBlock(err, s) != ANET_OK`, `== ANET_ERR`).
  const named = bareConstant(other);
  const constant = statusNameValue(named) ?? named;
  if ((op === '<' && constant === '0') || (op === '<=' && constant === '-1') || (op === '==' && constant === '-1')) return true;
  if ((op === '>=' && constant === '0') || (op === '>' && constant === '-1') || (op === '!=' && constant === '-1')) return false;
  if (kind === 'set' && constant === '0') return op === '!=' ? true : op === '==' ? false : undefined;
  return undefined;
}

/**
 * What a `case` label says about the handle a `switch` tests — the same as `fd == label`, and a
 * negated name is a negative status (`switch (fd = open_socket(…)) { case -E_INVALID: … }`).
 */
export function caseValidity(subject: SyntaxNode, value: SyntaxNode, handle: string, shape: HandleShape, invalidNames?: ReadonlyMap<string, string>, constants?: ReadonlyMap<string, string>): Validity | undefined {
  if (shape !== 'descriptor' || !isHandleExpression(subject, handle, constants)) return undefined;
  const text = bareConstant(squeeze(value.text));
  const named = namedValue(text, invalidNames);
  return /^-\(?[A-Za-z_]\w*\)?$/.test(named) ? 'invalid' : descriptorComparison('==', named);
}

/**
 * Is a descriptor compared with this value one kept somewhere else when they are equal? A field
 * or slot (`if (fd != fdescs[0].fd) { dup2(fd, fdescs[0].fd); close(fd); }`: opened straight onto
 * that number) or another variable (`if (fd != wrapped_fd) close(fd);`, the caller's).
 */
function heldElsewhere(value: string): boolean {
  return (/[.[]|->/.test(value) || /^[a-z_]\w*$/.test(value)) && !/^-?\d/.test(value) && !INVALID_DESCRIPTOR_CONSTANTS.includes(value) && !STANDARD_DESCRIPTORS.includes(value);
}

function descriptorComparison(op: string, constant: string): Validity | undefined {
  const c = constant;
  if (STANDARD_DESCRIPTOR_MAX.includes(c) && op === '>') return 'valid';
  if (STANDARD_DESCRIPTOR_MAX.includes(c) && op === '<=') return 'invalid';
  if (c === '3' && op === '>=') return 'valid';
  if (c === '3' && op === '<') return 'invalid';
  // `fd == STDIN_FILENO`: the fallback, not ours (`if (fd != STDIN_FILENO) close(fd);`); `newfd ==
  // 2` after opening a log file: it landed on stderr's number, kept as stderr on purpose.
  const isInvalid = INVALID_DESCRIPTOR_CONSTANTS.includes(c) || STANDARD_DESCRIPTORS.includes(c) || c === '1' || c === '2';
  if (isInvalid && op === '==') return 'invalid';
  if (isInvalid && op === '!=') return 'valid';
  if (c === '0' && op === '<') return 'invalid';
  if (c === '0' && op === '>=') return 'valid';
  if (c === '0' && op === '>') return 'valid';
  if (c === '-1' && op === '>') return 'valid';
  if (c === '-1' && op === '<=') return 'invalid';
  // `fd == -2`: another negative sentinel ("done", "not opened yet"), never a descriptor.
  if (/^-\d+$/.test(c) && op === '==') return 'invalid';
  // `if (fd_dup == 255) fd_255_reserved = true;` after `fcntl(fd, F_DUPFD, 255)`: a descriptor
  // that landed on the number the program asked for is one it keeps and addresses by that number.
  if (/^\d+$/.test(c) && Number(c) >= 3 && op === '==') return 'invalid';
  if (/^\d+$/.test(c) && Number(c) >= 3 && op === '!=') return 'valid';
  // `fd == 0`, `fd != 0`: code that tests a descriptor against 0 uses 0 for "none" (a successful
  // socket() or open() is 0 only when the process closed its standard input).
  if (c === '0' && op === '==') return 'invalid';
  if (c === '0' && op === '!=') return 'valid';
  // `fd <= 0` (`fd < 1`) is the failure test of such code, as `fd > 0` (`fd >= 1`) is its success test.
  if ((c === '0' && op === '<=') || (c === '1' && op === '<')) return 'invalid';
  if (c === '1' && op === '>=') return 'valid';
  // `while (fd < 2)` after `fd = open("/dev/null")`: a number below 2 is standard input or output,
  // taken on purpose (filling the standard streams), no descriptor of the function's own.
  if (c === '2' && op === '<') return 'invalid';
  if (c === '2' && op === '>=') return 'valid';
  // `if (fdnull > 1) close(fdnull);` after `dup2(fdnull, 0); dup2(fdnull, 1);`: the same test written `> 1`.
  if (c === '1' && op === '<=') return 'invalid';
  if (c === '1' && op === '>') return 'valid';
  return undefined;
}

function pointerComparison(op: string, constant: string): Validity | undefined {
  // `fp == (FILE *)-1`, `-1 == (long)fp` (sysvinit's hdopen() error marker): an integer other than 0
  // is a sentinel no open stream equals; unequal, the pointer may still be NULL.
  if (/^-?\d+$/.test(constant) && Number(constant) !== 0) return op === '==' ? 'invalid' : undefined;
  if (!NULL_CONSTANTS.includes(constant) && !STANDARD_STREAMS.includes(constant)) return undefined;
  // `fp <= NULL` holds only for null, `fp > NULL` for every other pointer (`fp >= NULL` always).
  if (op === '==' || op === '<=') return 'invalid';
  if (op === '!=' || op === '>') return 'valid';
  return undefined;
}

/** A library's name for a 0 status: `PJ_SUCCESS`, `APR_SUCCESS`, `RS_RET_OK`, `EXIT_SUCCESS`. */
const SUCCESS_NAME = /^(?:[A-Z][A-Z0-9]*_)*(?:SUCCESS|OK)$/;
/** A project's name for a -1 status: `ANET_ERR`, `NGX_ERROR` (not `EXIT_FAILURE`, which is 1). */
const FAILURE_NAME = /^(?!EXIT_)(?:[A-Z][A-Z0-9]*_)+(?:ERR|ERROR|FAIL|FAILURE)$/;

/** What a status's name says it is: '0' (`ANET_OK`, `APR_SUCCESS`), '-1' (`ANET_ERR`), else undefined. */
export function statusNameValue(name: string): '0' | '-1' | undefined {
  return SUCCESS_NAME.test(name) ? '0' : FAILURE_NAME.test(name) ? '-1' : undefined;
}

function statusComparison(op: string, constant: string): Validity | undefined {
  const c = SUCCESS_NAME.test(constant) ? '0' : constant;
  if ((c === '0' && (op === '<' || op === '!=')) || (c === '-1' && op === '==')) return 'invalid';
  if ((c === '0' && (op === '==' || op === '>=')) || (c === '-1' && op === '!=')) return 'valid';
  return undefined;
}

const MAX_EXPANSION_DEPTH = 4;
const MAX_EXPANSIONS_KEPT = 1024;
/** Expansions parsed, by their text (an expression's tree, kept alive with it). */
const expansions = new Map<string, SyntaxNode | null>();

/** `SOCK_INVALID(fd)` with `#define SOCK_INVALID(s) ((s) < 0)`: the tree of `((fd) < 0)`. */
export function expansionOf(call: SyntaxNode, expressions: ReadonlyMap<string, MacroExpression>): SyntaxNode | undefined {
  const text = expandedText(call, expressions);
  return text === undefined ? undefined : parsedExpression(text);
}

/** `CHECK_FLAGS(fd) < 0` → the tree of `(expansion) < 0`; undefined when neither operand is such a call. */
function comparisonExpansionOf(comparison: SyntaxNode, expressions: ReadonlyMap<string, MacroExpression>): SyntaxNode | undefined {
  const op = comparison.childForFieldName('operator')?.type ?? '';
  const left = comparison.childForFieldName('left');
  const right = comparison.childForFieldName('right');
  if (!left || !right || !(op in MIRRORED_OPERATOR)) return undefined;
  const [l, r] = [unwrap(left), unwrap(right)];
  const leftText = l.type === 'call_expression' ? expandedText(l, expressions) : undefined;
  const rightText = leftText === undefined && r.type === 'call_expression' ? expandedText(r, expressions) : undefined;
  if (leftText === undefined && rightText === undefined) return undefined;
  return parsedExpression(`(${leftText ?? left.text}) ${op} (${rightText ?? right.text})`);
}

function expandedText(call: SyntaxNode, expressions: ReadonlyMap<string, MacroExpression>): string | undefined {
  const callee = call.childForFieldName('function');
  // `check::holds(…)`: a function of the project called qualified (a macro never is).
  const qualified = callee?.type === 'qualified_identifier' ? expressions.get(callee.text.replace(/^.*::\s*/, '')) : undefined;
  const macro = callee?.type === 'identifier' ? expressions.get(callee.text) : qualified?.function ? qualified : undefined;
  return macro ? expandedExpression(macro, callArguments(call).map((a) => a.text)) : undefined;
}

function parsedExpression(text: string): SyntaxNode | undefined {
  let node = expansions.get(text);
  if (node === undefined) {
    // As C, else as C++ (arguments of a C++ caller: `std::fopen(…)`, `static_cast<int>(fd)`).
    for (const language of ['c', 'cpp'] as const) {
      const tree = parseText(language, `int x = (${text});`);
      const value = tree.rootNode.namedChildren[0]?.childForFieldName('declarator')?.childForFieldName('value') ?? null;
      node = value && !tree.rootNode.hasError ? value : null;
      if (node) break;
    }
    if (expansions.size >= MAX_EXPANSIONS_KEPT) expansions.clear();
    expansions.set(text, node ?? null);
  }
  return node ?? undefined;
}
