/**
 * The test-electron entry point: VS Code loads this module in its extension host and calls
 * `run()`; it runs the shared scenarios through the `vscode` API and throws when one fails
 * (which makes @vscode/test-electron exit non-zero).
 */
import * as path from 'node:path';
import { runScenarios } from './scenarios';
import { createVscodeDriver } from './vscode-driver';

export async function run(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const vscode = require('vscode') as typeof import('vscode');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) throw new Error('the suite needs a workspace folder (test/extension/run.ts opens one)');
  const ext = vscode.extensions.getExtension('optlint.optlint');
  if (!ext) throw new Error('optlint is not loaded in this VS Code');
  const api = (await ext.activate()) as { ready(): Promise<void> };
  await api.ready();
  const lines: string[] = [];
  const results = await runScenarios(createVscodeDriver(path.resolve(folder)), (l) => {
    lines.push(l);
    console.log(l);
  });
  const failed = results.filter(([, e]) => e);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  if (failed.length) throw new Error(failed.map(([n, e]) => `${n}: ${e!.message}`).join('\n'));
}
