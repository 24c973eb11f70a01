import { checkFile } from '../core/analyze.js';
import type { ResolvedConfig, RuleSetting } from '../core/config.js';
import type { FileFacts, FunctionFact } from '../core/facts.js';
import { compareFindings, linesShownIn, moveFinding, type Finding } from '../core/findings.js';
import type { Language } from '../core/language.js';
import type { SyntaxNode, Tree } from '../core/parser.js';
import type { ProjectIndex } from '../core/project-index.js';
import type { AnalysisSettings } from '../core/settings.js';
import { sourceFromTree, type SourceFile } from '../core/source-file.js';
import { ALL_RULES } from '../rules/index.js';
import { indexSignature, shiftLines, splitFacts } from './unit-facts.js';

/**
 * Re-checking only what an edit can affect. A document is cut into units — its outermost
 * function definitions — and a skeleton (everything else: declarations, macros, types). After an
 * edit, units whose text is unchanged keep their facts (shifted if they moved) and their findings;
 * only the edited units' facts are extracted again, from the document's re-parsed tree, and only
 * they are checked: a fraction of the whole file.
 *
 * The whole file is analysed again (the "full" path) when the shortcut could be wrong: the
 * skeleton changed (globals, macros, types feed every unit), an edited unit now contributes
 * different facts to the project index (other functions' findings may change), the project or the
 * configuration changed, or too much changed to be worth it.
 */

interface Unit {
  readonly text: string;
  /** `function_definition`, or `template_declaration` for a function template. */
  readonly type: string;
  startIndex: number;
  endIndex: number;
  /** 0-based rows and start column, from the tree. */
  startRow: number;
  endRow: number;
  startColumn: number;
  facts: FileFacts;
  signature: string;
  findings: Finding[];
}

interface UnitNode {
  readonly node: SyntaxNode;
  readonly text: string;
}

/** Where a unit is in the new text: from the tree, or (fast path) from the old place and the edit. */
interface Placement {
  readonly text: string;
  readonly type: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startRow: number;
  readonly endRow: number;
  readonly startColumn: number;
  /** The unit's node, when at hand (found again by position when needed). */
  readonly node?: SyntaxNode;
}

/** How the new text's units relate to the last analysis's. */
interface UnitMatch {
  readonly placements: readonly Placement[];
  /** Per placement: the unit of the last analysis with the same text, if any. */
  readonly kept: readonly (Unit | undefined)[];
  /** Placements without one (edited, added). */
  readonly changed: readonly number[];
  /** Units of the last analysis without a placement (edited, removed). */
  readonly removed: readonly Unit[];
  readonly by: 'edit' | 'text';
}

/** The span of the new text the edits since the last parse cover, and how much longer they made it. */
export interface EditedSpan {
  readonly start: number;
  readonly end: number;
  readonly delta: number;
}

/** Node types that can hold function definitions without being one (walked to find units). */
const CONTAINERS = new Set([
  'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef',
  'namespace_definition', 'declaration_list', 'linkage_specification',
  'declaration', 'class_specifier', 'struct_specifier', 'union_specifier', 'field_declaration_list', 'template_declaration',
  // Error recovery often wraps the rest of a real file in one ERROR node (tree-sitter-c trips on
  // `enum e f(…) {` in memcached.c, for one); the functions inside still parse as such.
  'ERROR',
]);

/** More changed units than this and the whole file is cheaper to redo than to patch. */
const MAX_CHANGED_UNITS = 12;

/**
 * The outermost function definitions, walking only into nodes that can contain them (asking the
 * tree for every function definition instead walks all of its nodes: 8 ms on 5,000 lines).
 */
