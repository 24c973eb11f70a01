import { skipComment, skipQuoted } from './c-text.js';

/**
 * Longest identifier analysed. The analysis matches names in text with regular expressions built
 * from them, and V8 refuses one past about 32,000 characters ("Regular expression too large");
 * C guarantees 63 significant characters and no real program comes near this.
 */
export const MAX_IDENTIFIER_CHARS = 4096;

/** Why a text is not analysed (a reason that ends in "skipped"), or undefined. */
export function textLimitProblem(text: string): string | undefined {
  if (isDataFragment(text)) return 'holds only literals and commas (data to #include into an initializer), no code; skipped';
  const overlong = longestWordRun(text);
  if (overlong <= MAX_IDENTIFIER_CHARS) return undefined;
  return `has an identifier of ${overlong.toLocaleString('en-US')} characters, over the limit of ${MAX_IDENTIFIER_CHARS.toLocaleString('en-US')}; skipped`;
}

/** The longest run of name characters (`[A-Za-z0-9_$]`) when one exceeds the limit, else 0: one pass over the text. */
function longestWordRun(text: string): number {
  if (text.length <= MAX_IDENTIFIER_CHARS) return 0;
  let run = 0;
  let longest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36) {
      if (++run > longest) longest = run;
    } else run = 0;
  }
  return longest > MAX_IDENTIFIER_CHARS ? longest : 0;
}

/** Below this size a data fragment parses quickly enough to be left to the parser. */
const DATA_FRAGMENT_MIN_CHARS = 64 * 1024;

/**
 * A file that is only literals and commas (`0x62, 0xEB, …`: an image or a table kept apart and
 * included into an array's initializer). It has no code to check, and tree-sitter's error recovery
 * on a megabyte of it takes minutes; it is recognised before parsing, in one pass.
 */
function isDataFragment(text: string): boolean {
  if (text.length < DATA_FRAGMENT_MIN_CHARS) return false;
  const first = /\S/.exec(text.slice(0, 4096));
  if (!first || !/[-+0-9'"{/]/.test(first[0])) return false;
  return onlyLiterals(text);
}

/** Whether `text` is literals, commas, braces, whitespace and comments only: one pass, no backtracking. */
function onlyLiterals(text: string): boolean {
  const n = text.length;
  for (let i = 0; i < n; ) {
    const ch = text[i]!;
    if (ch === ',' || ch === '{' || ch === '}' || ch === '+' || ch === '-' || ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v') i++;
    else if (ch === '/' && text[i + 1] === '*') {
      const last = skipComment(text, i, n);
      if (last === n) return false; // not closed
      i = last + 1;
    } else if (ch === '/' && text[i + 1] === '/') i = skipComment(text, i, n);
    else if (ch === '"' || ch === "'") {
      const close = skipQuoted(text, i, n);
      if (text[close] !== ch) return false;
      i = close + 1;
    } else if (ch >= '0' && ch <= '9') {
      // A number with its base prefix, digits, fraction, exponent and suffix letters.
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(text[j]!)) j++;
      i = j;
    } else return false;
  }
  return true;
}
