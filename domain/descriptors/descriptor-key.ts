/**
 * Keys that name "the same descriptor" across functions and files, so that an EPOLLET
 * registration of `srv->listen_fd` in poller.c is matched with `accept(srv->listen_fd, …)` in
 * server.c.
 *
 *   global:NAME                  a file-scope variable (matched project-wide by name)
 *   local:FILE:FUNCTION:NAME     a local variable of one function
 *   param:FILE:FUNCTION:INDEX    a parameter: resolved through the call sites of FUNCTION
 *   field:TYPE.NAME              a struct/class member; TYPE is `*` when the base's type is unknown
 *   name:FILE:FUNCTION:NAME      an identifier seen from facts only (local or global, unknown which)
 */
import type { ScopeInfo } from '../../core/project/facts.js';
import { balancedParentheses } from '../../core/syntax/c-text.js';

export type { ScopeInfo };

const IDENT = /^[A-Za-z_]\w*$/;

/** Field names that say "a descriptor" without saying whose. */
const GENERIC_FIELDS = new Set(['fd', 'sock', 'sockfd', 'socket', 's', 'sd', 'handle', 'fd_', 'sock_', 'socket_', 'm_fd', 'm_sock', '_fd', 'file_descriptor']);

/** Strips casts, parentheses, `&` and `*` so `(int)(s->fd)` and `s->fd` agree. */
function strip(expr: string): string {
  let text = expr.replace(/\s+/g, '');
  for (;;) {
    const before = text;
    text = text.replace(/^\((?:const)?(?:int|unsigned|SOCKET|evutil_socket_t|socket_t|intptr_t|long)\)/, '');
    if (/^\(.*\)$/.test(text) && balancedParentheses(text.slice(1, -1))) text = text.slice(1, -1);
    text = text.replace(/^static_cast<[^>]*>\((.*)\)$/, '$1');
    // `SLAP_FD2SOCK(sl->sl_sd)` (OpenLDAP), `tb_fd2sock(fd)`: a descriptor's socket handle, the
    // descriptor itself where descriptors are sockets.
    const converted = /^\w*(?:fd2sock|sock2fd)\w*\((.*)\)$/i.exec(text);
    if (converted && balancedParentheses(converted[1]!)) text = converted[1]!;
    if (text === before) return text;
  }
}

/** The struct/class name in a type spelling: `struct server *` → `server`, `const Listener&` → `Listener`. */
export function typeName(type: string): string | undefined {
  const words = type.replace(/[*&]/g, ' ').split(/\s+/).filter((w) => w && !/^(struct|class|union|const|volatile|static|register|unsigned|signed|enum)$/.test(w));
  const last = words[words.length - 1];
  if (!last) return undefined;
  return last.replace(/^.*::/, '').replace(/<.*$/, '');
}

/** Key of a descriptor expression as written inside a function. Undefined for non-lvalue shapes. */
export function descriptorKey(expression: string, scope: ScopeInfo): string | undefined {
  const text = strip(expression);
  if (IDENT.test(text)) return identifierKey(text, scope);
  const member = /^(.*?)(->|\.)([A-Za-z_]\w*)$/.exec(text);
  if (member) {
    const base = strip(member[1]!);
    const field = member[3]!;
    const key = `field:${baseType(base, scope) ?? nestedBaseType(base, scope) ?? '*'}.${field}`;
    // `c->fd` names any connection's descriptor: the same struct often holds listeners and clients
    // (nginx's ngx_connection_t). Such generic fields only match through the same base variable.
    return GENERIC_FIELDS.has(field) && base !== 'this' && base !== '*this' ? `${key}@${base.replace(/^.*(->|\.)/, '')}` : key;
  }
  return undefined;
}

function identifierKey(name: string, scope: ScopeInfo): string {
  const param = scope.params.findIndex((p) => p.name === name);
  if (param >= 0) return `param:${scope.file}:${scope.functionName}:${param}`;
  if (scope.locals?.has(name)) return `local:${scope.file}:${scope.functionName}:${name}`;
  if (scope.locals && scope.globals?.has(name)) return `global:${name}`;
  // A method's bare name that is no local is its class's member; at a call site seen from facts
  // alone (no locals known: a wrapper's call expanded), a member of the caller's class too.
  if (scope.className && !scope.locals?.has(name) && !scope.globals?.has(name)) return `field:${scope.className}.${name}`;
  if (scope.locals) return `global:${name}`;
  return `name:${scope.file}:${scope.functionName}:${name}`;
}

function baseType(base: string, scope: ScopeInfo): string | undefined {
  if (base === 'this' || base === '*this') return scope.className;
  const name = base.replace(/^\*/, '');
  if (!IDENT.test(name)) return undefined;
  const param = scope.params.find((p) => p.name === name);
  if (param) return typeName(param.type);
  const local = scope.locals?.get(name);
  return local ? typeName(local) : undefined;
}

/**
 * A member of a member, from a variable of known type: `w->fds.main` → `io_watcher.fds.main`, so
 * `w->fds.main.listen_fd` is `field:io_watcher.fds.main.listen_fd` (not every struct's `listen_fd`).
 */
function nestedBaseType(base: string, scope: ScopeInfo): string | undefined {
  const chain = /^([A-Za-z_]\w*)((?:\s*(?:->|\.)\s*[A-Za-z_]\w*)+)$/.exec(base);
  if (!chain) return undefined;
  const root = baseType(chain[1]!, scope);
  return root ? root + chain[2]!.replace(/\s+/g, '').replace(/->/g, '.') : undefined;
}

/** Whether two keys can name the same descriptor. */
export function keysMatch(a: string, b: string): boolean {
  if (a === b) return true;
  return oneWay(a, b) || oneWay(b, a);
}

function oneWay(a: string, b: string): boolean {
  if (a.startsWith('name:')) {
    // The function may be qualified (`Listener::start`): the name is after the last colon.
    const rest = a.slice('name:'.length);
    const name = rest.slice(rest.lastIndexOf(':') + 1);
    return b === `local:${rest}` || b === `global:${name}`;
  }
  // A field of unknown type and any field of that name (of a member of a member too: the last name).
  if (a.startsWith('field:*.') && b.startsWith('field:')) {
    return a.slice(a.indexOf('.') + 1) === b.slice(b.lastIndexOf('.') + 1);
  }
  // A member used bare in a method (`fd_`) and through the object elsewhere (`srv->fd_`).
  if (a.startsWith('field:') && b.startsWith('field:') && a.includes('@') !== b.includes('@')) return false;
  return false;
}

/** The last identifier of a key: the bucket the index files it under. */
export function keyBaseName(key: string): string {
  const m = /\b([A-Za-z_]\w*)$/.exec(key);
  return m ? m[1]! : key;
}
