import type { ReturningMacro } from './facts.js';
import { escapeRegExp } from '../util/regexp.js';

/**
 * Starts of the lines that may hold a `#define`: the macro scans then try only those (anchored
 * there), instead of every line of the file. The LSP runs them on every edit.
 */
export function defineLines(text: string): number[] {
  const starts: number[] = [];
  if (!text.includes('#')) return starts;
  for (let i = text.indexOf('define'); i !== -1; i = text.indexOf('define', i + 6)) {
    const lineStart = text.lastIndexOf('\n', i) + 1;
    if (starts[starts.length - 1] !== lineStart) starts.push(lineStart);
  }
  return starts;
}

/** `#define NAME(args) … return …` (continued lines included), with the argument that guards the return. */
export function returningMacros(text: string): ReturningMacro[] {
  const macros: ReturningMacro[] = [];
  const re = /[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)\(([^)\n]*)\)((?:[^\n]*\\\r?\n)*[^\n]*)/y;
  for (const start of defineLines(text)) {
    re.lastIndex = start;
    const m = re.exec(text);
    if (!m) continue;
    // What the preprocessor sees: comments are gone before macros are defined, and a "return" in a
    // string is no statement (`#define CHECK(x) if (!(x)) log("no return here")`).
    const body = codeOf(m[3]!);
    if (!/\b(return|goto)\b/.test(body)) continue;
    const params = m[2]!.split(',').map((p) => p.trim());
    let guard: ReturningMacro = { name: m[1]! };
    params.forEach((param, index) => {
      if (!/^[A-Za-z_]\w*$/.test(param)) return;
      const p = escapeRegExp(param);
      if (new RegExp(`\\bif\\s*\\(\\s*!\\s*\\(?\\s*\\(?${p}\\)?\\s*\\)?\\s*\\)`).test(body)) guard = { name: m[1]!, param: index, returnsWhen: false };
      else if (new RegExp(`\\bif\\s*\\(\\s*\\(?${p}\\)?\\s*\\)`).test(body)) guard = { name: m[1]!, param: index, returnsWhen: true };
    });
    const jump = /\bgoto\s+([A-Za-z_]\w*)/.exec(body);
    macros.push(jump && !/\breturn\b/.test(body) ? { ...guard, gotoLabel: jump[1]! } : guard);
  }
  return macros;
}

/** A macro body without its comments, and with string and character literals emptied. */
function codeOf(body: string): string {
  return body.replace(/\/\*[\s\S]*?(\*\/|$)|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, (m) => (m.startsWith('"') ? '""' : m.startsWith("'") ? "''" : ' '));
}
