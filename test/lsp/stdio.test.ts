/**
 * The language server over real stdio: `optlint lsp --stdio` spawned as a process and driven with
 * vscode-jsonrpc, as an editor would. Every wait is for a message, never a fixed sleep.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyEdits, fileUri, LspClient, positionOf, REPO, type CodeAction, type Diagnostic } from './harness';

const SAMPLES = path.join(REPO, 'samples');
const read = (name: string): string => fs.readFileSync(path.join(SAMPLES, name), 'utf8');
const QUIZ = fileUri(path.join(SAMPLES, 'quiz_differential_lr.py'));
const ONECYCLE = fileUri(path.join(SAMPLES, 'onecycle_per_batch.py'));
const DUP = fileUri(path.join(SAMPLES, 'duplicate_params.py'));

/** Two safe OPT106 fixes (the model passed where its parameters are expected). */
const SAFE_FIXES = `import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
head = nn.Linear(2, 2)
optimizer = torch.optim.SGD(model, lr=0.1, momentum=0.9)
head_optimizer = torch.optim.Adam(head, lr=1e-3)
`;

const RESNET_SPLIT = `import torch
import torch.nn as nn
import torchvision

model = torchvision.models.resnet18(weights=None)
model.fc = nn.Linear(model.fc.in_features, 10)
optimizer = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
`;

const DEFAULT_LR = `import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
optimizer = torch.optim.Adam([
    {"params": model[0].parameters(), "lr": 1e-4},
    {"params": model[2].parameters()},
])
plain = torch.optim.AdamW(model.parameters())
`;

const codes = (ds: Diagnostic[]): string[] => ds.map((d) => String(d.code)).sort();