export function findUnits(root: SyntaxNode, text: string): UnitNode[] {
  const out: UnitNode[] = [];
  const visit = (node: SyntaxNode) => {
    for (const child of node.namedChildren) {
      if (child.type === 'function_definition') out.push({ node: child, text: ownCopy(text.slice(child.startIndex, child.endIndex)) });
      // A function template is one unit with its template header (which is part of its text).
      else if (child.type === 'template_declaration' && child.namedChildren.some((c) => c.type === 'function_definition')) out.push({ node: child, text: ownCopy(text.slice(child.startIndex, child.endIndex)) });
      else if (CONTAINERS.has(child.type)) visit(child);
    }
  };
  visit(root);
  return out;
}

export interface AnalysisInput {
  readonly path: string;
  readonly text: string;
  /** The document's tree, already re-parsed for `text`. */
  readonly tree: Tree;
  readonly language: Language;
  readonly config: ResolvedConfig;
  readonly settings: AnalysisSettings;
  readonly overrides: Readonly<Record<string, RuleSetting['severity']>>;
  /** Changes whenever anything outside this document that checks depend on changes. */
  readonly contextKey: string;
  /** The project index with this document's facts replaced by `facts`. */
  readonly indexWith: (facts: readonly FileFacts[]) => ProjectIndex;
  /** The tree `tree` was re-parsed from (edited to match `text`) and the span the edits covered. */
  readonly previous?: { readonly tree: Tree; readonly edited: EditedSpan | undefined };
}

export interface AnalysisOutput {
  readonly findings: Finding[];
  /** This document's facts for the project index (skeleton + one piece per unit). */
  readonly facts: readonly FileFacts[];
  readonly mode: 'full' | 'incremental';
  /** Units analysed this time (all of them on the full path). */
  readonly unitsChecked: number;
  /** Incremental: how the edited units were told from the rest (by the edits' span, or by comparing texts). */
  readonly matchedBy?: 'edit' | 'text';
  /** Milliseconds spent per phase: units (finding functions), facts, index, rules. */
  readonly times?: Readonly<Record<string, number>>;
}

/** Per-document state of the incremental analysis. */
export class IncrementalAnalyzer {
  private units: Unit[] = [];
  private skeletonText: string | undefined;
  private skeletonFacts: FileFacts | undefined;
  /** Findings outside every unit (file scope), from the last analysis that looked at the skeleton. */
  private skeletonFindings: Finding[] = [];
  private contextKey: string | undefined;
  private globals: ReadonlySet<string> = new Set();

  /** Milliseconds per phase of the current analysis (for `trace.server: verbose`). */
  private times: Record<string, number> = {};

  /** The tree of the last analysis: an edit-based match needs the new tree re-parsed from it. */
  private lastTree: Tree | undefined;

  analyze(input: AnalysisInput): AnalysisOutput {
    this.times = {};
    const output = this.analyzeInner(input);
    this.lastTree = input.tree;
    return { ...output, times: this.times };
  }

  private analyzeInner(input: AnalysisInput): AnalysisOutput {
    if (this.contextKey === input.contextKey && this.skeletonFacts) {
      const withinOne = this.timed('units', () => this.matchWithinOneUnit(input));
      // Where this match cannot be patched (the edited function now feeds the index differently,
      // say), matching by text could not either: the same function changed.
      if (withinOne) return this.tryIncremental(input, withinOne) ?? this.full(input, this.timed('units', () => findUnits(input.tree.rootNode, input.text)));
    }
    const nodes = this.timed('units', () => findUnits(input.tree.rootNode, input.text));
    const match = this.contextKey === input.contextKey ? this.matchByText(input, nodes) : undefined;
    return (match && this.tryIncremental(input, match)) ?? this.full(input, nodes);
  }

  private timed<T>(phase: string, run: () => T): T {
    const start = performance.now();
    try {
      return run();
    } finally {
      this.times[phase] = (this.times[phase] ?? 0) + performance.now() - start;
    }
  }

  /** Drops trees and caches (closed document). */
  release(): void {
    this.units = [];
    this.skeletonText = undefined;
    this.skeletonFacts = undefined;
    this.skeletonFindings = [];
    this.globals = new Set();
    this.lastTree = undefined;
  }

