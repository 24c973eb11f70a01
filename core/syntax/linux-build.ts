import { configurationLookup, type MacroValue, type PreprocessorConfiguration, type TargetPlatform } from './conditionals.js';
import type { Language } from './language.js';

/**
 * What a Linux build with GCC defines, for the configuration-resolved copies (recovery.ts): the
 * branch a copy keeps where the build's configuration does not decide. A configuration with
 * `platform: 'bsd'` gets a BSD or macOS build's answers instead (the accept rules' second reading of
 * kqueue code, core/project/platforms.ts).
 */

/** Platform and compiler macros as a Linux build with GCC sees them (used only to pick a branch to recover). */
const LINUX_GCC: ReadonlyMap<string, number> = new Map([
  ...['__linux__', '__linux', 'linux', '__unix__', '__unix', 'unix', '__ELF__', '__STDC__', '__GNUC__', '__x86_64__', '__LP64__', '_GNU_SOURCE', '_POSIX_C_SOURCE'].map((n): [string, number] => [n, n === '__GNUC__' ? 12 : n === '_POSIX_C_SOURCE' ? 200809 : 1]),
  ['__STDC_VERSION__', 201710],
  // What glibc's and Linux's headers define, tested as features by portable code (`#ifndef
  // MAP_ANON` → a `/dev/zero` fallback, `#ifdef SOCK_CLOEXEC`): present on Linux.
  ...['MAP_ANON', 'MAP_ANONYMOUS', 'O_CLOEXEC', 'O_NONBLOCK', 'O_DIRECTORY', 'O_NOFOLLOW', 'FD_CLOEXEC', 'F_DUPFD_CLOEXEC', 'SOCK_CLOEXEC', 'SOCK_NONBLOCK', 'MSG_NOSIGNAL', 'EPOLLRDHUP', 'SO_REUSEPORT', 'SO_PEERCRED', 'IPV6_V6ONLY', 'IP_PKTINFO', 'IPV6_RECVPKTINFO', 'AF_INET6', 'PF_INET6', 'AF_UNIX', 'PF_UNIX', 'AF_LOCAL', 'PF_LOCAL', 'TCP_NODELAY', 'SIGPIPE', 'SIGCHLD', 'EWOULDBLOCK', 'EAGAIN', 'PATH_MAX', 'TIOCSCTTY',
    // flock() and lockf() commands (`#ifdef LOCK_EX … #else # ifdef F_LOCK`: OpenDMARC's history file).
    'LOCK_EX', 'LOCK_SH', 'LOCK_NB', 'LOCK_UN', 'F_LOCK', 'F_TLOCK', 'F_ULOCK', 'F_TEST', 'F_SETLK', 'F_SETLKW', 'F_GETLK'].map((n): [string, number] => [n, 1]),
  ...[
    '_WIN32', '_WIN64', 'WIN32', 'WIN64', '_WINDOWS', '__WIN32__', '__WINDOWS__', '_MSC_VER', '__MINGW32__', '__MINGW64__', '__CYGWIN__', '_WIN32_WCE', '__APPLE__', '__MACH__', '__FreeBSD__', '__OpenBSD__', '__NetBSD__', '__DragonFly__', '__sun', '__sun__', '__SVR4', 'sun', '_AIX', '__hpux', '__HAIKU__', '__VMS', 'VMS', 'MSDOS', '__MSDOS__', '__DJGPP__', '__OS2__', '__riscos__', '__QNX__', '__QNXNTO__', '__minix', '__amigaos__', '__AMIGA__', '__SYMBIAN32__', 'NETWARE', '__NOVELL_LIBC__', '__BORLANDC__', '__WATCOMC__', '__INTEL_COMPILER', '__SUNPRO_C', '__IBMC__', '__clang__', '__ANDROID__', '__EMSCRIPTEN__', '__vxworks', '__ZEPHYR__', 'ESP_PLATFORM', '__TANDEM',
    // Static checkers' own names: what they see, not what a compiler builds.
    'lint', 'LINT', '__lint', 'S_SPLINT_S', '__COVERITY__', '__clang_analyzer__', '__CHECKER__', '__cppcheck__',
  ].map((n): [string, number] => [n, 0]),
]);

