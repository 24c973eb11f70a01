import type { LineMap } from '../syntax/source-text.js';
import { settledDefinitions, type SettledDefinition } from '../syntax/settled-definitions.js';
import { buildCfg, CfgTooDeepError, type Cfg, type CfgOptions, type ReturningMacroShape } from '../flow/cfg.js';
import { ASSERTIONS, EXITS_ON_NONZERO_STATUS } from '../flow/no-return.js';
import { compareNumbers, type SignalSetter } from '../flow/never-failing.js';
import { splitTopLevel, withoutOuterParentheses } from '../syntax/c-text.js';
import { mergedConfiguration, type BuildConfiguration, type ResolvedConfig, type RuleSetting } from './config.js';
import { fingerprintFindings, type Finding, type FindingInput, type Location, type Severity } from './findings.js';
import type { MacroExpression, ReturningMacro, Span } from '../project/facts.js';
import { mostlyErrors } from './coverage.js';
import type { ProjectIndex } from '../project/project-index.js';
import { macrosIn, type MacroScope } from '../project/macro-table.js';
import type { Rule, RuleContext } from './rule.js';
import type { AnalysisSettings } from './settings.js';
import type { SourceFile } from '../project/source-file.js';
import { parameterValuesOf } from '../project/parameter-values.js';
import { applyDirectives, parseDirectives, UNUSED_DIRECTIVE_RULE } from './suppressions.js';

export interface CheckOptions {
  readonly rules: readonly Rule[];
  readonly config: ResolvedConfig;
  /** `--rule ID=SEVERITY` overrides, applied over the config file. */
  readonly overrides?: Readonly<Record<string, RuleSetting['severity']>>;
  readonly reportUnusedDirectives?: boolean;
  readonly debug?: (message: string) => void;
  /** A function left unanalysed at a limit (nesting past the CFG's depth): said to the user, not only under --debug. */
  readonly limit?: (message: string) => void;
  /** This file's -D / -U from a compile database, over the configuration file's. */
  readonly fileConfiguration?: BuildConfiguration;
  /** Only these functions are analysed (the rules get no CFG for the others): the other configuration's. */
  readonly onlyFunctions?: ReadonlySet<number>;
  /** Filled with the functions some rule asked the CFG of (those with something to check). */
  readonly cfgRequested?: Set<number>;
}

const CFG_CACHE_SIZE = 64;

export function ruleSetting(rule: Rule, options: CheckOptions): { severity: Severity | 'off'; options: Readonly<Record<string, unknown>> } {
  const configured = options.config.rules[rule.meta.id];
  const severity = options.overrides?.[rule.meta.id] ?? configured?.severity ?? rule.meta.defaultSeverity;
  return { severity, options: configured?.options ?? {} };
}

