/**
 * POSIX and C library descriptors, streams and sockets, as data: what acquires, releases or
 * borrows a handle, what accepts a connection, and what "no handle" looks like. The descriptor
 * and accept analyses (domain/descriptors, domain/accept) consult it; configuration (`functions`
 * in connlint.json) extends it.
 */

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

/** Names a descriptor's type is spelled with besides `int` (typedefs of an integer). */
export const DESCRIPTOR_TYPE_NAMES: readonly string[] = ['SOCKET', 'socket_t', 'fd_t', 'evutil_socket_t', 'curl_socket_t', 'ngx_socket_t', 'ngx_fd_t', 'zmq_fd_t', 'ber_socket_t'];

/**
 * Values a descriptor compares against to mean "no descriptor": -1, and the names libraries'
 * headers give it, which a project using them does not define itself (Sun RPC's `RPC_ANYSOCK`,
 * libtirpc's `RPC_ANYFD`, libcurl's `CURL_SOCKET_BAD`, c-ares's `ARES_SOCKET_BAD`, libevent's
 * `EVUTIL_INVALID_SOCKET`, pjlib's `PJ_INVALID_SOCKET`, Winsock's `INVALID_SOCKET`).
 */
export const INVALID_DESCRIPTOR_CONSTANTS: readonly string[] = [
  '-1', 'INVALID_SOCKET', 'INVALID_FD', 'INVALID_HANDLE_VALUE', 'BAD_FD',
  'RPC_ANYSOCK', 'RPC_ANYFD', 'CURL_SOCKET_BAD', 'ARES_SOCKET_BAD', 'EVUTIL_INVALID_SOCKET', 'PJ_INVALID_SOCKET',
];
/** Values a pointer handle compares against to mean "no handle". */
export const NULL_CONSTANTS: readonly string[] = ['NULL', 'nullptr', '0', '((void*)0)', '((void *)0)'];

/** What kind of handle a resource function deals in (decides validity tests and the release to suggest). */
export type HandleKind = 'descriptor' | 'stream' | 'directory';

export interface AcquireFunction {
  readonly name: string;
  readonly kind: HandleKind;
  /** Handles come back through an int[2] argument (pipe, socketpair) instead of the return value. */
  readonly outArrayArg?: number;
  /** Only an acquire when this argument has one of these values (fcntl F_DUPFD, signalfd(-1, …)). */
  readonly when?: { readonly arg: number; readonly oneOf: readonly string[] };
  /** A copy of the descriptor in this argument (dup, fcntl F_DUPFD): it exists only if that one was open. */
  readonly duplicatesArg?: number;
  /** The handle in this argument passes into the new one (fdopen: closing the FILE closes the fd). */
  readonly takesArg?: number;
  /**
   * The fewest arguments the C function takes: a call with fewer is something else of the same name
   * (a C++ class's own `open()` called inside its methods, returning a status).
   */
  readonly minArgs: number;
}

const fd = (name: string, minArgs: number, extra: Partial<AcquireFunction> = {}): AcquireFunction => ({ name, kind: 'descriptor', minArgs, ...extra });

export const ACQUIRE_FUNCTIONS: readonly AcquireFunction[] = [
  fd('open', 2), fd('openat', 3), fd('open64', 2), fd('openat64', 3), fd('creat', 2), fd('socket', 3), fd('accept', 3), fd('accept4', 4),
  fd('dup', 1, { duplicatesArg: 0 }), fd('dup3', 3, { duplicatesArg: 0 }),
  fd('fcntl', 2, { when: { arg: 1, oneOf: ['F_DUPFD', 'F_DUPFD_CLOEXEC'] }, duplicatesArg: 0 }),
  fd('pipe', 1, { outArrayArg: 0 }), fd('pipe2', 2, { outArrayArg: 0 }), fd('socketpair', 4, { outArrayArg: 3 }),
  fd('epoll_create', 1), fd('epoll_create1', 1), fd('eventfd', 2), fd('timerfd_create', 2),
  fd('signalfd', 3, { when: { arg: 0, oneOf: ['-1'] } }),
  fd('inotify_init', 0), fd('inotify_init1', 1), fd('memfd_create', 2), fd('mkstemp', 1), fd('mkostemp', 2), fd('mkstemps', 2), fd('mkostemps', 3),
  { name: 'fopen', kind: 'stream', minArgs: 2 }, { name: 'fopen64', kind: 'stream', minArgs: 2 }, { name: 'fdopen', kind: 'stream', takesArg: 0, minArgs: 2 },
  { name: 'freopen', kind: 'stream', takesArg: 2, minArgs: 3 }, { name: 'popen', kind: 'stream', minArgs: 2 }, { name: 'tmpfile', kind: 'stream', minArgs: 0 },
  { name: 'opendir', kind: 'directory', minArgs: 1 }, { name: 'fdopendir', kind: 'directory', takesArg: 0, minArgs: 1 },
];

