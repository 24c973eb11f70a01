import type { AcquireFunction, HandleKind } from '../catalog/posix.js';
import { escapeRegExp } from '../../core/util/regexp.js';
import { GNU_ATTRIBUTE } from '../../core/syntax/gnu-attributes.js';
import { nodeRange, nodeText, type Cfg, type CfgEdge, type CfgNode } from '../../core/flow/cfg.js';
import { perObject } from '../../core/util/memo.js';
import { solveTypestate } from '../../core/flow/typestate.js';
import type { CallFact, FunctionFact } from '../../core/project/facts.js';
import { callGraphOf } from '../../core/project/call-graph.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import type { ProjectIndex } from '../../core/project/project-index.js';
import type { MacroScope } from '../../core/project/macro-table.js';
import { resourcesOf, type ResourceCatalog } from './resources.js';
import { destructorReleasesProvider } from './destructor-releases.js';
import { checkWrappersProvider, withCheckWrappers } from './check-wrappers.js';
import { keptReturnsProvider } from './kept-returns.js';
import { lockingParamsProvider, takesLock } from './lock-wrappers.js';
import { shadowedRanges } from './scope.js';
import { allocatedHolder, freedHere } from './allocated-holders.js';
import { fillersCalledFrom, pairFillersProvider } from './pair-fillers.js';
import { successTakersProvider } from './success-takers.js';
import { closeAllFunctionsProvider } from './close-all-functions.js';
import { borrowedParamsProvider, cleanupMacrosProvider, invalidMacrosProvider } from './summaries.js';
import type { FileAnalysis } from '../../core/engine/settings.js';
import { callArguments, calleeName, comparisonWithCall, contains, inExclusiveBranches, resultVariable, squeeze, unwrap, walkMentioning } from '../../core/syntax/nodes.js';
import { castsArg, discardsArg, encodesArg, encodesValidArg, subscriptsResolved, substituteMacroArgs } from '../../core/project/macros.js';
import type { MacroBody, MacroExpression } from '../../core/project/facts.js';
import { flagValidity, nextAssignment, validityFlags } from './validity-flags.js';
import { blockMacroHead } from '../../core/syntax/block-macros.js';
import { blankComments, closing, NULL_POINTER_BASE, splitTopLevel } from '../../core/syntax/c-text.js';
import { caseValidity, comparisonFailure, descriptorFlagCall, fcntlFailure, impliedValidity, impliesNegative, type HandleShape } from './validity.js';
import { CLOSE_ALL_FUNCTIONS, DESCRIPTOR_TYPE_NAMES, INVALID_DESCRIPTOR_CONSTANTS, NULL_CONSTANTS } from '../catalog/posix.js';

/**
 * Ownership typestate of one acquired handle along a function: unset, invalid (the acquire failed),
 * owned (open and ours to close), or gone (closed, or ownership handed to someone else: returned,
 * stored in a field/global/array/out-parameter, passed to a function that may keep it).
 */
export const O_UNSET = 1;
export const O_INVALID = 2;
export const O_OWNED = 4;
export const O_GONE = 8;
/**
 * Handed to fdopen()/fdopendir() whose result is then tested: on the branch where the result is
 * null the descriptor is still ours (the call failed and kept nothing). The call sets it beside
 * O_GONE; a test of the result keeps one of the two. Both together: the result was never tested,
 * and the descriptor counts as handed on.
 */
export const O_LENT = 16;
/** Does a state (bits) hold an open handle that is ours: owned, or lent to a call that failed? */
export function stillOurs(state: number): boolean {
  return (state & O_OWNED) !== 0 || ((state & O_LENT) !== 0 && (state & O_GONE) === 0);
}

export interface AcquireSite {
  readonly call: CallFact;
  readonly node: SyntaxNode;
  readonly fn: number;
  readonly callee: string;
  readonly kind: HandleKind;
  /** The variable holding the handle: `fd`, or `fds[0]` for pipe()/socketpair() arrays. */
  readonly variable: string;
  /** Success is read from the call's 0/-1 status (pipe, socketpair), not from the variable. */
  readonly statusCall: boolean;
  /** The release call that matches the acquire (`pclose` for popen). */
  readonly release: string;
  /** How its tests read, when not its kind's (a descriptor held in a C++ wrapper: see acquireSites). */
  readonly shape?: HandleShape;
  /**
   * Held in storage that outlives the function (a global, a static, a member, a field through a
   * pointer): leaving the function with it open is its owner's business, but overwriting it here
   * while this function knows it open loses it (pwnat's `sock->fd = socket(…)` twice, a global
   * assigned by every pass of an accept loop).
   */
  readonly overwriteOnly?: boolean;
  /**
   * Of a member (`current_fd`, `this->fd_`) in a C++ method: the other methods of its class that
   * close it (destructor-releases.ts), which a call from here, unqualified or through `this`, runs.
   */
  readonly memberClosers?: readonly string[];
  /**
   * The local pointer to an object this function allocated that holds the handle in a field
   * (`c` of `c->fd` after `c = calloc(…)`): the handle goes wherever the object goes, and is lost
   * where the object is freed (see allocated-holders.ts).
   */
  readonly holder?: string;
}

const ACQUIRER_DEPTH = 4;

/** Kind of handle a call returns: catalog and configuration, then project functions that return one. */
export function acquirerKind(name: string, resources: ResourceCatalog, index: ProjectIndex, depth = ACQUIRER_DEPTH, seen = new Set<string>()): HandleKind | undefined {
  const spec = resources.acquire(name);
  // Returned by a wrapper, a call that acquires only with some arguments (`fcntl(fd, F_DUPFD, …)`)
  // cannot be told from one that does not (`return fcntl(fd, F_SETFL, flags)`, a status).
  if (spec) return spec.outArrayArg === undefined && (depth === ACQUIRER_DEPTH || !spec.when) ? spec.kind : undefined;
  if (depth === 0 || seen.has(name)) return undefined;
  seen.add(name);
  // `Result<TempFile> TempFile::create(…)`: every definition returns an object, not a descriptor.

  // `s = socket(…); insert_in_tree(s); return s;`: the caller does not own what the tree holds.
  if (index.derived(keptReturnsProvider).keepsReturned(name)) return undefined;
  // `Result<TempFile> TempFile::create(…)`: a definition returning an object, not a descriptor, whatever it calls.
  for (const { file, fn } of index.functionsNamed(name)) {
    if (returnsObjectTemplate(fn, index) || returnsClassObject(fn, index)) continue;
    const kind = returnedHandleKind(fn, file, resources, index, depth - 1, seen);
    if (kind) return kind;
  }
  return undefined;
}

/**
 * Kind of handle a definition returns through the calls whose results it returns, unless it is a
 * dispatcher: a function returning what one of many calls gave, chosen by its arguments, most of
 * them no handle (dmtcp's `syscall()` wrapper returning `open()`'s result for `SYS_open` and
 * `getpid()`'s for `SYS_getpid`; mksh's `execute()`, whose `rv` is a here-document's descriptor
 * on one branch and a status on a dozen others) returns a status, not a descriptor its callers own.
 */
function returnedHandleKind(fn: FunctionFact, file: string, resources: ResourceCatalog, index: ProjectIndex, depth: number, seen: Set<string>): HandleKind | undefined {
  let kind: HandleKind | undefined;
  let handles = 0;
  let others = 0;
  for (const returned of fn.returnsCallOf ?? []) {
    if (resources.acquire(returned) && fileOwnFunction(returned, file, index)) continue;
    const returnedKindOf = returnedKind(asCalledIn(fn, returned, index), resources, index, depth, seen);
    if (returnedKindOf) (kind ??= returnedKindOf), handles++;
    else others++;
  }
  return others >= DISPATCHER_CALLS && others > handles ? undefined : kind;
}

/** Distinct calls returning no handle whose results a function returns, from which it is a dispatcher. */
const DISPATCHER_CALLS = 3;

/**
 * A C++ function returning a template of objects (`Result<TempFile>`, `Result<llvm::Type *>`,
 * `std::shared_ptr<Conn>`): what it returns is no bare descriptor or stream, whatever it calls. A
 * template of an integer or a handle type (`std::expected<int, E>`, `std::optional<unique_fd>`,
 * `Result<FILE *>`) may hold one.
 */
function returnsObjectTemplate(fact: FunctionFact, index: ProjectIndex): boolean {
  const type = fact.returnTemplate;
  if (type === undefined) return false;
  const args = type.slice(type.indexOf('<') + 1);
  // `Result<auto_fd, std::string>` (lnav): a class of the project holds the descriptor, and closes it.
  const first = splitTopLevel(args.replace(/>\s*$/, ''), '<([', '>)]')[0]?.replace(/\b(?:const|volatile)\b/g, '').trim() ?? '';
  if (/^[A-Za-z_]\w*$/.test(first) && callGraphOf(index).isClass(first)) return true;
  return !/\b(?:int|long|short|unsigned|signed|auto|FILE|DIR|SOCKET|\w*_t)\b|fd|[Ss]ock|[Hh]andle\b/.test(args);
}

/**
 * A C++ function returning an object of a class by value (`stdplus::ManagedFd makeSocket(int)`,
 * phosphor-networkd; `Socket open_socket()` with `Socket` a class of the project): its callers get
 * an object that owns what it holds, not a bare descriptor. A qualified integer or handle type
 * (`std::int32_t`, `::SOCKET`, `Net::socket_t`) or a typedef that is no class may still be one.
 */
function returnsClassObject(fact: FunctionFact, index: ProjectIndex): boolean {
  const type = fact.returnClass;
  if (type === undefined) return false;
  const qualified = type.lastIndexOf('::');
  const last = qualified < 0 ? type : type.slice(qualified + 2);
  if (/^(?:int|long|short|unsigned|signed|auto|FILE|DIR|SOCKET|HANDLE|\w*_t|\w*_type|[a-z]\w*int\w*)$/.test(last)) return false;
  return type.includes('::') || callGraphOf(index).isClass(type);
}

/**
 * The function an unqualified call in `fn` names: in a method, a name its class defines is the
 * class's own (C++ finds the member before the C function: `return open(h, addr, NULL, t)` in
 * `Stream::open`), whatever the number of arguments; qualified as such.
 */
function asCalledIn(fn: FunctionFact, returned: string, index: ProjectIndex): string {
  const cls = fn.className;
  if (cls === undefined || fn.isLambda || returned.includes('::')) return returned;
  return index.functionsNamed(returned).some((d) => d.fn.className === cls) ? `${cls}::${returned}` : returned;
}

/**
 * A `static` function of `file` named like a library call (partclone's exfat `static int
 * opendir(struct exfat *ef, …)`): calls of that name in the file are the file's own, never the
 * C library's, and what they return is no handle of the catalog's.
 */
function fileOwnFunction(name: string, file: string, index: ProjectIndex): boolean {
  return index.functionsNamed(name).some((d) => d.file === file && d.fn.isStatic && d.fn.className === undefined);
}

/** Kind of handle a returned call gives: `Cls::open(…)` is a class's own function, never the catalog's (a project one by its name); `::open(…)` is the catalog's. */
function returnedKind(returned: string, resources: ResourceCatalog, index: ProjectIndex, depth: number, seen: Set<string>): HandleKind | undefined {
  const qualified = returned.lastIndexOf('::');
  const callee = qualified < 0 ? returned : returned.slice(qualified + 2);
  // `::open(…)` and `std::fopen(…)` are the C library's; `Stream::open(…)` is not.
  const qualifier = qualified < 0 ? undefined : returned.slice(0, qualified);
  if (qualifier !== undefined && qualifier !== '' && qualifier !== 'std' && resources.acquire(callee)) return undefined;
  return acquirerKind(callee, resources, index, depth, seen);
}

