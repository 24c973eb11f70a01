import { createRequire } from 'node:module';
import type Parser from 'tree-sitter';

type SyntaxNode = Parser.SyntaxNode;

/**
 * Cheaper SyntaxNode objects for node-tree-sitter 0.25. Every node the analyses touch is a JS
 * object the binding builds from a shared transfer array: the native call fills the array, then
 * `unmarshalNode` turns each slot group into an object through the node class's constructor, which
 * defines `tree` with Object.defineProperty (slow on every object) and computes a BigInt id for a
 * cache connlint has switched off. On a 430-line function, namedChildren spends two thirds of its
 * time there; building the same objects with a plain property halves that (measured: 582
 * namedChildren calls, 1,188 children, 3.5–3.9 ms with the library's getters, 1.9–2.1 ms lean).
 *
 * The lean accessors call the same native methods and read the same transfer array; they differ
 * only in how the object is made. They are installed only if, on a sample parse, they return the
 * same nodes as the library's own accessors for every node (so a binding that lays nodes out
 * differently keeps its own). Tree roots, cursor nodes and query captures still come from the
 * library: nodes of both makes behave the same (same prototype, slots and `tree`).
 */

/** A node's slots in the transfer array: id (low, high), start byte, row, column, alias. */
const NODE_FIELD_COUNT = 6;
const ERROR_TYPE_ID = 0xffff;

interface Binding {
  readonly NodeMethods: Record<string, (tree: unknown, ...args: unknown[]) => unknown>;
  readonly nodeTransferArray: Uint32Array;
}

type NodeSlots = SyntaxNode & Record<number, number>;
type TreeWithLanguage = Parser.Tree & { language: { nodeSubclasses: (new (tree: Parser.Tree) => SyntaxNode)[] } };

/** Accessors returning one node, and those returning a list (getters and methods). */
const ONE_NODE_GETTERS = ['parent', 'firstChild', 'firstNamedChild', 'lastChild', 'lastNamedChild', 'nextSibling', 'nextNamedSibling', 'previousSibling', 'previousNamedSibling'] as const;
const NODE_LIST_GETTERS = ['children', 'namedChildren'] as const;
const ONE_NODE_METHODS = ['child', 'namedChild', 'childForFieldName', 'childForFieldId', 'firstChildForIndex', 'firstNamedChildForIndex'] as const;
// childrenForFieldName is left alone: its native side leaks a cursor per call (see syntax.ts).

function loadBinding(): Binding | undefined {
  try {
    const requireFromTreeSitter = createRequire(createRequire(import.meta.url).resolve('tree-sitter'));
    // The same native module the library loaded (Node loads a .node file once per process).
    const binding = requireFromTreeSitter('node-gyp-build')(requireFromTreeSitter.resolve('tree-sitter').replace(/[\\/]index\.js$/, '')) as Partial<Binding>;
    return binding.NodeMethods && binding.nodeTransferArray ? (binding as Binding) : undefined;
  } catch {
    return undefined;
  }
}

function leanAccessors(binding: Binding, baseClass: new (tree: Parser.Tree) => SyntaxNode) {
  const { NodeMethods } = binding;
  const marshal = (node: NodeSlots): unknown => {
    const slots = binding.nodeTransferArray;
    for (let i = 0; i < NODE_FIELD_COUNT; i++) slots[i] = node[i]!;
    return node.tree;
  };
  const make = (value: unknown, tree: Parser.Tree, offset: number): SyntaxNode | null => {
    if (typeof value === 'object') return value as SyntaxNode | null;
    const slots = binding.nodeTransferArray;
    if (slots[offset] === 0 && slots[offset + 1] === 0) return null;
    const typeId = value as number;
    const nodeClass = typeId === ERROR_TYPE_ID ? baseClass : ((tree as TreeWithLanguage).language.nodeSubclasses[typeId] ?? baseClass);
    const node = Object.create(nodeClass.prototype) as NodeSlots & { tree: Parser.Tree };
    node.tree = tree;
    for (let i = 0; i < NODE_FIELD_COUNT; i++) node[i] = slots[offset + i]!;
    return node;
  };
  const makeList = (values: unknown, tree: Parser.Tree): SyntaxNode[] => {
    const list = values as unknown[];
    const out = new Array<SyntaxNode>(list.length);
    for (let i = 0; i < list.length; i++) out[i] = make(list[i], tree, i * NODE_FIELD_COUNT)!;
    return out;
  };
  const getters: Record<string, (this: NodeSlots) => unknown> = {};
  for (const name of ONE_NODE_GETTERS) {
    const native = NodeMethods[name]!;
    getters[name] = function () {
      return make(native(marshal(this)), this.tree, 0);
    };
  }
  for (const name of NODE_LIST_GETTERS) {
    const native = NodeMethods[name]!;
    getters[name] = function () {
      return makeList(native(marshal(this)), this.tree);
    };
  }
  const methods: Record<string, (this: NodeSlots, ...args: never[]) => unknown> = {};
  for (const name of ONE_NODE_METHODS) {
    const native = NodeMethods[name]!;
    methods[name] = function (arg: unknown) {
      return make(native(marshal(this), arg), this.tree, 0);
    };
  }
  const nativeNamedDescendant = NodeMethods.namedDescendantForIndex!;
  methods.namedDescendantForIndex = function (start: number, end?: number) {
    return make(nativeNamedDescendant(marshal(this), start, end ?? start), this.tree, 0);
  };
  const nativeDescendant = NodeMethods.descendantForIndex!;
  methods.descendantForIndex = function (start: number, end?: number) {
    return make(nativeDescendant(marshal(this), start, end ?? start), this.tree, 0);
  };
  const nativeDescendants = NodeMethods.descendantsOfType!;
  methods.descendantsOfType = function (types: string | string[], start?: unknown, end?: unknown) {
    return makeList(nativeDescendants(marshal(this), typeof types === 'string' ? [types] : types, start, end), this.tree);
  };
  return { getters, methods };
}

