import type { Analyzer } from '../core/engine/analyzer.js';
import { callGraphOf } from '../core/project/call-graph.js';
import type { BuildConfiguration, ResolvedConfig, RuleSetting } from '../core/engine/config.js';
import type { FileFacts, FunctionFact } from '../core/project/facts.js';
import { compareFindings, linesShownIn, moveFinding, type Finding } from '../core/engine/findings.js';
import type { Language } from '../core/syntax/language.js';
import type Parser from 'tree-sitter';
import type { SyntaxNode, Tree } from '../core/syntax/parser.js';
import type { ProjectIndex } from '../core/project/project-index.js';
import type { AnalysisSettings } from '../core/engine/settings.js';
import { sourceFromDocumentTree, sourceFromTree, type SourceFile } from '../core/project/source-file.js';
import { hasBsdVariant } from '../core/project/platforms.js';
import type { LineMap } from '../core/syntax/source-text.js';
import { detached } from './detached.js';
import { indexSignature, shiftLines, splitFacts } from './unit-facts.js';
import { findUnits, matchByText, matchEditedUnit, matchWithinOneUnit, placementOf, skeletonOf, standsAtFileScope, unitHoldingEdit, unitNode, type EditedSpan, type Placement, type UnitMatch, type UnitNode, type UnitPlace } from './unit-match.js';

/**
 * Re-checking only what an edit can affect. A document is cut into units — its outermost
 * function definitions — and a skeleton (everything else: declarations, macros, types; see
 * unit-match.ts for telling which units an edit touched). After an edit, units whose text is
 * unchanged keep their facts (shifted if they moved) and their findings (moved with them); only the
 * edited units' facts are extracted again, from the document's re-parsed tree, and only they are
 * checked: a fraction of the whole file.
 *
 * The edited unit is usually parsed on its own (parseUnit): a tree-sitter parse of just its range,
 * re-using the document tree's nodes, costs a fraction of re-parsing the document (0.2-1.5 ms
 * against 4 ms on memcached.c, whose error-recovery regions are re-parsed on every edit). It
 * is used when the unit stands at file scope and parses without errors on its own (then its
 * subtree is the one the whole document would give: see standsAtFileScope) and no suppression
 * comment outside it could apply to it; the document tree is brought up to date when an analysis
 * needs it. Otherwise the document is re-parsed and tree-sitter's changed ranges tell whether the
 * edit stayed inside the unit.
 *
 * The whole file is analysed again (the "full" path) when the shortcut could be wrong: the
 * skeleton changed (globals, macros, types feed every unit), an edited unit now contributes
 * different facts to the project index (other functions' findings may change), the project or the
 * configuration changed, or too much changed to be worth it.
 */

interface Unit extends UnitPlace {
  startIndex: number;
  endIndex: number;
  startRow: number;
  endRow: number;
  startColumn: number;
  /** See standsAtFileScope: the unit may be parsed on its own. */
  atFileScope: boolean;
  facts: FileFacts;
  signature: string;
  findings: Finding[];
}

/** Suppression comments start with it (see core/suppressions.ts). */
const DIRECTIVE_MARK = 'connlint-';

/** More changed units than this and the whole file is cheaper to redo than to patch. */
const MAX_CHANGED_UNITS = 12;

export interface AnalysisInput {
  readonly path: string;
  readonly text: string;
  /** The document's tree for `text`, or how to get it (parsed only if the analysis needs the whole tree). */
  readonly tree: Tree | (() => Tree);
  /** Parses only `range` of `text`, re-using the document's tree: for a function edited inside. */
  readonly parseUnit?: (range: Parser.Range) => Tree;
  readonly language: Language;
  readonly config: ResolvedConfig;
  readonly settings: AnalysisSettings;
  /** The document's -D / -U from its compile database (its config's `compileCommands`). */
  readonly fileConfiguration?: BuildConfiguration;
  /** The rule set and engine the checks run through (the CLI's too). */
  readonly analyzer: Analyzer;
  readonly overrides: Readonly<Record<string, RuleSetting['severity']>>;
  /** Changes whenever anything outside this document that checks depend on changes. */
  readonly contextKey: string;
  /** The project index with this document's facts replaced by `facts`. */
  readonly indexWith: (facts: readonly FileFacts[]) => ProjectIndex;
  /** Line starts of `text`, when kept current by the caller (built from the text otherwise). */
  readonly lines?: LineMap;
  /** The tree `tree` is re-parsed from (edited to match `text`) and the span the edits since the last analysis cover. */
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
  /** The edited unit was parsed on its own (the document's tree was not re-parsed). */
  readonly unitParsed?: boolean;
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

