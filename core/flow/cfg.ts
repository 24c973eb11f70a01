import { perObject } from '../util/memo.js';
import type { SyntaxNode } from '../syntax/parser.js';
import { callArguments, calleeName, childrenForField, squeeze, unwrap } from '../syntax/nodes.js';
import { evaluateCondition, evaluateDefined, type MacroValue, type PreprocessorConfiguration } from '../syntax/conditionals.js';
import { platformLookup } from '../syntax/linux-build.js';
import { withSettledDefinitions, type SettledDefinition } from '../syntax/settled-definitions.js';
import { constantResultTest, neverFailingTest, neverNullNames, neverNullTest, type SignalSetter } from './never-failing.js';
import { EXITS_ON_NONZERO_STATUS, fatalLogStatement, killsItself, NO_RETURN_FUNCTIONS } from './no-return.js';
import { isBranchHintCall } from '../syntax/branch-hints.js';

/**
 * Control-flow graph of one function body, built from the tree-sitter syntax tree.
 *
 * Nodes point back at the syntax they evaluate; rules read effects (assignments, calls) from that
 * syntax in their transfer functions. Conditions are decomposed (`&&`, `||`, `!`, `?:`, comma) so
 * every `condition` node holds one atomic test and its two out-edges say which truth value holds
 * on them — that is what lets a dataflow learn `fd < 0` on one edge and `fd >= 0` on the other.
 */

export type CfgNodeKind =
  /** function start */
  | 'entry'
  /** normal function exit: returns and falling off the end arrive here */
  | 'exit'
  /** the process (or thread) ends: calls that never return, `throw` with no handler, etc. */
  | 'abort'
  /** a statement or expression evaluated for its effects */
  | 'statement'
  /** an atomic condition; its out-edges carry the truth value */
  | 'condition'
  /** return / break / continue / goto / throw / co_return */
  | 'jump'
  /** a merge point with no syntax (loop heads, labels, after-if) */
  | 'join';

/** The C library's functions that never return, and those that end the process by their arguments: never a member's name. */
const LIBRARY_NO_RETURN: ReadonlySet<string> = new Set([...NO_RETURN_FUNCTIONS, ...EXITS_ON_NONZERO_STATUS, 'raise', 'kill']);

export type JumpKind = 'return' | 'break' | 'continue' | 'goto' | 'throw' | 'co_return';

export interface CfgEdge {
  readonly from: CfgNode;
  readonly to: CfgNode;
  /** The atomic condition tested on this edge and the value it has here. */
  readonly condition?: SyntaxNode;
  readonly assumption?: boolean;
  /** Control transferred by an exception to a catch handler. */
  readonly exceptional?: boolean;
  /** From a `switch` to a `case` label: the label's value (the switch's subject is `from.syntax`). */
  readonly caseValue?: SyntaxNode;
}

export interface CfgNode {
  readonly id: number;
  readonly kind: CfgNodeKind;
  readonly syntax?: SyntaxNode;
  readonly jump?: JumpKind;
  /** Calls that never return end this statement. */
  noReturn?: boolean;
  readonly succs: CfgEdge[];
  readonly preds: CfgEdge[];
  /** Enclosing loops, innermost first. */
  readonly loops: LoopInfo[];
  /** For `goto`: the label's name. */
  label?: string;
  /** A return hidden in a macro call (`CHECK(x);`): there is no statement of ours to rewrite. */
  viaMacro?: boolean;
  /**
   * That macro's condition could not be read (`KJ_SYSCALL(call)`: a lambda around the call), nor
   * is it known to test something else: it is taken for a check of the call it is given.
   */
  opaqueGuard?: boolean;
  /**
   * What that macro sets on its way out (`ABORT_FINALIZE(RS_RET_ERR)` sets `iRet`), values as
   * written or `≠C` (NOT_VALUE): on a macro's own statement, what it sets on the way past it, on
   * top of what the statement's text assigns.
   */
  macroAssigns?: readonly { readonly name: string; readonly value: string }[];
  /** The syntax's text and offsets, read on first use (see nodeText, nodeRange). */
  text?: string;
  range?: readonly [number, number];
}

/**
 * A node's source text, read once: per-handle analyses scan every node of a function for a name.
 * Kept on the node itself (a WeakMap lookup per node and handle costs more than the scan).
 */
export function nodeText(node: CfgNode): string {
  return (node.text ??= node.syntax?.text ?? '');
}

export interface LoopInfo {
  readonly id: number;
  readonly syntax: SyntaxNode;
  /** `do { … } while (0)` and other loops whose condition is constant false never iterate. */
  readonly neverRepeats: boolean;
  /** Every CFG node inside the loop: head, condition, body and update. */
  readonly nodes: Set<number>;
  /** Enclosing loops of this loop, innermost first. */
  readonly outer: LoopInfo[];
}

export interface Cfg {
  readonly function: SyntaxNode;
  readonly entry: CfgNode;
  readonly exit: CfgNode;
  readonly abort: CfgNode;
  readonly nodes: CfgNode[];
  readonly loops: LoopInfo[];
  /** Names known to be functions (see CfgOptions.isFunctionName). */
  readonly isFunctionName?: (name: string) => boolean;
  /** The constants each parameter can hold on entry, where every caller is known (see CfgOptions.parameterValues). */
  readonly parameterValues?: ReadonlyMap<string, readonly string[]>;
  /** See CfgOptions.constantResultOf. */
  readonly constantResultOf?: (name: string) => string | undefined;
  /** See CfgOptions.integerMacroValue. */
  readonly integerMacroValue?: (name: string) => string | undefined;
}

/** The value "neither zero nor null" of a flag (an address `&x` passed for a parameter). */
export const NON_ZERO_VALUE = '!0';

/** Prefix of a flag value known only to differ from a constant: `≠RELP_RET_OK`. */
export const NOT_VALUE = '≠';

