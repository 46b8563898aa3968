/**
 * Runs scripts/truth/check_truth.py, which executes every rule-fixture case under real PyTorch and
 * checks its `# truth:` claims. Skipped (with the reason) where no Python with torch is installed.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../rules/fixture-format';

const PYTHON = process.env.OPTLINT_TRUTH_PYTHON ?? '/usr/bin/python3';

function torchAvailable(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} cannot be run (${probe.error.message})`;
  if (probe.status !== 0) return `${PYTHON} cannot import torch`;
  return undefined;
}

const skipReason = torchAvailable();

test('fixture truth claims hold under real PyTorch', { skip: skipReason ? `skipped: ${skipReason}` : false, timeout: 600_000 }, () => {
  const run = spawnSync(PYTHON, [path.join(REPO_ROOT, 'scripts', 'truth', 'check_truth.py')], { encoding: 'utf8', cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
  const out = `${run.stdout}${run.stderr}`;
  const summary = /^(\d+) passed, (\d+) failed$/m.exec(run.stdout);
  assert.ok(summary, `no summary line in the output:\n${out}`);
  const failures = out.split('\n').filter((l) => l.startsWith('FAIL'));
  assert.equal(run.status, 0, `check_truth.py exited ${run.status}:\n${failures.join('\n') || out}`);
  assert.ok(Number(summary[1]) > 0, 'no claim was checked');
});