/** Functions that close the handle in their first argument, and the one to suggest per kind. */
export const RELEASE_FUNCTIONS: readonly { readonly name: string; readonly kind: HandleKind }[] = [
  { name: 'close', kind: 'descriptor' }, { name: 'closesocket', kind: 'descriptor' },
  { name: 'fclose', kind: 'stream' }, { name: 'pclose', kind: 'stream' }, { name: 'closedir', kind: 'directory' },
];

/** Calls that close every descriptor from some number up (a forked child before exec): each handle is released. */
export const CLOSE_ALL_FUNCTIONS: readonly string[] = ['closefrom', 'close_range', 'closeall', 'close_all_fds'];

/** Calls that use a handle without taking ownership of it (any argument position). */
export const BORROW_FUNCTIONS: readonly string[] = [
  'read', 'write', 'pread', 'pwrite', 'pread64', 'pwrite64', 'readv', 'writev', 'preadv', 'pwritev',
  'recv', 'recvfrom', 'recvmsg', 'recvmmsg', 'send', 'sendto', 'sendmsg', 'sendmmsg', 'sendfile', 'splice', 'tee',
  'fstat', 'fstat64', 'fstatat', 'fstatfs', 'fstatvfs', 'mmap', 'mmap64', 'fcntl', 'ioctl', 'ioctlsocket', 'setsockopt', 'getsockopt', 'bind', 'listen', 'connect',
  'shutdown', 'lseek', 'lseek64', 'fsync', 'fdatasync', 'ftruncate', 'fallocate', 'posix_fallocate', 'posix_fadvise',
  'getsockname', 'getpeername', 'fchmod', 'fchown', 'flock', 'lockf', 'futimens', 'isatty', 'ttyname', 'tcgetattr', 'tcsetattr',
  'accept', 'accept4', 'dup', 'dup2', 'epoll_ctl', 'epoll_wait', 'epoll_pwait', 'inotify_add_watch', 'inotify_rm_watch',
  'signalfd', 'timerfd_settime', 'timerfd_gettime', 'eventfd_read', 'eventfd_write', 'FD_SET', 'FD_CLR', 'FD_ISSET', 'poll', 'select',
  'fgets', 'fgetc', 'getc', 'getc_unlocked', 'fread', 'fwrite', 'fputs', 'fputc', 'putc', 'fprintf', 'vfprintf', 'fscanf', 'vfscanf',
  'fileno', 'fflush', 'fseek', 'fseeko', 'ftell', 'ftello', 'rewind', 'feof', 'ferror', 'clearerr', 'setvbuf', 'setbuf', 'getline', 'getdelim',
  'readdir', 'readdir_r', 'dirfd', 'rewinddir', 'seekdir', 'telldir',
  'printf', 'sprintf', 'snprintf', 'syslog', 'perror', 'strerror', 'fprintf_unlocked',
  'sizeof', 'assert', 'SSL_set_fd', 'SSL_set_rfd', 'SSL_set_wfd',
  // The child gets its own copy at spawn; the parent's descriptor stays the parent's to close.
  'posix_spawn_file_actions_adddup2', 'posix_spawn_file_actions_addclose', 'posix_spawn_file_actions_addfchdir_np',
];