/**
 * The catalog's acquire a call is: the name, unqualified or `::`/`std::` (not `LsShm::open`, a
 * class's own), with at least as many arguments as the C function takes.
 */
function catalogAcquire(call: CallFact, resources: ResourceCatalog): AcquireFunction | undefined {
  if (call.qualifier !== undefined && call.qualifier !== '::' && call.qualifier !== 'std') return undefined;
  const spec = resources.acquire(call.callee);
  return spec && call.args.filter((a) => a.trim() !== '').length >= spec.minArgs ? spec : undefined;
}

/**
 * Kind of handle one call returns: the catalog for library calls; for project functions, the
 * definitions the call graph resolves the call to (by class for methods: `log.Open()` on a Logger
 * is not `Probe::Open`, which returns a socket), then wrappers of wrappers by name.
 */
function callAcquirerKind(file: string, call: CallFact, resources: ResourceCatalog, index: ProjectIndex): HandleKind | undefined {
  const spec = catalogAcquire(call, resources);
  if (spec) return spec.outArrayArg === undefined ? spec.kind : undefined;
  // Most calls name no function that returns a handle at all: only those are resolved.
  if (acquirerKind(call.callee, resources, index) === undefined) return undefined;
  const graph = callGraphOf(index);
  const seen = new Set<string>([call.callee]);
  for (const edge of graph.edgesOfCall(file, call)) {
    if (edge.kind !== 'call') continue;
    const fact = graph.fact(edge.callee);
    if (returnsObjectTemplate(fact, index)) continue;
    const kind = returnedHandleKind(fact, edge.callee.file, resources, index, ACQUIRER_DEPTH - 1, seen);
    if (kind) return kind;
  }
  return undefined;
}

/** Does every definition of project function `name` return its argument `argIndex` unchanged? */
function returnsArgument(name: string, argIndex: number, index: ProjectIndex): boolean {
  const defs = index.functionsNamed(name);
  return defs.length > 0 && defs.every((d) => d.fn.returnsParam === argIndex);
}

/** Is `index` the subscript of `subscript` (C: the index; C++: the argument list), and that element (or a field of it) assigned with `=`? */
function indexStoresHandle(subscript: SyntaxNode, index: SyntaxNode, parentOf: (node: SyntaxNode) => SyntaxNode | null): boolean {
  const indices = subscript.childForFieldName('indices') ?? subscript.childForFieldName('index');
  if (indices?.id !== index.id) return false;
  let target = subscript;
  for (let up = parentOf(target); up && up.type === 'field_expression' && up.childForFieldName('argument')?.id === target.id; up = parentOf(target)) target = up;
  const assignment = parentOf(target);
  return assignment?.type === 'assignment_expression' && assignment.childForFieldName('left')?.id === target.id && assignment.childForFieldName('operator')?.type === '=';
}

function enclosingFunctionText(node: SyntaxNode, parentOf: (node: SyntaxNode) => SyntaxNode | null): string {
  let current: SyntaxNode | null = node;
  while (current && current.type !== 'function_definition') current = parentOf(current);
  return current?.text ?? '';
}

/** Does passing a handle as argument `argIndex` of `name` leave ownership with the caller? */
export function borrows(name: string, argIndex: number, kind: HandleKind, resources: ResourceCatalog, index: ProjectIndex, macros: MacroScope): boolean {
  if (resources.isTake(name)) return false;
  const macro = macros.bodies.get(name);
  if (macro) return macroBorrows(macro, argIndex, kind, resources, index, macros);
  // `#define CLOSE_SECOND(a, b) close(b)`: the macro never passes `a` on.
  if (!resources.forwardsArg(name, argIndex)) return true;
  return resources.isBorrow(name) || index.derived(borrowedParamsProvider).borrowsParam(name, argIndex, kind);
}

const IDENT = /^[A-Za-z_]\w*$/;
/** A name, or one field of a name (`sock->fd`, `this->fd_`, `srv.fd`): storage another function can reach. */
/** What `name` was last assigned before `site` in the function (`int fd_out = control->fd_out;` gives `control->fd_out`). */
function copiedFrom(fn: SyntaxNode, site: SyntaxNode, name: string): string | undefined {
  const before = fn.text.slice(0, site.startIndex - fn.startIndex);
  let last: string | undefined;
  for (const m of before.matchAll(new RegExp(String.raw`(?<![\w.>])${escapeRegExp(name)}\s*=(?!=)\s*([^;,]+?)\s*[;,]`, 'g'))) last = m[1];
  return last;
}

/** `control->fd_out`, `s.fd`, `a->b.c`: a descriptor read from a field. */
const FIELD_CHAIN = /^[A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*)+$/;
const NON_LOCAL_HOLDER = /^[A-Za-z_]\w*(?:(?:->|\.)[A-Za-z_]\w*)?$/;
const TYPE_WORDS = new Set(['int', 'char', 'short', 'long', 'unsigned', 'signed', 'void', 'bool', 'float', 'double', 'const', 'struct', 'auto']);
// A project's own name for it counts too: `osmo_close_all_fds_above(2)`, `g_closefrom(3)`.
const CLOSES_ALL = new RegExp(`\\b\\w*(?:${CLOSE_ALL_FUNCTIONS.join('|')})\\w*\\s*\\(`);

/** Does `text` call one of the project's close-all functions without naming the handle among what it spares? */
function callsCloseAll(text: string, closeAll: ReadonlySet<string>, base: string): boolean {
  for (const m of text.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) if (closeAll.has(m[1]!)) return !new RegExp(`(?<![\\w.>])${escapeRegExp(base)}(?![\\w])`).test(text);
  return false;
}

export function acquireSites(ctx: FileAnalysis): AcquireSite[] {
  const sites: AcquireSite[] = [];
  // `BX_SER_THIS fd = open(…)` over `#define BX_SER_THIS theSerial->`: a field, not a local of that "type".
  const memberPrefixes = ctx.index.macrosFor(ctx.file.path).memberPrefixes;
  ctx.file.facts.calls.forEach((call, i) => {
    // `l->accept(conn)`, `list->dup(v)`: a method or callback that merely shares a libc name.
    if (call.fn < 0 || call.member) return;
    const resources = resourcesOf(ctx, call.fn);
    // `rc = open(path, 0)` in a method of a class that defines open(): the class's own.
    const caller = ctx.file.facts.functions[call.fn]!;
    if (call.qualifier === undefined && resources.acquire(call.callee) && asCalledIn(caller, call.callee, ctx.index) !== call.callee) return;
    // `rc = opendir(ef, dir, &it)` in a file defining its own `static int opendir(…)`.
    if (call.qualifier === undefined && resources.acquire(call.callee) && fileOwnFunction(call.callee, ctx.file.path, ctx.index)) return;
    const spec = catalogAcquire(call, resources);
    if (spec?.when && !spec.when.oneOf.includes(call.args[spec.when.arg] ?? '')) return;
    const node = ctx.file.syntax.callNodes[i]!;
    // A reference (`for (auto& fds : l_EventFDs)`) is another name for storage that outlives the call.
    // A parameter passed by value is the function's own copy too (`fd = open("/dev/tty", …)` when
    // the caller passed -1): what it is given here is this function's to close.
    const isLocal = (name: string) => {
      const type = ctx.file.syntax.locals(call.fn).get(name) ?? byValueParameterType(caller, name);
      return type !== undefined && !type.startsWith('static') && !type.endsWith('&') && !memberPrefixes.has(type);
    };
    if (spec?.outArrayArg !== undefined) {
      const array = call.args[spec.outArrayArg];
      if (!array || !IDENT.test(array) || !isLocal(array)) return;
      // `int *fdp = &table->fds[2 * i]; socketpair(…, fdp)`: the pair goes where the pointer points.
      if (/\*\s*$/.test(ctx.file.syntax.locals(call.fn).get(array) ?? '')) return;
      // `if (pipe(fd)) return 1;` with `fd` never used again reserves descriptors on purpose (0-2 filling).
      const mentions = ctx.file.syntax.functionNodes[call.fn]!.text.match(new RegExp(`\\b${array}\\b`, 'g'))?.length ?? 0;
      if (mentions <= 2) return;
      // `_cleanup_close_pair_ int pair[2] = EBADF_PAIR;` (systemd, elogind): both ends closed at the end of its scope.
      if (closedAtScopeEnd(asWritten(ctx, call.fn), array, ctx.index.derived(cleanupMacrosProvider), true)) return;
      if (endsChosenByValue(ctx.file.syntax.functionNodes[call.fn]!.text, array)) return;
      for (const element of [0, 1]) {
        sites.push({ call, node, fn: call.fn, callee: call.callee, kind: spec.kind, variable: `${array}[${element}]`, statusCall: true, release: resources.releaseFor(spec.kind) });
      }
      return;
    }
    // `exec_with_pipe(cmd, to, from)`: a project function that pipe()s into the arrays it is given.
    if (!spec && call.qualifier === undefined) {
      const fillers = fillersCalledFrom(ctx.index.derived(pairFillersProvider), call.callee, ctx.file.path, ctx.index);
      if (fillers.length > 0) {
        for (const { param, elements } of fillers) {
          const array = call.args[param]?.trim();
          if (!array || !IDENT.test(array) || !isLocal(array) || /\*\s*$/.test(ctx.file.syntax.locals(call.fn).get(array) ?? '')) continue;
          if (closedAtScopeEnd(asWritten(ctx, call.fn), array, ctx.index.derived(cleanupMacrosProvider), true)) continue;
          if (endsChosenByValue(ctx.file.syntax.functionNodes[call.fn]!.text, array)) continue;
          for (const element of elements) {
            sites.push({ call, node: ctx.file.syntax.callNodes[i]!, fn: call.fn, callee: call.callee, kind: 'descriptor', variable: `${array}[${element}]`, statusCall: true, release: resources.releaseFor('descriptor') });
          }
        }
        return;
      }
    }
    const kind = callAcquirerKind(ctx.file.path, call, resources, ctx.index);
    if (!kind) return;
    // `fp = fdopen(pidfile_fd, "w")` over a global's (or a parameter's) descriptor: the holder keeps
    // the descriptor and closes it; losing the stream loses a buffer, not a descriptor.
    if (spec?.takesArg === 0 && call.callee !== 'freopen') {
      const wrapped = call.args[0] ?? '';
      if (IDENT.test(wrapped) && !isLocal(wrapped)) return;
      // `tmpoutfp = fdopen(control->fd_out, "w")` (lrzip): a field keeps the descriptor, and its owner
      // closes it; so does a local copy of it made in the function (`int fd_out = control->fd_out;`).
      const copied = IDENT.test(wrapped) ? copiedFrom(ctx.file.syntax.functionNodes[call.fn]!, node, wrapped) : undefined;
      const source = (copied ?? wrapped).trim();
      if (FIELD_CHAIN.test(source) && !isLocalAggregateSlot(source, ctx.file.syntax.locals(call.fn))) return;
      // `fcntl(fd, F_SETLK, &lock)` then `fp = fdopen(fd, "w")` (dnscap's pid file): the stream holds
      // the lock its descriptor took, kept for the life of the process like the descriptor would be.
      if (IDENT.test(wrapped) && lockedBefore(ctx, call.fn, wrapped, node)) return;
    }
    // `f = freopen(NULL, "wb", stdout)`, `freopen("/dev/null", "r", stdin)`: the result is the
    // standard stream itself, reopened, which the process keeps.
    if (spec?.name === 'freopen' && /^(?:std(?:in|out|err))$/.test((call.args[2] ?? '').trim())) return;
    // `for (i = getdtablesize(); i >= 0; --i) close(i); i = open("/dev/null", O_RDWR);`: with every
    // descriptor closed, the open takes number 0 and becomes the daemon's standard input.
    // `close(1); fd = open_write(path);` likewise takes number 1, the standard output, on purpose.
    // `close(0); close(1); close(2); open("/dev/null", O_RDWR); fr = dup(0); fr = dup(0);`: each dup of
    // a standard stream fills the next one.
    // `fd = open("/dev/null", O_RDWR); dup(fd); dup(fd);` likewise: the dups of that descriptor.
    const fnNode = ctx.file.syntax.functionNodes[call.fn]!;
    const fills = call.callee === 'dup' && (STANDARD_STREAM_NUMBER.test(call.args[0] ?? '') || openedOnStandardPath(fnNode, node, call.args[0] ?? ''));
    if (takesStandardStreamNumber(fnNode, node, call.callee === 'open' && STANDARD_STREAM_PATH.test(call.args[0] ?? ''), fills)) return;
    const variable = resultVariable(node);
    // Handles stored straight into a field, a global or a static are owned elsewhere — but not a
    // field or element of a struct or array that is itself a local (`file.fd = open(…)`,
    // `fds[0] = socket(…)`): that is the function's own. A type name is a declaration the grammar
    // misread (`_cleanup_close_ int fd = …`).
    if (!variable || TYPE_WORDS.has(variable)) return;
    const holder = IDENT.test(variable) ? undefined : allocatedHolder(variable, fnNode, node, ctx.file.syntax.locals(call.fn));
    if (!holder && !(IDENT.test(variable) ? isLocal(variable) : isLocalAggregateSlot(variable, ctx.file.syntax.locals(call.fn)))) {
      // A global, static or member (`g_client = accept(…)`, `fd_ = ::socket(…)`) or a field through
      // a pointer or of a non-local (`sock->fd`, `this->fd`, `srv.fd`): only its overwrites here.
      if (!NON_LOCAL_HOLDER.test(variable) || memberPrefixes.size > 0 || chainAssigned(node)) return;
      const memberClosers = ctx.file.language === 'cpp' ? closersOfMember(variable, call.fn, ctx) : [];
      sites.push({ call, node, fn: call.fn, callee: call.callee, kind, variable, statusCall: false, release: releaseOf(call, kind, resources), overwriteOnly: true, ...(memberClosers.length > 0 ? { memberClosers } : {}) });
      return;
    }
    // `ioFD In; In.FD = open(…)` where ~ioFD() closes FD: the object closes it on every way out.
    if (ctx.file.language === 'cpp' && !IDENT.test(variable) && closedByDestructor(variable, call.fn, ctx)) return;
    // `g_autoptr(FILE) fp`, `__attribute__((cleanup(closep))) int fd`, `_cleanup_close_ int fd`:
    // the compiler closes it when the variable goes out of scope.
    // (`_cleanup_(cli_freep) Cli *cli`: for a handle in an allocated holder's field, the holder's cleanup frees and closes it.)
    if (closedAtScopeEnd(asWritten(ctx, call.fn), holder ?? variable, ctx.index.derived(cleanupMacrosProvider))) return;
    // `confp = closefp = fopen(…)`: one handle under two names, either of which may close it.
    // A copy into another variable hands the handle on (see useOf): so does this one.
    if (chainAssigned(node)) return;
    const release = releaseOf(call, kind, resources);
    // `auto maybe_fd = create_socket(…)` (a project function returning `std::expected<int, E>`,
    // an optional, a result type): tested for truth (`if (!maybe_fd)`) like a pointer.
    const type = ctx.file.syntax.locals(call.fn).get(variable) ?? '';
    // `aux::file_descriptor const fd = ::open(…)`, `Socket s = socket(…)`: a C++ object built from
    // the descriptor owns it (its destructor closes it), whatever the variable's name.
    // Also from a project function: `auto_fd fd; if ((fd = openp(path, O_RDONLY)) == -1)` (lnav).
    if (ctx.file.language === 'cpp' && ownedByObject(type, ctx)) return;
    const wrapped = kind === 'descriptor' && spec === undefined && /\bauto\b|<|::/.test(type);
    sites.push({ call, node, fn: call.fn, callee: call.callee, kind, variable, statusCall: false, release, ...(wrapped ? { shape: 'wrapped' as const } : {}), ...(holder ? { holder } : {}) });
  });
  return sites;
}