  /**
   * The document tree the last analyses worked from: an edit-based match needs the new tree
   * re-parsed from it. Analyses that parse one unit alone leave it as it is (only edited since).
   */
  private lastTree: Tree | undefined;
  /**
   * Units parsed alone since `lastTree` was parsed: the only places where it may differ from a
   * re-parse. Each such analysis makes its unit anew, so there is one per analysis.
   */
  private parsedAlone = new Set<Unit>();
  /** The document tree of the current analysis, once asked for. */
  private documentTree: Tree | undefined;

  analyze(input: AnalysisInput): AnalysisOutput {
    this.times = {};
    this.documentTree = typeof input.tree === 'function' ? undefined : input.tree;
    const output = this.analyzeInner(input);
    if (this.documentTree || !output.unitParsed) {
      this.lastTree = this.documentTree;
      this.parsedAlone.clear();
    }
    this.documentTree = undefined;
    return { ...output, times: this.times };
  }

  /** Analyses since the document tree was last parsed that parsed the edited function alone (the tree is only edited meanwhile). */
  get unitParsesSinceTreeParse(): number {
    return this.parsedAlone.size;
  }

  /** The whole document's tree (parsed now if it was not given). */
  private tree(input: AnalysisInput): Tree {
    if (!this.documentTree) {
      const get = input.tree as () => Tree;
      this.documentTree = this.timed('parse', get);
    }
    return this.documentTree;
  }

  private analyzeInner(input: AnalysisInput): AnalysisOutput {
    const previous = input.previous;
    const sameContext = this.contextKey === input.contextKey && this.skeletonFacts !== undefined;
    if (sameContext && previous?.edited && input.parseUnit) {
      const alone = this.matchUnitParsedAlone(input, previous.edited, input.parseUnit);
      // If this match cannot be patched (the edited function now feeds the index differently,
      // say), no other match could either: the same function changed.
      if (alone) return this.tryIncremental(input, alone.match, alone.tree) ?? this.full(input, this.timed('units', () => findUnits(this.tree(input).rootNode, input.text)));
    }
    if (sameContext && previous?.edited && previous.tree === this.lastTree) {
      const edited = previous.edited;
      const tree = this.tree(input);
      const alsoChanged = this.units.filter((u) => this.parsedAlone.has(u));
      const withinOne = this.timed('units', () => matchWithinOneUnit(this.units, previous.tree, edited, tree, input.text, alsoChanged));
      if (withinOne) return this.tryIncremental(input, withinOne, tree) ?? this.full(input, this.timed('units', () => findUnits(tree.rootNode, input.text)));
    }
    const tree = this.tree(input);
    const nodes = this.timed('units', () => findUnits(tree.rootNode, input.text));
    const match = this.contextKey === input.contextKey && this.skeletonText !== undefined ? matchByText(this.units, this.skeletonText, input.text, nodes) : undefined;
    return (match && this.tryIncremental(input, match, tree)) ?? this.full(input, nodes);
  }

