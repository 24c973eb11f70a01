import { EPOLL_REGISTRATIONS } from '../catalog/epoll.js';
import { KQUEUE_REGISTRATIONS } from '../catalog/kqueue.js';
import { LIBEVENT_REGISTRATIONS } from '../catalog/libevent.js';
import type { TriggerRegistration } from '../catalog/trigger-registration.js';

/** Every registering call of every event notifier in the catalog. */
export const TRIGGER_REGISTRATIONS: readonly TriggerRegistration[] = [...EPOLL_REGISTRATIONS, ...KQUEUE_REGISTRATIONS, ...LIBEVENT_REGISTRATIONS];
