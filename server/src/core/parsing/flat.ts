import type { CompiledQuery, InputEdit, Point, PythonParser, QueryCapture, SyntaxNode, SyntaxTree } from './types';

/**
 * Syntax nodes read from one Int32Array of node records (server/native/tsflat.cc).
 *
 * The addon drives tree-sitter's C runtime (the sources the `tree-sitter` package vendors) with
 * tree-sitter-python's grammar, and fills node records in preorder, many per call and only for
 * the nodes read. Reading a node is then a few typed-array loads: no N-API call per node, per
 * child or per position, which is what made reading trees cost more than parsing them. Node
 * objects are created on first use and kept, so a node read twice is the same object.
 */

/** The addon's exports (see tsflat.cc). Its handles are opaque. */
export interface FlatAddon {
  NODE_INTS: number;
  newParser(language: unknown): unknown;
  language(parser: unknown): { symbols: string[]; fields: (string | null)[] };
  parse(parser: unknown, text: string, oldTree?: unknown, range?: number[]): unknown;
  /** Returns an edited copy of the tree; the tree itself is unchanged. */
  edit(tree: unknown, ...numbers: number[]): unknown;
  init(tree: unknown): Int32Array;
  expand(tree: unknown, ints: Int32Array, index: number, whole: boolean): void;
  newQuery(parser: unknown, source: string): unknown;
  captureNames(query: unknown): string[];
  captures(query: unknown, tree: unknown, startIndex: number, endIndex: number): Int32Array;
}

/** Ints per node record (the addon's NODE_INTS, checked when a parser is made). */
const STRIDE = 11;
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
const FLAG_EXPANDED = 16;
const FLAG_WHOLE = 32;
/**
 * A node with at most this many descendants is filled in whole on first use: one native call
 * costs about as much as writing a few dozen records.
 */
const WHOLE_BELOW = 48;
/**
 * A tree of at most this many nodes is filled whole on first use (a few hundred lines): the
 * analysis reads most of a training script's nodes, and one call writes a record in ~50 ns (tsflat_walk.c)
 * where a call per node costs a few µs.
 */
