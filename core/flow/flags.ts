import { NON_ZERO_VALUE, NOT_VALUE, nodeRange, nodeText, type Cfg, type CfgEdge, type CfgNode } from './cfg.js';
import { perObject } from '../util/memo.js';
import type { SyntaxNode } from '../syntax/parser.js';
import { lowerBound } from '../util/sorted.js';
import { MIRRORED_OPERATOR, squeeze, unwrap } from '../syntax/nodes.js';
import { escapeRegExp } from '../util/regexp.js';
import { compareNumbers, NEVER_NULL_CALL, neverNegativeCall, RETURNS_ONLY_ON_FAILURE } from './never-failing.js';
import { withoutCasts } from '../syntax/c-text.js';

/**
 * Flags: variables (or fixed expressions like `source->type`) that a function only ever sets to
 * constants and tests against constants. Handle typestate alone loses the link between
 * `fopened = TRUE` and a later `if (fopened) fclose(out)`; tracking a few flags next to it keeps
 * such paths apart (the values travel together through the dataflow as tuples).
 */
export interface FlagSet {
  readonly names: readonly string[];
  /** Per flag: value index → constant ('?' unknown, '!0' some non-zero value). */
  readonly values: readonly string[][];
  /** Per flag: the constants it may hold on entry (a parameter every caller passes one of them to); undefined: any. */
  readonly entry?: readonly (readonly string[] | undefined)[];
  /** Per flag: declared `bool` in the function, so only ever 0 or 1 (non-zero is 1, "not 1" is 0). */
  readonly booleans?: readonly boolean[];
}

const MAX_FLAGS = 6;
const MAX_VALUES = 16;
/** Prefix of a flag value that says "differs from this constant". */
const NOT = NOT_VALUE;
const FALSY = new Set(['0', 'FALSE', 'false', 'False', 'NULL', 'nullptr', '0U', '0u']);
const TRUTHY_ONE = new Set(['1', 'TRUE', 'true', 'True', '1U', '1u']);

/** `FALSE`, `NULL`, `0` are one value; so are `TRUE`, `true`, `1`. */
function normalize(constant: string): string {
  return FALSY.has(constant) ? '0' : TRUTHY_ONE.has(constant) ? '1' : constant;
}
const CONSTANT = /^(-?\d+[uUlL]*|TRUE|FALSE|true|false|True|False|NULL|nullptr|[A-Z][A-Z0-9_]*)$/;
/** `f`, `s->f`, `dsp->u.local.is_mbox`: a variable or a fixed chain of fields. */
const FLAG_EXPR = /^[A-Za-z_]\w*((->|\.)[A-Za-z_]\w*){0,4}$/;
/** `HAVE_PIPES`, `defined(HAVE_PIPES)`, `defined HAVE_PIPES`: an upper-case macro name tested as a whole. */
const CONFIGURATION_SYMBOL = /^(?:([A-Z_][A-Z0-9_]*[A-Z][A-Z0-9_]*)|defined\(?([A-Za-z_]\w*)\)?)$/;

interface Test {
  readonly flag: string;
  readonly constant?: string;
  readonly negated: boolean;
  /**
   * A comparison with 0 (`r < 0`, `n > 0`, `len <= 0`): the signs it allows when true, as
   * N (negative), Z (zero), P (positive) bits; its complement when false.
   */
  readonly signs?: number;
  /** The condition assigns the flag before testing it (`(r = read(…)) > 0`): its old value is gone. */
  readonly assigns?: boolean;
  /** An ordering with a number other than 0 (`j < 6`): decided when the flag holds a known number (`j = 0` before a loop). */
  readonly bound?: { readonly op: string; readonly value: number };
}

/** A decimal integer literal. */
const NUMBER = /^-?\d+$/;

/** `a op b` for an ordering operator. */
function ordered(a: number, op: string, b: number): boolean {
  return compareNumbers(a, op, b) === true;
}

const N = 1;
const Z = 2;
const P = 4;

/** `x op value` for every integer x of the sign set `signs` alike (true or false), else undefined. */
function boundBySigns(signs: number, op: string, value: number): boolean | undefined {
  const ranges: [number, number][] = [];
  if (signs & N) ranges.push([-Infinity, -1]);
  if (signs & Z) ranges.push([0, 0]);
  if (signs & P) ranges.push([1, Infinity]);
  let answer: boolean | undefined;
  for (const [lo, hi] of ranges) {
    const atLo = ordered(lo, op, value);
    if (atLo !== ordered(hi, op, value)) return undefined;
    if (answer !== undefined && answer !== atLo) return undefined;
    answer = atLo;
  }
  return answer;
}
/** Values a flag compared with 0 takes besides '?' (NZP), '0' (Z) and '!0' (NP): the other sign sets. */
const SIGN_VALUES: ReadonlyMap<number, string> = new Map([[N, '<0'], [P, '>0'], [N | Z, '<=0'], [Z | P, '>=0']]);
const SIGN_NAMES: ReadonlySet<string> = new Set(SIGN_VALUES.values());
const SIGNS_OF: ReadonlyMap<string, number> = new Map([['?', N | Z | P], ['0', Z], ['!0', N | P], ...[...SIGN_VALUES].map(([bits, value]): [string, number] => [value, bits])]);
/** Signs each ordering allows when true, with the flag on the left (`x < 0`). */
const ORDERING_SIGNS: Readonly<Record<string, number>> = { '<': N, '<=': N | Z, '>': P, '>=': Z | P };

function signOf(value: number): number {
  return value < 0 ? N : value === 0 ? Z : P;
}

/** The domain value naming a set of signs: '?' (any), '0', '!0', or one of SIGN_VALUES. */
function signValue(signs: number): string {
  return signs === (N | Z | P) ? '?' : signs === Z ? '0' : signs === (N | P) ? '!0' : SIGN_VALUES.get(signs)!;
}

/**
 * Conditions of any other form (`strcmp(path, "-") == 0`, `opt_enabled(OPT_FOREGROUND)`,
 * `lock != NULL && x`'s parts) are flags of their own, named `@` and their text: tested again
 * with none of their names assigned in between, they take the same value on a path. Not those
 * that call something with effects (`read(…) > 0` twice is two reads) or assign.
 */
