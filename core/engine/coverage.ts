import { errorQuery } from '../project/facts.js';
import type { SourceFile } from '../project/source-file.js';
import type { SyntaxNode } from '../syntax/parser.js';

/** A function whose body is more than this share of ERROR nodes is not analysed at all. */
export const MAX_ERROR_SHARE = 0.5;

/**
 * How much of a file's code the rules see: function bodies, those with regions tree-sitter could
 * not parse (the preprocessor's `#if` splitting a statement, block macros: the rules skip those
 * regions), and those skipped entirely (mostly errors). What `--debug` sums up per run and
 * `bench/coverage.mjs` per project: the measure of what the preprocessor issue must bring down.
 */
export interface SyntaxCoverage {
  readonly functions: number;
  /** Bodies with at least one region skipped for syntax errors (analysed without it). */
  readonly withSkippedRegions: number;
  /** Bodies not analysed at all (see MAX_ERROR_SHARE). */
  readonly skipped: number;
  /**
   * Function definitions the grammar did not recognise at all (an `#if` splitting its head or an
   * `if`, a block macro): a declarator followed by `{` inside a file-level syntax error. Not in
   * `functions`; the rules never see them.
   */
  readonly lost: number;
  /**
   * Of the functions analysed whole, those that are only because of the file's configuration-resolved
   * copy (their raw text has errors, or was not recognised; see core/syntax/recovery.ts).
   */
  readonly recovered: number;
}

export const NO_COVERAGE: SyntaxCoverage = { functions: 0, withSkippedRegions: 0, skipped: 0, lost: 0, recovered: 0 };

export function syntaxCoverage(file: SourceFile): SyntaxCoverage {
  let withSkippedRegions = 0;
  let skipped = 0;
  const nodes = file.syntax.functionNodes;
  for (const node of nodes) {
    const body = node.childForFieldName('body');
    if (!body?.hasError) continue;
    withSkippedRegions++;
    if (mostlyErrors(file, body)) skipped++;
  }
  return { functions: nodes.length, withSkippedRegions, skipped, lost: lostFunctions(file), recovered: file.recovery?.functionsRecovered ?? 0 };
}

function lostFunctions(file: SourceFile): number {
  const root = file.tree.rootNode;
  if (!root.hasError) return 0;
  const inFunction = (offset: number) => file.syntax.functionNodes.some((f) => f.startIndex <= offset && offset < f.endIndex);
  let lost = 0;
  let coveredTo = 0;
  for (const { node } of errorQuery(file.language).captures(root)) {
    // Outermost errors outside recognised functions (inside one, they are skipped regions).
    if (node.startIndex < coveredTo || inFunction(node.startIndex)) continue;
    coveredTo = node.endIndex;
    for (const declarator of node.descendantsOfType('function_declarator')) {
      if (declarator.parent?.type === 'function_definition' || inFunction(declarator.startIndex)) continue;
      if (/^\s*\{/.test(file.text.slice(declarator.endIndex, declarator.endIndex + 200))) lost++;
    }
  }
  return lost;
}

export function addCoverage(a: SyntaxCoverage, b: SyntaxCoverage): SyntaxCoverage {
  return { functions: a.functions + b.functions, withSkippedRegions: a.withSkippedRegions + b.withSkippedRegions, skipped: a.skipped + b.skipped, lost: a.lost + b.lost, recovered: a.recovered + b.recovered };
}

/** Is a body (that has errors) mostly ERROR regions? Such a function is not analysed. */
export function mostlyErrors(file: SourceFile, body: SyntaxNode): boolean {
  return errorBytesWithin(file, body) > (body.endIndex - body.startIndex) * MAX_ERROR_SHARE;
}

/** Bytes of (outermost) ERROR regions inside a body; queried only for bodies that have errors. */
function errorBytesWithin(file: SourceFile, body: SyntaxNode): number {
  let total = 0;
  let coveredTo = body.startIndex;
  for (const { node } of errorQuery(file.language).captures(body)) {
    if (node.startIndex < coveredTo || node.endIndex > body.endIndex) continue;
    total += node.endIndex - node.startIndex;
    coveredTo = node.endIndex;
  }
  return total;
}
