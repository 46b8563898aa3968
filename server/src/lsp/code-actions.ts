/**
 * Code actions: each diagnostic's own fix (carried in its `data`, so no re-analysis), "fix all
 * safe problems in file", "suppress with # noqa: OPTxxx", and the per-layer groups refactor.
 *
 * Every edit offered goes through `applyFixes` first, which rolls back an edit that would leave a
 * file that no longer parses; the edits offered are exactly the fix's own edits, so nothing
 * outside their ranges changes.
 */
import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type WorkspaceEdit } from 'vscode-languageserver';
import type { FileModel } from '../core/model';
import type { PythonParser, SyntaxNode } from '../core/parsing';
import { applyFixes } from '../core/fix';
import { LineIndex } from '../core/text';
import type { Finding, TextEdit } from '../core/types';
import { fromLspDiagnostic, SOURCE, type DiagnosticData } from './diagnostics';
import { isPlan, planSplitGroups } from './refactor-split-groups';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.optlint`;
export const SPLIT_KIND = `${CodeActionKind.RefactorRewrite}.optlint.splitGroups`;
export const FIX_ALL_TITLE = 'Fix all safe optlint problems in file';

export interface CodeActionInput {
  uri: string;
  version: number;
  text: string;
  range: Range;
  /** The diagnostics the client sends in the request's context. */
  diagnostics: Diagnostic[];
  /** Requested kinds (`context.only`), if any. */
  only?: string[];
  /** The current analysis (for fix-all and the refactor); undefined when none. */
  findings?: Finding[];
  model?: FileModel;
  root?: SyntaxNode;
  parser: PythonParser;
}

function wanted(only: string[] | undefined, kind: string): boolean {
  return !only || only.length === 0 || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

export function codeActions(input: CodeActionInput): CodeAction[] {
  const out: CodeAction[] = [];
  const { uri, text, parser } = input;
  const ours = input.diagnostics.filter((d) => d.source === SOURCE);

  if (wanted(input.only, CodeActionKind.QuickFix)) {
    for (const d of ours) {
      const data = d.data as Partial<DiagnosticData> | undefined;
      const finding = fromLspDiagnostic(d);
      if (!finding?.fix) continue;
      // Ranges from an older version may point anywhere now: offer nothing rather than a wrong edit.
      if (data?.version !== undefined && data.version !== input.version) continue;
      const checked = applyFixes(text, [finding], { unsafe: true, parser });
      if (!checked.applied.length) continue;
      out.push({
        title: `${finding.fix.title} (${finding.code})`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: finding.fix.safety === 'safe',
        edit: workspaceEdit(uri, finding.fix.edits),
      });
    }
    for (const d of ours) {
      const edit = noqaEdit({ text, line: d.range.start.line, endLine: d.range.end.line, code: String(d.code), root: input.root, parser });
      if (!edit) continue;
      out.push({ title: `Suppress ${d.code} with # noqa: ${d.code}`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: workspaceEdit(uri, [edit]) });
    }
  }

  const fixAll = input.findings ? fixAllEdits(text, input.findings, parser) : [];
  if (fixAll.length) {
    // As a quick fix next to the diagnostics, and as the source action editors run on save.
    if (ours.length && wanted(input.only, CodeActionKind.QuickFix)) out.push({ title: FIX_ALL_TITLE, kind: CodeActionKind.QuickFix, edit: workspaceEdit(uri, fixAll) });
    if (input.only?.length && wanted(input.only, FIX_ALL_KIND)) out.push({ title: FIX_ALL_TITLE, kind: FIX_ALL_KIND, edit: workspaceEdit(uri, fixAll) });
  }

  if (input.model && wanted(input.only, SPLIT_KIND)) {
    const plan = planSplitGroups({ model: input.model, text, line: input.range.start.line, character: input.range.start.character });
    if (isPlan(plan)) {
      const checked = applyFixes(text, [{ code: 'refactor', name: 'split', severity: 'info', message: '', range: plan.edits[0].range, fix: { title: plan.title, safety: 'unsafe', edits: plan.edits }, related: [] }], { unsafe: true, parser });
      if (checked.applied.length) out.push({ title: plan.title, kind: SPLIT_KIND, edit: workspaceEdit(uri, plan.edits) });
    }
  }
  return out;
}

