import type { SyntaxNode } from './parser.js';
import type { LineMap } from './source-text.js';
import { lowerBound } from '../util/sorted.js';

/*
 * Where a tree has errors, and how well a tree parses within given spans: what recovery.ts repairs
 * and how it tells whether a copy parses better.
 */

export interface ErrorRegion {
  /** Whole lines. */
  readonly start: number;
  readonly end: number;
  /** Where statements start: a function's body, or the region itself. */
  readonly bodyStart: number;
  readonly isFunction: boolean;
}

/** Nodes whose children are top-level items (declarations, functions): an error is confined to its item. */
const CONTAINERS = new Set(['translation_unit', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef', 'linkage_specification', 'declaration_list']);
/** Complete top-level items: in a file whose root is an error, these (without errors) are not part of it. */
const ITEMS = new Set(['comment', 'declaration', 'function_definition', 'type_definition', 'linkage_specification', 'namespace_definition', 'template_declaration', 'class_specifier', 'struct_specifier', 'union_specifier', 'enum_specifier', ';', ...[...CONTAINERS].filter((t) => t.startsWith('preproc_')), 'preproc_def', 'preproc_function_def', 'preproc_include', 'preproc_call']);

/** A child of a root that is an error node which is no complete item: part of the error. */
function isDebris(child: SyntaxNode): boolean {
  return !(ITEMS.has(child.type) && !child.hasError) && child.type !== 'function_definition' && !CONTAINERS.has(child.type);
}

/**
 * Functions with errors, and file-level items with errors (whole lines; an error node directly in
 * the file is its own item), in order; neighbouring file-level ones merged. When tree-sitter could
 * not make a translation unit at all, the root is an error node holding the file's items and the
 * debris between them: the debris are the regions.
 */
export function errorRegions(root: SyntaxNode, text: string): ErrorRegion[] {
  const regions: ErrorRegion[] = [];
  // Line ends by binary search, not by scanning back from each error: thousands of errors on one
  // megabyte-long line made that quadratic.
  let breaks: number[] | undefined;
  const lineStart = (at: number) => {
    const list = (breaks ??= newlines(text));
    const i = lowerBound(list, at) - 1;
    return i >= 0 ? list[i]! + 1 : 0;
  };
  const lineEnd = (at: number) => {
    const list = (breaks ??= newlines(text));
    const i = lowerBound(list, at);
    return i < list.length ? list[i]! : text.length;
  };
  const add = (node: SyntaxNode): void => {
    const start = lineStart(node.startIndex);
    const end = lineEnd(Math.max(node.endIndex - 1, node.startIndex));
    const last = regions.at(-1);
    if (last && !last.isFunction && (last.end >= start || /^\s*$/.test(text.slice(last.end, start)))) regions[regions.length - 1] = { ...last, end: Math.max(last.end, end) };
    else regions.push({ start, end, bodyStart: start, isFunction: false });
  };
  // Depth first in document order, with a stack of its own: an expression thousands deep (a sum
  // of 20,000 terms with an error in it) would overflow the call stack.
  const visit = (top: SyntaxNode, topItem: SyntaxNode | undefined): void => {
    const stack: [SyntaxNode, SyntaxNode | undefined][] = [[top, topItem]];
    while (stack.length > 0) {
      const [node, item] = stack.pop()!;
      if (!node.hasError) continue;
      if (node.type === 'function_definition') {
        const body = node.childForFieldName('body');
        regions.push({ start: node.startIndex, end: node.endIndex, bodyStart: body?.startIndex ?? node.startIndex, isFunction: true });
        continue;
      }
      if (node.type === 'ERROR' || node.isMissing) {
        add(item ?? node);
        continue;
      }
      const childItem = CONTAINERS.has(node.type) ? undefined : (item ?? node);
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, childItem]);
    }
  };
  if (root.type === 'ERROR') {
    for (const child of root.children) {
      if (ITEMS.has(child.type) && !child.hasError) continue;
      if (child.type === 'function_definition' || CONTAINERS.has(child.type)) visit(child, undefined);
      else if (isDebris(child)) add(child);
    }
  } else {
    visit(root, undefined);
  }
  return regions;
}

/**
 * What decides whether a copy parses better, read once per tree: its functions (whole or not, and
 * whether a block macro misread as a nested function definition sits in them) and its outermost
 * error regions. Native walks only (`descendantsOfType`); nesting comes from ranges in document
 * order, not from `parent` (a walk down from the root per call).
 */
