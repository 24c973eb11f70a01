import { skipComment, skipQuoted } from '../syntax/c-text.js';
import { defines } from './macros.js';
import { isGnuAttributeKeyword } from '../syntax/gnu-attributes.js';

/**
 * A marker that a function never returns, as written in a declaration: the standard spellings
 * (`_Noreturn`, `noreturn`, `[[noreturn]]`, `__attribute__((noreturn))`) and the project macros
 * that stand for them, which say so in their names (`ATTRIB_NORETURN`, `G_GNUC_NORETURN`,
 * `CURL_NORETURN`, `NO_RETURN`, BSD's `__dead2`).
 */
const MARKER = /\b(?:_Noreturn|[A-Za-z_]*(?:NORETURN|NO_RETURN|noreturn)[A-Za-z0-9_]*|__dead2?)\b/g;

/**
 * Object-like macros this text defines as a no-return marker under a name that does not say so
 * (`#define NONRET __attribute__((noreturn))`, `#define DEAD [[noreturn]]`): the declarations that
 * use them (see markedDeclarations) are no-return wherever the macro is defined.
 */
export function noReturnMarkerMacros(text: string, lines: readonly number[]): string[] {
  const names: string[] = [];
  for (const { name, params, body } of defines(text, lines)) if (params === undefined && !name.match(MARKER) && body.match(MARKER)) names.push(name);
  return names;
}

/**
 * File-level declarations with an upper-case word before the function's name or after its
 * parameter list (`NONRET void fatal(const char *, ...);`, `void die(int) NONRET;`), as [word,
 * function]: when the project defines the word as a no-return marker, the function is one. Only
 * declarations that start a line are read (a statement inside a body is indented), with the name
 * on that line or the next (`void\ndie(int) NONRET;`): each try stops at its second line, and the
 * words of a type cannot be split two ways (text of any length is read in linear time).
 */
export function markedDeclarations(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  const before = /^(?:(?:static|extern|inline)[ \t]+)*([A-Z_][A-Z0-9_]+)[ \t]+(?:\w+[ \t*]+)+?([A-Za-z_]\w*)[ \t]*\(/gm;
  const after = /^[A-Za-z_][\w \t*]*?(?:\n[\w \t*]*?)?\b([A-Za-z_]\w*)[ \t]*\([^;{}()]*(?:\([^;{}()]*\)[^;{}()]*)*\)[ \t]*([A-Z_][A-Z0-9_]+)[ \t]*[;{]/gm;
  for (const m of text.matchAll(before)) pairs.push([m[1]!, m[2]!]);
  for (const m of text.matchAll(after)) pairs.push([m[2]!, m[1]!]);
  return pairs.filter(([word]) => !word.match(MARKER));
}

/**
 * Names of the functions this text declares or defines with a no-return marker
 * (`void dropbear_exit(const char *fmt, ...) ATTRIB_NORETURN;`, `_Noreturn void die(void)`): the
 * CFG ends a path at their calls, as at `exit()`. Read from the text, because a marker macro the
 * grammar does not know breaks the declaration's parse. Markers in comments, strings and `#define`
 * lines do not count.
 */
export function noReturnDeclarations(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(MARKER)) {
    const at = match.index!;
    if (insideCommentStringOrDirective(text, at)) continue;
    const name = declaredFunctionAround(text, at, at + match[0].length);
    if (name) names.add(name);
  }
  return [...names];
}

/** The function the declaration holding [start, end) declares: the name before its first parameter list. */
function declaredFunctionAround(text: string, start: number, end: number): string | undefined {
  // The declaration: from the end of the previous one (`;`, `}` or `{`) to its own end (`;` or `{`).
  let from = start;
  while (from > 0 && !';{}'.includes(text[from - 1]!) && start - from < 1000) from--;
  let to = end;
  while (to < text.length && !';{'.includes(text[to]!) && to - end < 1000) to++;
  const declaration = text.slice(from, to).replace(/\/\*[^]*?\*\/|\/\/[^\n]*|^\s*#[^\n]*$/gm, ' ');
  // `name (` not preceded by `__attribute__ ((`: the first such is the declarator's.
  for (const m of declaration.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
    const name = m[1]!;
    if (isGnuAttributeKeyword(name) || name === '__declspec' || name === 'noreturn' || /NORETURN|NO_RETURN/.test(name)) continue;
    if (/^(?:if|while|for|switch|return|sizeof|defined)$/.test(name)) return undefined;
    // `void EXPORT_FUNC(grub_util_error) (const char *fmt, …)`: a macro around the name (GRUB's
    // export marker) — the name is its argument, followed by the parameter list.
    const wrapped = /^\(\s*([A-Za-z_]\w*)\s*\)\s*\(/.exec(declaration.slice(m.index! + m[0].length - 1));
    if (wrapped && /^[A-Z][A-Z0-9_]*$/.test(name)) return wrapped[1];
    return name;
  }
  return undefined;
}

function insideCommentStringOrDirective(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  if (/^\s*#/.test(text.slice(lineStart, at))) return true;
  // Scan the line up to `at` for a string or a `//` comment; a block comment may open earlier.
  const open = text.lastIndexOf('/*', at);
  if (open >= 0 && text.indexOf('*/', open) > at) return true;
  for (let i = lineStart; i < at; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34 || ch === 39) {
      const close = skipQuoted(text, i, at + 1);
      if (close >= at) return true;
      i = close;
    } else if (ch === 47 && text.charCodeAt(i + 1) === 47) {
      return true;
    } else if (ch === 47 && text.charCodeAt(i + 1) === 42) {
      i = skipComment(text, i, at);
    }
  }
  return false;
}
