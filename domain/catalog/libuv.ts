import type { TriggerRegistration } from './trigger-registration.js';

/**
 * libuv: `uv_poll_init(loop, &handle, fd)`, `uv_poll_init_socket(loop, &handle, sock)`, then
 * `uv_poll_start(&handle, UV_READABLE, callback)`. libuv's poll handles are level-triggered (its
 * epoll backend never sets EPOLLET), so the descriptor is level-triggered from the init on: the
 * init has no flags argument (flagsArg -1).
 */
export const LIBUV_REGISTRATIONS: readonly TriggerRegistration[] = [
  { api: 'libuv', name: 'uv_poll_init', fdArg: 2, flagsArg: -1, edgeFlag: '', flagPrefix: /^UV_/ },
  { api: 'libuv', name: 'uv_poll_init_socket', fdArg: 2, flagsArg: -1, edgeFlag: '', flagPrefix: /^UV_/ },
];
