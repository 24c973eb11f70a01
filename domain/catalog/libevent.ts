import type { TriggerRegistration } from './trigger-registration.js';

/** libevent: `event_new(base, fd, EV_READ | EV_PERSIST | EV_ET, callback, arg)` and its older forms. */
export const LIBEVENT_REGISTRATIONS: readonly TriggerRegistration[] = [
  { api: 'libevent', name: 'event_new', fdArg: 1, flagsArg: 2, callbackArg: 3, edgeFlag: 'EV_ET', flagPrefix: /^EV_/ },
  { api: 'libevent', name: 'event_assign', fdArg: 2, flagsArg: 3, callbackArg: 4, edgeFlag: 'EV_ET', flagPrefix: /^EV_/ },
  { api: 'libevent', name: 'event_set', fdArg: 1, flagsArg: 2, callbackArg: 3, edgeFlag: 'EV_ET', flagPrefix: /^EV_/ },
];