const CONDITION_FLAG = '@';
const MAX_CONDITION_FLAG_TEXT = 120;
const EFFECTFUL_CALL = /\b(?:read\w*|write\w*|recv\w*|send\w*|accept\d*|connect|poll|e?poll_\w+|select|kevent|f?gets|fgetc|getc\w*|getchar|fread|fwrite|getline|getdelim|\w*scanf|wait\w*|fork|vfork|malloc|calloc|realloc|\w*dup\w*|open\w*|fopen|socket\w*|pipe\d*|close\w*|fclose|pclose|kill|rand|random|time|clock\w*|sleep|usleep|next\w*|pop\w*|get_\w*line|\w*_read|\w*_recv)\s*\(/;
const IDENTIFIERS = /[A-Za-z_]\w*/g;
const NOT_NAMES = new Set(['sizeof', 'NULL', 'nullptr', 'true', 'false', 'TRUE', 'FALSE']);

function conditionFlagOf(text: string, expr?: SyntaxNode): Test | undefined {
  if (text.length > MAX_CONDITION_FLAG_TEXT || /(?:^|[^=!<>])=(?!=)|\+\+|--/.test(text) || EFFECTFUL_CALL.test(text)) return undefined;
  if (namesIn(text).length === 0) return undefined;
  // `a != b` is the negation of `a == b`: one flag for both.
  const op = expr?.type === 'binary_expression' ? expr.childForFieldName('operator')?.type : undefined;
  const operand = (field: string) => squeeze(expr?.childForFieldName(field)?.text ?? '');
  // `~flags & JOB_PTY` (or `JOB_PTY & ~flags`) is true exactly when `flags & JOB_PTY` is false: one flag.
  const maskFirst = /^(\w+) ?& ?~ ?([A-Za-z_][\w.>-]*)$/.exec(text);
  const maskLast = /^~ ?([A-Za-z_][\w.>-]*) ?& ?(\w+)$/.exec(text);
  if (maskLast) return { flag: `${CONDITION_FLAG}${maskLast[1]} & ${maskLast[2]}`, negated: true };
  if (maskFirst) return { flag: `${CONDITION_FLAG}${maskFirst[2]} & ${maskFirst[1]}`, negated: true };
  if (expr && op === '&') return { flag: `${CONDITION_FLAG}${operand('left')} & ${operand('right')}`, negated: false };
  if (expr && (op === '==' || op === '!=')) {
    return { flag: `${CONDITION_FLAG}${operand('left')} == ${operand('right')}`, negated: op === '!=' };
  }
  // `x < 0` and `x >= 0`, `a > b` and `b >= a`: one `<` flag for all four orderings.
  if (expr && (op === '<' || op === '>=')) return { flag: `${CONDITION_FLAG}${operand('left')} < ${operand('right')}`, negated: op === '>=' };
  if (expr && (op === '>' || op === '<=')) return { flag: `${CONDITION_FLAG}${operand('right')} < ${operand('left')}`, negated: op === '<=' };
  return { flag: `${CONDITION_FLAG}${text}`, negated: false };
}

/** The names a condition flag reads (memoized: asked for every assignment of the function). */
const namesIn = (() => {
  const cache = new Map<string, string[]>();
  return (text: string): string[] => {
    let names = cache.get(text);
    if (!names) {
      names = [...new Set(text.match(IDENTIFIERS) ?? [])].filter((n) => !NOT_NAMES.has(n));
      if (cache.size > 4096) cache.clear();
      cache.set(text, names);
    }
    return names;
  };
})();

/**
 * The variables and field chains a condition reads (`con->cmd & DO_LIST`: `con->cmd`, `DO_LIST`),
 * each as written without spaces; a chain's first name is the variable it starts from.
 */
function chainsIn(text: string): string[] {
  const chains = text.replace(/\s+/g, '').match(/(?<![\w.>])[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)*/g) ?? [];
  return [...new Set(chains)].filter((c) => !NOT_NAMES.has(c));
}

const FIELD_CHAIN = /^[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)+$/;

/**
 * Does assigning `target` (root `root`) change what a condition reading `chains` reads? A variable,
 * an element or what a pointer points to changes every chain from that variable; a field
 * (`con->rbuf`, also written through its address: `rbuf_discard(&con->rbuf)`) only the chains
 * through it or leading to it — not `con->cmd`.
 */
function changesChains(target: string, root: string, chains: readonly string[]): boolean {
  const field = FIELD_CHAIN.test(target);
  return chains.some((chain) => {
    if (/^[A-Za-z_]\w*/.exec(chain)?.[0] !== root) return false;
    if (!field) return true;
    return chain === target || throughField(chain, target) || throughField(target, chain);
  });
}

/** Is `longer` a field chain that goes through `prefix` (`a->b.c` through `a->b`)? */
function throughField(longer: string, prefix: string): boolean {
  return longer.startsWith(prefix) && (longer.startsWith('->', prefix.length) || longer.startsWith('.', prefix.length));
}

/** An atomic condition that tests a flag: `f`, `f == C`, `C != f`. */
function testOf(condition: SyntaxNode, isVariable: (name: string) => boolean = () => false): Test | undefined {
  // `I`, `N`: upper-case like a macro, but a variable where the function assigns it (apt's `for (int I = 0; I != 4; I++)`).
  const constant = (name: string) => CONSTANT.test(name) && !isVariable(name);
  const expr = unwrap(condition);
  const text = squeeze(expr.text);
  if (FLAG_EXPR.test(text) && !constant(text)) return { flag: text, negated: false };
  // `while ((res = fgets(…)))`: the variable assigned, tested for truth right after.
  if (expr.type === 'assignment_expression' && expr.childForFieldName('operator')?.type === '=') {
    const assigned = squeeze(expr.childForFieldName('left')?.text ?? '');
    if (FLAG_EXPR.test(assigned) && !constant(assigned)) return { flag: assigned, negated: false, assigns: true };
  }
  // A configuration symbol (`#ifdef HAVE_PIPES`, `#if USE_SSL`, `if (DEBUG)`, `defined(X)`): one
  // value for the whole build, so every test of it on a path agrees — a flag no code assigns.
  const symbol = CONFIGURATION_SYMBOL.exec(text);
  if (symbol) return { flag: `#${symbol[1] ?? symbol[2]}`, negated: false };
  // `r < 0`, `0 < n`, `len >= 0`: the flag's sign.
  if (expr.type === 'binary_expression' && /[<>]/.test(text)) {
    const op = expr.childForFieldName('operator')?.type ?? '';
    if (op in ORDERING_SIGNS) {
      // `(r = read(…)) > 0`: the variable assigned, tested right after.
      const left = comparedOperand(expr, 'left');
      const right = comparedOperand(expr, 'right');
      if (right.name === '0' && FLAG_EXPR.test(left.name) && !constant(left.name)) return { flag: left.name, negated: false, signs: ORDERING_SIGNS[op], assigns: left.assigns };
      if (left.name === '0' && FLAG_EXPR.test(right.name) && !constant(right.name)) return { flag: right.name, negated: false, signs: ORDERING_SIGNS[MIRRORED_OPERATOR[op]!], assigns: right.assigns };
      // `j < 6` in `for (j = 0; j < 6; j++)`: its first test is decided by the 0 the loop starts from.
      if (NUMBER.test(right.name) && !left.assigns && FLAG_EXPR.test(left.name) && !constant(left.name)) return { flag: left.name, negated: false, bound: { op, value: Number(right.name) } };
      if (NUMBER.test(left.name) && !right.assigns && FLAG_EXPR.test(right.name) && !constant(right.name)) return { flag: right.name, negated: false, bound: { op: MIRRORED_OPERATOR[op]!, value: Number(left.name) } };
    }
  }
  // Only `==` and `!=` compare a flag with a constant: without either in the text, no need to read the operands.
  if (expr.type !== 'binary_expression' || !(text.includes('==') || text.includes('!='))) return conditionFlagOf(text, expr);
  const op = expr.childForFieldName('operator')?.type;
  if (op !== '==' && op !== '!=') return conditionFlagOf(text, expr);
  // `(pid = zfork(&t)) == -1`: the variable assigned, compared right after.
  const left = comparedOperand(expr, 'left');
  const right = comparedOperand(expr, 'right');
  const negated = op === '!=';
  if (FLAG_EXPR.test(left.name) && constant(right.name) && !constant(left.name)) return { flag: left.name, constant: normalize(right.name), negated, assigns: left.assigns };
  if (FLAG_EXPR.test(right.name) && constant(left.name) && !constant(right.name)) return { flag: right.name, constant: normalize(left.name), negated, assigns: right.assigns };
  return conditionFlagOf(text, expr);
}

/** One side of a comparison, parentheses aside; an assignment in it (`(r = read(…)) > 0`) stands for the variable it assigns. */
function comparedOperand(expr: SyntaxNode, field: 'left' | 'right'): { name: string; assigns: boolean } {
  const child = expr.childForFieldName(field);
  if (!child) return { name: '', assigns: false };
  const node = unwrap(child);
  if (node.type === 'assignment_expression' && node.childForFieldName('operator')?.type === '=') return { name: squeeze(node.childForFieldName('left')?.text ?? ''), assigns: true };
  return { name: squeeze(node.text), assigns: false };
}

/** Names the function assigns (a variable, whatever its case), once per CFG. */
const assignedNames = perObject((cfg: Cfg): ReadonlySet<string> => {
  const names = new Set<string>();
  for (const found of cfgAssignments(cfg).values()) for (const name of found.keys()) names.add(name);
  return names;
});

/** The flag test of each condition node, by node id, worked out once per CFG (every handle of the function asks). */
const conditionTests = perObject((cfg: Cfg): (Test | undefined)[] => {
  // Read only when a condition names a capitalised variable (`I != 4`): most functions never do.
  let variables: ReadonlySet<string> | undefined;
  const isVariable = (name: string) => (variables ??= assignedNames(cfg)).has(name);
  return cfg.nodes.map((node) => {
    if (node.kind !== 'condition' || !node.syntax) return undefined;
    const test = testOf(node.syntax, isVariable);
    return test && !test.assigns ? copiedTest(test, node, cfg) : test;
  });
});

/**
 * `fd = f->fd; if (fd < 0) { fd = open(…); … } … if (f->fd < 0) close(fd);` (fio: open the file
 * for this call only if it is not open yet, close it only then): right after the copy, a test of
 * the copy is a test of what it copied, so the two tests agree on a path. Found through the CFG
 * (the statement before the condition) and the text between them: a syntax node's parent is a
 * walk down from the root, and a function may have ten thousand conditions.
 */
function copiedTest(test: Test, node: CfgNode, cfg: Cfg): Test {
  if (!/^[A-Za-z_]\w*$/.test(test.flag) || node.preds.length !== 1) return test;
  const previous = node.preds[0]!.from;
  if (previous.kind !== 'statement' || !previous.syntax || !nodeText(previous).includes(test.flag)) return test;
  // The whole test of an `if` right after that statement (not a part of `a && b`).
  const text = functionText(cfg);
  const at = (offset: number) => offset - cfg.function.startIndex;
  const [start, end] = nodeRange(node);
  if (!/^\s*if\s*\(\s*$/.test(text.slice(at(previous.syntax.endIndex), at(start))) || !/^\s*\)/.test(text.slice(at(end), at(end) + 40))) return test;
  const copied = copySource(previous.syntax, test.flag);
  return copied !== undefined ? { ...test, flag: copied } : test;
}

/** A function's text, read once per CFG (each read is a native call copying the whole text). */
const functionText = perObject((cfg: Cfg): string => cfg.function.text);

/** `v = a->b;` or `int v = a->b;`: the field chain copied into `variable`, if that is the statement. */
function copySource(statement: SyntaxNode, variable: string): string | undefined {
  let value: SyntaxNode | null = null;
  if (statement.type === 'expression_statement') {
    const assignment = statement.firstNamedChild;
    if (assignment?.type !== 'assignment_expression' || assignment.childForFieldName('operator')?.type !== '=' || squeeze(assignment.childForFieldName('left')?.text ?? '') !== variable) return undefined;
    value = assignment.childForFieldName('right');
  } else if (statement.type === 'declaration') {
    const declarators = statement.namedChildren.filter((c) => c.type === 'init_declarator');
    const own = declarators.length === 1 ? declarators[0]! : undefined;
    if (!own || squeeze(own.childForFieldName('declarator')?.text ?? '') !== variable) return undefined;
    value = own.childForFieldName('value');
  }
  const source = value ? squeeze(unwrap(value).text) : '';
  return FLAG_EXPR.test(source) && !CONSTANT.test(source) && source !== variable && /->|\./.test(source) ? source : undefined;
}

/**
 * `switch (mode) { case 0: … case '}': … }`: the dispatch node of each switch on a flag expression,
 * by node id, with the flag and its labels' constants. A `case` edge says the flag equals its label
 * (`if (mode == 0) pipe(p2);` then `case '}':` never has the pipe); `default` says nothing.
 */
const switchTests = perObject((cfg: Cfg): Map<number, { flag: string; constants: string[]; labels: string[] | undefined }> => {
  const out = new Map<number, { flag: string; constants: string[]; labels: string[] | undefined }>();
  for (const node of cfg.nodes) {
    if (!node.syntax || !node.succs.some((e) => e.caseValue)) continue;
    const flag = squeeze(unwrap(node.syntax).text);
    if (!FLAG_EXPR.test(flag) || CONSTANT.test(flag)) continue;
    const labels = node.succs.flatMap((e) => (e.caseValue ? [caseConstant(e.caseValue)] : []));
    // The `default` edge (or the way past a switch without one) differs from every label: known only when every label is.
    const known = labels.every((c) => c !== undefined) ? (labels as string[]) : undefined;
    out.set(node.id, { flag, constants: known?.filter((c) => CONSTANT.test(c)) ?? [], labels: known });
  }
  return out;
});

/** A `case` label's value: a constant (normalized), a character literal (`'\\0'` is 0), else undefined. */
function caseConstant(label: SyntaxNode): string | undefined {
  const text = squeeze(unwrap(label).text);
  if (CONSTANT.test(text)) return normalize(text);
  if (/^'(?:\\0+|\\x0+)'$/.test(text)) return '0';
  return /^'(?:[^'\\]|\\.)'$/.test(text) ? text : undefined;
}

