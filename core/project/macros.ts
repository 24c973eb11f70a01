import type { MacroAlias, MacroBody, MacroComparedAssignment, MacroConstant, MacroEquality, MacroExpression, ReturningMacro } from './facts.js';
import { escapeRegExp } from '../util/regexp.js';
import { balancedParentheses, closing, elementsOf, splitTopLevel, splitTopLevelChoice, withoutCasts, withoutNullPointerBase, withoutOuterParentheses } from '../syntax/c-text.js';
import { isBranchHintCall } from '../syntax/branch-hints.js';

let lastText: string | undefined;
let lastStarts: number[] = [];

/**
 * Starts of the lines that may hold a `#define`: the macro scans then try only those (anchored
 * there), instead of every line of the file. The LSP runs them on every edit.
 */
export function defineLines(text: string): number[] {
  // Every macro scan of a file asks (returning macros, aliases, constants, bodies, -1 macros).
  if (text === lastText) return lastStarts;
  const starts: number[] = [];
  lastText = text;
  lastStarts = starts;
  if (!text.includes('#')) return starts;
  for (let i = text.indexOf('define'); i !== -1; i = text.indexOf('define', i + 6)) {
    const lineStart = text.lastIndexOf('\n', i) + 1;
    if (starts[starts.length - 1] !== lineStart) starts.push(lineStart);
  }
  return starts;
}

/** Function-like `#define NAME(params) body` lines (continued lines included): [, NAME, params, body]. */
function* functionLikeDefines(text: string, lines: readonly number[]): Generator<RegExpExecArray> {
  const re = /[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)\(([^)\n]*)\)((?:[^\n]*\\\r?\n)*[^\n]*)/y;
  for (const start of lines) {
    re.lastIndex = start;
    const m = re.exec(text);
    if (m) yield m;
  }
}

