import { closing, elementsOf, isSpace, isWordChar, skipComment, skipQuoted, skipSpace } from './c-text.js';
import { conditionalGroups, configurationLookup, evaluateCondition, evaluateDefined, type ConditionalGroup, type MacroValue, type PreprocessorConfiguration } from './conditionals.js';
import type { Language } from './language.js';
import { parseText, type SyntaxNode, type Tree } from './parser.js';
import { LineMap } from './source-text.js';

/**
 * Functions the raw text cannot parse, analysed through a configuration-resolved copy.
 *
 * tree-sitter parses the text as it is, with the preprocessor's lines in it. Where an `#if` splits
 * a statement (`#ifdef X` `if (a) {` `#else` `if (b) {` `#endif`) or a function's head, or a block
 * macro (`LIST_FOREACH(x, head, link) {`) stands where a statement should, the function has an
 * error region the rules skip, or is not recognised as a function at all. For the parts of the
 * file with such errors (a function with errors, or a file-level error region), a copy of the text
 * is made in which one configuration is chosen: every conditional group there keeps one branch and
 * the directive lines and the other branches become spaces; block macros become `while`/`if` heads
 * of the same length, and a statement macro used without a `;` gets one in the white space after it.
 * Every byte offset and line of the copy is the original's, so positions need no mapping. The copy
 * is kept only if more functions parse whole than before.
 *
 * Which branch: the build's configuration (`defines`, a compile database) where it decides; else
 * what a Linux build with GCC would see for platform and compiler macros (`_WIN32`, `__APPLE__`
 * undefined, `__linux__`, `__GNUC__` defined); else a feature macro is taken to be defined
 * (`#ifdef HAVE_POLL` keeps its first branch, `#ifndef HAVE_POLL` its `#else`) and an undecidable
 * test (a version comparison) keeps its branch. Functions that parse as they are keep both
 * configurations (the control-flow graph correlates their `#if` blocks); a recovered one is
 * analysed in the chosen configuration only.
 */
export interface RecoveredText {
  readonly text: string;
  readonly tree: Tree;
  /** The regions resolved (functions with errors, file-level error regions), in order. */
  readonly regions: readonly (readonly [number, number])[];
  /** Conditional groups resolved and macros rewritten, in the regions kept. */
  readonly rewrites: number;
  /** Functions that parse whole in the copy and did not in the text (net). */
  readonly functionsRecovered: number;
}

/** Platform and compiler macros as a Linux build with GCC sees them (used only to pick a branch to recover). */
const LINUX_GCC: ReadonlyMap<string, number> = new Map([
  ...['__linux__', '__linux', 'linux', '__unix__', '__unix', 'unix', '__ELF__', '__STDC__', '__GNUC__', '__x86_64__', '__LP64__', '_GNU_SOURCE', '_POSIX_C_SOURCE'].map((n): [string, number] => [n, n === '__GNUC__' ? 12 : n === '_POSIX_C_SOURCE' ? 200809 : 1]),
  ['__STDC_VERSION__', 201710],
  ...[
    '_WIN32', '_WIN64', 'WIN32', 'WIN64', '_WINDOWS', '__WIN32__', '__WINDOWS__', '_MSC_VER', '__MINGW32__', '__MINGW64__', '__CYGWIN__', '_WIN32_WCE', '__APPLE__', '__MACH__', '__FreeBSD__', '__OpenBSD__', '__NetBSD__', '__DragonFly__', '__sun', '__sun__', '__SVR4', 'sun', '_AIX', '__hpux', '__HAIKU__', '__VMS', 'VMS', 'MSDOS', '__MSDOS__', '__DJGPP__', '__OS2__', '__riscos__', '__QNX__', '__QNXNTO__', '__minix', '__amigaos__', '__AMIGA__', '__SYMBIAN32__', 'NETWARE', '__NOVELL_LIBC__', '__BORLANDC__', '__WATCOMC__', '__INTEL_COMPILER', '__SUNPRO_C', '__IBMC__', '__clang__', '__ANDROID__', '__EMSCRIPTEN__', '__vxworks', '__ZEPHYR__', 'ESP_PLATFORM', '__TANDEM',
  ].map((n): [string, number] => [n, 0]),
]);