/** What `x++` and `x--` assign: the value before, one up or down. */
const STEP_UP = '++';
const STEP_DOWN = '--';
/** Their indices in a node's assignments (negative: computed from the value before). */
const STEPPED_UP = -1;
const STEPPED_DOWN = -2;

/** Marks a flag whose address escapes: anything may change it, so it is not tracked. */
const ADDRESS_TAKEN = '&';

const ASSIGNING_TYPES = ['assignment_expression', 'init_declarator', 'update_expression', 'pointer_expression', 'lambda_expression'];

/**
 * Assigning nodes of a whole function, in document order, with their start offsets: one native walk
 * per CFG. Ends are read when a node's statement is looked at (each is a native call, and most
 * nodes, `*p` in plain statements, never are).
 */
const assigningNodes = perObject((cfg: Cfg): { nodes: SyntaxNode[]; starts: number[]; ends: (number | undefined)[] } => {
  const nodes = cfg.function.descendantsOfType(ASSIGNING_TYPES);
  return { nodes, starts: nodes.map((n) => n.startIndex), ends: new Array<number | undefined>(nodes.length) };
});

const NON_ZERO = NON_ZERO_VALUE;



/**
 * Library calls whose result is only 0 (success) or -1 (failure), and the exec family, which
 * returns only on failure (-1): `err = getpeername(…); if (err) … if (err < 0)` takes the second
 * branch whenever it took the first.
 */