export interface TreeStats {
  /** Top-level functions (not inside another function): [start, end, whole]. */
  readonly functions: readonly (readonly [number, number, boolean])[];
  /** Functions defined inside another function's body: [start, end], and the outermost function's [start, end, body start]. */
  readonly nested: readonly { readonly start: number; readonly end: number; readonly outer: readonly [number, number, number] }[];
  /** Outermost ERROR regions: [start, end]. */
  readonly errors: readonly (readonly [number, number])[];
}

export function treeStats(root: SyntaxNode, lines?: LineMap, spans?: readonly (readonly [number, number])[]): TreeStats {
  const functions: [number, number, boolean][] = [];
  const nested: { start: number; end: number; outer: [number, number, number] }[] = [];
  const errors: [number, number][] = [];
  let outer: [number, number, boolean] | undefined;
  let outerNode: SyntaxNode | undefined;
  let coveredTo = -1;
  const types = root.hasError ? ['function_definition', 'ERROR'] : ['function_definition'];
  const point = (offset: number) => {
    const row = lines!.lineOf(offset);
    return { row, column: offset - lines!.offsetOf(row, 0) };
  };
  // One native walk for both (in document order, outer before inner), over the spans only if given.
  const nodes = spans && lines ? mergedSpans(spans).flatMap(([start, end]) => root.descendantsOfType(types, point(start), point(end))) : root.descendantsOfType(types);
  for (const node of nodes) {
    const start = node.startIndex;
    const end = node.endIndex;
    if (node.type === 'ERROR') {
      // The root itself when the grammar made no translation unit: its error children count, not it.
      if (start < coveredTo || (start === root.startIndex && end === root.endIndex)) continue;
      errors.push([start, end]);
      coveredTo = end;
      continue;
    }
    if (outer && start >= outer[0] && end <= outer[1]) {
      nested.push({ start, end, outer: [outer[0], outer[1], outerNode!.childForFieldName('body')?.startIndex ?? outer[0]] });
      outer[2] = false;
      continue;
    }
    // Whole: its body parses (an error in its head, such as an unknown macro before the type, leaves the body analysed).
    outer = [start, end, !node.hasError || node.childForFieldName("body")?.hasError === false];
    outerNode = node;
    functions.push(outer);
  }
  // When the grammar made no translation unit, the root's debris are the error regions too.
  if (root.type === 'ERROR') {
    for (const child of root.children) if (isDebris(child)) errors.push([child.startIndex, child.endIndex]);
    errors.sort((a, b) => a[0] - b[0]);
  }
  return { functions, nested, errors };
}

/** Spans sorted and overlapping ones joined. */
function mergedSpans(spans: readonly (readonly [number, number])[]): [number, number][] {
  const merged: [number, number][] = [];
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** Per span: whole functions in it, and bytes in error regions (misread nested functions included). */
export function spanScores(stats: TreeStats, spans: readonly (readonly [number, number])[]): { whole: number[]; errorBytes: number[] } {
  return {
    whole: spans.map(([start, end]) => stats.functions.filter(([s, e, whole]) => whole && s >= start && e <= end).length),
    errorBytes: spans.map(([start, end]) => {
      let bytes = 0;
      for (const [s, e] of stats.errors) if (s < end && e >= start) bytes += Math.max(1, Math.min(e, end) - Math.max(s, start));
      for (const { start: s, end: e } of stats.nested) if (s >= start && e <= end) bytes += e - s;
      return bytes;
    }),
  };
}

/**
 * The C++ grammar takes `Q_FOREACH(int x, xs) { … }` in a function body for a function defined
 * there (no error, and the block is analysed as a function of its own): the function holding such
 * a definition is a region too.
 */
export function withBlockMacroFunctions(regions: ErrorRegion[], stats: TreeStats): ErrorRegion[] {
  const extra: ErrorRegion[] = [];
  for (const { outer: [start, end, bodyStart] } of stats.nested) {
    if (regions.some((r) => r.start <= start && end <= r.end) || extra.some((r) => r.start === start)) continue;
    extra.push({ start, end, bodyStart, isFunction: true });
  }
  return extra.length === 0 ? regions : [...regions, ...extra].sort((a, b) => a.start - b.start);
}

/** Offsets of the line breaks of `text`, in order. */
function newlines(text: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i);
  return out;
}