/** A literal zero argument: `0`, `0L`, `(0)`, `NULL`, `false`. */
const ZERO = /^\(*\s*(?:0[uUlL]*|0x0+|NULL|nullptr|false)\s*\)*$/;

/** A function-like macro that may leave the function (core/project/macros.ts `returningMacros`). */
export interface ReturningMacroShape {
  readonly param?: number;
  readonly returnsWhen?: boolean;
  readonly gotoLabel?: string;
  /** Leaves on every expansion (a return or goto under no condition): no path goes past it. */
  readonly always?: boolean;
  /** Leaves through one of these calls rather than a return, where one never returns. */
  readonly exits?: readonly string[];
  /** Calls made under no condition before it leaves: where one never returns, the macro never leaves. */
  readonly callsFirst?: readonly string[];
  /** Variables it sets on its way out (`iRet = code;`): to a constant, or to argument `param`. */
  readonly assigns?: readonly { readonly name: string; readonly value?: string; readonly param?: number }[];
  /** Returns when two arguments (or one and 0) are equal, or when they differ. */
  readonly equality?: { readonly left?: number; readonly right?: number; readonly returnsWhenEqual: boolean };
  /** Its guard is known to test more than its argument (a reporter that may fail for its own reasons). */
  readonly guardedElsewhere?: boolean;
  /** Its guard assigns argument `param` to `name` and compares it with `constant` (`if((iRet = code) != RELP_RET_OK) goto finalize_it`). */
  readonly comparedAssignment?: { readonly name: string; readonly param: number; readonly constant: string; readonly returnsWhenEqual: boolean };
}

export interface CfgOptions {
  /** Names of functions that never return (catalog plus configuration). */
  readonly noReturn: ReadonlySet<string>;
  /**
   * Whether a call of this project function with these arguments (squeezed texts) never comes back:
   * its body ends in a never-returning call under a test of a parameter the arguments satisfy.
   */
  readonly neverReturnsWith?: (callee: string, args: readonly string[]) => boolean;
  /** Function-like macros whose expansion may return (`CHECK(x);`): a statement calling one may leave the function. */
  readonly returningMacros?: ReadonlyMap<string, ReturningMacroShape>;
  /** Nesting deeper than this gives up on the function (no stack overflow on generated code). */
  readonly maxDepth?: number;
  /** Macros the build defines and leaves undefined: an `#if` on them takes one branch, not both. */
  readonly configuration?: PreprocessorConfiguration;
  /** Names the file defines once, outside every `#if`, and never undefines: an `#if` after the definition reads its value. */
  readonly fileDefinitions?: ReadonlyMap<string, SettledDefinition>;
  /** Names known to be functions (called in the file, defined in the project): `closer = pclose;` stores a non-null pointer. */
  readonly isFunctionName?: (name: string) => boolean;
  /** Parameters every caller passes one of a few constants to (core/project/parameter-values.ts), or an address (NON_ZERO_VALUE): branches only other values take are not paths. */
  readonly parameterValues?: ReadonlyMap<string, readonly string[]>;
  /** The one constant a project function always returns (`wdmd_socket_address()`: 0), if so: a test of its result is decided. */
  readonly constantResultOf?: (name: string) => string | undefined;
  /** A project function that sets a signal's handler and fails only where that does (FunctionFact.setsSignal). */
  readonly signalSetterOf?: (name: string) => SignalSetter | undefined;
  /** The integer an object-like macro in scope stands for (mksh's `#define Ja 1U`, `#define Nee 0U`): `do_close = Ja` sets a flag to 1. */
  readonly integerMacroValue?: (name: string) => string | undefined;
  /** The rules' domain knowledge that decides some tests (Rule.testDeciders). */
  readonly testDeciders?: readonly TestDecider[];
}

/**
 * Domain knowledge that decides some of a function's tests from its own text (a rule's catalog:
 * `accept()` into a `struct sockaddr_in` gives back its size). Given the function, undefined when
 * nothing in it is decided; else the value of a condition, or undefined for one it does not decide.
 */
export type TestDecider = (fn: SyntaxNode) => ((condition: SyntaxNode) => boolean | undefined) | undefined;

export type { PreprocessorConfiguration };

export class CfgTooDeepError extends Error {
  constructor(readonly depth: number) {
    super(`nesting deeper than ${depth} levels`);
  }
}

interface JumpTargets {
  readonly breakTo?: CfgNode;
  readonly continueTo?: CfgNode;
}

/** `likely(x)`, `__builtin_expect(x, 0)`, `nxt_slow_path(x)`: a call that only hints at how `x` goes. */
function isBranchHint(call: SyntaxNode): boolean {
  return isBranchHintCall(calleeName(call) ?? '', callArguments(call).length);
}

/**
 * Each syntax read is a native call, and most statements and conditions are plain: reading the
 * callee of every call to learn it is not `exit` costs more than reading the text once and seeing
 * that no name in it is one of the few that matter. These filters answer "may be" from the text's
 * identifier tokens; only then is the syntax read to know.
 */
const IDENTIFIER_TOKEN = /[A-Za-z_$][\w$]*/g;
const ASCII_IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Whether a text has an identifier token in `names` (a name the token scan cannot see, non-ASCII say, always may be). */
function mentionsAny(text: string, names: { has(name: string): boolean }, scannable: boolean): boolean {
  if (!scannable) return true;
  for (const [token] of text.matchAll(IDENTIFIER_TOKEN)) if (names.has(token)) return true;
  return false;
}

/** Every name is an ASCII identifier, so mentionsAny can rule it out by scanning tokens. */
const allScannable = perObject((names: ReadonlySet<string> | ReadonlyMap<string, unknown>) => [...names.keys()].every((n) => ASCII_IDENTIFIER.test(n)));

/** `a && b`, `a || b` (`and`, `or` in C++): only such a binary expression is split. */
const SHORT_CIRCUIT = /&&|\|\||\b(and|or)\b/;
/** A unary expression starts with its operator: `!x`, `not x`. */
const NEGATION = /^(!|not\b)/;
const CONSTANT_TRUE = /^(1|true|TRUE|1U|1u|!0)$/;
const CONSTANT_FALSE = /^(0|false|FALSE|0U|0u)$/;