/** Runs every enabled rule over one prepared file; returns fingerprinted, unsuppressed findings. */
export function checkFile(file: SourceFile, index: ProjectIndex, settings: AnalysisSettings, options: CheckOptions): Finding[] {
  // Rules ask for the CFGs of the same few functions in turn; a bounded cache keeps memory flat on huge files.
  const cfgs = new Map<number, Cfg | null>();
  const configuration = mergedConfiguration(settings.configuration, options.fileConfiguration);
  // Functions by name: those the file calls and those the project defines.
  let called: Set<string> | undefined;
  const isFunctionName = (name: string) => (called ??= new Set(file.facts.calls.map((c) => c.callee))).has(name) || index.functionsNamed(name).length > 0;
  // Every definition of the name returns the same one constant (`return 0;` on every path).
  const constantResultOf = (name: string): string | undefined => {
    const defs = index.functionsNamed(name);
    const value = defs[0]?.fn.returnsOnly;
    return value !== undefined && defs.every((d) => d.fn.returnsOnly === value) ? value : undefined;
  };
  const signalSetterOf = (name: string): SignalSetter | undefined => {
    const defs = index.functionsNamed(name);
    const first = defs[0]?.fn.setsSignal;
    return first && defs.every((d) => d.fn.setsSignal?.param === first.param && d.fn.setsSignal.returns === first.returns) ? first : undefined;
  };
  let fileDefinitions: ReadonlyMap<string, SettledDefinition> | undefined;
  // One CFG serves every rule: each enabled rule's deciders apply to it.
  const testDeciders = [...new Set(options.rules.filter((rule) => ruleSetting(rule, options).severity !== 'off').flatMap((rule) => rule.testDeciders ?? []))];
  const cfg = (fnIndex: number): Cfg | undefined => {
    if (options.onlyFunctions && !options.onlyFunctions.has(fnIndex)) return undefined;
    options.cfgRequested?.add(fnIndex);
    let built = cfgs.get(fnIndex);
    if (built === undefined) {
      const macros = macrosIn(file, index, fnIndex);
      const noReturn = noReturnOf(macros, settings, index);
      built = buildFunctionCfg(file, fnIndex, { noReturn, neverReturnsWith: neverReturnsWith(index, noReturn, macros), returningMacros: withAssertions(macros, index), configuration, fileDefinitions: (fileDefinitions ??= settledDefinitions(file.recovery?.originalText ?? file.text)), isFunctionName, constantResultOf, signalSetterOf, integerMacroValue: (name) => macros.constants.get(name), parameterValues: parameterValuesOf(file, fnIndex, index), testDeciders }, options.debug, options.limit);
      if (cfgs.size >= CFG_CACHE_SIZE) cfgs.delete(cfgs.keys().next().value!);
      cfgs.set(fnIndex, built);
    }
    return built ?? undefined;
  };
  const locate = (span: Span): Location => withinText({ file: file.path, line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn }, file.lines);
  const inputs: FindingInput[] = [];
  for (const rule of options.rules) {
    const setting = ruleSetting(rule, options);
    if (setting.severity === 'off') continue;
    const configuredSeverity = setting.severity;
    const context: RuleContext = {
      file,
      index,
      settings,
      options: setting.options,
      severity: configuredSeverity,
      cfg,
      locate,
      report(input) {
        const fn = input.functionIndex !== undefined ? file.facts.functions[input.functionIndex] : undefined;
        inputs.push({
          ruleId: rule.meta.id,
          severity: input.severity ?? configuredSeverity,
          message: input.message,
          location: locate(input.span),
          related: input.related ?? [],
          path: input.path,
          fix: input.fix,
          functionName: fn?.qualifiedName,
          anchorText: input.anchorText,
        });
      },
    };
    rule.check(context);
  }
  const directives = parseDirectives(file.path, file.syntax.comments, file.lines.lineCount);
  const kept = applyDirectives(fingerprintFindings(inputs), directives);
  if (!options.reportUnusedDirectives) return kept;
  const unusedSeverity = options.overrides?.[UNUSED_DIRECTIVE_RULE] ?? options.config.rules[UNUSED_DIRECTIVE_RULE]?.severity ?? 'warning';
  if (unusedSeverity === 'off') return kept;
  const unused: FindingInput[] = directives
    .filter((d) => d.kind !== 'enable' && !d.used)
    .map((d) => ({
      ruleId: UNUSED_DIRECTIVE_RULE,
      severity: unusedSeverity,
      message: `unused connlint-${d.kind} directive (no ${d.rules.length > 0 ? d.rules.map((r) => `'${r}'`).join(', ') : ''} findings${d.rules.length > 0 ? '' : ' at all'} to suppress here)`.replace('no  findings', 'no findings'),
      location: d.location,
      related: [],
      anchorText: `${d.kind} ${d.rules.join(',')}`,
    }));
  return [...kept, ...fingerprintFindings(unused)];
}

/** Functions that never return, and the macro aliases of them in effect (`#define die(x) exit(x)`). */
const noReturnSets = new WeakMap<ProjectIndex, WeakMap<MacroScope, WeakMap<AnalysisSettings, ReadonlySet<string>>>>();

/**
 * The project's returning macros, the catalog's assertions it does not define itself, and the
 * project's macros that are one of those assertions of a parameter (tidesdb's `#define
 * ASSERT_TRUE(a) assert(a)`): one merged map per macro scope.
 */
