import type { CompiledQuery, InputEdit, Point, PythonParser, QueryCapture, SyntaxNode, SyntaxTree } from './types';

/**
 * Syntax nodes over a whole tree serialised in one native call (server/native/tsflat.cc).
 *
 * The addon drives tree-sitter's C runtime (the sources the `tree-sitter` package vendors) with
 * tree-sitter-python's grammar, and writes every node of a tree into one Int32Array in preorder.
 * Reading a node is then a few typed-array loads: no N-API call per node, per child or per
 * position, which is what made reading trees cost more than parsing them. Node objects are
 * created on first use and kept, so a node read twice is the same object.
 */

/** The addon's exports (see tsflat.cc). Its handles are opaque. */
export interface FlatAddon {
  NODE_INTS: number;
  newParser(language: unknown): unknown;
  language(parser: unknown): { symbols: string[]; named: boolean[]; fields: (string | null)[] };
  parse(parser: unknown, text: string, oldTree?: unknown): unknown;
  edit(tree: unknown, ...numbers: number[]): void;
  deleteTree(tree: unknown): void;
  serialize(tree: unknown): Int32Array;
  newQuery(parser: unknown, source: string): unknown;
  captureNames(query: unknown): string[];
  captures(query: unknown, tree: unknown, startIndex: number, endIndex: number): Int32Array;
}

// Offsets within a node's record.
const SYMBOL = 0;
const FIELD = 1;
const FLAGS = 2;
const START = 3;
const END = 4;
const START_ROW = 5;
const START_COL = 6;
const END_ROW = 7;
const END_COL = 8;
const NEXT = 9;
const PARENT = 10;
const FLAG_NAMED = 1;
const FLAG_MISSING = 2;
const FLAG_HAS_ERROR = 8;
/** ts_builtin_sym_error: not in the language's symbol table. */
const ERROR_SYMBOL = 0xffff;

interface Language {
  symbols: string[];
  fields: (string | null)[];
  fieldIds: Map<string, number>;
}

class FlatTree {
  private data?: Int32Array;
  private nodes: (FlatNode | undefined)[] = [];
  private stride: number;

  constructor(
    readonly addon: FlatAddon,
    readonly handle: unknown,
    readonly source: string,
    readonly lang: Language,
  ) {
    this.stride = addon.NODE_INTS;
  }

  /** The serialised tree, read from the addon on first use. */
  get ints(): Int32Array {
    return (this.data ??= this.addon.serialize(this.handle));
  }

  /** The record of node `i` starts at `i * stride`. */
  at(i: number, offset: number): number {
    return this.ints[i * this.stride + offset];
  }

  node(i: number): FlatNode {
    return (this.nodes[i] ??= new FlatNode(this, i));
  }

  typeOf(i: number): string {
    const s = this.at(i, SYMBOL);
    return s === ERROR_SYMBOL ? 'ERROR' : this.lang.symbols[s];
  }

}

export class FlatNode implements SyntaxNode {
  readonly type: string;
  readonly startIndex: number;
  readonly endIndex: number;
  private _children?: FlatNode[];
  private _named?: FlatNode[];
  private _start?: Point;
  private _end?: Point;

  constructor(
    private readonly tree: FlatTree,
    /** Preorder index in the serialised tree. */
    readonly index: number,
  ) {
    this.type = tree.typeOf(index);
    this.startIndex = tree.at(index, START);
    this.endIndex = tree.at(index, END);
  }

  get text(): string {
    return this.tree.source.slice(this.startIndex, this.endIndex);
  }

  get isNamed(): boolean {
    return (this.tree.at(this.index, FLAGS) & FLAG_NAMED) !== 0;
  }

  get isMissing(): boolean {
    return (this.tree.at(this.index, FLAGS) & FLAG_MISSING) !== 0;
  }

  get hasError(): boolean {
    return (this.tree.at(this.index, FLAGS) & FLAG_HAS_ERROR) !== 0 || this.type === 'ERROR';
  }

  /** The field this node fills in its parent (`left`, `body`, ...), if any. */
  get field(): string | null {
    return this.tree.lang.fields[this.tree.at(this.index, FIELD)] ?? null;
  }

  get startPosition(): Point {
    return (this._start ??= { row: this.tree.at(this.index, START_ROW), column: this.tree.at(this.index, START_COL) });
  }

  get endPosition(): Point {
    return (this._end ??= { row: this.tree.at(this.index, END_ROW), column: this.tree.at(this.index, END_COL) });
  }

  get parent(): FlatNode | null {
    const p = this.tree.at(this.index, PARENT);
    return p < 0 ? null : this.tree.node(p);
  }

  get children(): FlatNode[] {
    if (!this._children) {
      const out: FlatNode[] = [];
      const end = this.tree.at(this.index, NEXT);
      for (let j = this.index + 1; j < end; j = this.tree.at(j, NEXT)) out.push(this.tree.node(j));
      this._children = out;
    }
    return this._children;
  }

  get namedChildren(): FlatNode[] {
    if (!this._named) {
      const out: FlatNode[] = [];
      const end = this.tree.at(this.index, NEXT);
      for (let j = this.index + 1; j < end; j = this.tree.at(j, NEXT)) {
        if (this.tree.at(j, FLAGS) & FLAG_NAMED) out.push(this.tree.node(j));
      }
      this._named = out;
    }
    return this._named;
  }