/** Any other name of another platform or compiler (`__WIN32`, `USE_WIN32_LDAP`, `HAVE_WINSOCK2_H`, `TARGET_DARWIN`): not defined on Linux. */
const OTHER_PLATFORM = /(?:^|_)(?:WIN32|WIN64|WINDOWS|WINSOCK2?|WINCE|MSC|MSVC|MINGW(?:32|64)?|CYGWIN|APPLE|DARWIN|MACOSX?|SOLARIS|SUNOS|AIX|HPUX|HAIKU|QNX|VXWORKS|AMIGA|AMIGAOS|OS2|VMS|MSDOS|DJGPP|NETWARE|SYMBIAN|FREEBSD|OPENBSD|NETBSD|DRAGONFLY)(?:_|$)/i;

/** gnulib's `REPLACE_FCHDIR`-style switches: a replacement for a function the C library lacks, which glibc has. */
const GNULIB_REPLACEMENT = /^(?:GNULIB_)?REPLACE_[A-Z0-9_]+$/;

export function recoveryLookup(language: Language, configuration: PreprocessorConfiguration | undefined): (name: string) => MacroValue {
  const configured = configuration ? configurationLookup(configuration) : () => undefined;
  return (name) => {
    const value = configured(name);
    if (value !== undefined) return value;
    if (name === '__cplusplus') return language === 'cpp' ? 201703 : 0;
    return LINUX_GCC.get(name) ?? (OTHER_PLATFORM.test(name) || GNULIB_REPLACEMENT.test(name) ? 0 : 'defined');
  };
}

/**
 * undefined: the tree has no errors, or no copy parses better. `reuseTree`: the tree is the
 * caller's to give away: it is edited and re-parsed incrementally (much cheaper than a fresh parse)
 * and must not be used afterwards.
 */
