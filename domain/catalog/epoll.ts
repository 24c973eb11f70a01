import type { TriggerRegistration } from './trigger-registration.js';

/** Linux epoll: `epoll_ctl(ep, EPOLL_CTL_ADD|MOD, fd, &ev)` with `ev.events` holding EPOLLET. */
export const EPOLL_REGISTRATIONS: readonly TriggerRegistration[] = [
  { api: 'epoll', name: 'epoll_ctl', fdArg: 2, flagsArg: 3, flagsField: 'events', opArg: 1, registeringOps: ['EPOLL_CTL_ADD', 'EPOLL_CTL_MOD'], edgeFlag: 'EPOLLET', flagPrefix: /^EPOLL/ },
];
