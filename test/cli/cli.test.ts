import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The built test lives in out/test/cli/, three levels below the repo root.
const REPO = path.resolve(__dirname, '../../..');
const BIN = path.join(REPO, 'bin', 'optlint.js');
const SAMPLES = path.join(REPO, 'samples');
const QUIZ = 'samples/quiz_differential_lr.py';
const RESNET = 'samples/resnet18_finetune.py';

/** The fields of `check --format json`: a contract other tools read, so exactly these. */
const CONTRACT_FIELDS = ['code', 'column', 'endColumn', 'endLine', 'file', 'fix', 'line', 'message', 'name', 'related', 'severity'];

/**
 * What `check samples/` must report, per file, as a sorted list of codes. Every sample is listed,
 * so a new sample without an entry fails the test instead of going unchecked.
 */
const EXPECTED_CODES: Record<string, string[]> = {
  'bert_style_weight_decay_rate.py': ['OPT201', 'OPT201'],
  'duplicate_params.py': ['OPT103'],
  'frozen_backbone_with_lr.py': ['OPT105'],
  'head_replaced_after_optimizer.py': ['OPT102'],
  'hf_style_no_decay.py': [],
  'layers_in_plain_list.py': ['OPT110'],
  'lightning_style.py': [],
  'nanogpt_style.py': [],
  'onecycle_per_batch.py': [],
  'quiz_differential_lr.py': ['OPT101', 'OPT102'],
  'resnet18_finetune.py': [],
  'resnet18_finetune_bn1_forgotten.py': ['OPT102'],
  'timm_style_layer_decay.py': [],
};

interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  name: string;
  severity: string;
  message: string;
  fix: null | { title: string; safety: string; edits: Array<{ line: number; column: number; endLine: number; endColumn: number; newText: string }> };
  related: unknown[];
}

interface GroupSummary {
  index: number;
  sources: string[];
  tensors: number | null;
  params: number | null;
  hyperparameters: Record<string, { value: unknown; text: string; source: string }>;
}

interface GroupsJson {
  file: string;
  optimizers: Array<{ className: string; variable: string | null; lrs: number[] | null; groups: GroupSummary[] | null }>;
}

/** Runs the CLI from the repo root; the environment (e.g. OPTLINT_PARSER) is passed through. */
function optlint(...args: string[]): SpawnSyncReturns<string> {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, `spawn failed: ${r.error}`);
  assert.doesNotMatch(r.stderr, /internal error/, `optlint crashed on ${args.join(' ')}:\n${r.stderr}`);
  return r;
}

function checkJson(...args: string[]): { status: number | null; diagnostics: JsonDiagnostic[] } {
  const r = optlint('check', '--format', 'json', ...args);
  return { status: r.status, diagnostics: JSON.parse(r.stdout) as JsonDiagnostic[] };
}

function codes(diagnostics: JsonDiagnostic[]): string[] {
  return diagnostics.map((d) => d.code).sort();
}

let tmpRoot: string | undefined;

/** A fresh directory under os.tmpdir(), removed after the run. */
function tmpDir(): string {
  tmpRoot ??= fs.mkdtempSync(path.join(os.tmpdir(), 'optlint-cli-'));
  return fs.mkdtempSync(path.join(tmpRoot, 'case-'));
}

function tmpFile(name: string, content: string | Buffer): string {
  const file = path.join(tmpDir(), name);
  fs.writeFileSync(file, content);
  return file;
}

test.after(() => {
  if (tmpRoot) fs.rmSync(tmpRoot, { recursive: true, force: true });
});

const quizText = (): string => fs.readFileSync(path.join(REPO, QUIZ), 'utf8');

/** Offset of the quiz's `model[1].parameters()` in code; the docstring quotes it first, hence lastIndexOf. */
function quizGroupOffset(text: string): number {
  const at = text.lastIndexOf('model[1].parameters()');
  assert.ok(at > 0);
  return at;
}