export function recoverText(language: Language, text: string, originalTree: Tree, configuration?: PreprocessorConfiguration, reuseTree = false): RecoveredText | undefined {
  let tree = originalTree;
  // Without errors only C++ may need a copy (block macros it takes for nested functions).
  if (!tree.rootNode.hasError && language !== 'cpp') return undefined;
  // A tree that is not ours may come from incremental parses (an editor's): error recovery can
  // shape its errors differently from a fresh parse, and the copy must be the CLI's.
  if (!reuseTree && tree.rootNode.hasError) tree = parseText(language, text);
  // The raw tree's functions and errors, read only when there is something to compare (the walk costs).
  let rawStatsRead: TreeStats | undefined;
  const rawStats = (): TreeStats => (rawStatsRead ??= treeStats(tree.rootNode));
  if (language === 'cpp' && !tree.rootNode.hasError && rawStats().nested.length === 0) return undefined;
  // Only regions where a function is (or may be, behind the errors) matter: the rules analyse functions.
  const errors = tree.rootNode.hasError ? errorRegions(tree.rootNode, text).filter((r) => r.isFunction || holdsFunctionHead(text, r.start, r.end)) : [];
  const regions = language === 'cpp' ? withBlockMacroFunctions(errors, tree.rootNode, rawStats()) : errors;
  if (regions.length === 0) return undefined;
  const chars = codesOf(text);
  const lookup = recoveryLookup(language, configuration);
  // What each region rewrote: its own lines and the groups it resolved (which may reach beyond).
  const spans = regions.map((r): [number, number] => [r.start, r.end]);
  const rewrites = regions.map(() => 0);
  for (const group of conditionalGroups(text)) {
    const touching = regions.flatMap(({ start, end }, k) => (group.start < end && group.end > start && !(group.start < start && group.end > end) ? [k] : []));
    if (touching.length === 0) continue;
    resolveGroup(chars, group, lookup);
    for (const k of touching) {
      spans[k] = [Math.min(spans[k]![0], group.start), Math.max(spans[k]![1], group.end)];
      rewrites[k]!++;
    }
  }
  let resolved = textOf(chars);
  const depths = braceDepths(resolved, regions.map((r) => r.start));
  regions.forEach((region, k) => {
    // A "function" that starts inside braces is one the grammar made of a broken function's pieces.
    const isFunction = region.isFunction && depths[k] === 0;
    // Outside a known function body C++ has constructors (`Conn(int fd) {`), which look like block
    // macros: there only macro-like names (`Q_FOREACH`, `list_for_each`) are taken for them.
    const blockNames = language === 'cpp' && !isFunction ? CPP_BLOCK_MACRO : undefined;
    rewrites[k]! += rewriteStatementMacros(resolved, chars, isFunction ? region.bodyStart : region.start, region.end, depths[k]!, blockNames);
  });
  if (rewrites.every((n) => n === 0)) return undefined;
  resolved = textOf(chars);
  const lines = new LineMap(text);
  // Read before the re-parse edits the tree.
  const before = spanScores(treeStats(tree.rootNode, lines, spans), spans);
  // Edited from the text's tree, so unchanged regions keep their nodes (and parse no differently).
  let recovered = reparse(language, text, resolved, reuseTree || tree !== originalTree ? tree : parseText(language, text));
  // A region whose copy parses no better than the text goes back to the text (both configurations).
  let after = spanScores(treeStats(recovered.rootNode, lines, spans), spans);
  let reverted = false;
  spans.forEach(([start, end], k) => {
    // Better: more whole functions, or as many with fewer bytes in error regions.
    if (rewrites[k] === 0 || after.whole[k]! > before.whole[k]! || (after.whole[k] === before.whole[k] && after.errorBytes[k]! < before.errorBytes[k]!)) return;
    chars.set(codesOf(text.slice(start, end)), start);
    rewrites[k] = 0;
    reverted = true;
  });
  if (reverted) {
    if (rewrites.every((n) => n === 0)) return undefined;
    const previous = resolved;
    resolved = textOf(chars);
    recovered = reparse(language, previous, resolved, recovered);
    after = spanScores(treeStats(recovered.rootNode, lines, spans), spans);
  }
  // Outside the regions kept the copy is the text (and its tree the text's).
  const kept = spans.flatMap((_, k) => (rewrites[k]! > 0 ? [k] : []));
  const sum = (values: number[]) => kept.reduce((total, k) => total + values[k]!, 0);
  const functionsRecovered = sum(after.whole) - sum(before.whole);
  if (functionsRecovered < 0 || (functionsRecovered === 0 && sum(after.errorBytes) >= sum(before.errorBytes))) return undefined;
  return { text: resolved, tree: recovered, regions: kept.map((k) => [regions[k]!.start, regions[k]!.end] as const), rewrites: rewrites.reduce((a, b) => a + b, 0), functionsRecovered };
}

/**
 * Whether [start, end) holds a function's head: a `)` then, past white space, comments and
 * directive lines, a `{` (a file-level error region may hide a function). A scan, not a regular
 * expression: nested repetitions over comments backtrack without end on a data table.
 */
function holdsFunctionHead(text: string, start: number, end: number): boolean {
  for (let i = text.indexOf(')', start); i >= 0 && i < end; i = text.indexOf(')', i + 1)) {
    let j = i + 1;
    for (;;) {
      j = skipSpace(text, j, end);
      if (text.charCodeAt(j) !== 35 /* # */) break;
      const nl = text.indexOf('\n', j);
      j = nl < 0 ? end : nl;
    }
    if (text.charCodeAt(j) === 123 /* { */) return true;
  }
  return false;
}

