/**
 * Scanning C/C++ source text without the tree: brackets, top-level commas, strings and comments.
 * Used where reading the text between offsets is cheaper than asking tree-sitter for nodes (each
 * node read is a native call): call arguments, initializers, macro bodies.
 */

/** Offset just past the bracket closing the one at `open`, or -1; strings, characters and comments skipped. */
export function closing(text: string, open: number, limit = open + 100_000): number {
  let depth = 0;
  const end = Math.min(text.length, limit);
  for (let i = open; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 40 || ch === 91 || ch === 123) depth++;
    else if (ch === 41 || ch === 93 || ch === 125) {
      if (--depth === 0) return i + 1;
    } else if (ch === 34 || ch === 39) i = skipQuoted(text, i, end);
    else if (ch === 47) i = skipComment(text, i, end);
  }
  return -1;
}

/**
 * [start, end) of each comma-separated element at depth 0 between `from` and `to` (untrimmed; empty
 * list: none). `jumps`: brace or parenthesis groups known to end where the map says (skipped
 * without reading them).
 */
export function elementsOf(text: string, from: number, to: number, jumps?: ReadonlyMap<number, number>): [number, number][] {
  const out: [number, number][] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const ch = text.charCodeAt(i);
    if ((ch === 123 || ch === 40) && jumps) {
      const end = jumps.get(i);
      if (end !== undefined && end <= to) {
        i = end - 1;
        continue;
      }
    }
    if (ch === 40 || ch === 91 || ch === 123) depth++;
    else if (ch === 41 || ch === 93 || ch === 125) depth--;
    else if (ch === 34 || ch === 39) i = skipQuoted(text, i, to);
    else if (ch === 47) i = skipComment(text, i, to);
    else if (ch === 44 && depth === 0) {
      out.push([start, i]);
      start = i + 1;
    }
  }
  if (out.length > 0 || text.slice(start, to).trim() !== '') out.push([start, to]);
  // A trailing comma (`{ a, b, }`) leaves an empty last element.
  if (out.length > 1 && text.slice(out[out.length - 1]![0], to).trim() === '') out.pop();
  return out;
}

export function isWordChar(ch: number): boolean {
  return (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || (ch >= 48 && ch <= 57) || ch === 95;
}

export function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

/** The first offset from `i` (before `end`) that is neither white space nor in a comment. */
export function skipSpace(text: string, i: number, end: number): number {
  while (i < end) {
    const ch = text.charCodeAt(i);
    if (isSpace(ch)) i++;
    else if (ch === 47 && (text.charCodeAt(i + 1) === 47 || text.charCodeAt(i + 1) === 42)) i = skipComment(text, i, end) + 1;
    else break;
  }
  return i;
}

/** Whether only spaces and tabs stand between the start of `i`'s line and `i` (a loop: see skipComment). */
export function startsLine(text: string, i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const ch = text.charCodeAt(j);
    if (ch === 10) return true;
    if (!isSpace(ch)) return false;
  }
  return true;
}

/** Index of the closing quote of the string or character literal opening at `i`. */
export function skipQuoted(text: string, i: number, end: number): number {
  const quote = text.charCodeAt(i);
  for (let j = i + 1; j < end; j++) {
    const ch = text.charCodeAt(j);
    if (ch === 92 /* \ */) j++;
    else if (ch === quote || ch === 10) return j;
  }
  return end;
}

/**
 * Index of the last character of a comment opening at `i` (or `i` when it is just a slash): the
 * line break ending a `//` comment, the slash closing a block comment, or `end` when it runs on.
 *
 * The searches are loops, not `indexOf`, on purpose. Node 20's optimising compiler (TurboFan, V8
 * 11.3) takes `String.prototype.indexOf` for a pure operation and may schedule it at the head of a
 * loop this function is inlined into: it then searches from every character the loop visits, not
 * only from a comment. That costs the distance to the next match per character — nothing on
 * ordinary code, minutes on a 40 MB line with no `*` (issue 21's fuzzing stall, seen in the
 * optimised `directiveLines`; whether it happens depends on when the background compiler finishes,
 * so it came and went with the machine's load). A loop cannot be moved that way.
 */
export function skipComment(text: string, i: number, end: number): number {
  const next = text.charCodeAt(i + 1);
  if (next === 47) {
    for (let j = i + 2; j < end; j++) if (text.charCodeAt(j) === 10) return j;
    return end;
  }
  if (next === 42) {
    for (let j = i + 2; j < end; j++) if (text.charCodeAt(j) === 42 && text.charCodeAt(j + 1) === 47) return j + 1;
    return end;
  }
  return i;
}

/**
 * `text` with every comment blanked to spaces (newlines kept), strings and characters left alone:
 * same length and line numbers, so offsets found in it are offsets in `text`.
 */
export function blankComments(text: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */ || ch === 39 /* ' */) i = skipQuoted(text, i, text.length);
    else if (ch === 47 /* / */) {
      const last = skipComment(text, i, text.length);
      if (last === i) continue;
      const end = Math.min(last + 1, text.length);
      out += text.slice(copied, i) + blanked(text.slice(i, end));
      copied = end;
      i = end - 1;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * `text` as spaces, its line breaks kept. One `repeat` per line, not a regular-expression
 * replace per character: a 55 MB comment (a fuzzing mutant) took 10–20 s that way, nearly all of
 * it the garbage collector's.
 */
function blanked(text: string): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(line.length))
    .join('\n');
}

