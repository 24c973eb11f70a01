import { conditionalGroups, type PreprocessorConfiguration } from './conditionals.js';
import { errorRegions, spanScores, treeStats, withBlockMacroFunctions, type ErrorRegion, type TreeStats } from './error-regions.js';
import type { Language } from './language.js';
import { otherPlatformMarks, recoveryLookup, type FeatureAssumption } from './linux-build.js';
import { braceDepths, codesOf, CPP_BLOCK_MACRO, holdsFunctionHead, resolveGroup, rewriteStatementMacros, textOf } from './macro-rewrites.js';
import { parseText, type Tree } from './parser.js';
import { LineMap } from './source-text.js';

/**
 * Functions the raw text cannot parse, analysed through a configuration-resolved copy.
 *
 * tree-sitter parses the text as it is, with the preprocessor's lines in it. Where an `#if` splits
 * a statement (`#ifdef X` `if (a) {` `#else` `if (b) {` `#endif`) or a function's head, or a block
 * macro (`LIST_FOREACH(x, head, link) {`) stands where a statement should, the function has an
 * error region the rules skip, or is not recognised as a function at all. For the parts of the
 * file with such errors (a function with errors, or a file-level error region), a copy of the text
 * is made in which one configuration is chosen: every conditional group there keeps one branch and
 * the directive lines and the other branches become spaces; block macros become `while`/`if` heads
 * of the same length, and a statement macro used without a `;` gets one in the white space after it.
 * Every byte offset and line of the copy is the original's, so positions need no mapping. The copy
 * is kept only if more functions parse whole than before.
 *
 * Which branch: the build's configuration (`defines`, a compile database) where it decides; else
 * what a Linux build with GCC would see for platform and compiler macros (`_WIN32`, `__APPLE__`
 * undefined, `__linux__`, `__GNUC__` defined); else a feature macro is taken to be defined
 * (`#ifdef HAVE_POLL` keeps its first branch, `#ifndef HAVE_POLL` its `#else`) and an undecidable
 * test (a version comparison) keeps its branch. Functions that parse as they are keep both
 * configurations (the control-flow graph correlates their `#if` blocks). Where a feature
 * assumption chose a recovered function's branches, a second copy takes those features as not
 * defined (`features: 'undefined'`), and the function is analysed in that configuration too.
 */
export interface RecoveredText {
  readonly text: string;
  readonly tree: Tree;
  /** The regions resolved (functions with errors, file-level error regions), in order. */
  readonly regions: readonly (readonly [number, number])[];
  /** Conditional groups resolved and macros rewritten, in the regions kept. */
  readonly rewrites: number;
  /** Functions that parse whole in the copy and did not in the text (net). */
  readonly functionsRecovered: number;
  /**
   * The conditional groups of the regions kept whose branch a feature assumption chose (neither
   * the build nor the platform decides `#ifdef HAVE_IOCTL`), with the names it assumed: where
   * the other configuration is worth analysing too (see otherConfiguration).
   */
  readonly assumed: readonly AssumedGroup[];
}

export interface AssumedGroup {
  /** The group, from its first directive's line start to the end of its `#endif` line. */
  readonly start: number;
  readonly end: number;
  readonly names: readonly string[];
}

/**
 * undefined: the tree has no errors, or no copy parses better. `reuseTree`: the tree is the
 * caller's to give away: it is edited and re-parsed incrementally (much cheaper than a fresh parse)
 * and must not be used afterwards.
 */
