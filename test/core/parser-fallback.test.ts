import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

/**
 * Runs a script in a fresh node where `require('tree-sitter')` fails and optlint's tree-sitter
 * addon is not found, as on a machine where neither could be built; with `keepBinding`, only the
 * addon is missing.
 */
function runWithoutNativeBinding(script: string, args?: string[], keepBinding = false): { status: number | null; stdout: string; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optlint-fallback-'));
  const preload = path.join(dir, 'no-native.js');
  fs.writeFileSync(
    preload,
    `const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'tree-sitter' && ${!keepBinding}) throw Object.assign(new Error("Cannot find module 'tree-sitter' (hidden by the test)"), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};`,
  );
  const env: NodeJS.ProcessEnv = { ...process.env, OPTLINT_TSFLAT_ADDON: path.join(dir, 'not-built.node') };
  delete env.OPTLINT_PARSER;
  const r = spawnSync(process.execPath, ['--require', preload, ...(args ?? ['-e', script])], { cwd: root, encoding: 'utf8', env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('auto falls back to web-tree-sitter when the native binding cannot load', () => {
  const r = runWithoutNativeBinding(`
    const parsing = require('./out/server/src/core/parsing');
    parsing.initParser().then((p) => {
      const tree = p.parse('model = nn.Sequential(nn.Linear(2, 2))\\n');
      console.log(JSON.stringify({ backend: p.backend, why: parsing.nativeLoadError, type: tree.rootNode.type }));
    });`);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.backend, 'wasm');
  assert.match(out.why, /hidden by the test/);
  assert.equal(out.type, 'module');
});

test('the CLI still reports the quiz findings on the wasm fallback', () => {
  const quiz = path.join(root, 'samples', 'quiz_differential_lr.py');
  const r = runWithoutNativeBinding('', [path.join(root, 'bin', 'optlint.js'), 'check', '--format', 'json', quiz]);
  assert.equal(r.status, 1, r.stderr);
  const codes = JSON.parse(r.stdout).map((d: { code: string }) => d.code).sort();
  assert.deepEqual(codes, ['OPT101', 'OPT102']);
});

test("asking for the native backend explicitly fails loudly instead of falling back", () => {
  const r = runWithoutNativeBinding(`
    require('./out/server/src/core/parsing').initParser({ backend: 'native' }).then(
      () => console.log('loaded'),
      (e) => console.log('failed: ' + e.message));`);
  assert.match(r.stdout, /^failed: .*not-built\.node|^failed: .*hidden by the test/);
  assert.match(r.stdout, /hidden by the test/);
});

test("without optlint's addon the native backend reads trees through the tree-sitter binding", () => {
  const quiz = path.join(root, 'samples', 'quiz_differential_lr.py');
  const r = runWithoutNativeBinding(`
    const parsing = require('./out/server/src/core/parsing');
    const { lintSource } = require('./out/server/src/core/lint');
    parsing.initParser().then((p) => {
      const text = require('fs').readFileSync(${JSON.stringify(quiz)}, 'utf8');
      const codes = lintSource({ text, parser: p }).findings.map((f) => f.code).sort();
      console.log(JSON.stringify({ backend: p.backend, implementation: p.implementation, codes }));
    });`, undefined, true);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.backend, 'native');
  assert.equal(out.implementation, 'binding');
  assert.deepEqual(out.codes, ['OPT101', 'OPT102']);
});
