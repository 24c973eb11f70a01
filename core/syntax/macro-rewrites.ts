import { closing, elementsOf, isSpace, isWordChar, skipComment, skipQuoted, skipSpace, startsLine } from './c-text.js';
import { directiveLineEnd, evaluateCondition, evaluateDefined, type ConditionalGroup, type MacroValue } from './conditionals.js';

/*
 * The text side of the configuration-resolved copies (recovery.ts): rewrites of the file's UTF-16
 * code units that keep every offset and line — an `#if` group resolved to one branch, block and
 * statement macros, attribute macros, type arguments, GNU case ranges.
 */

/**
 * Whether [start, end) holds a function's head: a `)` then, past white space, comments and
 * directive lines, a `{` (a file-level error region may hide a function). A scan, not a regular
 * expression: nested repetitions over comments backtrack without end on a data table.
 */
export function holdsFunctionHead(text: string, start: number, end: number): boolean {
  // The run of directive lines last skipped, [from, to): a `)` ending each of ten thousand
  // `#define` lines (a CMSIS device header) would otherwise skip the rest of the run again.
  let runFrom = -1;
  let runTo = -1;
  for (let i = text.indexOf(')', start); i >= 0 && i < end; i = text.indexOf(')', i + 1)) {
    let j = i + 1;
    let first = -1;
    for (;;) {
      j = skipSpace(text, j, end);
      if (text.charCodeAt(j) !== 35 /* # */) break;
      if (runFrom <= j && j < runTo) {
        j = runTo;
        break;
      }
      if (first < 0) first = j;
      j = Math.min(directiveLineEnd(text, j), end);
    }
    if (first >= 0) [runFrom, runTo] = [first, j];
    if (text.charCodeAt(j) === 123 /* { */) return true;
  }
  return false;
}

/** Keeps the group's chosen branch; blanks its directive lines and the other branches. */
/** `foreign`: offsets of what only another platform's code does (linux-build.ts `otherPlatformMarks`), sorted. */
export function resolveGroup(chars: Uint16Array, group: ConditionalGroup, lookup: (name: string) => MacroValue, foreign: readonly number[] = []): void {
  let chosen = -1;
  group.branches.forEach(({ directive, bodyStart, bodyEnd }, i) => {
    if (chosen >= 0) return;
    // A branch that includes a header no Linux system has is another platform's.
    if (foreign.some((at) => bodyStart <= at && at < bodyEnd)) return;
    const { kind, condition } = directive;
    const value =
      kind === 'else' ? true
      : kind === 'ifdef' || kind === 'elifdef' ? evaluateDefined(condition, false, lookup)
      : kind === 'ifndef' || kind === 'elifndef' ? evaluateDefined(condition, true, lookup)
      : evaluateCondition(condition, lookup);
    // Undecidable (a version test, a function-like macro): the branch is kept.
    if (value !== false) chosen = i;
  });
  group.branches.forEach((branch, i) => {
    blank(chars, branch.directive.start, branch.directive.end);
    if (i !== chosen) blank(chars, branch.bodyStart, branch.bodyEnd);
  });
  blank(chars, group.endif.start, group.endif.end);
}

/** A text as UTF-16 code units, to rewrite in place (a string per character would cost more than the parse). */
export function codesOf(text: string): Uint16Array {
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return codes;
}

const UTF16 = new TextDecoder('utf-16le');

export function textOf(codes: Uint16Array): string {
  return UTF16.decode(codes);
}

/** `replacement` written over the same number of characters at `at`. */
function write(chars: Uint16Array, at: number, replacement: string): void {
  for (let k = 0; k < replacement.length; k++) chars[at + k] = replacement.charCodeAt(k);
}

/** Spaces for everything but line breaks (so lines and offsets stay). */
export function blank(chars: Uint16Array, start: number, end: number): void {
  for (let i = start; i < end; i++) if (chars[i] !== 10 && chars[i] !== 13) chars[i] = 32;
}

