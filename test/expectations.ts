import { posix } from 'node:path';
import type { Finding, Severity } from '../core/engine/findings.js';

/**
 * Inline expectations in fixtures: what a rule must (and must not) report, written next to the
 * code. See docs/testing-rules.md.
 *
 *   // expect: RULE SEVERITY [@COLUMN] ["message fragment"]… [note:LINE | note:FILE:LINE]… [-- comment]
 *   // expect-next-line: …            the same, for the line below the comment
 *   // expect-missing: RULE [SEVERITY] [@COLUMN] ["fragment"]… -- reason
 *                                      a real bug the rule does not report yet (asserted NOT reported)
 *   // expect-spurious: RULE [SEVERITY] [@COLUMN] ["fragment"]… -- reason
 *                                      a known false positive (asserted reported)
 *
 * `-next-line` combines with the other two (`expect-missing-next-line:`). Several markers may share a
 * line (`// expect: fd-leak error "'in'" // expect: fd-leak error "'out'"`).
 */

export type ExpectationKind = 'expect' | 'missing' | 'spurious';

export interface NoteRef {
  /** Fixture path of the file the note is in (the annotated file unless `note:FILE:LINE`). */
  readonly file: string;
  readonly line: number;
}

export interface Expectation {
  readonly kind: ExpectationKind;
  /** Fixture path, as the findings name it. */
  readonly file: string;
  /** The line the finding is (or, for `missing`, is not) reported on. */
  readonly line: number;
  /** The line the comment is written on (differs from `line` with `-next-line`). */
  readonly writtenOn: number;
  readonly rule: string;
  readonly severity?: Severity;
  /** 1-based column of the finding's start. */
  readonly column?: number;
  /** Each must occur in the message. */
  readonly fragments: readonly string[];
  /** Each must be a related location or a path step of the finding (others may exist too). */
  readonly notes: readonly NoteRef[];
  /** The text after `--`. Required for `missing` and `spurious`. */
  readonly reason?: string;
  /** The annotation as written, for messages. */
  readonly source: string;
}

export interface ParsedExpectations {
  readonly expectations: Expectation[];
  /** Malformed annotations, as "file:line: problem". */
  readonly errors: string[];
}

const MARKER = /\bexpect(-missing|-spurious)?(-next-line)?:/g;
const SEVERITY_WORDS: ReadonlySet<string> = new Set(['error', 'warning', 'note']);
const RULE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

type Token = { kind: 'word'; text: string } | { kind: 'fragment'; text: string } | { kind: 'reason'; text: string };

/** Tokens of one annotation: words, "quoted fragments" (\" and \\ escape), `-- reason`; stops at a comment delimiter. */
function tokenize(segment: string): { tokens: Token[]; error?: string } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < segment.length) {
    const c = segment[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = segment.slice(i, i + 2);
    if (two === '*/' || two === '//' || two === '/*') break;
    if (two === '--' && (i + 2 === segment.length || /\s/.test(segment[i + 2]!))) {
      const rest = segment.slice(i + 2);
      const end = rest.indexOf('*/');
      tokens.push({ kind: 'reason', text: (end >= 0 ? rest.slice(0, end) : rest).trim() });
      break;
    }
    if (c === '"') {
      let text = '';
      let j = i + 1;
      for (; j < segment.length && segment[j] !== '"'; j++) {
        if (segment[j] === '\\' && j + 1 < segment.length) j++;
        text += segment[j];
      }
      if (j >= segment.length) return { tokens, error: `unterminated "fragment"` };
      if (text.length === 0) return { tokens, error: 'empty "" fragment' };
      tokens.push({ kind: 'fragment', text });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < segment.length && !/\s/.test(segment[j]!) && !['*/', '//', '/*'].includes(segment.slice(j, j + 2))) j++;
    tokens.push({ kind: 'word', text: segment.slice(i, j) });
    i = j;
  }
  return { tokens };
}

