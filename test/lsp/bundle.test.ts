/**
 * The bundled server as the extension ships it (dist/server.js with its binaries beside it), built
 * into a temporary folder outside the repository: it runs with the native tree-sitter, and where
 * the native binaries are absent it falls back to the wasm parser and reports the same diagnostics.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileUri, LspClient, REPO } from './harness';

interface Status {
  backend: string;
  implementation?: string;
  nativeLoadError?: string;
}

const SAMPLE = path.join(REPO, 'samples', 'quiz_differential_lr.py');
let dir = '';

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlint-bundle-'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require(path.join(REPO, 'scripts', 'package-extension.js')) as { bundle(out: string): Promise<string> };
  await pkg.bundle(path.join(dir, 'dist'));
  // The rule pages the diagnostics link to ship beside dist/, as in the .vsix.
  fs.cpSync(path.join(REPO, 'docs', 'rules'), path.join(dir, 'docs', 'rules'), { recursive: true });
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function check(distDir: string): Promise<{ status: Status; codes: string[]; href?: string }> {
  // OPTLINT_PARSER empty: the bundle chooses (native, else wasm), whatever backend this test run uses.
  const client = await LspClient.start({ command: [process.execPath, path.join(distDir, 'server.js'), '--stdio'], cwd: os.tmpdir(), env: { OPTLINT_PARSER: '' } });
  try {
    const uri = fileUri(SAMPLE);
    client.open(uri, fs.readFileSync(SAMPLE, 'utf8'));
    const ds = await client.diagnosticsFor(uri, 1);
    const status = await client.request<Status>('optlint/status', {});
    return { status, codes: ds.map((d) => String(d.code)).sort(), href: ds[0]?.codeDescription?.href };
  } finally {
    assert.equal(await client.stop(), 0);
    assert.deepEqual(client.problems(), []);
  }
}

test('the bundle holds the server, the client, the webview, the native binaries and the wasm fallback', () => {
  const files = fs.readdirSync(path.join(dir, 'dist')).sort();
  for (const f of ['extension.js', 'server.js', 'optlint_tsflat.node', 'optlint_libm.node', 'tree-sitter-python.node', 'tree-sitter-python.wasm', 'tree-sitter.wasm', 'tree_sitter_runtime_binding.node', 'webview']) assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'dist', 'webview')).sort(), ['plot.css', 'plot.js', 'uPlot.min.css']);
  const server = fs.readFileSync(path.join(dir, 'dist', 'server.js'), 'utf8');
  assert.ok(!/require\(["']node-gyp-build["']\)/.test(server), 'native bindings are loaded by path');
  assert.ok(!/require\(["']tree-sitter["']\)/.test(server), 'tree-sitter is bundled, not required from node_modules');
});

test('the bundled server runs on the native tree-sitter, outside the repository', async () => {
  const r = await check(path.join(dir, 'dist'));
  assert.equal(r.status.backend, 'native');
  assert.equal(r.status.implementation, 'addon');
  assert.deepEqual(r.codes, ['OPT101', 'OPT102']);
  assert.ok(r.href?.startsWith(`file://${path.join(dir, 'docs', 'rules')}`), `rule page shipped with the bundle: ${r.href}`);
});

test('without the native binaries, the bundled server falls back to wasm with the same diagnostics', async () => {
  const bare = path.join(dir, 'bare');
  fs.cpSync(path.join(dir, 'dist'), path.join(bare, 'dist'), { recursive: true });
  for (const f of fs.readdirSync(path.join(bare, 'dist'))) if (f.endsWith('.node')) fs.rmSync(path.join(bare, 'dist', f));
  const r = await check(path.join(bare, 'dist'));
  assert.equal(r.status.backend, 'wasm');
  assert.match(r.status.nativeLoadError ?? '', /tree_sitter_runtime_binding\.node|Cannot find module/);
  assert.deepEqual(r.codes, ['OPT101', 'OPT102']);
});
