/**
 * The subset of the tree-sitter node API that the model layer uses. Both backends (the native
 * N-API binding and web-tree-sitter) satisfy it, so nothing above `core/parsing/` knows which one
 * produced a tree. Positions are UTF-16 code units (we always parse JS strings), as LSP wants.
 */
export interface Point {
  row: number;
  column: number;
}

export interface SyntaxNode {
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly parent: SyntaxNode | null;
  readonly children: SyntaxNode[];
  readonly namedChildren: SyntaxNode[];
  readonly childCount: number;
  readonly namedChildCount: number;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  readonly nextSibling: SyntaxNode | null;
  readonly previousSibling: SyntaxNode | null;
  child(index: number): SyntaxNode | null;
  namedChild(index: number): SyntaxNode | null;
  childForFieldName(name: string): SyntaxNode | null;
  childrenForFieldName(name: string): SyntaxNode[];
  descendantsOfType(type: string | string[]): SyntaxNode[];
}

/** An edit in the shape tree-sitter's `Tree.edit` takes (indices and columns in UTF-16 units). */
export interface InputEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  newEndPosition: Point;
}

export interface SyntaxTree {
  readonly rootNode: SyntaxNode;
  edit(edit: InputEdit): void;
  /** Frees the tree's native memory (a no-op on the native backend, required on wasm). */
  delete(): void;
}

/** A captured node's text and position, read once from the binding (not a full syntax node). */
export interface CapturedNode {
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
}

export interface QueryCapture {
  name: string;
  node: CapturedNode;
}

export interface CompiledQuery {
  captures(node: SyntaxNode): QueryCapture[];
}

export type ParserBackend = 'native' | 'wasm';

/**
 * How a backend is implemented: optlint's addon over tree-sitter's C runtime (whole trees in one
 * call), the `tree-sitter` package's binding, or web-tree-sitter.
 */
export type ParserImplementation = 'addon' | 'binding' | 'wasm';

export interface PythonParser {
  readonly backend: ParserBackend;
  readonly implementation: ParserImplementation;
  /** Parses `text`; pass the previous tree (already `edit`ed) to re-parse incrementally. */
  parse(text: string, oldTree?: SyntaxTree): SyntaxTree;
  /** Compiles a tree-sitter query (`.scm` source); throws with the offset on a bad query. */
  query(source: string): CompiledQuery;
}
