/**
 * C and POSIX library functions that never return to their caller: C language knowledge the CFG
 * needs (configuration adds project functions: `functions.noReturn`).
 */
export const NO_RETURN_FUNCTIONS: readonly string[] = [
  'exit', '_exit', '_Exit', 'quick_exit', 'abort', 'pthread_exit', 'longjmp', 'siglongjmp', '_longjmp',
  '__builtin_unreachable', '__builtin_trap', '__assert_fail', '__assert_rtn', '__assert', '_assert',
  'err', 'errx', 'verr', 'verrx', 'terminate', 'unreachable', 'thrd_exit', 'std::terminate',
];
