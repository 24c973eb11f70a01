/**
 * C and C++ runtime functions that take a function to run: as a thread's start routine, or once.
 * `callee` is the last identifier of the called function or constructed class (`thread` for
 * `std::thread t(f)`, `std::thread(f)`, `new std::thread(f)`); `arg` the index of the function
 * argument. Runtime knowledge, not network knowledge: the call graph uses it to tell thread start
 * routines and once-routines.
 */
export interface FunctionArgumentApi {
  readonly callee: string;
  readonly arg: number;
}

export const THREAD_START_APIS: readonly FunctionArgumentApi[] = [
  { callee: 'pthread_create', arg: 2 },
  { callee: 'thread', arg: 0 },
  { callee: 'jthread', arg: 0 },
  { callee: 'thrd_create', arg: 1 },
  { callee: 'CreateThread', arg: 2 },
  { callee: '_beginthreadex', arg: 2 },
  { callee: '_beginthread', arg: 0 },
  { callee: 'g_thread_new', arg: 1 },
  { callee: 'g_thread_try_new', arg: 1 },
  { callee: 'uv_thread_create', arg: 1 },
];

/** Functions run once per process, whoever asks first: `pthread_once(&once, init)`, `std::call_once(flag, init)`. */
export const ONCE_APIS: readonly FunctionArgumentApi[] = [
  { callee: 'pthread_once', arg: 1 },
  { callee: 'call_once', arg: 1 },
  { callee: 'InitOnceExecuteOnce', arg: 1 },
];

/** The API among `apis` that this call's argument `arg` is the function argument of, if any. */
export function functionArgumentApi(apis: readonly FunctionArgumentApi[], callee: string | undefined, arg: number | undefined): FunctionArgumentApi | undefined {
  return apis.find((a) => a.callee === callee && a.arg === arg);
}
