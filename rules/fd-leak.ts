import { innermostRealLoop, nodeEvaluating, type Cfg, type CfgEdge, type CfgNode } from '../core/flow/cfg.js';
import { branchSteps } from '../core/engine/code-path.js';
import { findPath } from '../core/flow/dataflow.js';
import { spanOf, type Span } from '../core/project/facts.js';
import { lineReference, type Fix, type RelatedLocation } from '../core/engine/findings.js';
import { acquireSites, takerReturned, O_GONE, O_INVALID, O_LENT, O_OWNED, ownershipProblem, stillOurs, type AcquireSite, type OwnershipFlow } from '../domain/descriptors/ownership.js';
import type { Rule, RuleContext } from '../core/engine/rule.js';
import { resourcesOf } from '../domain/descriptors/resources.js';
import { macrosIn } from '../core/project/macro-table.js';
import { DESCRIPTOR_PROVIDERS } from '../domain/descriptors/providers.js';
import { callGraphOf } from '../core/project/call-graph.js';
import type { SyntaxNode } from '../core/syntax/parser.js';
import { contains } from '../core/syntax/nodes.js';
import { isWordChar } from '../core/syntax/c-text.js';
import { escapeRegExp } from '../core/util/regexp.js';
import { declaringBlock, scopeExits } from '../domain/descriptors/scope.js';
import { passHangsOnLoopState } from '../domain/descriptors/loop-passes.js';
import { SOCKET_TEST_DECIDERS } from '../domain/descriptors/address-lengths.js';

/**
 * Incident 002: a service that stopped accepting ("Socket fd is too high") because descriptors
 * were opened and not closed on some paths. Reports each path from a successful acquire to a place
 * where the handle is lost while still open: a return, the end of the function, an overwrite, or a
 * continue into the next iteration that overwrites it.
 */
export const fdLeak: Rule = {
  meta: {
    id: 'fd-leak',
    title: 'Descriptor leak',
    shortDescription: 'A descriptor, FILE* or DIR* acquired in a function is still open on a path that leaves the function or overwrites it.',
    fullDescription:
      'A file descriptor (open, socket, accept, pipe, epoll_create, …), FILE* (fopen, popen, fdopen) or DIR* (opendir) is acquired and, on some path, ' +
      'neither closed nor handed to an owner (returned, stored in a field, global, array or out-parameter, or passed to a function that keeps it) ' +
      'before the function returns or the variable is overwritten. Each leaked descriptor stays open for the life of the process; ' +
      'under load the process runs into its descriptor limit and accept() fails with EMFILE.',
    defaultSeverity: 'error',
    tags: ['reliability', 'resource-leak', 'network'],
    cwe: ['CWE-775', 'CWE-404'],
    // 93 % (85–97 %) true on the two fresh held-out sets measured after the last change (docs/precision.md).
    precision: 'high',
    securitySeverity: 4.0,
    fixable: true,
  },
  providers: DESCRIPTOR_PROVIDERS,
  testDeciders: SOCKET_TEST_DECIDERS,
  check(ctx) {
    const byFunction = new Map<number, AcquireSite[]>();
    for (const site of acquireSites(ctx)) {
      const fact = ctx.file.facts.functions[site.fn]!;
      // Descriptors left open when main() returns are closed by the process exit; only one lost
      // in a pass of its loop (a server's accept loop in main) is lost again on the next pass.
      if (isMain(fact) && !site.call.inLoop) continue;
      const list = byFunction.get(site.fn);
      if (list) list.push(site);
      else byFunction.set(site.fn, [site]);
    }
    for (const [fn, sites] of byFunction) {
      const cfg = ctx.cfg(fn);
      if (!cfg) continue;
      // One finding per (handle, exit): accept4()/accept() in #if branches feed the same variable.
      const reported = new Set<string>();
      let findings = 0;
      for (const [i, site] of sites.entries()) {
        if (findings >= MAX_FINDINGS_PER_FUNCTION) {
          reportLeftOut(ctx, sites.slice(i));
          break;
        }
        findings += checkSite(ctx, cfg, site, reported);
      }
    }
  },
};

const NOUN = { descriptor: 'descriptor', stream: 'stream', directory: 'directory stream' } as const;

/**
 * Findings one function may have. Past it the function is generated or a test of limits (two
 * hundred descriptors with early returns between them): the rest of its acquisitions are not
 * checked, and a note says so.
 */
