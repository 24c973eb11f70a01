import { EPOLL_REGISTRATIONS } from '../catalog/epoll.js';
import { KQUEUE_REGISTRATIONS } from '../catalog/kqueue.js';
import { LIBEV_REGISTRATIONS } from '../catalog/libev.js';
import { LIBEVENT_REGISTRATIONS } from '../catalog/libevent.js';
import { LIBUV_REGISTRATIONS } from '../catalog/libuv.js';
import type { TriggerRegistration } from '../catalog/trigger-registration.js';

/** Every registering call of every event notifier in the catalog. */
export const TRIGGER_REGISTRATIONS: readonly TriggerRegistration[] = [...EPOLL_REGISTRATIONS, ...KQUEUE_REGISTRATIONS, ...LIBEVENT_REGISTRATIONS, ...LIBEV_REGISTRATIONS, ...LIBUV_REGISTRATIONS];