class CfgBuilder {
  readonly nodes: CfgNode[] = [];
  readonly loops: LoopInfo[] = [];
  private readonly loopStack: LoopInfo[] = [];
  private readonly tryStack: { handlers: CfgNode[]; nodes: CfgNode[] }[] = [];
  private readonly labels = new Map<string, CfgNode>();
  /** Each label statement's node, by its start: a name may be defined in two `#if` branches. */
  private readonly labelAt = new Map<number, CfgNode>();
  private readonly sameNamedLabels = new Map<string, CfgNode[]>();
  /** How `#if` tests inside the function are decided (the build's configuration, else Linux). */
  private readonly platform: (name: string) => MacroValue;
  private depth = 0;
  /** Names the function only ever gives never-null values (see neverNullNames): their null tests are decided. */
  neverNull: ReadonlySet<string> = new Set();
  /** The rules' deciders, ready for this function (CfgOptions.testDeciders). */
  domainTests: readonly ((condition: SyntaxNode) => boolean | undefined)[] = [];
  readonly entry: CfgNode;
  readonly exit: CfgNode;
  readonly abort: CfgNode;

  constructor(
    private readonly options: CfgOptions,
    private readonly maxDepth: number,
  ) {
    this.entry = this.node('entry');
    this.exit = this.node('exit');
    this.abort = this.node('abort');
    this.platform = platformLookup(undefined, options.configuration);
  }

  /** May a statement with this text call a function that never returns or a returning macro? */
  private mayCallSpecial(text: string): boolean {
    const { noReturn, returningMacros } = this.options;
    return mentionsAny(text, noReturn, allScannable(noReturn)) || (returningMacros !== undefined && returningMacros.size > 0 && mentionsAny(text, returningMacros, allScannable(returningMacros)));
  }

  node(kind: CfgNodeKind, syntax?: SyntaxNode, jump?: JumpKind): CfgNode {
    const node: CfgNode = { id: this.nodes.length, kind, syntax, jump, succs: [], preds: [], loops: [...this.loopStack].reverse() };
    this.nodes.push(node);
    for (const loop of this.loopStack) loop.nodes.add(node.id);
    const innerTry = this.tryStack[this.tryStack.length - 1];
    if (innerTry && (kind === 'statement' || kind === 'condition')) innerTry.nodes.push(node);
    return node;
  }

  edge(from: CfgNode, to: CfgNode, condition?: SyntaxNode, assumption?: boolean, exceptional?: boolean): void {
    this.link({ from, to, condition, assumption, exceptional });
  }

  /** From a `switch` to a `case` label, carrying the label's value. */
  private caseEdge(from: CfgNode, to: CfgNode, caseValue: SyntaxNode): void {
    this.link({ from, to, caseValue });
  }

  private link(edge: CfgEdge): void {
    edge.from.succs.push(edge);
    edge.to.preds.push(edge);
  }

  private enter(): void {
    if (++this.depth > this.maxDepth) throw new CfgTooDeepError(this.maxDepth);
  }

  private leave(): void {
    this.depth--;
  }

