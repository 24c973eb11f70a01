import type { PreprocessorConfiguration } from '../syntax/conditionals.js';
import { inactiveBranches, isInactive } from '../syntax/inactive-branches.js';
import type { Language } from '../syntax/language.js';

/**
 * A second platform for the rules whose bug lives in another platform's event backend. connlint
 * analyses a Linux build (core/syntax/linux-build.ts): code for other systems is not compiled, so
 * its facts and findings would be noise. But a server's kqueue backend (`#ifdef HAVE_KQUEUE`, the
 * `#else` of `#if HAVE_LINUX`, a `*-kqueue.c` file the build system picks) registers listeners
 * `EV_CLEAR`, edge-triggered, where its epoll backend is level-triggered: an accept handler that
 * takes one connection per event works on Linux and strands the backlog on macOS and BSD
 * (pgagroal #923, Pelikan). Files holding kqueue code get a second reading as a BSD build sees
 * them (`FileFacts.bsd`, `SourceFile.bsd`); the project index has a BSD variant made of them
 * (`ProjectIndex.bsdVariant`), and the rules that ask for it (`RuleMeta.platforms`) run on it too,
 * their findings there that the Linux build does not have saying which build they are in
 * (core/engine/platform-findings.ts).
 */

/** kqueue code: a call of its API or its header. */
const KQUEUE_CODE = /\bkevent\s*\(|\bEV_SET\s*\(|#\s*include\s*<sys\/event\.h>/g;

/**
 * Does a BSD build see this text differently where it matters: kqueue code a Linux build does not
 * compile (`#ifdef HAVE_KQUEUE`, the `#else` of `#if HAVE_LINUX`)?
 */
export function hasBsdVariant(text: string, language: Language, configuration: PreprocessorConfiguration | undefined): boolean {
  if (configuration?.platform === 'bsd' || !text.includes('#')) return false;
  const kqueue = [...text.matchAll(KQUEUE_CODE)];
  if (kqueue.length === 0) return false;
  const notCompiled = inactiveBranches(text, language, configuration, 'undecided');
  return kqueue.some((m) => isInactive(notCompiled, m.index!));
}

/** The configuration as a BSD or macOS build has it: the same -D / -U. */
export function bsdConfiguration(configuration: PreprocessorConfiguration | undefined): PreprocessorConfiguration {
  return { defined: configuration?.defined ?? new Map(), undefined: configuration?.undefined ?? new Set(), platform: 'bsd' };
}