  private skeletonOf(text: string, nodes: readonly UnitNode[]): string {
    const parts: string[] = [];
    let at = 0;
    for (const { node } of nodes) {
      parts.push(text.slice(at, node.startIndex), '\u0000');
      at = node.endIndex;
    }
    parts.push(text.slice(at));
    return parts.join('');
  }

  private check(input: AnalysisInput, file: SourceFile, index: ProjectIndex): Finding[] {
    return this.timed('rules', () => checkFile(file, index, input.settings, { rules: ALL_RULES, config: input.config, overrides: input.overrides }));
  }

  private index(input: AnalysisInput, facts: readonly FileFacts[]): ProjectIndex {
    return this.timed('index', () => input.indexWith(facts));
  }

  private full(input: AnalysisInput, nodes: readonly UnitNode[]): AnalysisOutput {
    const file = this.timed('facts', () => sourceFromTree(input.path, input.text, input.language, input.tree, input.settings));
    const units = nodes.map(({ node, text }) => this.newUnit(placementOf(node, text)));
    const { skeleton, pieces } = this.split(file.facts, units);
    const index = this.index(input, [skeleton, ...pieces]);
    const findings = this.check(input, file, index);
    const defined = (name: string) => index.functionsNamed(name).length > 0;
    units.forEach((u, i) => {
      u.facts = pieces[i]!;
      u.signature = indexSignature(u.facts, defined);
    });
    this.assignFindings(findings, units);
    this.skeletonFindings = findings.filter((f) => !units.some((u) => inUnit(f, u)));
    this.units = units;
    this.skeletonText = this.skeletonOf(input.text, nodes);
    this.skeletonFacts = skeleton;
    this.globals = file.syntax.globals;
    this.contextKey = input.contextKey;
    return { findings, facts: [skeleton, ...pieces], mode: 'full', unitsChecked: units.length };
  }

  /**
   * The common case while typing, without walking the tree for every unit: every edit since the
   * last analysis lies inside one unit, and tree-sitter reports no change of structure outside it
   * (so the skeleton and every other unit are the same, the ones after it shifted).
   */
  private matchWithinOneUnit(input: AnalysisInput): UnitMatch | undefined {
    const previous = input.previous;
    if (!previous?.edited || previous.tree !== this.lastTree) return undefined;
    const { start, end, delta } = previous.edited;
    const k = this.units.findIndex((u) => u.startIndex < start && end - delta < u.endIndex);
    if (k < 0) return undefined;
    const old = this.units[k]!;
    const newEnd = old.endIndex + delta;
    for (const range of previous.tree.getChangedRanges(input.tree)) if (range.startIndex < old.startIndex || range.endIndex > newEnd) return undefined;
    const node = input.tree.rootNode.namedDescendantForIndex(old.startIndex, newEnd);
    if (node.type !== old.type || node.startIndex !== old.startIndex || node.endIndex !== newEnd) return undefined;
    const rowDelta = node.endPosition.row - old.endRow;
    const placements = this.units.map((u, i): Placement => {
      if (i < k) return u;
      if (i === k) return { text: ownCopy(input.text.slice(old.startIndex, newEnd)), type: old.type, startIndex: old.startIndex, endIndex: newEnd, startRow: old.startRow, endRow: node.endPosition.row, startColumn: old.startColumn, node };
      return { text: u.text, type: u.type, startIndex: u.startIndex + delta, endIndex: u.endIndex + delta, startRow: u.startRow + rowDelta, endRow: u.endRow + rowDelta, startColumn: u.startColumn };
    });
    const kept = this.units.map((u, i) => (i === k ? undefined : u));
    return { placements, kept, changed: [k], removed: [old], by: 'edit' };
  }

