import { skipComment, skipQuoted } from './c-text.js';

/**
 * Conditional compilation as it is in the text: every `#if`/`#ifdef`/`#ifndef` … `#elif` …
 * `#else` … `#endif` group, with its branches' offsets. Read from the text, not the tree, because
 * the groups that matter here are the ones that split statements, where the tree is wrong.
 */
export interface DirectiveLine {
  /** Offset of the line's first character and of its end (before the newline, continuations included). */
  readonly start: number;
  readonly end: number;
  readonly kind: 'if' | 'ifdef' | 'ifndef' | 'elif' | 'elifdef' | 'elifndef' | 'else' | 'endif';
  /** What it tests (`#ifdef X`: `X`), comments removed; empty for `#else` / `#endif`. */
  readonly condition: string;
}

export interface ConditionalBranch {
  readonly directive: DirectiveLine;
  /** The branch's code: from the end of its directive line to the start of the next directive of the group. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
}

export interface ConditionalGroup {
  /** From the first directive's line start to the end of the `#endif` line. */
  readonly start: number;
  readonly end: number;
  readonly branches: readonly ConditionalBranch[];
  readonly endif: DirectiveLine;
}

const OPENING = new Set(['if', 'ifdef', 'ifndef']);
const CONTINUING = new Set(['elif', 'elifdef', 'elifndef', 'else']);

let lastText: string | undefined;
let lastGroups: ConditionalGroup[] = [];

/** Every complete group of the text, outer groups before the groups nested in them; unbalanced directives are left out. */
export function conditionalGroups(text: string): ConditionalGroup[] {
  // A file's facts ask twice (which definitions count, which functions are compiled), its copy once more.
  if (text === lastText) return lastGroups;
  lastText = text;
  lastGroups = groupsOf(text);
  return lastGroups;
}

function groupsOf(text: string): ConditionalGroup[] {
  const groups: ConditionalGroup[] = [];
  const open: { lines: DirectiveLine[]; order: number }[] = [];
  for (const line of directiveLines(text)) {
    if (OPENING.has(line.kind)) {
      open.push({ lines: [line], order: groups.length });
      groups.push(undefined as unknown as ConditionalGroup);
    } else if (CONTINUING.has(line.kind)) {
      open.at(-1)?.lines.push(line);
    } else {
      const group = open.pop();
      if (!group) continue;
      const branches = group.lines.map((directive, i) => ({ directive, bodyStart: directive.end, bodyEnd: (group.lines[i + 1] ?? line).start }));
      groups[group.order] = { start: group.lines[0]!.start, end: line.end, branches, endif: line };
    }
  }
  return groups.filter((g) => g !== undefined);
}

/** Conditional directive lines, in order; directives inside comments and strings do not count. */
export function directiveLines(text: string): DirectiveLine[] {
  const lines: DirectiveLine[] = [];
  const end = text.length;
  let i = 0;
  let lineStart = true;
  // Where the current line begins, kept as the scan goes (no search back from a directive: see skipComment).
  let lineBegin = 0;
  while (i < end) {
    const ch = text.charCodeAt(i);
    if (ch === 10) {
      lineStart = true;
      lineBegin = i + 1;
      i++;
    } else if (ch === 32 || ch === 9 || ch === 13 || ch === 12 || ch === 11) {
      i++;
    } else if (ch === 35 /* # */ && lineStart) {
      const lineEnd = directiveLineEnd(text, i);
      const match = /^#\s*(ifdef|ifndef|if|elifdef|elifndef|elif|else|endif)\b([^]*)$/.exec(text.slice(i, lineEnd));
      if (match) {
        lines.push({ start: lineBegin, end: lineEnd, kind: match[1] as DirectiveLine['kind'], condition: withoutComments(match[2]!).trim() });
      }
      i = lineEnd;
    } else {
      lineStart = false;
      if (ch === 47 /* / */) {
        // A line comment ends at its line break, which must still start the next line (`#endif` after `x; // …`).
        const last = skipComment(text, i, end);
        i = text.charCodeAt(last) === 10 ? last : last + 1;
      } else if (ch === 34 || ch === 39) {
        const last = skipQuoted(text, i, end);
        i = text.charCodeAt(last) === 10 ? last : last + 1;
      } else i++;
    }
  }
  return lines;
}