interface ErrorRegion {
  /** Whole lines. */
  readonly start: number;
  readonly end: number;
  /** Where statements start: a function's body, or the region itself. */
  readonly bodyStart: number;
  readonly isFunction: boolean;
}

/** Nodes whose children are top-level items (declarations, functions): an error is confined to its item. */
const CONTAINERS = new Set(['translation_unit', 'preproc_if', 'preproc_ifdef', 'preproc_else', 'preproc_elif', 'preproc_elifdef', 'linkage_specification', 'declaration_list']);
/** Complete top-level items: in a file whose root is an error, these (without errors) are not part of it. */
const ITEMS = new Set(['comment', 'declaration', 'function_definition', 'type_definition', 'linkage_specification', 'namespace_definition', 'template_declaration', 'class_specifier', 'struct_specifier', 'union_specifier', 'enum_specifier', ';', ...[...CONTAINERS].filter((t) => t.startsWith('preproc_')), 'preproc_def', 'preproc_function_def', 'preproc_include', 'preproc_call']);

/** A child of a root that is an error node which is no complete item: part of the error. */
function isDebris(child: SyntaxNode): boolean {
  return !(ITEMS.has(child.type) && !child.hasError) && child.type !== 'function_definition' && !CONTAINERS.has(child.type);
}

/**
 * Functions with errors, and file-level items with errors (whole lines; an error node directly in
 * the file is its own item), in order; neighbouring file-level ones merged. When tree-sitter could
 * not make a translation unit at all, the root is an error node holding the file's items and the
 * debris between them: the debris are the regions.
 */
function errorRegions(root: SyntaxNode, text: string): ErrorRegion[] {
  const regions: ErrorRegion[] = [];
  const add = (node: SyntaxNode): void => {
    const start = text.lastIndexOf('\n', node.startIndex - 1) + 1;
    const nl = text.indexOf('\n', Math.max(node.endIndex - 1, node.startIndex));
    const end = nl < 0 ? text.length : nl;
    const last = regions.at(-1);
    if (last && !last.isFunction && (last.end >= start || /^\s*$/.test(text.slice(last.end, start)))) regions[regions.length - 1] = { ...last, end: Math.max(last.end, end) };
    else regions.push({ start, end, bodyStart: start, isFunction: false });
  };
  const visit = (node: SyntaxNode, item: SyntaxNode | undefined): void => {
    if (!node.hasError) return;
    if (node.type === 'function_definition') {
      const body = node.childForFieldName('body');
      regions.push({ start: node.startIndex, end: node.endIndex, bodyStart: body?.startIndex ?? node.startIndex, isFunction: true });
      return;
    }
    if (node.type === 'ERROR' || node.isMissing) {
      add(item ?? node);
      return;
    }
    const container = CONTAINERS.has(node.type);
    for (const child of node.children) visit(child, container ? undefined : item ?? node);
  };
  if (root.type === 'ERROR') {
    for (const child of root.children) {
      if (ITEMS.has(child.type) && !child.hasError) continue;
      if (child.type === 'function_definition' || CONTAINERS.has(child.type)) visit(child, undefined);
      else if (isDebris(child)) add(child);
    }
  } else {
    visit(root, undefined);
  }
  return regions;
}

/**
 * What decides whether a copy parses better, read once per tree: its functions (whole or not, and
 * whether a block macro misread as a nested function definition sits in them) and its outermost
 * error regions. Native walks only (`descendantsOfType`); nesting comes from ranges in document
 * order, not from `parent` (a walk down from the root per call).
 */
interface TreeStats {
  /** Top-level functions (not inside another function): [start, end, whole]. */
  readonly functions: readonly (readonly [number, number, boolean])[];
  /** Functions defined inside another function's body: [start, end, outermost function's start]. */
  readonly nested: readonly (readonly [number, number, number])[];
  /** Outermost ERROR regions: [start, end]. */
  readonly errors: readonly (readonly [number, number])[];
}