/** 1-based line and column (UTF-16 code units, as LSP and the JSON contract count) of an offset. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

// --- exit codes -----------------------------------------------------------------------------

test('exit code 0 for a clean file, 1 when something is reported', () => {
  const clean = optlint('check', RESNET);
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /No problems found in 1 file\./);
  const dirty = optlint('check', QUIZ);
  assert.equal(dirty.status, 1, dirty.stdout + dirty.stderr);
  assert.match(dirty.stdout, /OPT101/);
});

test('exit code 2 for a path that does not exist', () => {
  const missing = path.join(tmpDir(), 'no_such_file.py');
  const r = optlint('check', missing);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no such file/);
});

test('exit code 2 for a directory with no Python files', () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not python\n');
  const r = optlint('check', dir);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no Python files/);
});

test('exit code 2 for a binary file', () => {
  const file = tmpFile('weights.py', Buffer.from([0x80, 0x02, 0x00, 0x00, 0x7d, 0x71, 0x00, 0x2e]));
  const r = optlint('check', file);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /binary/);
});

test('exit code 2 for a file that is not UTF-8', () => {
  // Latin-1 "café" in a comment: 0xE9 is not valid UTF-8 on its own.
  const file = tmpFile('latin1.py', Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\nimport torch\n')]));
  const r = optlint('check', file);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /UTF-8/);
});

test('an unreadable input makes the exit code 2 even when other files have problems, which are still reported', () => {
  const r = optlint('check', QUIZ, path.join(tmpDir(), 'missing.py'));
  assert.equal(r.status, 2);
  assert.match(r.stdout, /OPT101/);
});

test('exit code 2 and the usage text for an unknown flag', () => {
  const r = optlint('check', '--bogus', QUIZ);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option '--bogus'/);
  assert.match(r.stderr, /Usage: optlint check/);
  assert.equal(r.stdout, '');
});

test('exit code 2 and the usage text for an unknown command', () => {
  const r = optlint('frobnicate', QUIZ);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
  assert.match(r.stderr, /Usage: optlint <command>/);
});

test('an empty file is clean', () => {
  const file = tmpFile('empty.py', '');
  const text = optlint('check', file);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /No problems found in 1 file\./);
  const json = checkJson(file);
  assert.equal(json.status, 0);
  assert.deepEqual(json.diagnostics, []);
});

test('a file with a syntax error elsewhere still gets the quiz diagnostics, without a crash', () => {
  const src = quizText();
  const at = src.indexOf('def evaluate(');
  assert.ok(at > 0);
  const broken = `${src.slice(0, at)}def broken_helper(x:\n    return x +\n\n\n${src.slice(at)}`;
  const file = tmpFile('quiz_syntax_error.py', broken);
  const { status, diagnostics } = checkJson(file);
  assert.equal(status, 1);
  assert.deepEqual(codes(diagnostics), ['OPT101', 'OPT102']);
  const opt101 = diagnostics.find((d) => d.code === 'OPT101')!;
  assert.deepEqual({ line: opt101.line, column: opt101.column }, position(broken, quizGroupOffset(broken)));
});

// --- JSON output ------------------------------------------------------------------------------

test('--format json prints an array of objects with exactly the contract fields, 1-based', () => {
  const { status, diagnostics } = checkJson(QUIZ);
  assert.equal(status, 1);
  assert.ok(Array.isArray(diagnostics));
  assert.equal(diagnostics.length, 2);
  for (const d of diagnostics) {
    assert.deepEqual(Object.keys(d).sort(), CONTRACT_FIELDS, d.code);
    assert.equal(d.file, QUIZ);
    for (const k of ['line', 'column', 'endLine', 'endColumn'] as const) assert.ok(Number.isInteger(d[k]) && d[k] >= 1, `${d.code}.${k}`);
    assert.ok(Array.isArray(d.related));
    assert.ok(['error', 'warning', 'info'].includes(d.severity));
    assert.match(d.name, /^[a-z0-9-]+$/);
  }
  const text = quizText();
  const start = quizGroupOffset(text);
  const expected = position(text, start);
  const opt101 = diagnostics.find((d) => d.code === 'OPT101')!;
  assert.equal(opt101.name, 'empty-param-group');
  assert.equal(opt101.severity, 'error');
  assert.equal(opt101.line, expected.line);
  assert.equal(opt101.column, expected.column);
  assert.equal(opt101.endLine, expected.line);
  assert.equal(opt101.endColumn, expected.column + 'model[1].parameters()'.length);
  assert.match(opt101.message, /`model\[1\]`/);
  assert.ok(opt101.fix);
  assert.equal(opt101.fix.safety, 'unsafe');
  const opt102 = diagnostics.find((d) => d.code === 'OPT102')!;
  assert.match(opt102.message, /`model\[2\]`/);
  assert.equal(opt102.fix, null);
});

// --- fixes ------------------------------------------------------------------------------------

test('--fix alone leaves the quiz untouched: its only fix is unsafe', () => {
  const original = fs.readFileSync(path.join(REPO, QUIZ));
  const file = tmpFile('quiz.py', original);
  const r = optlint('check', '--fix', file);
  assert.equal(r.status, 1);
  assert.ok(fs.readFileSync(file).equals(original));
});

test('--fix --unsafe-fixes rewrites model[1] to model[2] in that range only, and the result re-checks clean of OPT101', () => {
  const original = quizText();
  const file = tmpFile('quiz.py', original);
  const { diagnostics: before } = checkJson(file);
  const opt101 = before.find((d) => d.code === 'OPT101')!;
  for (const e of opt101.fix!.edits) {
    const inside = (l: number, c: number) =>
      (l > opt101.line || (l === opt101.line && c >= opt101.column)) && (l < opt101.endLine || (l === opt101.endLine && c <= opt101.endColumn));
    assert.ok(inside(e.line, e.column) && inside(e.endLine, e.endColumn), `edit ${JSON.stringify(e)} outside the diagnostic`);
  }

  const r = optlint('check', '--fix', '--unsafe-fixes', file);
  assert.doesNotMatch(r.stdout, /OPT101/);
  assert.match(r.stdout, /Fixed 1 problem/);

  const at = quizGroupOffset(original);
  const expected = `${original.slice(0, at)}model[2]${original.slice(at + 'model[1]'.length)}`;
  const fixed = fs.readFileSync(file);
  assert.ok(fixed.equals(Buffer.from(expected, 'utf8')), 'only model[1] -> model[2] at the group changes; every other byte is identical');
  // The docstring still quotes the mistake: the fix touched code, not text that looks like it.
  assert.ok(fixed.toString('utf8').includes("{'params': model[1].parameters(), 'lr': 0.01},"));

  const { diagnostics: after } = checkJson(file);
  assert.ok(!after.some((d) => d.code === 'OPT101'), JSON.stringify(after));
});

// --- selection --------------------------------------------------------------------------------

test('--select takes code prefixes', () => {
  const bert = checkJson('--select', 'OPT2', 'samples/bert_style_weight_decay_rate.py');
  assert.equal(bert.status, 1);
  assert.deepEqual(codes(bert.diagnostics), ['OPT201', 'OPT201']);
  const quiz = checkJson('--select', 'OPT2', QUIZ);
  assert.equal(quiz.status, 0);
  assert.deepEqual(quiz.diagnostics, []);
  const one = checkJson('--select', 'OPT101', QUIZ);
  assert.deepEqual(codes(one.diagnostics), ['OPT101']);
});

test('--ignore drops the named codes', () => {
  const { status, diagnostics } = checkJson('--ignore', 'OPT101', QUIZ);
  assert.equal(status, 1);
  assert.deepEqual(codes(diagnostics), ['OPT102']);
  const none = checkJson('--ignore', 'OPT1', QUIZ);
  assert.equal(none.status, 0);
  assert.deepEqual(none.diagnostics, []);
});

// --- groups -----------------------------------------------------------------------------------

test('groups prints the quiz answer [0.001, 0.01]', () => {
  const r = optlint('groups', QUIZ);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\[g\['lr'\] for g in optimizer\.param_groups\] == \[0\.001, 0\.01\]/);
  assert.match(r.stdout, /model\[1\]\s+EMPTY/);
});

test('groups --format json gives the quiz lrs', () => {
  const r = optlint('groups', '--format', 'json', QUIZ);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as GroupsJson;
  assert.equal(out.optimizers.length, 1);
  assert.deepEqual(out.optimizers[0].lrs, [0.001, 0.01]);
  assert.equal(out.optimizers[0].groups![1].tensors, 0);
  assert.deepEqual((out.optimizers[0] as unknown as { schedulers: unknown[] }).schedulers, []);
});

test('groups says the lrs hold until a scheduler built on the optimizer sets them', () => {
  // torch 1.13: after LinearLR(opt, start_factor=0.1) the group's lr is already 0.010000000000000002.
  const file = tmpFile('warmup.py', 'import torch\nm = torch.nn.Linear(2, 2)\nopt = torch.optim.SGD(m.parameters(), lr=0.1)\nwarmup = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1)\n');
  const r = optlint('groups', file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /== \[0\.1\]  \(until `warmup = LinearLR\(\.\.\.\)` at line 4 sets them: see `optlint schedule`\)/);
  const json = JSON.parse(optlint('groups', '--format', 'json', file).stdout) as { optimizers: Array<{ schedulers: unknown[] }> };
  assert.deepEqual(json.optimizers[0].schedulers, [{ className: 'LinearLR', variable: 'warmup', line: 4 }]);
});

test('groups marks a group added under an if, or in a loop of unknown length, as possibly missing', () => {
  const file = tmpFile(
    'maybe.py',
    `import torch
import torch.nn as nn
model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
groups = [{"params": model[0].parameters(), "lr": 1e-3}]
if args.train_head:
    groups.append({"params": model[2].parameters(), "lr": 1e-2})
for m in extra_modules:
    groups += [{"params": m.parameters()}]
opt = torch.optim.SGD(groups, lr=0.1)
`,
  );
  const r = optlint('groups', file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\(3 groups; the run may have other groups\)/);
  assert.match(r.stdout, /group 1 +model\[2\] .*\n +\(may be missing: added only if `args\.train_head`\)\n/);
  assert.match(r.stdout, /group 2 +m .*\n +\(may be missing or repeated: added once per iteration of the loop at line 7, which runs an unknown number of times\)\n/);
  assert.doesNotMatch(r.stdout, /param_groups\] ==/, 'no lr list is claimed for groups the run may not have');
  const json = JSON.parse(optlint('groups', '--format', 'json', file).stdout) as GroupsJson;
  assert.deepEqual(
    json.optimizers[0].groups!.map((g) => (g as unknown as { mayBeMissing: string | null }).mayBeMissing?.split(':')[0] ?? null),
    [null, 'may be missing', 'may be missing or repeated'],
  );
});

test('groups --format json on the resnet18 sample: seven groups, fc at 0.01', (t) => {
  const r = optlint('groups', '--format', 'json', RESNET);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as GroupsJson;
  assert.equal(out.optimizers.length, 1);
  const opt = out.optimizers[0];
  assert.equal(opt.className, 'SGD');
  const groups = opt.groups!;
  assert.equal(groups.length, 7);
  assert.deepEqual(
    groups.map((g) => g.sources),
    [['model.conv1'], ['model.bn1'], ['model.layer1'], ['model.layer2'], ['model.layer3'], ['model.layer4'], ['model.fc']],
  );
  assert.deepEqual(opt.lrs, [1e-4, 1e-4, 1e-4, 1e-4, 1e-4, 1e-4, 0.01]);
  const fc = groups[6];
  assert.equal(fc.hyperparameters.lr.value, 0.01);
  assert.equal(fc.hyperparameters.momentum.value, 0.9);
  assert.equal(fc.tensors, 2);
  // torchvision's own layers are counted from the facts tables.
  assert.equal(groups[1].params, 128);
  assert.equal(groups[0].params, 9408);
  // The new head is nn.Linear(model.fc.in_features, 10) on resnet18: 512 * 10 + 10 parameters.
  assert.equal(fc.params, 5130);
});

// --- the samples ------------------------------------------------------------------------------

test('every sample is in the expected-codes table', () => {
  const onDisk = fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.py')).sort();
  assert.deepEqual(onDisk, Object.keys(EXPECTED_CODES).sort());
});

test('check samples/ reports exactly the expected codes per file, and nothing in the correct samples', () => {
  const { status, diagnostics } = checkJson('samples');
  assert.equal(status, 1);
  const byFile: Record<string, string[]> = Object.fromEntries(Object.keys(EXPECTED_CODES).map((f) => [f, []]));
  for (const d of diagnostics) {
    const name = path.basename(d.file);
    assert.ok(name in byFile, `unexpected file ${d.file}`);
    byFile[name].push(d.code);
  }
  for (const name of Object.keys(byFile)) byFile[name].sort();
  assert.deepEqual(byFile, EXPECTED_CODES);

  const bn1 = diagnostics.find((d) => d.file.endsWith('resnet18_finetune_bn1_forgotten.py'))!;
  assert.match(bn1.message, /`model\.bn1`/);
  const frozen = diagnostics.find((d) => d.code === 'OPT105')!;
  assert.match(frozen.message, /requires_grad=False/);
  for (const d of diagnostics.filter((x) => x.code === 'OPT201')) assert.match(d.message, /`weight_decay_rate`/);
});

test('`npx --no-install optlint check --format json samples` resolves the project bin and prints a JSON array', () => {
  const npx = path.join(path.dirname(process.execPath), 'npx');
  const r = spawnSync(fs.existsSync(npx) ? npx : 'npx', ['--no-install', 'optlint', 'check', '--format', 'json', 'samples'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.error, undefined, `npx failed to start: ${r.error}`);
  assert.equal(r.status, 1, r.stderr);
  const out = JSON.parse(r.stdout) as JsonDiagnostic[];
  assert.ok(Array.isArray(out));
  assert.deepEqual(out.map((d) => d.code).sort(), Object.values(EXPECTED_CODES).flat().sort());
});