const withAssertionsCache = new WeakMap<ReadonlyMap<string, ReturningMacro>, WeakMap<ReadonlyMap<string, MacroExpression>, WeakMap<ProjectIndex, ReadonlyMap<string, ReturningMacroShape>>>>();
function withAssertions(macros: MacroScope, index: ProjectIndex): ReadonlyMap<string, ReturningMacroShape> {
  const returning = macros.returning;
  let byExpressions = withAssertionsCache.get(returning);
  if (!byExpressions) withAssertionsCache.set(returning, (byExpressions = new WeakMap()));
  let byIndex = byExpressions.get(macros.expressions);
  if (!byIndex) byExpressions.set(macros.expressions, (byIndex = new WeakMap()));
  let merged = byIndex.get(index);
  if (!merged) {
    const map = new Map<string, ReturningMacroShape>();
    for (const [name, { exitsWhen, returns }] of ASSERTIONS) map.set(name, returns ? { param: 0, returnsWhen: exitsWhen } : { param: 0, returnsWhen: exitsWhen, exits: ['abort'] });
    for (const [name, macro] of returning) map.set(name, resolvedGuard(macro, index, macros));
    for (const [name, expression] of macros.expressions) {
      if (map.has(name)) continue;
      const assertion = assertionOf(expression);
      if (assertion) map.set(name, assertion);
    }
    merged = map;
    byIndex.set(index, merged);
  }
  return merged;
}

/** `#define ASSERT_TRUE(a) assert(a)`: a macro whose whole value is an assertion (not a returning check) of one of its parameters or its negation. */
function assertionOf(expression: MacroExpression): ReturningMacroShape | undefined {
  const call = /^([A-Za-z_]\w*)\s*\(([^]*)\)$/.exec(withoutOuterParentheses(expression.body.trim()));
  const assertion = call ? ASSERTIONS.get(call[1]!) : undefined;
  if (!assertion || assertion.returns) return undefined;
  // `#define ASSERT_FALSE(a) assert(!(a))`: the negation of the parameter, asserted.
  const asserted = withoutOuterParentheses((splitTopLevel(call![2]!)[0] ?? '').trim());
  const negated = asserted.startsWith('!');
  const param = expression.params.indexOf(negated ? withoutOuterParentheses(asserted.slice(1).trim()) : asserted);
  return param < 0 ? undefined : { param, returnsWhen: assertion.exitsWhen !== negated, exits: ['abort'] };
}

/**
 * A guard through a call (`if (!_verify((int)(A), …)) return;`) tests the argument only where every
 * definition of the callee returns that argument unchanged; elsewhere the macro may return either way.
 * A jump handed to another macro (`#define CHKANDJUMP(c, e) CHKANDSTMT(c, e, goto fn_fail)` over
 * `#define CHKANDSTMT(c, e, s) do { if (c) { s; } } while (0)`) is guarded by that macro's guard.
 */
function resolvedGuard(macro: ReturningMacro, index: ProjectIndex, macros: MacroScope, depth = 0): ReturningMacroShape {
  if (macro.via) {
    const defs = index.functionsNamed(macro.via.callee);
    if (defs.length > 0 && defs.every((d) => d.fn.returnsParam === macro.via!.arg)) return macro;
    const { param: _param, returnsWhen: _returnsWhen, ...rest } = macro;
    // A project reporter that may fail for its own reasons (`return ok && write(…) == 0;`); a
    // checker the project does not define stays unread.
    return defs.length > 0 ? { ...rest, guardedElsewhere: true } : rest;
  }
  if (macro.param !== undefined || macro.equality || macro.exits || depth > 8) return macro;
  const alias = macros.aliases.get(macro.name);
  const inner = alias?.args && alias.target !== macro.name ? macros.returning.get(alias.target) : undefined;
  if (!alias?.args || !inner) return macro;
  const guard = resolvedGuard(inner, index, macros, depth + 1);
  const param = guard.param !== undefined ? alias.args[guard.param] : undefined;
  return param !== undefined && param >= 0 && guard.returnsWhen !== undefined ? { ...macro, param, returnsWhen: guard.returnsWhen } : macro;
}

/**
 * `starter_return(up, down, JOB_EXEC_RETRY, &rtn)` over a definition ending in `if (code < 0)
 * exit(254);`: the argument (a number or an integer macro) satisfies the test in every definition.
 */
function neverReturnsWith(index: ProjectIndex, noReturn: ReadonlySet<string>, macros: MacroScope): (callee: string, args: readonly string[]) => boolean {
  return (callee, args) => {
    const defs = index.functionsNamed(callee);
    if (defs.length === 0 && EXITS_ON_NONZERO_STATUS.includes(callee) && !macros.bodies.has(callee) && !macros.aliases.has(callee)) {
      const status = args[0] === 'EXIT_FAILURE' ? 1 : integerArgument(args[0] ?? '', macros.constants);
      return status !== undefined && status !== 0;
    }
    return (
      defs.length > 0 &&
      defs.every(({ fn }) => {
        const when = fn.endsInWhen;
        if (!when || !noReturn.has(when.call) || args.length !== fn.params.length) return false;
        const value = integerArgument(args[when.param]!, macros.constants);
        return value !== undefined && compareNumbers(value, when.op, when.value) === true;
      })
    );
  };
}

