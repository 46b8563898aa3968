/**
 * The scenarios' driver inside VS Code's extension host (@vscode/test-electron): the same steps a
 * user takes, through the `vscode` API (the providers VS Code itself calls for the UI).
 * `vscode` is required lazily: this file is also loaded by `node --test`, where it does not exist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscodeTypes from 'vscode';
import type { Driver, HoverContent, PlotState, ProblemRow } from './scenarios';

type Vscode = typeof vscodeTypes;

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function createVscodeDriver(workspace: string): Driver {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vscode = require('vscode') as Vscode;
  const uriOf = (file: string) => vscode.Uri.file(path.join(workspace, file));
  const docOf = async (file: string) => vscode.workspace.openTextDocument(uriOf(file));

  return {
    name: 'vscode-api',
    workspace,
    async open(file) {
      await vscode.window.showTextDocument(await docOf(file), { preview: false });
    },
    async problems(file, codes): Promise<ProblemRow[]> {
      const uri = uriOf(file);
      return until(`diagnostics ${codes.join(', ')} on ${file}`, () => {
        const ds = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'optlint');
        const rows = ds.map((d) => ({ code: typeof d.code === 'object' ? String(d.code.value) : String(d.code), message: d.message }));
        return codes.every((c) => rows.some((r) => r.code === c)) ? rows : undefined;
      });
    },
    async quickFix(file, at, title) {
      const uri = uriOf(file);
      const pos = new vscode.Position(at.line, at.character);
      const action = await until(`code action '${title}'`, async () => {
        const actions = await vscode.commands.executeCommand<vscodeTypes.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(pos, pos));
        return actions?.find((a) => a.title === title);
      });
      if (!action.edit) throw new Error(`'${title}' has no edit`);
      if (!(await vscode.workspace.applyEdit(action.edit))) throw new Error(`'${title}' was not applied`);
    },
    async save(file) {
      const doc = await docOf(file);
      if (!(await doc.save())) throw new Error(`${file} was not saved`);
    },
    async hover(file, at): Promise<HoverContent> {
      const hovers = await until('a hover', async () => {
        const hs = await vscode.commands.executeCommand<vscodeTypes.Hover[]>('vscode.executeHoverProvider', uriOf(file), new vscode.Position(at.line, at.character));
        return hs && hs.length ? hs : undefined;
      });
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      const images = [...text.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
      return { text, images };
    },
    async codeLens(file, line, title) {
      const lens = await until(`code lens '${title}'`, async () => {
        const lenses = await vscode.commands.executeCommand<vscodeTypes.CodeLens[]>('vscode.executeCodeLensProvider', uriOf(file));
        return lenses?.find((l) => l.range.start.line === line && l.command?.title === title);
      });
      await vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? []));
    },
    async plot(): Promise<PlotState> {
      const ext = vscode.extensions.getExtension<{ plotPanel(): { lastPreview?: { groups: unknown[]; steps: number; title: string } } | undefined }>('optlint.optlint');
      if (!ext) throw new Error('the optlint extension is not installed');
      const api = ext.isActive ? ext.exports : await ext.activate();
      const p = await until('the plot view', () => api.plotPanel()?.lastPreview);
      return { groups: p.groups.length, steps: p.steps, title: p.title };
    },
    async screenshot() {
      // The extension host cannot take screenshots; the code-server harness does.
    },
  };
}

/** Whether a file exists in the workspace (for the suite's set-up checks). */
export function exists(workspace: string, file: string): boolean {
  return fs.existsSync(path.join(workspace, file));
}
