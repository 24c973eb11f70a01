import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFilesAround, switchesOfSources } from '../../core/engine/build-files.js';
import { namesBuildMaySet } from '../../core/project/build-options.js';
import { switchUsage, unsetSwitches, zeroSwitches } from '../../core/project/unset-switches.js';
import { runCli } from '../cli-helpers.js';

const option = (name: string, help: string, body: string, notGiven = '') =>
  `AC_ARG_ENABLE(${name},\n\t[AS_HELP_STRING([${help}],[x])]${notGiven ? `, [], [${notGiven}]` : ''})\n${body}\n`;

describe('configuration switches a default build leaves unset', () => {
  it('reads an option\'s default through its case arm, its fourth argument, if/else and AS_IF tests', () => {
    const configureAc = [
      'AC_INIT([p], [1])',
      option('unixdomain', '--enable-unixdomain', "case \"$enable_unixdomain\" in\n yes) use_u=true ;;\n '') use_u=false ;;\nesac\nif $use_u\nthen\n AC_DEFINE([WANT_UNIX],,[u])\nfi"),
      // The help says --enable-omni, but the default arm turns it on.
      option('omni', '--enable-omni', "case \"$enable_omni\" in\n yes) use_omni=true ;;\n '') use_omni=true ;;\nesac\nif $use_omni; then\n AC_DEFINE([WANT_OMNI])\nelse\n AC_DEFINE([WANT_CLASSIC])\nfi"),
      option('sctp', '--disable-sctp', 'AS_IF([test "x$enable_sctp" = "xyes"], [AC_DEFINE([WANT_SCTP], [1], [s])])', 'enable_sctp=yes'),
      option('xti', '--enable-xti', 'if test "$enable_xti" = "yes"; then AC_DEFINE([WANT_XTI]) fi'),
      // Its test reads something configure finds: not decided here.
      option('exs', '--enable-exs', 'if test "$ac_cv_header_exs_h" = yes; then AC_DEFINE([WANT_EXS]) fi'),
      // Defined where a library is found: configure decides, whatever the option's default.
      "AC_ARG_WITH([tls], [AS_HELP_STRING([--without-tls], [x])])\nif test \"x$with_tls\" != xno; then\n PKG_CHECK_MODULES([TLS], [openssl], [AC_DEFINE([USE_TLS])], [:])\nfi",
      'AC_DEFINE([ALWAYS_ON])',
    ].join('\n');
    const generated = { name: 'configure', text: 'WANT_UNIX WANT_OMNI WANT_CLASSIC WANT_SCTP WANT_XTI WANT_EXS ALWAYS_ON' };
    const known = namesBuildMaySet([{ name: 'configure.ac', text: configureAc }, generated, { name: 'config.h.in', text: '#undef WANT_UNIX\n#undef WANT_XTI' }]);
    expect([...known.onByDefault].sort()).toEqual(['WANT_OMNI', 'WANT_SCTP']);
    for (const name of ['WANT_UNIX', 'WANT_CLASSIC', 'WANT_XTI']) expect(known.mentioned.has(name), name).toBe(false);
    for (const name of ['WANT_OMNI', 'WANT_SCTP', 'WANT_EXS', 'USE_TLS', 'ALWAYS_ON']) expect(known.mentioned.has(name), name).toBe(true);
    // A Makefile.am that passes -DWANT_XTI itself may set it.
    expect(namesBuildMaySet([{ name: 'configure.ac', text: configureAc }, { name: 'Makefile.am', text: 'AM_CFLAGS = -DWANT_XTI' }]).mentioned.has('WANT_XTI')).toBe(true);
  });

  it('reads CMake options\' defaults: definitions under if (OPTION), if (NOT OPTION) and else(), across files', () => {
    const options = { name: 'options.cmake', text: 'option(WITH_A "a" ON)\noption(WITH_B "b")\n' };
    const lists = { name: 'CMakeLists.txt', text: 'if (WITH_A)\n  add_definitions(-DUSE_A)\nelse ()\n  add_compile_definitions(NO_A=1)\nendif ()\nif (NOT WITH_B)\n  target_compile_definitions(t PRIVATE NO_B)\nendif ()\nif (WITH_A AND WITH_B)\n  add_definitions(-DUSE_AB)\nendif ()\nif (${WITH_B})\n  add_definitions(-DUSE_B)\nendif ()\n' };
    const known = namesBuildMaySet([options, lists]);
    expect([...known.onByDefault].sort()).toEqual(['NO_B', 'USE_A']);
    for (const name of ['NO_A', 'USE_B']) expect(known.mentioned.has(name), name).toBe(false);
    expect(known.mentioned.has('USE_AB')).toBe(true);
  });

  it('an Automake conditional of the same name is no mention of the C macro', () => {
    const configureAc = 'AC_ARG_ENABLE(dce,\n\tAS_HELP_STRING([--enable-dce],[DCE]))\nif test "$enable_dce" = yes; then\n    AC_DEFINE(DCE, 1, [DCE])\nfi\nAM_CONDITIONAL(DCE, test "$enable_dce" = yes)\n';
    const makefileAm = 'if DCE\nSUBDIRS += dceutils\nendif\n';
    const known = namesBuildMaySet([{ name: 'configure.ac', text: configureAc }, { name: 'Makefile.am', text: makefileAm }]);
    expect(known.mentioned.has('DCE')).toBe(false);
    expect(namesBuildMaySet([{ name: 'configure.ac', text: configureAc }, { name: 'Makefile.am', text: 'AM_CPPFLAGS = -DDCE\n' }]).mentioned.has('DCE')).toBe(true);
  });

  it('a name tested but never defined, read or mentioned is unset; a definition only another platform or an unset switch compiles does not count', () => {
    const header = '#if defined(__ANDROID__) || defined(FAKE_KEYSTORE)\n#define KEYSTORE\n#endif\n#ifdef KEYSTORE\n#define KEYSTORE_LOG\n#endif\n#define OWN_SWITCH 1\n';
    const code = '/* DO_TRACE is for debugging */\n#ifdef DO_TRACE\nint t;\n#endif\n#if OWN_SWITCH && !defined(KEYSTORE_LOG)\nint k;\n#endif\n#ifdef SO_REUSEPORT\nint r = SO_REUSEPORT;\n#endif\n#ifdef WANT_TLS\n#endif\n';
    const usages = [switchUsage(header, 'c'), switchUsage(code, 'c')];
    expect([...unsetSwitches(usages, new Set(['WANT_TLS']), 1)].sort()).toEqual(['DO_TRACE', 'FAKE_KEYSTORE', 'KEYSTORE', 'KEYSTORE_LOG']);
    // Without build files there is no telling how the project is built.
    expect([...unsetSwitches(usages, new Set(), 0)]).toEqual([]);
    expect(switchesOfSources([{ path: 'a.c', text: code }])).toEqual({ unset: [], set: [], zero: [] });
    expect(switchesOfSources([{ path: 'a.c', text: code }, { path: 'keys.h', text: header }, { path: 'CMakeLists.txt', text: 'project(p C)\nadd_definitions(-DWANT_TLS)' }])).toEqual({ unset: ['DO_TRACE', 'FAKE_KEYSTORE', 'KEYSTORE', 'KEYSTORE_LOG'], set: [], zero: [] });
  });

  it('a switch the project defines only as 0 (outright, or as a fallback under #ifndef) and nothing else sets is 0 (a definition under an unset switch does not count); one defined otherwise anywhere, read by code, function-like or set by a build file is not', () => {
    const header = '#ifndef QSOUND_H\n#define QSOUND_H\n#define LOG_WAVE 0\n#ifndef DEBUG_IO\n#define DEBUG_IO 0 /* set to 1 to trace */\n#endif\n#define MIXED 0\n#define TWICE 0\n#define READ_ONE (0)\n#define BUILT 0\n#define MACRO(x) 0\n#endif\n';
    const other = '#ifdef FAST\n#define MIXED 1\n#endif\n#define TWICE 1\n';
    const code = '#include "qsound.h"\n#if LOG_WAVE\nint w;\n#endif\n#if DEBUG_IO\n#endif\n#if MIXED\n#endif\n#if TWICE\n#endif\n#if READ_ONE\n#endif\nint r = READ_ONE;\n#if BUILT\n#endif\n#if MACRO\n#endif\n';
    const usages = [switchUsage(header, 'c'), switchUsage(other, 'c'), switchUsage(code, 'c')];
    const unset = unsetSwitches(usages, new Set(['BUILT']), 1);
    expect([...unset]).toEqual(['FAST']);
    expect([...zeroSwitches(usages, new Set(['BUILT']), 1, unset)].sort()).toEqual(['DEBUG_IO', 'LOG_WAVE', 'MIXED']);
    expect([...zeroSwitches(usages, new Set(['BUILT']), 0, unset)]).toEqual([]);
  });

  it('build files are looked for beside the sources, above them to the root, and in cmake/ and m4/ folders', () => {
    const root = mkdtempSync(join(tmpdir(), 'connlint-build-'));
    mkdirSync(join(root, 'src', 'net'), { recursive: true });
    mkdirSync(join(root, 'm4'));
    mkdirSync(join(root, 'docs'));
    for (const file of ['configure.ac', 'm4/options.m4', 'src/Makefile.am', 'src/net/x.c', 'docs/Makefile.am']) writeFileSync(join(root, file), '');
    expect(buildFilesAround([join(root, 'src', 'net', 'x.c')], root).map((f) => f.slice(root.length + 1))).toEqual(['configure.ac', 'm4/options.m4', 'src/Makefile.am']);
  });

  it('the CLI run on a subfolder takes the switches from the project\'s configure.ac above it; the config\'s defines win', () => {
    const root = mkdtempSync(join(tmpdir(), 'connlint-switches-'));
    mkdirSync(join(root, '.git'));
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'configure.ac'), 'AC_INIT([p], [1])\nAC_ARG_WITH([tls], [AS_HELP_STRING([--with-tls], [TLS])])\nif test "x$with_tls" = xyes; then AC_DEFINE([USE_TLS]) fi\nAC_CHECK_HEADER([ipv6.h], [AC_DEFINE([WANT_IPV6])])\n');
    const leak = (name: string) => `int ${name.toLowerCase()}(const char *p, int fail) {\n    int fd = open(p, 0);\n    if (fd < 0)\n        return -1;\n#ifdef ${name}\n    if (fail)\n        return -2;\n#endif\n    close(fd);\n    return 0;\n}\n`;
    writeFileSync(join(root, 'src', 'probe.c'), leak('USE_TLS') + leak('WANT_IPV6'));
    const lines = (r: { stdout: string }) => (JSON.parse(r.stdout).findings as { line: number; function: string }[]).map((f) => `${f.line} ${f.function}`);
    // USE_TLS is off unless --with-tls; WANT_IPV6 depends on what configure finds.
    expect(lines(runCli(['--format', 'json', 'src'], { cwd: root }))).toEqual(['18 want_ipv6']);
    writeFileSync(join(root, 'connlint.json'), JSON.stringify({ defines: ['USE_TLS'] }));
    expect(lines(runCli(['--format', 'json', 'src'], { cwd: root }))).toEqual(['7 use_tls', '18 want_ipv6']);
  });
});