  /**
   * Every edit since the last analysis lies inside one unit that may be parsed on its own (see the
   * comment at the top), and so parsed it is a whole function without errors: that unit changed,
   * nothing else did.
   */
  private matchUnitParsedAlone(input: AnalysisInput, edited: EditedSpan, parseUnit: (range: Parser.Range) => Tree): { match: UnitMatch<Unit>; tree: Tree } | undefined {
    const k = unitHoldingEdit(this.units, edited);
    const old = this.units[k];
    if (!old?.atFileScope || !input.lines) return undefined;
    // Suppression comments apply to the lines they name: any outside the unit are not in its tree.
    if (this.skeletonText?.includes(DIRECTIVE_MARK) || this.units.some((u, i) => i !== k && u.text.includes(DIRECTIVE_MARK))) return undefined;
    const start = old.startIndex;
    const end = old.endIndex + edited.delta;
    const endRow = input.lines.lineOf(end);
    const range: Parser.Range = { startIndex: start, endIndex: end, startPosition: { row: old.startRow, column: old.startColumn }, endPosition: { row: endRow, column: end - input.lines.offsetOf(endRow, 0) } };
    const tree = this.timed('parse', () => parseUnit(range));
    const root = tree.rootNode;
    const node = root.hasError ? undefined : root.firstNamedChild;
    if (!node || node.type !== old.type || node.startIndex !== start || node.endIndex !== end || node.nextNamedSibling) return undefined;
    return { match: this.timed('units', () => matchEditedUnit(this.units, k, node, edited.delta, input.text, { atFileScope: true })), tree };
  }

  private timed<T>(phase: string, run: () => T): T {
    const start = performance.now();
    try {
      return run();
    } finally {
      this.times[phase] = (this.times[phase] ?? 0) + performance.now() - start;
    }
  }

  /**
   * The document was re-parsed (`tree`) with its text unchanged since the last analysis: after
   * analyses that parsed functions alone, the whole tree must show the same functions with the
   * same texts and the same skeleton. True if it does (and the tree serves the next edit-based
   * match); false drops the state, so the next analysis is a whole-file one.
   */
  documentReparsed(tree: Tree, text: string): boolean {
    const match = this.skeletonText !== undefined ? matchByText(this.units, this.skeletonText, text, findUnits(tree.rootNode, text)) : undefined;
    this.parsedAlone.clear();
    if (match && match.changed.length === 0 && match.removed.length === 0) {
      this.lastTree = tree;
      return true;
    }
    this.contextKey = undefined;
    this.lastTree = undefined;
    return false;
  }

  /** Drops trees and caches (closed document, or an analysis that failed half-way): the next analysis is whole-file. */
  release(): void {
    this.units = [];
    this.skeletonText = undefined;
    this.skeletonFacts = undefined;
    this.skeletonFindings = [];
    this.globals = new Set();
    this.lastTree = undefined;
    this.parsedAlone.clear();
    this.contextKey = undefined;
  }

  private check(input: AnalysisInput, file: SourceFile, index: ProjectIndex): Finding[] {
    return this.timed('rules', () => input.analyzer.check(file, index, { config: input.config, overrides: input.overrides, fileConfiguration: input.fileConfiguration }));
  }

  private index(input: AnalysisInput, facts: readonly FileFacts[]): ProjectIndex {
    return this.timed('index', () => input.indexWith(facts));
  }

  private full(input: AnalysisInput, nodes: readonly UnitNode[]): AnalysisOutput {
    const tree = this.tree(input);
    const file = this.timed('facts', () => sourceFromDocumentTree(input.path, input.text, input.language, tree, input.settings, { lines: input.lines }));
    if (file.recovery || file.bsd) return this.fullFromCopy(input, file);
    const units = nodes.map(({ node, text }) => this.newUnit(placementOf(node, text)));
    const { skeleton, pieces } = this.split(file.facts, units);
    // Kept until their functions change: they must not keep this version of the text alive.
    detached(skeleton);
    detached(pieces);
    // The same array goes to the index and out: the workspace sees the facts unchanged afterwards.
    const facts = [skeleton, ...pieces];
    const index = this.index(input, facts);
    const findings = detached(this.check(input, file, index));
    const read = readByIndex(index, input.analyzer);
    units.forEach((u, i) => {
      u.facts = pieces[i]!;
      u.signature = indexSignature(u.facts, read);
    });
    this.assignFindings(findings, units);
    this.skeletonFindings = findings.filter((f) => !units.some((u) => inUnit(f, u)));
    this.units = units;
    this.skeletonText = skeletonOf(input.text, nodes);
    this.skeletonFacts = skeleton;
    this.globals = file.syntax.globals;
    this.contextKey = input.contextKey;
    return { findings, facts, mode: 'full', unitsChecked: units.length };
  }

