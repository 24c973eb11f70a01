/**
 * What a project's build files say of its configuration switches: every name they mention (the
 * build may set it), and for Autoconf and CMake the names an option defines only by its default
 * (off: `AC_ARG_ENABLE(unixdomain …)` then `if $use_unixdomain; then AC_DEFINE([WANT_UNIX])`;
 * on: `option(WITH_METRICS … ON)` then `if (WITH_METRICS) add_definitions(-DMETRICS_EXPORT)`).
 * Read by unset-switches.ts, which weighs them against what the sources test and define.
 */

/** All-capitals names of three characters or more: the shape of macro names. */
export const CAPITALS = /\b[A-Z][A-Z0-9_]{2,}\b/g;

export interface BuildFile {
  /** The file's name (configure.ac, CMakeLists.txt, config.h.in …). */
  readonly name: string;
  readonly text: string;
}

/**
 * The names the build files may set: every all-capitals name they mention, but for an Autoconf
 * project the ones `configure.ac` defines only where an option's default leaves them out
 * (`AC_ARG_ENABLE(unixdomain, …)`, `case "$enable_unixdomain" in … '') use_unixdomain=false`,
 * `if $use_unixdomain; then AC_DEFINE([WANT_UNIX]) fi`): a default build leaves those unset. What
 * configure.ac generates (`configure`, `Makefile.in`, the `config.h.in` template) mentions every
 * name it defines, so there those names do not count. Names only an option's default defines
 * (`'') use_omni=true` … `AC_DEFINE([WANT_MIGRATION])`) are defined in a default build.
 */
export function namesBuildMaySet(files: readonly BuildFile[]): BuildKnowledge {
  const autoconf = files.filter((f) => AUTOCONF_INPUT.test(f.name));
  const off = new Set<string>();
  const on = new Set<string>();
  const mentioned = new Set<string>();
  // CMake's `option(NAME "…" OFF)` is read across its files (an option declared in one, tested in another).
  const cmakeOptions = new Map<string, boolean>();
  for (const file of files) if (CMAKE_FILE.test(file.name)) for (const [name, value] of cmakeOptionsIn(file.text)) cmakeOptions.set(name, value);
  const decided = [
    ...autoconf.map((file) => autoconfNames(file.text)),
    ...files.filter((f) => CMAKE_FILE.test(f.name)).map((file) => cmakeNames(file.text, cmakeOptions)),
  ];
  for (const names of decided) {
    for (const name of names.off) off.add(name);
    for (const name of names.on) on.add(name);
    for (const name of names.elsewhere) mentioned.add(name);
  }
  // Defined by one option's default and left out by another's: not decided here.
  for (const name of [...off]) if (mentioned.has(name) || on.has(name)) off.delete(name);
  for (const name of [...on]) if (mentioned.has(name)) on.delete(name);
  for (const file of files) {
    if (AUTOCONF_INPUT.test(file.name) || CMAKE_FILE.test(file.name)) continue;
    const generated = autoconf.length > 0 && AUTOCONF_OUTPUT.test(file.name);
    // Automake's `if DCE` … `endif` tests its conditional, not a C macro.
    const text = AUTOMAKE_INPUT.test(file.name) ? file.text.replace(AUTOMAKE_CONDITIONAL_LINE, '') : file.text;
    for (const name of namesIn(text)) if (!generated || (!off.has(name) && !on.has(name))) mentioned.add(name);
  }
  for (const name of on) mentioned.add(name);
  return { mentioned, onByDefault: on };
}

export interface BuildKnowledge {
  /** Names the build may set. */
  readonly mentioned: ReadonlySet<string>;
  /** Names configure.ac defines by default (an option's default reaches its only AC_DEFINE): defined in a default build. */
  readonly onByDefault: ReadonlySet<string>;
}

const AUTOCONF_INPUT = /^configure\.(?:ac|in)$/;
const AUTOMAKE_INPUT = /^(?:Makefile\.am|[\w.+-]+\.am)$/;
const AUTOMAKE_CONDITIONAL_LINE = /^[ \t]*(?:if|else|endif)(?:[ \t]+!?\w+)?[ \t]*$/gm;
const CMAKE_FILE = /^(?:CMakeLists\.txt|[\w.+-]+\.cmake)$/;
const CMAKE_OPTION = /\boption\s*\(\s*([A-Za-z_]\w*)\s+"[^"]*"\s*(ON|OFF|TRUE|FALSE|YES|NO|[01])?\s*\)/gi;
/** `add_definitions(-DX)`, `add_compile_definitions(X=1)`, `target_compile_definitions(t PRIVATE X)`: the definitions a command makes. */
const CMAKE_DEFINITION = /\b(add_definitions|add_compile_definitions|target_compile_definitions)\s*\(([^)]*)\)/gi;

