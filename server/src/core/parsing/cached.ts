import type { InputEdit, Point, SyntaxNode, SyntaxTree } from './types';

/**
 * Lazy, cursor-backed syntax nodes.
 *
 * Both bindings make node objects expensive: the native one creates a JS object and a native
 * reference per node on every access (about 3 µs each, measured), web-tree-sitter allocates and
 * marshals. A tree cursor's getters (`nodeType`, `startIndex`, `currentFieldName`) cost a fraction
 * of that and allocate nothing. So nodes here are plain JS objects filled from one shared cursor,
 * and a node's children are read only when the model asks for them: statements the model skips
 * are never visited, and each node is read once. `text` is a slice of the source string (indices
 * are UTF-16 units, as we always parse JS strings).
 */
// The raw types of the two bindings differ slightly; only members common to both are used.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

class CursorTree {
  private readonly cursor: Raw;
  /** Child indices from the root to where the cursor is now. */
  private at: number[] = [];
  constructor(
    readonly raw: Raw,
    readonly source: string,
  ) {
    this.cursor = raw.walk();
  }

  /**
   * Moves the shared cursor to the node at `path` (child indices from the root), relative to
   * where it is: the model reads nodes roughly in document order, so this is a few steps, not a
   * walk from the root.
   */
  goTo(node: PlainNode): Raw {
    const path = this.pathOf(node);
    const c = this.cursor;
    const at = this.at;
    let common = 0;
    while (common < at.length && common < path.length && at[common] === path[common]) common++;
    // Same parent and a later sibling: step sideways instead of climbing.
    if (common < at.length && common < path.length && at[common] < path[common]) {
      while (at.length > common + 1) {
        c.gotoParent();
        at.pop();
      }
      while (at[common] < path[common]) {
        c.gotoNextSibling();
        at[common]++;
      }
      common++;
    } else {
      while (at.length > common) {
        c.gotoParent();
        at.pop();
      }
    }
    for (let depth = common; depth < path.length; depth++) {
      c.gotoFirstChild();
      at.push(0);
      for (let i = 0; i < path[depth]; i++) {
        c.gotoNextSibling();
        at[depth]++;
      }
    }
    return c;
  }

  /** Symbol id to [name, isNamed]: both are properties of the symbol, read once per id. */
  private static readonly symbols = new WeakMap<object, Map<number, [string, boolean]>>();
  private static readonly fields = new WeakMap<object, Map<number, string>>();

  private readonly scratch: number[] = [];

  /** Child indices from the root to `node`, in a reused array (no allocation per node). */
  private pathOf(node: PlainNode): number[] {
    const path = this.scratch;
    path.length = node.depth;
    for (let n: PlainNode | null = node; n && n.depth > 0; n = n.parent) path[n.depth - 1] = n.index;
    return path;
  }

  /**
   * Reads a node's children. With `namedOnly`, anonymous children (punctuation, keywords) cost
   * two cursor reads and are only materialised when they fill a field (an operator); `reuse`
   * keeps the identity of children read before.
   */
  readChildren(parent: PlainNode, namedOnly: boolean, reuse?: ReadonlyMap<number, PlainNode>): PlainNode[] {
    const c = this.goTo(parent);
    const out: PlainNode[] = [];
    if (!c.gotoFirstChild()) return out;
    this.at.push(0);
    const language = this.language();
    let symbols = CursorTree.symbols.get(language);
    if (!symbols) CursorTree.symbols.set(language, (symbols = new Map()));
    let fields = CursorTree.fields.get(language);
    if (!fields) CursorTree.fields.set(language, (fields = new Map()));
    let i = 0;
    do {
      this.at[this.at.length - 1] = i;
      const known = reuse?.get(i);
      if (known) {
        out.push(known);
        i++;
        continue;
      }
      // Numbers only in the loop: names are looked up once per symbol and field id.
      const typeId: number = c.nodeTypeId;
      let symbol = symbols.get(typeId);
      if (!symbol) {
        symbol = [c.nodeType, Boolean(c.nodeIsNamed)];
        // The error symbol's "name" is not a property of the id alone.
        if (typeId !== 0xffff) symbols.set(typeId, symbol);
      }
      const fieldId: number = c.currentFieldId;
      if (namedOnly && !symbol[1] && !fieldId) {
        i++;
        continue;
      }
      let field: string | null = null;
      if (fieldId) {
        field = fields.get(fieldId) ?? null;
        if (field === null) {
          field = c.currentFieldName ?? null;
          if (field) fields.set(fieldId, field);
        }
      }
      out.push(new PlainNode(this, parent, i, { type: symbol[0], isNamed: symbol[1], startIndex: c.startIndex, endIndex: c.endIndex, field }));
      i++;
    } while (c.gotoNextSibling());
    return out;
  }