const EAGER_BELOW = 5000;
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
  /** In a spliced tree (see FlatSyntaxTree), the root that this tree's top-level nodes hang from. */
  root?: SyntaxNode;

  constructor(
    readonly addon: FlatAddon,
    readonly handle: unknown,
    readonly source: string,
    readonly lang: Language,
    /** Records already filled (see `movedRecords`). */
    records?: Int32Array,
  ) {
    this.stride = STRIDE;
    this.data = records;
  }

  /**
   * The records of this tree as they are in a copy edited by `e` (`addon.edit`), which has the
   * same nodes: positions at or after the edited range move, the nodes around it grow or shrink.
   * Only for nodes outside the edited range (those inside are stale until re-parsed, and the
   * spliced tree does not read them). Saves re-reading, through the addon, every node an
   * analysis read in the previous tree. Undefined when nothing was read yet.
   */
  movedRecords(e: InputEdit): Int32Array | undefined {
    if (!this.data) return undefined;
    const ints = this.data.slice();
    const n = this.stride;
    const delta = e.newEndIndex - e.oldEndIndex;
    const { row: oldRow, column: oldCol } = e.oldEndPosition;
    const { row: newRow, column: newCol } = e.newEndPosition;
    const move = (b: number, index: number, row: number, col: number): void => {
      if (ints[b + index] < e.oldEndIndex) return;
      ints[b + index] += delta;
      if (ints[b + row] === oldRow) ints[b + col] += newCol - oldCol;
      ints[b + row] += newRow - oldRow;
    };
    for (let b = 0; b < ints.length; b += n) {
      if (ints[b + NEXT] === 0) continue; // never filled
      move(b, START, START_ROW, START_COL);
      move(b, END, END_ROW, END_COL);
    }
    return ints;
  }

  /**
   * The records, sized for every node; filled as nodes are read (see `expand`). A small tree,
   * whose nodes an analysis mostly reads, is filled whole at once.
   */
  get ints(): Int32Array {
    if (!this.data) {
      this.data = this.addon.init(this.handle);
      if (this.data[NEXT] <= EAGER_BELOW) this.addon.expand(this.handle, this.data, 0, true);
    }
    return this.data;
  }

  /** Fills the records of node `i`'s children (all its descendants with `whole`) if not yet. */
  expand(i: number, whole = false): void {
    const ints = this.ints;
    const base = i * this.stride;
    const flags = ints[base + FLAGS];
    if (flags & FLAG_WHOLE || (!whole && flags & FLAG_EXPANDED)) return;
    this.addon.expand(this.handle, ints, i, whole || ints[base + NEXT] - i <= WHOLE_BELOW);
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

  get parent(): SyntaxNode | null {
    const p = this.tree.at(this.index, PARENT);
    if (p < 0) return null;
    if (p === 0 && this.tree.root) return this.tree.root;
    return this.tree.node(p);
  }

  get children(): FlatNode[] {
    if (!this._children) {
      this.tree.expand(this.index);
      const out: FlatNode[] = [];
      const end = this.tree.at(this.index, NEXT);
      for (let j = this.index + 1; j < end; j = this.tree.at(j, NEXT)) out.push(this.tree.node(j));
      this._children = out;
    }
    return this._children;
  }

  get namedChildren(): FlatNode[] {
    if (!this._named) {
      this.tree.expand(this.index);
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
    if (p === 0 && this.tree.root) return this.rootSibling(1);
    const j = this.tree.at(this.index, NEXT);
    return j < this.tree.at(p, NEXT) ? this.tree.node(j) : null;
  }

  get previousSibling(): FlatNode | null {
    const p = this.tree.at(this.index, PARENT);
    if (p < 0) return null;
    if (p === 0 && this.tree.root) return this.rootSibling(-1);
    let prev: FlatNode | null = null;
    for (let j = p + 1; j < this.index; j = this.tree.at(j, NEXT)) prev = this.tree.node(j);
    return prev;
  }

  /** A sibling among a spliced root's children, which come from several trees. */
  private rootSibling(offset: number): FlatNode | null {
    const kids = this.tree.root!.children as FlatNode[];
    return kids[kids.indexOf(this) + offset] ?? null;
  }

  child(index: number): FlatNode | null {
    return this.children[index] ?? null;
  }

  namedChild(index: number): FlatNode | null {
    return this.namedChildren[index] ?? null;
  }

  childForFieldName(name: string): FlatNode | null {
    const tree = this.tree;
    const id = tree.lang.fieldIds.get(name);
    if (id === undefined) return null;
    // The most called read of all: the records are scanned directly.
    const ints = tree.ints;
    const i = this.index;
    if (!(ints[i * STRIDE + FLAGS] & (FLAG_EXPANDED | FLAG_WHOLE))) tree.expand(i);
    const end = ints[i * STRIDE + NEXT];
    for (let j = i + 1; j < end; j = ints[j * STRIDE + NEXT]) {
      if (ints[j * STRIDE + FIELD] === id) return tree.node(j);
    }
    return null;
  }

  childrenForFieldName(name: string): FlatNode[] {
    const id = this.tree.lang.fieldIds.get(name);
    const out: FlatNode[] = [];
    if (id === undefined) return out;
    this.tree.expand(this.index);
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
    this.tree.expand(this.index, true);
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
  if (addon.NODE_INTS !== STRIDE) throw new Error(`optlint_tsflat writes ${addon.NODE_INTS} ints per node; this build reads ${STRIDE}`);
  const parser = addon.newParser(language);
  const info = addon.language(parser);
  const lang: Language = { symbols: info.symbols, fields: info.fields, fieldIds: new Map() };
  info.fields.forEach((f, i) => {
    if (f) lang.fieldIds.set(f, i);
  });
  return {
    parse(text: string, oldTree?: SyntaxTree): SyntaxTree {
      const parse = (old?: unknown, range?: number[]) => new FlatTree(addon, addon.parse(parser, text, old, range), text, lang);
      if (!(oldTree instanceof FlatSyntaxTree)) return new FlatSyntaxTree(parse());
      return oldTree.reparseLocally(text, (range) => parse(undefined, range)) ?? new FlatSyntaxTree(parse(oldTree.editedHandle));
    },
    query(source: string): CompiledQuery {
      const q = addon.newQuery(parser, source);
      const names = addon.captureNames(q);
      return {
        captures(node: SyntaxNode): QueryCapture[] {
          if (node instanceof SplicedRoot) return node.children.flatMap((c) => this.captures(c));
          if (!(node instanceof FlatNode)) throw new Error('a query on this parser needs one of its own nodes');
          const { handle, startIndex, endIndex } = node.queryTarget();
          const ints = addon.captures(q, handle, startIndex, endIndex);
          const source = node.text;
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

/** Statements re-parsed apart, at most, before the whole text is re-parsed again. */
const MAX_PIECES = 32;

/** A top-level statement re-parsed on its own: the tree and the range it was parsed over. */
interface Piece {
  tree: FlatTree;
  start: number;
  end: number;
}

/**
 * A tree, possibly spliced: `base` parsed the whole text, and each of `pieces` re-parsed one
 * stretch of top-level statements that was edited since. See `reparseLocally`.
 */
class FlatSyntaxTree implements SyntaxTree {
  private root?: SyntaxNode;
  /** Edits since this tree was made, and `base` with them applied. */
  private readonly edits: InputEdit[] = [];
  private edited?: unknown;

  constructor(
    private readonly base: FlatTree,
    private readonly pieces: Piece[] = [],
  ) {}

  /** What an incremental re-parse of the whole text starts from: the base with every edit. */
  get editedHandle(): unknown {
    return this.edited ?? this.base.handle;
  }

  get rootNode(): SyntaxNode {
    if (!this.root) {
      if (!this.pieces.length) this.root = this.base.node(0);
      else {
        const root = new SplicedRoot(this.base, this.pieces);
        this.base.root = root;
        for (const p of this.pieces) p.tree.root = root;
        this.root = root;
      }
    }
    return this.root;
  }

  /**
   * Records an edit for a re-parse. The edit goes to a copy of the base (sharing every unchanged
   * subtree), so this tree, and nodes read from it later, stay a picture of the text it parsed.
   */
  edit(e: InputEdit): void {
    this.edits.push(e);
    this.edited = this.base.addon.edit(this.editedHandle, ...editNumbers(e));
  }

  /**
   * The new tree after one edit inside one top-level statement (a function, a class, a
   * statement at column 0, not touching its first or last character), made by re-parsing only
   * that statement's new text and keeping every other top-level statement as parsed before:
   * typing in one function costs a parse of that function. It is also how tree-sitter parses a
   * file whose statements are all valid, so the tree is the same; while the statement does not
   * parse, its errors stay inside it (tree-sitter's recovery over the whole text can let an
   * unclosed bracket or a half-typed `if` re-shape every later statement, and costs more than a
   * full parse). Undefined when the edit is not of that kind: the caller parses the whole text.
   */
  reparseLocally(text: string, parseRange: (range: number[]) => FlatTree): FlatSyntaxTree | undefined {
    // Several edits at once, or many statements re-parsed apart since the last whole parse:
    // the whole text is re-parsed (which also starts a new base).
    if (this.edits.length !== 1 || this.pieces.length >= MAX_PIECES) return undefined;
    const e = this.edits[0];
    const units = this.rootNode.children;
    const k = units.findIndex((u) => u.startIndex < e.startIndex && e.oldEndIndex < u.endIndex);
    if (k < 0) return undefined;
    const unit = units[k];
    const next = units[k + 1];
    if (unit.startPosition.column !== 0 || (next && next.startPosition.column !== 0)) return undefined;
    // The stretch to re-parse: the statement, or the earlier piece it came from.
    const owner = this.pieces.find((p) => p.start <= unit.startIndex && unit.endIndex <= p.end);
    const start = owner ? owner.start : unit.startIndex;
    const oldEnd = owner ? owner.end : unit.endIndex;
    const startPoint = owner ? pointAt(owner.tree.source, start) : unit.startPosition;
    const endPoint = shiftPoint(owner ? pointAt(owner.tree.source, oldEnd) : unit.endPosition, e);
    const delta = e.newEndIndex - e.oldEndIndex;
    const piece: Piece = { tree: parseRange([start, oldEnd + delta, startPoint.row, startPoint.column, endPoint.row, endPoint.column]), start, end: oldEnd + delta };
    const numbers = editNumbers(e);
    const addon = this.base.addon;
    const pieces: Piece[] = [];
    for (const p of this.pieces) {
      if (p === owner) continue;
      const moved = p.start >= e.oldEndIndex;
      const tree = new FlatTree(addon, addon.edit(p.tree.handle, ...numbers), text, p.tree.lang, p.tree.movedRecords(e));
      pieces.push({ tree, start: moved ? p.start + delta : p.start, end: moved ? p.end + delta : p.end });
    }
    pieces.push(piece);
    pieces.sort((a, b) => a.start - b.start);
    return new FlatSyntaxTree(new FlatTree(addon, this.editedHandle, text, this.base.lang, this.base.movedRecords(e)), pieces);
  }

  /**
   * Nodes of this tree are read lazily and may outlive the call that parsed it (a lint result
   * keeps its model), so the native tree is freed by the garbage collector, not here.
   */
  delete(): void {}
}

function editNumbers(e: InputEdit): number[] {
  return [e.startIndex, e.oldEndIndex, e.newEndIndex, e.startPosition.row, e.startPosition.column, e.oldEndPosition.row, e.oldEndPosition.column, e.newEndPosition.row, e.newEndPosition.column];
}

/** Where a point after the edited stretch moves to. */
function shiftPoint(p: Point, e: InputEdit): Point {
  if (p.row === e.oldEndPosition.row) return { row: e.newEndPosition.row, column: p.column - e.oldEndPosition.column + e.newEndPosition.column };
  return { row: p.row + e.newEndPosition.row - e.oldEndPosition.row, column: p.column };
}

/** tree-sitter's point (row, UTF-16 column) of an index: rows end at `\n`. */
function pointAt(text: string, index: number): Point {
  let row = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) row++;
  return { row, column: index - (text.lastIndexOf('\n', index - 1) + 1) };
}

/**
 * The root of a spliced tree: the base tree's top-level nodes outside every piece, and each
 * piece's, in document order. Its children's `parent` is this node.
 */
class SplicedRoot implements SyntaxNode {
  readonly type = 'module';
  readonly isNamed = true;
  readonly isMissing = false;
  readonly parent = null;
  readonly nextSibling = null;
  readonly previousSibling = null;
  private _children?: FlatNode[];

  constructor(
    private readonly base: FlatTree,
    private readonly pieces: Piece[],
  ) {}

  private get baseRoot(): FlatNode {
    return this.base.node(0);
  }

  get startIndex(): number {
    return this.baseRoot.startIndex;
  }

  get endIndex(): number {
    return this.baseRoot.endIndex;
  }

  get startPosition(): Point {
    return this.baseRoot.startPosition;
  }

  get endPosition(): Point {
    return this.baseRoot.endPosition;
  }

  get text(): string {
    return this.base.source.slice(this.startIndex, this.endIndex);
  }

  get children(): FlatNode[] {
    if (!this._children) {
      const inPiece = (n: FlatNode) => this.pieces.some((p) => n.startIndex < p.end && n.endIndex > p.start);
      const out = this.baseRoot.children.filter((n) => !inPiece(n));
      for (const p of this.pieces) out.push(...p.tree.node(0).children.filter((n) => n.startIndex >= p.start && n.endIndex <= p.end));
      this._children = out.sort((a, b) => a.startIndex - b.startIndex);
    }
    return this._children;
  }

  get namedChildren(): FlatNode[] {
    return this.children.filter((c) => c.isNamed);
  }

  get childCount(): number {
    return this.children.length;
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  get hasError(): boolean {
    return this.children.some((c) => c.hasError);
  }

  child(index: number): FlatNode | null {
    return this.children[index] ?? null;
  }

  namedChild(index: number): FlatNode | null {
    return this.namedChildren[index] ?? null;
  }

  childForFieldName(): null {
    return null;
  }

  childrenForFieldName(): FlatNode[] {
    return [];
  }

  descendantsOfType(type: string | string[]): FlatNode[] {
    const types = new Set(Array.isArray(type) ? type : [type]);
    return this.children.flatMap((c) => [...(types.has(c.type) ? [c] : []), ...c.descendantsOfType(type)]);
  }
}
