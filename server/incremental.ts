import { checkFile } from '../core/analyze.js';
import type { ResolvedConfig, RuleSetting } from '../core/config.js';
import type { FileFacts, FunctionFact } from '../core/facts.js';
import { compareFindings, type Finding } from '../core/findings.js';
import { detectLanguage, type Language } from '../core/language.js';
import type { SyntaxNode, Tree } from '../core/parser.js';
import type { ProjectIndex } from '../core/project-index.js';
import type { AnalysisSettings } from '../core/settings.js';
import { prepareSource } from '../core/source-file.js';
import { ALL_RULES } from '../rules/index.js';
import { indexSignature, shiftLines, splitFacts } from './unit-facts.js';

/**
 * Re-checking only what an edit can affect. A document is cut into units — its outermost
 * function definitions — and a skeleton (everything else: declarations, macros, types). After an
 * edit, units whose text is unchanged keep their facts (shifted if they moved) and their findings;
 * the edited units are analysed from a copy of the document in which every other unit is blanked
 * out (spaces, newlines kept, so positions stay exact), which costs a fraction of the whole file.
 *
 * The whole file is analysed again (the "full" path) when the shortcut could be wrong: the
 * skeleton changed (globals, macros, types feed every unit), an edited unit now contributes
 * different facts to the project index (other functions' findings may change), the project or the
 * configuration changed, or too much changed to be worth it.
 */

interface Unit {
  readonly text: string;
  startIndex: number;
  endIndex: number;
  /** 0-based rows and start column, from the tree. */
  startRow: number;
  endRow: number;
  startColumn: number;
  facts: FileFacts;
  signature: string;
  findings: Finding[];
  /** The unit's text with everything but line breaks turned into spaces. */
  blank?: string;
}

interface UnitNode {
  readonly node: SyntaxNode;
  readonly text: string;
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

export function findUnits(root: SyntaxNode, text: string): UnitNode[] {
  const out: UnitNode[] = [];
  const visit = (node: SyntaxNode) => {
    for (const child of node.namedChildren) {
      if (child.type === 'function_definition') out.push({ node: child, text: text.slice(child.startIndex, child.endIndex) });
      // A function template is one unit with its template header (blanking only the function would leave `template<…>` dangling).
      else if (child.type === 'template_declaration' && child.namedChildren.some((c) => c.type === 'function_definition')) out.push({ node: child, text: text.slice(child.startIndex, child.endIndex) });
      else if (CONTAINERS.has(child.type)) visit(child);
    }
  };
  visit(root);
  return out;
}

function blankOf(unit: Unit): string {
  unit.blank ??= blankOut(unit.text);
  return unit.blank;
}

/**
 * `text` with every UTF-16 unit but line breaks turned into a space, as one flat string. (A regex
 * replace builds a string that V8 flattens again on every join: 5 ms per edit on a 5,000-line file.)
 */
export function blankOut(text: string): string {
  const bytes = Buffer.alloc(text.length, 0x20);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) bytes[i] = 0x0a;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) bytes[i] = 0x0d;
  return bytes.toString('latin1');
}

/** Row/column of an offset (0-based), counting line breaks. */
function pointAt(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
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
}

export interface AnalysisOutput {
  readonly findings: Finding[];
  /** This document's facts for the project index (skeleton + one piece per unit). */
  readonly facts: readonly FileFacts[];
  readonly mode: 'full' | 'incremental';
  /** Units analysed this time (all of them on the full path). */
  readonly unitsChecked: number;
}

/** Per-document state of the incremental analysis. */
export class IncrementalAnalyzer {
  private units: Unit[] = [];
  private skeletonText: string | undefined;
  private skeletonFacts: FileFacts | undefined;
  /** Findings outside every unit (file scope), from the last analysis that looked at the skeleton. */
  private skeletonFindings: Finding[] = [];
  private contextKey: string | undefined;
  private blankText: string | undefined;
  private blankTree: Tree | undefined;

  analyze(input: AnalysisInput): AnalysisOutput {
    const nodes = findUnits(input.tree.rootNode, input.text);
    return this.tryIncremental(input, nodes) ?? this.full(input, nodes);
  }

