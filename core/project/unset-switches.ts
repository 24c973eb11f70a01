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
const CAPITALS = /\b[A-Z][A-Z0-9_]{2,}\b/g;
const DEFINE = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)/gm;
/** Comments, and string literals so that a `/*` inside one starts none. */
const COMMENT = /"(?:[^"\\\n]|\\.)*"|\/\*[^]*?\*\/|\/\/[^\n]*/g;
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

export interface BuildFile {
  /** The file's name (configure.ac, CMakeLists.txt, config.h.in …). */
  readonly name: string;
  readonly text: string;
}

/**
 * The names the build files may set: every all-capitals name they mention, but for an Autoconf
 * project the ones `configure.ac` defines only where an option's default leaves them out
 * (`AC_ARG_ENABLE(unixdomain, …)`, `case "$enable_unixdomain" in … '') use_unixdomain=false`,
 * `if $use_unixdomain; then AC_DEFINE([WANT_UNIX]) fi`): a default build leaves those unset. What
 * configure.ac generates (`configure`, `Makefile.in`, the `config.h.in` template) mentions every
 * name it defines, so there those names do not count. Names only an option's default defines
 * (`'') use_omni=true` … `AC_DEFINE([WANT_MIGRATION])`) are defined in a default build.
 */
export function namesBuildMaySet(files: readonly BuildFile[]): BuildKnowledge {
  const autoconf = files.filter((f) => AUTOCONF_INPUT.test(f.name));
  const off = new Set<string>();
  const on = new Set<string>();
  const mentioned = new Set<string>();
  // CMake's `option(NAME "…" OFF)` is read across its files (an option declared in one, tested in another).
  const cmakeOptions = new Map<string, boolean>();
  for (const file of files) if (CMAKE_FILE.test(file.name)) for (const [name, value] of cmakeOptionsIn(file.text)) cmakeOptions.set(name, value);
  const decided = [
    ...autoconf.map((file) => autoconfNames(file.text)),
    ...files.filter((f) => CMAKE_FILE.test(f.name)).map((file) => cmakeNames(file.text, cmakeOptions)),
  ];
  for (const names of decided) {
    for (const name of names.off) off.add(name);
    for (const name of names.on) on.add(name);
    for (const name of names.elsewhere) mentioned.add(name);
  }
  // Defined by one option's default and left out by another's: not decided here.
  for (const name of [...off]) if (mentioned.has(name) || on.has(name)) off.delete(name);
  for (const name of [...on]) if (mentioned.has(name)) on.delete(name);
  for (const file of files) {
    if (AUTOCONF_INPUT.test(file.name) || CMAKE_FILE.test(file.name)) continue;
    const generated = autoconf.length > 0 && AUTOCONF_OUTPUT.test(file.name);
    // Automake's `if DCE` … `endif` tests its conditional, not a C macro.
    const text = AUTOMAKE_INPUT.test(file.name) ? file.text.replace(AUTOMAKE_CONDITIONAL_LINE, '') : file.text;
    for (const name of namesIn(text)) if (!generated || (!off.has(name) && !on.has(name))) mentioned.add(name);
  }
  for (const name of on) mentioned.add(name);
  return { mentioned, onByDefault: on };
}

export interface BuildKnowledge {
  /** Names the build may set. */
  readonly mentioned: ReadonlySet<string>;
  /** Names configure.ac defines by default (an option's default reaches its only AC_DEFINE): defined in a default build. */
  readonly onByDefault: ReadonlySet<string>;
}

const AUTOCONF_INPUT = /^configure\.(?:ac|in)$/;
const AUTOMAKE_INPUT = /^(?:Makefile\.am|[\w.+-]+\.am)$/;
const AUTOMAKE_CONDITIONAL_LINE = /^[ \t]*(?:if|else|endif)(?:[ \t]+!?\w+)?[ \t]*$/gm;
const CMAKE_FILE = /^(?:CMakeLists\.txt|[\w.+-]+\.cmake)$/;
const CMAKE_OPTION = /\boption\s*\(\s*([A-Za-z_]\w*)\s+"[^"]*"\s*(ON|OFF|TRUE|FALSE|YES|NO|[01])?\s*\)/gi;
/** `add_definitions(-DX)`, `add_compile_definitions(X=1)`, `target_compile_definitions(t PRIVATE X)`: the definitions a command makes. */
const CMAKE_DEFINITION = /\b(add_definitions|add_compile_definitions|target_compile_definitions)\s*\(([^)]*)\)/gi;

