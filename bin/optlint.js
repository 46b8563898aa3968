#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled TypeScript in out/ (run `npm run build` first).
require('../out/server/src/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`optlint: internal error: ${err && err.stack || err}\n`); process.exitCode = 2; },
);
