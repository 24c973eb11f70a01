import type { SyntaxNode } from '../../core/syntax/parser.js';
import { callArguments, calleeName, childrenForField, declaredName, squeeze, unwrap } from '../../core/syntax/nodes.js';
import { withoutCasts } from '../../core/syntax/c-text.js';
import type { TestDecider } from '../../core/flow/cfg.js';

/**
 * The address length `accept()` gives back on a socket of one fixed-size family. A server that
 * accepts into a `struct sockaddr_in` and then checks `if (sasize != sizeof(struct sockaddr_in))`
 * (UltraVNC's repeater) or `if (addrlen == sizeof(addr))` (Duktape's event loop example) tests
 * something that is always so: the kernel writes the size of the peer's address, the same
 * `sizeof` the length started with, and a failed accept leaves it unchanged. The CFG takes such a
 * test as decided (a test decider the rules that read CFGs of socket code give the engine), so no
 * path leaves with the accepted socket open on the "other size" branch.
 *
 * Only where the function gives the length no other value (every assignment is that `sizeof`)
 * and lends it to nothing but accept calls into buffers of that one family: `struct sockaddr_in`
 * or `struct sockaddr_in6` (a `sockaddr_un` or `sockaddr_storage` length does vary).
 */

type Family = 'in' | 'in6';

const ACCEPT = /^(?:accept|accept4)$/;
const FIXED_FAMILY = /^(?:struct)?sockaddr_(in6?)$/;

/** Lengths (by variable name) that always hold the size of one family's address, with that family; and the function's buffers of each family. */
interface AddressLengths {
  readonly lengths: ReadonlyMap<string, Family>;
  readonly buffers: ReadonlyMap<string, Family>;
}

function fixedAddressLengths(fn: SyntaxNode): AddressLengths {
  const text = fn.text;
  if (!/\baccept4?\s*\(/.test(text) || !/sockaddr_in/.test(text)) return NO_LENGTHS;
  const buffers = fixedFamilyBuffers(fn);
  if (buffers.size === 0) return NO_LENGTHS;
  const lengths = new Map<string, Family | null>();
  let lent = 0;
  for (const call of fn.descendantsOfType('call_expression')) {
    if (!ACCEPT.test(calleeName(call) ?? '')) continue;
    const args = callArguments(call);
    const buffer = /^&([A-Za-z_]\w*)$/.exec(withoutCasts(squeeze(args[1]?.text ?? '')))?.[1];
    const length = /^&([A-Za-z_]\w*)$/.exec(squeeze(args[2]?.text ?? ''))?.[1];
    if (!length) continue;
    lent++;
    const family = buffer ? buffers.get(buffer) : undefined;
    const known = lengths.get(length);
    lengths.set(length, family && (known === undefined || known === family) ? family : null);
  }
  if (lengths.size === 0) return NO_LENGTHS;
  // Lent to anything else (`getpeername(s, &sa, &len)`, a helper) it may come back changed.
  for (const [name] of lengths) if ((text.match(new RegExp(`&\\s*${name}\\b`, 'g'))?.length ?? 0) > lent) lengths.set(name, null);
  for (const node of fn.descendantsOfType(['assignment_expression', 'init_declarator', 'update_expression', 'parameter_declaration'])) {
    const assignment = node.type === 'assignment_expression';
    const declarator = node.childForFieldName('declarator');
    const name = node.type === 'update_expression' ? node.childForFieldName('argument')?.text : assignment ? node.childForFieldName('left')?.text : declarator ? declaredName(declarator) : undefined;
    if (!name || !lengths.get(name)) continue;
    const value = node.type === 'init_declarator' || assignment ? node.childForFieldName(assignment ? 'right' : 'value') : null;
    const sized = value && (!assignment || node.childForFieldName('operator')?.type === '=') ? sizeFamily(value.text, buffers) : undefined;
    if (sized !== lengths.get(name)) lengths.set(name, null);
  }
  const fixed = new Map([...lengths].filter((entry): entry is [string, Family] => entry[1] !== null));
  return fixed.size === 0 ? NO_LENGTHS : { lengths: fixed, buffers };
}

const NO_LENGTHS: AddressLengths = { lengths: new Map(), buffers: new Map() };

/** Local variables and parameters declared as `struct sockaddr_in` or `struct sockaddr_in6` (not pointers or arrays). */
function fixedFamilyBuffers(fn: SyntaxNode): Map<string, Family> {
  const buffers = new Map<string, Family>();
  for (const declaration of fn.descendantsOfType(['declaration', 'parameter_declaration'])) {
    const family = FIXED_FAMILY.exec((declaration.childForFieldName('type')?.text ?? '').replace(/\s+/g, ''))?.[1] as Family | undefined;
    if (!family) continue;
    for (const declarator of childrenForField(declaration, 'declarator')) {
      const plain = declarator.type === 'identifier' ? declarator : declarator.type === 'init_declarator' ? declarator.childForFieldName('declarator') : null;
      if (plain?.type === 'identifier') buffers.set(plain.text, family);
    }
  }
  return buffers;
}

/** `sizeof(struct sockaddr_in)`, `sizeof addr`, `(socklen_t)sizeof(sa)` → the family whose size it is. */
function sizeFamily(text: string, buffers: ReadonlyMap<string, Family>): Family | undefined {
  const operand = /^sizeof\s*(?:\(\s*([^()]+?)\s*\)|([A-Za-z_]\w*))$/.exec(withoutCasts(squeeze(text)));
  const named = operand?.[1] ?? operand?.[2];
  if (!named) return undefined;
  return buffers.get(named) ?? (FIXED_FAMILY.exec(named.replace(/\s+/g, ''))?.[1] as Family | undefined);
}

/** `sasize != sizeof(struct sockaddr_in)` (false), `addrlen == sizeof(addr)` (true) for such a length; else undefined. */
function fixedAddressLengthTest(condition: SyntaxNode, { lengths, buffers }: AddressLengths): boolean | undefined {
  const expr = unwrap(condition);
  if (expr.type !== 'binary_expression') return undefined;
  const op = expr.childForFieldName('operator')?.type ?? '';
  const left = expr.childForFieldName('left');
  const right = expr.childForFieldName('right');
  if (!left || !right || !['==', '!=', '<', '>', '<=', '>='].includes(op)) return undefined;
  const decide = (length: SyntaxNode, size: SyntaxNode, ordered: string): boolean | undefined => {
    const family = lengths.get(squeeze(withoutCasts(unwrap(length).text)));
    if (!family || sizeFamily(size.text, buffers) !== family) return undefined;
    return ordered === '==' || ordered === '<=' || ordered === '>=';
  };
  const mirrored: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };
  return decide(left, right, op) ?? decide(right, left, mirrored[op]!);
}

/** The decider: for a function that accepts into such buffers, the test of their lengths. */
export const acceptAddressLengths: TestDecider = (fn) => {
  const found = fixedAddressLengths(fn);
  return found.lengths.size === 0 ? undefined : (condition) => fixedAddressLengthTest(condition, found);
};

/** What socket code's rules give the engine to decide tests with. */
export const SOCKET_TEST_DECIDERS: readonly TestDecider[] = [acceptAddressLengths];