function treeStats(root: SyntaxNode, lines?: LineMap, spans?: readonly (readonly [number, number])[]): TreeStats {
  const functions: [number, number, boolean][] = [];
  const nested: [number, number, number][] = [];
  const errors: [number, number][] = [];
  let outer: [number, number, boolean] | undefined;
  let coveredTo = -1;
  const types = root.hasError ? ['function_definition', 'ERROR'] : ['function_definition'];
  const point = (offset: number) => {
    const row = lines!.lineOf(offset);
    return { row, column: offset - lines!.offsetOf(row, 0) };
  };
  // One native walk for both (in document order, outer before inner), over the spans only if given.
  const nodes = spans && lines ? mergedSpans(spans).flatMap(([start, end]) => root.descendantsOfType(types, point(start), point(end))) : root.descendantsOfType(types);
  for (const node of nodes) {
    const start = node.startIndex;
    const end = node.endIndex;
    if (node.type === 'ERROR') {
      // The root itself when the grammar made no translation unit: its error children count, not it.
      if (start < coveredTo || (start === root.startIndex && end === root.endIndex)) continue;
      errors.push([start, end]);
      coveredTo = end;
      continue;
    }
    if (outer && start >= outer[0] && end <= outer[1]) {
      nested.push([start, end, outer[0]]);
      outer[2] = false;
      continue;
    }
    // Whole: its body parses (an error in its head, such as an unknown macro before the type, leaves the body analysed).
    outer = [start, end, !node.hasError || node.childForFieldName("body")?.hasError === false];
    functions.push(outer);
  }
  // When the grammar made no translation unit, the root's debris are the error regions too.
  if (root.type === 'ERROR') {
    for (const child of root.children) if (isDebris(child)) errors.push([child.startIndex, child.endIndex]);
    errors.sort((a, b) => a[0] - b[0]);
  }
  return { functions, nested, errors };
}

