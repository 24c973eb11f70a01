import { conditionalGroups, evaluateCondition, evaluateDefined, type ConditionalGroup, type MacroValue, type PreprocessorConfiguration } from './conditionals.js';
import type { Language } from './language.js';
import { otherPlatformMarks, recoveryLookup } from './linux-build.js';
import { settledDefinitions, withSettledDefinitions } from './settled-definitions.js';

/**
 * The branches of a file's `#if` groups that the configuration analysed rules out: decided false,
 * or after a branch decided true. Their `#define`s and `#undef`s do not count: a header's
 * `#else` for systems without mmap (`# define mmap(a, b, c, d, e, f) (-1)`) or for Windows
 * (`#define sclose(x) closesocket(x)`) does not redefine what a Linux build calls.
 *
 * Decided as the configuration-resolved copies decide (recovery.ts): the build's configuration,
 * else Linux with GCC for platform and compiler macros, else a feature macro is defined — except
 * a name the file itself defines (an include guard, `#ifndef MAP_FAILED` … `#define MAP_FAILED`),
 * whose test stays undecided unless the file defined it above, once and outside every group
 * (settled-definitions.ts). After an undecided branch, a later one is ruled out only by its own
 * test or by a branch decided true before it.
 */
export function inactiveBranches(
  text: string,
  language: Language,
  configuration: PreprocessorConfiguration | undefined,
  /**
   * 'undecided': only the build and the platform decide, and `HAVE_*` availability macros are
   * taken as present (which functions are compiled: a Linux build has `forkpty`, `accept4`, so an
   * `#ifndef HAVE_FORKPTY` fallback is not; both sides of any other feature test are).
   */
  features: 'present' | 'undecided' = 'present',
): readonly (readonly [number, number])[] {
  if (!text.includes('#')) return [];
  const groups = conditionalGroups(text);
  // An undecided branch (or a whole file) that includes a header no Linux build has is another platform's.
  const foreign = otherPlatformMarks(text, configuration?.platform);
  if (groups.length === 0) return foreign.length > 0 ? [[0, text.length]] : [];
  const definedHere = new Set<string>();
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)/gm)) definedHere.add(m[1]!);
  // A name the file defined above, once and outside every group, has that definition's value.
  const settled = settledDefinitions(text);
  let assumed = false;
  const decided = recoveryLookup(language, configuration, 'defined', () => (assumed = true));
  // A name the file defines itself is decided only by the build's configuration or the platform.
  // Whether a feature assumption (not the build or the platform) decided the branch being valued.
  let anyAssumed = false;
  const lookup = (name: string) => {
    assumed = false;
    const value = decided(name);
    if (!assumed) return value;
    anyAssumed = true;
    if (features === 'undecided') return AVAILABILITY.test(name) && !definedHere.has(name) ? value : undefined;
    return definedHere.has(name) ? undefined : value;
  };
  const inactive: [number, number][] = [];
  const foreignBranches = new Set<number>();
  for (const at of foreign) {
    const innermost = innermostBranch(groups, at);
    if (innermost === undefined) return [[0, text.length]];
    foreignBranches.add(innermost);
  }
  let coveredUntil = -1;
  for (const group of groups) {
    // Groups come outer first: one inside a range already inactive adds nothing.
    if (group.start < coveredUntil) continue;
    let decidedTrue = false;
    for (const { directive, bodyStart, bodyEnd } of group.branches) {
      anyAssumed = false;
      const decided = decidedTrue ? false : valueOf(directive.kind, directive.condition, withSettledDefinitions(settled, directive.start, lookup));
      // Neither the build nor the platform decides it, and it includes another platform's header.
      const value = (decided === undefined || (decided === true && anyAssumed)) && foreignBranches.has(bodyStart) ? false : decided;
      if (value === false) {
        inactive.push([bodyStart, bodyEnd]);
        coveredUntil = Math.max(coveredUntil, bodyEnd);
      } else if (value === true) decidedTrue = true;
    }
  }
  return inactive.sort((a, b) => a[0] - b[0]);
}

/** The body start of the innermost branch holding `offset`; undefined at file level. */
function innermostBranch(groups: readonly ConditionalGroup[], offset: number): number | undefined {
  let found: number | undefined;
  // Outer groups come before the groups nested in them: the last branch that holds the offset is the innermost.
  for (const group of groups) {
    if (offset < group.start || offset >= group.end) continue;
    for (const { bodyStart, bodyEnd } of group.branches) if (bodyStart <= offset && offset < bodyEnd) found = bodyStart;
  }
  return found;
}

function valueOf(kind: string, condition: string, lookup: (name: string) => MacroValue): boolean | undefined {
  if (kind === 'else') return true;
  if (kind === 'ifdef' || kind === 'elifdef') return evaluateDefined(condition, false, lookup);
  if (kind === 'ifndef' || kind === 'elifndef') return evaluateDefined(condition, true, lookup);
  return evaluateCondition(condition, lookup);
}

/** `HAVE_FORKPTY`, `LWAN_HAVE_ACCEPT4`: what a configure step found on the system. */
const AVAILABILITY = /^(?:[A-Z0-9]+_)?HAVE_[A-Z0-9_]+$/;

/** Is `offset` inside one of the (sorted) ranges? */
export function isInactive(ranges: readonly (readonly [number, number])[], offset: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = ranges[mid]!;
    if (offset < start) hi = mid - 1;
    else if (offset >= end) lo = mid + 1;
    else return true;
  }
  return false;
}
