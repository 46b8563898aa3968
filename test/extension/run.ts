/**
 * `npm run test:extension`: the extension's integration suite in a real VS Code (Electron) through
 * @vscode/test-electron, with the scenarios shared with the code-server suite (test/e2e).
 *
 * VS Code is the build at $VSCODE_EXECUTABLE_PATH, else one that test-electron downloads (version
 * $VSCODE_VERSION, default 1.100.3, the version code-server 4.100.3 embeds). Where neither is
 * possible (no network, as on the CI machines), the suite reports a clear skip and exits 0.
 * On Linux, VS Code needs a display: run under `xvfb-run -a` when there is none.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { prepareWorkspace } from './scenarios';

const REPO = path.resolve(__dirname, '../../..');

export async function main(): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { downloadAndUnzipVSCode, runTests } = require('@vscode/test-electron') as typeof import('@vscode/test-electron');
  if (!fs.existsSync(path.join(REPO, 'dist', 'extension.js'))) {
    process.stderr.write('dist/extension.js is missing: run `npm run build:extension` first\n');
    return 2;
  }
  let executable = process.env.VSCODE_EXECUTABLE_PATH;
  if (!executable) {
    try {
      executable = await downloadAndUnzipVSCode({ version: process.env.VSCODE_VERSION ?? '1.100.3', cachePath: path.join(REPO, '.vscode-test'), timeout: 20_000 });
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      process.stdout.write(`SKIP test-electron suite: no VS Code build was given and none could be downloaded (${why}).\n`);
      process.stdout.write('     Set VSCODE_EXECUTABLE_PATH to a VS Code executable to run it here; test/e2e (code-server) runs the same scenarios.\n');
      process.stdout.write('0 passed, 0 failed, 1 skipped\n');
      return 0;
    }
  }
  const workspace = path.join(REPO, '.vscode-test', 'workspace');
  prepareWorkspace(REPO, workspace);
  const userData = path.join(REPO, '.vscode-test', 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ 'security.workspace.trust.enabled': false, 'workbench.startupEditor': 'none' }));
  try {
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: REPO,
      extensionTestsPath: path.join(__dirname, 'suite'),
      launchArgs: [workspace, '--disable-extensions', '--skip-welcome', '--skip-release-notes', `--user-data-dir=${userData}`],
    });
    return 0;
  } catch (e) {
    process.stderr.write(`the test-electron suite failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

// `node --test out/test/` loads every file under out/test: run only when started on purpose.
if (require.main === module && !process.env.NODE_TEST_CONTEXT) {
  main().then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
      process.exitCode = 1;
    },
  );
}