const KEYWORDS = new Set([
  'if', 'while', 'for', 'switch', 'return', 'sizeof', 'do', 'case', 'default', 'catch', 'else', 'typeof', '__typeof__', '__attribute__', '__attribute', 'alignof', '_Alignof', 'offsetof', 'decltype', 'static_assert', '_Static_assert', 'defined', 'new', 'delete', 'throw', 'goto', 'break', 'continue', 'asm', '__asm__', '__asm', 'co_await', 'co_return', 'co_yield', 'operator', 'template', 'noexcept', 'requires', 'try',
  'int', 'char', 'short', 'long', 'unsigned', 'signed', 'float', 'double', 'void', 'bool', '_Bool', 'const', 'volatile', 'static', 'extern', 'register', 'auto', 'inline', 'struct', 'union', 'enum', 'typedef', 'class', 'public', 'private', 'protected', 'virtual', 'using', 'namespace',
]);
/** Keywords that may come before an attribute in a declaration (`static THREAD_LOCAL int x`). */
const DECLARATION_WORDS = new Set(['int', 'char', 'short', 'long', 'unsigned', 'signed', 'float', 'double', 'void', 'bool', '_Bool', 'const', 'volatile', 'static', 'extern', 'register', 'auto', 'inline']);
/** Names that read as macros standing for attributes or qualifiers: `THREAD_LOCAL`, `__maybe_unused`, `FAR`. */
const ATTRIBUTE_LIKE = /^(?:__[A-Za-z]\w*|[A-Z][A-Z0-9_]*[A-Z0-9])$/;
/** Block macro names that are no C++ class's: all capitals, or lower case with an iterating word. */
export const CPP_BLOCK_MACRO = /^(?:[A-Z][A-Z0-9_]*|[a-z][a-z0-9_]*(?:each|iter|loop|for|walk|scan|range)[a-z0-9_]*)$/;
/** Names of block macros that iterate (`LIST_FOREACH`, `list_for_each_entry`, `hash_iter`). */
const ITERATING = /each|iter|loop|for|walk|scan|range/i;
/**
 * Names of block macros that run their block once, as a scope (`frr_with_privs(p) {`,
 * `WITH_LOCK(m) {`, `scoped_guard(mutex, &m) {`): a `for` that runs once, or a cleanup scope.
 */
const RUNS_ONCE = /(?:^|_)(?:with|scoped|guard|locked|critical|synchronized|once)(?:_|$)/i;
/** Names of block macros that stand for an `if` (`unlikely_if(x) {`, `IF_DEBUG(x) {`). */
const CONDITIONAL = /(?:^|_)if(?:_|$)/i;
/** Longer arguments are no types (and are not given to the patterns below). */
const MAX_TYPE_TEXT = 200;
/** A macro argument that is a type (`struct x *`, `char *`, `Proto *`): no expression looks like it. */
const TYPE_ARGUMENT = /^\s*(?:(?:const|volatile|struct|union|enum|unsigned|signed)\s+)*(?:[A-Za-z_]\w*\s*(?:\*\s*)+|(?:struct|union|enum)\s+[A-Za-z_]\w*\s*(?:\*\s*)*|(?:unsigned|signed|char|short|int|long|float|double|void)(?:\s+(?:char|short|int|long|double))*\s*(?:\*\s*)*)$/;

/**
 * `for (ALL_LIST_ELEMENTS_RO(list, node, data)) {`: a macro that stands for a loop's whole header
 * (init; condition; step). As written the loop does not parse, and the grammar's recovery runs on
 * over the next functions. It becomes `for (;                    list, node, data;) {`: a loop of
 * unknown count. `after` is just past the `for`. Returns 1 when rewritten.
 */
