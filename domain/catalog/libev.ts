import type { TriggerRegistration } from './trigger-registration.js';

/**
 * libev: `ev_io_init(&watcher, callback, fd, EV_READ)`, `ev_io_set(&watcher, fd, EV_READ)`. libev
 * has no edge-triggered mode: an io watcher fires for as long as the descriptor is readable, so a
 * listener registered this way is level-triggered whatever backend libev picks. (The callback gets
 * the watcher, not the descriptor: `w->fd` is no parameter to tie back.)
 */
export const LIBEV_REGISTRATIONS: readonly TriggerRegistration[] = [
  { api: 'libev', name: 'ev_io_init', fdArg: 2, flagsArg: 3, edgeFlag: '', flagPrefix: /^EV_/ },
  { api: 'libev', name: 'ev_io_set', fdArg: 1, flagsArg: 2, edgeFlag: '', flagPrefix: /^EV_/ },
];