/** Object-like `#define NAME body` lines whose body holds a `;` (statements), continued lines included. */
function* objectLikeStatementDefines(text: string, lines: readonly number[]): Generator<{ index: number; name: string; params: string[]; text: string }> {
  const re = /[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(?![\w(])((?:[^\n]*\\\r?\n)*[^\n]*)/y;
  for (const start of lines) {
    re.lastIndex = start;
    const m = re.exec(text);
    if (m && m[2]!.includes(';')) yield { index: m.index, name: m[1]!, params: [], text: m[2]! };
  }
}

/** `#define NAME(args) … return …` (continued lines included), with the argument that guards the return. */
export function returningMacros(text: string, lines: readonly number[] = defineLines(text)): ReturningMacro[] {
  return returningMacrosAt(text, lines).map((d) => d.value);
}

/** A definition and the offset of its `#define` line. */
export interface Positioned<T> {
  readonly at: number;
  readonly value: T;
}

export function returningMacrosAt(text: string, lines: readonly number[] = defineLines(text)): Positioned<ReturningMacro>[] {
  const macros: Positioned<ReturningMacro>[] = [];
  for (const m of functionLikeDefines(text, lines)) {
    // What the preprocessor sees: comments are gone before macros are defined, and a "return" in a
    // string is no statement (`#define CHECK(x) if (!(x)) log("no return here")`).
    const body = codeOf(m[3]!);
    const params = m[2]!.split(',').map((p) => p.trim());
    // `#define CHECK(x) if (!(x)) abort()`: leaves through a call, if that call never returns (the CFG knows).
    const exits = /\b(return|goto)\b/.test(body) ? undefined : /\bif\s*\(/.test(body) ? calledIn(body, params) : [];
    // `#define CHKANDSTMT(c, stmt) do { if (c) { stmt; } } while (0)`: calls nothing, but leaves with the
    // statement it is given; kept for the macros that hand it a jump (check-file.ts `resolvedGuard`).
    if (exits?.length === 0 && !params.some((param) => IDENTIFIER.test(param) && runsAsStatement(body, param))) continue;
    let guard: ReturningMacro = { name: m[1]! };
    const conditions = ifConditions(body);
    params.forEach((param, index) => {
      if (!/^[A-Za-z_]\w*$/.test(param)) return;
      for (const condition of conditions) {
        if (condition === param) guard = { name: m[1]!, param: index, returnsWhen: true };
        else if (condition.startsWith('!') && stripParens(condition.slice(1).trim()) === param) guard = { name: m[1]!, param: index, returnsWhen: false };
      }
    });
    // `if (!_verify((int)(A), #A, __FILE__, __LINE__)) return;`: the argument through a call, which
    // holds only where that function returns it unchanged (decided with the project's definitions).
    if (guard.param === undefined) {
      for (const condition of conditions) {
        const negated = condition.startsWith('!');
        const call = /^([A-Za-z_]\w*)\s*\(([^]*)\)$/.exec(stripParens((negated ? condition.slice(1) : condition).trim()));
        if (!call) continue;
        const args = splitTopLevel(call[2]!).map((a) => stripParens(withoutCasts(a)));
        const arg = args.findIndex((a) => params.includes(a));
        if (arg < 0) continue;
        guard = { name: m[1]!, param: params.indexOf(args[arg]!), returnsWhen: !negated, via: { callee: call[1]!, arg } };
        break;
      }
    }
    if (guard.param === undefined) {
      const equality = conditions.map((c) => equalityGuard(c, params, body)).find((e) => e !== undefined);
      if (equality) guard = { name: m[1]!, equality };
    }
    if (guard.param === undefined && !guard.equality) {
      const compared = conditions.map((c) => comparedAssignmentGuard(c, params)).find((c) => c !== undefined);
      if (compared) guard = { name: m[1]!, comparedAssignment: compared };
    }
    const jump = /\bgoto\s+([A-Za-z_]\w*)/.exec(body);
    // `#define ABORT_FINALIZE(code) do { iRet = code; goto finalize_it; } while (0)`: what it sets on the way out.
    const assigns = [...body.replace(/\\\r?\n/g, ' ').matchAll(/(?:^|[;{}]|\bdo\b)\s*([A-Za-z_]\w*)\s*=(?!=)\s*\(?\s*([A-Za-z_]\w*|-?\d+)\s*\)?\s*;/g)].map((a) => {
      const param = params.indexOf(a[2]!);
      return param >= 0 ? { name: a[1]!, param } : { name: a[1]!, value: a[2]! };
    });
    const jumping = exits ? { ...guard, exits } : jump && !/\breturn\b/.test(body) ? { ...guard, gotoLabel: jump[1]! } : guard;
    const always = !exits && leavesAlways(body);
    const first = always ? callsBeforeLeaving(body, params) : [];
    const value = always ? { ...jumping, always: true, ...(first.length > 0 ? { callsFirst: first } : {}) } : jumping;
    macros.push({ at: m.index, value: assigns.length > 0 ? { ...value, assigns } : value });
  }
  return macros;
}

/**
 * Whether a `return` or `goto` of the body runs on every expansion: a statement of its own at the
 * top level (inside `do { … } while (0)` or braces), not the branch of an `if`, `else` or loop,
 * which stay in the same top-level statement (`if (x) return -1;`).
 */
export function leavesAlways(body: string): boolean {
  for (const statement of topLevelStatements(body)) if (/^(?:return|goto)\b/.test(statement)) return true;
  return false;
}

/**
 * The functions called by the top-level statements before the body's own `return`/`goto` (all of
 * them, in a body that does not leave): `die(x);`, and `fatal stuff;` where the parameter `stuff` is the parenthesized argument list (lrzip's
 * `fatal_return(("msg"), -1)`).
 */
function callsBeforeLeaving(body: string, params: readonly string[]): string[] {
  const calls: string[] = [];
  for (const statement of topLevelStatements(body)) {
    if (/^(?:return|goto)\b/.test(statement)) break;
    const call = /^([A-Za-z_]\w*)\s*(?:\(|([A-Za-z_]\w*)$)/.exec(statement);
    if (call && !CONTROL_WORDS.has(call[1]!) && (call[2] === undefined || params.includes(call[2]))) calls.push(call[1]!);
  }
  return calls;
}

/**
 * Of a body that returns or jumps somewhere but not at its own top level, the offsets of the calls
 * that are top-level statements: they run when the macro goes on rather than leaving.
 * delphinusdnsd's `SEND_TO_PARENT` is `do { if (…) { close(so); goto cont; } … imsg_compose(ibuf,
 * …, so, …); … } while (0)`: the close runs on the way out, the `imsg_compose` on the way through.
 */
function callsGoingOn(body: string): Set<number> {
  const found = new Set<number>();
  const code = body.replace(/;\s*$/, '');
  let from = 0;
  let to = code.length;
  const wrapper = /^\s*(?:do\s*)?\{/.exec(code);
  if (wrapper) {
    const end = closing(code, wrapper[0].length - 1);
    if (end > 0 && /^\s*(?:while\s*\(\s*0\s*\))?\s*$/.test(code.slice(end))) [from, to] = [wrapper[0].length, end - 1];
  }
  let depth = 0;
  let start = from;
  for (let i = from; i <= to; i++) {
    // (The end of the code, or of the wrapper's block, ends the last statement.)
    const ch = i < to ? code[i] : ';';
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (depth < 0) return new Set();
    if (depth !== 0 || (ch !== ';' && ch !== '}')) continue;
    const text = code.slice(start, i);
    const lead = text.length - text.trimStart().length;
    const call = /^([A-Za-z_]\w*)\s*\(/.exec(text.trimStart());
    // A return or jump of its own: the macro always leaves, and nothing runs on the way through.
    if (/^(?:return|goto)\b/.test(text.trimStart())) return new Set();
    if (call && !CONTROL_WORDS.has(call[1]!)) found.add(start + lead);
    start = i + 1;
  }
  return found;
}

/**
 * A macro body's statements at its top level (inside `do { … } while (0)` or braces), trimmed, in
 * order; a statement ends at a `;` or a `}` outside brackets. Stops where the brackets close more
 * than they opened.
 */
function* topLevelStatements(body: string): Generator<string> {
  let code = body.replace(/\\\r?\n/g, ' ').trim().replace(/;\s*$/, '');
  const wrapped = /^do\s*\{([^]*)\}\s*while\s*\(\s*0\s*\)$/.exec(code) ?? /^\{([^]*)\}$/.exec(code);
  if (wrapped && balancedParentheses(wrapped[1]!, '{', '}')) code = wrapped[1]!;
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= code.length; i++) {
    const ch = code[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (depth < 0) return;
    if (i === code.length || (depth === 0 && (ch === ';' || ch === '}'))) {
      yield code.slice(start, i).trim();
      start = i + 1;
    }
  }
}

const CONTROL_WORDS = new Set(['if', 'while', 'for', 'switch', 'do', 'else', 'return', 'goto', 'sizeof']);

/**
 * Object-like macros whose body is the object of a member access, ending in `->` or `.`
 * (`#define BX_SER_THIS theSerial->`, `#define BX_MEM_THIS this->`): `BX_SER_THIS fd = open(…)`
 * stores into a field, though it reads as a declaration of `fd` with the macro for its type.
 */
export function memberPrefixMacros(text: string, lines: readonly number[] = defineLines(text)): string[] {
  const names: string[] = [];
  const re = /[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+[^\n]*?(?:->|[\w)\]]\.)[ \t]*(?:\/[*/].*)?$/my;
  for (const start of lines) {
    re.lastIndex = start;
    const m = re.exec(text);
    if (m) names.push(m[1]!);
  }
  return names;
}

/** Whether the body runs the parameter as a statement of its own (`{ stmt_; }`). */
function runsAsStatement(body: string, param: string): boolean {
  return new RegExp(`(?:^|[;{}]|\\bdo\\b|\\belse\\b|\\))\\s*${escapeRegExp(param)}\\s*;`).test(body.replace(/\\\r?\n/g, ' '));
}

/**
 * `a != b`, `a == 0` where each side is a parameter, a local the body initialises from one (`int
 * __got = (got)`), or a literal 0: the guard of an assertion macro comparing its arguments.
 */
/** `(iRet = code) != RELP_RET_OK`, `RET_OK != (rc = (x))`: a parameter assigned to a variable, compared with a constant. */
function comparedAssignmentGuard(condition: string, params: readonly string[]): MacroComparedAssignment | undefined {
  const assignment = String.raw`\(\s*([A-Za-z_]\w*)\s*=\s*\(*\s*([A-Za-z_]\w*)\s*\)*\s*\)`;
  const constant = String.raw`\(?\s*(-?\d+|[A-Z][A-Z0-9_]*)\s*\)?`;
  const left = new RegExp(`^${assignment}\\s*(==|!=)\\s*${constant}$`).exec(condition);
  const right = left ? undefined : new RegExp(`^${constant}\\s*(==|!=)\\s*${assignment}$`).exec(condition);
  const [name, arg, op, value] = left ? [left[1]!, left[2]!, left[3]!, left[4]!] : right ? [right[3]!, right[4]!, right[2]!, right[1]!] : [];
  const param = arg === undefined ? -1 : params.indexOf(arg);
  if (param < 0 || name === undefined || value === undefined || params.includes(name)) return undefined;
  return { name, param, constant: value, returnsWhenEqual: op === '==' };
}

function equalityGuard(condition: string, params: readonly string[], body: string): MacroEquality | undefined {
  const m = /^\(?\s*([A-Za-z_]\w*|0)\s*\)?\s*(==|!=)\s*\(?\s*([A-Za-z_]\w*|0)\s*\)?$/.exec(condition);
  if (!m) return undefined;
  const side = (operand: string): number | undefined | null => {
    if (operand === '0') return undefined;
    const direct = params.indexOf(operand);
    if (direct >= 0) return direct;
    // A copy made by the body: `int __got = (got)`, `__typeof__(got) _g = (got);`.
    const copy = new RegExp(`[\\s,*]${escapeRegExp(operand)}\\s*=\\s*\\(*\\s*([A-Za-z_]\\w*)\\s*\\)*\\s*[,;]`).exec(body);
    const source = copy ? params.indexOf(copy[1]!) : -1;
    return source >= 0 ? source : null;
  };
  const left = side(m[1]!);
  const right = side(m[3]!);
  if (left === null || right === null || (left === undefined && right === undefined)) return undefined;
  return { left, right, returnsWhenEqual: m[2] === '==' };
}

/** A call at the start of a condition: its name, and where its argument list opens. */
const LEADING_CALL = /^([A-Za-z_]\w*)\s*\(/;

/**
 * The conditions of a body's `if`s, parentheses and branch hints stripped: `if ((!(expr)))` →
 * `!(expr)`, `if (unlikely(!(x)))` → `!(x)`.
 */
function ifConditions(body: string): string[] {
  const out: string[] = [];
  for (const [open, close] of conditionSpans(body, /\bif\s*\(/g)) {
    let condition = stripParens(body.slice(open, close).trim());
    // `unlikely(c)`, `__builtin_expect(c, 0)`, `OSMO_UNLIKELY(c)` around the whole condition: c.
    for (let call = LEADING_CALL.exec(condition); call && closing(condition, call[0].length - 1) === condition.length; call = LEADING_CALL.exec(condition)) {
      const args = topLevelParts(condition.slice(call[0].length, -1));
      if (!isBranchHintCall(call[1]!, args.length)) break;
      condition = stripParens(args[0]!.trim());
    }
    out.push(condition.replace(/^!\s*/, '!'));
  }
  return out;
}

const NOT_CALLS = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', 'do', 'defined', '__builtin_expect']);

/** Functions (or macros) a macro body calls, its parameters aside. */
function calledIn(body: string, params: readonly string[]): string[] {
  return [...new Set([...body.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].map((c) => c[1]!))].filter((c) => !NOT_CALLS.has(c) && !params.includes(c));
}

/** A macro body without its comments, and with string and character literals emptied. */
function codeOf(body: string): string {
  return body.replace(/\/\*[\s\S]*?(\*\/|$)|\/\/[^\n]*|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'/g, (m) => (m.startsWith('"') ? '""' : m.startsWith("'") ? "''" : ' '));
}

const IDENTIFIER = /^[A-Za-z_]\w*$/;

/**
 * Macros that stand for a function under another name: `#define xs_socket socket` (object-like),
 * `#define sclose(x) close(x)`, `#define xs_open_file(name, mode, create, access) open((const char *) name, mode|create, access)`
 * (function-like, the body one call). For a function-like alias, `args[i]` is the macro parameter
 * the target's argument i is (casts and parentheses aside), -1 when it is an expression of them.
 */
export function macroAliases(text: string, lines: readonly number[] = defineLines(text)): MacroAlias[] {
  return macroAliasesAt(text, lines).map((d) => d.value);
}

/** A `#define` line: its name, its parameter list as written (`(a, b)`, undefined for an object-like macro) and its body, continuations joined. */
export interface Define {
  readonly at: number;
  readonly name: string;
  readonly params?: string;
  readonly body: string;
}

/** Every `#define` with a body, object-like and function-like, in the order of `lines`. */
export function* defines(text: string, lines: readonly number[] = defineLines(text)): Generator<Define> {
  const re = /[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\([^)\n]*\))?[ \t]+((?:[^\n]*\\\r?\n)*[^\n]*)/y;
  for (const start of lines) {
    re.lastIndex = start;
    const m = re.exec(text);
    if (m) yield { at: m.index, name: m[1]!, params: m[2], body: m[3]!.replace(/\\\r?\n/g, ' ') };
  }
}

export function macroAliasesAt(text: string, lines: readonly number[] = defineLines(text)): Positioned<MacroAlias>[] {
  const aliases: Positioned<MacroAlias>[] = [];
  for (const define of defines(text, lines)) {
    const { name, at } = define;
    const body = stripParens(codeOf(define.body).trim());
    if (define.params === undefined) {
      if (IDENTIFIER.test(body) && body !== name) aliases.push({ at, value: { name, target: body } });
      continue;
    }
    const params = define.params.slice(1, -1).split(',').map((p) => p.trim());
    const call = /^([A-Za-z_]\w*)\s*\(/.exec(body);
    if (!call || call[1] === name || params.includes(call[1]!) || closing(body, call[0].length - 1) !== body.length) continue;
    const args = topLevelParts(body.slice(call[0].length, -1)).map((arg) => params.indexOf(stripCasts(arg)));
    aliases.push({ at, value: { name, target: call[1]!, args } });
  }
  return aliases;
}

/** `((x))` → `x`: parentheses around the whole. */
function stripParens(text: string): string {
  let t = text;
  while (t.startsWith('(') && closing(t, 0) === t.length) t = t.slice(1, -1).trim();
  return t;
}

/** `(const char *) name` → `name`; `(x)` → `x`. */
function stripCasts(arg: string): string {
  let t = stripParens(arg.trim());
  for (let m = /^\((?:const\s+|unsigned\s+|struct\s+)*[A-Za-z_]\w*\s*\**\s*\)\s*/.exec(t); m; m = /^\((?:const\s+|unsigned\s+|struct\s+)*[A-Za-z_]\w*\s*\**\s*\)\s*/.exec(t)) t = stripParens(t.slice(m[0].length));
  return t;
}

/** Comma-separated parts at depth 0 (brackets, strings and comments respected). */
function topLevelParts(text: string): string[] {
  return elementsOf(text, 0, text.length).map(([s, e]) => text.slice(s, e));
}

/** `#define PIPE_WR 1`, `#define SLOT (2)`: object-like macros that are an integer. */
export function macroConstants(text: string, lines: readonly number[] = defineLines(text)): MacroConstant[] {
  return macroConstantsAt(text, lines).map((d) => d.value);
}

export function macroConstantsAt(text: string, lines: readonly number[] = defineLines(text)): Positioned<MacroConstant>[] {
  const constants: Positioned<MacroConstant>[] = [];
  const re = /[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+\(*[ \t]*(-?[ \t]*\d+)[uUlL]*[ \t]*\)*[ \t]*(?:\/[*/].*)?$/my;
  for (const start of lines) {
    re.lastIndex = start;
    const m = re.exec(text);
    if (m) constants.push({ at: m.index, value: { name: m[1]!, value: String(Number(m[2]!.replace(/[ \t]/g, ''))) } });
  }
  return constants;
}

/** <unistd.h>'s numbers of the standard streams (`fd_pipe[STDOUT_FILENO]` is the write end). */
const SYSTEM_CONSTANTS: ReadonlyMap<string, string> = new Map([
  ['STDIN_FILENO', '0'],
  ['STDOUT_FILENO', '1'],
  ['STDERR_FILENO', '2'],
]);

/** `pfd[PIPE_WR]` → `pfd[1]` when PIPE_WR is an integer macro: subscripts as the compiler sees them. */
export function subscriptsResolved(text: string, constants: ReadonlyMap<string, string>): string {
  if (!text.includes('[')) return text;
  return text.replace(/\[([A-Za-z_]\w*)\]/g, (whole, name: string) => {
    const value = constants.get(name) ?? SYSTEM_CONSTANTS.get(name);
    return value === undefined ? whole : `[${value}]`;
  });
}

/**
 * Function-like macros used as statements, with the calls their bodies make:
 * `#define FAIL_CLOSE(x) close(in); close(out); return (x)` → close(in), close(out), returns.
 * Arguments are kept as written, the macro's parameters as `$0`, `$1`, … (substituted at each use).
 * Only bodies of more than one statement or with a return or goto: a body that is one call is an
 * alias (macroAliases).
 */
/** A body that may skip some of its calls: a test, a loop (`do … while (0)` is not one). */
const CONDITIONAL = /\b(?:if|switch|for)\b|\?|&&|\|\||\bwhile\s*\(\s*(?!0\s*\))/;

/** How a statement macro's body passes on its variadic arguments (`##args`, `__VA_ARGS__`) in `MacroBody.calls`. */
export const VARIADIC_ARGUMENTS = '$...';

export function macroBodies(text: string, lines: readonly number[] = defineLines(text)): MacroBody[] {
  return macroBodiesAt(text, lines).map((d) => d.value);
}

export function macroBodiesAt(text: string, lines: readonly number[] = defineLines(text)): Positioned<MacroBody>[] {
  const bodies: Positioned<MacroBody>[] = [];
  // Function-like ones, then object-like statement macros (`#define XH_extuninit if (fp) { fclose(fp); … }`,
  // used as `XH_extuninit;`): a body of statements, with no parameters.
  const defines = [
    ...[...functionLikeDefines(text, lines)].map((m) => ({ index: m.index, name: m[1]!, params: m[2]!.split(',').map((p) => p.trim()), text: m[3]! })),
    ...objectLikeStatementDefines(text, lines),
  ].sort((a, b) => a.index - b.index);
  for (const m of defines) {
    const body = codeOf(m.text).replace(/\\\r?\n/g, ' ');
    const returns = /\b(return|goto)\b/.test(body);
    if (!returns && !/;\s*\S/.test(body)) continue;
    // `(fmt, args...)`, `(fmt, ...)`: the arguments from the last on are the variadic ones.
    const variadicName = /^(?:([A-Za-z_]\w*)\s*)?\.\.\.$/.exec(m.params[m.params.length - 1] ?? '');
    const params = variadicName ? m.params.slice(0, -1) : m.params;
    const pack = variadicName ? new RegExp(`^(?:##\\s*)?(?:__VA_ARGS__|${variadicName[1] ?? '__VA_ARGS__'})$`) : undefined;
    const calls: { callee: string; args: string[]; tested?: boolean; goesOn?: boolean }[] = [];
    const conditions = conditionSpans(body);
    const goingOn = returns ? callsGoingOn(body) : undefined;
    const callRe = /\b([A-Za-z_]\w*)\s*\(/g;
    for (let c = callRe.exec(body); c; c = callRe.exec(body)) {
      const callee = c[1]!;
      if (/^(if|while|for|switch|return|sizeof|do)$/.test(callee) || params.includes(callee)) continue;
      const open = c.index + c[0].length - 1;
      const close = closing(body, open) - 1;
      if (close < 0) break;
      const args = topLevelParts(body.slice(open + 1, close)).map((arg) => {
        const squeezed = arg.replace(/\s+/g, ' ').trim();
        if (pack?.test(squeezed)) return VARIADIC_ARGUMENTS;
        return params.reduce((acc, param, i) => (param && /^[A-Za-z_]\w*$/.test(param) ? acc.replace(new RegExp(`\\b${escapeRegExp(param)}\\b`, 'g'), () => `$${i}`) : acc), squeezed);
      });
      const tested = conditions.some(([from, to]) => from < c!.index && c!.index < to);
      calls.push({ callee, args, ...(tested ? { tested } : {}), ...(goingOn?.has(c.index) ? { goesOn: true } : {}) });
    }
    const conditional = CONDITIONAL.test(body);
    const callsAlways = conditional && !returns ? callsBeforeLeaving(body, params) : [];
    if (calls.length > 0) bodies.push({ at: m.index, value: { name: m.name, calls, returns, conditional, ...(callsAlways.length > 0 ? { callsAlways } : {}), ...(variadicName ? { variadicFrom: params.length } : {}) } });
  }
  return bodies;
}

/** The parenthesised conditions after `heads` (`if (`, by default also `while (` and `switch (`) in a body: [open, close) offsets. */
function conditionSpans(body: string, heads = /\b(?:if|while|switch)\s*\(/g): [number, number][] {
  const spans: [number, number][] = [];
  for (const m of body.matchAll(heads)) {
    const open = m.index! + m[0].length - 1;
    const close = closing(body, open);
    if (close > open) spans.push([open, close]);
  }
  return spans;
}

/**
 * Function-like macros whose body is an expression: `#define SOCK_INVALID(s) ((s) < 0)`,
 * `#define IS_OPEN(f) ((f) != NULL && (f)->fd >= 0)`. A use is that expression with the arguments
 * substituted (a branch tests it); a handle passed to one that calls nothing but other such macros
 * is only read (MacroScope.readsOnly). Bodies that assign, jump or paste tokens are not expressions.
 */
export function macroExpressions(text: string, lines: readonly number[] = defineLines(text)): MacroExpression[] {
  return macroExpressionsAt(text, lines).map((d) => d.value);
}

const NOT_EXPRESSION = /[;{}]|\b(?:return|goto|do|while|for|if|switch|break|continue)\b|\+\+|--|[-+*/%&|^]=|<<=|>>=|(?:^|[^=!<>])=(?!=)/;

export function macroExpressionsAt(text: string, lines: readonly number[] = defineLines(text)): Positioned<MacroExpression>[] {
  const expressions: Positioned<MacroExpression>[] = [];
  for (const m of functionLikeDefines(text, lines)) {
    const body = codeOf(m[3]!).replace(/\\\r?\n/g, ' ').trim();
    if (body === '' || NOT_EXPRESSION.test(body)) continue;
    const params = m[2]!.split(',').map((p) => p.trim());
    if (params.some((p) => !IDENTIFIER.test(p))) continue;
    // `#e` makes a string of an argument (expandedExpression); pasting tokens (`##`) or any other `#` does not read as an expression.
    if (body.includes('#') && [...body.matchAll(/#+\s*([A-Za-z_]\w*)?/g)].some((h) => h[0].startsWith('##') || h[1] === undefined || !params.includes(h[1]))) continue;
    const calls = calledIn(body, params);
    expressions.push({ at: m.index, value: { name: m[1]!, params, body, calls } });
  }
  return expressions;
}

/** `#define UNUSED(x) ((void)(x))`: the macro casts parameter `index` to void, discarding it on purpose. */
export function discardsArg(macro: MacroExpression, index: number): boolean {
  const param = macro.params[index];
  return param !== undefined && new RegExp(`\\(\\s*void\\s*\\)\\s*\\(*\\s*${escapeRegExp(param)}\\b`).test(macro.body);
}

/**
 * Is the macro's value its argument `index` under casts and parentheses only (`#define
 * SX_INT_TO_PTR(X) ((void *)(sxptr)(X))`)? Then using it is using the argument.
 */
export function castsArg(macro: MacroExpression, index: number, expressionNamed?: (name: string) => MacroExpression | undefined, depth = 0): boolean {
  const param = macro.params[index];
  if (param === undefined) return false;
  // Parentheses, casts and a null pointer base peeled off in turn: `((void *)(sxptr)(X))` → `X`,
  // `((void*)(((char*)0)+((ptrdiff_t)(i))))` → `i`.
  let body = macro.body.replace(/\\\r?\n/g, ' ').trim();
  for (let before = ''; before !== body; ) {
    before = body;
    body = withoutNullPointerBase(withoutCasts(withoutOuterParentheses(body)));
  }
  if (body === param) return true;
  // `#define NSSOCK2PTR(p) INT2PTR(p)` over `#define INT2PTR(p) ((void *)(intptr_t)(p))`: a macro handing its argument to another that casts it.
  const inner = depth < 8 && expressionNamed ? /^([A-Za-z_]\w*)\s*\(([^]*)\)$/.exec(body) : null;
  const next = inner ? expressionNamed!(inner[1]!) : undefined;
  if (!inner || !next || next === macro) return false;
  const position = splitTopLevel(inner[2]!).findIndex((arg) => withoutOuterParentheses(arg.trim()) === param);
  return position >= 0 && castsArg(next, position, expressionNamed, depth + 1);
}

/**
 * Is the macro's value computed from argument `index` by arithmetic alone, no test and no call
 * (radamsa's `#define make_immediate(value, type) ((hval)(value) << IPOS | (type) << TPOS | 2)`)?
 * Such a value carries the argument (it can be decoded again): kept, it keeps the argument.
 */
export function encodesArg(macro: MacroExpression, index: number): boolean {
  const param = macro.params[index];
  if (param === undefined || macro.calls.length > 0) return false;
  const body = withoutCasts(macro.body.replace(/\\\r?\n/g, ' ')).replace(/\(\s*(?:const\s+)?(?:unsigned\s+|signed\s+)?[A-Za-z_]\w*\s*\**\s*\)(?=\s*[(\w])/g, ' ');
  if (!new RegExp(`\\b${escapeRegExp(param)}\\b`).test(body)) return false;
  // A comparison, a logical operator or a choice makes a test of it, not a copy.
  if (/==|!=|<=|>=|&&|\|\||[?!]|(?<![<])<(?![<])|(?<![>-])>(?![>])/.test(body)) return false;
  return /<<|>>|[|^+*]/.test(body);
}

/**
 * Is the macro's value argument `index`, cast or encoded, where a test of that argument alone
 * holds, and a null or invalid constant where it does not (tbox's `#define tb_fd2sock(fd) ((fd) >= 0?
 * (tb_socket_ref_t)((tb_long_t)(fd) + 1) : tb_null)`)? For a valid descriptor the value carries
 * it: kept, it keeps the descriptor.
 */
export function encodesValidArg(macro: MacroExpression, index: number, expressionNamed?: (name: string) => MacroExpression | undefined): boolean {
  const param = macro.params[index];
  if (param === undefined || macro.calls.length > 0) return false;
  const choice = splitTopLevelChoice(withoutOuterParentheses(macro.body.replace(/\\\r?\n/g, ' ').trim()));
  if (!choice) return false;
  const [test, whenTrue, whenFalse] = choice;
  // The test reads the argument and nothing else but constants.
  const words: readonly string[] = test.match(/[A-Za-z_]\w*/g) ?? [];
  if (!words.includes(param) || words.some((w) => w !== param && !INVALID_CONSTANT.test(w))) return false;
  const carries = (branch: string): boolean => {
    const branchMacro: MacroExpression = { ...macro, body: branch };
    return castsArg(branchMacro, index, expressionNamed) || encodesArg(branchMacro, index);
  };
  const constant = (branch: string): boolean => INVALID_CONSTANT.test(withoutCasts(withoutOuterParentheses(branch)).replace(/^\(\s*|\s*\)$/g, '').trim());
  return (carries(whenTrue) && constant(whenFalse)) || (constant(whenTrue) && carries(whenFalse));
}

/** Values that stand for "no handle": 0, -1, NULL and the project's spellings of null or invalid (`tb_null`, `INVALID_SOCKET`). */
const INVALID_CONSTANT = /^(?:-?\s*[01]|NULL|nullptr|\w*_null|null_\w*|\w*INVALID\w*|\w*_NULL)$/i;

/** A use of an expression macro as C text: its body with the use's arguments (as written) for the parameters. */
export function expandedExpression(macro: MacroExpression, args: readonly string[]): string | undefined {
  if (args.length !== macro.params.length && !(macro.variadic === true && args.length > macro.params.length)) return undefined;
  // `#e` makes a string of the argument (libarchive's `assertion_assert(…, (e), #e, NULL)`): a
  // string literal, whatever the argument's text (bodies that paste tokens are no expressions).
  return macro.body.replace(/(#\s*)?\b([A-Za-z_]\w*)/g, (whole, hash: string | undefined, token: string) => {
    const i = macro.params.indexOf(token);
    if (i < 0) return whole;
    return hash !== undefined ? JSON.stringify(args[i]!.replace(/\s+/g, ' ')) : args[i]!;
  });
}

/** A body call's argument at a use: `$0` … replaced by the use's arguments (as written there). */
export function substituteMacroArgs(arg: string, useArgs: readonly string[]): string {
  return arg.includes('$') ? arg.replace(/\$(\d+)/g, (whole, i: string) => useArgs[Number(i)] ?? whole) : arg;
}