  /**
   * A document analysed through its configuration-resolved copy (functions the grammar cannot parse
   * as written), or with a BSD reading too (kqueue code, core/project/platforms.ts): its units are
   * not those of the document's tree, so nothing is kept for an incremental analysis; every
   * analysis of it is whole-file until it parses as written and holds no kqueue code.
   */
  private fullFromCopy(input: AnalysisInput, file: SourceFile): AnalysisOutput {
    const facts = [file.facts];
    const index = this.index(input, facts);
    const findings = this.check(input, file, index);
    this.release();
    return { findings, facts, mode: 'full', unitsChecked: file.syntax.functionNodes.length };
  }

  /** `tree`: the tree the match's new nodes are in (the document's, or the edited unit's alone). */
  private tryIncremental(input: AnalysisInput, match: UnitMatch<Unit>, tree: Tree): AnalysisOutput | undefined {
    if (!this.skeletonFacts || hasBsdVariant(input.text, input.language, input.settings.configuration)) return undefined;
    const { placements, kept: next, changed, removed } = match;
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
      return this.commit(match, units, [this.skeletonFacts, ...units.map((u) => u.facts)], 0);
    }

    // Facts of the re-checked units only, from the document's own tree: the same facts a whole-file
    // pass would give them (the skeleton, and so the file-scope names, is unchanged).
    const order = [...recheck].sort((a, b) => a - b);
    const rechecked = order.map((i) => units[i]!);
    let factsTree = tree;
    let roots = order.map((i) => placements[i]!.node ?? unitNode(factsTree, placements[i]!));
    if (roots.some((r) => !r) && tree !== this.documentTree) {
      // Another function is re-checked too (a finding of it shows the edited lines): it is not in
      // the edited function's own tree. All of them from the document's (where the edited one is the same).
      factsTree = this.tree(input);
      roots = order.map((i) => unitNode(factsTree, placements[i]!));
    }
    if (roots.some((r) => !r)) return undefined;
    const scope = { roots: roots as SyntaxNode[], globals: this.globals };
    const file = this.timed('facts', () => sourceFromTree(input.path, input.text, input.language, factsTree, input.settings, { scope, lines: input.lines }));
    const { pieces } = this.split(file.facts, rechecked);
    detached(pieces);
    rechecked.forEach((u, i) => (u.facts = pieces[i]!));
    const facts = [this.skeletonFacts, ...units.map((u) => u.facts)];
    const index = this.index(input, facts);
    // An edited unit that now feeds the index differently can change any function's findings.
    // (Which functions are defined did not change unless the signatures differ anyway.)
    const read = readByIndex(index, input.analyzer);
    for (const u of rechecked) u.signature = indexSignature(u.facts, read);
    const before = removed.map((u) => u.signature).sort();
    const after = changed.map((i) => units[i]!.signature).sort();
    if (before.join('\u0001') !== after.join('\u0001')) return undefined;

    const fresh = detached(this.check(input, file, index));
    this.assignFindings(fresh, rechecked);
    const unitParsed = factsTree !== this.documentTree;
    if (unitParsed) for (const u of rechecked) this.parsedAlone.add(u);
    return { ...this.commit(match, units, facts, rechecked.length), unitParsed };
  }

  /** `facts`: the skeleton's (unchanged) and each unit's, in order. */
  private commit(match: UnitMatch<Unit>, units: Unit[], facts: FileFacts[], checked: number): AnalysisOutput {
    this.units = units;
    const findings = [...this.skeletonFindings, ...units.flatMap((u) => u.findings)].sort(compareFindings);
    return { findings, facts, mode: 'incremental', unitsChecked: checked, matchedBy: match.by };
  }

  private newUnit(place: Placement): Unit {
    return {
      atFileScope: place.atFileScope ?? (place.node ? standsAtFileScope(place.node) : false),
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

/**
 * Calls whose sites the project index's answers read: calls of functions defined in the project
 * (callers, wrappers, the call graph), calls through fields and variables that hold project
 * functions (the graph's indirect edges), and of the library functions the facts providers declare.
 */
function readByIndex(index: ProjectIndex, analyzer: Analyzer): (callee: string, member: boolean) => boolean {
  const graph = callGraphOf(index);
  return (name, member) => analyzer.readsCallsTo.has(name) || index.functionsNamed(name).length > 0 || graph.holdsFunction(name, member);
}
