import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { Tree } from '../core/syntax/parser.js';
import type { Language } from '../core/syntax/language.js';
import { LineMap, loneCrAsLf } from '../core/syntax/source-text.js';
import { IncrementalAnalyzer } from './incremental.js';
import type { EditedSpan } from './unit-match.js';

/**
 * An open document: its text (kept current with incremental sync) and the tree-sitter tree of its
 * last analysis, kept in step with every edit through `tree.edit()` so the next parse can reuse it
 * (`parse(text, oldTree)` re-parses only around the edits).
 */
export class OpenDocument {
  private doc: TextDocument;
  /** The tree of the last parse of the whole document, edited to match `text`; undefined until the first parse. */
  tree: Tree | undefined;
  /** Language `tree` was parsed with (a `.h` can switch between C and C++ as it is edited). */
  treeLanguage: Language | undefined;
  /** Facts and findings per function of the last analysis, for re-checking only what changed. */
  readonly analysis = new IncrementalAnalyzer();
  /** The part of the text the edits since the last analysis cover (undefined: none, or the whole text changed). */
  editedSpan: EditedSpan | undefined;
  private lineMap: LineMap | undefined;
  /** The client's text and the analysis's copy of it (see text). */
  private analysed: { raw: string; text: string } | undefined;

  constructor(
    readonly uri: string,
    readonly path: string,
    readonly languageId: string,
    version: number,
    text: string,
  ) {
    this.doc = TextDocument.create(uri, languageId, version, text);
  }

  get version(): number {
    return this.doc.version;
  }

  /**
   * The text as the analysis reads it: the client's, with lone CRs as LF at the same offsets (see
   * loneCrAsLf: the client counts them as line breaks too) and a byte-order mark as a space (the
   * client's columns on the first line count it).
   */
  get text(): string {
    const raw = this.doc.getText();
    if (this.analysed?.raw !== raw) this.analysed = { raw, text: loneCrAsLf(raw.charCodeAt(0) === 0xfeff ? ` ${raw.slice(1)}` : raw) };
    return this.analysed.text;
  }

  /** Line starts of `text`, kept current through the edits (only inserted text is scanned). */
  get lines(): LineMap {
    const text = this.text;
    if (this.lineMap?.text !== text) this.lineMap = new LineMap(text);
    return this.lineMap;
  }

  get textDocument(): TextDocument {
    return this.doc;
  }

  /** Applies LSP content changes in order; each ranged change is mirrored onto the tree. */
  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (!('range' in change) || change.range === undefined) {
        // A full-text change: nothing to reuse.
        this.doc = TextDocument.create(this.uri, this.languageId, version, change.text);
        this.tree = undefined;
        this.editedSpan = undefined;
        continue;
      }
      const startIndex = this.doc.offsetAt(change.range.start);
      const oldEndIndex = this.doc.offsetAt(change.range.end);
      // offsetAt clamps positions past the end of a line; recompute the points from the offsets.
      const startPosition = this.doc.positionAt(startIndex);
      const oldEndPosition = this.doc.positionAt(oldEndIndex);
      const hadCr = this.doc.getText().includes('\r');
      this.doc = TextDocument.update(this.doc, [{ range: { start: startPosition, end: oldEndPosition }, text: change.text }], version);
      // In a text with CRs an edit can pair a CR with an LF or leave one alone, away from the
      // inserted text: the map is made again (rare; the map scans only inserted text otherwise).
      this.lineMap = hadCr || change.text.includes('\r') || startIndex === 0 ? undefined : this.lineMap?.edited(this.text, startIndex, oldEndIndex, change.text);
      const newEndIndex = startIndex + change.text.length;
      this.editedSpan = mergeEdit(this.editedSpan, startIndex, oldEndIndex, newEndIndex);
      const newEndPosition = this.doc.positionAt(newEndIndex);
      // tree-sitter in Node counts UTF-16 units, like LSP positions (the default encoding).
      this.tree?.edit({
        startIndex,
        oldEndIndex,
        newEndIndex,
        startPosition: { row: startPosition.line, column: startPosition.character },
        oldEndPosition: { row: oldEndPosition.line, column: oldEndPosition.character },
        newEndPosition: { row: newEndPosition.line, column: newEndPosition.character },
      });
    }
    if (this.doc.version !== version) this.doc = TextDocument.update(this.doc, [], version);
  }

  /** Drops the tree so its native memory can be reclaimed (closed documents). */
  release(): void {
    this.tree = undefined;
    this.analysis.release();
  }
}

/** The span covering an earlier one (moved by this edit) and this edit's new text. */
export function mergeEdit(span: EditedSpan | undefined, start: number, oldEnd: number, newEnd: number): EditedSpan {
  const delta = newEnd - oldEnd;
  if (!span) return { start, end: newEnd, delta };
  // The earlier span's end, in the text after this edit.
  const end = span.end <= start ? span.end : span.end >= oldEnd ? span.end + delta : newEnd;
  return { start: Math.min(span.start, start), end: Math.max(end, newEnd), delta: span.delta + delta };
}
