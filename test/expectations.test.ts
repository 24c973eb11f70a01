import { describe, expect, it } from 'vitest';
import type { Finding, RelatedLocation, Severity } from '../core/engine/findings.js';
import { findRule } from '../rules/index.js';
import { checkExpectations, parseExpectations, type Expectation } from './expectations.js';
import { analyze, RULE_IDS } from './helpers.js';

const parse = (text: string, path = 'dir/a.c') => parseExpectations([{ path, text }], RULE_IDS);

function finding(line: number, options: { rule?: string; severity?: Severity; column?: number; message?: string; related?: number[]; path?: number[]; file?: string } = {}): Finding {
  const file = options.file ?? 'dir/a.c';
  const at = (l: number): RelatedLocation => ({ location: { file, line: l, column: 1, endLine: l, endColumn: 2 }, message: 'here' });
  return {
    ruleId: options.rule ?? 'fd-leak',
    severity: options.severity ?? 'error',
    message: options.message ?? "descriptor 'fd' from open() (line 2) is still open when this return leaves the function",
    location: { file, line, column: options.column ?? 5, endLine: line, endColumn: 12 },
    related: (options.related ?? [2]).map(at),
    path: (options.path ?? []).map(at),
    fingerprint: 'x',
  };
}

const check = (text: string, findings: Finding[]) => {
  const { expectations, errors } = parse(text);
  expect(errors).toEqual([]);
  return checkExpectations(findings, expectations);
};

describe('expectation parser', () => {
  it('reads rule and severity, as the fixtures always did', () => {
    const { expectations, errors } = parse('int f(void) {\n  return 0; // expect: fd-leak error\n}');
    expect(errors).toEqual([]);
    expect(expectations).toEqual([
      { kind: 'expect', file: 'dir/a.c', line: 2, writtenOn: 2, rule: 'fd-leak', severity: 'error', column: undefined, fragments: [], notes: [], reason: undefined, source: 'expect: fd-leak error' },
    ]);
  });

  it('reads a column, message fragments (with escapes), notes in this and in another file, and a comment', () => {
    const [e] = parse('x; // expect: fd-leak error @9 "still open" "say \\"hi\\"" note:13 note:other.c:4 -- why it matters').expectations;
    expect(e).toMatchObject({ severity: 'error', column: 9, fragments: ['still open', 'say "hi"'], reason: 'why it matters' });
    expect(e!.notes).toEqual([
      { file: 'dir/a.c', line: 13 },
      { file: 'dir/other.c', line: 4 },
    ]);
  });

  it('reads several markers on a line, block comments, and -next-line forms', () => {
    const text = [
      "return 0; // expect: fd-leak error \"'in'\" // expect: fd-leak error \"'out'\"",
      'x; /* expect: accept-loop-early-exit note @3 */ y;',
      '// expect-next-line: et-accept-not-drained warning',
      'accept(l, 0, 0);',
      '// expect-missing-next-line: fd-leak "leak" -- not yet',
      'fd = open(b, 0);',
      'return; // expect-spurious: fd-leak -- infeasible path',
    ].join('\n');
    const { expectations, errors } = parse(text);
    expect(errors).toEqual([]);
    expect(expectations.map((e) => [e.kind, e.line, e.writtenOn, e.rule, e.severity, e.column, e.fragments.join('|'), e.reason])).toEqual([
      ['expect', 1, 1, 'fd-leak', 'error', undefined, "'in'", undefined],
      ['expect', 1, 1, 'fd-leak', 'error', undefined, "'out'", undefined],
      ['expect', 2, 2, 'accept-loop-early-exit', 'note', 3, '', undefined],
      ['expect', 4, 3, 'et-accept-not-drained', 'warning', undefined, '', undefined],
      ['missing', 6, 5, 'fd-leak', undefined, undefined, 'leak', 'not yet'],
      ['spurious', 7, 7, 'fd-leak', undefined, undefined, '', 'infeasible path'],
    ]);
    expect(expectations[2]!.source).toBe('expect: accept-loop-early-exit note @3');
  });

  it('ignores prose that only looks similar', () => {
    expect(parse('/* the expected: value; unexpected: nothing; expectation: none */').expectations).toEqual([]);
  });

  it('rejects malformed annotations with the file, the line and the reason', () => {
    const errorOf = (text: string) => parse(text).errors;
    expect(errorOf('x; // expect: fd-leak')).toEqual(["dir/a.c:1: missing severity (error, warning or note) in 'expect: fd-leak'"]);
    expect(errorOf('x; // expect: fd-lek error')).toEqual(["dir/a.c:1: unknown rule 'fd-lek' in 'expect: fd-lek error'"]);
    expect(errorOf('x; // expect: fd-leak error (in)')).toEqual([`dir/a.c:1: unexpected '(in)' (severity, @column, "fragment", note:LINE or -- reason) in 'expect: fd-leak error (in)'`]);
    expect(errorOf('x; // expect: fd-leak error "open')[0]).toContain('unterminated "fragment"');
    expect(errorOf('x; // expect: fd-leak error @0')[0]).toContain('columns are 1-based');
    expect(errorOf('x; // expect: error fd-leak')[0]).toContain('unknown rule');
    expect(errorOf('x; // expect-missing: fd-leak "leak"')[0]).toContain('expect-missing needs a reason after --');
    expect(errorOf('x; // expect-spurious: fd-leak error --')[0]).toContain('expect-spurious needs a reason after --');
    expect(errorOf('x;\n// expect-next-line: fd-leak error')[0]).toContain('the next line is empty or missing');
    expect(errorOf('x; // expect: fd-leak error error')[0]).toContain("unexpected 'error'");
  });
});