/**
 * Every annotation in the given fixture sources. `knownRules`, when given, rejects annotations of
 * rules that do not exist (a typo would otherwise assert nothing).
 */
export function parseExpectations(sources: readonly { path: string; text: string }[], knownRules?: ReadonlySet<string>): ParsedExpectations {
  const expectations: Expectation[] = [];
  const errors: string[] = [];
  for (const source of sources) {
    const lines = source.text.split('\n');
    lines.forEach((text, index) => {
      const writtenOn = index + 1;
      const markers = [...text.matchAll(MARKER)];
      markers.forEach((m, k) => {
        const start = m.index! + m[0].length;
        const end = k + 1 < markers.length ? markers[k + 1]!.index! : text.length;
        const segment = text.slice(start, end);
        const sourceText = `${m[0]}${segment.replace(/\s*(\/\/|\/\*)\s*$/, '').replace(/\s*\*\/.*$/, '')}`.trim();
        const kind: ExpectationKind = m[1] === '-missing' ? 'missing' : m[1] === '-spurious' ? 'spurious' : 'expect';
        const fail = (problem: string) => errors.push(`${source.path}:${writtenOn}: ${problem} in '${sourceText}'`);
        const line = m[2] ? writtenOn + 1 : writtenOn;
        if (line > lines.length || (m[2] && lines[line - 1]!.trim() === '')) {
          fail('-next-line: the next line is empty or missing');
          return;
        }
        const { tokens, error } = tokenize(segment);
        if (error) {
          fail(error);
          return;
        }
        const [first, ...rest] = tokens;
        if (!first || first.kind !== 'word' || !RULE_ID.test(first.text)) {
          fail('expected a rule id first');
          return;
        }
        if (knownRules && !knownRules.has(first.text)) {
          fail(`unknown rule '${first.text}'`);
          return;
        }
        let severity: Severity | undefined;
        let column: number | undefined;
        let reason: string | undefined;
        const fragments: string[] = [];
        const notes: NoteRef[] = [];
        for (const token of rest) {
          if (token.kind === 'fragment') fragments.push(token.text);
          else if (token.kind === 'reason') reason = token.text;
          else if (SEVERITY_WORDS.has(token.text) && severity === undefined) severity = token.text as Severity;
          else if (/^@\d+$/.test(token.text) && column === undefined) column = Number(token.text.slice(1));
          else if (/^note:(?:[^\s:]+:)?\d+$/.test(token.text)) {
            const parts = token.text.split(':');
            const noteLine = Number(parts.at(-1));
            const file = parts.length === 3 ? posix.join(posix.dirname(source.path), parts[1]!) : source.path;
            notes.push({ file, line: noteLine });
          } else {
            fail(`unexpected '${token.text}' (severity, @column, "fragment", note:LINE or -- reason)`);
            return;
          }
        }
        if (kind === 'expect' && severity === undefined) {
          fail('missing severity (error, warning or note)');
          return;
        }
        if (kind !== 'expect' && !reason) {
          fail(`expect-${kind} needs a reason after --`);
          return;
        }
        if (column === 0) {
          fail('columns are 1-based');
          return;
        }
        expectations.push({ kind, file: source.path, line, writtenOn, rule: first.text, severity, column, fragments, notes, reason, source: sourceText });
      });
    });
  }
  return { expectations, errors };
}

/** Why a finding does not satisfy an expectation ([] when it does). */
export function mismatches(expectation: Expectation, finding: Finding): string[] {
  const out: string[] = [];
  const at = finding.location;
  if (expectation.file !== at.file || expectation.line !== at.line) out.push(`reported at ${at.file}:${at.line}`);
  if (expectation.rule !== finding.ruleId) out.push(`rule is ${finding.ruleId}`);
  if (expectation.severity !== undefined && expectation.severity !== finding.severity) out.push(`severity is ${finding.severity}, not ${expectation.severity}`);
  if (expectation.column !== undefined && expectation.column !== at.column) out.push(`column is @${at.column}, not @${expectation.column}`);
  for (const fragment of expectation.fragments) if (!finding.message.includes(fragment)) out.push(`message lacks "${fragment}"`);
  const noteLines = notesOf(finding);
  for (const note of expectation.notes) {
    if (!noteLines.some((n) => n.file === note.file && n.line === note.line)) out.push(`no note on ${note.file === expectation.file ? `line ${note.line}` : `${note.file}:${note.line}`}`);
  }
  return out;
}

