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
   * The chain of ancestors of `node`, nearest first, up to and including the first one `stop`
   * does not accept (or the root): `[parent]` when `stop` accepts nothing. Undefined when `node`
   * is not in the tree. Nodes must be asked for in document order (pre-order: an outer node
   * before the nodes inside it); asking out of order still answers, only slower.
   */
  ancestors(node: SyntaxNode, through: (type: string) => boolean = () => false): SyntaxNode[] | undefined {
    if (!this.seek(node)) return undefined;
    const chain: SyntaxNode[] = [];
    const cursor = this.cursor;
    while (cursor.gotoParent()) {
      const type = cursor.nodeType;
      chain.push(cursor.currentNode);
      if (!through(type)) break;
    }
    return chain;
  }

  /** Moves the cursor onto `node`. */
  private seek(node: SyntaxNode): boolean {
    const cursor = this.cursor;
    const start = node.startIndex;
    const end = node.endIndex;
    // Up to an ancestor that contains the node.
    while (!(cursor.startIndex <= start && end <= cursor.endIndex)) {
      if (!cursor.gotoParent()) {
        cursor.reset(this.root);
        break;
      }
    }
    // Down through the child that contains its start; nodes of the same range nest (an expression
    // statement around a call): the one asked for is told by its id.
    for (;;) {
      if (cursor.startIndex === start && cursor.endIndex === end && cursor.currentNode.id === node.id) return true;
      // The binding answers the child's index, or null (not the boolean its types say): 0 is a child.
      if ((cursor.gotoFirstChildForIndex(start) as unknown as number | null) === null) return false;
      if (cursor.startIndex > start || cursor.endIndex < end) return false;
    }
  }
}