  collectLabels(body: SyntaxNode): void {
    const stack: SyntaxNode[] = [body];
    const found: SyntaxNode[] = [];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.type === 'lambda_expression') continue;
      if (node.type === 'labeled_statement') found.push(node);
      for (const child of node.namedChildren) stack.push(child);
    }
    // In document order: the first definition of a name is the one a plain lookup finds.
    found.sort((a, b) => a.startIndex - b.startIndex);
    for (const node of found) {
      const label = node.childForFieldName('label')?.text;
      if (!label) continue;
      const cfgNode = this.node('join', node);
      this.labelAt.set(node.startIndex, cfgNode);
      if (!this.labels.has(label)) this.labels.set(label, cfgNode);
      else (this.sameNamedLabels.get(label) ?? this.sameNamedLabels.set(label, [this.labels.get(label)!]).get(label)!).push(cfgNode);
    }
  }

  /**
   * The label a `goto` in `from` goes to. One name defined twice is a label in each branch of an
   * `#ifdef`/`#else` (`out:` in both implementations of a function): the one in the goto's branch.
   */
  private labelFor(name: string, from: SyntaxNode): CfgNode | undefined {
    const candidates = this.sameNamedLabels.get(name);
    if (!candidates) return this.labels.get(name);
    // The goto's enclosing nodes, nearest first: the label whose own branch is nearest wins
    // (an `#else` sits inside its `#ifdef` node, so the `#ifdef` branch encloses it too).
    const distance = new Map<number, number>();
    for (let p = from.parent, d = 0; p && p.type !== 'function_definition'; p = p.parent, d++) distance.set(p.id, d);
    const branchOf = (label: SyntaxNode): SyntaxNode | null => {
      for (let p = label.parent; p && p.type !== 'function_definition'; p = p.parent) if (p.type.startsWith('preproc_')) return p;
      return null;
    };
    let best: CfgNode | undefined;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
      const branch = branchOf(candidate.syntax!);
      const d = branch ? distance.get(branch.id) : undefined;
      if (d !== undefined && d < bestDistance) [best, bestDistance] = [candidate, d];
    }
    return best ?? this.labels.get(name);
  }

  /** Builds `stmt` so that it continues to `next`; returns the node control enters it at. */
  statement(stmt: SyntaxNode, next: CfgNode, targets: JumpTargets): CfgNode {
    this.enter();
    try {
      return this.statementInner(stmt, next, targets);
    } finally {
      this.leave();
    }
  }

  private statementInner(stmt: SyntaxNode, next: CfgNode, targets: JumpTargets): CfgNode {
    switch (stmt.type) {
      case 'compound_statement':
        return this.sequence(stmt.namedChildren, next, targets);
      case 'if_statement':
        return this.ifStatement(stmt, next, targets);
      case 'while_statement':
        return this.whileStatement(stmt, next);
      case 'do_statement':
        return this.doStatement(stmt, next);
      case 'for_statement':
        return this.forStatement(stmt, next);
      case 'for_range_loop':
        return this.rangeFor(stmt, next);
      case 'switch_statement':
        return this.switchStatement(stmt, next, targets);
      case 'return_statement':
      case 'co_return_statement':
        return this.jumpTo(stmt, stmt.type === 'return_statement' ? 'return' : 'co_return', this.exit);
      case 'break_statement':
        return targets.breakTo ? this.jumpTo(stmt, 'break', targets.breakTo) : this.jumpTo(stmt, 'break', next);
      case 'continue_statement':
        return targets.continueTo ? this.jumpTo(stmt, 'continue', targets.continueTo) : this.jumpTo(stmt, 'continue', next);
      case 'goto_statement': {
        const label = stmt.childForFieldName('label')?.text ?? '';
        const target = this.labelFor(label, stmt) ?? this.exit;
        const node = this.jumpTo(stmt, 'goto', target);
        node.label = label;
        return node;
      }
      case 'labeled_statement': {
        const labelNode = this.labelAt.get(stmt.startIndex) ?? this.node('join', stmt);
        for (const loop of this.loopStack) loop.nodes.add(labelNode.id);
        (labelNode.loops as LoopInfo[]).push(...[...this.loopStack].reverse());
        const inner = stmt.namedChildren.find((c) => c.type !== 'statement_identifier' && c.type !== 'comment');
        const innerEntry = inner ? this.statement(inner, next, targets) : next;
        this.edge(labelNode, innerEntry);
        return labelNode;
      }
      case 'throw_statement':
        return this.throwStatement(stmt);
      case 'try_statement':
        return this.tryStatement(stmt, next, targets);
      case 'attributed_statement': {
        const inner = stmt.namedChildren.find((c) => c.type !== 'attribute_declaration');
        return inner ? this.statement(inner, next, targets) : next;
      }
      case 'case_statement':
        // Only reached for a case label outside a switch body (macro soup); read its statements.
        return this.sequence(stmt.namedChildren.filter((c) => c.id !== stmt.childForFieldName('value')?.id), next, targets);
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_elif':
      case 'preproc_elifdef':
      case 'preproc_else':
        return this.preprocessorBranch(stmt, next, targets);
      case 'ERROR':
      case 'comment':
      case 'preproc_include':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_call':
      case 'type_definition':
      case 'struct_specifier':
      case 'union_specifier':
      case 'enum_specifier':
        // ERROR regions are skipped: their insides are not trustworthy statements.
        return next;
      case 'expression_statement': {
        // Most statements neither throw nor call a function that never returns (or a returning
        // macro): one read of the text, which the analyses need anyway, tells.
        const text = stmt.text;
        if (text !== ';' && !/^throw\b/.test(text) && !this.mayCallSpecial(text)) {
          const node = this.node('statement', stmt);
          node.text = text;
          this.edge(node, next);
          return node;
        }
        const expression = stmt.firstNamedChild;
        if (!expression) return next;
        if (expression.type === 'throw_expression') return this.throwStatement(stmt);
        return this.simple(stmt, next, expression);
      }
      default:
        return this.simple(stmt, next);
    }
  }

  /** `expression`: the statement's expression, when it is an expression statement. */
  private simple(stmt: SyntaxNode, next: CfgNode, expression?: SyntaxNode): CfgNode {
    const node = this.node('statement', stmt);
    let called = this.statementCall(expression);
    // `ctx->db->err(ctx->db, ret, "…")` (Berkeley DB's error reporter) or `proc.kill(…)`: a function
    // pointer or method of that name, not the C library's err() or kill().
    if (called && LIBRARY_NO_RETURN.has(called) && this.calledThroughMember(expression)) called = undefined;
    const argsOf = () => this.statementCallArguments(expression).map((a) => squeeze(a.text));
    if ((called && (this.options.noReturn.has(called) || killsItself(called, argsOf) || this.options.neverReturnsWith?.(called, argsOf()) === true)) || (expression !== undefined && fatalLogStatement(expression))) {
      node.noReturn = true;
      this.edge(node, this.abort);
    } else if (called && this.options.returningMacros?.has(called)) {
      const macro = this.options.returningMacros.get(called)!;
      if (macro.exits) return this.exitingMacro(stmt, node, next, expression, macro);
      // `fatal_return(("msg"), -1)` over `do { fatal stuff; return __VA_ARGS__; } while (0)` with a
      // `fatal()` that never returns: the macro's return is never reached.
      if (macro.always && macro.callsFirst?.some((callee) => this.options.noReturn.has(callee))) {
        node.noReturn = true;
        this.edge(node, this.abort);
        return node;
      }
      // `#define CHECK(x) if (!(x)) goto cleanup`: the hidden jump goes to that label when the function has it.
      const label = macro.gotoLabel !== undefined ? this.labelFor(macro.gotoLabel, stmt) : undefined;
      if (macro.gotoLabel !== undefined && !label) {
        this.edge(node, next);
        return node;
      }
      const hiddenReturn = this.node('jump', stmt, label ? 'goto' : 'return');
      hiddenReturn.viaMacro = true;
      if (macro.assigns) {
        const args = this.statementCallArguments(expression);
        const assigns = macro.assigns.flatMap((a) => {
          const value = a.param !== undefined && args[a.param] ? squeeze(args[a.param]!.text) : a.value;
          return value === undefined ? [] : [{ name: a.name, value }];
        });
        if (assigns.length > 0) hiddenReturn.macroAssigns = assigns;
      }
      const compared = macro.comparedAssignment;
      if (compared && this.statementCallArguments(expression)[compared.param]) {
        // Out of the macro the variable differs from the constant (or equals it); past it, the reverse.
        const equal = compared.constant;
        const differs = `${NOT_VALUE}${compared.constant}`;
        hiddenReturn.macroAssigns = [...(hiddenReturn.macroAssigns ?? []).filter((a) => a.name !== compared.name), { name: compared.name, value: compared.returnsWhenEqual ? equal : differs }];
        node.macroAssigns = [{ name: compared.name, value: compared.returnsWhenEqual ? differs : equal }];
      }
      if (label) hiddenReturn.label = macro.gotoLabel;
      this.edge(hiddenReturn, label ?? this.exit);
      if (macro.always) {
        this.edge(node, hiddenReturn);
        return node;
      }
      const { guard, returnsWhen } = this.macroGuard(macro, expression);
      if (guard && returnsWhen !== undefined) {
        // `CHECK(fd >= 0);` is `if (!(fd >= 0)) return …;`: a branch on its argument.
        this.edge(node, returnsWhen ? this.condition(guard, hiddenReturn, next) : this.condition(guard, next, hiddenReturn));
      } else {
        // The macro either falls through or returns: both paths exist.
        if (macro.param === undefined && !macro.equality && !macro.guardedElsewhere) hiddenReturn.opaqueGuard = true;
        this.edge(node, next);
        this.edge(node, hiddenReturn);
      }
    } else {
      this.edge(node, next);
    }
    return node;
  }

  /** `CHECK(fd >= 0);` with `#define CHECK(x) if (!(x)) abort()`: a branch to the end of every path, when the call never returns. */
  private exitingMacro(stmt: SyntaxNode, node: CfgNode, next: CfgNode, expression: SyntaxNode | undefined, macro: ReturningMacroShape): CfgNode {
    if (!macro.exits!.some((callee) => this.options.noReturn.has(callee))) {
      this.edge(node, next);
      return node;
    }
    const exit = this.node('statement', stmt);
    exit.noReturn = true;
    exit.viaMacro = true;
    this.edge(exit, this.abort);
    const { guard, returnsWhen } = this.macroGuard(macro, expression);
    if (guard && returnsWhen !== undefined) this.edge(node, returnsWhen ? this.condition(guard, exit, next) : this.condition(guard, next, exit));
    else {
      this.edge(node, next);
      this.edge(node, exit);
    }
    return node;
  }

  /**
   * The argument whose truth decides a returning macro, and the truth on which it returns: its
   * guard parameter, or one side of an equality with 0 (`ASSERT_EQUAL(ret, 0)`, whose body tests
   * `__got != __expected`, returns when `ret` is true). An equality of two other values decides
   * nothing here: both paths exist.
   */
  private macroGuard(macro: ReturningMacroShape, expression: SyntaxNode | undefined): { guard?: SyntaxNode; returnsWhen?: boolean } {
    const args = this.statementCallArguments(expression);
    if (macro.param !== undefined) return { guard: args[macro.param], returnsWhen: macro.returnsWhen };
    const equality = macro.equality;
    if (!equality) return {};
    const operand = (index: number | undefined) => (index === undefined ? undefined : args[index]);
    const left = operand(equality.left);
    const right = operand(equality.right);
    const zero = (arg: SyntaxNode | undefined, index: number | undefined) => index === undefined || (arg !== undefined && ZERO.test(arg.text));
    const guard = zero(left, equality.left) ? right : zero(right, equality.right) ? left : undefined;
    // `a == 0` is `!a`: it returns when the guard is false.
    return guard ? { guard, returnsWhen: !equality.returnsWhenEqual } : {};
  }

  private statementCallArguments(expression: SyntaxNode | undefined): SyntaxNode[] {
    const call = statementCallNode(expression);
    return call ? callArguments(call) : [];
  }

  private domainTest(condition: SyntaxNode): boolean | undefined {
    for (const test of this.domainTests) {
      const decided = test(condition);
      if (decided !== undefined) return decided;
    }
    return undefined;
  }

  /** Is the statement's call made through a struct field or an object (`a->err(…)`, `o.exit()`)? */
  private calledThroughMember(expression: SyntaxNode | undefined): boolean {
    let fn = statementCallNode(expression)?.childForFieldName('function') ?? null;
    while (fn?.type === 'parenthesized_expression') fn = fn.firstNamedChild;
    return fn?.type === 'field_expression' || fn?.type === 'pointer_expression';
  }

  /** The function an expression statement consists of calling: `exit(1);`, `(void)_exit(2);`, `CHECK(x);`. */
  private statementCall(expression: SyntaxNode | undefined): string | undefined {
    const call = statementCallNode(expression);
    return call ? calleeName(call) : undefined;
  }

  private jumpTo(stmt: SyntaxNode, kind: JumpKind, target: CfgNode): CfgNode {
    const node = this.node('jump', stmt, kind);
    this.edge(node, target);
    return node;
  }

  private throwStatement(stmt: SyntaxNode): CfgNode {
    const handlers = this.tryStack[this.tryStack.length - 1]?.handlers;
    const node = this.node('jump', stmt, 'throw');
    if (handlers && handlers.length > 0) for (const h of handlers) this.edge(node, h, undefined, undefined, true);
    else this.edge(node, this.exit, undefined, undefined, true);
    return node;
  }

  sequence(statements: readonly SyntaxNode[], next: CfgNode, targets: JumpTargets): CfgNode {
    let entry = next;
    for (let i = statements.length - 1; i >= 0; i--) {
      const stmt = statements[i]!;
      if (stmt.type === 'comment') continue;
      entry = this.statement(stmt, entry, targets);
    }
    return entry;
  }

  /** Builds a condition so that control goes to onTrue / onFalse; returns its entry. */
  condition(expr: SyntaxNode, onTrue: CfgNode, onFalse: CfgNode): CfgNode {
    this.enter();
    try {
      return this.conditionInner(expr, onTrue, onFalse);
    } finally {
      this.leave();
    }
  }

  private conditionInner(raw: SyntaxNode, onTrue: CfgNode, onFalse: CfgNode): CfgNode {
    if (raw.type === 'condition_clause') {
      const init = raw.childForFieldName('initializer');
      const value = raw.childForFieldName('value');
      const test = value ? this.condition(value, onTrue, onFalse) : onTrue;
      return init ? this.simple(init, test) : test;
    }
    let expr = unwrap(raw);
    let source = expr.text;
    // `likely(x)`, `unlikely(x)`, `__builtin_expect(x, 1)` test x.
    for (let i = 0; i < 4 && expr.type === 'call_expression' && isBranchHint(expr); i++) {
      const first = callArguments(expr)[0];
      if (!first) break;
      expr = unwrap(first);
      source = expr.text;
    }
    const text = source.replace(/\s+/g, '');
    if (CONSTANT_TRUE.test(text)) return onTrue;
    if (CONSTANT_FALSE.test(text)) return onFalse;
    // `while (1 == 1)`, `if (2 > 1)`: literals only, decided as the compiler does.
    const literal = literalTruth(text);
    if (literal !== undefined) return literal ? onTrue : onFalse;
    if (expr.type === 'binary_expression' && SHORT_CIRCUIT.test(source)) {
      const op = expr.childForFieldName('operator')?.type;
      const left = expr.childForFieldName('left');
      const right = expr.childForFieldName('right');
      if (left && right && (op === '&&' || op === 'and')) {
        return this.condition(left, this.condition(right, onTrue, onFalse), onFalse);
      }
      if (left && right && (op === '||' || op === 'or')) {
        return this.condition(left, onTrue, this.condition(right, onTrue, onFalse));
      }
    }
    if (expr.type === 'unary_expression' && NEGATION.test(source)) {
      const op = expr.childForFieldName('operator')?.type;
      const arg = expr.childForFieldName('argument');
      if (arg && (op === '!' || op === 'not')) return this.condition(arg, onFalse, onTrue);
    }
    if (expr.type === 'conditional_expression') {
      const c = expr.childForFieldName('condition');
      const a = expr.childForFieldName('consequence');
      const b = expr.childForFieldName('alternative');
      if (c && a && b) return this.condition(c, this.condition(a, onTrue, onFalse), this.condition(b, onTrue, onFalse));
    }
    if (expr.type === 'comma_expression') {
      const left = expr.childForFieldName('left');
      const right = expr.childForFieldName('right');
      if (left && right) return this.simple(left, this.condition(right, onTrue, onFalse));
    }
    const node = this.node('condition', expr);
    // `signal(SIGHUP, h) == SIG_ERR`: a call that cannot fail with these arguments decides its test.
    const decided = neverFailingTest(expr, this.options.signalSetterOf) ?? constantResultTest(expr, this.options.constantResultOf) ?? neverNullTest(expr, this.neverNull) ?? this.domainTest(expr);
    if (decided !== undefined) {
      this.edge(node, decided ? onTrue : onFalse);
      return node;
    }
    if (onTrue === onFalse) {
      this.edge(node, onTrue);
    } else {
      this.edge(node, onTrue, expr, true);
      this.edge(node, onFalse, expr, false);
    }
    return node;
  }

  /**
   * An `if` and the `else if`s chained to it, as a loop: a generated dispatcher's chain of 10,000
   * `else if`s is 10,000 levels deep in the tree, not in the code. Nodes are made in the order the
   * recursion made them (each `then`, the last `else`, then the conditions from the last up).
   */
  private ifStatement(stmt: SyntaxNode, next: CfgNode, targets: JumpTargets): CfgNode {
    const links: { cond: SyntaxNode | null; thenEntry: CfgNode }[] = [];
    let current: SyntaxNode | null = stmt;
    let elseEntry = next;
    while (current) {
      const consequence = current.childForFieldName('consequence');
      let alternative = current.childForFieldName('alternative');
      if (alternative?.type === 'else_clause') alternative = alternative.namedChildren.find((c) => c.type !== 'comment') ?? null;
      links.push({ cond: current.childForFieldName('condition'), thenEntry: consequence ? this.statement(consequence, next, targets) : next });
      if (alternative?.type === 'if_statement') current = alternative;
      else {
        if (alternative) elseEntry = this.statement(alternative, next, targets);
        current = null;
      }
    }
    for (let i = links.length - 1; i >= 0; i--) {
      const { cond, thenEntry } = links[i]!;
      elseEntry = cond ? this.condition(cond, thenEntry, elseEntry) : thenEntry;
    }
    return elseEntry;
  }

  private openLoop(stmt: SyntaxNode, neverRepeats: boolean): LoopInfo {
    const loop: LoopInfo = { id: this.loops.length, syntax: stmt, neverRepeats, nodes: new Set(), outer: [...this.loopStack].reverse() };
    this.loops.push(loop);
    this.loopStack.push(loop);
    return loop;
  }

  private closeLoop(): void {
    this.loopStack.pop();
  }

  private whileStatement(stmt: SyntaxNode, next: CfgNode): CfgNode {
    this.openLoop(stmt, isConstantFalse(stmt.childForFieldName('condition')));
    const head = this.node('join', stmt);
    const body = stmt.childForFieldName('body');
    const bodyEntry = body ? this.statement(body, head, { breakTo: next, continueTo: head }) : head;
    const cond = stmt.childForFieldName('condition');
    const condEntry = cond ? this.condition(cond, bodyEntry, next) : bodyEntry;
    this.edge(head, condEntry);
    this.closeLoop();
    return head;
  }

  private doStatement(stmt: SyntaxNode, next: CfgNode): CfgNode {
    const cond = stmt.childForFieldName('condition');
    this.openLoop(stmt, isConstantFalse(cond));
    const head = this.node('join', stmt);
    const continueTarget = this.node('join');
    const body = stmt.childForFieldName('body');
    const bodyEntry = body ? this.statement(body, continueTarget, { breakTo: next, continueTo: continueTarget }) : continueTarget;
    const condEntry = cond ? this.condition(cond, head, next) : head;
    this.edge(continueTarget, condEntry);
    this.edge(head, bodyEntry);
    this.closeLoop();
    return head;
  }

  private forStatement(stmt: SyntaxNode, next: CfgNode): CfgNode {
    const init = stmt.childForFieldName('initializer');
    const cond = stmt.childForFieldName('condition');
    const updates = childrenForField(stmt, 'update');
    this.openLoop(stmt, isConstantFalse(cond));
    const head = this.node('join', stmt);
    let updateEntry = head;
    for (let i = updates.length - 1; i >= 0; i--) updateEntry = this.simple(updates[i]!, updateEntry);
    const body = stmt.childForFieldName('body');
    const bodyEntry = body ? this.statement(body, updateEntry, { breakTo: next, continueTo: updateEntry }) : updateEntry;
    const condEntry = cond ? this.condition(cond, bodyEntry, next) : bodyEntry;
    this.edge(head, condEntry);
    this.closeLoop();
    return init ? this.simple(init, head) : head;
  }

  private rangeFor(stmt: SyntaxNode, next: CfgNode): CfgNode {
    this.openLoop(stmt, false);
    const head = this.node('join', stmt);
    // "Is there another element?" is not a condition we can reason about: a plain two-way choice.
    const element = this.node('statement', stmt.childForFieldName('declarator') ?? stmt);
    const body = stmt.childForFieldName('body');
    const bodyEntry = body ? this.statement(body, head, { breakTo: next, continueTo: head }) : head;
    this.edge(head, element);
    this.edge(head, next);
    this.edge(element, bodyEntry);
    this.closeLoop();
    const right = stmt.childForFieldName('right');
    return right ? this.simple(right, head) : head;
  }

  private switchStatement(stmt: SyntaxNode, next: CfgNode, targets: JumpTargets): CfgNode {
    const cond = stmt.childForFieldName('condition');
    const body = stmt.childForFieldName('body');
    const dispatch = this.node('statement', cond ?? stmt);
    const inner: JumpTargets = { breakTo: next, continueTo: targets.continueTo };
    const children = body?.namedChildren ?? [];
    let fallthrough = next;
    let hasDefault = false;
    const caseEntries: { entry: CfgNode; value: SyntaxNode | null }[] = [];
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i]!;
      if (child.type !== 'case_statement') {
        fallthrough = this.statement(child, fallthrough, inner);
        continue;
      }
      const value = child.childForFieldName('value');
      if (!value) hasDefault = true;
      const statements = child.namedChildren.filter((c) => c.id !== value?.id && c.type !== 'comment');
      fallthrough = this.sequence(statements, fallthrough, inner);
      caseEntries.push({ entry: fallthrough, value });
    }
    // Each `case` edge carries its label: `switch (fd = open_socket(…)) { case -E_INVALID: … }`.
    for (const { entry, value } of caseEntries.reverse()) {
      if (value) this.caseEdge(dispatch, entry, value);
      else this.edge(dispatch, entry);
    }
    if (!hasDefault) this.edge(dispatch, next);
    return dispatch;
  }

  private tryStatement(stmt: SyntaxNode, next: CfgNode, targets: JumpTargets): CfgNode {
    const handlers: CfgNode[] = [];
    for (const clause of stmt.namedChildren) {
      if (clause.type !== 'catch_clause') continue;
      const body = clause.childForFieldName('body');
      handlers.push(body ? this.statement(body, next, targets) : next);
    }
    const frame = { handlers, nodes: [] as CfgNode[] };
    this.tryStack.push(frame);
    const body = stmt.childForFieldName('body');
    const bodyEntry = body ? this.statement(body, next, targets) : next;
    this.tryStack.pop();
    // Any statement in the body may throw into any handler.
    for (const node of frame.nodes) for (const h of handlers) this.edge(node, h, undefined, undefined, true);
    return bodyEntry;
  }

  private preprocessorBranch(stmt: SyntaxNode, next: CfgNode, targets: JumpTargets): CfgNode {
    // `#if A … #else … #endif`: either branch may be the one compiled; model both.
    const alternative = stmt.childForFieldName('alternative');
    const condition = stmt.childForFieldName('condition');
    const skip = new Set<number>([stmt.childForFieldName('name')?.id, condition?.id, alternative?.id].filter((x): x is number => x !== undefined));
    const body = stmt.namedChildren.filter((c) => !skip.has(c.id));
    // `#else` is the branch itself, not a choice; `#if 0` is never compiled.
    if (stmt.type === 'preproc_else') return this.sequence(body, next, targets);
    // `#else #error Unknown OS`: a branch that stops the build is never the one compiled.
    if (stopsTheBuild(body)) return alternative ? this.statement(alternative, next, targets) : next;
    if (alternative?.type === 'preproc_else' && stopsTheBuild(alternative.namedChildren)) return this.sequence(body, next, targets);
    const test = stmt.type === 'preproc_ifdef' ? stmt.childForFieldName('name') : condition;
    const negated = stmt.type === 'preproc_ifdef' && stmt.child(0)?.type === '#ifndef';
    const decided = test ? decideDirective(test, stmt.type === 'preproc_ifdef', withSettledDefinitions(this.options.fileDefinitions, stmt.startIndex, this.platform)) : undefined;
    if (decided !== undefined) return decided !== negated ? this.sequence(body, next, targets) : alternative ? this.statement(alternative, next, targets) : next;
    const other = alternative ? this.statement(alternative, next, targets) : next;
    if (condition && isPreprocessorFalse(condition)) return other;
    const chosen = this.sequence(body, next, targets);
    if (chosen === other) return chosen;
    // A choice of configuration, as a branch on what it tests (`#ifdef HAVE_PIPES`: the symbol), so
    // that repeated blocks testing the same symbol take the same branch on one path: analyses that
    // correlate flags (flags.ts) correlate these like any flag tested twice.
    if (test) {
      return negated ? this.condition(test, other, chosen) : this.condition(test, chosen, other);
    }
    const choice = this.node('join');
    this.edge(choice, chosen);
    this.edge(choice, other);
    return choice;
  }
}