/** `option(NAME "doc" OFF)`: its default (off when not given). */
function cmakeOptionsIn(text: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const m of text.replace(/#.*$/gm, '').matchAll(CMAKE_OPTION)) out.set(m[1]!, /^(?:ON|TRUE|YES|1)$/i.test(m[2] ?? 'OFF'));
  return out;
}

/**
 * Names a CMake file defines only under `if (OPTION)` / `if (NOT OPTION)` of options with a known
 * default (off when its default does not reach the definition, on when it does), and every other
 * name it mentions.
 */
function cmakeNames(text: string, options: ReadonlyMap<string, boolean>): { off: Set<string>; on: Set<string>; elsewhere: Set<string> } {
  const code = text.replace(/#.*$/gm, '');
  const off = new Set<string>();
  const on = new Set<string>();
  const decided = new Set<string>();
  // The stack of open `if`s: each one's value under the defaults (undefined: not decided here), flipped at `else()`.
  const stack: (boolean | undefined)[] = [];
  const events = [...code.matchAll(/\b(if|elseif|else|endif)\s*\(([^)]*)\)|\b(?:add_definitions|add_compile_definitions|target_compile_definitions)\s*\([^)]*\)/gi)];
  for (const m of events) {
    const word = m[1]?.toLowerCase();
    if (word === 'if') stack.push(cmakeCondition(m[2]!, options));
    else if (word === 'elseif') stack[stack.length - 1] = undefined;
    else if (word === 'else') stack[stack.length - 1] = stack.at(-1) === undefined ? undefined : !stack.at(-1);
    else if (word === 'endif') stack.pop();
    else {
      const definition = /\(([^)]*)\)/.exec(m[0])![1]!;
      const names = [...definition.matchAll(/(?:^|[\s"])(?:-D)?([A-Z][A-Z0-9_]*)(?:=[^\s")]*)?(?=[\s")]|$)/g)].map((n) => n[1]!).filter((n) => !/^(?:PRIVATE|PUBLIC|INTERFACE)$/.test(n));
      const value = stack.length === 0 ? undefined : stack.some((v) => v === false) ? false : stack.every((v) => v === true) ? true : undefined;
      for (const name of names) {
        if (value === undefined) continue;
        (value ? on : off).add(name);
        decided.add(name);
      }
    }
  }
  const elsewhere = new Set(namesIn(code.replace(CMAKE_DEFINITION, (whole, _command, args: string) => (namesIn(args).some((n) => decided.has(n)) ? '' : whole))));
  return { off, on, elsewhere };
}

/** `NAME`, `${NAME}`, `NOT NAME` for an option: its default value. */
function cmakeCondition(condition: string, options: ReadonlyMap<string, boolean>): boolean | undefined {
  const m = /^\s*(NOT\s+)?(?:\$\{)?([A-Za-z_]\w*)\}?\s*$/i.exec(condition);
  if (!m) return undefined;
  const value = options.get(m[2]!);
  return value === undefined ? undefined : m[1] ? !value : value;
}
const AUTOCONF_OUTPUT = /^(?:configure|Makefile\.in|[\w.+-]+\.h\.in)$/;
/** Each `AC_ARG_ENABLE(` / `AC_ARG_WITH(` opens a section of configure.ac, to the next one. */
const OPTION_START = /\bAC_ARG_(ENABLE|WITH)\s*\(\s*\[?([\w-]+)/g;
const DEFINITION = /\bAC_DEFINE(?:_UNQUOTED)?\s*\(\s*\[?\s*([A-Z][A-Z0-9_]*)/g;

/** Names configure.ac defines where an option's default does not reach (off) or does (on), and every other name it mentions. */
function autoconfNames(text: string): { off: Set<string>; on: Set<string>; elsewhere: Set<string> } {
  // An Automake conditional (`AM_CONDITIONAL(DCE, …)`) names no C macro, though it often shares one's name.
  const code = text.replace(/^[ \t]*(?:dnl\b|#).*$/gm, '').replace(/\bAM_CONDITIONAL\s*\(\s*\[?\w+\]?\s*,/g, 'AM_CONDITIONAL(');
  const starts = [...code.matchAll(OPTION_START)];
  const off = new Set<string>();
  const on = new Set<string>();
  const elsewhere = new Set<string>();
  const bounds = [0, ...starts.map((m) => m.index!), code.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const section = code.slice(bounds[i], bounds[i + 1]);
    const option = i > 0 ? starts[i - 1]! : undefined;
    const values = option ? defaultValues(section, `${option[1] === 'ENABLE' ? 'enable' : 'with'}_${option[2]!.replace(/-/g, '_')}`) : undefined;
    const decided = new Set<string>();
    if (values) {
      for (const m of section.matchAll(DEFINITION)) {
        const reached = guardValue(section, m.index!, values);
        if (reached === undefined) continue;
        (reached ? on : off).add(m[1]!);
        decided.add(m[1]!);
      }
    }
    for (const name of namesIn(section)) if (!decided.has(name)) elsewhere.add(name);
  }
  return { off, on, elsewhere };
}

/**
 * The shell variables an option section sets when the option is not given: the option's own
 * (`enable_x`: empty, or what AC_ARG_ENABLE's fourth argument assigns) and those the `case` arm
 * for that value assigns (`'') use_x=false ;;`).
 */
function defaultValues(section: string, variable: string): Map<string, string> {
  const values = new Map<string, string>();
  const notGiven = new RegExp(`\\b${variable}=\\[?["']?(\\w*)`).exec(section.slice(0, section.indexOf(')', section.indexOf(')') + 1) + 400));
  const own = notGiven?.[1] ?? '';
  values.set(variable, own);
  const caseOf = new RegExp(`\\bcase\\s+"?\\$\\{?${variable}\\}?"?\\s+in([^]*?)\\besac\\b`).exec(section);
  if (caseOf) {
    for (const arm of caseOf[1]!.split(';;')) {
      const m = /^\s*\(?\s*([^)]*)\)([^]*)$/.exec(arm);
      if (!m) continue;
      const patterns = m[1]!.split('|').map((p) => p.trim().replace(/^(['"])(.*)\1$/, '$2'));
      if (!patterns.includes(own) && !(own === '' && patterns.includes('""'))) continue;
      for (const a of m[2]!.matchAll(/(?:^|[\s;])([a-z_]\w*)=["']?(\w*)/g)) values.set(a[1]!, a[2]!);
      break;
    }
  }
  return values;
}

/**
 * What the innermost `if` (or `AS_IF`) around `offset` decides with the option's default values:
 * false when the definition is not reached, undefined when its test is not one read here.
 */
function guardValue(section: string, offset: number, values: ReadonlyMap<string, string>): boolean | undefined {
  const before = section.slice(0, offset);
  // The innermost `if` still open at `offset`, and whether an `else` of it came since.
  const tokens = [...before.matchAll(/(?:^|[\s;])(if|fi|else|elif)\b/g)];
  let depth = 0;
  let sawElse = false;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const word = tokens[i]![1];
    if (word === 'fi') depth++;
    else if (word === 'else' || word === 'elif') {
      if (depth === 0) sawElse = true;
      if (word === 'elif' && depth === 0) return undefined;
    } else if (depth > 0) depth--;
    else {
      // Inside a macro's argument in the branch (`PKG_CHECK_MODULES(…, [AC_DEFINE(…)])`): what configure finds decides.
      if (parenDepth(before.slice(tokens[i]!.index!)) !== 0) return undefined;
      const condition = /^\s*if\s+([^\n;]*?)\s*(?:;\s*then|\n\s*then|$)/m.exec(before.slice(tokens[i]!.index! + tokens[i]![0].indexOf('if')))?.[1];
      const value = condition === undefined ? undefined : testValue(condition, values);
      return value === undefined ? undefined : sawElse ? !value : value;
    }
  }
  const asIf = before.lastIndexOf('AS_IF(');
  if (asIf >= 0 && !closes(section, asIf + 5, offset) && parenDepth(before.slice(asIf)) === 1) {
    const condition = /^AS_IF\(\s*\[([^\]]*)\]\s*,/.exec(section.slice(asIf))?.[1];
    return condition === undefined ? undefined : testValue(condition, values);
  }
  return undefined;
}

/** Parentheses opened and not closed in `text`. */
function parenDepth(text: string): number {
  let depth = 0;
  for (const c of text) if (c === '(') depth++;
  else if (c === ')') depth--;
  return depth;
}

/** Does the parenthesis at `open` close before `offset`? */
function closes(text: string, open: number, offset: number): boolean {
  let depth = 0;
  for (let i = open; i < offset; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return true;
  }
  return false;
}

/** `$use_x` (true/false), `test "x$enable_x" = "xyes"`, `test "$x" != no`: its value, else undefined. */
function testValue(condition: string, values: ReadonlyMap<string, string>): boolean | undefined {
  const command = /^\$\{?(\w+)\}?$/.exec(condition.trim());
  if (command) {
    const value = values.get(command[1]!);
    return value === 'true' ? true : value === 'false' ? false : undefined;
  }
  const test = /^(?:test|\[)\s+"?(x?)\$\{?(\w+)\}?"?\s*(!?=)\s*"?(x?)(\w*)"?\s*\]?$/.exec(condition.trim());
  if (!test || test[1] !== test[4]) return undefined;
  const value = values.get(test[2]!);
  if (value === undefined) return undefined;
  return (value === test[5]) === (test[3] === '=');
}

/** At most this many rounds of "a definition under an unset switch drops out" (each adds switches). */
const MAX_ROUNDS = 4;

/** The switches nothing sets; empty without build files (`buildFilesRead` 0). */
export function unsetSwitches(usages: Iterable<SwitchUsage>, buildNames: ReadonlySet<string>, buildFilesRead: number): Set<string> {
  const unset = new Set<string>();
  if (buildFilesRead === 0) return unset;
  const files = [...usages];
  const read = new Set<string>();
  const tested = new Set<string>();
  for (const usage of files) {
    for (const name of usage.read) read.add(name);
    for (const name of usage.tested) tested.add(name);
  }
  const platform = platformLookup(undefined, undefined);
  const candidates = [...tested].filter((n) => !read.has(n) && !read.has(familyOf(n) ?? n) && !buildNames.has(n) && platform(n) === undefined);
  if (candidates.length === 0) return unset;
  // Only definitions of candidates matter, and only where an `#if` may rule them out.
  const candidateSet = new Set(candidates);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const defined = new Set<string>();
    const configuration = { defined: new Map<string, string>(), undefined: unset };
    for (const usage of files) {
      if (!usage.directives.includes('define')) continue;
      const definitions = [...usage.directives.matchAll(DEFINE)].filter((m) => candidateSet.has(m[1]!));
      if (definitions.length === 0) continue;
      const inactive = inactiveBranches(usage.directives, usage.language, configuration, 'undecided');
      for (const m of definitions) if (!inactive.some(([start, end]) => m.index! >= start && m.index! < end)) defined.add(m[1]!);
    }
    const before = unset.size;
    for (const name of candidates) if (!defined.has(name)) unset.add(name);
    if (unset.size === before) break;
  }
  return unset;
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

/** The all-capitals names of a build file, and those after `-D` (`-DWANT_X`, `/DWANT_X`). */
function namesIn(text: string): string[] {
  return unique([...(text.match(CAPITALS) ?? []), ...[...text.matchAll(/[-/]D([A-Z][A-Z0-9_]{2,})\b/g)].map((m) => m[1]!)]);
}

/** Names defined outside every conditional group but an include guard (`#ifndef CONFIG_H` `#define CONFIG_H` … `#endif`). */
function unconditionalDefines(directives: string): string[] {
  const groups = conditionalGroups(directives);
  const guards = groups.filter((g) => {
    const first = g.branches[0]!.directive;
    if (g.branches.length !== 1 || (first.kind !== 'ifndef' && !/^!\s*defined\s*\(?\s*\w+\s*\)?$/.test(first.condition.trim()))) return false;
    const guard = /(\w+)\s*\)?\s*$/.exec(first.condition)?.[1];
    return guard !== undefined && new RegExp(`^[ \\t]*#[ \\t]*define[ \\t]+${guard}\\b`).test(directives.slice(first.end).trimStart());
  });
  const conditional = groups.filter((g) => !guards.includes(g));
  const out: string[] = [];
  for (const m of directives.matchAll(DEFINE)) if (!conditional.some((g) => m.index! >= g.start && m.index! < g.end)) out.push(m[1]!);
  return out;
}

function unique(names: readonly string[] | null): string[] {
  return names ? [...new Set(names)] : [];
}