function notesOf(finding: Finding): NoteRef[] {
  return [...finding.related, ...(finding.path ?? [])].map((r) => ({ file: r.location.file, line: r.location.line }));
}

/** A finding on one line, then the lines of its notes (related locations, path steps). */
export function describeFinding(finding: Finding): string {
  const at = finding.location;
  const lines = (refs: readonly { location: { file: string; line: number } }[]) =>
    refs.map((r) => (r.location.file === at.file ? String(r.location.line) : `${posix.relative(posix.dirname(at.file), r.location.file)}:${r.location.line}`)).join(', ') || '-';
  return `${at.file}:${at.line}:${at.column} ${finding.ruleId} ${finding.severity}: ${finding.message}\n      related: ${lines(finding.related)}; path: ${lines(finding.path ?? [])}`;
}

/** Maximum matching of findings to expectations (Kuhn's augmenting paths; the sets are small). */
function match(positives: readonly Expectation[], findings: readonly Finding[]): (number | undefined)[] {
  const candidates = positives.map((e) => findings.flatMap((f, i) => (mismatches(e, f).length === 0 ? [i] : [])));
  const owner: (number | undefined)[] = findings.map(() => undefined);
  const assign = (e: number, seen: Set<number>): boolean => {
    for (const f of candidates[e]!) {
      if (seen.has(f)) continue;
      seen.add(f);
      if (owner[f] === undefined || assign(owner[f]!, seen)) {
        owner[f] = e;
        return true;
      }
    }
    return false;
  };
  positives.forEach((_, e) => assign(e, new Set()));
  return owner;
}

/**
 * Compare findings with expectations as exact sets: every finding must be matched by one `expect`
 * or `expect-spurious`, every `expect`/`expect-spurious` must match one finding, and no finding may
 * match an `expect-missing`. Returns the problems, one string each ([] when all agree). Pass only the
 * expectations of the rules that produced `findings`.
 */
export function checkExpectations(findings: readonly Finding[], expectations: readonly Expectation[]): string[] {
  const positives = expectations.filter((e) => e.kind !== 'missing');
  const missing = expectations.filter((e) => e.kind === 'missing');
  const owner = match(positives, findings);
  const problems: string[] = [];
  /** Unmatched findings already shown next to the expectation they nearly match. */
  const shown = new Set<number>();
  positives.forEach((e, index) => {
    if (owner.includes(index)) return;
    const where = `${e.file}:${e.writtenOn}`;
    const head = e.kind === 'spurious' ? `${where}: known false positive no longer reported — remove '${e.source}'` : `${where}: not reported: '${e.source}'`;
    const near = findings.flatMap((f, i) => (f.location.file === e.file && f.location.line === e.line && f.ruleId === e.rule ? [i] : []));
    for (const i of near) if (owner[i] === undefined) shown.add(i);
    problems.push([head, ...near.map((i) => `    on that line${owner[i] === undefined ? '' : ' (matched by another expectation)'}: ${describeFinding(findings[i]!)}\n      differs: ${mismatches(e, findings[i]!).join('; ')}`)].join('\n'));
  });
  findings.forEach((f, index) => {
    if (owner[index] !== undefined || shown.has(index)) return;
    const known = missing.find((e) => mismatches(e, f).length === 0);
    if (known) problems.push(`${known.file}:${known.writtenOn}: the known miss is reported now — turn '${known.source}' into an expect: (${describeFinding(f)})`);
    else problems.push(`unexpected: ${describeFinding(f)}`);
  });
  return problems;
}