  /** Matches the units found in the new tree to the last analysis's by text; undefined if the skeleton changed. */
  private matchByText(input: AnalysisInput, nodes: readonly UnitNode[]): UnitMatch | undefined {
    if (this.skeletonText === undefined || !this.skeletonFacts) return undefined;
    if (this.skeletonOf(input.text, nodes) !== this.skeletonText) return undefined;
    const byText = new Map<string, Unit[]>();
    for (const u of this.units) {
      const list = byText.get(u.text);
      if (list) list.push(u);
      else byText.set(u.text, [u]);
    }
    const kept: (Unit | undefined)[] = [];
    const changed: number[] = [];
    const placements = nodes.map(({ node, text }, i): Placement => {
      const placement = placementOf(node, text);
      const candidates = byText.get(text);
      const pick = candidates?.findIndex((u) => u.startRow === placement.startRow) ?? -1;
      const old = candidates && candidates.length > 0 ? candidates.splice(pick >= 0 ? pick : 0, 1)[0] : undefined;
      if (old && old.startColumn === placement.startColumn) kept.push(old);
      else {
        kept.push(undefined);
        changed.push(i);
      }
      return placement;
    });
    return { placements, kept, changed, removed: [...byText.values()].flat(), by: 'text' };
  }

  private tryIncremental(input: AnalysisInput, match: UnitMatch): AnalysisOutput | undefined {
    if (!this.skeletonFacts) return undefined;
    const { placements, kept: next, changed } = match;
    const { removed } = match;
    if (changed.length > MAX_CHANGED_UNITS || changed.length !== removed.length) return undefined;

    // First line (1-based) the edit touched: findings at or below it may point at moved text.
    const dirtyLine = Math.min(...changed.map((i) => placements[i]!.startRow + 1), ...removed.map((u) => u.startRow + 1), Number.MAX_SAFE_INTEGER);
    // Findings at file scope (outside every function) come from whole-file passes only.
    if (this.skeletonFindings.some((f) => touchesFrom(f, input.path, dirtyLine))) return undefined;
    const recheck = new Set(changed);
    for (const [i, unit] of next.entries()) {
      if (!unit) continue;
      const place = placements[i]!;
      const delta = place.startRow - unit.startRow;
      shiftLines(unit.facts, delta);
      // A finding that shows only its own function (or lines above the edit) moves with it; one
      // that also shows edited or moved lines elsewhere is worked out again.
      const from = unit.startRow + 1;
      const to = unit.endRow + 1;
      const movable = unit.findings.every((f) => linesShownIn(f, input.path).every((r) => (r.line >= from && r.endLine <= to) || r.endLine < dirtyLine));
      if (!movable) recheck.add(i);
      else if (delta !== 0) unit.findings = unit.findings.map((f) => moveFinding(f, input.path, from, to, delta));
      unit.startIndex = place.startIndex;
      unit.endIndex = place.endIndex;
      unit.startRow = place.startRow;
      unit.endRow = place.endRow;
    }
    const units = placements.map((place, i) => next[i] ?? this.newUnit(place));
    if (recheck.size === 0) {
      // The same text as last time: nothing to analyse.
      return this.commit(match, units, this.skeletonFacts, [...this.skeletonFindings, ...units.flatMap((u) => u.findings)], 0);
    }

    // Facts of the re-checked units only, from the document's own tree: the same facts a whole-file
    // pass would give them (the skeleton, and so the file-scope names, is unchanged).
    const order = [...recheck].sort((a, b) => a - b);
    const rechecked = order.map((i) => units[i]!);
    const roots = order.map((i) => placements[i]!.node ?? this.nodeOf(input.tree, placements[i]!));
    if (roots.some((r) => r === undefined)) return undefined;
    const file = this.timed('facts', () => sourceFromTree(input.path, input.text, input.language, input.tree, input.settings, [], { roots: roots as SyntaxNode[], globals: this.globals }));
    const { pieces } = this.split(file.facts, rechecked);
    rechecked.forEach((u, i) => (u.facts = pieces[i]!));
    const skeleton = this.skeletonFacts;
    const index = this.index(input, [skeleton, ...units.map((u) => u.facts)]);
    // An edited unit that now feeds the index differently can change any function's findings.
    // (Which functions are defined did not change unless the signatures differ anyway.)
    const defined = (name: string) => index.functionsNamed(name).length > 0;
    for (const u of rechecked) u.signature = indexSignature(u.facts, defined);
    const before = removed.map((u) => u.signature).sort();
    const after = changed.map((i) => units[i]!.signature).sort();
    if (before.join('\u0001') !== after.join('\u0001')) return undefined;

    const fresh = this.check(input, file, index);
    this.assignFindings(fresh, rechecked);
    const findings = [...this.skeletonFindings, ...units.flatMap((u) => u.findings)];
    return this.commit(match, units, skeleton, findings, rechecked.length);
  }

