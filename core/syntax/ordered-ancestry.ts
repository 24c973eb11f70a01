import type { SyntaxNode, TreeCursor } from './parser.js';

/**
 * Parents of nodes asked for in document order, found with one tree cursor that moves from each
 * node to the next instead of `node.parent`, which tree-sitter answers by walking down from the
 * root every time: linear in the depth, so asking it for every call of `f(f(f(…)))` or of
 * `f() + f() + …` (15,000 deep) is quadratic and took minutes. The cursor keeps its path, climbs
 * only to the common ancestor of two consecutive nodes and descends from there; over a whole
 * file that is one walk of the part of the tree that leads to the nodes asked for.
 */
export class OrderedAncestry {
  private readonly cursor: TreeCursor;
  private readonly root: SyntaxNode;

  constructor(root: SyntaxNode) {
    this.root = root;
    this.cursor = root.walk();
  }

  /**
   * The chain of ancestors of `node`, nearest first, up to and including the first one `through`
   * does not accept (or the root): `[parent]` when it accepts nothing. Undefined when `node` is
   * not in the tree. Nodes must be asked for in document order (pre-order: an outer node before
   * the nodes inside it); asking out of order still answers, only slower.
   */
  ancestors(node: SyntaxNode, through: (type: string) => boolean = () => false): SyntaxNode[] | undefined {
    return this.parentType(node) === undefined ? undefined : this.chainFromParent(through);
  }

  /**
   * The type of `node`'s parent, without making a node object for it (each is a native call and
   * an allocation; most callers only ask whether a call is a statement). The cursor stays on the
   * parent, for chainFromParent.
   */
  parentType(node: SyntaxNode): string | undefined {
    if (!this.seek(node) || !this.cursor.gotoParent()) return undefined;
    return this.cursor.nodeType;
  }

  /** After parentType: the parent and the ancestors above it through `through` (see ancestors). */
  chainFromParent(through: (type: string) => boolean): SyntaxNode[] {
    const cursor = this.cursor;
    const chain: SyntaxNode[] = [cursor.currentNode];
    while (through(cursor.nodeType) && cursor.gotoParent()) chain.push(cursor.currentNode);
    return chain;
  }

  /** Moves the cursor onto `node`. Each read of the cursor is a native call: each is made once. */
  private seek(node: SyntaxNode): boolean {
    const cursor = this.cursor;
    const start = node.startIndex;
    const end = node.endIndex;
    let at = cursor.startIndex;
    let to = cursor.endIndex;
    // Up to an ancestor that contains the node.
    while (!(at <= start && end <= to)) {
      if (!cursor.gotoParent()) {
        cursor.reset(this.root);
        at = cursor.startIndex;
        to = cursor.endIndex;
        break;
      }
      at = cursor.startIndex;
      to = cursor.endIndex;
    }
    // Down through the child that contains its start; nodes of the same range nest (an expression
    // statement around a call): the one asked for is told by its type, then its id.
    const typeId = node.typeId;
    for (;;) {
      if (at === start && to === end && cursor.nodeTypeId === typeId && cursor.currentNode.id === node.id) return true;
      // The binding answers the child's index, or null (not the boolean its types say): 0 is a child.
      if ((cursor.gotoFirstChildForIndex(start) as unknown as number | null) === null) return false;
      at = cursor.startIndex;
      to = cursor.endIndex;
      if (at > start || to < end) return false;
    }
  }
}