/** Any other name of another platform or compiler (`__WIN32`, `USE_WIN32_LDAP`, `HAVE_WINSOCK2_H`, `TARGET_DARWIN`, net-snmp's `solaris2`, `hpux11`): not defined on Linux. */
const OTHER_PLATFORM = /(?:^|_)(?:WIN32|WIN64|WINDOWS|WINSOCK2?|WINCE|MSC|MSVC|MINGW(?:32|64)?|CYGWIN|APPLE|DARWIN|MACOSX?|SOLARIS|SUNOS|AIX|HPUX|HAIKU|QNX|VXWORKS|AMIGA|AMIGAOS|OS2|VMS|MSDOS|DJGPP|NETWARE|SYMBIAN|FREEBSD|OPENBSD|NETBSD|DRAGONFLY|IRIX|OSF|ULTRIX|BSDI)\d*(?:_|$)/i;

/**
 * Feature switches for another platform's event notifier (`NC_HAVE_KQUEUE`, `HAVE_SYS_EVENT_H`,
 * Solaris event ports, `/dev/poll`, Windows completion ports) or an Apple framework
 * (`HAVE_IOKIT_IOKITLIB_H`, CoreFoundation): never available on Linux.
 */
const OTHER_PLATFORM_FACILITY = /(?:^|_)(?:KQUEUE|SYS_EVENT_H|EVPORTS?|EVENT_PORTS?|PORT_CREATE|DEVPOLL|SYS_DEVPOLL_H|IOCP|IOKIT|COREFOUNDATION|CORESERVICES|CARBON|COCOA)(?:_|$)/;

/**
 * A project's own name for the Linux platform (collectd's and configure scripts' `KERNEL_LINUX`,
 * `OS_LINUX`, `TARGET_LINUX`, `HAVE_LINUX_IF_TUN_H`): defined in a Linux build. Not a version
 * number, nor a switch that turns something off (`NO_LINUX_…`, `DISABLE_LINUX_…`).
 */
const LINUX_PLATFORM = /(?:^|_)LINUX(?:_|$)/;
const NEGATIVE_SWITCH = /^(?:NO|NOT|DISABLE|WITHOUT|SKIP)_/;

const VERSION_MACRO = /VERSION|(?:^|_)VER(?:_|$)/;

/**
 * gnulib's `REPLACE_FCHDIR`-style switches, and `MISSING_SETSID`-style ones (Postfix): a
 * replacement for a function the C library lacks, which glibc has.
 */
const GNULIB_REPLACEMENT = /^(?:(?:GNULIB_)?REPLACE_|(?:[A-Z0-9]+_)?MISSING_)[A-Z0-9_]+$/;

/**
 * Feature macros (`HAVE_POLL`, `USE_SSL`) neither the build's configuration nor the platform
 * decides: taken as defined for the first copy, as not defined for the other configuration's.
 */
export type FeatureAssumption = 'defined' | 'undefined';

/**
 * What the build's configuration, else a Linux build with GCC, says a name is; undefined for a
 * feature macro neither decides (`HAVE_POLL`). `language` undefined: `__cplusplus` is not decided.
 */
export function platformLookup(language: Language | undefined, configuration: PreprocessorConfiguration | undefined): (name: string) => MacroValue {
  const configured = configuration ? configurationLookup(configuration) : () => undefined;
  const platform = platformMacro(configuration?.platform ?? 'linux');
  return (name) => {
    const value = configured(name);
    if (value !== undefined) return value;
    if (name === '__cplusplus') return language === undefined ? undefined : language === 'cpp' ? 201703 : 0;
    return platform(name);
  };
}