  private commit(match: UnitMatch, units: Unit[], skeleton: FileFacts, findings: Finding[], checked: number): AnalysisOutput {
    this.units = units;
    this.skeletonFacts = skeleton;
    findings.sort(compareFindings);
    return { findings, facts: [skeleton, ...units.map((u) => u.facts)], mode: 'incremental', unitsChecked: checked, matchedBy: match.by };
  }

  /** A unit's node in the tree, found by its place (a function keeps its range and type). */
  private nodeOf(tree: Tree, place: Placement): SyntaxNode | undefined {
    const node = tree.rootNode.namedDescendantForIndex(place.startIndex, place.endIndex);
    return node.type === place.type && node.startIndex === place.startIndex && node.endIndex === place.endIndex ? node : undefined;
  }

  private newUnit(place: Placement): Unit {
    return {
      text: place.text,
      type: place.type,
      startIndex: place.startIndex,
      endIndex: place.endIndex,
      startRow: place.startRow,
      endRow: place.endRow,
      startColumn: place.startColumn,
      facts: this.skeletonFacts ?? ({} as FileFacts),
      signature: '',
      findings: [],
    };
  }

  /** Splits facts of a prepared file over the given units (by position) and the skeleton. */
  private split(facts: FileFacts, units: readonly Unit[]): { skeleton: FileFacts; pieces: FileFacts[] } {
    // Units are in document order and do not overlap: binary search by start.
    const unitOf = (fn: FunctionFact) => {
      const row = fn.line - 1;
      const column = fn.column - 1;
      let lo = 0;
      let hi = units.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const u = units[mid]!;
        if (u.startRow < row || (u.startRow === row && u.startColumn <= column)) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      return found >= 0 && within(row, column, units[found]!) ? found : -1;
    };
    const { skeleton, units: pieces } = splitFacts(facts, unitOf, units.length);
    return { skeleton, pieces };
  }

  private assignFindings(findings: readonly Finding[], units: readonly Unit[]): void {
    for (const u of units) u.findings = [];
    for (const f of findings) {
      const unit = units.find((u) => inUnit(f, u));
      unit?.findings.push(f);
    }
  }
}

/**
 * A copy of a slice that does not keep the whole text it came from alive (V8 makes a slice a view
 * of its parent string). Units outlive many versions of the document: as views, every unit would
 * keep the text of the edit it was made in, a few hundred KB each.
 */
export function ownCopy(slice: string): string {
  return Buffer.from(slice, 'utf16le').toString('utf16le');
}

function placementOf(node: SyntaxNode, text: string): Placement {
  const start = node.startPosition;
  return { text, type: node.type, startIndex: node.startIndex, endIndex: node.endIndex, startRow: start.row, endRow: node.endPosition.row, startColumn: start.column, node };
}

function within(row: number, column: number, unit: Unit): boolean {
  if (row < unit.startRow || row > unit.endRow) return false;
  return row > unit.startRow || column >= unit.startColumn;
}

function inUnit(finding: Finding, unit: Unit): boolean {
  return within(finding.location.line - 1, finding.location.column - 1, unit);
}

/** Does the finding show anything (itself, notes, path steps, fix edits, lines it names) in `path` at or below `line`? */
function touchesFrom(finding: Finding, path: string, line: number): boolean {
  return linesShownIn(finding, path).some((r) => r.endLine >= line);
}