function rewriteForHeaderMacro(text: string, chars: Uint16Array, after: number, to: number): number {
  const paren = skipSpace(text, after, to);
  if (text.charCodeAt(paren) !== 40) return 0;
  const headerEnd = closing(text, paren, to);
  const nameStart = skipSpace(text, paren + 1, to);
  let nameEnd = nameStart;
  while (nameEnd < to && isWordChar(text.charCodeAt(nameEnd))) nameEnd++;
  const name = text.slice(nameStart, nameEnd);
  const open = skipSpace(text, nameEnd, to);
  if (headerEnd < 0 || !/^[A-Za-z_]/.test(name) || KEYWORDS.has(name) || text.charCodeAt(open) !== 40) return 0;
  const close = closing(text, open, to);
  if (close < 0 || skipSpace(text, close, to) !== headerEnd - 1 || text.slice(open, close).includes(';')) return 0;
  write(chars, nameStart, ';');
  blank(chars, nameStart + 1, open + 1);
  write(chars, close - 1, ';');
  return 1;
}

/**
 * Block and statement macros at the start of a statement, inside braces, in `[from, to)` of
 * `text`, rewritten in `chars` (same lengths):
 * - `NAME(args) {` (or `NAME(args)` then a statement on the next line, for iterating names) becomes
 *   `while(args) {` (`if(args)` for short names): the block is a loop body, or a conditional one;
 * - `NAME(args)` or a bare `NAME` followed by a line break and a statement, with no `;`, gets a `;`
 *   in the white space after it (`__attribute_fallthrough__`, `STEP(a, b)`);
 * - a macro argument that is a type (`container_of(p, struct conn, link)`, `va_arg(ap, char *)`)
 *   becomes `0`: no rule reads it, and as it is the call does not parse;
 * - GNU case ranges (`case 'a' ... 'z':`) become `case 'a' ||  'z':`.
 * Returns how many.
 */
/** Longest argument list read for a statement macro's call (see rewriteStatementMacros). */
const MAX_CALL_CHARS = 20_000;