/** The edits of every safe fix that applies (never overlapping, never breaking the parse). */
export function fixAllEdits(text: string, findings: Finding[], parser: PythonParser): TextEdit[] {
  if (!findings.some((f) => f.fix?.safety === 'safe')) return [];
  const { applied } = applyFixes(text, findings, { unsafe: false, parser });
  return applied.flatMap((f) => f.fix!.edits);
}

export function workspaceEdit(uri: string, edits: TextEdit[]): WorkspaceEdit {
  return { changes: { [uri]: edits.map((e) => ({ range: e.range, newText: e.newText })) } };
}

/**
 * The edit that adds `# noqa: CODE` to the diagnostic's line (or, when that line ends inside a
 * string or a continuation, its last line): extends an existing `# noqa: ...` list, else appends
 * a comment. Undefined when neither line can take a comment.
 */
export function noqaEdit(input: { text: string; line: number; endLine: number; code: string; root?: SyntaxNode; parser: PythonParser }): TextEdit | undefined {
  const { text, code } = input;
  const index = new LineIndex(text);
  for (const line of [...new Set([input.line, input.endLine])]) {
    if (line >= index.lineCount) continue;
    const lineText = index.lineText(line).replace(/\r$/, '');
    const lineStart = index.offsetAt({ line, character: 0 });
    const comment = input.root ? commentOnLine(input.root, line) : undefined;
    let edit: TextEdit | undefined;
    if (comment) {
      const m = /#\s*noqa(?::\s*([A-Za-z0-9_]+(?:[\s,]+[A-Za-z0-9_]+)*))?/i.exec(comment.text);
      if (m && !m[1]) return undefined; // a bare `# noqa` already silences the line
      if (m && m[1]) {
        const at = comment.startPosition.column + m.index + m[0].length;
        edit = { range: { start: { line, character: at }, end: { line, character: at } }, newText: `, ${code}` };
      }
    }
    if (!edit) {
      if (input.root && endsInsideString(input.root, lineStart + lineText.length)) continue;
      if (/\\$/.test(lineText)) continue;
      const trimmed = lineText.replace(/\s+$/, '');
      edit = { range: { start: { line, character: trimmed.length }, end: { line, character: lineText.length } }, newText: `  # noqa: ${code}` };
    }
    const probe: Finding = { code, name: 'noqa', severity: 'info', message: '', range: edit.range, fix: { title: 'noqa', safety: 'safe', edits: [edit] }, related: [] };
    if (applyFixes(text, [probe], { parser: input.parser }).applied.length) return edit;
  }
  return undefined;
}

function commentOnLine(root: SyntaxNode, line: number): SyntaxNode | undefined {
  let node: SyntaxNode | undefined = root;
  // Descend to the statement(s) covering the line, then look for a comment that starts on it.
  const stack: SyntaxNode[] = [root];
  while (stack.length) {
    node = stack.pop()!;
    for (const c of node.children) {
      if (c.endPosition.row < line || c.startPosition.row > line) continue;
      if (c.type === 'comment' && c.startPosition.row === line) return c;
      stack.push(c);
    }
  }
  return undefined;
}

/** True when the offset lies inside a string literal (a line break inside a triple-quoted string). */
function endsInsideString(root: SyntaxNode, offset: number): boolean {
  let node: SyntaxNode | undefined = root;
  while (node) {
    if ((node.type === 'string' || node.type === 'concatenated_string') && node.startIndex < offset && offset < node.endIndex) return true;
    node = node.children.find((c) => c.startIndex <= offset && offset < c.endIndex);
  }
  return false;
}
