import type { SyntaxNode } from '../syntax/parser.js';

/**
 * C and POSIX library functions that never return to their caller: C language knowledge the CFG
 * needs (configuration adds project functions: `functions.noReturn`).
 */
export const NO_RETURN_FUNCTIONS: readonly string[] = [
  'exit', '_exit', '_Exit', 'quick_exit', 'abort', 'pthread_exit', 'longjmp', 'siglongjmp', '_longjmp',
  '__builtin_unreachable', '__builtin_trap', '__assert_fail', '__assert_rtn', '__assert', '_assert',
  'err', 'errx', 'verr', 'verrx', 'terminate', 'unreachable', 'thrd_exit', 'std::terminate',
  // GLib: g_error() logs at G_LOG_LEVEL_ERROR, which is always fatal (it aborts); and its checks.
  'g_error', 'g_abort', 'g_assert_not_reached',
  // Plan 9's C library (and plan9port's): exits() ends the process, sysfatal() prints and exits,
  // threadexitsall() ends every thread of the program, threadexits() the calling one.
  'exits', '_exits', 'sysfatal', 'threadexitsall', 'threadexits',
];

/**
 * glibc's `error(status, errnum, fmt, …)` and `error_at_line(status, …)` call `exit(status)` when
 * `status` is not 0: with a nonzero constant there they never return (a project's own `error()`
 * is its own).
 */
export const EXITS_ON_NONZERO_STATUS: readonly string[] = ['error', 'error_at_line'];

/**
 * Assertions: `assert(x)` and the test frameworks' and libraries' checks end the path where their
 * condition fails (abort, or a test's failure), so after one the condition holds (`ck_assert_msg(res
 * < 0, …)` then code that needs `res < 0`). `exitsWhen`: the value of argument 0 that ends the path.
 * `returns`: the check returns from the function instead (GLib's `g_return_val_if_fail`). A
 * project's own returning macro of the same name wins.
 */
export const ASSERTIONS: ReadonlyMap<string, { readonly exitsWhen: boolean; readonly returns?: boolean }> = new Map([
  ...['assert', 'g_assert', 'g_assert_true', 'ck_assert', 'ck_assert_msg', 'fail_unless', 'CU_ASSERT_FATAL', 'CU_ASSERT_TRUE_FATAL', 'assert_true', 'assert_non_null', 'TEST_ASSERT', 'TEST_ASSERT_TRUE', 'g_assert_nonnull'].map(
    (name): [string, { exitsWhen: boolean }] => [name, { exitsWhen: false }],
  ),
  ...['fail_if', 'g_assert_false', 'assert_false', 'assert_null', 'CU_ASSERT_FALSE_FATAL', 'BUG_ON', 'TEST_ASSERT_FALSE', 'g_assert_null'].map((name): [string, { exitsWhen: boolean }] => [name, { exitsWhen: true }]),
  ...['g_return_if_fail', 'g_return_val_if_fail'].map((name): [string, { exitsWhen: boolean; returns: boolean }] => [name, { exitsWhen: false, returns: true }]),
]);

/**
 * Calls that end the process through their arguments: `raise(SIGKILL)`, `kill(getpid(), SIGKILL)`
 * (a signal that can be neither caught nor ignored, sent to the calling process). `argsOf` gives
 * the arguments as written, whitespace removed; it is read only for `raise` and `kill`.
 */
export function killsItself(callee: string, argsOf: () => readonly string[]): boolean {
  if (callee !== 'raise' && callee !== 'kill') return false;
  const args = argsOf().map((a) => a.replace(/^(?:std)?::/, ''));
  if (callee === 'raise') return args.length === 1 && args[0] === 'SIGKILL';
  return args.length === 2 && SELF.has(args[0]!) && args[1] === 'SIGKILL';
}

const SELF = new Set(['getpid()', '0']);

/** glog's and its descendants' stream loggers: `LOG`, `PLOG`, protobuf's `GOOGLE_LOG`, Abseil's `ABSL_LOG`. */
const STREAM_LOGGER = /^(?:[A-Z][A-Z0-9]*_)?P?LOG$/;

/**
 * A statement that logs at FATAL severity through a glog-style stream logger (`LOG(FATAL) << …`,
 * `GOOGLE_LOG(FATAL) << "fork: " << strerror(errno);`): the message is written, then the process
 * aborts (protobuf's may throw instead). Either way the statement never completes.
 */
export function fatalLogStatement(expression: SyntaxNode): boolean {
  let head = expression;
  while (head.type === 'binary_expression' && head.childForFieldName('operator')?.type === '<<') head = head.childForFieldName('left')!;
  while (head.type === 'parenthesized_expression' && head.namedChildCount === 1) head = head.firstNamedChild!;
  if (head.type !== 'call_expression') return false;
  const callee = head.childForFieldName('function');
  const args = head.childForFieldName('arguments')?.namedChildren ?? [];
  return callee?.type === 'identifier' && STREAM_LOGGER.test(callee.text) && args.length === 1 && args[0]!.text.trim() === 'FATAL';
}