const MAX_FINDINGS_PER_FUNCTION = 100;

function reportLeftOut(ctx: RuleContext, sites: readonly AcquireSite[]): void {
  const first = sites[0]!;
  ctx.report({
    span: spanOf(first.node),
    message: `${sites.length} more ${sites.length === 1 ? 'acquisition' : 'acquisitions'} in this function, from this one on, not checked: fd-leak reports at most ${MAX_FINDINGS_PER_FUNCTION} findings per function`,
    severity: 'note',
    related: [],
    functionIndex: first.fn,
    anchorText: `left-out:${first.variable}`,
  });
}

/** Reports the site's leaks; answers how many findings that made. */
function checkSite(ctx: RuleContext, cfg: Cfg, site: AcquireSite, reportedExits: Set<string>): number {
  const sourceNode = nodeEvaluating(cfg, site.node);
  if (!sourceNode) return 0;
  const resources = resourcesOf(ctx, site.fn);
  const problem = ownershipProblem(cfg, site, sourceNode, resources, ctx.index, macrosIn(ctx.file, ctx.index, site.fn), ctx.file.recovery?.originalText);
  if (!problem.mayStayOpen()) return 0;
  const flow = problem.solve();
  const owned = (edge: CfgEdge) => stillOurs(flow.along(edge) ?? 0);
  // A handle in a variable declared inside a block (a loop body) is lost where control leaves the
  // block; paths are never shown through that edge, nor returns outside the block reported.
  // Not when the handle leaves the block lent to a call whose result is tested outside it
  // (`f = fdopen(fd, "r")` in the block, `if (!f) return -1;` after it): it is lost there.
  const declared = declaringBlock(cfg.function, site.variable, site.node);
  const exitsOfDeclared = declared ? scopeExits(cfg, declared) : [];
  const lentOut = exitsOfDeclared.some((exit) => {
    const state = flow.along(exit.edge) ?? 0;
    return (state & O_LENT) !== 0 && (state & O_GONE) !== 0;
  });
  const block = lentOut ? undefined : declared;
  // An exit the acquire reaches only by leaving the block first holds no handle of this pass (a
  // `continue` at the top of a loop body, before the declaration or before `s = socket(…)`): one
  // open there is the previous pass's, lost where that pass left the block (reported there).
  const exitEdges = new Set(exitsOfDeclared.map((exit) => exit.edge));
  const inThisPass = (exit: { from: CfgNode }) => exit.from === sourceNode || findPath(sourceNode, exit.from, (edge) => !exitEdges.has(edge)) !== undefined;
  const blockExits = lentOut ? [] : exitsOfDeclared.filter(inThisPass);
  const leavesBlock = new Set(blockExits.map((exit) => exit.edge));
  const outsideBlock = (node: CfgNode) => block !== undefined && !(node.syntax !== undefined && contains(block, node.syntax));
  // Paths are shown through edges where the handle is ours or lent to a call whose result is tested later.
  const traversable = (edge: CfgEdge) => ((flow.along(edge) ?? 0) & (O_OWNED | O_LENT)) !== 0 && !leavesBlock.has(edge);
  const reported = {
    has: (id: number) => reportedExits.has(`${site.variable}@${id}`),
    add: (id: number) => reportedExits.add(`${site.variable}@${id}`),
  };
  const what = `${NOUN[site.kind]} '${site.variable}' from ${site.callee}() ${lineReference(site.call.line)}`;
  const leaks: LeakExit[] = [];

  // Leaving the function with the handle still open (not one held in storage that outlives it).
  for (const edge of site.overwriteOnly ? [] : cfg.exit.preds) {
    const exit = edge.from;
    // A `throw` no handler of the function catches leaves it like a return (an exception from a
    // call may not, and is not followed).
    const isThrow = exit.kind === 'jump' && exit.jump === 'throw';
    const isReturn = exit.kind === 'jump' && (exit.jump === 'return' || exit.jump === 'co_return' || isThrow);
    // Every way of falling off the end is one exit: the closing brace.
    const exitKey = isReturn ? exit.id : -1;
    if ((edge.exceptional && !isThrow) || !owned(edge) || reported.has(exitKey)) continue;
    if (exit.kind === 'jump' && exit.jump === 'goto') continue; // a goto to a label we could not resolve
    if (outsideBlock(exit) || leavesBlock.has(edge)) continue; // reported where it left the block
    reported.add(exitKey);
    const span = isReturn ? spanOf(exit.syntax!) : closingBrace(cfg);
    // `return fdopen(s, mode);`: open here only where the wrapping call fails (no close can go before it).
    const wrapper = isReturn && !isThrow && !exit.viaMacro ? takerReturned(exit.syntax!, site.variable, resources) : undefined;
    const message = wrapper
      ? `${what} is still open when this return leaves the function if ${wrapper}() fails (it returns NULL, and the descriptor stays open)`
      : isReturn
        ? `${what} is still open when this ${exit.viaMacro ? `'${macroName(exit)}' ${isThrow ? 'throws out of' : 'returns from'}` : isThrow ? 'throw leaves' : 'return leaves'} the function`
        : `${what} is still open when the function ends here`;
    leaks.push({ kind: 'function', at: exit, span, message, fixable: isReturn && !exit.viaMacro && !wrapper });
  }

  // Leaving the block that declares the variable with the handle still open.
  for (const { edge, from } of site.overwriteOnly ? [] : blockExits) {
    const isJump = from.kind === 'jump' && from.jump !== 'throw' && !from.viaMacro;
    // Every way of falling off the block's end is one exit: its closing brace.
    const exitKey = isJump ? from.id : -2 - block!.startIndex;
    if (!owned(edge) || reported.has(exitKey)) continue;
    reported.add(exitKey);
    const message = isJump
      ? `${what} is still open when this '${from.jump}' leaves the block that declares '${site.variable}'`
      : `${what} is still open at the end of the block that declares '${site.variable}'`;
    leaks.push({ kind: 'block', at: from, span: isJump ? spanOf(from.syntax!) : closingBraceOf(block!), message, fixable: isJump });
  }

  // Freeing the object that holds the handle (`free(c)` with `c->fd` open).
  for (const node of flow.frees) {
    const before = flow.before(node);
    if (before === undefined || !stillOurs(before) || reported.has(node.id) || outsideBlock(node)) continue;
    reported.add(node.id);
    const freed = freeText(node);
    leaks.push({ kind: 'freed', at: node, span: spanOf(node.syntax!), message: `${what} is still open when ${freed} frees the object that holds it`, fixable: true });
  }

  // A field of an object reached through a local declared in an inner block (`plain_bundle &b =
  // all[i];` or `struct conn *c = conns[i];` in a loop's body): each pass of the block holds
  // another object, so acquiring into it again is not an overwrite of this one.
  const holderName = site.overwriteOnly ? /^([A-Za-z_]\w*)(?:\.|->)/.exec(site.variable)?.[1] : undefined;
  const holderPerPass = holderName !== undefined && declaringBlock(cfg.function, holderName, site.node) !== undefined;

  // Overwriting the variable (or acquiring into it again) while it still holds an open handle.
  for (const node of holderPerPass ? flow.overwrites : [...flow.overwrites, sourceNode]) {
    const before = flow.before(node);
    // Only a handle known to be open: `fd = a(); if (fd < 0) fd = b();` and #if-split fallbacks are fine.
    if (before === undefined || (before & O_OWNED) === 0) continue;
    // Known open on one way in at least (a retry loop's `continue` after a failed write, where
    // the other ways come with a failed acquire): the path goes that way.
    const openWay = (before & O_INVALID) === 0 ? undefined : knownOpenEdgeInto(node, flow);
    // Or never read before it is overwritten (`fh = fopen(…); if ((fh = fopen(…)) == NULL)`): a
    // fallback tests the first result first; this one discards it, open or not.
    const unread = (before & O_INVALID) !== 0 && !openWay ? overwrittenUnread(sourceNode, node, site.variable) : undefined;
    if ((before & O_INVALID) !== 0 && !openWay && !unread) continue;
    // An overwrite in an #ifdef block the acquire is not part of is another platform's alternative.
    if (node !== sourceNode && inOtherPreprocessorBranch(node.syntax!, site.node)) continue;
    const path = openWay ? pathThrough(sourceNode, openWay, node, traversable) : (unread ?? findPath(sourceNode, node, traversable));
    // That way must be a jump the code makes with the handle open (`continue`, `goto retry`, a `break`
    // out of an inner loop into the outer one's next pass), or a fall into the next pass that no
    // test of the loop's own state decides: counters do (`if (count > 1) close(s); count--; } while
    // (count > 0)`), a connect() that worked and no `break` after it does not.
    const jumped = path?.some((e) => e.from.kind === 'jump' && (e.from.jump === 'continue' || e.from.jump === 'goto' || e.from.jump === 'break'));
    // (A variable declared in the loop's body is a new one each pass: its loss is the block's end.)
    if (openWay && !jumped && (block || !path || passHangsOnLoopState(path, site.variable.replace(/[[.].*$/, ''), innermostRealLoop(node)?.syntax))) continue;
    // Reaching it only by leaving the declaring block is the leak reported there (a new variable here).
    if (block && !path) continue;
    // A `continue` on the way starts the iteration that overwrites; a `break` leaves a loop or a
    // switch, so the overwrite is reported where it is.
    const loopJump = path && [...path].reverse().find((e) => e.from.kind === 'jump' && e.from.jump === 'continue')?.from;
    const at = loopJump ?? node;
    if (reported.has(at.id)) continue;
    reported.add(at.id);
    const message = loopJump
      ? `${what} is still open when this '${loopJump.jump}' starts another iteration, which overwrites '${site.variable}'`
      : unread
        ? `${what} is overwritten here before anything reads it: if ${site.callee}() succeeded, it is still open`
        : `${what} is still open when '${site.variable}' is overwritten here`;
    leaks.push({ kind: 'overwrite', at, span: spanOf(at.syntax!), message, fixable: false, knownPath: path });
  }

  let findings = 0;
  for (const kind of isMain(ctx.file.facts.functions[site.fn]!) ? PER_PASS_KINDS : LEAK_KINDS) {
    const group = leaks.filter((l) => l.kind === kind).sort((a, b) => a.span.line - b.span.line || a.span.column - b.span.column);
    if (group.length === 0) continue;
    reportGroup(ctx, site, flow, traversable, group);
    findings++;
  }
  return findings;
}

/** Ways a handle is lost: one finding per handle and way, at the first place, the others as its notes. */
/**
 * An edge into `node`, through nodes that do nothing to the handle, along which it is known open
 * (owned, and no failed acquire among its states); undefined if every way in may hold a failure.
 */
function knownOpenEdgeInto(node: CfgNode, flow: OwnershipFlow): CfgEdge | undefined {
  const seen = new Set<number>([node.id]);
  const stack = [...node.preds];
  while (stack.length > 0) {
    const edge = stack.pop()!;
    const state = flow.along(edge) ?? 0;
    if ((state & O_OWNED) === 0) continue;
    if ((state & O_INVALID) === 0) return edge;
    const from = edge.from;
    if (from === flow.sourceNode || flow.affects(from) || seen.has(from.id)) continue;
    seen.add(from.id);
    stack.push(...from.preds);
  }
  return undefined;
}

/**
 * A path from the acquire to the overwrite at `to` on which nothing reads the variable, and the
 * overwrite itself does not read it (`fd = fd < 0 ? open(b) : fd` does); undefined if none.
 */
function overwrittenUnread(from: CfgNode, to: CfgNode, variable: string): CfgEdge[] | undefined {
  const overwrite = to.syntax?.text ?? '';
  const assigned = new RegExp(`(?<![\\w.>])${escapeRegExp(variable)}\\s*=(?!=)`);
  if (!assigned.test(overwrite) || mentions(overwrite.replace(assigned, ' '), variable)) return undefined;
  return findPath(from, to, (edge) => edge.to === to || !(edge.to.syntax !== undefined && mentions(edge.to.syntax.text, variable)));
}

/** A path from `from` to `to` that takes `via`. */
function pathThrough(from: CfgNode, via: CfgEdge, to: CfgNode, traversable: (e: CfgEdge) => boolean): CfgEdge[] | undefined {
  const head = via.from === from ? [] : findPath(from, via.from, traversable);
  const tail = via.to === to ? [] : findPath(via.to, to, traversable);
  return head && tail ? [...head, via, ...tail] : undefined;
}

const LEAK_KINDS = ['function', 'block', 'overwrite', 'freed'] as const;
/** In main(), only losses within a loop's pass: its exits are the process's. */
const PER_PASS_KINDS = ['block', 'overwrite', 'freed'] as const;

function isMain(fact: { readonly name: string; readonly className?: string }): boolean {
  return fact.name === 'main' && !fact.className;
}

interface LeakExit {
  readonly kind: (typeof LEAK_KINDS)[number];
  readonly at: CfgNode;
  readonly span: Span;
  readonly message: string;
  /** A release can be inserted before it (a jump statement of its own in a block). */
  readonly fixable: boolean;
  readonly knownPath?: CfgEdge[];
}

/** Other places of a group shown as notes; the message says how many there are in all. */
const MAX_OTHER_PLACES = 20;

const OTHER_PLACES: Record<LeakExit['kind'], (n: number) => string> = {
  function: (n) => `also at ${n} other ${n === 1 ? 'exit' : 'exits'} of the function`,
  block: (n) => `also at ${n} other ${n === 1 ? 'exit' : 'exits'} of the block`,
  overwrite: (n) => `also at ${n} other ${n === 1 ? 'overwrite' : 'overwrites'}`,
  freed: (n) => `also where the object is freed at ${n} other ${n === 1 ? 'place' : 'places'}`,
};

/**
 * One finding for a handle lost the same way at several places (a descriptor left open by ten
 * early returns is one bug, not ten): at the first, with its path; the others as notes, and a fix
 * that releases the handle before each of them.
 */
function reportGroup(ctx: RuleContext, site: AcquireSite, flow: OwnershipFlow, traversable: (e: CfgEdge) => boolean, group: readonly LeakExit[]): void {
  const [first, ...others] = group as [LeakExit, ...LeakExit[]];
  const shown = others.slice(0, MAX_OTHER_PLACES);
  const notes: RelatedLocation[] = shown.map((o) => ({ location: ctx.locate(o.span), message: `'${site.variable}' is also still open here` }));
  const message = others.length === 0 ? first.message : `${first.message}; ${OTHER_PLACES[first.kind](others.length)}${others.length > shown.length ? ` (the first ${shown.length} shown)` : ''}`;
  const fixes = first.fixable ? group.filter((g) => g.fixable).map((g) => insertReleaseFix(ctx, site, g.at)) : [];
  const fix = fixes.length > 0 && fixes.every((f) => f !== undefined) ? mergedFix(fixes as Fix[], first.at) : undefined;
  // Left in a loop's pass (a continue, the block's end, the next pass's overwrite), it leaks on every pass, at startup or not.
  const perPass = first.kind !== 'function' && site.call.inLoop;
  report(ctx, site, flow, traversable, first.at, first.span, message, fix, first.knownPath, notes, perPass);
}

/** The fixes of a group as one: the same release before each place. */
function mergedFix(fixes: readonly Fix[], first: CfgNode): Fix {
  if (fixes.length === 1) return fixes[0]!;
  const jump = first.kind !== 'jump' ? 'statement' : first.jump === 'co_return' ? 'co_return' : (first.jump ?? 'return');
  const others = first.kind !== 'jump' ? (fixes.length === 2 ? 'place' : 'places') : fixes.length === 2 ? 'exit' : 'exits';
  return { ...fixes[0]!, description: `${fixes[0]!.description.replace(/ before this \w+$/, '')} before this ${jump} and ${fixes.length - 1} other ${others}`, edits: fixes.flatMap((f) => f.edits) };
}

/**
 * A function every chain of callers leads back to `main` (or a constructor) without a loop runs
 * once per process, at startup: its leak is one descriptor at most, and the process usually exits
 * on that error anyway. Reported as a note that says so (issue 13's "caller exits" decision).
 */
function startupOnly(ctx: RuleContext, fn: number): boolean {
  const fact = ctx.file.facts.functions[fn];
  if (!fact || isMain(fact)) return false;
  // By position: in the LSP server the index holds the file in pieces, numbered otherwise (found by fuzzing).
  const graph = callGraphOf(ctx.index);
  const ref = graph.refOf(ctx.file.path, fact);
  return ref !== undefined && graph.isReachedOnlyFromStartup(ref).only;
}

/** A handle state in which the function still holds the handle (owned, or lent out for a call). */
const stillHeld = (state: number): boolean => (state & (O_OWNED | O_LENT)) !== 0;

function report(ctx: RuleContext, site: AcquireSite, flow: OwnershipFlow, traversable: (e: CfgEdge) => boolean, at: CfgNode, span: Span, message: string, fix: Fix | undefined, knownPath: CfgEdge[] | undefined, otherPlaces: readonly RelatedLocation[], perPass: boolean): void {
  const acquired = ctx.locate(spanOf(site.node));
  const once = !perPass && startupOnly(ctx, site.fn);
  const related: RelatedLocation[] = [{ location: acquired, message: `'${site.variable}' acquired by ${site.callee}() here` }, ...otherPlaces];
  const path = knownPath ?? (at === flow.sourceNode ? undefined : (flow.witness?.(at, traversable, stillHeld) ?? findPath(flow.sourceNode, at, traversable)));
  ctx.report({
    span,
    message: once ? `${message}; it runs only at startup (every caller leads back to main), so it leaks once at most` : message,
    ...(once ? { severity: 'note' as const } : {}),
    related,
    path: [
      { location: acquired, message: `${site.callee}() succeeds: '${site.variable}' is open` },
      ...(path ? branchSteps(ctx, path, (condition) => mentions(condition.text, site.variable)) : []),
      { location: ctx.locate(span), message: `'${site.variable}' is still open here` },
    ],
    fix,
    functionIndex: site.fn,
    anchorText: `${site.variable}:${at.syntax?.text ?? 'end'}`,
  });
}

function closingBrace(cfg: Cfg): Span {
  return closingBraceOf(cfg.function.childForFieldName('body') ?? cfg.function);
}

/** The block's closing brace; when the text ends before it (the brace is missing), its last token. */
function closingBraceOf(body: SyntaxNode): Span {
  const last = body.lastChild;
  if (last && last.type === '}' && !last.isMissing) {
    const end = body.endPosition;
    return { line: end.row + 1, column: Math.max(1, end.column), endLine: end.row + 1, endColumn: Math.max(2, end.column + 1) };
  }
  return spanOf(lastToken(body) ?? body);
}

/** The last token written in `node`: no missing token the parser made up, no comment. */
function lastToken(node: SyntaxNode): SyntaxNode | undefined {
  for (let i = node.childCount - 1; i >= 0; i--) {
    const child = node.child(i)!;
    if (child.isMissing || child.type === 'comment' || child.endIndex === child.startIndex) continue;
    return child.childCount === 0 ? child : (lastToken(child) ?? child);
  }
  return undefined;
}

/** `free(c)`, `delete c`: the statement's freeing expression as written, for the message. */
function freeText(node: CfgNode): string {
  const text = node.syntax!.text.replace(/\s+/g, ' ').trim();
  return /(?:\b\w*free\s*\([^()]*\)|\bdelete\b(?:\s*\[\s*\])?\s*[A-Za-z_]\w*)/.exec(text)?.[0] ?? 'this statement';
}

function macroName(node: CfgNode): string {
  return /^\s*([A-Za-z_]\w*)/.exec(node.syntax?.text ?? '')?.[1] ?? 'macro';
}

/** `close(fd);` before a return (or continue, break, goto) that sits in a block (inserting before `if (x) return;` would change the code). */
function insertReleaseFix(ctx: RuleContext, site: AcquireSite, exit: CfgNode): Fix | undefined {
  const statement = exit.syntax!;
  if (statement.parent?.type !== 'compound_statement') return undefined;
  const line = ctx.file.lines.lineText(statement.startPosition.row);
  const indent = /^\s*/.exec(line)![0];
  if (line.slice(0, statement.startPosition.column).trim() !== '') return undefined;
  const start = spanOf(statement);
  return {
    description: `Insert '${site.release}(${site.variable});' before this ${exit.kind !== 'jump' ? 'statement' : exit.jump === 'co_return' ? 'co_return' : exit.jump ?? 'return'}`,
    edits: [{ location: ctx.locate({ line: start.line, column: start.column, endLine: start.line, endColumn: start.column }), newText: `${site.release}(${site.variable});\n${indent}` }],
    preferred: true,
  };
}

function inOtherPreprocessorBranch(statement: SyntaxNode, acquire: SyntaxNode): boolean {
  for (let p = statement.parent, depth = 0; p && depth < 8 && p.type !== 'function_definition'; p = p.parent, depth++) {
    if (p.type.startsWith('preproc_') && p.type !== 'preproc_call') return !(p.startIndex <= acquire.startIndex && acquire.endIndex <= p.endIndex);
  }
  return false;
}

/** `text` names `variable` (a whole name, or the array it is an element of). */
function mentions(text: string, variable: string): boolean {
  const name = /^[A-Za-z_]\w*/.exec(variable)?.[0] ?? variable;
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = at > 0 ? text.charCodeAt(at - 1) : 32;
    const after = at + name.length < text.length ? text.charCodeAt(at + name.length) : 32;
    if (!isWordChar(before) && !isWordChar(after)) return true;
  }
  return false;
}