/**
 * The function's text as written: a recovered file's copies blank attribute macros
 * (`DEFER_ATTR(close_fd_deferred) int32_t fd = …`, aerospike), which say what a declaration's
 * cleanup is. The rewrites keep every offset.
 */
function asWritten(ctx: FileAnalysis, fn: number): string {
  const node = ctx.file.syntax.functionNodes[fn]!;
  return ctx.file.recovery?.originalText?.slice(node.startIndex, node.endIndex) ?? node.text;
}

/** The release that matches an acquire: `pclose` for `popen`, else its kind's. */
function releaseOf(call: CallFact, kind: HandleKind, resources: ResourceCatalog): string {
  return call.callee === 'popen' ? 'pclose' : resources.releaseFor(kind);
}

/** Does the function lock `descriptor` (flock, lockf, fcntl F_SETLK, a project locking function) before `site`? */
function lockedBefore(ctx: FileAnalysis, fn: number, descriptor: string, site: SyntaxNode): boolean {
  const fnNode = ctx.file.syntax.functionNodes[fn]!;
  return ctx.file.facts.calls.some((c, i) => {
    if (c.fn !== fn || c.args[0]?.trim() !== descriptor) return false;
    const node = ctx.file.syntax.callNodes[i]!;
    if (node.startIndex >= site.startIndex) return false;
    return takesLock(c.callee, callArguments(node), () => fnNode.text) || ctx.index.derived(lockingParamsProvider).locksParam(c.callee, 0);
  });
}

/**
 * Does the function pick a pair's ends by a value it computes (mawk's `local_fd =
 * the_pipe[type == PIPE_OUT]; remote_fd = the_pipe[type == PIPE_IN];`, tig's
 * `pipefds[!(type == IO_WR)]`)? Which end each name holds depends on that value, so which closes
 * cover which end cannot be followed: the pair is not tracked. A loop's counter (`close(p[i])` in
 * `for (i = 0; i < 2; i++)`) is no such choice.
 */
function endsChosenByValue(functionText: string, array: string): boolean {
  for (const m of functionText.matchAll(new RegExp(String.raw`(?<![\w.>])${escapeRegExp(array)}\s*\[([^\[\]]+)\]`, 'g'))) {
    const index = m[1]!.trim();
    // A number, or a name for one (`p[READ_END]`, `fds[STDIN_FILENO]`).
    if (/^(?:\d+|[A-Z][A-Z0-9_]*)$/.test(index)) continue;
    if (/^[A-Za-z_]\w*$/.test(index) && new RegExp(String.raw`\bfor\s*\([^;]*\b${index}\s*=`).test(functionText)) continue;
    return true;
  }
  return false;
}

/**
 * Is `node` given a new value (`c = c->next`, `p++`) by `parent`, or declared with one
 * (`T *entry = &entries[i];` in a loop body: another object's pointer on every pass)?
 */
function reassigns(node: SyntaxNode, parent: SyntaxNode | null, parentOf: (node: SyntaxNode) => SyntaxNode | null): boolean {
  if (!parent) return false;
  if (parent.type === 'update_expression') return true;
  if (parent.type === 'assignment_expression') return parent.childForFieldName('left')?.id === node.id;
  let declarator: SyntaxNode = node;
  let around: SyntaxNode | null = parent;
  while (around?.type === 'pointer_declarator' && around.childForFieldName('declarator')?.id === declarator.id) {
    declarator = around;
    around = parentOf(around);
  }
  return around?.type === 'init_declarator' && around.childForFieldName('declarator')?.id === declarator.id && around.childForFieldName('value') !== null;
}

/** Is `condition` the head of an iterating block macro (macro-rewrites.ts) given `variable` as a whole argument? */
function iteratesWith(originalText: string, condition: SyntaxNode, variable: string): boolean {
  const head = blockMacroHead(originalText, condition);
  if (!head?.loop) return false;
  const open = head.text.indexOf('(');
  return open >= 0 && splitTopLevel(head.text.slice(open + 1, -1)).some((arg) => squeeze(arg) === variable);
}

/** The type of parameter `name` if it is a handle passed by value (a descriptor type, `FILE *`; not a reference). */
function byValueParameterType(fn: FunctionFact, name: string): string | undefined {
  const type = fn.params.find((p) => p.name === name)?.type.trim();
  // `int *fds` (or `int fds[2]`, the same to C) points at the caller's storage: `socketpair(…, fds)`
  // fills the caller's array (acme-client's xsocketpair). Only a stream or directory pointer is a handle.
  if (type === undefined || (type.endsWith('*') && !/\b(?:FILE|DIR)\b/.test(type))) return undefined;
  return DESCRIPTOR_TYPEDEFS.test(type) ? type : undefined;
}

const STANDARD_STREAM_PATH = /^"\/dev\/(?:null|console|tty)"$/;
/**
 * Every descriptor closed: a loop of close(i) (`for (…) close(i)`, also sparing one it keeps: `for
 * (fd = 0; fd < 64; fd++) if (fd != intf->fd) close(fd);`, or closing in its test: `if (i != log_fd
 * && close(i) == -1) warn(…)`), `while (n) close(n--)`, closefrom(0), close_range(0, …).
 */