export function rewriteStatementMacros(text: string, chars: Uint16Array, from: number, to: number, depthAtStart: number, blockNames?: RegExp): number {
  let count = 0;
  let previous = 123; // `{`: the region starts (on a line of its own) where a statement may
  let previousWord = '';
  // Only inside braces: at file level `NAME(type)` on its own line is a declaration's head.
  let depth = depthAtStart;
  let i = from;
  while (i < to) {
    const ch = text.charCodeAt(i);
    if (ch === 123) depth++;
    else if (ch === 125) depth--;
    if (isSpace(ch)) {
      i++;
      continue;
    }
    if (ch === 47 && (text.charCodeAt(i + 1) === 47 || text.charCodeAt(i + 1) === 42)) {
      i = skipComment(text, i, to) + 1;
      continue;
    }
    if (ch === 34 || ch === 39) {
      i = skipQuoted(text, i, to) + 1;
      previous = ch;
      continue;
    }
    if (ch === 35 /* # */ && startsLine(text, i)) {
      // A directive line: not code.
      i = Math.min(directiveLineEnd(text, i), to);
      continue;
    }
    if (ch === 46 && text.startsWith('...', i) && depth >= 1 && /\bcase\b[^;:{}]*$/.test(text.slice(Math.max(from, i - 200), i))) {
      write(chars, i, '|| ');
      count++;
      i += 3;
      continue;
    }
    if (!isWordChar(ch) || (ch >= 48 && ch <= 57)) {
      previous = ch;
      i++;
      continue;
    }
    let j = i;
    while (j < to && isWordChar(text.charCodeAt(j))) j++;
    const name = text.slice(i, j);
    const atStatementStart = depth >= 1 && (previous === 59 || previous === 123 || previous === 125 || previous === 58 || previous === 0x100);
    const afterWord = previous === 65 && (!KEYWORDS.has(previousWord) || DECLARATION_WORDS.has(previousWord));
    const afterBracket = previous === 93;
    const open = skipSpace(text, j, to);
    const isCall = text.charCodeAt(open) === 40 /* ( */ && !KEYWORDS.has(name);
    // A macro's arguments end within this many characters, or it is no macro call: an unclosed
    // `f(` read to the region's end for every name before it made a deep unbalanced nest quadratic.
    const close = isCall ? closing(text, open, Math.min(to, open + MAX_CALL_CHARS)) : -1;
    if (ATTRIBUTE_LIKE.test(name) && !KEYWORDS.has(name) && (!isCall || close > 0)) {
      const end = close > 0 ? close : j;
      const next = skipSpace(text, end, to);
      const nextChar = text.charCodeAt(next);
      const sameLine = !text.slice(end, next).includes('\n');
      const wordOrStarFollows = sameLine && ((isWordChar(nextChar) && !(nextChar >= 48 && nextChar <= 57)) || nextChar === 42);
      const declarationEndFollows = nextChar === 59 || nextChar === 61 || nextChar === 44 || (!isCall && nextChar === 91);
      // `static THREAD_LOCAL int x`, `struct s FAR *p`, `int x __maybe_unused = 0`, `XXH_ALIGN(64) const T *p`,
      // `T a[2] ALIGNED(8);`: an attribute-like macro in a declaration, blanked (a rule never reads it).
      const attribute = isCall
        ? ((atStatementStart || afterWord) && wordOrStarFollows) || ((afterWord || afterBracket) && declarationEndFollows)
        : (afterWord && wordOrStarFollows && (!KEYWORDS.has(previousWord) || DECLARATION_WORDS.has(wordAt(text, next)) || /^(?:struct|union|enum)$/.test(wordAt(text, next)))) ||
          (name.startsWith('__') && (afterWord || afterBracket) && declarationEndFollows);
      if (attribute) {
        blank(chars, i, end);
        count++;
        i = end;
        continue;
      }
    }
    if (name === 'for' && depth >= 1) count += rewriteForHeaderMacro(text, chars, j, to);
    previous = name === 'else' || name === 'do' ? 0x100 : 65;
    previousWord = name;
    if (name === '__volatile' && /^(?:__asm|asm|__asm__)$/.test(previousWordBefore(text, i, from))) {
      // `__asm __volatile(…)`: the grammar knows `volatile` and `__volatile__` there.
      write(chars, i, 'volatile  ');
      count++;
    }
    if (close > 0) count += rewriteTypeArguments(text, chars, open + 1, close - 1);
    if (!atStatementStart || KEYWORDS.has(name) || (isCall && close < 0)) {
      i = isCall && close > 0 ? close : j;
      if (isCall && close > 0) previous = 41;
      continue;
    }
    const end = close > 0 ? close : j;
    const next = skipSpace(text, end, to);
    const nextChar = text.charCodeAt(next);
    const lineBreak = text.slice(end, next).includes('\n');
    const startsStatement = nextChar === 123 || (isWordChar(nextChar) && !(nextChar >= 48 && nextChar <= 57)) || nextChar === 42 || nextChar === 40;
    if (close > 0 && (nextChar === 123 || (lineBreak && startsStatement && (ITERATING.test(name) || CONDITIONAL.test(name)))) && (!blockNames || blockNames.test(name))) {
      // `unlikely_if(!fp) {` (`#define unlikely_if(x) if (unlikely(x))`, chinadns-ng): a name that
      // says `if` is a conditional block, run once or not at all, never a loop.
      const head = CONDITIONAL.test(name) ? 'if' : name.length >= 5 ? 'while' : name.length >= 2 ? 'if' : undefined;
      if (RUNS_ONCE.test(name)) {
        // A scoped guard runs its block exactly once: the head goes, the block stays a plain block.
        blank(chars, i, close);
        count++;
      } else if (head) {
        write(chars, i, head.padEnd(j - i));
        blankDeclaredTypes(text, chars, open + 1, close - 1);
        count++;
      }
    } else if (!isCall && nextChar === 123 && name.length >= 5 && /^[A-Z_][A-Z0-9_]*$/.test(name) && (!blockNames || blockNames.test(name))) {
      // `TEST_ALLOC_FAIL {` (libnih's tests): a block macro without arguments, which may run its
      // block more than once or not at all: a loop on an unknown condition, `while(_)`.
      write(chars, i, (name.length >= 8 ? 'while(_)' : 'if(_)').padEnd(j - i));
      count++;
    } else if (lineBreak && ((startsStatement && nextChar !== 123 && nextChar !== 40 && nextChar !== 42) || nextChar === 125) && (close > 0 || /^(?:[A-Z_][A-Z0-9_]*|__\w+)$/.test(name))) {
      // A `;` in the first blank after it (the line's end, or the next line's indentation).
      const blankAt = text.slice(end, next).search(/[ \t]/);
      if (blankAt >= 0) {
        write(chars, end + blankAt, ';');
        count++;
        i = next;
        previous = 59;
        continue;
      }
    }
    i = end;
    previous = close > 0 ? 41 : 65;
  }
  return count;
}

