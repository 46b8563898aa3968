/**
 * Runs every script in samples/ under real PyTorch: samples/README.md says each runs to
 * completion, and what some of them print is what optlint claims about them. Skipped (with the
 * reason) where no Python with torch is installed.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../rules/fixture-format';

const PYTHON = process.env.OPTLINT_TRUTH_PYTHON ?? '/usr/bin/python3';
const SAMPLES = path.join(REPO_ROOT, 'samples');

const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const skipReason = probe.error ? `${PYTHON} cannot be run (${probe.error.message})` : probe.status !== 0 ? `${PYTHON} cannot import torch` : undefined;

/** What a sample prints that optlint's finding on it is about. */
const PRINTS: Record<string, string> = {
  'quiz_differential_lr.py': '[0.001, 0.01]',
  'head_replaced_after_optimizer.py': 'new head updated? False',
  'layers_in_plain_list.py': 'blocks updated? False',
};

for (const file of fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.py')).sort()) {
  test(`samples/${file} runs to completion under real PyTorch`, { skip: skipReason ? `skipped: ${skipReason}` : false, timeout: 120_000 }, () => {
    const run = spawnSync(PYTHON, ['-W', 'ignore', path.join(SAMPLES, file)], { encoding: 'utf8', cwd: REPO_ROOT });
    assert.equal(run.status, 0, `${file} exited ${run.status}:\n${run.stdout}${run.stderr}`);
    const expected = PRINTS[file];
    if (expected) assert.ok(run.stdout.includes(expected), `${file} printed:\n${run.stdout}`);
  });
}
