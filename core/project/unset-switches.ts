import { CAPITALS, unique } from './build-options.js';
import { conditionalGroups } from '../syntax/conditionals.js';
import { inactiveBranches } from '../syntax/inactive-branches.js';
import type { Language } from '../syntax/language.js';
import { platformLookup } from '../syntax/linux-build.js';

/**
 * Configuration switches nothing sets: `#ifdef DO_1644`, `#ifndef BROKEN_FCLOSE`, `#if
 * defined(FAKE_ANDROID_KEYSTORE)` in a project where no source or header defines the name, no
 * build file (configure.ac, CMakeLists.txt, meson.build, Makefile.am, a config.h.in template …)
 * mentions it, and no code reads it as a value. Only a `-D` typed by hand turns such a switch on,
 * so a default build has it off: it is taken as not defined, as the compiler would, instead of as
 * a feature that may be present (recovery.ts), which analysed code no build compiles.
 *
 * Without any build file there is no telling how the project is built, and nothing is taken as
 * unset. A name some code reads as a value (`#ifdef SO_REUSEPORT` … `setsockopt(…, SO_REUSEPORT,
 * …)`) may come from a system or library header, and stays undecided; so do availability macros
 * (`HAVE_*`: a configure check may define them under a name no file spells out), versions, Kconfig
 * `CONFIG_*` names, header guards, and the platform's own names (linux-build.ts decides those).
 *
 * A definition counts only where a Linux build can compile it: `#define ANDROID_KEYSTORE` under
 * `#if defined(__ANDROID__) || defined(FAKE_ANDROID_KEYSTORE)` does not, once the switch is known
 * unset; the switches are worked out until no further definition drops out.
 */

/** What one C/C++ file contributes. */
export interface SwitchUsage {
  readonly language: Language;
  /** The file's directive lines (and their continuations), one per line, in order: which `#define`s sit in which `#if` branches. */
  readonly directives: string;
  /** Candidate switch names its conditional directives test. */
  readonly tested: readonly string[];
  /** All-capitals names it reads outside conditional directives (code, `#define` bodies). */
  readonly read: readonly string[];
  /** Configuration headers it includes (`#include "config.h"`, `"lws_config.h"`), as written. */
  readonly configHeaders: readonly string[];
  /** Names it defines outside any `#if` but its include guard. */
  readonly unconditional: readonly string[];
}

/** A project's configuration header: `config.h`, `lws_config.h`, `autoconfig.h`, `build-config.h`. */
const CONFIG_HEADER_INCLUDE = /^[ \t]*#[ \t]*include[ \t]*"((?:[^"\n]*\/)?[\w.+-]*config[\w.+-]*\.h)"/gim;

const DIRECTIVE_LINE = /^[ \t]*#[ \t]*[a-z].*(?:\\\r?\n.*)*/gm;
const CONDITIONAL_LINE = /^[ \t]*#[ \t]*(?:if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b.*(?:\\\r?\n.*)*/gm;
/** A definition: its name, `(` for a function-like one, and the rest of its line (its body). */
const DEFINE = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\()?([^\n]*)/gm;
/**
 * Comments, and string literals so that a `/*` inside one starts none. The literal is the
 * unrolled `"[^"\\]*(\\.[^"\\]*)*"`: `(?:[^"\\]|\\.)*` keeps a backtracking entry per
 * character, and a literal of a few million characters overflowed the stack (found by fuzzing).
 */