/** Do the parentheses (or the `open`/`close` pair given) of `text` balance, none closing before it opened? */
export function balancedParentheses(text: string, open = '(', close = ')'): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === open) depth++;
    else if (ch === close && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * The text with the white space that ends a preprocessor line moved to the line's start. The C and
 * C++ grammars read a directive whose value is only white space (`#define IGNORE(NAME) ` with a
 * space before the line break, box86's rcfile.c) as taking the next line for its value: a `}` there
 * is lost, and the function runs on into the ones after it; `#include <x.h> ` gets a missing token.
 * Moved, the directive means the same and every other offset of the text is unchanged.
 */
export function directivesWithoutTrailingSpace(text: string): string {
  let out: string[] | undefined;
  let copiedTo = 0;
  for (let start = 0; start < text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    let first = start;
    while (first < end && (text[first] === ' ' || text[first] === '\t')) first++;
    if (text[first] === '#') {
      let last = end;
      if (last > first && text[last - 1] === '\r') last--;
      let spaceFrom = last;
      while (spaceFrom > first && (text[spaceFrom - 1] === ' ' || text[spaceFrom - 1] === '\t')) spaceFrom--;
      if (spaceFrom < last) {
        (out ??= []).push(text.slice(copiedTo, start), text.slice(spaceFrom, last), text.slice(start, spaceFrom));
        copiedTo = last;
      }
    }
    if (newline < 0) break;
    start = newline + 1;
  }
  return out ? out.join('') + text.slice(copiedTo) : text;
}

/** `((x))` → `x`: parentheses around the whole text, as many as enclose it. */
export function withoutOuterParentheses(text: string): string {
  let out = text;
  while (/^\(.*\)$/s.test(out) && balancedParentheses(out.slice(1, -1))) out = out.slice(1, -1);
  return out;
}

/** `text` split at its top-level commas; `open`/`close` are the brackets that nest (C++ base lists add `<`, `>`). */
export function splitTopLevel(text: string, open = '([{', close = ')]}'): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (open.includes(ch)) depth++;
    else if (close.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/**
 * `T ? A : B` split at its top-level `?` and the `:` that answers it, or undefined when the text
 * is not one choice at its top level (`::` and a choice nested in a branch are kept whole).
 */
export function splitTopLevelChoice(text: string): [string, string, string] | undefined {
  let depth = 0;
  let question = -1;
  let pending = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (depth !== 0) continue;
    else if (ch === '?') {
      if (question < 0) question = i;
      pending++;
    } else if (ch === ':' && text[i + 1] !== ':' && text[i - 1] !== ':' && question >= 0 && --pending === 0) {
      return [text.slice(0, question).trim(), text.slice(question + 1, i).trim(), text.slice(i + 1).trim()];
    }
  }
  return undefined;
}

/**
 * A null pointer of a byte or void type as the base of an offset: `(char *)0`, `((char*)0)`,
 * `(void *)NULL`. `(char *)0 + fd` is how C code without intptr_t smuggles a number through a
 * `void *` argument (FreeTDS's `TDS_INT2PTR(i)`: `((void*)(((char*)0)+((ptrdiff_t)(i))))`).
 */
export const NULL_POINTER_BASE = /^\(?\s*\(\s*(?:const\s+)?(?:unsigned\s+)?(?:char|void|u?int8_t)\s*\*\s*\)\s*(?:0|NULL|nullptr)\s*\)?$/;

/** `(char *)0 + X` → `X`: the number carried as a pointer (see NULL_POINTER_BASE); other text as it is. */
export function withoutNullPointerBase(text: string): string {
  const parts = splitTopLevelPlus(text);
  return parts && NULL_POINTER_BASE.test(parts[0]) ? parts[1] : text;
}

/** `A + B` split at its only top-level `+` (not `++`), or undefined. */
function splitTopLevelPlus(text: string): [string, string] | undefined {
  let depth = 0;
  let at = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === '+' && depth === 0 && text[i + 1] !== '+' && text[i - 1] !== '+') {
      if (at >= 0) return undefined;
      at = i;
    }
  }
  return at < 0 ? undefined : [text.slice(0, at).trim(), text.slice(at + 1).trim()];
}

/** `(void *)`, `(const struct x *)`, `(std::intptr_t)` before a value (not a parenthesized value alone). */
const LEADING_CAST = /^\(\s*(?:(?:const|volatile|struct|unsigned|signed|long|short)\s+)*[A-Za-z_][\w:]*(?:\s+(?:long|int|const))*\s*\**\s*\)\s*(?=\S)/;
/** C++'s `static_cast<char *>(x)`: the value is the operand. */
const NAMED_CAST = /^(?:static_cast|reinterpret_cast|const_cast)\s*<[^<>]*(?:<[^<>]*>[^<>]*)*>\s*\(([^]*)\)$/;

/** The value under leading casts: `(int)-1` → `-1`, `(void *)(sxptr)(X)` → `(X)`, `static_cast<bool>(c)` → `c`. */
export function withoutCasts(text: string): string {
  let out = text.trim();
  for (;;) {
    if (LEADING_CAST.test(out)) out = out.replace(LEADING_CAST, '');
    else if (NAMED_CAST.test(out)) out = NAMED_CAST.exec(out)![1]!.trim();
    else return out;
  }
}