/** What the platform's system and compiler say a name is; undefined for a feature macro they do not decide. */
function platformMacro(platform: TargetPlatform): (name: string) => MacroValue {
  if (platform === 'bsd') return bsdMacro;
  return (name) => {
    const known = LINUX_GCC.get(name);
    if (known !== undefined) return known;
    if (LINUX_PLATFORM.test(name) && !VERSION_MACRO.test(name) && !NEGATIVE_SWITCH.test(name)) return 1;
    return OTHER_PLATFORM.test(name) || OTHER_PLATFORM_FACILITY.test(name) || GNULIB_REPLACEMENT.test(name) ? 0 : undefined;
  };
}

/**
 * BSD and macOS, for the accept rules' look at kqueue backends (`#ifdef HAVE_KQUEUE`, `#if
 * defined(__APPLE__)`, the `#else` of `#if HAVE_LINUX`): the BSD and Apple names and kqueue
 * switches are defined, Linux's (`__linux__`, `HAVE_EPOLL`, `OS_LINUX`) and other systems' are
 * not. macOS and FreeBSD are both taken as defined: a backend chosen for either is kqueue's.
 */
const BSD_NAME = /(?:^|_)(?:APPLE|DARWIN|MACOSX?|OSX|FREEBSD|OPENBSD|NETBSD|DRAGONFLY|BSDI?|MACH)\d*(?:_|$)/i;
const BSD_FACILITY = /(?:^|_)(?:KQUEUE|SYS_EVENT_H|IOKIT|COREFOUNDATION|CORESERVICES|CARBON|COCOA)(?:_|$)/;
/** Linux's own notifiers and descriptors (`HAVE_EPOLL`, `USE_IO_URING`, `HAVE_SYS_INOTIFY_H`): not on BSD. */
const LINUX_FACILITY = /(?:^|_)(?:EPOLL|EPOLL_CREATE1?|SYS_EPOLL_H|IO_URING|LIBURING|INOTIFY|SYS_INOTIFY_H|SIGNALFD|TIMERFD|EVENTFD|SYS_EVENTFD_H|SYS_PRCTL_H|SYS_SENDFILE_H)(?:_|$)/;
const BSD_DEFINED = new Set(['__APPLE__', '__MACH__', '__FreeBSD__', '__clang__']);
/** Linux-only names LINUX_GCC gives a value (kernel interfaces BSD lacks). */
const LINUX_ONLY = new Set(['__linux__', '__linux', 'linux', 'EPOLLRDHUP', 'SO_PEERCRED']);

function bsdMacro(name: string): MacroValue {
  if (BSD_DEFINED.has(name)) return 1;
  if (LINUX_ONLY.has(name)) return 0;
  const known = LINUX_GCC.get(name);
  if (known !== undefined) return known;
  const bsd = BSD_NAME.test(name) || BSD_FACILITY.test(name);
  const linux = LINUX_PLATFORM.test(name) || LINUX_FACILITY.test(name);
  if (bsd || linux) return VERSION_MACRO.test(name) || NEGATIVE_SWITCH.test(name) ? undefined : bsd ? 1 : 0;
  return OTHER_PLATFORM.test(name) || OTHER_PLATFORM_FACILITY.test(name) || GNULIB_REPLACEMENT.test(name) ? 0 : undefined;
}

/** `assumed`: told each name decided by the feature assumption rather than by the build or the platform. */
export function recoveryLookup(language: Language, configuration: PreprocessorConfiguration | undefined, features: FeatureAssumption = 'defined', assumed?: (name: string) => void): (name: string) => MacroValue {
  const platform = platformLookup(language, configuration);
  return (name) => {
    const value = platform(name);
    if (value !== undefined) return value;
    assumed?.(name);
    // A library's version (`MHD_VERSION`, `OPENSSL_VERSION_NUMBER`) comes with its header: taken as
    // defined in both configurations (a comparison with it stays undecided).
    return features === 'defined' || VERSION_MACRO.test(name) ? 'defined' : 0;
  };
}