export function recoverText(language: Language, text: string, originalTree: Tree, configuration?: PreprocessorConfiguration, reuseTree = false, features: FeatureAssumption = 'defined'): RecoveredText | undefined {
  let tree = originalTree;
  // Without errors only C++ may need a copy (block macros it takes for nested functions).
  if (!tree.rootNode.hasError && language !== 'cpp') return undefined;
  // A tree that is not ours may come from incremental parses (an editor's): error recovery can
  // shape its errors differently from a fresh parse, and the copy must be the CLI's.
  if (!reuseTree && tree.rootNode.hasError) tree = parseText(language, text);
  // The raw tree's functions and errors, read only when there is something to compare (the walk costs).
  let rawStatsRead: TreeStats | undefined;
  const rawStats = (): TreeStats => (rawStatsRead ??= treeStats(tree.rootNode));
  if (language === 'cpp' && !tree.rootNode.hasError && rawStats().nested.length === 0) return undefined;
  // Only regions where a function is (or may be, behind the errors) matter: the rules analyse functions.
  const errors = tree.rootNode.hasError ? joinedAcrossItems(errorRegions(tree.rootNode, text), rawStats).filter((r) => r.isFunction || holdsFunctionHead(text, r.start, r.end)) : [];
  const regions = language === 'cpp' ? withBlockMacroFunctions(errors, rawStats()) : errors;
  if (regions.length === 0) return undefined;
  const chars = codesOf(text);
  let assumedNames = new Set<string>();
  const lookup = recoveryLookup(language, configuration, features, (name) => assumedNames.add(name));
  // What each region rewrote: its own lines and the groups it resolved (which may reach beyond).
  const spans = regions.map((r): [number, number] => [r.start, r.end]);
  const rewrites = regions.map(() => 0);
  const assumedGroups: { group: AssumedGroup; regions: number[] }[] = [];
  const foreign = otherPlatformMarks(text, configuration?.platform);
  for (const group of conditionalGroups(text)) {
    const touching = regions.flatMap(({ start, end }, k) => (group.start < end && group.end > start && !(group.start < start && group.end > end) ? [k] : []));
    if (touching.length === 0) continue;
    assumedNames = new Set();
    resolveGroup(chars, group, lookup, foreign);
    if (assumedNames.size > 0) assumedGroups.push({ group: { start: group.start, end: group.end, names: [...assumedNames] }, regions: touching });
    for (const k of touching) {
      spans[k] = [Math.min(spans[k]![0], group.start), Math.max(spans[k]![1], group.end)];
      rewrites[k]!++;
    }
  }
  let resolved = textOf(chars);
  const depths = braceDepths(resolved, regions.map((r) => r.start));
  regions.forEach((region, k) => {
    // A "function" that starts inside braces is one the grammar made of a broken function's pieces.
    const isFunction = region.isFunction && depths[k] === 0;
    // Outside a known function body C++ has constructors (`Conn(int fd) {`), which look like block
    // macros: there only macro-like names (`Q_FOREACH`, `list_for_each`) are taken for them.
    const blockNames = language === 'cpp' && !isFunction ? CPP_BLOCK_MACRO : undefined;
    rewrites[k]! += rewriteStatementMacros(resolved, chars, isFunction ? region.bodyStart : region.start, region.end, depths[k]!, blockNames);
  });
  if (rewrites.every((n) => n === 0)) return undefined;
  resolved = textOf(chars);
  const lines = new LineMap(text);
  // Read before the re-parse edits the tree.
  const before = spanScores(treeStats(tree.rootNode, lines, spans), spans);
  // Edited from the text's tree, so unchanged regions keep their nodes (and parse no differently).
  let recovered = reparse(language, text, resolved, reuseTree || tree !== originalTree ? tree : parseText(language, text));
  // A region whose copy parses no better than the text goes back to the text (both configurations).
  let after = spanScores(treeStats(recovered.rootNode, lines, spans), spans);
  let reverted = false;
  spans.forEach(([start, end], k) => {
    // Better: more whole functions, or as many with fewer bytes in error regions.
    if (rewrites[k] === 0 || after.whole[k]! > before.whole[k]! || (after.whole[k] === before.whole[k] && after.errorBytes[k]! < before.errorBytes[k]!)) return;
    chars.set(codesOf(text.slice(start, end)), start);
    rewrites[k] = 0;
    reverted = true;
  });
  if (reverted) {
    if (rewrites.every((n) => n === 0)) return undefined;
    const previous = resolved;
    resolved = textOf(chars);
    recovered = reparse(language, previous, resolved, recovered);
    after = spanScores(treeStats(recovered.rootNode, lines, spans), spans);
  }
  // Outside the regions kept the copy is the text (and its tree the text's).
  const kept = spans.flatMap((_, k) => (rewrites[k]! > 0 ? [k] : []));
  const sum = (values: number[]) => kept.reduce((total, k) => total + values[k]!, 0);
  const functionsRecovered = sum(after.whole) - sum(before.whole);
  if (functionsRecovered < 0 || (functionsRecovered === 0 && sum(after.errorBytes) >= sum(before.errorBytes))) return undefined;
  const assumed = assumedGroups.filter((a) => a.regions.some((k) => rewrites[k]! > 0)).map((a) => a.group);
  return { text: resolved, tree: recovered, regions: kept.map((k) => [regions[k]!.start, regions[k]!.end] as const), rewrites: rewrites.reduce((a, b) => a + b, 0), functionsRecovered, assumed };
}

/**
 * File-level error regions with no whole function between them are one: the pieces of one function
 * the grammar broke apart (its statements in between parse as file-level items). Its `#if` groups
 * must all be resolved, and its head is in the first piece only.
 */
function joinedAcrossItems(regions: ErrorRegion[], stats: () => TreeStats): ErrorRegion[] {
  // The tree's functions are read (a walk) only when there is something to join.
  if (regions.filter((r) => !r.isFunction).length < 2) return regions;
  const joined: ErrorRegion[] = [];
  for (const region of regions) {
    const last = joined.at(-1);
    const functionBetween = last && stats().functions.some(([start, end, whole]) => whole && start >= last.end && end <= region.start);
    if (last && !last.isFunction && !region.isFunction && !functionBetween) joined[joined.length - 1] = { ...last, end: region.end };
    else joined.push(region);
  }
  return joined;
}

/**
 * The tree of `next`, a copy of `previous` (same length and line breaks) whose tree is `tree`
 * (edited, so not usable afterwards): incrementally, each changed stretch an edit.
 */
const MAX_TREE_EDITS = 32;

function reparse(language: Language, previous: string, next: string, tree: Tree): Tree {
  const lines = new LineMap(next);
  const positionOf = (offset: number) => {
    const row = lines.lineOf(offset);
    return { row, column: offset - lines.offsetOf(row, 0) };
  };
  // Changed stretches (closer than a line apart: one), each an edit of the tree. Each edit walks
  // the tree, so past a few dozen they are one edit from the first change to the last.
  const stretches: [number, number][] = [];
  const n = next.length;
  for (let i = 0; i < n; i++) {
    if (previous.charCodeAt(i) === next.charCodeAt(i)) continue;
    let end = i + 1;
    for (let j = end; j < n && j < end + 80; j++) if (previous.charCodeAt(j) !== next.charCodeAt(j)) end = j + 1;
    stretches.push([i, end]);
    i = end - 1;
  }
  if (stretches.length === 0) return tree;
  const edits = stretches.length > MAX_TREE_EDITS ? [[stretches[0]![0], stretches.at(-1)![1]] as [number, number]] : stretches;
  for (const [start, end] of edits) {
    const startPosition = positionOf(start);
    const endPosition = positionOf(end);
    tree.edit({ startIndex: start, oldEndIndex: end, newEndIndex: end, startPosition, oldEndPosition: endPosition, newEndPosition: endPosition });
  }
  return parseText(language, next, tree);
}
