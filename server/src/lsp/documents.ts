/**
 * Open documents with incremental sync and incremental re-parsing.
 *
 * Each content change is applied to the text and, as a tree-sitter `InputEdit`, to the document's
 * last tree; the next analysis re-parses with that edited tree, so a keystroke costs a re-parse of
 * the edited region, not of the file. Several changes before one analysis are all recorded on the
 * tree and re-parsed once. Pure: no connection, tested without LSP.
 */
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { InputEdit, Point, PythonParser, SyntaxTree } from '../core/parsing';

export class OpenDocument {
  private doc: TextDocument;
  /** The last parsed tree, with every change since then applied through `tree.edit`. */
  private tree: SyntaxTree | undefined;
  /** `tree` matches `text` exactly (no edits since it was parsed). */
  private treeCurrent = false;
  /** Lone `\r` line breaks: LSP lines and tree-sitter rows disagree, so never edit trees incrementally. */
  private loneCr: boolean;
  /** Re-parses: full and incremental, for tests and the benchmark. */
  readonly parses = { full: 0, incremental: 0 };

  constructor(
    readonly uri: string,
    readonly languageId: string,
    version: number,
    text: string,
  ) {
    this.doc = TextDocument.create(uri, languageId, version, text);
    this.loneCr = /\r(?!\n)/.test(text);
  }

  get version(): number {
    return this.doc.version;
  }

  get text(): string {
    return this.doc.getText();
  }

  get textDocument(): TextDocument {
    return this.doc;
  }

  /** Applies changes in order (LSP semantics: each range refers to the text after the previous change). */
  applyChanges(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (!('range' in change) || !change.range) {
        this.dropTree();
        this.doc = TextDocument.create(this.uri, this.languageId, version, change.text);
        this.loneCr = /\r(?!\n)/.test(change.text);
        continue;
      }
      const start = this.doc.offsetAt(change.range.start);
      const oldEnd = Math.max(start, this.doc.offsetAt(change.range.end));
      if (change.text.includes('\r') && /\r(?!\n)/.test(change.text)) this.loneCr = true;
      if (this.tree && !this.loneCr) {
        const startPoint = this.pointAt(start);
        const edit: InputEdit = {
          startIndex: start,
          oldEndIndex: oldEnd,
          newEndIndex: start + change.text.length,
          startPosition: startPoint,
          oldEndPosition: this.pointAt(oldEnd),
          newEndPosition: advance(startPoint, change.text),
        };
        this.tree.edit(edit);
        this.treeCurrent = false;
      } else {
        this.dropTree();
      }
      this.doc = TextDocument.update(this.doc, [change], version);
      // Deleting or replacing the `\n` of a `\r\n` leaves a lone `\r` behind.
      if (!this.loneCr && this.text.charCodeAt(start - 1) === 13 && this.text.charCodeAt(start) !== 10) this.loneCr = true;
    }
    // A change list may be empty (some clients send one to bump the version).
    if (this.doc.version !== version) this.doc = TextDocument.update(this.doc, [], version);
    if (this.loneCr) this.dropTree();
  }

  /**
   * A tree for the current text: the kept one when nothing changed, else an incremental re-parse
   * of the edited tree (or a full parse when there is none). The document owns the tree.
   */
  currentTree(parser: PythonParser): SyntaxTree {
    if (this.tree && this.treeCurrent) return this.tree;
    const text = this.text;
    const old = this.tree;
    const next = parser.parse(text, old);
    if (old) {
      this.parses.incremental++;
      old.delete();
    } else this.parses.full++;
    this.tree = next;
    this.treeCurrent = true;
    return next;
  }

  /** Frees the tree (wasm trees hold memory outside the JS heap). */
  dispose(): void {
    this.dropTree();
  }

  private dropTree(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.treeCurrent = false;
  }

  /** tree-sitter's point (row, UTF-16 column) of an offset, in the current text. */
  private pointAt(offset: number): Point {
    const line = this.doc.positionAt(offset).line;
    return { row: line, column: offset - this.doc.offsetAt({ line, character: 0 }) };
  }
}

/** The point after inserting `text` at `start` (rows counted at `\n`, as tree-sitter does). */
export function advance(start: Point, text: string): Point {
  const last = text.lastIndexOf('\n');
  if (last < 0) return { row: start.row, column: start.column + text.length };
  let rows = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: text.length - last - 1 };
}

/** Every open document, by URI. */
export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    this.docs.get(uri)?.dispose();
    const doc = new OpenDocument(uri, languageId, version, text);
    this.docs.set(uri, doc);
    return doc;
  }

  get(uri: string): OpenDocument | undefined {
    return this.docs.get(uri);
  }

  close(uri: string): void {
    this.docs.get(uri)?.dispose();
    this.docs.delete(uri);
  }

  all(): OpenDocument[] {
    return [...this.docs.values()];
  }

  get size(): number {
    return this.docs.size;
  }
}