describe('language server over stdio', () => {
  let client: LspClient;
  before(async () => {
    client = await LspClient.start({ configuration: {}, refresh: true });
  });
  after(async () => {
    const code = await client.stop();
    assert.equal(code, 0, 'exit code after shutdown + exit');
    assert.deepEqual(client.problems(), [], 'no errors in the server log');
  });

  test('initialize: incremental sync and every feature advertised', () => {
    const caps = client.initializeResult!.capabilities as Record<string, unknown>;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    assert.equal(caps.hoverProvider, true);
    assert.ok(caps.inlayHintProvider);
    assert.ok(caps.codeLensProvider);
    assert.deepEqual((caps.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds, ['quickfix', 'source.fixAll.optlint', 'refactor.rewrite.optlint.splitGroups']);
    assert.deepEqual((caps.executeCommandProvider as { commands: string[] }).commands, ['optlint.server.fixAll']);
    assert.equal(client.initializeResult!.serverInfo?.name, 'optlint');
  });

  test('didOpen publishes diagnostics: source, code, rule page link, related information, fix in data', async () => {
    client.open(QUIZ, read('quiz_differential_lr.py'));
    const ds = await client.diagnosticsFor(QUIZ, 1);
    assert.deepEqual(codes(ds), ['OPT101', 'OPT102']);
    for (const d of ds) {
      assert.equal(d.source, 'optlint');
      const href = d.codeDescription?.href;
      assert.ok(href && href.startsWith('file://'), `codeDescription.href: ${href}`);
      const page = fileURLToPath(href);
      assert.ok(fs.existsSync(page), `${page} exists`);
      assert.match(path.basename(page), new RegExp(`^${d.code}-[a-z-]+\\.md$`));
    }
    const opt101 = ds.find((d) => d.code === 'OPT101')!;
    assert.equal(opt101.severity, 1);
    assert.deepEqual(opt101.range, { start: { line: 52, character: 19 }, end: { line: 52, character: 40 } });
    assert.equal((opt101.data as { fix: { title: string } }).fix.title, 'Use `model[2]`');
    const opt102 = ds.find((d) => d.code === 'OPT102')!;
    assert.equal(opt102.relatedInformation?.[0].message, '`model[2]` is created here');
    assert.equal(opt102.relatedInformation?.[0].location.uri, QUIZ);
  });

  test('duplicate parameter: related information points at the group that already holds it', async () => {
    client.open(DUP, read('duplicate_params.py'));
    const ds = await client.diagnosticsFor(DUP, 1);
    const dup = ds.find((d) => d.code === 'OPT103');
    assert.ok(dup, 'OPT103 reported');
    assert.match(dup.relatedInformation?.[0].message ?? '', /group 0 already holds/);
    client.close(DUP);
    await client.waitFor('cleared diagnostics', () => client.diagnostics.get(DUP)?.diagnostics.length === 0);
  });

  test('didChange (incremental): ranges follow the edit, the version is echoed, the tree is re-parsed incrementally', async () => {
    const before = await client.diagnosticsFor(QUIZ);
    const v2 = client.change(QUIZ, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# a new first line\n' }]);
    const shifted = await client.diagnosticsFor(QUIZ, v2);
    assert.deepEqual(
      shifted.map((d) => [d.code, d.range.start.line, d.range.start.character]).sort(),
      before.map((d) => [d.code, d.range.start.line + 1, d.range.start.character]).sort(),
    );
    const v3 = client.change(QUIZ, [{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: '' }]);
    const back = await client.diagnosticsFor(QUIZ, v3);
    assert.deepEqual(back.map((d) => d.range), before.map((d) => d.range));
    const status = await client.request<{ parses: { incremental: number; full: number } }>('optlint/status', {});
    assert.ok(status.parses.incremental >= 2, `incremental re-parses: ${JSON.stringify(status.parses)}`);
  });

  test('quick fix from the diagnostic data, then the file is checked again', async () => {
    const ds = await client.diagnosticsFor(QUIZ);
    const opt101 = ds.find((d) => d.code === 'OPT101')!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: QUIZ }, range: opt101.range, context: { diagnostics: [opt101] } });
    const fix = actions.find((a) => a.title === 'Use `model[2]` (OPT101)');
    assert.ok(fix, `quick fix offered: ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(fix.kind, 'quickfix');
    assert.equal(fix.isPreferred, false, 'an unsafe fix is not preferred');
    const edits = fix.edit!.changes![QUIZ];
    assert.deepEqual(edits, [{ range: { start: { line: 52, character: 19 }, end: { line: 52, character: 27 } }, newText: 'model[2]' }]);
    const beforeText = client.text(QUIZ);
    const v = client.applyWorkspaceEdit(QUIZ, fix.edit);
    const afterText = client.text(QUIZ);
    // Only the fix's range changed.
    const lines = beforeText.split('\n');
    lines[52] = lines[52].replace('model[1]', 'model[2]');
    assert.equal(afterText, lines.join('\n'));
    const now = await client.diagnosticsFor(QUIZ, v);
    assert.deepEqual(codes(now), [], 'both problems are gone once model[2] is in a group');
    // Undo, for the tests that follow.
    const v2 = client.change(QUIZ, [{ text: beforeText }]);
    assert.deepEqual(codes(await client.diagnosticsFor(QUIZ, v2)), ['OPT101', 'OPT102']);
  });

  test('suppress with # noqa: OPTxxx', async () => {
    const ds = await client.diagnosticsFor(QUIZ);
    const opt101 = ds.find((d) => d.code === 'OPT101')!;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: QUIZ }, range: opt101.range, context: { diagnostics: [opt101] } });
    const noqa = actions.find((a) => a.title === 'Suppress OPT101 with # noqa: OPT101');
    assert.ok(noqa, 'suppression offered');
    const original = client.text(QUIZ);
    const v = client.applyWorkspaceEdit(QUIZ, noqa.edit);
    assert.match(client.text(QUIZ).split('\n')[52], /model\[1\]\.parameters\(\), 'lr': 0\.01\},  # noqa: OPT101$/);
    assert.deepEqual(codes(await client.diagnosticsFor(QUIZ, v)), ['OPT102']);
    const v2 = client.change(QUIZ, [{ text: original }]);
    await client.diagnosticsFor(QUIZ, v2);
  });

  test('fix all safe problems in file (code action), and the file still parses', async () => {
    const uri = fileUri(path.join(REPO, 'test-lsp-safe-fixes.py'));
    client.open(uri, SAFE_FIXES);
    const ds = await client.diagnosticsFor(uri, 1);
    assert.deepEqual(codes(ds), ['OPT106', 'OPT106']);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: ds[0].range, context: { diagnostics: ds } });
    const all = actions.find((a) => a.title === 'Fix all safe optlint problems in file');
    assert.ok(all, 'fix-all offered');
    const source = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: ds[0].range, context: { diagnostics: [], only: ['source.fixAll'] } });
    assert.deepEqual(source.map((a) => a.kind), ['source.fixAll.optlint']);
    const v = client.applyWorkspaceEdit(uri, all.edit);
    assert.equal(client.text(uri), SAFE_FIXES.replace('SGD(model,', 'SGD(model.parameters(),').replace('Adam(head,', 'Adam(head.parameters(),'));
    assert.deepEqual(await client.diagnosticsFor(uri, v), []);
    client.close(uri);
  });

  test('executeCommand fixAll: the server sends workspace/applyEdit', async () => {
    const uri = fileUri(path.join(REPO, 'test-lsp-execute.py'));
    client.open(uri, SAFE_FIXES);
    await client.diagnosticsFor(uri, 1);
    const result = await client.request<{ applied: boolean; fixes: number }>('workspace/executeCommand', { command: 'optlint.server.fixAll', arguments: [{ uri, version: 1 }] });
    assert.deepEqual(result, { applied: true, fixes: 2 });
    const applied = client.appliedEdits.at(-1)!;
    assert.equal(applied.label, 'optlint: fix all safe problems');
    const fixed = applyEdits(SAFE_FIXES, applied.edit.changes![uri]);
    assert.match(fixed, /SGD\(model\.parameters\(\), lr=0\.1/);
    const v = client.change(uri, [{ text: fixed }]);
    assert.deepEqual(await client.diagnosticsFor(uri, v), []);
    const stale = await client.request<{ applied: boolean; reason: string }>('workspace/executeCommand', { command: 'optlint.server.fixAll', arguments: [{ uri, version: 1 }] });
    assert.deepEqual(stale, { applied: false, reason: 'document changed' });
    client.close(uri);
  });

  test('hover on an optimizer: its groups, counts, values and where they come from', async () => {
    const uri = fileUri(path.join(REPO, 'test-lsp-default-lr.py'));
    client.open(uri, DEFAULT_LR);
    await client.diagnosticsFor(uri, 1);
    const hover = await client.request<{ contents: { kind: string; value: string }; range: unknown }>('textDocument/hover', { textDocument: { uri }, position: positionOf(DEFAULT_LR, 'optim.Adam', 0, 7) });
    assert.equal(hover.contents.kind, 'markdown');
    const md = hover.contents.value;
    assert.match(md, /\*\*torch\.optim\.Adam\*\*: 2 param groups/);
    assert.match(md, /\| group \| holds \| params \| lr \|/);
    assert.match(md, /\| 0 \| `model\[0\]` \| 40 \| 0\.0001 \|/);
    assert.match(md, /\| 1 \| `model\[2\]` \| 18 \| \*0\.001 \(default\)\* \|/);
    const none = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } });
    assert.equal(none, null);
    client.close(uri);
  });

  test('hover on a scheduler: an SVG chart of every group with start, peak, end and the assumptions', async () => {
    const text = read('onecycle_per_batch.py');
    client.open(ONECYCLE, text);
    await client.diagnosticsFor(ONECYCLE, 1);
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: ONECYCLE }, position: positionOf(text, 'scheduler = OneCycleLR(', 0, 15) });
    const md = hover.contents.value;
    const img = /!\[[^\]]*\]\(data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)\)/.exec(md);
    assert.ok(img, 'an SVG data URI image');
    const svg = Buffer.from(img[1], 'base64').toString('utf8');
    assert.match(svg, /^<svg /);
    assert.equal((svg.match(/<polyline /g) ?? []).length, 2, 'one line per group');
    assert.match(md, /\| 0: model\.encoder \| 4e-05 \| 0\.001 \(optimizer step 59\) \| 4e-09 \|/);
    assert.match(md, /\| 1: model\.decoder \| 0\.0004 \| 0\.01 \(optimizer step 59\) \| 4e-08 \|/);
    assert.match(md, /Assumed:\n- epochs = 2 \(argparse default of --epochs\)\n- steps_per_epoch = 100 \(default\)/);
  });

  test('inlay hints: the default lr where it is not written, the start lr a scheduler sets', async () => {
    const uri = fileUri(path.join(REPO, 'test-lsp-default-lr.py'));
    client.open(uri, DEFAULT_LR);
    await client.diagnosticsFor(uri, 1);
    const hints = await client.request<Array<{ position: { line: number; character: number }; label: string }>>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } });
    assert.deepEqual(
      hints.map((h) => [h.position.line, h.label]),
      [
        [6, 'lr: 0.001 (default)'],
        [8, 'lr: 0.001 (default)'],
      ],
    );
    const onecycle = await client.request<Array<{ position: { line: number; character: number }; label: string }>>('textDocument/inlayHint', { textDocument: { uri: ONECYCLE }, range: { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } } });
    assert.deepEqual(
      onecycle.map((h) => h.label),
      ['→ starts at 4e-05 (OneCycleLR)', '→ starts at 0.0004 (OneCycleLR)'],
    );
    client.close(uri);
  });

  test('code lens above each scheduler opens the preview', async () => {
    const lenses = await client.request<Array<{ range: { start: { line: number } }; command: { title: string; command: string; arguments: unknown[] } }>>('textDocument/codeLens', { textDocument: { uri: ONECYCLE } });
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].command.title, 'Preview LR schedule');
    assert.equal(lenses[0].command.command, 'optlint.previewSchedule');
    assert.deepEqual(lenses[0].command.arguments, [ONECYCLE, 60, 16]);
  });

  test('schedule preview request: traces, and a re-run with other assumptions', async () => {
    type Preview = { steps: number; unit: string; groups: Array<{ lr: number[]; peak: number; peakAt: number }>; inputs: Array<{ name: string; value: number }> };
    const p = await client.request<Preview>('optlint/schedulePreview', { uri: ONECYCLE, position: { line: 60, character: 16 } });
    assert.equal(p.unit, 'step');
    assert.equal(p.steps, 200);
    assert.equal(p.groups.length, 2);
    assert.equal(p.groups[1].peak, 0.01);
    assert.deepEqual(p.inputs.map((i) => i.name), ['epochs', 'steps_per_epoch']);
    const r = await client.request<Preview>('optlint/schedulePreview', { uri: ONECYCLE, position: { line: 60, character: 16 }, assumptions: { args: { epochs: 10 } } });
    assert.equal(r.steps, 1000, '10 epochs x 100 steps');
    assert.equal(r.groups[0].peakAt, 299);
  });

  test('schedule preview: steps per epoch set in the view', async () => {
    type Preview = { steps: number; error?: string };
    const q = await client.request<Preview>('optlint/schedulePreview', { uri: ONECYCLE, position: { line: 60, character: 16 }, assumptions: { args: { epochs: 5, steps_per_epoch: 40 } } });
    assert.equal(q.error, undefined);
    assert.equal(q.steps, 200, '5 epochs x 40 steps');
  });

  test('refactor: split model.parameters() into per-layer groups (resnet18)', async () => {
    const uri = fileUri(path.join(REPO, 'test-lsp-split.py'));
    client.open(uri, RESNET_SPLIT);
    assert.deepEqual(await client.diagnosticsFor(uri, 1), []);
    const at = positionOf(RESNET_SPLIT, 'optim.SGD');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: at, end: at }, context: { diagnostics: [] } });
    const split = actions.find((a) => a.kind === 'refactor.rewrite.optlint.splitGroups');
    assert.ok(split, `offered: ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(split.title, 'Split into per-layer groups (discriminative learning rates)');
    const v = client.applyWorkspaceEdit(uri, split.edit);
    assert.equal(
      client.text(uri).split('\n').slice(6).join('\n'),
      `optimizer = torch.optim.SGD([
    {"params": model.conv1.parameters(), "lr": 0.001},
    {"params": model.bn1.parameters(), "lr": 0.001},
    {"params": model.layer1.parameters(), "lr": 0.001},
    {"params": model.layer2.parameters(), "lr": 0.001},
    {"params": model.layer3.parameters(), "lr": 0.001},
    {"params": model.layer4.parameters(), "lr": 0.001},
    {"params": model.fc.parameters()},
], lr=1e-2, momentum=0.9)
`,
    );
    assert.deepEqual(await client.diagnosticsFor(uri, v), [], 'the rewritten call is clean');
    const hover = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: positionOf(client.text(uri), 'optim.SGD', 0, 7) });
    assert.match(hover.contents.value, /7 param groups/);
    assert.match(hover.contents.value, /\| 6 \| `model\.fc` \| 5,130 \| \*0\.01 \(optimizer\)\* \|/);
    client.close(uri);
  });

  test('settings from workspace/configuration: select, severity; re-checked on didChangeConfiguration', async () => {
    client.setConfiguration({ select: ['OPT102'], severity: { OPT102: 'info' } });
    await client.waitFor('re-check with the new settings', () => {
      const d = client.diagnostics.get(QUIZ);
      return d && d.diagnostics.length === 1 && d.diagnostics[0].code === 'OPT102' && d.diagnostics[0].severity === 3;
    });
    client.setConfiguration({ enable: false });
    await client.waitFor('nothing when disabled', () => client.diagnostics.get(QUIZ)?.diagnostics.length === 0);
    client.setConfiguration({});
    await client.waitFor('back to every rule', () => client.diagnostics.get(QUIZ)?.diagnostics.length === 2);
  });
});