/** `-3`, `(-3)`, `JOB_EXEC_RETRY` (an integer macro, one level): its value. */
function integerArgument(arg: string, constants: ReadonlyMap<string, string>): number | undefined {
  const plain = withoutOuterParentheses(arg);
  const value = /^-?\d+$/.test(plain) ? plain : withoutOuterParentheses(constants.get(plain) ?? '');
  return /^-?\d+$/.test(value) ? Number(value) : undefined;
}

function noReturnOf(macros: MacroScope, settings: AnalysisSettings, index: ProjectIndex): ReadonlySet<string> {
  const derived = index.neverReturning(settings.noReturn);
  if (macros.aliases.size === 0 && macros.noReturnDeclared.size === 0 && macros.bodies.size === 0 && derived.size === 0) return settings.noReturn;
  let byScope = noReturnSets.get(index);
  if (!byScope) noReturnSets.set(index, (byScope = new WeakMap()));
  let bySettings = byScope.get(macros);
  if (!bySettings) byScope.set(macros, (bySettings = new WeakMap()));
  let set = bySettings.get(settings);
  if (!set) {
    const names = new Set([...settings.noReturn, ...macros.noReturnDeclared, ...derived]);
    // Aliases and bodies of each other, in any order (`#define fail(x) fail_(__FILE__, __LINE__, x)`
    // over a body that calls `_exit`): until nothing new.
    for (let grew = true; grew; ) {
      const before = names.size;
      for (const name of macros.aliases.keys()) if (names.has(macros.resolveAlias(name).name)) names.add(name);
      // `#define DIE(m) do { log(m); exit(1); } while (0)`: a body that always makes such a call.
      // So does one whose own top level makes it after a test (`do { if (debugger()) brk(); die(…); } while (0)`).
      for (const body of macros.bodies.values()) if (!body.returns && ((!body.conditional && body.calls.some((call) => names.has(call.callee))) || body.callsAlways?.some((callee) => names.has(callee)))) names.add(body.name);
      grew = names.size > before;
    }
    bySettings.set(settings, (set = names));
  }
  return set;
}

function buildFunctionCfg(file: SourceFile, fnIndex: number, options: CfgOptions, debug?: (m: string) => void, limit?: (m: string) => void): Cfg | null {
  const node = file.syntax.functionNodes[fnIndex];
  const fact = file.facts.functions[fnIndex];
  if (!node || !fact) return null;
  const body = node.childForFieldName('body');
  if (body && body.hasError) {
    if (mostlyErrors(file, body)) {
      debug?.(`${file.path}:${fact.line}: skipped function '${fact.qualifiedName}': its body is mostly syntax errors`);
      return null;
    }
  }
  try {
    return buildCfg(node, options);
  } catch (error) {
    if (error instanceof CfgTooDeepError || (error instanceof RangeError && /call stack/i.test(error.message))) {
      const why = error instanceof CfgTooDeepError ? `its statements nest deeper than ${error.depth} levels` : 'it nests too deeply';
      debug?.(`${file.path}:${fact.line}: skipped function '${fact.qualifiedName}': ${why}`);
      limit?.(`function '${fact.qualifiedName}' (line ${fact.line}) not analysed: ${why}`);
      return null;
    }
    throw error;
  }
}

/**
 * A location cut at the end of the text: no range a rule makes (a brace the parser made up at the
 * end of a file) may point past the last character.
 */
function withinText(location: Location, lines: LineMap): Location {
  const lastLine = lines.lineCount;
  if (location.endLine < lastLine) return location;
  const lastColumn = lines.lineText(lastLine - 1).length + 1;
  if (location.endLine === lastLine && location.endColumn <= lastColumn) return location;
  const end = { endLine: lastLine, endColumn: lastColumn };
  const startPast = location.line > lastLine || (location.line === lastLine && location.column > lastColumn);
  return { ...location, ...end, ...(startPast ? { line: lastLine, column: lastColumn } : {}) };
}
