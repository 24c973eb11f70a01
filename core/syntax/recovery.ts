import { closing, elementsOf, isSpace, isWordChar, skipComment, skipQuoted } from './c-text.js';
import { conditionalGroups, configurationLookup, evaluateCondition, evaluateDefined, type ConditionalGroup, type MacroValue, type PreprocessorConfiguration } from './conditionals.js';
import type { Language } from './language.js';
import { parseText, type SyntaxNode, type Tree } from './parser.js';

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

export function recoveryLookup(language: Language, configuration: PreprocessorConfiguration | undefined): (name: string) => MacroValue {
  const configured = configuration ? configurationLookup(configuration) : () => undefined;
  return (name) => {
    const value = configured(name);
    if (value !== undefined) return value;
    if (name === '__cplusplus') return language === 'cpp' ? 201703 : 0;
    return LINUX_GCC.get(name) ?? (OTHER_PLATFORM.test(name) ? 0 : 'defined');
  };
}

/** undefined: the tree has no errors, or no copy parses better. */
export function recoverText(language: Language, text: string, tree: Tree, configuration?: PreprocessorConfiguration): RecoveredText | undefined {
  // Without errors only C++ may need a copy (block macros it takes for nested functions).
  if (!tree.rootNode.hasError && language !== 'cpp') return undefined;
  const regions = withBlockMacroFunctions(tree.rootNode.hasError ? errorRegions(tree.rootNode, text) : [], tree.rootNode);
  if (regions.length === 0) return undefined;
  const chars = text.split('');
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
  let resolved = chars.join('');
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
  resolved = chars.join('');
  let recovered = parseText(language, resolved);
  // A region whose copy parses no better than the text goes back to the text (both configurations).
  const before = wholeFunctionsIn(tree.rootNode, spans);
  const after = wholeFunctionsIn(recovered.rootNode, spans);
  const errorsBefore = errorBytesIn(tree.rootNode, spans);
  const errorsAfter = errorBytesIn(recovered.rootNode, spans);
  let reverted = false;
  spans.forEach(([start, end], k) => {
    // Better: more whole functions, or as many with fewer bytes in error regions.
    if (rewrites[k] === 0 || after[k]! > before[k]! || (after[k] === before[k] && errorsAfter[k]! < errorsBefore[k]!)) return;
    for (let i = start; i < end; i++) chars[i] = text[i]!;
    rewrites[k] = 0;
    reverted = true;
  });
  if (reverted) {
    if (rewrites.every((n) => n === 0)) return undefined;
    resolved = chars.join('');
    recovered = parseText(language, resolved);
  }
  const whole: [number, number][] = [[0, text.length]];
  const functionsRecovered = wholeFunctionsIn(recovered.rootNode, whole)[0]! - wholeFunctionsIn(tree.rootNode, whole)[0]!;
  if (functionsRecovered < 0 || (functionsRecovered === 0 && errorBytesIn(recovered.rootNode, whole)[0]! >= errorBytesIn(tree.rootNode, whole)[0]!)) return undefined;
  const kept = regions.filter((_, k) => rewrites[k]! > 0);
  return { text: resolved, tree: recovered, regions: kept.map((r) => [r.start, r.end] as const), rewrites: rewrites.reduce((a, b) => a + b, 0), functionsRecovered };
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
      else add(child);
    }
  } else {
    visit(root, undefined);
  }
  return regions;
}

/** Bytes of error regions (outermost ERROR nodes; a missing token counts one; functions defined in function bodies) in each span. */
function errorBytesIn(root: SyntaxNode, spans: readonly (readonly [number, number])[]): number[] {
  const counts = spans.map(() => 0);
  const visit = (node: SyntaxNode): void => {
    if (!node.hasError) return;
    if (node.type === 'ERROR' || node.isMissing) {
      const size = Math.max(1, node.endIndex - node.startIndex);
      spans.forEach(([start, end], k) => {
        if (node.startIndex < end && node.endIndex >= start) counts[k]! += Math.min(size, end - start);
      });
      if (node.type === 'ERROR' && node !== root) return;
    }
    for (const child of node.children) visit(child);
  };
  visit(root);
  // A function defined inside a function body is a block macro misread (see withBlockMacroFunctions).
  for (const fn of root.descendantsOfType('function_definition')) {
    if (fn.parent?.type !== 'compound_statement') continue;
    spans.forEach(([start, end], k) => {
      if (fn.startIndex >= start && fn.endIndex <= end) counts[k]! += fn.endIndex - fn.startIndex;
    });
  }
  return counts;
}

/**
 * The C++ grammar takes `Q_FOREACH(int x, xs) { … }` in a function body for a function defined
 * there (no error, and the block is analysed as a function of its own): the function holding such
 * a definition is a region too.
 */