/** What a node accessor returns, reduced to comparable data. */
function describe(result: unknown): string {
  const one = (n: SyntaxNode | null) => (n ? `${n.id}:${n.type}:${n.startIndex}-${n.endIndex}:${n.tree ? 't' : ''}` : 'null');
  return Array.isArray(result) ? result.map(one).join(',') : one(result as SyntaxNode | null);
}

/** Calls every accessor on every node of `sample` both ways; true if all agree. */
function agrees(sample: Parser.Tree, proto: object, lean: ReturnType<typeof leanAccessors>): boolean {
  const nodes: SyntaxNode[] = [];
  const collect = (node: SyntaxNode) => {
    nodes.push(node);
    for (const child of node.children) collect(child);
  };
  collect(sample.rootNode);
  const fieldName = 'body';
  for (const node of nodes) {
    for (const [name, fast] of Object.entries(lean.getters)) {
      const native = Object.getOwnPropertyDescriptor(proto, name)?.get;
      if (!native || describe(native.call(node)) !== describe(fast.call(node as NodeSlots))) return false;
    }
    const calls: [string, unknown[]][] = [
      ['child', [0]], ['child', [1]], ['namedChild', [0]], ['childForFieldName', [fieldName]], ['childForFieldName', ['declarator']], ['childForFieldId', [1]],
      ['firstChildForIndex', [node.startIndex + 1]], ['firstNamedChildForIndex', [node.startIndex + 1]],
      ['namedDescendantForIndex', [node.startIndex + 2, node.startIndex + 3]], ['descendantForIndex', [node.startIndex + 1]],
      ['descendantsOfType', [['identifier', 'call_expression']]], ['descendantsOfType', ['comment']],
    ];
    for (const [name, args] of calls) {
      const native = (proto as Record<string, unknown>)[name];
      const fast = lean.methods[name] as ((...a: unknown[]) => unknown) | undefined;
      if (typeof native !== 'function' || !fast || describe(native.apply(node, args)) !== describe(fast.apply(node, args))) return false;
    }
  }
  return true;
}

let checked = false;
/** The library's own accessors that the lean ones replaced (tests compare the two). */
export const libraryAccessors = new Map<string, PropertyDescriptor>();
/** Whether the lean accessors are in use (a test checks that they are, on this binding). */
export let leanNodeAccessorsInstalled = false;

/** Installs the lean accessors on SyntaxNode's prototype if they agree with the library's on `sample`. */
export function installLeanNodeAccessors(syntaxNodeClass: (new (tree: Parser.Tree) => SyntaxNode) | undefined, sample: Parser.Tree): void {
  if (checked) return;
  checked = true;
  const binding = loadBinding();
  if (!binding || !syntaxNodeClass) return;
  const proto = syntaxNodeClass.prototype as object;
  const lean = leanAccessors(binding, syntaxNodeClass);
  if (!agrees(sample, proto, lean)) return;
  for (const name of [...Object.keys(lean.getters), ...Object.keys(lean.methods)]) libraryAccessors.set(name, Object.getOwnPropertyDescriptor(proto, name)!);
  for (const [name, get] of Object.entries(lean.getters)) Object.defineProperty(proto, name, { get, configurable: true, enumerable: false });
  for (const [name, value] of Object.entries(lean.methods)) Object.defineProperty(proto, name, { value, configurable: true, enumerable: false, writable: true });
  leanNodeAccessorsInstalled = true;
}