  get childCount(): number {
    return this.children.length;
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  get nextSibling(): FlatNode | null {
    const p = this.tree.at(this.index, PARENT);
    if (p < 0) return null;
    const j = this.tree.at(this.index, NEXT);
    return j < this.tree.at(p, NEXT) ? this.tree.node(j) : null;
  }

  get previousSibling(): FlatNode | null {
    const p = this.parent;
    if (!p) return null;
    let prev: FlatNode | null = null;
    for (let j = p.index + 1; j < this.index; j = this.tree.at(j, NEXT)) prev = this.tree.node(j);
    return prev;
  }

  child(index: number): FlatNode | null {
    return this.children[index] ?? null;
  }

  namedChild(index: number): FlatNode | null {
    return this.namedChildren[index] ?? null;
  }

  childForFieldName(name: string): FlatNode | null {
    const id = this.tree.lang.fieldIds.get(name);
    if (id === undefined) return null;
    const end = this.tree.at(this.index, NEXT);
    for (let j = this.index + 1; j < end; j = this.tree.at(j, NEXT)) {
      if (this.tree.at(j, FIELD) === id) return this.tree.node(j);
    }
    return null;
  }

  childrenForFieldName(name: string): FlatNode[] {
    const id = this.tree.lang.fieldIds.get(name);
    const out: FlatNode[] = [];
    if (id === undefined) return out;
    const end = this.tree.at(this.index, NEXT);
    for (let j = this.index + 1; j < end; j = this.tree.at(j, NEXT)) {
      if (this.tree.at(j, FIELD) === id) out.push(this.tree.node(j));
    }
    return out;
  }

  /** Preorder scan of the subtree's records: nodes are created only for the matches. */
  descendantsOfType(type: string | string[]): FlatNode[] {
    const types = new Set(Array.isArray(type) ? type : [type]);
    const out: FlatNode[] = [];
    const end = this.tree.at(this.index, NEXT);
    for (let j = this.index + 1; j < end; j++) if (types.has(this.tree.typeOf(j))) out.push(this.tree.node(j));
    return out;
  }

  /** The tree handle and range a query runs over. */
  queryTarget(): { handle: unknown; startIndex: number; endIndex: number } {
    return { handle: this.tree.handle, startIndex: this.startIndex, endIndex: this.endIndex };
  }
}

/** A parser backed by the addon. `language` is `require('tree-sitter-python')`. */
export function flatParser(addon: FlatAddon, language: unknown): Omit<PythonParser, 'backend' | 'implementation'> {
  const parser = addon.newParser(language);
  const info = addon.language(parser);
  const lang: Language = { symbols: info.symbols, fields: info.fields, fieldIds: new Map() };
  info.fields.forEach((f, i) => {
    if (f) lang.fieldIds.set(f, i);
  });
  return {
    parse(text: string, oldTree?: SyntaxTree): SyntaxTree {
      const old = oldTree instanceof FlatSyntaxTree ? oldTree.handle : undefined;
      return new FlatSyntaxTree(new FlatTree(addon, addon.parse(parser, text, old), text, lang));
    },
    query(source: string): CompiledQuery {
      const q = addon.newQuery(parser, source);
      const names = addon.captureNames(q);
      return {
        captures(node: SyntaxNode): QueryCapture[] {
          if (!(node instanceof FlatNode)) throw new Error('a query on this parser needs one of its own nodes');
          const { handle, startIndex, endIndex } = node.queryTarget();
          const ints = addon.captures(q, handle, startIndex, endIndex);
          const source = (node as FlatNode).text;
          const out: QueryCapture[] = [];
          // [capture, symbol, field, flags, start, end, startRow, startCol, endRow, endCol]
          for (let k = 0; k + 10 <= ints.length; k += 10) {
            const start = ints[k + 4];
            const end = ints[k + 5];
            out.push({
              name: names[ints[k]],
              node: {
                type: ints[k + 1] === ERROR_SYMBOL ? 'ERROR' : lang.symbols[ints[k + 1]],
                text: source.slice(start - startIndex, end - startIndex),
                startIndex: start,
                endIndex: end,
                startPosition: { row: ints[k + 6], column: ints[k + 7] },
                endPosition: { row: ints[k + 8], column: ints[k + 9] },
              },
            });
          }
          return out;
        },
      };
    },
  };
}

class FlatSyntaxTree implements SyntaxTree {
  private root?: FlatNode;
  private deleted = false;
  constructor(private tree: FlatTree) {}

  get handle(): unknown {
    return this.tree.handle;
  }

  get rootNode(): FlatNode {
    if (this.deleted) throw new Error('the tree was deleted');
    return (this.root ??= this.tree.node(0));
  }

  /**
   * Edits the native tree for an incremental re-parse. The nodes already read stay a consistent
   * picture of the text before the edit (the serialisation is taken first if it was not yet);
   * the re-parse makes a new tree.
   */
  edit(e: InputEdit): void {
    void this.tree.ints;
    this.tree.addon.edit(
      this.tree.handle,
      e.startIndex,
      e.oldEndIndex,
      e.newEndIndex,
      e.startPosition.row,
      e.startPosition.column,
      e.oldEndPosition.row,
      e.oldEndPosition.column,
      e.newEndPosition.row,
      e.newEndPosition.column,
    );
  }

  delete(): void {
    this.deleted = true;
    this.tree.addon.deleteTree(this.tree.handle);
  }
}
