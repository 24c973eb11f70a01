import { escapeRegExp } from '../../core/util/regexp.js';
import { blankComments } from '../../core/syntax/c-text.js';
import { calleeName } from '../../core/syntax/nodes.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';

/**
 * A handle acquired into a field of an object this function allocated and has not yet handed to
 * anyone (`c = calloc(1, sizeof *c); c->fd = accept(…)`): the object and its handle are the
 * function's own until the object is returned, stored or passed on. Freeing the object with the
 * handle open (`free(c)`, `delete c`) loses the handle, as leaving the function does.
 */

/**
 * Allocators whose memory nothing else knows about yet: the C library's, the common `x`/`z`
 * wrappers, GLib's, C++ `new`. Not pool or context allocators (talloc, APR pools), whose owner
 * frees the object (and may run a destructor that closes its handles).
 */
const ALLOCATOR = /^(?:(?:x|z|e|s|safe_|g_|g_try_|av_|OPENSSL_|os_|mem_)?(?:malloc0?|calloc|zalloc|mallocz|zmalloc|zcalloc)|g_new0?|g_slice_new0?|xnew0?)$/;

/** Deallocators that free the object and nothing else: no destructor of the project's runs. */
const DEALLOCATOR = /^(?:(?:x|z|e|c|g_|av_|OPENSSL_|os_)?free)$/;

const HOLDER_FIELD = /^([A-Za-z_]\w*)->([A-Za-z_]\w*)$/;

/**
 * The local pointer holding `variable` (`c` of `c->fd`) if the function allocated it with one of
 * ALLOCATOR before the acquire at `site`, and used it since only through its fields, its size and
 * its null test: undefined otherwise (a parameter's object, a project constructor that registers
 * it, an object already added to a list belong to someone else).
 */
export function allocatedHolder(variable: string, fn: SyntaxNode, site: SyntaxNode, locals: ReadonlyMap<string, string>): string | undefined {
  const field = HOLDER_FIELD.exec(variable);
  if (!field) return undefined;
  const holder = field[1]!;
  const type = locals.get(holder);
  if (type === undefined || type.startsWith('static') || !type.includes('*')) return undefined;
  const before = blankComments(fn.text.slice(0, site.startIndex - fn.startIndex));
  const name = escapeRegExp(holder);
  // The holder's last assignment before the acquire, and what it assigns.
  let last: RegExpExecArray | undefined;
  for (const m of before.matchAll(new RegExp(String.raw`(?<![\w.>])${name}\s*=(?!=)\s*(?:\([^()]*\)\s*)*(new\b|(?:::)?([A-Za-z_]\w*)\s*\()?`, 'g'))) last = m;
  if (!last || (last[1] !== 'new' && !(last[2] !== undefined && ALLOCATOR.test(last[2])))) return undefined;
  // `arg->state = state = calloc(…)`: stored in the same statement, someone else's from the start.
  const statementStart = Math.max(before.lastIndexOf(';', last.index), before.lastIndexOf('{', last.index), before.lastIndexOf('}', last.index));
  if (/(?<![=!<>])=(?!=)/.test(before.slice(statementStart + 1, last.index))) return undefined;
  // Since then: `c->x`, `sizeof(*c)`, `if (!c)`, `c == NULL`, `memset(c, …)` say nothing about
  // who owns it; any other mention may hand it on (`list_add(&head, c)`, `conns[i] = c`).
  const since = before
    .slice(last.index + holder.length)
    .replace(new RegExp(String.raw`(?<![\w.>])${name}\s*->`, 'g'), ' ')
    .replace(new RegExp(String.raw`\bsizeof\s*\(?\s*\*\s*${name}\b`, 'g'), ' ')
    .replace(new RegExp(String.raw`\b(?:memset|bzero|explicit_bzero)\s*\(\s*${name}\s*,`, 'g'), ' ')
    .replace(new RegExp(String.raw`(?<![\w.>])${name}\s*[!=]=\s*(?:NULL|nullptr|0)\b|\b(?:NULL|nullptr)\s*[!=]=\s*${name}\b|!\s*${name}\b|\b(?:if|assert)\s*\(\s*${name}\s*\)`, 'g'), ' ');
  for (const m of since.matchAll(new RegExp(String.raw`(?<![\w.>])${name}\b`, 'g'))) if (!printed(since, m.index!, holder.length)) return undefined;
  return holder;
}

/**
 * Is the mention at `at` an argument after a format string (`sprintf(c->path, "%s_%p.txt", name,
 * c)`, xplico's IRC channel naming its files by its address)? Printed, not handed on.
 */
function printed(text: string, at: number, length: number): boolean {
  if (!/^\s*[,)]/.test(text.slice(at + length, at + length + 8))) return false;
  const statementStart = Math.max(text.lastIndexOf(';', at), text.lastIndexOf('{', at), text.lastIndexOf('}', at));
  const before = text.slice(statementStart + 1, at);
  return /"[^;]*,\s*$/.test(before);
}

/** Is `mention` (the holder) the object a deallocator frees: `free(c)`, `g_free(c)`, `delete c`? */
export function freedHere(mention: SyntaxNode, parentOf: (node: SyntaxNode) => SyntaxNode | null): boolean {
  let child = mention;
  let parent = parentOf(mention);
  while (parent && (parent.type === 'parenthesized_expression' || parent.type === 'cast_expression')) {
    child = parent;
    parent = parentOf(parent);
  }
  if (parent?.type === 'delete_expression') return true;
  if (parent?.type !== 'argument_list' || parent.namedChildren[0]?.id !== child.id) return false;
  const call = parentOf(parent);
  const name = call?.type === 'call_expression' ? calleeName(call) : undefined;
  return name !== undefined && DEALLOCATOR.test(name);
}
