/**
 * The resource catalog: what well-known C/POSIX/library functions do, as data. Rules and the
 * facts pass consult it; configuration (`functions` in connlint.json) extends it.
 */

/** Calls that never return to the caller. */
export const NO_RETURN_FUNCTIONS: readonly string[] = [
  'exit', '_exit', '_Exit', 'quick_exit', 'abort', 'pthread_exit', 'longjmp', 'siglongjmp', '_longjmp',
  '__builtin_unreachable', '__builtin_trap', '__assert_fail', '__assert_rtn', '__assert', '_assert',
  'err', 'errx', 'verr', 'verrx', 'terminate', 'unreachable', 'thrd_exit', 'std::terminate',
];

/** Functions that take a listening socket and return a connected one (or -1). */
export interface AcceptFunction {
  readonly name: string;
  /** Which argument is the listening descriptor (0-based). */
  readonly listenerArg: number;
}

export const ACCEPT_FUNCTIONS: readonly AcceptFunction[] = [
  { name: 'accept', listenerArg: 0 },
  { name: 'accept4', listenerArg: 0 },
  { name: 'paccept', listenerArg: 0 },
];

export type TriggerApi = 'epoll' | 'kqueue' | 'libevent';

/**
 * Calls that register a descriptor with an event notifier, and where the flag that makes the
 * registration edge-triggered lives.
 */
export interface TriggerRegistration {
  readonly api: TriggerApi;
  readonly name: string;
  readonly fdArg: number;
  /** The argument holding the flags, or (epoll) a pointer to the struct whose field holds them. */
  readonly flagsArg: number;
  /** For epoll: the struct field that holds the flags. */
  readonly flagsField?: string;
  /** Operation argument and the operations that register (epoll_ctl ADD/MOD). */
  readonly opArg?: number;
  readonly registeringOps?: readonly string[];
  /** Flags that unregister: a call carrying one is not a registration. */
  readonly removingFlags?: readonly string[];
  readonly edgeFlag: string;
  /** Flag identifiers that belong to this API (a flags expression of only these is level-triggered). */
  readonly flagPrefix: RegExp;
  /** libevent: the callback argument, which receives the descriptor as its first parameter. */
  readonly callbackArg?: number;
}

export const TRIGGER_REGISTRATIONS: readonly TriggerRegistration[] = [
  { api: 'epoll', name: 'epoll_ctl', fdArg: 2, flagsArg: 3, flagsField: 'events', opArg: 1, registeringOps: ['EPOLL_CTL_ADD', 'EPOLL_CTL_MOD'], edgeFlag: 'EPOLLET', flagPrefix: /^EPOLL/ },
  { api: 'kqueue', name: 'EV_SET', fdArg: 1, flagsArg: 3, removingFlags: ['EV_DELETE', 'EV_DISABLE'], edgeFlag: 'EV_CLEAR', flagPrefix: /^(EV_|EVFILT_)/ },
  { api: 'libevent', name: 'event_new', fdArg: 1, flagsArg: 2, callbackArg: 3, edgeFlag: 'EV_ET', flagPrefix: /^EV_/ },
  { api: 'libevent', name: 'event_assign', fdArg: 2, flagsArg: 3, callbackArg: 4, edgeFlag: 'EV_ET', flagPrefix: /^EV_/ },
  { api: 'libevent', name: 'event_set', fdArg: 1, flagsArg: 2, callbackArg: 3, edgeFlag: 'EV_ET', flagPrefix: /^EV_/ },
];

/** Values a descriptor compares against to mean "no descriptor". */
export const INVALID_DESCRIPTOR_CONSTANTS: readonly string[] = ['-1', 'INVALID_SOCKET', 'INVALID_FD', 'INVALID_HANDLE_VALUE', 'BAD_FD'];
/** Values a pointer handle compares against to mean "no handle". */
export const NULL_CONSTANTS: readonly string[] = ['NULL', 'nullptr', '0', '((void*)0)', '((void *)0)'];