function withBlockMacroFunctions(regions: ErrorRegion[], root: SyntaxNode): ErrorRegion[] {
  const extra: ErrorRegion[] = [];
  for (const fn of root.descendantsOfType('function_definition')) {
    if (fn.parent?.type !== 'compound_statement') continue;
    let outer: SyntaxNode = fn;
    for (let p: SyntaxNode | null = fn.parent; p; p = p.parent) if (p.type === 'function_definition') outer = p;
    if (outer === fn || regions.some((r) => r.start <= outer.startIndex && outer.endIndex <= r.end) || extra.some((r) => r.start === outer.startIndex)) continue;
    extra.push({ start: outer.startIndex, end: outer.endIndex, bodyStart: outer.childForFieldName('body')?.startIndex ?? outer.startIndex, isFunction: true });
  }
  return extra.length === 0 ? regions : [...regions, ...extra].sort((a, b) => a.start - b.start);
}

/** Functions without errors (and not inside another function) lying in each span. */
function wholeFunctionsIn(root: SyntaxNode, spans: readonly (readonly [number, number])[]): number[] {
  const counts = spans.map(() => 0);
  const functions = root.descendantsOfType('function_definition');
  // A function holding a block macro the grammar took for a function defined inside it is not whole either.
  const holdingMisread = new Set<number>();
  for (const fn of functions) {
    if (fn.parent?.type !== 'compound_statement') continue;
    for (let p: SyntaxNode | null = fn.parent; p; p = p.parent) if (p.type === 'function_definition') holdingMisread.add(p.id);
  }
  for (const fn of functions) {
    if (fn.hasError || fn.parent?.type === 'compound_statement' || holdingMisread.has(fn.id)) continue;
    spans.forEach(([start, end], k) => {
      if (fn.startIndex >= start && fn.endIndex <= end) counts[k]!++;
    });
  }
  return counts;
}

/** Keeps the group's chosen branch; blanks its directive lines and the other branches. */
function resolveGroup(chars: string[], group: ConditionalGroup, lookup: (name: string) => MacroValue): void {
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

/** Spaces for everything but line breaks (so lines and offsets stay). */
function blank(chars: string[], start: number, end: number): void {
  for (let i = start; i < end; i++) if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = ' ';
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
function rewriteStatementMacros(text: string, chars: string[], from: number, to: number, depthAtStart: number, blockNames?: RegExp): number {
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
      chars[i] = '|';
      chars[i + 1] = '|';
      chars[i + 2] = ' ';
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
      chars.splice(i, 10, ...'volatile  ');
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
        for (let k = i; k < j; k++) chars[k] = k - i < head.length ? head[k - i]! : ' ';
        blankDeclaredTypes(text, chars, open + 1, close - 1);
        count++;
      }
    } else if (lineBreak && ((startsStatement && nextChar !== 123 && nextChar !== 40 && nextChar !== 42) || nextChar === 125) && (close > 0 || /^(?:[A-Z_][A-Z0-9_]*|__\w+)$/.test(name))) {
      // A `;` in the first blank after it (the line's end, or the next line's indentation).
      const blankAt = text.slice(end, next).search(/[ \t]/);
      if (blankAt >= 0) {
        chars[end + blankAt] = ';';
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
function blankDeclaredTypes(text: string, chars: string[], from: number, to: number): void {
  for (const [start, end] of elementsOf(text, from, to)) {
    const m = /^(\s*)((?:const\s+|volatile\s+|struct\s+)*[A-Za-z_][\w:]*(?:<[^;{}]*>)?(?:\s*[*&]+\s*|\s+))([A-Za-z_]\w*)\s*$/.exec(text.slice(start, end));
    if (!m || /^(?:return|case|sizeof|new|delete)\s/.test(m[2]!)) continue;
    const typeStart = start + m[1]!.length;
    blank(chars, typeStart, typeStart + m[2]!.length);
  }
}

/** Type arguments of the macro call whose arguments are `[from, to)`, as `0`. */
function rewriteTypeArguments(text: string, chars: string[], from: number, to: number): number {
  let count = 0;
  const elements = elementsOf(text, from, to);
  if (elements.length < 2) return 0;
  for (const [start, end] of elements) {
    const argument = text.slice(start, end);
    if (!TYPE_ARGUMENT.test(argument) || /^\s*[A-Za-z_]\w*\s*$/.test(argument)) continue;
    const at = start + argument.search(/\S/);
    chars[at] = '0';
    for (let k = at + 1; k < end; k++) if (chars[k] !== '\n') chars[k] = ' ';
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