/** End of the directive line at `i`, following backslash continuations and block comments that span lines. */
export function directiveLineEnd(text: string, i: number): number {
  const end = text.length;
  while (i < end) {
    const ch = text.charCodeAt(i);
    if (ch === 10) {
      if (text.charCodeAt(i - 1) === 92 || (text.charCodeAt(i - 1) === 13 && text.charCodeAt(i - 2) === 92)) i++;
      else return text.charCodeAt(i - 1) === 13 ? i - 1 : i;
    } else if (ch === 47 && text.charCodeAt(i + 1) === 42) {
      i = skipComment(text, i, end) + 1;
    } else {
      i++;
    }
  }
  return end;
}

function withoutComments(text: string): string {
  return text.replace(/\/\*[^]*?\*\/|\/\/.*$/gm, ' ').replace(/\\\r?\n/g, ' ');
}

/**
 * The system a build targets, for the names neither the build nor the file decides (`__linux__`,
 * `HAVE_KQUEUE`, `<sys/event.h>`): Linux with GCC, or BSD and macOS (kqueue) — the platform whose
 * event notifier accept rules also look at (core/engine/platforms.ts).
 */
export type TargetPlatform = 'linux' | 'bsd';

/** Macros the build defines (name → value, '1' for a bare -D NAME) and leaves undefined. */
export interface PreprocessorConfiguration {
  readonly defined: ReadonlyMap<string, string>;
  readonly undefined: ReadonlySet<string>;
  /** Linux when not set. */
  readonly platform?: TargetPlatform;
}

/**
 * What a name is to `#if`: a number, defined with a value that is not a number (`'defined'`), not
 * defined (0), or not known (undefined).
 */
export type MacroValue = number | 'defined' | undefined;

type Value = number | 'defined' | undefined;

/**
 * Evaluates an `#if`/`#elif` expression: `defined`, `!`, `&&`, `||`, `?:`, comparisons and
 * arithmetic on integers. True or false when the names it reads decide it, undefined otherwise (a
 * name not known, a function-like macro, `__has_include`). A name that is defined without a numeric
 * value is true as a truth value and unknown as a number.
 */
export function evaluateCondition(condition: string, lookup: (name: string) => MacroValue): boolean | undefined {
  const tokens = tokenize(withoutComments(condition));
  if (!tokens) return undefined;
  const parser = new ExpressionParser(tokens, lookup);
  const value = parser.parse();
  return truth(value);
}

/** `#ifdef NAME` / `#ifndef NAME` (`negated`). */
export function evaluateDefined(name: string, negated: boolean, lookup: (name: string) => MacroValue): boolean | undefined {
  const value = lookup(name.trim());
  if (value === undefined) return undefined;
  return (value !== 0) !== negated;
}

function truth(value: Value): boolean | undefined {
  return value === undefined ? undefined : value === 'defined' ? true : value !== 0;
}