const COMMENT = /"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\/\*[^]*?\*\/|\/\/[^\n]*/g;
const DEFINED_NAME = /^([ \t]*#[ \t]*(?:define|undef)[ \t]+)[A-Za-z_]\w*/gm;

/**
 * Names never taken as unset: availability (`HAVE_*`), versions, Kconfig's `CONFIG_*` (its
 * Kconfig files spell them without the prefix), header guards, and the prefixes of system and
 * common library constants a project may test without reading (`#ifdef SO_REUSEPORT` to define
 * its own switch).
 */
const NEVER_UNSET = new RegExp(
  [
    '^(?:[A-Z0-9]+_)?HAVE_',
    'VERSION|(?:^|_)VER(?:_|$)',
    '^CONFIG_',
    // What Autoconf's checks name after what they test (AC_CHECK_SIZEOF, AC_C_BIGENDIAN …).
    '^(?:SIZEOF|ALIGNOF|STDC|PACKAGE|WORDS_BIGENDIAN)(?:_|$)',
    '_(?:H|H_|HPP|INCLUDED|DEFINED)$',
    // <endian.h>: `#if BYTE_ORDER == BIG_ENDIAN` reads the system's values.
    '^(?:__)?(?:BYTE_ORDER|BIG_ENDIAN|LITTLE_ENDIAN|PDP_ENDIAN|FLOAT_WORD_ORDER)$',
    '^(?:O|SO|SOCK|MSG|IP|IPV6|IPPROTO|TCP|UDP|AF|PF|EPOLL|POLL|F|FD|SIG|SA|S|SEEK|MAP|PROT|MADV|RLIMIT|CLOCK|TIOC|SIOC|FIO|AI|NI|EAI|INADDR|IN6|SCM|SOL|SHUT|PR|CLONE|TFD|EFD|SFD|IN|RTLD|GRND|MFD|SPLICE|UIO|IOV|AT|RENAME|FALLOC|STATX|PTHREAD|SCHED|SEM|SHM|IPC|ETH|ETHTOOL|ARPHRD|IFF|IFLA|IFA|RTM|RTA|NLM|NLMSG|NETLINK|SSL|TLS|OPENSSL|LIBRESSL|BORINGSSL|GNUTLS|MBEDTLS|WOLFSSL|CURL|CURLOPT|LIBSSH2?|EV|UV|G|GLIB|LIBXML|XML|Z|ZLIB|SQLITE|LWS|MHD|NGHTTP2|EVENT|LIBEVENT|PCAP|DLT|BPF|NFT|NF|NFNL|SYS|LIBC|GLIBC|UCLIBC|MUSL|POSIX|XOPEN|BSD|GNU|INT\\d*|UINT\\d*|SIZE|SSIZE|LONG|ULONG|LLONG|ULLONG|CHAR|PATH|HOST|NAME|LINE|PIPE|IOV)_',
    '^E[A-Z0-9]+$',
  ].join('|'),
);

/** The directive lines and names of one file. */
export function switchUsage(text: string, language: Language): SwitchUsage {
  if (!text.includes('#')) return { language, directives: '', tested: [], read: readNames(text.replace(COMMENT, ' ')), configHeaders: [], unconditional: [] };
  const directives = (text.match(DIRECTIVE_LINE) ?? []).map((line) => line.replace(/\\\r?\n/g, ' ')).join('\n');
  const conditionals = directives.match(CONDITIONAL_LINE) ?? [];
  const tested = unique(conditionals.join('\n').replace(/\/\*[^]*?\*\/|\/\/.*$/gm, ' ').match(CAPITALS)).filter((n) => !NEVER_UNSET.test(n));
  // A definition's own name is no reading of it (its body is), nor is a comment's mention.
  const code = text.replace(COMMENT, ' ').replace(CONDITIONAL_LINE, '').replace(DEFINED_NAME, '$1');
  const configHeaders = [...directives.matchAll(CONFIG_HEADER_INCLUDE)].map((m) => m[1]!);
  return { language, directives, tested, read: readNames(code), configHeaders, unconditional: unconditionalDefines(directives) };
}

/** At most this many rounds of "a definition under an unset switch drops out" (each adds switches). */
const MAX_ROUNDS = 4;

/** The switches nothing sets; empty without build files (`buildFilesRead` 0). */
export function unsetSwitches(usages: Iterable<SwitchUsage>, buildNames: ReadonlySet<string>, buildFilesRead: number): Set<string> {
  const unset = new Set<string>();
  if (buildFilesRead === 0) return unset;
  const files = [...usages];
  const candidates = switchCandidates(files, buildNames);
  if (candidates.length === 0) return unset;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const defined = new Set(activeDefinitions(files, new Set(candidates), unset).keys());
    const before = unset.size;
    for (const name of candidates) if (!defined.has(name)) unset.add(name);
    if (unset.size === before) break;
  }
  return unset;
}

/**
 * Switches the project defines only as 0 (`#define LOG_WAVE 0` in deadbeef's qsound.h, a fallback
 * `#ifndef DEBUG_IO` `#define DEBUG_IO 0` `#endif`) and nothing else sets: `#if LOG_WAVE` is false
 * in a default build, in a file that includes the definition and in one that does not (an
 * undefined name is 0 there). They are taken as defined to 0: a file testing `#ifdef` of a
 * project's own switch includes its definition. `unset`: unsetSwitches' answer.
 */
