import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { expectedFiles } from '../../scripts/gen-docs';
import { rules } from '../../server/src/core/rules';

test('docs/rules pages are generated from the current rule docs (run npm run docs)', () => {
  for (const [file, text] of expectedFiles()) {
    assert.ok(fs.existsSync(file), `${file} is missing`);
    assert.equal(fs.readFileSync(file, 'utf8'), text, `${file} is stale`);
  }
});

test('every rule page has the four headings and the runtime section', () => {
  for (const [file, text] of expectedFiles()) {
    if (file.endsWith('README.md')) continue;
    for (const h of ['## What it does', '## Why is this bad?', '## Example', '## Use instead', '## What PyTorch does at run time']) {
      assert.ok(text.includes(h), `${file} lacks ${h}`);
    }
  }
  assert.equal(expectedFiles().size, rules.length + 1);
});