const STATUS_ONLY = /^(?:::)?(?:getpeername|getsockname|getsockopt|setsockopt|bind|listen|connect|shutdown|close|pipe2?|socketpair|fstat|stat|lstat|fstatat|fchmod|chmod|fchown|chown|lchown|unlink|unlinkat|rename|renameat|mkdir|mkdirat|rmdir|chdir|fchdir|ftruncate|truncate|fsync|fdatasync|sigaction|sigprocmask|setrlimit|getrlimit|gettimeofday|clock_gettime|munmap|mprotect|mlock|munlock|access|faccessat|setenv|unsetenv|symlink|link|dup2|dup3|fstatvfs|statvfs|inet_pton|uname|sigemptyset|sigfillset|sigaddset|sigdelset|tcgetattr|tcsetattr|tcflush|tcdrain|tcsendbreak|cfsetispeed|cfsetospeed|cfsetspeed|mkfifo|mkfifoat|mknod|mknodat|utimes|futimes|futimens|utimensat|flock|lockf|fchmodat|fchownat|linkat|symlinkat|timerfd_settime|timerfd_gettime|sigaltstack|setuid|setgid|seteuid|setegid|setresuid|setresgid|setgroups|initgroups|chroot|setpgid|daemon)\(/;
const FAILURE_ONLY = new RegExp(`^(?:::)?(?:${[...RETURNS_ONLY_ON_FAILURE].join('|')})\\(`);
/** What a variable is known to hold after a call: '<=0' (its sign) for STATUS_ONLY, -1 for FAILURE_ONLY. */
function callResultSign(value: string): string | undefined {
  if (STATUS_ONLY.test(value)) return '<=0';
  if (FAILURE_ONLY.test(value)) return '-1';
  // `n = fread(…)`, `pagesize = sysconf(_SC_PAGESIZE)`: never negative.
  const call = /^(?:std::|::)?([A-Za-z_]\w*)\s*\(([^]*)\)$/.exec(value);
  const kind = call ? neverNegativeCall(call[1]!, () => call[2]!) : undefined;
  return kind === 'positive' ? '>0' : kind === 'nonnegative' ? '>=0' : undefined;
}

/** `do_close = Ja` over `#define Ja 1U`: the integer an object-like macro in scope stands for, normalized. */
function macroInteger(cfg: Cfg, value: string): string | undefined {
  if (!cfg.integerMacroValue || !/^[A-Za-z_]\w*$/.test(value)) return undefined;
  const integer = cfg.integerMacroValue(value)?.replace(/^\((.*)\)$/, '$1').trim();
  return integer !== undefined && /^-?\d+[uUlL]*$/.test(integer) ? normalize(integer.replace(/[uUlL]+$/, '')) : undefined;
}

/** `rv = wdmd_socket_address(…)`: the one constant a project function always returns, normalized. */
function constantResult(cfg: Cfg, value: string): string | undefined {
  if (!cfg.constantResultOf) return undefined;
  const callee = /^(?:::)?([A-Za-z_]\w*)\s*\(/.exec(value)?.[1];
  const result = callee === undefined ? undefined : cfg.constantResultOf(callee);
  return result === undefined ? undefined : normalize(result);
}

/**
 * A value that cannot be null or zero: an address, a string literal, a never-null allocator's
 * result, a function — one the file calls or the project defines, or any name stored into a
 * variable the function calls through (`closefunc = pclose; … (*closefunc)(fin)`).
 */
function isNonNull(value: string, variable: string, cfg: Cfg): boolean {
  if (/^&[A-Za-z_]/.test(value) || /^"/.test(value) || NEVER_NULL_CALL.test(value)) return true;
  if (!/^[A-Za-z_]\w*$/.test(value)) return false;
  return cfg.isFunctionName?.(value) === true || calledThrough(cfg, variable);
}

/** Is `variable` called in the function (`(*v)(…)`, `v(…)`): a function pointer? */
function calledThrough(cfg: Cfg, variable: string): boolean {
  if (!/^[A-Za-z_]\w*$/.test(variable)) return false;
  return new RegExp(`(?:\\(\\s*\\*\\s*${variable}\\s*\\)|(?<![\\w.>])${variable})\\s*\\(`).test(cfg.function.text);
}

/** Assignments a CFG node makes: flag → constant, or null when it gets a value we do not know (`ext = (fd >= 0)`). */
function assignmentsOf(cfg: Cfg, node: CfgNode): Map<string, string | null> {
  const out = new Map<string, string | null>();
  // Without `=`, `++`, `--` or `&` in its text a node assigns nothing.
  if (!/[=&]|\+\+|--/.test(nodeText(node))) return out;
  // The assigning nodes within the node's syntax, in document order (a later assignment wins).
  const { nodes, starts, ends } = assigningNodes(cfg);
  const [start, end] = nodeRange(node);
  const first = lowerBound(starts, start);
  const inside: number[] = [];
  for (let i = first; i < starts.length && starts[i]! < end; i++) if ((ends[i] ??= nodes[i]!.endIndex) <= end) inside.push(i);
  // Whatever a lambda assigns happens when it runs, not here.
  const lambdas = inside.filter((i) => nodes[i]!.type === 'lambda_expression').map((i) => [starts[i]!, ends[i]!] as const);
  for (const i of inside) {
    const n = nodes[i]!;
    if (n.type === 'lambda_expression') continue;
    if (lambdas.some(([s, e]) => s <= starts[i]! && starts[i]! < e)) continue;
    if (n.type === 'assignment_expression' || n.type === 'init_declarator') {
      const left = n.type === 'assignment_expression' ? n.childForFieldName('left') : n.childForFieldName('declarator');
      const right = n.type === 'assignment_expression' ? n.childForFieldName('right') : n.childForFieldName('value');
      if (left && right) {
        // `(void *)1`, `(struct x *) NULL`, `(int)-1`: the constant under a cast is the value assigned.
        const value = withoutCasts(squeeze(right.text));
        const plain = n.type !== 'assignment_expression' || n.childForFieldName('operator')?.type === '=';
        // `Worker *worker = …` declares `worker`.
        const name = n.type === 'init_declarator' ? squeeze(left.text).replace(/^[*&]+/, '') : squeeze(left.text);
        out.set(name, !plain ? null : CONSTANT.test(value) ? normalize(value) : (macroInteger(cfg, value) ?? (right.type === 'new_expression' || isNonNull(value, name, cfg) ? NON_ZERO : (callResultSign(value) ?? constantResult(cfg, value) ?? null))));
      }
    } else if (n.type === 'update_expression') {
      // `ok++`: one more than it was (known where its value is: `ok = 0; … ok++;` makes it 1).
      const arg = n.childForFieldName('argument');
      const op = n.childForFieldName('operator')?.type;
      if (arg) out.set(squeeze(arg.text), op === STEP_UP || op === STEP_DOWN ? op : null);
    } else if (n.type === 'pointer_expression' && n.text.startsWith('&')) {
      const arg = n.childForFieldName('argument');
      // `open_pty(&pty_master_fd, …)`: an out-parameter, written by that call (an assignment of an
      // unknown value there); an address stored anywhere else may be written through at any time.
      if (arg) out.set(squeeze(arg.text), n.parent?.type === 'argument_list' ? null : ADDRESS_TAKEN);
    }
  }
  return out;
}

/** A value a macro assigns: a constant, `≠` a constant, an integer macro's value, else unknown (null). */
function macroAssignedValue(cfg: Cfg, value: string): string | null {
  if (value.startsWith(NOT)) return CONSTANT.test(value.slice(NOT.length)) ? `${NOT}${normalize(value.slice(NOT.length))}` : null;
  return CONSTANT.test(value) ? normalize(value) : (macroInteger(cfg, value) ?? null);
}

/** Assignments of every CFG node, computed once per CFG: every handle of the function asks again. */
const cfgAssignments = perObject((cfg: Cfg): Map<number, Map<string, string | null>> => {
  const byNode = new Map<number, Map<string, string | null>>();
  for (const node of cfg.nodes) {
    if (!node.syntax || node.kind === 'join' || node.kind === 'condition') continue;
    // A macro's hidden jump sets what its body sets (`ABORT_FINALIZE(RS_RET_ERR)`: `iRet = RS_RET_ERR`);
    // a jump is the macro's alone, its statement also does what its text does (`CHKRet(f(&p))`).
    const found = node.kind === 'jump' && node.macroAssigns ? new Map<string, string | null>() : assignmentsOf(cfg, node);
    for (const { name, value } of node.macroAssigns ?? []) found.set(name, macroAssignedValue(cfg, value));
    if (found.size > 0) byNode.set(node.id, found);
  }
  return byNode;
});

/** Flag candidates of a CFG, best first; they do not depend on the handle, so once per CFG. */
const rankedFlags = perObject((cfg: Cfg): { flag: string; domain: string[]; entry?: string[] }[] => {
  const tests = new Map<string, Set<string>>();
  const testCount = new Map<string, number>();
  // Flags compared with 0 by an ordering: their domain holds the sign sets.
  const ordered = new Set<string>();
  for (const test of conditionTests(cfg)) {
    if (!test) continue;
    if (test.signs !== undefined) ordered.add(test.flag);
    testCount.set(test.flag, (testCount.get(test.flag) ?? 0) + 1);
    const set = tests.get(test.flag) ?? new Set<string>();
    if (test.constant !== undefined) set.add(test.constant);
    tests.set(test.flag, set);
  }
  for (const { flag, constants } of switchTests(cfg).values()) {
    testCount.set(flag, (testCount.get(flag) ?? 0) + 1);
    const set = tests.get(flag) ?? new Set<string>();
    for (const c of constants) set.add(c);
    tests.set(flag, set);
  }
  const assigned = new Map<string, Set<string>>();
  const spoiled = new Set<string>();
  // Nothing tested, nothing to track: most functions stop here, before looking at assignments
  // (configuration symbols, `#NAME`, are never assigned: they need no look either).
  if ([...tests.keys()].some((flag) => !flag.startsWith('#'))) {
    for (const found of cfgAssignments(cfg).values()) {
      for (const [name, value] of found) {
        if (!tests.has(name)) continue;
        if (value === ADDRESS_TAKEN) spoiled.add(name);
        else if (value !== null && value !== STEP_UP && value !== STEP_DOWN) {
          // `≠C` is not a value of its own: the exclusions are the domain's (from its tests).
          const values = assigned.get(name) ?? assigned.set(name, new Set()).get(name)!;
          if (!value.startsWith(NOT)) values.add(value);
          // `rc = setsockopt(…)` (0 or -1): a value known by its sign, tested for truth or against 0 later.
          if (SIGN_NAMES.has(value)) ordered.add(name);
        }
        else assigned.get(name) ?? assigned.set(name, new Set());
      }
    }
  }
  // A condition flag reading a name whose address is taken may change behind the code's back.
  if (spoiled.size > 0 || [...tests.keys()].some((flag) => flag.startsWith(CONDITION_FLAG))) {
    const addressTaken = new Set<string>();
    for (const found of cfgAssignments(cfg).values()) for (const [name, value] of found) if (value === ADDRESS_TAKEN) addressTaken.add(name);
    for (const flag of tests.keys()) if (flag.startsWith(CONDITION_FLAG) && namesIn(flag.slice(1)).some((n) => addressTaken.has(n))) spoiled.add(flag);
  }
  // Parameters every caller passes a constant to: known on entry, worth a slot like an assigned flag.
  const entry = new Map<string, string[]>();
  for (const [name, constants] of cfg.parameterValues ?? []) if (tests.has(name) && !spoiled.has(name)) entry.set(name, constants.map(normalize));
  // The most telling flags first: set to constants, then tested most often.
  // Configuration symbols (`#NAME`) only take the slots the code's own flags leave, and
  // conditions of other forms (`@…`) the slots left after them.
  const score = (flag: string) => ((assigned.get(flag)?.size ?? 0) > 0 || entry.has(flag) ? 100 : 0) + (testCount.get(flag) ?? 0) - (flag.startsWith('#') ? 1000 : flag.startsWith(CONDITION_FLAG) ? 2000 : 0);
  return [...tests]
    .filter(([flag]) => !spoiled.has(flag) && (assigned.has(flag) || entry.has(flag) || (testCount.get(flag) ?? 0) >= 2))
    .sort((a, b) => score(b[0]) - score(a[0]))
    .map(([flag, constants]) => {
      const values = [...new Set([...(entry.get(flag) ?? []), ...constants, ...(assigned.get(flag) ?? [])].filter((c) => c !== '0' && c !== NON_ZERO && !(ordered.has(flag) && SIGN_NAMES.has(c))))];
      // `≠C`, `≠C,D`: known to differ from the constants it is compared with (`rw != XIO_WRONLY`
      // taken true, then `rw != XIO_RDONLY`): one or two at a time, sorted.
      const compared = [...constants].filter((c) => c !== '0').sort();
      const signs = ordered.has(flag) ? [...SIGN_VALUES.values()] : [];
      // The values a parameter comes in with go first: they must have a slot of their own.
      const onEntry = values.filter((v) => entry.get(flag)?.includes(v));
      const domain = ['?', '!0', '0', ...onEntry, ...signs, ...values.filter((v) => !onEntry.includes(v))].slice(0, MAX_VALUES);
      // Only as many as the slots left take: a flag compared with 10,000 constants (a generated
      // `else if` chain) has 50 million pairs.
      for (const c of compared) if (domain.length < MAX_VALUES) domain.push(`${NOT}${c}`);
      for (let i = 0; i < compared.length && domain.length < MAX_VALUES; i++) {
        for (let j = i + 1; j < compared.length && domain.length < MAX_VALUES; j++) domain.push(`${NOT}${compared[i]},${compared[j]}`);
      }
      return { flag, domain, ...(entry.has(flag) ? { entry: entry.get(flag)! } : {}) };
    });
});

/** `fd` as a whole name (not `fds`, `c->fd`, `fd[0]`). */
function handleMention(handle: string): RegExp {
  return new RegExp(`(?<![\\w.>])${escapeRegExp(handle)}(?![\\w\\[])`);
}

/** Flags worth tracking in this CFG next to handle `exclude`: tested at least twice, or set to constants and tested. */
export function findFlags(cfg: Cfg, exclude: string): FlagSet {
  // A condition on the handle itself is the handle's typestate's business (`fd >= 0`).
  const mentionsHandle = handleMention(exclude);
  const candidates = rankedFlags(cfg).filter((f) => f.flag !== exclude && !(f.flag.startsWith(CONDITION_FLAG) && mentionsHandle.test(f.flag.slice(1))));
  // More candidates than slots: those whose tests guard code that mentions the handle go first
  // (`if (active) { … sock = accept(…) }`), then the rest in their order.
  const chosen = (candidates.length <= MAX_FLAGS ? candidates : byRelevance(cfg, candidates, mentionsHandle)).slice(0, MAX_FLAGS);
  return { names: chosen.map((f) => f.flag), values: chosen.map((f) => f.domain), entry: chosen.map((f) => f.entry), booleans: chosen.map((f) => declaredBoolean(cfg, f.flag)) };
}

/**
 * The `count` flags of a set most relevant to handle `exclude` (see byRelevance), with their
 * domains: what a handle keeps when all of them together are too many to track.
 */
export function mostRelevantFlags(cfg: Cfg, flags: FlagSet, exclude: string, count: number): FlagSet {
  const order = byRelevance(cfg, flags.names.map((flag, i) => ({ flag, i })), handleMention(exclude))
    .slice(0, count)
    .map(({ i }) => i);
  return {
    names: order.map((i) => flags.names[i]!),
    values: order.map((i) => flags.values[i]!),
    ...(flags.entry ? { entry: order.map((i) => flags.entry![i]) } : {}),
    ...(flags.booleans ? { booleans: order.map((i) => flags.booleans![i]!) } : {}),
  };
}

/** `bool const Comp = …`, `bool ok;`, `_Bool done = 0`: a variable of the function declared boolean. */
function declaredBoolean(cfg: Cfg, flag: string): boolean {
  if (!/^[A-Za-z_]\w*$/.test(flag)) return false;
  return new RegExp(`\\b(?:bool|_Bool)\\s+(?:const\\s+)?${flag}\\s*(?:[=;,)]|$)`, 'm').test(functionText(cfg));
}

const GUARDING_STATEMENTS = new Set(['if_statement', 'while_statement', 'for_statement', 'do_statement', 'conditional_expression', 'switch_statement', 'preproc_if', 'preproc_ifdef', 'preproc_elif', 'preproc_else']);

/**
 * Flags some test of which guards a statement that mentions the handle, first — the most direct
 * guard first: the smallest such statement (`if (tmp_file) fclose(outfp);` before an `if` whose
 * hundred-line body mentions it somewhere); stable otherwise.
 */
function byRelevance<T extends { flag: string }>(cfg: Cfg, candidates: T[], mentionsHandle: RegExp): T[] {
  const tests = conditionTests(cfg);
  const closest = new Map<string, number>();
  cfg.nodes.forEach((node, id) => {
    const test = tests[id];
    if (!test || !node.syntax) return;
    // The statement the condition belongs to: a few parents up (through `&&`, `||`, `!`, parentheses).
    let statement: SyntaxNode | null = node.syntax;
    for (let depth = 0; statement && depth < 8 && !GUARDING_STATEMENTS.has(statement.type); depth++) statement = statement.parent;
    if (!statement || !GUARDING_STATEMENTS.has(statement.type)) return;
    const size = statement.endIndex - statement.startIndex;
    if (size < (closest.get(test.flag) ?? Infinity) && mentionsHandle.test(statement.text)) closest.set(test.flag, size);
  });
  const relevant = candidates.filter((f) => closest.has(f.flag)).sort((a, b) => closest.get(a.flag)! - closest.get(b.flag)!);
  return [...relevant, ...candidates.filter((f) => !closest.has(f.flag))];
}

/**
 * Tuple encoding: the handle's state bits in the low 5 bits (an analysis uses up to five states:
 * domain/descriptors/ownership.ts), then one value index per flag.
 */
const HANDLE_STATES = 32;

export class FlagTracker {
  private readonly assignments = new Map<number, Map<number, number>>();
  /** Per CFG node id: its flag test, as an index into `flags.names` (-1: none), read in the solver's inner loop. */
  private readonly testedFlag: Int32Array;
  private readonly testOfNode: (Test | undefined)[] = [];
  /** Per switch dispatch node id: its labels' constants, which its `default` edge differs from. */
  private readonly switchLabels = new Map<number, string[]>();

  constructor(
    readonly flags: FlagSet,
    cfg: Cfg,
  ) {
    this.testedFlag = new Int32Array(cfg.nodes.length).fill(-1);
    if (flags.names.length === 0) return;
    conditionTests(cfg).forEach((test, id) => {
      if (!test) return;
      this.testOfNode[id] = test;
      this.testedFlag[id] = flags.names.indexOf(test.flag);
    });
    for (const [id, { flag, labels }] of switchTests(cfg)) {
      this.testedFlag[id] = flags.names.indexOf(flag);
      if (labels) this.switchLabels.set(id, labels);
    }
    // Condition flags, with the names each reads: assigning any of them makes the condition unknown again.
    const conditions = flags.names.flatMap((name, i) => (name.startsWith(CONDITION_FLAG) ? [{ i, chains: chainsIn(name.slice(1)) }] : []));
    // Flags read through a variable (`add->ai_family`, `cfg.mode`): assigning the variable (`add =
    // add->ai_next` in a loop over addresses) makes them unknown again.
    const reachedThrough = flags.names.flatMap((name, i) => {
      const through = /^([A-Za-z_]\w*)\s*(?:->|\.|\[)/.exec(name);
      return through && !name.startsWith(CONDITION_FLAG) ? [{ i, root: through[1]! }] : [];
    });
    for (const [id, found] of flags.names.every((name) => name.startsWith('#')) ? [] : cfgAssignments(cfg)) {
      const sets = new Map<number, number>();
      for (const [name, value] of found) {
        // What changes is the assigned variable, the first name of `job->flags` (not `flags`).
        const root = /[A-Za-z_]\w*/.exec(name)?.[0];
        for (const { i, chains } of conditions) if (root !== undefined && changesChains(name, root, chains)) sets.set(i, 0);
        if (root === name) for (const through of reachedThrough) if (through.root === root) sets.set(through.i, 0);
        const i = flags.names.indexOf(name);
        if (i < 0 || value === ADDRESS_TAKEN) continue;
        sets.set(i, value === null ? 0 : value === STEP_UP ? STEPPED_UP : value === STEP_DOWN ? STEPPED_DOWN : this.valueIndex(i, value));
      }
      if (sets.size > 0) this.assignments.set(id, sets);
    }
  }

  /** Index of a constant in a flag's domain (['?', '!0', '0', …]); constants past the cap become '!0'. */
  private valueIndex(flag: number, constant: string): number {
    const exact = this.flags.values[flag]!.indexOf(constant);
    if (exact >= 0) return exact;
    // Known to differ from a constant the domain has no exclusion for: any value.
    if (constant.startsWith(NOT)) return 0;
    return constant === '0' ? 2 : 1;
  }

  /** The tuples a function starts in: one per combination of its parameters' values on entry (any value, '?', for the rest). */
  initial(handle: number): number[] {
    let tuples: number[][] = [this.flags.names.map(() => 0)];
    this.flags.names.forEach((_, i) => {
      const constants = this.flags.entry?.[i];
      if (!constants) return;
      const indices = [...new Set(constants.map((c) => this.flags.values[i]!.indexOf(c)))];
      // A value without a slot of its own: start from any value.
      if (indices.some((x) => x < 0)) return;
      tuples = tuples.flatMap((t) => indices.map((x) => t.map((v, j) => (j === i ? x : v))));
    });
    return tuples.map((values) => this.encode(handle, values)).sort((a, b) => a - b);
  }

  get active(): boolean {
    return this.flags.names.length > 0;
  }

  private get width(): number {
    return MAX_VALUES;
  }

  encode(handle: number, values: readonly number[]): number {
    let code = 0;
    for (let i = values.length - 1; i >= 0; i--) code = code * this.width + values[i]!;
    return code * HANDLE_STATES + handle;
  }

  private readonly decoded = new Map<number, { handle: number; values: number[] }>();

  /** Handle bits and flag values of a tuple code (memoized: the same few codes recur everywhere; callers must not mutate). */
  decode(code: number): { handle: number; values: number[] } {
    let hit = this.decoded.get(code);
    if (!hit) {
      hit = this.decodeFresh(code);
      this.decoded.set(code, hit);
    }
    return hit;
  }

  private decodeFresh(code: number): { handle: number; values: number[] } {
    const handle = code % HANDLE_STATES;
    let rest = Math.floor(code / HANDLE_STATES);
    const values: number[] = [];
    for (let i = 0; i < this.flags.names.length; i++) {
      values.push(rest % this.width);
      rest = Math.floor(rest / this.width);
    }
    return { handle, values };
  }

  /** Does the node set a tracked flag? */
  assigns(node: CfgNode): boolean {
    return this.assignments.has(node.id);
  }

  /** Flag assignments of a node applied to a tuple. */
  assign(node: CfgNode, values: number[]): number[] {
    const sets = this.assignments.get(node.id);
    if (!sets) return values;
    const out = [...values];
    for (const [i, v] of sets) out[i] = v >= 0 ? v : this.stepped(i, values[i]!, v === STEPPED_UP ? 1 : -1);
    return out;
  }

  /** The value index of a flag stepped by one from the value at `current`: a number's neighbour, else any value. */
  private stepped(flag: number, current: number, step: number): number {
    const value = this.flags.values[flag]![current]!;
    return /^-?\d+$/.test(value) ? this.valueIndex(flag, String(Number(value) + step)) : 0;
  }

  /** Does the branch test one of the tracked flags? */
  tests(edge: CfgEdge): boolean {
    return (edge.condition !== undefined || edge.caseValue !== undefined || this.switchLabels.has(edge.from.id)) && this.testedFlag[edge.from.id]! >= 0;
  }

  /** Refines a tuple's flag values on a branch; undefined when the branch contradicts them. */
  refine(edge: CfgEdge, values: number[]): number[] | undefined {
    const refined = this.refineAny(edge, values);
    const i = this.testedFlag[edge.from.id]!;
    return refined && i >= 0 && this.flags.booleans?.[i] ? this.asBoolean(i, refined) : refined;
  }

  /**
   * A boolean's value in its own terms: non-zero is 1, "differs from 1" is 0, "differs from 0" is 1
   * (`Comp == true` false, then `Comp == true` again: the second is false too).
   */
  private asBoolean(i: number, values: number[]): number[] {
    const domain = this.flags.values[i]!;
    const current = domain[values[i]!]!;
    const one = domain.indexOf('1');
    const target = current === '!0' || current === `${NOT}0` ? one : current === `${NOT}1` ? 2 : -1;
    if (target < 0 || target === values[i]) return values;
    const out = [...values];
    out[i] = target;
    return out;
  }

  private refineAny(edge: CfgEdge, values: number[]): number[] | undefined {
    const i = this.testedFlag[edge.from.id]!;
    if (i < 0) return values;
    if (edge.caseValue) {
      // `case C:` taken: the subject equals C.
      const constant = caseConstant(edge.caseValue);
      return constant === undefined ? values : this.refineTest(i, { flag: this.flags.names[i]!, constant, negated: false }, true, values);
    }
    const labels = edge.condition ? undefined : this.switchLabels.get(edge.from.id);
    if (labels) {
      // `default:` taken: the subject differs from every label.
      let out: number[] | undefined = values;
      for (const constant of labels) if (out) out = this.refineTest(i, { flag: this.flags.names[i]!, constant, negated: false }, false, out);
      return out;
    }
    if (!edge.condition || edge.assumption === undefined) return values;
    return this.refineTest(i, this.testOfNode[edge.from.id]!, edge.assumption, values);
  }

  /** `refine` for test `test` of flag `i` taken with `assumption`. */
  private refineTest(i: number, test: Test, assumption: boolean, values: number[]): number[] | undefined {
    const edge = { assumption };
    const domain = this.flags.values[i]!;
    // A comparison or truth test that assigns its flag first (`(pid = zfork()) == -1`, `(res =
    // fgets(…))`) starts from any value.
    const current = test.assigns && (test.constant !== undefined || test.signs === undefined) ? '?' : domain[values[i]!]!;
    const out = [...values];
    // `j < 6` with j known to be 0: the branch its value takes, only.
    if (test.bound !== undefined) {
      const value = current === '0' ? 0 : NUMBER.test(current) ? Number(current) : undefined;
      // Known by its sign (`page = sysconf(_SC_PAGESIZE)`, > 0): `page < 1` is false for all of them.
      if (value === undefined && SIGN_NAMES.has(current)) {
        const decided = boundBySigns(SIGNS_OF.get(current)!, test.bound.op, test.bound.value);
        return decided === undefined || decided === edge.assumption ? out : undefined;
      }
      return value === undefined || ordered(value, test.bound.op, test.bound.value) === edge.assumption ? out : undefined;
    }
    // The signs the branch allows: a comparison with 0 (`r > 0`), or — on a value already known by
    // its sign (`<=0` after `r > 0` was false) — a truth test or `== 0`.
    let allowed: number | undefined;
    if (test.signs !== undefined) {
      allowed = edge.assumption ? test.signs : (N | Z | P) & ~test.signs;
      // A constant it holds: a number's sign is known (another name's is not: nothing to say).
      if (!test.assigns && /^-?\d+$/.test(current)) return (signOf(Number(current)) & allowed) === 0 ? undefined : out;
    } else if (SIGN_NAMES.has(current) && (test.constant === undefined || test.constant === '0')) {
      const zero = test.constant === undefined ? edge.assumption === test.negated : edge.assumption !== test.negated;
      allowed = zero ? Z : N | P;
    }
    if (allowed !== undefined) {
      // `(r = connect(…)) < 0`: the value the condition just assigned (a status call's `<=0`), else any.
      // Known to differ from a constant (`≠-1` after `(n = select(…)) == -1` was false): any sign,
      // narrowed by this branch like an unknown value (the exclusion is given up, the sign kept).
      const now = test.assigns || current.startsWith(NOT) ? (SIGNS_OF.get(current) ?? N | Z | P) : SIGNS_OF.get(current);
      if (now === undefined) return out;
      const left = now & allowed;
      if (left === 0) return undefined;
      const index = domain.indexOf(signValue(left));
      if (index >= 0) out[i] = index;
      return out;
    }
    // Known only by its sign (`>=0` after `r < 0` was false), compared with another constant:
    // `r == 5` holds only if 5 has an allowed sign (then r is 5); `r != 5` says nothing more.
    if (SIGN_NAMES.has(current) && test.constant !== undefined) {
      if (edge.assumption === test.negated) return out;
      if (/^-?\d+$/.test(test.constant) && (signOf(Number(test.constant)) & SIGNS_OF.get(current)!) === 0) return undefined;
      out[i] = this.valueIndex(i, test.constant);
      return out;
    }
    // What the branch says: the flag equals `constant` (or is truthy), or does not.
    const equal = test.constant === undefined ? undefined : edge.assumption !== test.negated;
    const excluded = current.startsWith(NOT) ? current.slice(NOT.length).split(',') : undefined;
    if (test.constant === undefined) {
      const truthy = edge.assumption !== test.negated;
      if (current === '?') out[i] = truthy ? 1 : 2;
      // Known to differ from a (non-zero) constant: truthiness is still open; false makes it 0.
      else if (excluded !== undefined) {
        if (!truthy) out[i] = 2;
      } else if ((current === '0') === truthy) return undefined;
      return out;
    }
    if (equal) {
      if (current === '?' || excluded !== undefined) {
        if (excluded?.includes(test.constant)) return undefined;
        out[i] = this.valueIndex(i, test.constant);
      } else if (current === '!0') {
        if (test.constant === '0') return undefined;
        out[i] = this.valueIndex(i, test.constant);
      } else if (current !== test.constant) return undefined;
    } else if (current === test.constant) {
      return undefined;
    } else if (test.constant === '0') {
      // `p != NULL` taken true: some non-zero value (a constant it already holds stays).
      if (current === '?' || excluded !== undefined) out[i] = 1;
    } else if (current === '?' || (excluded !== undefined && !excluded.includes(test.constant))) {
      const exclusion = domain.indexOf(`${NOT}${[...(excluded ?? []), test.constant].sort().join(',')}`);
      if (exclusion >= 0) out[i] = exclusion;
    }
    return out;
  }
}