export function zeroSwitches(usages: Iterable<SwitchUsage>, buildNames: ReadonlySet<string>, buildFilesRead: number, unset: ReadonlySet<string>): Set<string> {
  const zero = new Set<string>();
  if (buildFilesRead === 0) return zero;
  const files = [...usages];
  const candidates = switchCandidates(files, buildNames).filter((n) => !unset.has(n));
  if (candidates.length === 0) return zero;
  for (const [name, bodies] of activeDefinitions(files, new Set(candidates), unset)) if (bodies.every((body) => ZERO_BODY.test(body))) zero.add(name);
  return zero;
}

/** `0`, `(0)`, `0U`, with a comment after it. */
const ZERO_BODY = /^\(?\s*0+[uUlL]*\s*\)?\s*(?:\/[*/].*)?$/;

/** Names conditional directives test that no code reads, no build file mentions and the platform does not decide. */
function switchCandidates(files: readonly SwitchUsage[], buildNames: ReadonlySet<string>): string[] {
  const read = new Set<string>();
  const tested = new Set<string>();
  for (const usage of files) {
    for (const name of usage.read) read.add(name);
    for (const name of usage.tested) tested.add(name);
  }
  const platform = platformLookup(undefined, undefined);
  return [...tested].filter((n) => !read.has(n) && !read.has(familyOf(n) ?? n) && !buildNames.has(n) && platform(n) === undefined);
}

/** The bodies of the definitions of `names` that a Linux build with `unset` undefined may compile, by name. */
function activeDefinitions(files: readonly SwitchUsage[], names: ReadonlySet<string>, unset: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const configuration = { defined: new Map<string, string>(), undefined: unset };
  for (const usage of files) {
    if (!usage.directives.includes('define')) continue;
    const definitions = [...usage.directives.matchAll(DEFINE)].filter((m) => names.has(m[1]!));
    if (definitions.length === 0) continue;
    const inactive = inactiveBranches(usage.directives, usage.language, configuration, 'undecided');
    for (const m of definitions) {
      if (inactive.some(([start, end]) => m.index! >= start && m.index! < end)) continue;
      const bodies = out.get(m[1]!) ?? out.set(m[1]!, []).get(m[1]!)!;
      bodies.push(m[2] !== undefined ? '(' : (m[3] ?? '').trim());
    }
  }
  return out;
}

/**
 * The all-capitals names code reads, and the family prefix (`EVP_`, `SSL_`) of every library
 * function or type it names (`EVP_DigestInit`, `SSL_CTX_new`): a library's names (`#ifdef EVP_CIPH_GCM_MODE`)
 * come from its headers, whichever of them the code reads.
 */
function readNames(code: string): string[] {
  return unique([...(code.match(CAPITALS) ?? []), ...[...code.matchAll(FAMILY)].map((m) => `${m[1]!}_`)]);
}

/** A library's function or type (`EVP_DigestInit`, `SSL_CTX_new`): a capitals prefix, then lower case somewhere. A project's own constants (`DO_TCP_STREAM`) make no family. */
const FAMILY = /\b([A-Z][A-Z0-9]+)_(?=[A-Z0-9_]*[a-z])\w+/g;

/** `EVP_` of `EVP_CIPH_GCM_MODE`. */
function familyOf(name: string): string | undefined {
  const at = name.indexOf('_');
  return at > 1 ? name.slice(0, at + 1) : undefined;
}

/** Names defined outside every conditional group but an include guard (`#ifndef CONFIG_H` `#define CONFIG_H` … `#endif`). */
function unconditionalDefines(directives: string): string[] {
  const groups = conditionalGroups(directives);
  const guards = groups.filter((g) => {
    const first = g.branches[0]!.directive;
    // A guard's test is one name; a longer one is no guard (and an unanchored search for its last
    // word is quadratic on a line of megabytes: a fuzzed header took minutes).
    if (first.condition.length > 256) return false;
    if (g.branches.length !== 1 || (first.kind !== 'ifndef' && !/^!\s*defined\s*\(?\s*\w+\s*\)?$/.test(first.condition.trim()))) return false;
    const guard = /(\w+)\s*\)?\s*$/.exec(first.condition)?.[1];
    return guard !== undefined && new RegExp(`^[ \\t]*#[ \\t]*define[ \\t]+${guard}\\b`).test(directives.slice(first.end).trimStart());
  });
  const conditional = groups.filter((g) => !guards.includes(g));
  const out: string[] = [];
  for (const m of directives.matchAll(DEFINE)) if (!conditional.some((g) => m.index! >= g.start && m.index! < g.end)) out.push(m[1]!);
  return out;
}
