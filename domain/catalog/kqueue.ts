import type { TriggerRegistration } from './trigger-registration.js';

/** BSD kqueue: `EV_SET(&kev, fd, EVFILT_READ, EV_ADD | EV_CLEAR, …)`. */
export const KQUEUE_REGISTRATIONS: readonly TriggerRegistration[] = [
  { api: 'kqueue', name: 'EV_SET', fdArg: 1, flagsArg: 3, removingFlags: ['EV_DELETE', 'EV_DISABLE'], edgeFlag: 'EV_CLEAR', flagPrefix: /^(EV_|EVFILT_)/ },
];