/**
 * What a directive's test is in the build's configuration, else on Linux with GCC (`ifdef`:
 * `#ifdef X`, whether X is defined): `#ifdef _WIN32` is false, `#ifdef HAVE_POLL` undefined
 * (both branches, correlated) unless the configuration says.
 */
function decideDirective(test: SyntaxNode, ifdef: boolean, lookup: (name: string) => MacroValue): boolean | undefined {
  return ifdef ? evaluateDefined(test.text, false, lookup) : evaluateCondition(test.text, lookup);
}

/** A branch holding `#error` at its top level: compiling it fails, so a build never takes it. */
function stopsTheBuild(body: readonly SyntaxNode[]): boolean {
  return body.some((c) => c.type === 'preproc_call' && c.childForFieldName('directive')?.text.replace(/\s+/g, '') === '#error');
}

/** `#if 0` (and `#if (0)`): code that is never compiled. */
export function isPreprocessorFalse(condition: SyntaxNode): boolean {
  return /^\(?\s*0\s*\)?$/.test(condition.text.trim());
}

function isConstantFalse(cond: SyntaxNode | null): boolean {
  if (!cond) return false;
  const text = unwrap(cond).text.replace(/\s+/g, '');
  return CONSTANT_FALSE.test(text) || literalTruth(text) === false;
}