const FOR_HEAD = String.raw`\bfor\s*\([^;]*;[^;]*;[^)]*\)\s*\{?\s*`;
/** `if (` and one unit of its test (a character, or a parenthesised part one deep): quantified where it is used. */
const IF_TEXT = String.raw`if\s*\((?:[^()]|\([^()]*\))`;
const CLOSE_NAME = String.raw`(?:::)?close\s*\(\s*[A-Za-z_]\w*\s*\)`;
const ALL_CLOSED = new RegExp(
  [
    // `for (…) close(fd);`, `for (…) if (fd != keep) close(fd);`, `for (…) if (i != keep && close(i) == -1) …`
    String.raw`${FOR_HEAD}(?:${IF_TEXT}*\)\s*\{?\s*|${IF_TEXT}*?\(?\s*)?(?:\(void\)\s*)?${CLOSE_NAME}`,
    String.raw`\bwhile\s*\([^()]*\)\s*\{?\s*(?:\(void\)\s*)?close\s*\(\s*[A-Za-z_]\w*\s*(?:--|\+\+)\s*\)`,
    String.raw`\b(?:closefrom|close_range|closeall|close_all_fds)\s*\(\s*0\b`,
  ].join('|'),
  'g',
);
/** One standard stream closed: `close(1)`, `close(STDOUT_FILENO)`. */
const STANDARD_STREAM_NUMBER = /^(?:[012]|STD(?:IN|OUT|ERR)_FILENO)$/;
const STANDARD_STREAM_CLOSED = /\bclose\s*\(\s*(?:[012]|STD(?:IN|OUT|ERR)_FILENO)\s*\)/g;
/** Calls that may take the lowest free number. */
const TAKES_A_NUMBER = /\b(?:open|openat|open64|creat|socket|accept4?|fopen|dup|pipe2?|socketpair|open_\w+)\s*\(/;

/** Is `variable` assigned `open("/dev/null", …)` (or the console, a tty) before `site` in the function? */
function openedOnStandardPath(fn: SyntaxNode, site: SyntaxNode, variable: string): boolean {
  if (!IDENT.test(variable)) return false;
  const before = fn.text.slice(0, site.startIndex - fn.startIndex);
  return new RegExp(`\\b${escapeRegExp(variable)}\\s*=\\s*open\\s*\\(\\s*"/dev/(?:null|console|tty)"`).test(before);
}

/**
 * Does the acquire at `site` take a standard stream's number on purpose: the first acquire after
 * `close(1)`, `/dev/null` (`devNull`) after every descriptor was closed, or a `dup()` of a standard
 * stream (`dupOfStandardStream`) once they were closed?
 */
function takesStandardStreamNumber(fn: SyntaxNode, site: SyntaxNode, devNull: boolean, dupOfStandardStream: boolean): boolean {
  // `for (fd = 0; fd <= 2; fd++) // close all file descriptors` then `close(fd);`: comments are not code.
  const before = blankComments(fn.text.slice(0, site.startIndex - fn.startIndex));
  let last = -1;
  for (const m of before.matchAll(STANDARD_STREAM_CLOSED)) last = m.index! + m[0].length;
  if (devNull || dupOfStandardStream) for (const m of before.matchAll(ALL_CLOSED)) last = Math.max(last, m.index! + m[0].length);
  return last >= 0 && (dupOfStandardStream || !TAKES_A_NUMBER.test(before.slice(last)));
}

/**
 * `file.fd`, `fds[0]`: a member or constant-index element of a local struct or array held by value
 * (not through a pointer, not static), whose handle stays in the function.
 */
function isLocalAggregateSlot(variable: string, locals: ReadonlyMap<string, string>): boolean {
  const slot = /^([A-Za-z_]\w*)(?:\.[A-Za-z_]\w*|\[\d+\])$/.exec(variable);
  const type = slot ? locals.get(slot[1]!) : undefined;
  // (A reference, `plain_bundle &b(all[i])`, names the caller's object: storage that outlives the function.)
  return type !== undefined && !type.startsWith('static') && !type.includes('*') && !type.includes('&');
}

/** lend: `f = fdopen(fd, …)`: gone if `result` is valid, still ours if it is null. */
type Effect = { kind: 'acquire' } | { kind: 'release' } | { kind: 'lend'; result: string } | { kind: 'overwrite'; invalid: boolean } | { kind: 'free' };

export interface OwnershipFlow {
  readonly sourceNode: CfgNode;
  /** Nodes that overwrite the variable with something else. */
  readonly overwrites: readonly CfgNode[];
  /** Nodes that free the object holding the handle (`free(c)` for `c->fd`). */
  readonly frees: readonly CfgNode[];
  /** Handle states (O_* bits) possible before a node / along an edge; undefined: unreachable. */
  before(node: CfgNode): number | undefined;
  along(edge: CfgEdge): number | undefined;
  /** Does the node do something to the handle (acquire, release, hand off, overwrite)? */
  affects(node: CfgNode): boolean;
  /** A path from the acquire the tracked flags agree with (see TypestateSolution.witness). */
  witness?(to: CfgNode, allowed: (edge: CfgEdge) => boolean, keep: (state: number) => boolean): CfgEdge[] | undefined;
}

const SHAPE: Record<HandleKind, HandleShape> = { descriptor: 'descriptor', stream: 'pointer', directory: 'pointer' };

/** The ownership problem of one acquire: a cheap over-approximation first, then the exact flow when needed. */
export interface OwnershipProblem {
  /**
   * Can the handle still be open where the function is left or the variable overwritten? False
   * proves the exact flow reports nothing there (what correct code mostly is: every path closes
   * or hands off the handle), so the flow need not be solved. True: it may be; solve to know.
   */
  mayStayOpen(): boolean;
  solve(): OwnershipFlow;
}

/** `originalText`: the file as written, where the analysed copy rewrote block macros (macro-rewrites.ts). */
export function ownershipProblem(cfg: Cfg, site: AcquireSite, sourceNode: CfgNode, resources: ResourceCatalog, index: ProjectIndex, macros: MacroScope, originalText?: string): OwnershipProblem {
  const invalidNames = index.derived(invalidMacrosProvider);
  // Expression macros, and the project's functions that fail only as a flag command on their descriptor does.
  const expressions = withCheckWrappers(macros.expressions, index.derived(checkWrappersProvider));
  const base = /^[A-Za-z_]\w*/.exec(site.variable)![0];
  const anyElement = anyElementOf(site.variable);
  // `fds[j]` in a condition's text, for a handle `fds[1]`: built once per site, read per branch.
  const elementTest = anyElement ? new RegExp(`\\b${base}\\[[A-Za-z_]\\w*\\]`) : undefined;
  const effects = new Map<number, Effect[]>();
  const overwrites: CfgNode[] = [];
  const frees: CfgNode[] = [];
  // What a statement does to a variable is the same for every acquire into it (accept4/accept in
  // #if branches), except at each one's own call: worked out once per variable.
  const shared = site.statusCall ? undefined : sharedEffects(cfg, site.holder ? `${site.variable} held by ${site.holder}` : site.variable);
  const [callStart, callEnd] = [site.node.startIndex, site.node.endIndex];
  const statementMacros = macros.bodies.size > 0 ? macroStatements(cfg, macros) : undefined;
  const closeAll = index.derived(closeAllFunctionsProvider);
  // (Not through another object, `other.close()`, nor the C library's `::close()`.)
  const memberCloser = site.memberClosers ? new RegExp(String.raw`(?<![\w.>:])(?:this\s*->\s*)?(?:${site.memberClosers.map(escapeRegExp).join('|')})\s*\(`) : undefined;
  // `{ FILE *fd; … fd = popen(…) … }` in an inner block: another variable of the same name.
  const shadowed = shadowedRanges(cfg, base, site.node);
  const inShadow = (node: CfgNode) => shadowed.length > 0 && node.syntax !== undefined && shadowed.some(([start, end]) => start <= node.syntax!.startIndex && node.syntax!.startIndex < end);
  for (const node of cfg.nodes) {
    if (!node.syntax || node.kind === 'join') continue;
    if (inShadow(node)) continue;
    const isSource = node === sourceNode;
    // `KJ_SYSCALL(pipe(fds));`, `CHECK(fd = open(…))`: a checking macro around the acquire leaves
    // the function through its hidden return when the call it wraps failed — nothing was opened.
    if (!isSource && node.kind === 'jump' && node.opaqueGuard && node.syntax === sourceNode.syntax) {
      effects.set(node.id, [{ kind: 'release' }]);
      continue;
    }
    const macro = statementMacros?.get(node.id);
    if (macro && macroReleases(macro, node, site, resources, index, macros)) {
      effects.set(node.id, [{ kind: 'release' }]);
      continue;
    }
    // `closefrom(STDERR_FILENO + 1)`: every descriptor above the standard ones is closed; so does
    // a project function looping close() over every number, unless it is handed the handle to spare.
    if (!isSource && (CLOSES_ALL.test(nodeText(node)) || (closeAll.size > 0 && callsCloseAll(nodeText(node), closeAll, base)))) {
      effects.set(node.id, [{ kind: 'release' }]);
      continue;
    }
    // `close(name_u);` in a method of a class whose own `close()` closes the member (nosh's logger).
    if (!isSource && memberCloser?.test(nodeText(node))) {
      effects.set(node.id, [{ kind: 'release' }]);
      continue;
    }
    if (!isSource && !nodeText(node).includes(base)) continue;
    // `DL_FOREACH(interfaces, interface) { interface->fd = socket(…) }`: an iterating block macro
    // moves its cursor argument to another object on every pass, as `c = c->next` does.
    if (originalText !== undefined && node.kind === 'condition' && (site.overwriteOnly || site.holder) && site.variable !== base && iteratesWith(originalText, node.syntax, base)) {
      effects.set(node.id, [{ kind: 'release' }]);
      continue;
    }
    const [start, end] = nodeRange(node);
    const sharable = shared && !isSource && !(start <= callStart && callEnd <= end);
    let list = sharable ? shared.get(node.id) : undefined;
    if (!list) {
      list = effectsOf(node.syntax, nodeText(node), isSource, site, base, resources, index, macros);
      if (sharable) shared.set(node.id, list);
    }
    if (list.length === 0) continue;
    effects.set(node.id, list);
    // An overwrite after the statement has handed the handle on (`fd = register_fd(fd)`) loses nothing.
    const overwrite = list.findIndex((e) => e.kind === 'overwrite');
    if (overwrite >= 0 && !list.slice(0, overwrite).some((e) => e.kind === 'release')) overwrites.push(node);
    if (list.some((e) => e.kind === 'free')) frees.push(node);
  }
  const shape = site.shape ?? SHAPE[site.kind];
  const callText = squeeze(site.node.text);
  // Variables holding the result of a call the handle was lent to (`f = fdopen(fd, "r")`).
  const lentTo = [...new Set([...effects.values()].flatMap((list) => list.flatMap((e) => (e.kind === 'lend' ? [e.result] : []))))];
  const ALL = O_UNSET | O_INVALID | O_OWNED | O_GONE | O_LENT;
  const transfer = (node: CfgNode, state: number): number => {
    for (const effect of effects.get(node.id) ?? []) {
      if (effect.kind === 'acquire') state = O_OWNED | O_INVALID;
      else if (effect.kind === 'release') state = O_GONE;
      else if (effect.kind === 'lend') state = state & O_OWNED ? (state & ~O_OWNED) | O_GONE | O_LENT : state;
      else if (effect.kind === 'free') state = O_UNSET;
      else state = effect.invalid ? O_INVALID : O_UNSET;
    }
    return state;
  };
  // What each branch says about the handle does not depend on the state: work it out once per edge.
  const verdicts = new Map<CfgEdge, BranchVerdict | undefined>();
  // The bits a branch keeps: the handle's own test, or a test of what it was lent to.
  // A lent handle is open (the call that took it may have failed): a test saying it is not open rules it out.
  const maskOf = (verdict: BranchVerdict): number =>
    verdict === 'unreachable' ? 0 : verdict === 'valid' ? O_OWNED | O_UNSET | O_GONE | O_LENT : verdict === 'invalid' ? O_INVALID | O_UNSET | O_GONE : verdict === 'lent-valid' ? ALL & ~O_LENT : ALL & ~O_GONE;
  const verdictOf = (edge: CfgEdge) => {
    if (!verdicts.has(edge)) verdicts.set(edge, verdictFor(edge));
    return verdicts.get(edge);
  };
  // `rc = socketpair(…, pair); if (rc < 0)`: the pair's status kept in a variable, tested before it is assigned again.
  const status = site.statusCall ? statusVariable(site, cfg) : undefined;
  const duplicated = site.statusCall ? undefined : duplicatedVariable(site, cfg, resources);
  // `bool Success = hNewFile != FILE_BAD_HANDLE; if (Success)`: the handle's test kept in a variable.
  const flags = site.statusCall ? [] : validityFlags(cfg, site.variable, site.node, shape, expressions);
  // `fd[1]`'s other end, `fd[0]`, for a pair from one call.
  const sibling = site.statusCall ? site.variable.replace(/\[([01])\]$/, (_, i: string) => `[${1 - Number(i)}]`) : undefined;
  // Read once per handle, and only by tests of a descriptor-flag command on another descriptor.
  let functionTextRead: { text: string; start: number } | undefined;
  const functionText = () => (functionTextRead ??= { text: cfg.function.text, start: cfg.function.startIndex });
  const verdictFor = (edge: CfgEdge): BranchVerdict | undefined => {
    if (inShadow(edge.from)) return undefined;
    // `KJ_SYSCALL_HANDLE_ERRORS(fd = openat(…)) { … }`: a block macro around the acquire runs its
    // block when the call failed, and skips it when it worked.
    if (originalText !== undefined && edge.condition && contains(edge.condition, site.node) && blockMacroHead(originalText, edge.condition)) return edge.assumption ? 'invalid' : 'valid';
    if (edge.caseValue) return edge.from.syntax ? caseValidity(edge.from.syntax, edge.caseValue, site.variable, shape, invalidNames, macros.constants) : undefined;
    // A test that never names the handle (or, for pipe()-style calls, the call) says nothing about it.
    // The edge tests its condition node's syntax, whose text is read once for every handle.
    const tested = nodeText(edge.from);
    if (status && edge.condition!.startIndex > status.after && edge.condition!.startIndex < status.until && status.mentioned.test(tested)) {
      const verdict = impliedValidity(edge.condition!, edge.assumption!, status.name, 'status', invalidNames);
      // A success flag is true where a status is 0: the same test says the opposite.
      if (verdict) return status.success ? (verdict === 'valid' ? 'invalid' : 'valid') : verdict;
    }
    for (const result of lentTo) {
      if (!tested.includes(result)) continue;
      const verdict = impliedValidity(edge.condition!, edge.assumption!, result, 'pointer', invalidNames);
      if (verdict) return verdict === 'valid' ? 'lent-valid' : 'lent-null';
    }
    // `fcntl(infds[1], F_SETFD, …)` failing while `errfds[0]` is tracked: it fails only for a
    // descriptor that is not open, and `infds` is one this function opened and uses as open.
    if (flagCommandFailsOnOther(edge.condition!, edge.assumption!, tested, site, functionText, resources)) return 'unreachable';
    // `file_err = dup(file_out)` open, then `if (file_out < 0)`: the copy exists only if its original was open.
    const at = edge.condition!.startIndex;
    if (duplicated && at > duplicated.after && at < duplicated.until && duplicated.mentioned.test(tested) && impliesNegative(edge.condition!, edge.assumption!, duplicated.name)) return 'invalid';
    const flagged = flags.length > 0 ? flagValidity(edge, tested, flags, site.variable, shape, invalidNames) : undefined;
    if (flagged) return flagged;
    if (!tested.includes(base) && !(site.statusCall && tested.includes(site.callee))) return undefined;
    if (site.statusCall && contains(edge.condition!, site.node)) return impliedValidity(edge.condition!, edge.assumption!, callText, 'status', invalidNames);
    const own = impliedValidity(edge.condition!, edge.assumption!, site.variable, shape, invalidNames, macros.constants, expressions) ?? holderNull(edge);
    // The two ends of a pipe() pair are opened together: `if (fd[0] != -1) { close(fd[0]); close(fd[1]); }`.
    const paired = own === undefined && sibling ? impliedValidity(edge.condition!, edge.assumption!, sibling, 'descriptor', invalidNames, macros.constants, expressions) : own;
    // `if (fds[j] != -1) close(fds[j]);` in a loop over the array: a test of each element in turn, this one among them.
    const element = paired === undefined ? elementTest?.exec(tested)?.[0] : undefined;
    if (element) return impliedValidity(edge.condition!, edge.assumption!, element, 'descriptor', invalidNames, macros.constants, expressions);
    return paired;
  };
  // `if (conn)` false, with the handle in `conn->fd`: no object, so no handle open in it.
  const holderName = /^([A-Za-z_]\w*)->/.exec(site.variable)?.[1];
  const holderNull = (edge: CfgEdge): BranchVerdict | undefined =>
    holderName !== undefined && impliedValidity(edge.condition!, edge.assumption!, holderName, 'pointer', invalidNames) === 'invalid' ? 'invalid' : undefined;
  const refine = (edge: CfgEdge, state: number): number | undefined => {
    if ((!edge.condition || edge.assumption === undefined) && !edge.caseValue) return state;
    const verdict = verdictOf(edge);
    if (!verdict) return state;
    const refined = state & maskOf(verdict);
    return refined === 0 ? undefined : refined;
  };

  /**
   * Where an open handle can get to, ignoring flags: from the acquire along edges whose test does
   * not say it failed, through nodes that do nothing to it. The exact flow's open states lie
   * within (flags and joins only remove paths); an open handle only comes from the acquire.
   */
  const mayStayOpen = (): boolean => {
    if ((transfer(sourceNode, O_UNSET) & O_OWNED) === 0) return false;
    const overwriting = new Set([...overwrites, ...frees].map((n) => n.id));
    const seen = new Set<number>();
    const stack: CfgNode[] = [sourceNode];
    while (stack.length > 0) {
      const node = stack.pop()!;
      for (const edge of node.succs) {
        if (refine(edge, O_OWNED) === undefined) continue;
        const to = edge.to;
        if (to === cfg.exit || to === sourceNode || overwriting.has(to.id)) return true;
        // A lend goes on: the result's test decides.
        if (seen.has(to.id) || (effects.has(to.id) && !effects.get(to.id)!.every((e) => e.kind === 'lend'))) continue;
        seen.add(to.id);
        stack.push(to);
      }
    }
    return false;
  };
  return { mayStayOpen, solve: () => solveFlow() };

  function solveFlow(): OwnershipFlow {
    const solution = solveTypestate(cfg, {
      initial: O_UNSET,
      affects: (node) => effects.has(node.id),
      transfer,
      keep: (edge) => {
        const verdict = verdictOf(edge);
        return verdict === undefined ? undefined : maskOf(verdict);
      },
      correlateFlagsExcept: site.variable,
    });
    const witness = solution.witness;
    return {
      sourceNode,
      overwrites,
      frees,
      before: solution.before,
      along: solution.along,
      affects: (node) => effects.has(node.id),
      ...(witness ? { witness: (to: CfgNode, allowed: (edge: CfgEdge) => boolean, keep: (state: number) => boolean) => witness(sourceNode, (node) => node === to, allowed, keep) } : {}),
    };
  }
}

/** What a branch says: about the handle itself, or about the result of the call it was lent to. */
/**
 * Is this the failure branch of a descriptor-flag command (`fcntl(fd, F_SETFD, …)`, which fails only
 * with EBADF) on a descriptor other than `handle` that the function itself opens (`x = open(…)`,
 * `pipe(x)`)? The function uses it as open there; the branch is for a bug, not a path.
 */
function flagCommandFailsOnOther(condition: SyntaxNode, assumption: boolean, tested: string, site: AcquireSite, functionText: () => { text: string; start: number }, resources: ResourceCatalog): boolean {
  const called = tested.includes('fcntl') || tested.includes('ioctl');
  if (!called && !STORED_FLAGS_TEST.test(tested)) return false;
  const handle = site.variable;
  const expr = unwrap(condition);
  let target: string | undefined;
  const probe = (node: SyntaxNode) =>
    descriptorFlagCall(node, (arg) => {
      target = squeeze(unwrap(arg).text);
      return true;
    }) !== undefined;
  let failure: boolean | undefined;
  if (probe(expr) || comparisonWithCall(expr, probe)) {
    if (target !== undefined) failure = fcntlFailure(expr, target);
  } else {
    // `opts = fcntl(sd4, F_GETFL); if (opts < 0)`: the flags kept in a variable, tested right after.
    const fn = functionText();
    if (!fn.text.includes('F_GETF')) return false;
    const stored = storedFlagsTest(expr, fn.text, fn.start);
    target = stored?.target;
    failure = stored?.failure;
  }
  if (target === undefined || target === handle || failure === undefined) return false;
  // `sock = accept(sd4, …)` worked, so `sd4` is open: `fcntl(sd4, F_GETFL)` after it cannot fail.
  const usedByAcquire = DESCRIPTOR_ARGUMENT_ACQUIRES.has(site.callee) && squeeze(site.call.args[0] ?? '') === target;
  if (!usedByAcquire && !openedInFunction(target, functionText().text, resources)) return false;
  return assumption === failure;
}

/** A comparison of a name with a constant: `opts < 0`, `flags == -1`. */
const STORED_FLAGS_TEST = /^\s*\(?\s*[A-Za-z_]\w*\s*(?:<|<=|==|!=|>=|>)\s*-?\s*\w+\s*\)?\s*$/;

/**
 * `v < 0` where the statement before it is `v = fcntl(x, F_GETFL)` (or `int v = …`): the descriptor
 * that query was on, and whether the test is true exactly when it failed.
 */
function storedFlagsTest(expr: SyntaxNode, functionText: string, functionStart: number): { target: string; failure: boolean | undefined } | undefined {
  if (expr.type !== 'binary_expression') return undefined;
  const left = unwrap(expr.childForFieldName('left') ?? expr);
  const right = unwrap(expr.childForFieldName('right') ?? expr);
  if (left.type !== 'identifier') return undefined;
  const before = functionText.slice(0, expr.startIndex - functionStart);
  // The last statement before the test's `if (`: the variable's assignment from the query.
  const assigned = new RegExp(String.raw`\b${escapeRegExp(left.text)}\s*=\s*(?:::)?(fcntl(?:64)?\s*\(\s*([^,()]+?)\s*,\s*F_GETF[LD]\s*\))\s*;\s*(?:if|while)\s*\(\s*\(?\s*$`).exec(before);
  if (!assigned) return undefined;
  return { target: squeeze(assigned[2]!), failure: comparisonFailure('get', expr.childForFieldName('operator')?.type ?? '', squeeze(right.text)) };
}

/** Acquires whose first argument is a descriptor that must be open for them to succeed (else EBADF). */
const DESCRIPTOR_ARGUMENT_ACQUIRES: ReadonlySet<string> = new Set(['accept', 'accept4', 'dup', 'dup3']);

/** `infds[1]` of a `pipe(infds)`, `fd` of an `fd = open(…)`: filled by one of the catalog's acquires in the function's text. */
function openedInFunction(target: string, functionText: string, resources: ResourceCatalog): boolean {
  const base = /^([A-Za-z_]\w*)(?:\[\w+\])?$/.exec(target)?.[1];
  if (!base) return false;
  const name = escapeRegExp(base);
  for (const m of functionText.matchAll(new RegExp(String.raw`\b${name}\s*(?:\[[^\]]*\])?\s*=\s*(?:\([^()]*\)\s*)?(?:::)?([A-Za-z_]\w*)\s*\(`, 'g'))) {
    const spec = resources.acquire(m[1]!);
    if (spec && spec.outArrayArg === undefined) return true;
  }
  for (const m of functionText.matchAll(new RegExp(String.raw`\b([A-Za-z_]\w*)\s*\((?=[^;]*\b${name}\b)`, 'g'))) {
    const spec = resources.acquire(m[1]!);
    if (spec?.outArrayArg !== undefined) return true;
  }
  return false;
}

/** 'unreachable': a branch no run takes, whatever the handle (a flag command failing on another open descriptor). */
type BranchVerdict = 'valid' | 'invalid' | 'lent-valid' | 'lent-null' | 'unreachable';

/** Effects per CFG node of statements on a variable, for the acquires whose call they do not contain. */
const effectsByVariable = perObject((_cfg: Cfg) => new Map<string, Map<number, Effect[]>>());

function sharedEffects(cfg: Cfg, variable: string): Map<number, Effect[]> {
  const byVariable = effectsByVariable(cfg);
  let map = byVariable.get(variable);
  if (!map) {
    map = new Map();
    byVariable.set(variable, map);
  }
  return map;
}

/** What a statement (`syntaxText`: its text) does to the handle, in evaluation (document) order. */
function effectsOf(syntax: SyntaxNode, syntaxText: string, isSource: boolean, site: AcquireSite, base: string, resources: ResourceCatalog, index: ProjectIndex, macros: MacroScope): Effect[] {
  const effects: { at: number; effect: Effect }[] = [];
  if (isSource) effects.push({ at: site.node.endIndex, effect: { kind: 'acquire' } });
  // Parents as the walk met them (asking a node for its parent walks down from the tree's root).
  const parents = new Map<SyntaxNode, SyntaxNode>();
  const parentOf = (node: SyntaxNode): SyntaxNode | null => parents.get(node) ?? node.parent;
  const anyElement = anyElementOf(site.variable);
  // Every effect below needs the variable's name in the node's text: only nodes where it occurs.
  walkMentioning(syntax, syntaxText, base, (node, parent) => {
    if (parent) parents.set(node, parent);
    if (node.type === 'lambda_expression') {
      // Captured by a lambda: whoever runs it owns the handle now.
      if (new RegExp(`\\b${base}\\b`).test(node.text)) effects.push({ at: node.startIndex, effect: { kind: 'release' } });
      return false;
    }
    // `unique_fd guard(fd);` parses as a function declaration (C++'s most vexing parse): `fd` is a constructor argument.
    if (node.type === 'type_identifier' && squeeze(node.text) === site.variable && parentOf(node)?.type === 'parameter_declaration') {
      effects.push({ at: node.startIndex, effect: { kind: 'release' } });
      return false;
    }
    // `butil::ScopedFD closer(fds[0]);` parses the same way, with `fds [0]` as an array parameter.
    if (node.type === 'parameter_declaration' && squeeze(node.text) === site.variable && node.namedChildren.some((c) => c.type === 'abstract_array_declarator')) {
      effects.push({ at: node.startIndex, effect: { kind: 'release' } });
      return false;
    }
    const text =
      node.type === 'identifier' || node.type === 'field_expression' ? squeeze(node.text) : node.type === 'subscript_expression' ? subscriptsResolved(squeeze(node.text), macros.constants) : '';
    // `for (j = 0; j < 6; j++) if (fds[j] != -1) close(fds[j]);`: an element by a variable index
    // closed in a loop over the array closes this one too (never an overwrite of it).
    if (anyElement && node.type === 'subscript_expression' && anyElement.test(text)) {
      const effect = useOf(node, site, resources, index, macros, parentOf);
      if (effect?.kind === 'release') effects.push({ at: node.startIndex, effect });
      return false;
    }
    if (text === site.variable) {
      // `pfp.reset(fp = fopen(…))`: the value of the acquire's own assignment, handed on as well.
      const own = isSource ? acquiringAssignment(node, site, macros, parentOf) : undefined;
      if (own) {
        const onward = useOf(own, site, resources, index, macros, parentOf);
        if (onward?.kind === 'release') effects.push({ at: own.endIndex, effect: onward });
        return false;
      }
      const effect = useOf(node, site, resources, index, macros, parentOf);
      // The store happens after its value is computed: `fd = register_fd(fd)` hands fd on first.
      if (effect) effects.push({ at: effect.kind === 'overwrite' ? (assignmentAround(node, parentOf)?.endIndex ?? node.startIndex) : node.startIndex, effect });
      return false;
    }
    // The whole struct or array holding the handle (`&file`, `return file;`, `*out = file;`) handed
    // on: whoever gets it may close the handle. Another member or element (`file.name`) is not it.
    if (!site.statusCall && site.variable !== base && text === base && node.type === 'identifier') {
      const parent = parentOf(node);
      const slotOf = parent?.type === 'field_expression' || (parent?.type === 'subscript_expression' && parent.childForFieldName('argument')?.id === node.id);
      // `free(c)` with `c->fd` open: the handle is lost with the object.
      if (site.holder && !slotOf && freedHere(node, parentOf)) {
        effects.push({ at: node.startIndex, effect: { kind: 'free' } });
        return false;
      }
      // `for (c = list; c; c = c->next) c->fd = socket(…)`: another object's field from here on.
      if ((site.overwriteOnly || site.holder) && !slotOf && reassigns(node, parent, parentOf)) {
        effects.push({ at: node.startIndex, effect: { kind: 'release' } });
        return false;
      }
      if (!slotOf) {
        const effect = useOf(node, site, resources, index, macros, parentOf);
        if (effect && effect.kind === 'release') effects.push({ at: node.startIndex, effect });
      }
      return false;
    }
    // The whole array of a pipe() pair handed to another call.
    if (site.statusCall && text === base && node.type === 'identifier') {
      const effect = useOf(node, site, resources, index, macros, parentOf);
      if (effect && effect.kind === 'release' && !contains(site.node, node)) effects.push({ at: node.startIndex, effect });
      return false;
    }
    return true;
  });
  return effects.sort((a, b) => a.at - b.at).map((e) => e.effect);
}

/** `fp = fopen(…)` around the acquire, when `mention` is its left side. */
function acquiringAssignment(mention: SyntaxNode, site: AcquireSite, macros: MacroScope, parentOf: (node: SyntaxNode) => SyntaxNode | null): SyntaxNode | undefined {
  const parent = parentOf(mention);
  if (parent?.type !== 'assignment_expression' || parent.childForFieldName('left')?.id !== mention.id) return undefined;
  const right = parent.childForFieldName('right');
  if (!right || !contains(right, site.node)) return undefined;
  // `CHECK(fd = open(…))`: a macro checking the call it wraps takes nothing.
  let outer = parentOf(parent);
  while (outer?.type === 'parenthesized_expression') outer = parentOf(outer);
  const call = outer?.type === 'argument_list' ? parentOf(outer) : null;
  const name = call?.type === 'call_expression' ? calleeName(call) : undefined;
  return name !== undefined && (macros.returning.has(name) || macros.bodies.has(name) || macros.expressions.has(name)) ? undefined : parent;
}

/** C++ binders: `std::bind`, `std::bind_front`, `boost::bind` (not POSIX `bind`, which is unqualified or `::bind`). */
const FUNCTION_BINDERS = /^(?:::)?(?:std|boost)::(?:bind|bind_front|bind_back)$/;

/** The context a mention of the handle sits in decides what happens to ownership. */
/** Methods of a result or optional wrapper that give out the value it holds. */
const WRAPPED_VALUE_METHOD = /^(?:value|take|unwrap|get|release)$/;

function useOf(mention: SyntaxNode, site: AcquireSite, resources: ResourceCatalog, index: ProjectIndex, macros: MacroScope, parentOf: (node: SyntaxNode) => SyntaxNode | null): Effect | undefined {
  let child = mention;
  let parent = parentOf(mention);
  // `(void) fd;`, `UNUSED(fd)`: the handle deliberately left as it is (a signal handler about to
  // exit, a descriptor kept for the process's life) — as good as handed on.
  if (parent?.type === 'cast_expression' && /^\(\s*void\s*\)/.test(parent.text)) return { kind: 'release' };
  // Look through wrappers that pass the value on: `(fd)`, `(int)fd`, `&fd`, `c ? fd : dup(fd)`, `(x, fd)`,
  // and a C++ wrapper's value: `*maybe_fd`, `maybe_fd.value()`, `handle_exp.take()` (osquery's Expected).
  while (parent && parent.type === 'field_expression' && WRAPPED_VALUE_METHOD.test(parent.childForFieldName('field')?.text ?? '') && parentOf(parent)?.type === 'call_expression') {
    child = parentOf(parent)!;
    parent = parentOf(child);
  }
  while (
    parent &&
    (parent.type === 'parenthesized_expression' ||
      parent.type === 'cast_expression' ||
      parent.type === 'pointer_expression' ||
      // `out ?: stderr` (GNU): the condition is the value when it is true.
      (parent.type === 'conditional_expression' && (parent.childForFieldName('condition')?.id !== child.id || !parent.childForFieldName('consequence'))) ||
      (parent.type === 'comma_expression' && parent.childForFieldName('right')?.id === child.id) ||
      // `(char *)0 + fd`: the number carried as a pointer (a thread's or a callback's argument).
      nullPointerOffset(parent, child))
  ) {
    child = parent;
    parent = parentOf(parent);
  }
  if (!parent) return undefined;
  if (returnedWithOffset(parent, parentOf)) return { kind: 'release' };
  if (storedWithOffset(parent, child, parentOf)) return { kind: 'release' };
  switch (parent.type) {
    case 'subscript_expression':
      // `readers[fd] = true`, `conns[fd].state = NEW`: a table indexed by the descriptor records it
      // (its owner finds and closes it by number); a read (`buf[fd]`, `if (seen[fd])`) does not.
      return indexStoresHandle(parent, child, parentOf) ? { kind: 'release' } : undefined;
    case 'subscript_argument_list': {
      // C++: `readers_[fd] = true` (a std::map keyed by the descriptor).
      const subscript = parentOf(parent);
      return subscript?.type === 'subscript_expression' && parent.namedChildren.length === 1 && indexStoresHandle(subscript, parent, parentOf) ? { kind: 'release' } : undefined;
    }
    case 'assignment_expression': {
      const left = parent.childForFieldName('left');
      const right = parent.childForFieldName('right');
      if (left?.id === child.id) {
        if (parent.childForFieldName('operator')?.type !== '=') return undefined;
        if (right && contains(right, site.node)) return undefined; // the acquire itself
        // `stream = reopen_if_needed(stream, …)`: the new value is computed from the handle (it may be
        // the same one, handed back): not lost here.
        if (right && new RegExp(`(?<![\\w.>])${escapeRegExp(site.variable)}(?![\\w\\[])`).test(right.text)) return { kind: 'release' };
        const value = squeeze(right?.text ?? '');
        return { kind: 'overwrite', invalid: INVALID_DESCRIPTOR_CONSTANTS.includes(value) || NULL_CONSTANTS.includes(value) };
      }
      return { kind: 'release' }; // stored or aliased: owned elsewhere now
    }
    case 'init_declarator':
      return parent.childForFieldName('value')?.id === child.id ? { kind: 'release' } : undefined;
    case 'argument_list': {
      const call = parentOf(parent);
      if (!call || call.type !== 'call_expression') return { kind: 'release' }; // constructor argument
      if (call.id === site.node.id) return undefined; // pipe(fds) itself
      const name = calleeName(call);
      if (!name) return { kind: 'release' };
      const argIndex = parent.namedChildren.filter((c) => c.type !== 'comment').findIndex((c) => c.id === child.id);
      if (resources.releasedArg(name) === argIndex) return { kind: 'release' };
      // `std::bind(fileCallback, path, fd, _1, _2)`: the descriptor is copied into a function object,
      // as a lambda captures it; whoever runs that may close it (trantor's sendStream callback).
      if (FUNCTION_BINDERS.test(squeeze(call.childForFieldName('function')?.text ?? ''))) return { kind: 'release' };
      // `node->data.accept(sockfd, ctx)`: a callback stored in a field, whatever its name — not the
      // C library's accept() (which only reads its listener): it may keep the descriptor.
      if (call.childForFieldName('function')?.type === 'field_expression' && (resources.isBorrow(name) || resources.acquire(name))) return { kind: 'release' };
      const spec = resources.acquire(name);
      if (spec?.takesArg === argIndex) {
        // `g = freopen(path, "r", f)`: f's file is closed first, whether the reopening works or not (C11 7.21.5.4).
        if (spec.name === 'freopen') return { kind: 'release' };
        // `f = fdopen(fd, "r")`: if f is null, fd is still ours.
        const result = spec.kind !== 'descriptor' ? resultVariable(call) : undefined;
        if (result && IDENT.test(result)) return { kind: 'lend', result };
        // `return fdopen(s, mode);` (BSD ftpd's getdatasock): where it fails, NULL goes back and
        // `s` stays open with nothing holding it — still ours at that return.
        return spec.kind !== 'descriptor' && returnedDirectly(call, parentOf) ? undefined : { kind: 'release' };
      }
      // `SOCK_INVALID(fd)`: an expression macro only reads its arguments; `UNUSED(fd)` discards one.
      const expression = macros.expressions.get(name);
      if (expression && discardsArg(expression, argIndex)) return { kind: 'release' };
      // `*ppHandle = SX_INT_TO_PTR(fd)`: a macro that only casts its argument is the argument; one
      // that encodes it in a number (`make_immediate(fd, TPORT)`) carries it.
      // So does one that does so only for a valid descriptor (`tb_fd2sock(fd)`: `fd >= 0 ? … fd + 1 : tb_null`).
      const expressionNamed = (macroName: string) => macros.expressions.get(macroName);
      if (expression && (castsArg(expression, argIndex, expressionNamed) || encodesArg(expression, argIndex) || encodesValidArg(expression, argIndex, expressionNamed))) return useOf(call, site, resources, index, macros, parentOf);
      if (macros.readsOnly(name)) return undefined;
      // `return set_nonblocking(no_sigpipe(fd))` over functions that hand back the descriptor they
      // are given on every path (`… return fd;`): the call's value is the descriptor itself.
      if (returnsArgument(name, argIndex, index)) return useOf(call, site, resources, index, macros, parentOf);
      // `is_fd_valid(fd)`: a project function that is one return of an expression of its parameters only
      // reads the ones in it — not another it closes on the way (afl's `fail_gracefully(fd_socket, …)`
      // returning its `buf_size`).
      const wrapper = index.derived(checkWrappersProvider).get(name);
      if (wrapper?.calls.length === 0 && readsParameter(wrapper, argIndex)) return undefined;
      // `log_msg("accepted %d", fd)`: a value for a format, printed, not kept.
      if (afterFormatString(parent, argIndex)) return undefined;
      // `lockf(fd, F_TLOCK, 0)`: the descriptor now holds a lock on a pid file or a directory (or a multicast membership), kept
      // for the life of the process on purpose (closing it would drop the lock).
      if (argIndex === 0 && takesLock(name, parent.namedChildren.filter((c) => c.type !== 'comment'), () => enclosingFunctionText(parent, parentOf))) return { kind: 'release' };
      // The same through a project function that takes the lock (`uwsgi_fcntl_lock(fd)`).
      if (index.derived(lockingParamsProvider).locksParam(name, argIndex)) return { kind: 'release' };
      // `FD_SET(newclient, &master_fdset)` into a set that outlives the function, or one it also
      // takes descriptors out of (`FD_CLR(i, &master_fdset); close(i);`): a select() server's
      // registry of its live connections, which finds them again by number (emulab's iperfd).
      if (name === 'FD_SET' && argIndex === 0 && registeredInSet(call, () => enclosingFunctionText(parent, parentOf))) return { kind: 'release' };
      // `cnx = proxy_new(fd_in)`: a constructor that returns NULL before it keeps the descriptor
      // (xftpd): where cnx is NULL, fd_in is still ours.
      if (index.derived(successTakersProvider).takesOnSuccess(name, argIndex)) {
        const result = resultVariable(call);
        if (result && IDENT.test(result)) return { kind: 'lend', result };
      }
      return borrows(name, argIndex, site.kind, resources, index, macros) ? undefined : { kind: 'release' };
    }
    case 'return_statement':
    case 'co_return_statement':
    case 'initializer_list':
    case 'initializer_pair':
    case 'field_initializer':
    case 'new_expression':
      return { kind: 'release' };
    default:
      return undefined;
  }
}

/**
 * The call a `return` hands the handle to, when that call takes it only if it works (`return
 * fdopen(s, mode);`, fdopendir): where it fails, NULL goes back and the descriptor stays open.
 * The rule words its finding with it; useOf (through returnedDirectly) keeps the handle ours there.
 */
export function takerReturned(statement: SyntaxNode, variable: string, resources: ResourceCatalog): string | undefined {
  const value = statement.type === 'return_statement' ? statement.namedChildren.find((c) => c.type !== 'comment') : undefined;
  const call = value ? withoutCastsAround(value) : undefined;
  if (call?.type !== 'call_expression') return undefined;
  const name = calleeName(call);
  const spec = name ? resources.acquire(name) : undefined;
  if (!spec || spec.takesArg === undefined || spec.kind === 'descriptor') return undefined;
  const arg = callArguments(call)[spec.takesArg];
  return arg && squeeze(unwrap(arg).text) === variable ? name : undefined;
}

/** `(FILE *)(fdopen(s, mode))`: the expression under parentheses and casts. */
function withoutCastsAround(node: SyntaxNode): SyntaxNode {
  let current = unwrap(node);
  while (current.type === 'cast_expression') current = unwrap(current.childForFieldName('value') ?? current);
  return current;
}

/** Is the call the whole value of a `return` (`return fdopen(s, mode);`, `return (fdopen(s, mode));`)? */
function returnedDirectly(call: SyntaxNode, parentOf: (node: SyntaxNode) => SyntaxNode | null): boolean {
  let node = parentOf(call);
  while (node?.type === 'parenthesized_expression' || node?.type === 'cast_expression') node = parentOf(node);
  return node?.type === 'return_statement';
}

/**
 * Is `FD_SET(fd, &set)`'s set a registry: one that outlives the function (a member, a global, a
 * field: `FD_SET(client, &live_)`), or a local the function also clears descriptors from
 * (`FD_CLR(i, &master_fdset)`)?
 */
function registeredInSet(call: SyntaxNode, functionText: () => string): boolean {
  const set = callArguments(call)[1];
  const name = set ? /^&\s*([A-Za-z_][\w.>-]*)$/.exec(squeeze(unwrap(set).text))?.[1] : undefined;
  if (!name) return false;
  const text = functionText();
  const simple = /^[A-Za-z_]\w*$/.test(name);
  if (!simple || !new RegExp(String.raw`\bfd_set\b[^;{}()]*\b${escapeRegExp(name)}\b`).test(text)) return true;
  return new RegExp(String.raw`\bFD_CLR\s*\([^;]*?,\s*&\s*\(?\s*${escapeRegExp(name)}\s*\)?\s*\)`).test(text);
}

/** Does an expression's body name its parameter `index`? */
function readsParameter(expression: MacroExpression, index: number): boolean {
  const param = expression.params[index];
  return param !== undefined && new RegExp(`\\b${escapeRegExp(param)}\\b`).test(expression.body);
}

/** Is `parent` `(char *)0 + child` (or `child + (char *)0`)? */
function nullPointerOffset(parent: SyntaxNode, child: SyntaxNode): boolean {
  if (parent.type !== 'binary_expression' || parent.childForFieldName('operator')?.type !== '+') return false;
  const left = parent.childForFieldName('left');
  const right = parent.childForFieldName('right');
  const other = left?.id === child.id ? right : right?.id === child.id ? left : null;
  return other !== null && NULL_POINTER_BASE.test(squeeze(other.text));
}

/**
 * `return fd - (AT_FDCWD == -1 && fd < 0);` (gnulib): the caller gets the descriptor adjusted by an
 * offset that is zero whenever it is open, so it is handed on like a plain `return fd;`.
 */
function returnedWithOffset(parent: SyntaxNode, parentOf: (node: SyntaxNode) => SyntaxNode | null): boolean {
  let node: SyntaxNode | null = parent;
  let additive = false;
  while (node && (node.type === 'parenthesized_expression' || (node.type === 'binary_expression' && ADDITIVE.has(node.childForFieldName('operator')?.type ?? '')))) {
    additive ||= node.type === 'binary_expression';
    node = parentOf(node);
  }
  return additive && (node?.type === 'return_statement' || node?.type === 'co_return_statement');
}

const ADDITIVE = new Set(['+', '-']);

/**
 * `w->drop.file_fd_plus_one = fd + 1;` (kitty): a field holding the descriptor shifted by a
 * constant, so that 0 means none, is where its owner finds it again — when the file reads it back
 * (`file_fd_plus_one - 1`). Not a sum kept for other uses (`s->maxfd = fd + 1` for select()).
 */
function storedWithOffset(parent: SyntaxNode, child: SyntaxNode, parentOf: (node: SyntaxNode) => SyntaxNode | null): boolean {
  if (parent.type !== 'binary_expression' || parent.childForFieldName('operator')?.type !== '+' || parent.childForFieldName('left')?.id !== child.id) return false;
  const offset = parent.childForFieldName('right');
  if (!offset || !/^[1-9]\d*$/.test(offset.text)) return false;
  let value: SyntaxNode = parent;
  let holder = parentOf(value);
  while (holder?.type === 'parenthesized_expression') holder = parentOf((value = holder));
  if (holder?.type !== 'assignment_expression' || holder.childForFieldName('right')?.id !== value.id) return false;
  const field = holder.childForFieldName('left');
  const name = field?.type === 'field_expression' ? field.childForFieldName('field')?.text : undefined;
  return name !== undefined && new RegExp(`\\b${name}\\s*\\)?\\s*-\\s*${offset.text}\\b`).test(field!.tree.rootNode.text);
}

interface MacroStatement {
  readonly body: MacroBody;
  /** The use's arguments as written. */
  readonly args: readonly string[];
}

// A CFG is built for one function, whose macros are one scope.
const macroStatementsByCfg = new WeakMap<Cfg, Map<number, MacroStatement>>();

/** The CFG's statements that use a statement macro (`FAIL_CLOSE(-1);`), found once per CFG. */
function macroStatements(cfg: Cfg, macros: MacroScope): Map<number, MacroStatement> {
  let found = macroStatementsByCfg.get(cfg);
  if (found) return found;
  found = new Map();
  for (const node of cfg.nodes) {
    if (!node.syntax || (node.kind !== 'statement' && !(node.kind === 'jump' && node.viaMacro))) continue;
    // `FAIL_CLOSE(x);`, or an object-like one: `XH_extuninit;`.
    const name = /^\s*([A-Za-z_]\w*)\s*(?:\(|;?\s*$)/.exec(nodeText(node))?.[1];
    const body = name ? macros.bodies.get(name) : undefined;
    if (!body) continue;
    let call: SyntaxNode | null = node.syntax.type === 'expression_statement' ? node.syntax.namedChildren[0] ?? null : null;
    if (call) call = unwrap(call);
    if (call?.type === 'identifier') {
      found.set(node.id, { body, args: [] });
      continue;
    }
    if (!call || call.type !== 'call_expression') continue;
    found.set(node.id, { body, args: callArguments(call).map((a) => squeeze(a.text)) });
  }
  macroStatementsByCfg.set(cfg, found);
  return found;
}

/**
 * Does this use of a statement macro close the handle? A returning macro's calls happen on its way
 * out (`#define FAIL(x) close(fd); return (x)`): on the hidden return, not on the path through —
 * but for those its tests make (`#define FCLOSE(x) if (fclose(x) != 0) goto FCLOSE_ERROR`), which
 * run on both, and those of its top level when it leaves only inside a test (`goesOn`).
 */
function macroReleases(macro: MacroStatement, node: CfgNode, site: AcquireSite, resources: ResourceCatalog, index: ProjectIndex, macros: MacroScope): boolean {
  const throughReturning = macro.body.returns && node.kind !== 'jump';
  if (!macro.body.returns && node.kind === 'jump') return false;
  return macro.body.calls.some((call) => {
    if (throughReturning && !call.tested && !call.goesOn) return false;
    const arg = resources.releasedArg(call.callee);
    if (arg !== undefined) return call.args[arg] !== undefined && squeeze(substituteMacroArgs(call.args[arg]!, macro.args)) === site.variable;
    // `if (fp) claws_fclose(fp);` with the project's own closer (`funlockfile(fp); return fclose(fp);`):
    // handed to a function of the project that does not give it back, as a call outside a macro is.
    if (index.functionsNamed(call.callee).length === 0) return false;
    const k = call.args.findIndex((a) => squeeze(substituteMacroArgs(a, macro.args)) === site.variable);
    return k >= 0 && !borrows(call.callee, k, site.kind, resources, index, macros);
  });
}

/**
 * A statement macro leaves its argument with the caller when every call in its body that gets it
 * borrows it, or closes it (applied where that happens: macroReleases). Passed to anything else
 * (`#define curl_easy_setopt(h, o, v) … curl_easy_setopt(h, o, v)`: the function it wraps), or
 * used by no call at all (it may be stored), it is handed on.
 */
function macroBorrows(macro: MacroBody, argIndex: number, kind: HandleKind, resources: ResourceCatalog, index: ProjectIndex, macros: MacroScope): boolean {
  const param = `$${argIndex}`;
  let used = false;
  for (const call of macro.calls) {
    for (let k = 0; k < call.args.length; k++) {
      if (call.args[k] !== param) continue;
      used = true;
      if (resources.releasedArg(call.callee) === k) continue;
      if (call.callee === macro.name || macros.bodies.has(call.callee) || !borrows(call.callee, k, kind, resources, index, macros)) return false;
    }
  }
  return used;
}

/** Types a descriptor or handle is declared with (integers and their typedefs, `FILE`, `DIR`), never objects. */
const DESCRIPTOR_TYPEDEFS = new RegExp(`^(?:(?:const|static|volatile|unsigned|signed)\\s+)*(?:int|long|short|auto|${DESCRIPTOR_TYPE_NAMES.join('|')}|[A-Za-z_]\\w*_t|FILE\\s*\\*?|DIR\\s*\\*?)(?:\\s+const)?\\s*\\*?$`);

/** A C++ local whose type is a class (a qualified name, a template, or a class of the project). */
/** `In.FD` of a local `ioFD In` (or `c->fd` of an object it allocated) whose class's destructor closes its member `FD`. */
function closedByDestructor(variable: string, fn: number, ctx: FileAnalysis): boolean {
  const slot = /^([A-Za-z_]\w*)(?:\.|->)([A-Za-z_]\w*)$/.exec(variable);
  if (!slot) return false;
  const type = ctx.file.syntax.locals(fn).get(slot[1]!) ?? '';
  // (A reference, `bundle & b(**i)`, names an object whose destructor closes it just the same.)
  const className = /([A-Za-z_]\w*)\s*(?:<[^<>]*>)?\s*$/.exec(type.replace(/\b(?:const|volatile|struct|class)\b|[*&]/g, ' ').trim())?.[1];
  return className !== undefined && ctx.index.derived(destructorReleasesProvider).closesMember(className, slot[2]!);
}

/** For `current_fd` or `this->current_fd` in a method of a class: that class's other methods that close the member. */
function closersOfMember(variable: string, fn: number, ctx: FileAnalysis): readonly string[] {
  const member = /^(?:this->)?([A-Za-z_]\w*)$/.exec(variable)?.[1];
  const className = member ? ctx.file.facts.functions[fn]?.className?.replace(/^.*::/, '') : undefined;
  return className ? ctx.index.derived(destructorReleasesProvider).methodsClosing(className, member!) : [];
}

function ownedByObject(type: string, ctx: FileAnalysis): boolean {
  const bare = type.replace(/\b(?:static|const|volatile)\b/g, ' ').trim();
  if (bare === '' || bare.endsWith('*') || DESCRIPTOR_TYPEDEFS.test(bare)) return false;
  if (/::|</.test(bare)) return !/^(?:std::)?(?:expected|optional)\s*</.test(bare);
  return callGraphOf(ctx.index).isClass(bare);
}

/**
 * A declaration with a cleanup: GLib's `g_autoptr(T)`/`g_auto(T)`/`g_autofd` (2.76), libglnx's
 * `glnx_autofd` (Flatpak, OSTree: a submodule a checkout may not have), PipeWire's SPA
 * `spa_autoclose`/`spa_autoptr(T)` (from SPA headers a client's tree does not hold), GCC's `cleanup`
 * attribute, systemd's `_cleanup_…_`, and a macro named for a cleanup that is given a closing
 * function (c-stdaux's `_c_cleanup_(c_closep)`, whose definition a project using it as a subproject
 * may not hold).
 */
const SCOPE_CLEANUP = String.raw`(?:\bg_auto(?:ptr)?\s*\([^()]*\)|\b\w*cleanup_?\s*\(\s*\w*(?:close|free)\w*\s*\)|\b(?:g|glnx)_autofd\b|\bspa_autoclose\b|\bspa_autoptr\s*\([^()]*\)|${GNU_ATTRIBUTE}\s*\(\(\s*(?:__)?cleanup(?:__)?\s*\(\s*\w+\s*\)\s*\)\)|\b_cleanup_\w*)[^;{}()]*?`;

const CLEANUP_ATTRIBUTE_AFTER = String.raw`${GNU_ATTRIBUTE}\s*\(\(\s*(?:__)?cleanup(?:__)?\s*\(\s*\w+\s*\)\s*\)\)\s*[=;,]`;

/** `macros`: the project's macros that put a cleanup on a declaration (`__do_close`, `__do_fclose`). */
function closedAtScopeEnd(functionText: string, variable: string, macros: ReadonlySet<string>, array = false): boolean {
  // Earlier declarators of the same declaration may have brace initializers (`pair[2] = { -1, -1 }, other[2]`).
  const declared = `(?:[^;{}()]|\\{[^{};]*\\})*?[\\s*]${escapeRegExp(variable)}\\s*${array ? '\\[[^\\]]*\\]\\s*' : ''}[=;,]`;
  if (/g_auto|glnx_auto|spa_auto|cleanup/.test(functionText) && new RegExp(`${SCOPE_CLEANUP}${declared}`).test(functionText)) return true;
  // The attribute after the declarator: `int fd __attribute__((cleanup(cleanup_close))) = -1;`.
  if (functionText.includes('cleanup') && new RegExp(`[\\s*]${escapeRegExp(variable)}\\s*${CLEANUP_ATTRIBUTE_AFTER}`).test(functionText)) return true;
  if (closedByScopeGuard(functionText, variable)) return true;
  if (macros.size === 0) return false;
  // `_cleanup_close_ int fd`, and a macro taking the cleanup function: `_c_cleanup_(c_closep) int fd`.
  return new RegExp(`\\b(?:${[...macros].map(escapeRegExp).join('|')})\\b(?:\\s*\\([^()]*\\))?${declared}`).test(functionText);
}

/**
 * A C++ scope guard given a lambda that closes the handle (`auto closer = scope_fail([&] {
 * std::fclose(backing_fp); });` in Cartesi's machine emulator, `SCOPE_EXIT { close(fd); };`,
 * `gsl::finally([&] { close(fd); })`, `absl::Cleanup`): the guard closes it when the scope is left.
 */
function closedByScopeGuard(functionText: string, variable: string): boolean {
  if (!/scope|finally|Cleanup|defer|[Gg]uard|SCOPE/.test(functionText)) return false;
  const closes = new RegExp(String.raw`\b\w*close\w*\s*\(\s*${escapeRegExp(variable)}\s*\)`);
  for (const m of functionText.matchAll(SCOPE_GUARD)) {
    const open = m.index! + m[0].length - 1;
    const end = closing(functionText, open);
    if (end > 0 && closes.test(functionText.slice(open, end))) return true;
  }
  return false;
}

/**
 * A scope guard's lambda or block, up to its `{`: called (`scope_fail([&] {`), a block
 * (`SCOPE_EXIT {`), or a guard object given the lambda in its initializer, with braces or
 * parentheses (iRODS's `const irods::at_scope_exit close_fds{ [&]() {`, `ScopeGuard<F> g([&] {`).
 */
const SCOPE_GUARD = /\b(?:\w*[Ss]cope_?(?:[Ee]xit|[Ff]ail|[Gg]uard)\w*|finally|Cleanup|[Dd]efer\w*|ScopeGuard|make_guard|ON_SCOPE_EXIT|SCOPE_EXIT|SCOPE_FAIL|DEFER)(?:\s*<[^<>;{}]*>)?(?:\s+[A-Za-z_]\w*)?\s*(?:[({]\s*\[[^\]]*\]\s*(?:\([^()]*\)\s*)?(?:mutable\s*)?(?:->\s*[\w:]+\s*)?)?\{/g;

/** For `fds[1]`: `fds[j]`, an element of the same array by a variable index (a loop over it); undefined for any other handle. */
function anyElementOf(variable: string): RegExp | undefined {
  const slot = /^([A-Za-z_]\w*)\[\d+\]$/.exec(variable);
  return slot ? new RegExp(`^${slot[1]}\\[[A-Za-z_]\\w*\\]$`) : undefined;
}

/** Is the call's result assigned to a variable whose assignment is itself assigned on (`a = b = f()`)? */
function chainAssigned(call: SyntaxNode): boolean {
  const through = (node: SyntaxNode): SyntaxNode | null => {
    let parent = node.parent;
    while (parent && (parent.type === 'parenthesized_expression' || parent.type === 'cast_expression')) parent = parent.parent;
    return parent;
  };
  const assignment = through(call);
  if (assignment?.type !== 'assignment_expression') return false;
  const outer = through(assignment);
  return outer?.type === 'assignment_expression' || outer?.type === 'init_declarator';
}

/** Is argument `argIndex` of this argument list after a format string literal (`"… %d …"`)? */
function afterFormatString(args: SyntaxNode, argIndex: number): boolean {
  const list = args.namedChildren.filter((c) => c.type !== 'comment');
  for (let i = 0; i < argIndex && i < list.length; i++) {
    const arg = list[i]!;
    if ((arg.type === 'string_literal' || arg.type === 'concatenated_string') && arg.text.includes('%')) return true;
  }
  return false;
}

/** The assignment whose left side `node` is (through parentheses). */
function assignmentAround(node: SyntaxNode, parentOf: (node: SyntaxNode) => SyntaxNode | null): SyntaxNode | undefined {
  let parent = parentOf(node);
  while (parent?.type === 'parenthesized_expression') parent = parentOf(parent);
  return parent?.type === 'assignment_expression' ? parent : undefined;
}

/** The variable a status call's result is stored in, and the stretch of the function where it still holds that result. */
function statusVariable(site: AcquireSite, cfg: Cfg): { name: string; mentioned: RegExp; after: number; until: number; success?: boolean } | undefined {
  const flag = comparisonFlag(site.node);
  const name = flag ? flag.name : resultVariable(site.node);
  if (!name || !IDENT.test(name)) return undefined;
  return { name, mentioned: new RegExp(`\\b${name}\\b`), after: site.node.endIndex, until: nextAssignment(cfg, name, site.node), ...(flag?.success ? { success: true } : {}) };
}

/**
 * `file_err = dup(file_out)`: the descriptor a duplicate was made of (a plain variable), from the
 * call to its next assignment. A test saying it is negative there says the copy was never made.
 */
function duplicatedVariable(site: AcquireSite, cfg: Cfg, resources: ResourceCatalog): { name: string; mentioned: RegExp; after: number; until: number } | undefined {
  const index = resources.acquire(site.callee)?.duplicatesArg;
  const arg = index === undefined ? undefined : callArguments(site.node)[index];
  const name = arg ? squeeze(unwrap(arg).text) : undefined;
  if (!name || !IDENT.test(name) || name === site.variable) return undefined;
  return { name, mentioned: new RegExp(`\\b${name}\\b`), after: site.node.endIndex, until: nextAssignment(cfg, name, site.node) };
}


/**
 * `pipe_error = (pipe(fd) < 0);`, `ok = socketpair(…) == 0;`: a variable holding the call's
 * failure (or success) test, true when it failed (succeeded). A failure flag is read like the
 * status itself (true: failed); a success flag the other way round.
 */
function comparisonFlag(call: SyntaxNode): { name: string; success: boolean } | undefined {
  let comparison = call.parent;
  while (comparison?.type === 'parenthesized_expression') comparison = comparison.parent;
  const compared = comparison?.type === 'binary_expression' ? comparison.childForFieldName('left') : null;
  if (!comparison || !compared || unwrap(compared).id !== call.id) return undefined;
  const op = comparison.childForFieldName('operator')?.type ?? '';
  const constant = squeeze(comparison.childForFieldName('right')?.text ?? '');
  const failure = (op === '<' && constant === '0') || (op === '==' && constant === '-1') || (op === '!=' && constant === '0');
  const success = (op === '>=' && constant === '0') || (op === '!=' && constant === '-1') || (op === '==' && constant === '0');
  if (!failure && !success) return undefined;
  const name = resultVariable(comparison);
  return name ? { name, success } : undefined;
}

