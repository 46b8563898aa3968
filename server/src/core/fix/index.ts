import type { PythonParser } from '../parsing';
import { LineIndex } from '../text';
import type { Finding, FixSafety, TextEdit } from '../types';

export interface ApplyFixesOptions {
  /** Apply 'unsafe' fixes too (they change what trains). Default: safe only. */
  unsafe?: boolean;
  /** Used to check that every fix leaves a file that still parses. */
  parser: PythonParser;
}

export interface ApplyFixesResult {
  text: string;
  applied: Finding[];
  /** Fixes not applied: overlapping another, unsafe when not allowed, or breaking the parse. */
  skipped: Array<{ finding: Finding; reason: string }>;
}

interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/**
 * Applies the fixes carried by findings. Edits never overlap (a later overlapping fix is skipped),
 * and a fix whose result no longer parses (more syntax errors than before) is rolled back, so a
 * fix never leaves a broken file or touches text outside its own ranges.
 */
export function applyFixes(text: string, findings: Finding[], options: ApplyFixesOptions): ApplyFixesResult {
  const allowed: FixSafety[] = options.unsafe ? ['safe', 'unsafe'] : ['safe'];
  const index = new LineIndex(text);
  const skipped: ApplyFixesResult['skipped'] = [];
  const candidates: Array<{ finding: Finding; edits: OffsetEdit[] }> = [];
  for (const f of findings) {
    if (!f.fix) continue;
    if (!allowed.includes(f.fix.safety)) {
      skipped.push({ finding: f, reason: 'unsafe fix (use --unsafe-fixes)' });
      continue;
    }
    candidates.push({ finding: f, edits: toOffsets(index, f.fix.edits) });
  }
  candidates.sort((a, b) => a.edits[0].start - b.edits[0].start);
  const baseErrors = countErrors(options.parser, text);
  const taken: OffsetEdit[] = [];
  const applied: Finding[] = [];
  let current = text;
  for (const c of candidates) {
    if (c.edits.some((e) => taken.some((t) => overlaps(e, t)))) {
      skipped.push({ finding: c.finding, reason: 'overlaps another fix' });
      continue;
    }
    const next = applyEdits(text, [...taken, ...c.edits]);
    if (countErrors(options.parser, next) > baseErrors) {
      skipped.push({ finding: c.finding, reason: 'the result would not parse' });
      continue;
    }
    taken.push(...c.edits);
    applied.push(c.finding);
    current = next;
  }
  return { text: current, applied, skipped };
}

function toOffsets(index: LineIndex, edits: TextEdit[]): OffsetEdit[] {
  return edits
    .map((e) => ({ start: index.offsetAt(e.range.start), end: index.offsetAt(e.range.end), newText: e.newText }))
    .sort((a, b) => a.start - b.start);
}

function overlaps(a: OffsetEdit, b: OffsetEdit): boolean {
  // Two insertions at the same point would be ambiguous; touching ranges are fine.
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  return a.start < b.end && b.start < a.end;
}

/** Applies non-overlapping edits given in offsets of the original text. */
export function applyEdits(text: string, edits: OffsetEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

function countErrors(parser: PythonParser, text: string): number {
  const tree = parser.parse(text);
  try {
    let n = 0;
    const stack = [tree.rootNode];
    while (stack.length) {
      const node = stack.pop()!;
      if (!node.hasError && !node.isMissing) continue;
      if (node.type === 'ERROR' || node.isMissing) n++;
      for (const c of node.children) stack.push(c);
    }
    return n;
  } finally {
    tree.delete();
  }
}