  /** Drops trees and caches (closed document). */
  release(): void {
    this.units = [];
    this.skeletonText = undefined;
    this.skeletonFacts = undefined;
    this.skeletonFindings = [];
    this.blankText = undefined;
    this.blankTree = undefined;
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

  private check(input: AnalysisInput, file: ReturnType<typeof prepareSource>, facts: readonly FileFacts[]): Finding[] {
    return checkFile(file, input.indexWith(facts), input.settings, { rules: ALL_RULES, config: input.config, overrides: input.overrides });
  }

  private full(input: AnalysisInput, nodes: readonly UnitNode[]): AnalysisOutput {
    const file = prepareSource(input.path, input.text, input.settings, [], input.tree);
    const units = nodes.map(({ node, text }) => this.newUnit(node, text));
    const { skeleton, pieces } = this.split(file.facts, units);
    const findings = this.check(input, file, [skeleton, ...pieces]);
    units.forEach((u, i) => {
      u.facts = pieces[i]!;
      u.signature = indexSignature(u.facts);
    });
    this.assignFindings(findings, units);
    this.skeletonFindings = findings.filter((f) => !units.some((u) => inUnit(f, u)));
    this.units = units;
    this.skeletonText = this.skeletonOf(input.text, nodes);
    this.skeletonFacts = skeleton;
    this.contextKey = input.contextKey;
    // The blanked copy's tree is only reusable against the blanked text it was parsed from.
    this.blankText = undefined;
    this.blankTree = undefined;
    return { findings, facts: [skeleton, ...pieces], mode: 'full', unitsChecked: units.length };
  }

  private tryIncremental(input: AnalysisInput, nodes: readonly UnitNode[]): AnalysisOutput | undefined {
    if (this.contextKey !== input.contextKey || this.skeletonText === undefined || !this.skeletonFacts) return undefined;
    if (this.skeletonOf(input.text, nodes) !== this.skeletonText) return undefined;

    // Match units by text; the unmatched ones were edited (or added/removed).
    const byText = new Map<string, Unit[]>();
    for (const u of this.units) {
      const list = byText.get(u.text);
      if (list) list.push(u);
      else byText.set(u.text, [u]);
    }
    const next: (Unit | undefined)[] = [];
    const changed: number[] = [];
    for (const [i, { node, text }] of nodes.entries()) {
      const candidates = byText.get(text);
      const row = node.startPosition.row;
      const pick = candidates?.findIndex((u) => u.startRow === row) ?? -1;
      const old = candidates && candidates.length > 0 ? candidates.splice(pick >= 0 ? pick : 0, 1)[0] : undefined;
      if (old && old.startColumn === node.startPosition.column) next.push(old);
      else {
        next.push(undefined);
        changed.push(i);
      }
    }
    const removed = [...byText.values()].flat();
    if (changed.length > MAX_CHANGED_UNITS || changed.length !== removed.length) return undefined;

    // First line (1-based) the edit touched: findings at or below it may point at moved text.
    const dirtyLine = Math.min(...changed.map((i) => nodes[i]!.node.startPosition.row + 1), ...removed.map((u) => u.startRow + 1), Number.MAX_SAFE_INTEGER);
    const recheck = new Set(changed);
    for (const [i, unit] of next.entries()) {
      if (!unit) continue;
      const { node } = nodes[i]!;
      const delta = node.startPosition.row - unit.startRow;
      shiftLines(unit.facts, delta);
      unit.startIndex = node.startIndex;
      unit.endIndex = node.endIndex;
      unit.startRow = node.startPosition.row;
      unit.endRow = node.endPosition.row;
      if (unit.findings.length > 0 && (delta !== 0 || unit.findings.some((f) => touchesFrom(f, input.path, dirtyLine)))) recheck.add(i);
    }
    const units = nodes.map(({ node, text }, i) => next[i] ?? this.newUnit(node, text));
    if (recheck.size === 0) {
      // The same text as last time: nothing to analyse.
      return this.commit(input, units, this.skeletonFacts, [...this.skeletonFindings, ...units.flatMap((u) => u.findings)], 0);
    }

    // The document with every unit not being re-checked blanked out.
    const parts: string[] = [];
    let at = 0;
    units.forEach((u, i) => {
      parts.push(input.text.slice(at, u.startIndex), recheck.has(i) ? u.text : blankOf(u));
      at = u.endIndex;
    });
    parts.push(input.text.slice(at));
    const blanked = parts.join('');
    if (detectLanguage(input.path, blanked, input.settings.headerLanguage) !== input.language) return undefined;
    const file = prepareSource(input.path, blanked, input.settings, [], this.editedBlankTree(blanked));
    this.blankText = blanked;
    this.blankTree = file.tree;

    const rechecked = units.filter((_, i) => recheck.has(i));
    // Each re-checked unit must parse as the same function in the blanked copy (error recovery
    // around it could differ); otherwise trust only the whole file.
    const starts = new Set(file.facts.functions.map((f) => `${f.line}:${f.column}`));
    if (rechecked.some((u) => !u.text.startsWith('template') && !starts.has(`${u.startRow + 1}:${u.startColumn + 1}`))) return undefined;
    const { skeleton, pieces } = this.split(file.facts, rechecked);
    rechecked.forEach((u, i) => (u.facts = pieces[i]!));
    // An edited unit that now feeds the index differently can change any function's findings.
    const before = removed.map((u) => u.signature).sort();
    const after = changed.map((i) => indexSignature(units[i]!.facts)).sort();
    if (before.join('\u0001') !== after.join('\u0001')) return undefined;
    for (const u of rechecked) u.signature = indexSignature(u.facts);

    const facts = [skeleton, ...units.map((u) => u.facts)];
    const fresh = this.check(input, file, facts);
    this.assignFindings(fresh, rechecked);
    const findings = units.flatMap((u) => u.findings);
    // Findings outside every unit (file scope) come fresh from the skeleton each time.
    this.skeletonFindings = fresh.filter((f) => !rechecked.some((u) => inUnit(f, u)));
    findings.push(...this.skeletonFindings);
    return this.commit(input, units, skeleton, findings, rechecked.length);
  }

  private commit(input: AnalysisInput, units: Unit[], skeleton: FileFacts, findings: Finding[], checked: number): AnalysisOutput {
    this.units = units;
    this.skeletonFacts = skeleton;
    findings.sort(compareFindings);
    return { findings, facts: [skeleton, ...units.map((u) => u.facts)], mode: 'incremental', unitsChecked: checked };
  }

  /** The previous blanked tree, edited to the new blanked text (they differ in one region, usually). */
  private editedBlankTree(blanked: string): Tree | undefined {
    const old = this.blankText;
    const tree = this.blankTree;
    if (old === undefined || !tree) return undefined;
    let start = 0;
    const shorter = Math.min(old.length, blanked.length);
    while (start < shorter && old.charCodeAt(start) === blanked.charCodeAt(start)) start++;
    let oldEnd = old.length;
    let newEnd = blanked.length;
    while (oldEnd > start && newEnd > start && old.charCodeAt(oldEnd - 1) === blanked.charCodeAt(newEnd - 1)) {
      oldEnd--;
      newEnd--;
    }
    tree.edit({
      startIndex: start,
      oldEndIndex: oldEnd,
      newEndIndex: newEnd,
      startPosition: pointAt(old, start),
      oldEndPosition: pointAt(old, oldEnd),
      newEndPosition: pointAt(blanked, newEnd),
    });
    return tree;
  }

  private newUnit(node: SyntaxNode, text: string): Unit {
    return {
      text,
      startIndex: node.startIndex,
      endIndex: node.endIndex,
      startRow: node.startPosition.row,
      endRow: node.endPosition.row,
      startColumn: node.startPosition.column,
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

/** Does the finding show anything (itself, related notes, path steps, fix edits) in `path` at or below `line`? */
function touchesFrom(finding: Finding, path: string, line: number): boolean {
  const locations = [finding.location, ...finding.related.map((r) => r.location), ...(finding.path ?? []).map((s) => s.location), ...(finding.fix?.edits ?? []).map((e) => e.location)];
  return locations.some((l) => l.file === path && l.endLine >= line);
}
