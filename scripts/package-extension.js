#!/usr/bin/env node
'use strict';
/**
 * Builds the VS Code extension into dist/ and packages it as a .vsix.
 *
 *   node scripts/package-extension.js build [--out DIR]   bundles only (npm run build:extension)
 *   node scripts/package-extension.js package             bundles, then vsce package (npm run package)
 *
 * dist/ holds: extension.js (the client), server.js (the language server), webview/ (the plot
 * view's script with uPlot, and its CSS), and next to server.js the native binaries it loads by
 * path (tree-sitter's and tree-sitter-python's N-API bindings, the libm addon) plus the wasm
 * fallback (web-tree-sitter's runtime and tree-sitter-python.wasm). esbuild cannot bundle `.node`
 * files: a small plugin rewrites the two `node-gyp-build` calls to `require(<dist>/<file>.node)`,
 * so when a binary is missing or does not load (another platform), the parsing layer's fallback
 * to wasm takes over.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');

/** The native binaries that go next to dist/server.js: [source, file name in dist]. */
function nativeBinaries() {
  const gypBuild = require('node-gyp-build');
  const out = [];
  for (const [pkg, name] of [
    ['tree-sitter', 'tree_sitter_runtime_binding.node'],
    ['tree-sitter-python', 'tree-sitter-python.node'],
  ]) {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`, { paths: [root] }));
    out.push([gypBuild.resolve(dir), name]);
  }
  for (const name of ['optlint_libm.node', 'optlint_tsflat.node']) {
    const file = path.join(root, 'server', 'native', 'build', 'Release', name);
    if (fs.existsSync(file)) out.push([file, name]);
  }
  return out;
}

/** The wasm fallback: web-tree-sitter's runtime and the Python grammar. */
function wasmFiles() {
  return [
    [require.resolve('web-tree-sitter/tree-sitter.wasm', { paths: [root] }), 'tree-sitter.wasm'],
    [path.join(path.dirname(require.resolve('tree-sitter-python/package.json', { paths: [root] })), 'tree-sitter-python.wasm'), 'tree-sitter-python.wasm'],
  ];
}

/** Rewrites `require('node-gyp-build')(dir)` in the two tree-sitter packages to a require by path. */
const nativeByPath = {
  name: 'native-by-path',
  setup(build) {
    const rewrite = (file, binary) => {
      let src = fs.readFileSync(file, 'utf8');
      const before = src;
      // The bun branch names a prebuild by template literal, which esbuild would try to bundle.
      src = src.replace(/require\(`[^`]*prebuilds\/[^`]*`\)/g, 'null');
      src = src.replace(/require\(["']node-gyp-build["']\)\((__dirname|root)\)/g, `require(require('path').join(__dirname, ${JSON.stringify(binary)}))`);
      if (src === before || /node-gyp-build/.test(src)) throw new Error(`native-by-path: could not rewrite the binding loader in ${file}`);
      return src;
    };
    build.onLoad({ filter: /[\\/]node_modules[\\/]tree-sitter[\\/]index\.js$/ }, (args) => ({ contents: rewrite(args.path, 'tree_sitter_runtime_binding.node'), loader: 'js' }));
    build.onLoad({ filter: /[\\/]node_modules[\\/]tree-sitter-python[\\/]bindings[\\/]node[\\/]index\.js$/ }, (args) => ({ contents: rewrite(args.path, 'tree-sitter-python.node'), loader: 'js' }));
  },
};

async function bundle(outDir = path.join(root, 'dist')) {
  const esbuild = require('esbuild');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, 'webview'), { recursive: true });
  const common = { bundle: true, logLevel: 'error', sourcemap: false, legalComments: 'none', absWorkingDir: root };
  await Promise.all([
    esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: path.join(outDir, 'extension.js'), platform: 'node', target: 'node18', format: 'cjs', external: ['vscode'] }),
    esbuild.build({
      ...common,
      entryPoints: ['server/src/lsp/main.ts'],
      outfile: path.join(outDir, 'server.js'),
      platform: 'node',
      target: 'node18',
      format: 'cjs',
      plugins: [nativeByPath],
      // The libm addon is required by a computed path (server/src/core/schedule/libm.ts).
      logOverride: { 'unsupported-require-call': 'silent', 'empty-import-meta': 'silent' },
    }),
    esbuild.build({ ...common, entryPoints: ['client/src/webview/plot.ts'], outfile: path.join(outDir, 'webview', 'plot.js'), platform: 'browser', target: 'es2020', format: 'iife', minify: true }),
  ]);
  fs.copyFileSync(require.resolve('uplot/dist/uPlot.min.css', { paths: [root] }), path.join(outDir, 'webview', 'uPlot.min.css'));
  fs.copyFileSync(path.join(root, 'client', 'src', 'webview', 'plot.css'), path.join(outDir, 'webview', 'plot.css'));
  for (const [src, name] of [...nativeBinaries(), ...wasmFiles()]) fs.copyFileSync(src, path.join(outDir, name));
  // The tree-sitter queries (core/parsing/query.ts looks for grammars/ beside the bundle).
  fs.mkdirSync(path.join(outDir, 'grammars'), { recursive: true });
  for (const f of fs.readdirSync(path.join(root, 'grammars')).filter((f) => f.endsWith('.scm'))) {
    fs.copyFileSync(path.join(root, 'grammars', f), path.join(outDir, 'grammars', f));
  }
  return outDir;
}

function vsixName() {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  return `${pkg.name}-${pkg.version}-${process.platform}-${process.arch}.vsix`;
}

function vscodeTarget() {
  const t = `${process.platform}-${process.arch}`;
  return ['win32-x64', 'win32-arm64', 'linux-x64', 'linux-arm64', 'linux-armhf', 'darwin-x64', 'darwin-arm64'].includes(t) ? t : undefined;
}

function packageVsix() {
  const vsce = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
  const out = path.join(root, vsixName());
  const target = vscodeTarget();
  const args = ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--readme-path', 'client/README.md', '-o', out, ...(target ? ['--target', target] : [])];
  const r = spawnSync(vsce, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`vsce package failed (exit ${r.status})`);
  return out;
}

async function main(argv) {
  const [command = 'build', ...rest] = argv;
  const outIdx = rest.indexOf('--out');
  const outDir = outIdx >= 0 ? path.resolve(rest[outIdx + 1]) : undefined;
  if (command === 'build') {
    const dir = await bundle(outDir);
    process.stdout.write(`built ${path.relative(root, dir) || dir}\n`);
  } else if (command === 'package') {
    await bundle();
    const vsix = packageVsix();
    process.stdout.write(`packaged ${path.relative(root, vsix)} (${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB)\n`);
  } else {
    throw new Error(`unknown command '${command}' (build or package)`);
  }
}

module.exports = { bundle, packageVsix, vsixName, nativeBinaries, wasmFiles };

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 1;
  });
}