/** Only integer literals and operators: what the expression is (`1==1` true), else undefined. */
const LITERALS_ONLY = /^(?:\d[\dxXa-fA-FuUlL]*|[\s()!=<>&|+\-*/%~^?:])+$/;
function literalTruth(text: string): boolean | undefined {
  if (!LITERALS_ONLY.test(text) || !/\d/.test(text)) return undefined;
  return evaluateCondition(text, () => undefined);
}

/**
 * Recursion frames the builder may use (about three per nesting level: ~400 levels of nested
 * blocks). Deeper functions are skipped, well before Node's stack would overflow.
 */
const MAX_RECURSION = 1200;

/** The call an expression statement consists of: `exit(1);`, and under a cast, `(void) starter_return(…);`. */
function statementCallNode(expression: SyntaxNode | undefined): SyntaxNode | undefined {
  let expr = expression ? unwrap(expression) : undefined;
  if (expr?.type === 'cast_expression') expr = expr.childForFieldName('value') ?? expr;
  return expr?.type === 'call_expression' ? expr : undefined;
}

/** Body of a function definition or lambda. */
export function functionBody(fn: SyntaxNode): SyntaxNode | null {
  return fn.childForFieldName('body');
}

/** Builds the CFG of a function definition or lambda expression. Throws CfgTooDeepError. */
export function buildCfg(fn: SyntaxNode, options: CfgOptions): Cfg {
  const builder = new CfgBuilder(options, options.maxDepth ?? MAX_RECURSION);
  const body = functionBody(fn);
  builder.neverNull = neverNullNames(fn);
  if (options.testDeciders) builder.domainTests = options.testDeciders.flatMap((decider) => decider(fn) ?? []);
  if (body) {
    // Labels only matter to gotos (written, or inside macros); skipping the walk saves a pass over most functions.
    const text = body.text;
    if (/\bgoto\b/.test(text) || [...(options.returningMacros?.values() ?? [])].some((m) => m.gotoLabel !== undefined && text.includes(`${m.gotoLabel}:`))) builder.collectLabels(body);
    const first = body.type === 'compound_statement' ? builder.sequence(body.namedChildren, builder.exit, {}) : builder.statement(body, builder.exit, {});
    builder.edge(builder.entry, first);
  } else {
    builder.edge(builder.entry, builder.exit);
  }
  return { function: fn, entry: builder.entry, exit: builder.exit, abort: builder.abort, nodes: builder.nodes, loops: builder.loops, isFunctionName: options.isFunctionName, constantResultOf: options.constantResultOf, integerMacroValue: options.integerMacroValue, ...(options.parameterValues && options.parameterValues.size > 0 ? { parameterValues: options.parameterValues } : {}) };
}