function tokenize(text: string): string[] | undefined {
  const tokens: string[] = [];
  const re = /\s*(?:(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|([A-Za-z_]\w*)|(&&|\|\||==|!=|<=|>=|<<|>>|[-+*/%<>!~&|^()?:,]))/y;
  let i = 0;
  while (i < text.length) {
    if (/^\s*$/.test(text.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) return undefined;
    tokens.push(m[1] ?? m[2] ?? m[3]!);
    i = re.lastIndex;
  }
  return tokens;
}

const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

/** Precedence climbing over the tokens; undefined propagates except where `&&`/`||`/`?:` do not need it. */
class ExpressionParser {
  private i = 0;
  constructor(
    private readonly tokens: readonly string[],
    private readonly lookup: (name: string) => MacroValue,
  ) {}

  parse(): Value {
    const value = this.conditional();
    return this.i === this.tokens.length ? value : undefined;
  }

  private conditional(): Value {
    const test = this.binary(1);
    if (this.tokens[this.i] !== '?') return test;
    this.i++;
    const a = this.conditional();
    if (this.tokens[this.i++] !== ':') return undefined;
    const b = this.conditional();
    const t = truth(test);
    return t === undefined ? (a === b ? a : undefined) : t ? a : b;
  }

  private binary(minPrecedence: number): Value {
    let left = this.unary();
    for (;;) {
      const op = this.tokens[this.i];
      const precedence = op !== undefined ? BINARY_PRECEDENCE[op] : undefined;
      if (precedence === undefined || precedence < minPrecedence) return left;
      this.i++;
      const right = this.binary(precedence + 1);
      left = applyBinary(op!, left, right);
    }
  }

  private unary(): Value {
    const token = this.tokens[this.i++];
    if (token === undefined) return undefined;
    if (token === '!') {
      const t = truth(this.unary());
      return t === undefined ? undefined : t ? 0 : 1;
    }
    if (token === '-' || token === '~' || token === '+') {
      const v = this.unary();
      return typeof v !== 'number' ? undefined : token === '-' ? -v : token === '~' ? ~v : v;
    }
    if (token === '(') {
      const v = this.conditional();
      return this.tokens[this.i++] === ')' ? v : undefined;
    }
    if (token === 'defined') {
      const paren = this.tokens[this.i] === '(';
      if (paren) this.i++;
      const name = this.tokens[this.i++];
      if (paren && this.tokens[this.i++] !== ')') return undefined;
      if (!name || !/^[A-Za-z_]/.test(name)) return undefined;
      const v = this.lookup(name);
      return v === undefined ? undefined : v === 0 ? 0 : 1;
    }
    if (/^\d/.test(token)) return Number.parseInt(token, token.startsWith('0x') || token.startsWith('0X') ? 16 : /^0\d/.test(token) ? 8 : 10);
    if (/^[A-Za-z_]/.test(token)) {
      if (this.tokens[this.i] === '(') {
        // A function-like macro or __has_include(…): not evaluated; its arguments are skipped.
        let depth = 0;
        do {
          const t = this.tokens[this.i++];
          if (t === '(') depth++;
          else if (t === ')') depth--;
          else if (t === undefined) return undefined;
        } while (depth > 0);
        return undefined;
      }
      return this.lookup(token);
    }
    return undefined;
  }
}

function applyBinary(op: string, a: Value, b: Value): Value {
  if (op === '&&') {
    const [x, y] = [truth(a), truth(b)];
    return x === false || y === false ? 0 : x === true && y === true ? 1 : undefined;
  }
  if (op === '||') {
    const [x, y] = [truth(a), truth(b)];
    return x === true || y === true ? 1 : x === false && y === false ? 0 : undefined;
  }
  if (typeof a !== 'number' || typeof b !== 'number') return undefined;
  switch (op) {
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0 ? undefined : Math.trunc(a / b);
    case '%': return b === 0 ? undefined : a % b;
    case '<<': return a * 2 ** b;
    case '>>': return Math.floor(a / 2 ** b);
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    default: return undefined;
  }
}

/** A configuration as `#if` reads it: defined names with their values, undefined names as 0. */
export function configurationLookup(configuration: PreprocessorConfiguration): (name: string) => MacroValue {
  return (name) => {
    const value = configuration.defined.get(name);
    if (value !== undefined) {
      const n = /^\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*$/.exec(value);
      return n ? Number.parseInt(n[1]!, /^0[xX]/.test(n[1]!) ? 16 : 10) : 'defined';
    }
    return configuration.undefined.has(name) ? 0 : undefined;
  };
}