/** `option(NAME "doc" OFF)`: its default (off when not given). */
function cmakeOptionsIn(text: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const m of text.replace(/#.*$/gm, '').matchAll(CMAKE_OPTION)) out.set(m[1]!, /^(?:ON|TRUE|YES|1)$/i.test(m[2] ?? 'OFF'));
  return out;
}

/**
 * Names a CMake file defines only under `if (OPTION)` / `if (NOT OPTION)` of options with a known
 * default (off when its default does not reach the definition, on when it does), and every other
 * name it mentions.
 */
function cmakeNames(text: string, options: ReadonlyMap<string, boolean>): { off: Set<string>; on: Set<string>; elsewhere: Set<string> } {
  const code = text.replace(/#.*$/gm, '');
  const off = new Set<string>();
  const on = new Set<string>();
  const decided = new Set<string>();
  // The stack of open `if`s: each one's value under the defaults (undefined: not decided here), flipped at `else()`.
  const stack: (boolean | undefined)[] = [];
  const events = [...code.matchAll(/\b(if|elseif|else|endif)\s*\(([^)]*)\)|\b(?:add_definitions|add_compile_definitions|target_compile_definitions)\s*\([^)]*\)/gi)];
  for (const m of events) {
    const word = m[1]?.toLowerCase();
    if (word === 'if') stack.push(cmakeCondition(m[2]!, options));
    else if (word === 'elseif') stack[stack.length - 1] = undefined;
    else if (word === 'else') stack[stack.length - 1] = stack.at(-1) === undefined ? undefined : !stack.at(-1);
    else if (word === 'endif') stack.pop();
    else {
      const definition = /\(([^)]*)\)/.exec(m[0])![1]!;
      const names = [...definition.matchAll(/(?:^|[\s"])(?:-D)?([A-Z][A-Z0-9_]*)(?:=[^\s")]*)?(?=[\s")]|$)/g)].map((n) => n[1]!).filter((n) => !/^(?:PRIVATE|PUBLIC|INTERFACE)$/.test(n));
      const value = stack.length === 0 ? undefined : stack.some((v) => v === false) ? false : stack.every((v) => v === true) ? true : undefined;
      for (const name of names) {
        if (value === undefined) continue;
        (value ? on : off).add(name);
        decided.add(name);
      }
    }
  }
  const elsewhere = new Set(namesIn(code.replace(CMAKE_DEFINITION, (whole, _command, args: string) => (namesIn(args).some((n) => decided.has(n)) ? '' : whole))));
  return { off, on, elsewhere };
}

/** `NAME`, `${NAME}`, `NOT NAME` for an option: its default value. */
function cmakeCondition(condition: string, options: ReadonlyMap<string, boolean>): boolean | undefined {
  const m = /^\s*(NOT\s+)?(?:\$\{)?([A-Za-z_]\w*)\}?\s*$/i.exec(condition);
  if (!m) return undefined;
  const value = options.get(m[2]!);
  return value === undefined ? undefined : m[1] ? !value : value;
}
const AUTOCONF_OUTPUT = /^(?:configure|Makefile\.in|[\w.+-]+\.h\.in)$/;
/** Each `AC_ARG_ENABLE(` / `AC_ARG_WITH(` opens a section of configure.ac, to the next one. */
const OPTION_START = /\bAC_ARG_(ENABLE|WITH)\s*\(\s*\[?([\w-]+)/g;
const DEFINITION = /\bAC_DEFINE(?:_UNQUOTED)?\s*\(\s*\[?\s*([A-Z][A-Z0-9_]*)/g;

/** Names configure.ac defines where an option's default does not reach (off) or does (on), and every other name it mentions. */
function autoconfNames(text: string): { off: Set<string>; on: Set<string>; elsewhere: Set<string> } {
  // An Automake conditional (`AM_CONDITIONAL(DCE, …)`) names no C macro, though it often shares one's name.
  const code = text.replace(/^[ \t]*(?:dnl\b|#).*$/gm, '').replace(/\bAM_CONDITIONAL\s*\(\s*\[?\w+\]?\s*,/g, 'AM_CONDITIONAL(');
  const starts = [...code.matchAll(OPTION_START)];
  const off = new Set<string>();
  const on = new Set<string>();
  const elsewhere = new Set<string>();
  const bounds = [0, ...starts.map((m) => m.index!), code.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const section = code.slice(bounds[i], bounds[i + 1]);
    const option = i > 0 ? starts[i - 1]! : undefined;
    const values = option ? defaultValues(section, `${option[1] === 'ENABLE' ? 'enable' : 'with'}_${option[2]!.replace(/-/g, '_')}`) : undefined;
    const decided = new Set<string>();
    if (values) {
      for (const m of section.matchAll(DEFINITION)) {
        const reached = guardValue(section, m.index!, values);
        if (reached === undefined) continue;
        (reached ? on : off).add(m[1]!);
        decided.add(m[1]!);
      }
    }
    for (const name of namesIn(section)) if (!decided.has(name)) elsewhere.add(name);
  }
  return { off, on, elsewhere };
}

/**
 * The shell variables an option section sets when the option is not given: the option's own
 * (`enable_x`: empty, or what AC_ARG_ENABLE's fourth argument assigns) and those the `case` arm
 * for that value assigns (`'') use_x=false ;;`).
 */
function defaultValues(section: string, variable: string): Map<string, string> {
  const values = new Map<string, string>();
  const notGiven = new RegExp(`\\b${variable}=\\[?["']?(\\w*)`).exec(section.slice(0, section.indexOf(')', section.indexOf(')') + 1) + 400));
  const own = notGiven?.[1] ?? '';
  values.set(variable, own);
  const caseOf = new RegExp(`\\bcase\\s+"?\\$\\{?${variable}\\}?"?\\s+in([^]*?)\\besac\\b`).exec(section);
  if (caseOf) {
    for (const arm of caseOf[1]!.split(';;')) {
      const m = /^\s*\(?\s*([^)]*)\)([^]*)$/.exec(arm);
      if (!m) continue;
      const patterns = m[1]!.split('|').map((p) => p.trim().replace(/^(['"])(.*)\1$/, '$2'));
      if (!patterns.includes(own) && !(own === '' && patterns.includes('""'))) continue;
      for (const a of m[2]!.matchAll(/(?:^|[\s;])([a-z_]\w*)=["']?(\w*)/g)) values.set(a[1]!, a[2]!);
      break;
    }
  }
  return values;
}

/**
 * What the innermost `if` (or `AS_IF`) around `offset` decides with the option's default values:
 * false when the definition is not reached, undefined when its test is not one read here.
 */
function guardValue(section: string, offset: number, values: ReadonlyMap<string, string>): boolean | undefined {
  const before = section.slice(0, offset);
  // The innermost `if` still open at `offset`, and whether an `else` of it came since.
  const tokens = [...before.matchAll(/(?:^|[\s;])(if|fi|else|elif)\b/g)];
  let depth = 0;
  let sawElse = false;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const word = tokens[i]![1];
    if (word === 'fi') depth++;
    else if (word === 'else' || word === 'elif') {
      if (depth === 0) sawElse = true;
      if (word === 'elif' && depth === 0) return undefined;
    } else if (depth > 0) depth--;
    else {
      // Inside a macro's argument in the branch (`PKG_CHECK_MODULES(…, [AC_DEFINE(…)])`): what configure finds decides.
      if (parenDepth(before.slice(tokens[i]!.index!)) !== 0) return undefined;
      const condition = /^\s*if\s+([^\n;]*?)\s*(?:;\s*then|\n\s*then|$)/m.exec(before.slice(tokens[i]!.index! + tokens[i]![0].indexOf('if')))?.[1];
      const value = condition === undefined ? undefined : testValue(condition, values);
      return value === undefined ? undefined : sawElse ? !value : value;
    }
  }
  const asIf = before.lastIndexOf('AS_IF(');
  if (asIf >= 0 && !closes(section, asIf + 5, offset) && parenDepth(before.slice(asIf)) === 1) {
    const condition = /^AS_IF\(\s*\[([^\]]*)\]\s*,/.exec(section.slice(asIf))?.[1];
    return condition === undefined ? undefined : testValue(condition, values);
  }
  return undefined;
}

/** Parentheses opened and not closed in `text`. */
function parenDepth(text: string): number {
  let depth = 0;
  for (const c of text) if (c === '(') depth++;
  else if (c === ')') depth--;
  return depth;
}

/** Does the parenthesis at `open` close before `offset`? */
function closes(text: string, open: number, offset: number): boolean {
  let depth = 0;
  for (let i = open; i < offset; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return true;
  }
  return false;
}

/** `$use_x` (true/false), `test "x$enable_x" = "xyes"`, `test "$x" != no`: its value, else undefined. */
function testValue(condition: string, values: ReadonlyMap<string, string>): boolean | undefined {
  const command = /^\$\{?(\w+)\}?$/.exec(condition.trim());
  if (command) {
    const value = values.get(command[1]!);
    return value === 'true' ? true : value === 'false' ? false : undefined;
  }
  const test = /^(?:test|\[)\s+"?(x?)\$\{?(\w+)\}?"?\s*(!?=)\s*"?(x?)(\w*)"?\s*\]?$/.exec(condition.trim());
  if (!test || test[1] !== test[4]) return undefined;
  const value = values.get(test[2]!);
  if (value === undefined) return undefined;
  return (value === test[5]) === (test[3] === '=');
}

/** The all-capitals names of a build file, and those after `-D` (`-DWANT_X`, `/DWANT_X`). */
function namesIn(text: string): string[] {
  return unique([...(text.match(CAPITALS) ?? []), ...[...text.matchAll(/[-/]D([A-Z][A-Z0-9_]{2,})\b/g)].map((m) => m[1]!)]);
}

export function unique(names: readonly string[] | null): string[] {
  return names ? [...new Set(names)] : [];
}