/** Innermost loop around a node that really iterates (skips `do { } while (0)` wrappers). */
export function innermostRealLoop(node: CfgNode): LoopInfo | undefined {
  return node.loops.find((l) => !l.neverRepeats);
}

/** Start and end offsets of a node's syntax, read once (each read is a native call). */
export function nodeRange(node: CfgNode): readonly [number, number] {
  // The end from the text's length: the start is read without a native call, the text is read once anyway.
  return (node.range ??= node.syntax ? [node.syntax.startIndex, node.syntax.startIndex + nodeText(node).length] : [0, 0]);
}

/** Answers of nodeEvaluating per CFG, by syntax range: every rule asks about the same calls. */
const evaluatingByRange = perObject((_cfg: Cfg) => new Map<string, CfgNode | undefined>());

/** The CFG node that evaluates `syntax` (the smallest node whose syntax contains it). */
export function nodeEvaluating(cfg: Cfg, syntax: SyntaxNode): CfgNode | undefined {
  const start = syntax.startIndex;
  const end = syntax.endIndex;
  const known = evaluatingByRange(cfg);
  const key = `${start}:${end}`;
  if (known.has(key)) return known.get(key);
  const best = smallestContaining(cfg, start, end);
  known.set(key, best);
  return best;
}

function smallestContaining(cfg: Cfg, start: number, end: number): CfgNode | undefined {
  let best: CfgNode | undefined;
  let bestLength = Infinity;
  for (const node of cfg.nodes) {
    if (!node.syntax || node.kind === 'join') continue;
    const [s, e] = nodeRange(node);
    if (s <= start && end <= e && e - s < bestLength) {
      best = node;
      bestLength = e - s;
    }
  }
  return best;
}

/** Where a jump goes; undefined for nodes that are not jumps. */
export function jumpTarget(node: CfgNode): CfgNode | undefined {
  return node.kind === 'jump' ? node.succs.find((e) => !e.exceptional)?.to ?? node.succs[0]?.to : undefined;
}
