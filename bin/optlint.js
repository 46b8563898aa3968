#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled TypeScript in out/ (run `npm run build` first).
// A reader that stops early (`optlint check . | head`) closes the pipe: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e && e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
require('../out/server/src/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`optlint: internal error: ${err && err.stack || err}\n`); process.exitCode = 2; },
);