/**
 * How deep in braces each offset (ascending) is: a file-level error region may start inside a
 * function the grammar broke apart. Comments, strings and directive lines do not count.
 */
export function braceDepths(text: string, offsets: readonly number[]): number[] {
  const depths: number[] = [];
  let depth = 0;
  let i = 0;
  for (const offset of offsets) {
    while (i < offset) {
      const ch = text.charCodeAt(i);
      if (ch === 47 && (text.charCodeAt(i + 1) === 47 || text.charCodeAt(i + 1) === 42)) i = skipComment(text, i, offset) + 1;
      else if (ch === 34 || ch === 39) i = skipQuoted(text, i, offset) + 1;
      else {
        if (ch === 123) depth++;
        else if (ch === 125 && depth > 0) depth--;
        i++;
      }
    }
    depths.push(depth);
  }
  return depths;
}

/** `Q_FOREACH(const Item &item, items)`: the loop variable's type blanked (`item, items`), as a head's condition cannot declare. */
function blankDeclaredTypes(text: string, chars: Uint16Array, from: number, to: number): void {
  for (const [start, end] of elementsOf(text, from, to)) {
    if (end - start > MAX_TYPE_TEXT) continue;
    const m = /^(\s*)((?:const\s+|volatile\s+|struct\s+)*[A-Za-z_][\w:]*(?:<[^;{}]*>)?(?:\s*[*&]+\s*|\s+))([A-Za-z_]\w*)\s*$/.exec(text.slice(start, end));
    if (!m || /^(?:return|case|sizeof|new|delete)\s/.test(m[2]!)) continue;
    const typeStart = start + m[1]!.length;
    blank(chars, typeStart, typeStart + m[2]!.length);
  }
}

/** Type arguments of the macro call whose arguments are `[from, to)`, as `0`. */
function rewriteTypeArguments(text: string, chars: Uint16Array, from: number, to: number): number {
  let count = 0;
  const elements = elementsOf(text, from, to);
  if (elements.length < 2) return 0;
  for (const [start, end] of elements) {
    if (end - start > MAX_TYPE_TEXT) continue;
    const argument = text.slice(start, end);
    if (!TYPE_ARGUMENT.test(argument) || /^\s*[A-Za-z_]\w*\s*$/.test(argument)) continue;
    const at = start + argument.search(/\S/);
    blank(chars, at, end);
    write(chars, at, '0');
    count++;
  }
  return count;
}
function wordAt(text: string, i: number): string {
  let k = i;
  while (k < text.length && isWordChar(text.charCodeAt(k))) k++;
  return text.slice(i, k);
}

/** The word ending before `i` (white space between), or ''. */
function previousWordBefore(text: string, i: number, from: number): string {
  let k = i - 1;
  while (k >= from && isSpace(text.charCodeAt(k))) k--;
  const end = k + 1;
  while (k >= from && isWordChar(text.charCodeAt(k))) k--;
  return text.slice(k + 1, end);
}