/** Spans sorted and overlapping ones joined. */
function mergedSpans(spans: readonly (readonly [number, number])[]): [number, number][] {
  const merged: [number, number][] = [];
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** Per span: whole functions in it, and bytes in error regions (misread nested functions included). */
function spanScores(stats: TreeStats, spans: readonly (readonly [number, number])[]): { whole: number[]; errorBytes: number[] } {
  return {
    whole: spans.map(([start, end]) => stats.functions.filter(([s, e, whole]) => whole && s >= start && e <= end).length),
    errorBytes: spans.map(([start, end]) => {
      let bytes = 0;
      for (const [s, e] of stats.errors) if (s < end && e >= start) bytes += Math.max(1, Math.min(e, end) - Math.max(s, start));
      for (const [s, e] of stats.nested) if (s >= start && e <= end) bytes += e - s;
      return bytes;
    }),
  };
}

/**
 * The C++ grammar takes `Q_FOREACH(int x, xs) { … }` in a function body for a function defined
 * there (no error, and the block is analysed as a function of its own): the function holding such
 * a definition is a region too.
 */
function withBlockMacroFunctions(regions: ErrorRegion[], root: SyntaxNode, stats: TreeStats): ErrorRegion[] {
  const extra: ErrorRegion[] = [];
  for (const [, , outerStart] of stats.nested) {
    const outer = stats.functions.find(([s]) => s === outerStart)!;
    if (regions.some((r) => r.start <= outer[0] && outer[1] <= r.end) || extra.some((r) => r.start === outer[0])) continue;
    extra.push({ start: outer[0], end: outer[1], bodyStart: bodyStartOf(root, outer[0], outer[1]) ?? outer[0], isFunction: true });
  }
  return extra.length === 0 ? regions : [...regions, ...extra].sort((a, b) => a.start - b.start);
}

/** The body of the function definition spanning exactly [start, end). */
function bodyStartOf(root: SyntaxNode, start: number, end: number): number | undefined {
  const fn = root.descendantsOfType('function_definition').find((f) => f.startIndex === start && f.endIndex === end);
  return fn?.childForFieldName('body')?.startIndex;
}

/** Keeps the group's chosen branch; blanks its directive lines and the other branches. */
function resolveGroup(chars: Uint16Array, group: ConditionalGroup, lookup: (name: string) => MacroValue): void {
  let chosen = -1;
  group.branches.forEach(({ directive }, i) => {
    if (chosen >= 0) return;
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
function codesOf(text: string): Uint16Array {
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return codes;
}

const UTF16 = new TextDecoder('utf-16le');

function textOf(codes: Uint16Array): string {
  return UTF16.decode(codes);
}

/** `replacement` written over the same number of characters at `at`. */
function write(chars: Uint16Array, at: number, replacement: string): void {
  for (let k = 0; k < replacement.length; k++) chars[at + k] = replacement.charCodeAt(k);
}

/** Spaces for everything but line breaks (so lines and offsets stay). */
function blank(chars: Uint16Array, start: number, end: number): void {
  for (let i = start; i < end; i++) if (chars[i] !== 10 && chars[i] !== 13) chars[i] = 32;
}

const KEYWORDS = new Set([
  'if', 'while', 'for', 'switch', 'return', 'sizeof', 'do', 'case', 'default', 'catch', 'else', 'typeof', '__typeof__', '__attribute__', 'alignof', '_Alignof', 'offsetof', 'decltype', 'static_assert', '_Static_assert', 'defined', 'new', 'delete', 'throw', 'goto', 'break', 'continue', 'asm', '__asm__', '__asm', 'co_await', 'co_return', 'co_yield', 'operator', 'template', 'noexcept', 'requires', 'try',
  'int', 'char', 'short', 'long', 'unsigned', 'signed', 'float', 'double', 'void', 'bool', '_Bool', 'const', 'volatile', 'static', 'extern', 'register', 'auto', 'inline', 'struct', 'union', 'enum', 'typedef', 'class', 'public', 'private', 'protected', 'virtual', 'using', 'namespace',
]);
/** Keywords that may come before an attribute in a declaration (`static THREAD_LOCAL int x`). */
const DECLARATION_WORDS = new Set(['int', 'char', 'short', 'long', 'unsigned', 'signed', 'float', 'double', 'void', 'bool', '_Bool', 'const', 'volatile', 'static', 'extern', 'register', 'auto', 'inline']);
/** Names that read as macros standing for attributes or qualifiers: `THREAD_LOCAL`, `__maybe_unused`, `FAR`. */
const ATTRIBUTE_LIKE = /^(?:__[A-Za-z]\w*|[A-Z][A-Z0-9_]*[A-Z0-9])$/;
/** Block macro names that are no C++ class's: all capitals, or lower case with an iterating word. */
const CPP_BLOCK_MACRO = /^(?:[A-Z][A-Z0-9_]*|[a-z][a-z0-9_]*(?:each|iter|loop|for|walk|scan|range)[a-z0-9_]*)$/;
/** Names of block macros that iterate (`LIST_FOREACH`, `list_for_each_entry`, `hash_iter`). */
const ITERATING = /each|iter|loop|for|walk|scan|range/i;
/** Longer arguments are no types (and are not given to the patterns below). */
const MAX_TYPE_TEXT = 200;
/** A macro argument that is a type (`struct x *`, `char *`, `Proto *`): no expression looks like it. */
const TYPE_ARGUMENT = /^\s*(?:(?:const|volatile|struct|union|enum|unsigned|signed)\s+)*(?:[A-Za-z_]\w*\s*(?:\*\s*)+|(?:struct|union|enum)\s+[A-Za-z_]\w*\s*(?:\*\s*)*|(?:unsigned|signed|char|short|int|long|float|double|void)(?:\s+(?:char|short|int|long|double))*\s*(?:\*\s*)*)$/;

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
function rewriteStatementMacros(text: string, chars: Uint16Array, from: number, to: number, depthAtStart: number, blockNames?: RegExp): number {
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
    if (ch === 35 /* # */ && /^\s*$/.test(text.slice(text.lastIndexOf('\n', i - 1) + 1, i))) {
      // A directive line: not code.
      let nl = text.indexOf('\n', i);
      while (nl > 0 && text.charCodeAt(nl - 1) === 92) nl = text.indexOf('\n', nl + 1);
      i = nl < 0 ? to : nl;
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
    const open = skipSpaceAndComments(text, j, to);
    const isCall = text.charCodeAt(open) === 40 /* ( */ && !KEYWORDS.has(name);
    const close = isCall ? closing(text, open, to) : -1;
    if (ATTRIBUTE_LIKE.test(name) && !KEYWORDS.has(name) && (!isCall || close > 0)) {
      const end = close > 0 ? close : j;
      const next = skipSpaceAndComments(text, end, to);
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
    const next = skipSpaceAndComments(text, end, to);
    const nextChar = text.charCodeAt(next);
    const lineBreak = text.slice(end, next).includes('\n');
    const startsStatement = nextChar === 123 || (isWordChar(nextChar) && !(nextChar >= 48 && nextChar <= 57)) || nextChar === 42 || nextChar === 40;
    if (close > 0 && (nextChar === 123 || (lineBreak && startsStatement && ITERATING.test(name))) && (!blockNames || blockNames.test(name))) {
      const head = name.length >= 5 ? 'while' : name.length >= 2 ? 'if' : undefined;
      if (head) {
        write(chars, i, head.padEnd(j - i));
        blankDeclaredTypes(text, chars, open + 1, close - 1);
        count++;
      }
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
function braceDepths(text: string, offsets: readonly number[]): number[] {
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

function skipSpaceAndComments(text: string, i: number, end: number): number {
  while (i < end) {
    const ch = text.charCodeAt(i);
    if (isSpace(ch)) i++;
    else if (ch === 47 && (text.charCodeAt(i + 1) === 47 || text.charCodeAt(i + 1) === 42)) i = skipComment(text, i, end) + 1;
    else break;
  }
  return i;
}

/**
 * The tree of `next`, a copy of `previous` (same length and line breaks) whose tree is `tree`
 * (edited, so not usable afterwards): incrementally, each changed stretch an edit.
 */
const MAX_TREE_EDITS = 32;

function reparse(language: Language, previous: string, next: string, tree: Tree): Tree {
  const lines = new LineMap(next);
  const positionOf = (offset: number) => {
    const row = lines.lineOf(offset);
    return { row, column: offset - lines.offsetOf(row, 0) };
  };
  // Changed stretches (closer than a line apart: one), each an edit of the tree. Each edit walks
  // the tree, so past a few dozen they are one edit from the first change to the last.
  const stretches: [number, number][] = [];
  const n = next.length;
  for (let i = 0; i < n; i++) {
    if (previous.charCodeAt(i) === next.charCodeAt(i)) continue;
    let end = i + 1;
    for (let j = end; j < n && j < end + 80; j++) if (previous.charCodeAt(j) !== next.charCodeAt(j)) end = j + 1;
    stretches.push([i, end]);
    i = end - 1;
  }
  if (stretches.length === 0) return tree;
  const edits = stretches.length > MAX_TREE_EDITS ? [[stretches[0]![0], stretches.at(-1)![1]] as [number, number]] : stretches;
  for (const [start, end] of edits) {
    const startPosition = positionOf(start);
    const endPosition = positionOf(end);
    tree.edit({ startIndex: start, oldEndIndex: end, newEndIndex: end, startPosition, oldEndPosition: endPosition, newEndPosition: endPosition });
  }
  return parseText(language, next, tree);
}
