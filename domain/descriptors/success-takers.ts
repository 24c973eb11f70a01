import type { FunctionFact } from '../../core/project/facts.js';
import type { ProjectIndex } from '../../core/project/project-index.js';
import type { FactsProvider } from '../../core/project/provider.js';
import type { SyntaxNode } from '../../core/syntax/parser.js';
import { blankComments } from '../../core/syntax/c-text.js';
import { escapeRegExp } from '../../core/util/regexp.js';
import { markedInEveryDefinition, type ParamsItem } from './summaries.js';

/**
 * Project constructors that take a descriptor only when they work: xftpd's
 * `struct proxy_connection *proxy_new(int fd)` returns NULL when its malloc fails, before it stores
 * `fd` in the object (`proxy->in.fd = fd; … return proxy;`). A caller's `cnx = proxy_new(fd_in);
 * if (!cnx) return 1;` still owns the descriptor on the failure branch, as with `fdopen()`: the
 * handle is lent to the call, and the result tells whether it was kept. So do project wrappers
 * of fdopen() returning their own object (allegro5's `al_fopen_fd`).
 */

export interface SuccessTakers {
  /** Does every definition of `name` keep its parameter `index` only in the object it returns, returning null before? */
  takesOnSuccess(name: string, index: number): boolean;
}

export const successTakersProvider: FactsProvider<ParamsItem, SuccessTakers> = {
  id: 'success-takers',
  extract(file) {
    const out: ParamsItem[] = [];
    if (!NULL_RETURN.test(file.text)) return out;
    file.functions.forEach((fact, i) => {
      const params = takenOnSuccess(fact, file.functionNodes[i]!);
      if (params.length > 0) out.push({ fn: i, params });
    });
    return out;
  },
  build(index: ProjectIndex): SuccessTakers {
    return { takesOnSuccess: markedInEveryDefinition(index, successTakersProvider) };
  },
};

/** `return NULL;`, `return (0);`, `return nullptr;`: a pointer function's failure. */
const NULL_RETURN = /\breturn\s*\(?\s*(?:NULL|nullptr|0)\s*\)?\s*;/;

/** A descriptor or stream parameter: `int fd`, `SOCKET s`, `FILE *f`. */
const HANDLE_PARAMETER = /^(?:const\s+)?(?:int|SOCKET|socket_t|fd_t|FILE\s*\*)$/;

/**
 * The parameters a function returning a pointer stores, once, into a field of the object it then
 * returns (`obj->in.fd = fd; … return obj;`), after a `return NULL;` that comes first, and closes
 * nowhere: where the function fails, the caller still has the handle.
 */
function takenOnSuccess(fact: FunctionFact, fnNode: SyntaxNode): number[] {
  if (fnNode.childForFieldName('declarator')?.type !== 'pointer_declarator') return [];
  const body = fnNode.childForFieldName('body');
  if (!body) return [];
  const text = blankComments(body.text);
  const out: number[] = [];
  fact.params.forEach((param, i) => {
    if (param.name === '' || !HANDLE_PARAMETER.test(param.type.replace(/\s+/g, ' ').trim())) return;
    const name = escapeRegExp(param.name);
    // (A field of the same name, `proxy->in.fd`, is no mention.)
    const mentions = [...text.matchAll(new RegExp(String.raw`(?<![.>]\s*)\b${name}\b`, 'g'))].length;
    // Its one use hands it to fdopen() or fdopendir(), which keep it only when they work (allegro5's
    // `al_fopen_fd(int fd, const char *mode)`, which returns NULL when its malloc or fdopen fails).
    if (mentions === 1 && new RegExp(String.raw`\b(?:fdopen|fdopendir)\s*\(\s*${name}\s*[,)]`).test(text)) {
      out.push(i);
      return;
    }
    const stores = [...text.matchAll(new RegExp(String.raw`\b([A-Za-z_]\w*)\s*->\s*[\w.>-]*?\s*=\s*${name}\s*;`, 'g'))];
    if (stores.length !== 1) return;
    const store = stores[0]!;
    const holder = escapeRegExp(store[1]!);
    // Every other mention of the parameter is a read (no close, no passing it on before the store).
    if (mentions !== 1 || new RegExp(String.raw`\w*close\w*\s*\(\s*${name}\s*\)`).test(text)) return;
    if (!new RegExp(String.raw`\breturn\s*\(?\s*${holder}\s*\)?\s*;`).test(text.slice(store.index!))) return;
    if (!NULL_RETURN.test(text.slice(0, store.index!))) return;
    out.push(i);
  });
  return out;
}
