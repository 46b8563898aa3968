import type { Position, Range } from './types';
import type { SyntaxNode } from './parsing';

/** Line-start offsets of a text, for turning (line, UTF-16 column) into string offsets. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  offsetAt(pos: Position): number {
    const start = this.starts[Math.min(pos.line, this.starts.length - 1)] ?? this.text.length;
    return Math.min(start + pos.character, this.text.length);
  }
  positionAt(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo] };
  }
  lineText(line: number): string {
    const start = this.starts[line] ?? this.text.length;
    const end = this.starts[line + 1] ?? this.text.length;
    return this.text.slice(start, end).replace(/\r?\n$/, '');
  }
  get lineCount(): number {
    return this.starts.length;
  }
}

/** The range a syntax node covers (tree-sitter rows/columns are already UTF-16 here). */
export function nodeRange(node: SyntaxNode): Range {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

/** The root of the tree a node belongs to (the module). */
export function syntaxRoot(node: SyntaxNode): SyntaxNode {
  let root = node;
  while (root.parent) root = root.parent;
  return root;
}

/** `inner` lies within `outer`'s range (or is `outer`). */
export function nodeContains(outer: SyntaxNode, inner: SyntaxNode): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/**
 * Calls `fn` with every word of `text` in order (each match of /[A-Za-z_]\w*\/g: ASCII
 * identifiers), without a regex match object per word. Stops at the first word for which `fn`
 * returns true, and returns whether one did.
 */
export function someWord(text: string, fn: (word: string) => boolean | void): boolean {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    // [A-Za-z_]
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) {
      let j = i + 1;
      // \w
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (!((d >= 65 && d <= 90) || (d >= 97 && d <= 122) || d === 95 || (d >= 48 && d <= 57))) break;
      }
      if (fn(text.slice(i, j)) === true) return true;
      i = j;
    } else i++;
  }
  return false;
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return dp[a.length][b.length];
}