/**
 * System headers a Linux build does not have: code that includes one (`#include <net/bpf.h>`,
 * `<sys/dlpi.h>`, `<windows.h>`) is another platform's, whatever macro guards it
 * (`#if ISIS_METHOD == ISIS_METHOD_BPF`, a configure switch no header here defines). For a BSD
 * build, Linux's own headers (`<sys/epoll.h>`, `<linux/…>`) are the other platform's instead.
 */
const FOREIGN_EVERYWHERE = [
  // Windows
  'windows', 'winsock2?', 'ws2tcpip', 'mswsock', 'iphlpapi', 'winbase', 'wincrypt', 'winioctl', 'direct', 'conio',
  // Solaris and AIX
  'sys/dlpi', 'sys/stropts', 'stropts', 'sys/devpoll', 'sys/kstat', 'sys/bufmod', 'sys/cfgodm', 'sys/sysconfig',
];
const BSD_HEADERS = [
  // (`<dev/speaker/speaker.h>`, `<dev/wscons/…>`, `<machine/speaker.h>`, `<machine/cpu.h>`: no Linux
  // system has a dev/ or machine/ include directory)
  'dev/[\\w/]+', 'machine/[\\w/]+',
  'net/bpf', 'net/if_dl', 'net/if_media', 'net/if_types', 'net/pfvar', 'net80211/[\\w/]+', 'netinet/ip_fw', 'netinet6/in6_var', 'sys/ioccom', 'sys/sockio', 'sys/filio', 'libproc', 'mach/[\\w/]+', 'mach-o/[\\w/]+', 'CoreFoundation/[\\w/]+', 'SystemConfiguration/[\\w/]+', 'CommonCrypto/[\\w/]+', 'Security/[\\w/]+', 'IOKit/[\\w/]+',
];
/** Linux's own headers, which a BSD build does not have. */
const LINUX_HEADERS = ['sys/epoll', 'linux/[\\w/]+', 'asm/[\\w/]+', 'sys/inotify', 'sys/signalfd', 'sys/timerfd', 'sys/eventfd', 'sys/prctl', 'sys/sendfile', 'sys/sysinfo', 'liburing', 'netpacket/packet'];
const headerPattern = (names: string[]) => new RegExp(`^(?:${names.join('|')})\\.h$`);
const OTHER_PLATFORM_HEADER: Record<TargetPlatform, RegExp> = {
  linux: headerPattern([...FOREIGN_EVERYWHERE, ...BSD_HEADERS]),
  bsd: headerPattern([...FOREIGN_EVERYWHERE, ...LINUX_HEADERS]),
};

/** The header of an `#include <…>` line, if the line is one. */
const SYSTEM_INCLUDE = /^[ \t]*#[ \t]*include[ \t]*<([^>\n]+)>/gm;

/** BSD's BPF ioctls (`ioctl(fd, BIOCSETIF, &ifr)`): Linux has no /dev/bpf (tcpreplay's `#if defined HAVE_BPF`). */
const OTHER_PLATFORM_CALL = /\bioctl\s*\([^;{}]*\bBIOC[A-Z]{3,}\b/g;

/**
 * Offsets of what only another platform's code does: `#include <…>` lines of headers no Linux
 * build has, and BSD BPF ioctls.
 */
export function otherPlatformMarks(text: string, platform: TargetPlatform = 'linux'): number[] {
  const out: number[] = [];
  const headers = OTHER_PLATFORM_HEADER[platform];
  if (text.includes('include')) for (const m of text.matchAll(SYSTEM_INCLUDE)) if (headers.test(m[1]!.trim())) out.push(m.index!);
  if (platform === 'linux' && text.includes('BIOC')) for (const m of text.matchAll(OTHER_PLATFORM_CALL)) out.push(m.index!);
  return out.sort((a, b) => a - b);
}