describe('expectation matcher', () => {
  const LINE = 'int fd = open(p, 0);\nif (fd < 0) return -1;\n';

  it('passes when every finding is expected with the stated column, fragment and notes', () => {
    expect(check(`${LINE}return 0; // expect: fd-leak error @5 "still open" note:2`, [finding(3, { related: [2] })])).toEqual([]);
    // Unstated details are not checked; a note may be a related location or a path step.
    expect(check(`${LINE}return 0; // expect: fd-leak error note:1`, [finding(3, { related: [2], path: [1, 3] })])).toEqual([]);
  });

  it('fails on a wrong column, fragment, note or severity, saying what differs', () => {
    const wrong = (annotation: string) => check(`${LINE}return 0; // ${annotation}`, [finding(3, { related: [2], path: [2, 3] })]);
    const [column] = wrong('expect: fd-leak error @6');
    expect(column).toContain("dir/a.c:3: not reported: 'expect: fd-leak error @6'");
    expect(column).toContain('differs: column is @5, not @6');
    expect(column).toContain('related: 2; path: 2, 3');
    expect(wrong('expect: fd-leak error "still closed"')[0]).toContain('differs: message lacks "still closed"');
    expect(wrong('expect: fd-leak error note:1')[0]).toContain('differs: no note on line 1');
    expect(wrong('expect: fd-leak warning')[0]).toContain('differs: severity is error, not warning');
    expect(wrong('expect: et-accept-not-drained error')).toEqual([
      "dir/a.c:3: not reported: 'expect: et-accept-not-drained error'",
      expect.stringContaining('unexpected: dir/a.c:3:5 fd-leak error'),
    ]);
    // One problem per broken expectation: the near miss is shown there, not again as unexpected.
    expect(wrong('expect: fd-leak error @6')).toHaveLength(1);
  });

  it('asserts exact sets: unexpected findings, expectations without a finding, and silence where nothing is expected', () => {
    expect(check(`${LINE}return 0;`, [finding(3)])).toEqual([expect.stringMatching(/^unexpected: dir\/a\.c:3:5 fd-leak error: descriptor 'fd'/)]);
    expect(check(`${LINE}return 0; // expect: fd-leak error`, [])).toEqual(["dir/a.c:3: not reported: 'expect: fd-leak error'"]);
    expect(check(LINE, [])).toEqual([]);
    // Two findings on a line need two expectations.
    expect(check(`${LINE}return 0; // expect: fd-leak error`, [finding(3), finding(3)])).toHaveLength(1);
  });

  it('matches findings to expectations as a whole, not first come first served', () => {
    // The unspecific expectation must not take the finding only the specific one can match.
    const text = `${LINE}return 0; // expect: fd-leak error // expect: fd-leak error "'in'"`;
    const findings = [finding(3, { message: "descriptor 'in' from open()" }), finding(3, { message: "descriptor 'out' from open()" })];
    expect(check(text, findings)).toEqual([]);
    expect(check(text, [...findings].reverse())).toEqual([]);
  });

  it('expect-spurious: the known false positive must still be reported', () => {
    const text = `${LINE}return 0; // expect-spurious: fd-leak "still open" -- infeasible`;
    expect(check(text, [finding(3)])).toEqual([]);
    expect(check(text, [])).toEqual([`dir/a.c:3: known false positive no longer reported — remove 'expect-spurious: fd-leak "still open" -- infeasible'`]);
  });

  it('expect-missing: the known miss must still not be reported, and other findings on its line still need expectations', () => {
    const text = `${LINE}// expect-missing-next-line: fd-leak "'out'" -- not tracked yet\nreturn 0; // expect: fd-leak error "'in'"`;
    const inFd = finding(4, { message: "descriptor 'in' from open()" });
    expect(check(text, [inFd])).toEqual([]);
    const problems = check(text, [inFd, finding(4, { message: "descriptor 'out' from open()" })]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`dir/a.c:3: the known miss is reported now — turn 'expect-missing-next-line: fd-leak "'out'" -- not tracked yet' into an expect:`);
    // A finding the known miss does not describe is just unexpected.
    expect(check(text, [inFd, finding(4, { message: 'something else' })])[0]).toMatch(/^unexpected: /);
  });

  it('checks real findings: a wrong column in an annotation fails', () => {
    const rule = findRule('fd-leak')!;
    const source = (annotation: string) => ({
      path: 'leak.c',
      text: `#include <fcntl.h>\nint f(const char *p) {\n    int fd = open(p, O_RDONLY);\n    if (fd < 0)\n        return -1;\n    return 0; // ${annotation}\n}\n`,
    });
    const run = (annotation: string) => {
      const sources = [source(annotation)];
      const { expectations, errors } = parseExpectations(sources, RULE_IDS);
      expect(errors).toEqual([]);
      return checkExpectations(analyze(sources, undefined, false, [rule]), expectations.filter((e: Expectation) => e.rule === 'fd-leak'));
    };
    expect(run(`expect: fd-leak error @5 "'fd' from open() (line 3) is still open" note:3 note:4`)).toEqual([]);
    expect(run('expect: fd-leak error @9')[0]).toContain('differs: column is @5, not @9');
    expect(run('expect: fd-leak error "is closed"')[0]).toContain('differs: message lacks "is closed"');
  });
});
