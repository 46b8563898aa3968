#!/usr/bin/env node
'use strict';
// Runs the whole suite on the native tree-sitter backend (optlint's addon), then the
// parser-dependent part again on the web-tree-sitter (wasm) fallback, and the core and rule tests
// on the `tree-sitter` binding (the native backend when the addon is not built), so every way of
// reading a tree stays tested. Node 20's test runner takes
// directories (it has no glob support), hence one directory per area.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const outTest = path.join(root, 'out', 'test');
const parserDependent = ['core', 'rules', 'cli', 'lsp'].map((d) => path.join(outTest, d)).filter((d) => fs.existsSync(d));

function run(label, env, targets) {
  process.stdout.write(`\n# ${label}\n`);
  const r = spawnSync(process.execPath, ['--test', ...targets], { stdio: 'inherit', env: { ...process.env, ...env }, cwd: root });
  return r.status === 0;
}

const nativeOk = run('all tests, native tree-sitter backend', { OPTLINT_PARSER: 'native' }, [outTest]);
const wasmOk = parserDependent.length ? run('parser-dependent tests, wasm backend', { OPTLINT_PARSER: 'wasm' }, parserDependent) : true;
const bindingDirs = ['core', 'rules'].map((d) => path.join(outTest, d)).filter((d) => fs.existsSync(d));
const bindingOk = bindingDirs.length ? run('core and rule tests, tree-sitter binding', { OPTLINT_PARSER: 'binding' }, bindingDirs) : true;
process.exitCode = nativeOk && wasmOk && bindingOk ? 0 : 1;
