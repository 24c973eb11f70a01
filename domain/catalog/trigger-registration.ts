/** The event notifiers connlint knows (one catalog file each: epoll.ts, kqueue.ts, libevent.ts, libev.ts, libuv.ts). */
export type TriggerApi = 'epoll' | 'kqueue' | 'libevent' | 'libev' | 'libuv';

/**
 * A call that registers a descriptor with an event notifier, and where the flag that makes the
 * registration edge-triggered lives.
 */
export interface TriggerRegistration {
  readonly api: TriggerApi;
  readonly name: string;
  readonly fdArg: number;
  /** The argument holding the flags, or (epoll) a pointer to the struct whose field holds them; -1: none, the API is level-triggered only. */
  readonly flagsArg: number;
  /** For epoll: the struct field that holds the flags. */
  readonly flagsField?: string;
  /** Operation argument and the operations that register (epoll_ctl ADD/MOD). */
  readonly opArg?: number;
  readonly registeringOps?: readonly string[];
  /** Flags that unregister: a call carrying one is not a registration. */
  readonly removingFlags?: readonly string[];
  /** The flag that makes a registration edge-triggered; '' for an API that has none (libev, libuv). */
  readonly edgeFlag: string;
  /** Flag identifiers that belong to this API (a flags expression of only these is level-triggered). */
  readonly flagPrefix: RegExp;
  /** libevent: the callback argument, which receives the descriptor as its first parameter. */
  readonly callbackArg?: number;
}