  private lang?: object;
  private language(): object {
    return (this.lang ??= this.raw.language ?? this.raw.getLanguage?.() ?? CursorTree);
  }
}

interface Basics {
  type: string;
  isNamed: boolean;
  startIndex: number;
  endIndex: number;
  /** The field this node fills in its parent (`left`, `body`, ...), if any. */
  field: string | null;
}

export class PlainNode implements SyntaxNode {
  readonly type: string;
  readonly isNamed: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly field: string | null;
  private _children?: PlainNode[];
  private _named?: PlainNode[];
  private _fielded?: PlainNode[];
  private _start?: Point;
  private _end?: Point;
  private _hasError?: boolean;
  private _isMissing?: boolean;

  /** Distance from the root (0 for the root). */
  readonly depth: number;

  constructor(
    private readonly tree: CursorTree,
    readonly parent: PlainNode | null,
    /** Position among all of the parent's children (anonymous ones included). */
    readonly index: number,
    basics: Basics,
  ) {
    this.type = basics.type;
    this.isNamed = basics.isNamed;
    this.startIndex = basics.startIndex;
    this.endIndex = basics.endIndex;
    this.field = basics.field;
    this.depth = parent ? parent.depth + 1 : 0;
  }

  get text(): string {
    return this.tree.source.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): Point {
    if (!this._start) this.readPositions();
    return this._start!;
  }

  get endPosition(): Point {
    if (!this._end) this.readPositions();
    return this._end!;
  }

  private readPositions(): void {
    const c = this.tree.goTo(this);
    const s = c.startPosition;
    const e = c.endPosition;
    this._start = { row: s.row, column: s.column };
    this._end = { row: e.row, column: e.column };
    this._isMissing = Boolean(c.nodeIsMissing);
  }

  get isMissing(): boolean {
    if (this._isMissing === undefined) this.readPositions();
    return this._isMissing!;
  }

  get hasError(): boolean {
    if (this._hasError === undefined) {
      // tree-sitter's own answer (an error cost in the subtree), which an ERROR or MISSING node
      // below does not always show: one call, and only for the nodes asked about.
      this._hasError = this.parent === null ? Boolean(this.tree.raw.rootNode.hasError) : this.type === 'ERROR' || Boolean(this.tree.goTo(this).currentNode.hasError);
    }
    return this._hasError;
  }

  get children(): PlainNode[] {
    if (!this._children) {
      const reuse = this._fielded ? new Map(this._fielded.map((n) => [n.index, n])) : undefined;
      this._children = this.tree.readChildren(this, false, reuse);
    }
    return this._children;
  }

  /** Named children plus anonymous ones that fill a field, without reading any other token. */
  private get fielded(): PlainNode[] {
    return (this._fielded ??= this._children ?? this.tree.readChildren(this, true));
  }

  get namedChildren(): PlainNode[] {
    return (this._named ??= this.fielded.filter((c) => c.isNamed));
  }

  get childCount(): number {
    return this.children.length;
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  get nextSibling(): PlainNode | null {
    if (!this.parent) return null;
    return this.parent.children[this.index + 1] ?? null;
  }

  get previousSibling(): PlainNode | null {
    if (!this.parent) return null;
    return this.parent.children[this.index - 1] ?? null;
  }

  child(index: number): PlainNode | null {
    return this.children[index] ?? null;
  }

  namedChild(index: number): PlainNode | null {
    return this.namedChildren[index] ?? null;
  }

  childForFieldName(name: string): PlainNode | null {
    return this.fielded.find((c) => c.field === name) ?? null;
  }

  childrenForFieldName(name: string): PlainNode[] {
    return this.fielded.filter((c) => c.field === name);
  }

  /** The binding's own node object (for queries); costs a cursor walk and a native node. */
  rawNode(): Raw {
    return this.tree.goTo(this).currentNode;
  }

  descendantsOfType(type: string | string[]): PlainNode[] {
    const types = new Set(Array.isArray(type) ? type : [type]);
    const out: PlainNode[] = [];
    const stack: PlainNode[] = [...this.children].reverse();
    while (stack.length) {
      const n = stack.pop()!;
      if (types.has(n.type)) out.push(n);
      const kids = n.children;
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
    }
    return out;
  }
}

/** Wraps a raw tree (either binding) so that its nodes are `PlainNode`s. */
export function cachedTree(raw: Raw, source: string): SyntaxTree & { raw: Raw } {
  let root: PlainNode | undefined;
  return {
    raw,
    get rootNode() {
      if (!root) {
        const t = new CursorTree(raw, source);
        const r = raw.rootNode;
        root = new PlainNode(t, null, 0, { type: r.type, isNamed: true, startIndex: r.startIndex, endIndex: r.endIndex, field: null });
      }
      return root;
    },
    edit(edit: InputEdit) {
      raw.edit(edit);
      root = undefined;
    },
    delete() {
      raw.delete?.();
    },
  };
}
