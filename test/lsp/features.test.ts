/**
 * The pure functions behind each LSP feature, tested without LSP: incremental re-parsing,
 * diagnostics conversion, noqa edits, the split-groups plan, the chart, hovers and inlay hints.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { initParser, type PythonParser, type SyntaxNode } from '../../server/src/core/parsing';
import { lintSource } from '../../server/src/core/lint';
import type { Finding } from '../../server/src/core/types';
import { OpenDocument, advance } from '../../server/src/lsp/documents';
import { fromLspDiagnostic, toLspDiagnostic } from '../../server/src/lsp/diagnostics';
import { noqaEdit } from '../../server/src/lsp/code-actions';
import { isPlan, planSplitGroups } from '../../server/src/lsp/refactor-split-groups';
import { downsample, renderChartSvg, useLogScale } from '../../server/src/lsp/chart-svg';
import { optimizerHover, schedulerHover } from '../../server/src/lsp/hover';
import { lrInlayHints } from '../../server/src/lsp/inlay-hints';
import { previewScheduler } from '../../server/src/lsp/schedule-adapter';
import { DEFAULT_SETTINGS } from '../../server/src/lsp/settings';
import { applyEdits, positionOf } from './harness';

let parserPromise: Promise<PythonParser> | undefined;
const parser = (): Promise<PythonParser> => (parserPromise ??= initParser());

async function lint(text: string) {
  const p = await parser();
  const tree = p.parse(text);
  return { tree, result: lintSource({ text, parser: p, tree }) };
}

/** The tree as text: every node's type and span, to compare an incremental parse with a fresh one. */
function dump(n: SyntaxNode): string {
  return `(${n.type} ${n.startIndex}-${n.endIndex}${n.children.map((c) => ` ${dump(c)}`).join('')})`;
}

test('incremental re-parsing after random edits gives the tree a fresh parse gives', async () => {
  const p = await parser();
  let text = 'import torch\nimport torch.nn as nn\r\nmodel = nn.Linear(4, 2)\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1)  # 😀 λ\n';
  const doc = new OpenDocument('file:///x.py', 'python', 1, text);
  doc.currentTree(p);
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const pieces = ['x', '\n', ' ', '𝛼', '(', 'lr=', '\r\n', '"""', '', 'é'];
  for (let i = 0; i < 200; i++) {
    const a = rnd(text.length + 1);
    const b = Math.min(text.length, a + rnd(4));
    // Never split a surrogate pair or a CRLF: editors do not either.
    if (/[\uDC00-\uDFFF]/.test(text[a] ?? '') || /[\uDC00-\uDFFF]/.test(text[b] ?? '') || text[a] === '\n' && text[a - 1] === '\r' || text[b] === '\n' && text[b - 1] === '\r') continue;
    const piece = pieces[rnd(pieces.length)];
    const pos = (o: number) => {
      const before = text.slice(0, o);
      const lines = before.split(/\r\n|\n/);
      return { line: lines.length - 1, character: lines[lines.length - 1].length };
    };
    const range = { start: pos(a), end: pos(b) };
    text = text.slice(0, a) + piece + text.slice(b);
    doc.applyChanges([{ range, text: piece }], i + 2);
    assert.equal(doc.text, text);
    if (i % 3 === 0) {
      const fresh = p.parse(text);
      assert.equal(dump(doc.currentTree(p).rootNode), dump(fresh.rootNode), `edit ${i}`);
      fresh.delete();
    }
  }
  assert.ok(doc.parses.incremental > 50, `incremental parses: ${doc.parses.incremental}`);
  doc.dispose();
});

test('advance: the point after inserted text, rows at \\n', () => {
  assert.deepEqual(advance({ row: 2, column: 4 }, 'ab'), { row: 2, column: 6 });
  assert.deepEqual(advance({ row: 2, column: 4 }, 'ab\r\ncd'), { row: 3, column: 2 });
  assert.deepEqual(advance({ row: 0, column: 0 }, '\n\n'), { row: 2, column: 0 });
  assert.deepEqual(advance({ row: 0, column: 1 }, '𝛼'), { row: 0, column: 3 });
});

test('a finding survives the trip through a diagnostic (the quick fix needs no re-analysis)', () => {
  const f: Finding = {
    code: 'OPT101',
    name: 'empty-param-group',
    severity: 'error',
    message: 'm',
    range: { start: { line: 1, character: 2 }, end: { line: 1, character: 5 } },
    fix: { title: 'Use `model[2]`', safety: 'unsafe', edits: [{ range: { start: { line: 1, character: 2 }, end: { line: 1, character: 5 } }, newText: 'x' }] },
    related: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, message: 'r' }],
  };
  const d = toLspDiagnostic(f, { uri: 'file:///a.py', version: 3, docsBase: 'https://example.org/rules/' });
  assert.equal(d.codeDescription?.href, 'https://example.org/rules/OPT101-empty-param-group.md');
  assert.deepEqual(d.relatedInformation, [{ location: { uri: 'file:///a.py', range: f.related[0].range }, message: 'r' }]);
  assert.deepEqual(fromLspDiagnostic(d), { ...f, related: [] });
  assert.equal(fromLspDiagnostic({ ...d, source: 'pyright' }), undefined);
  assert.equal(fromLspDiagnostic({ ...d, data: { fix: { title: 3 } } })?.fix, null, 'a malformed fix is dropped');
});

test('noqa: appended, merged into an existing list, and never inside a string or after a continuation', async () => {
  const p = await parser();
  const edit = async (text: string, line: number, endLine = line) => {
    const tree = p.parse(text);
    const e = noqaEdit({ text, line, endLine, code: 'OPT101', root: tree.rootNode, parser: p });
    return e ? applyEdits(text, [e]) : undefined;
  };
  assert.equal(await edit('x = f(a)\n', 0), 'x = f(a)  # noqa: OPT101\n');
  assert.equal(await edit('x = f(a)   \r\n', 0), 'x = f(a)  # noqa: OPT101\r\n');
  assert.equal(await edit('x = f(a)  # noqa: OPT102\n', 0), 'x = f(a)  # noqa: OPT102, OPT101\n');
  assert.equal(await edit('x = f(a)  # type: ignore\n', 0), 'x = f(a)  # type: ignore  # noqa: OPT101\n');
  // Line 0 ends inside a triple-quoted string: the comment goes on the statement's last line.
  assert.equal(await edit('x = f(a, """doc\nmore""")\n', 0, 1), 'x = f(a, """doc\nmore""")  # noqa: OPT101\n');
  assert.equal(await edit('x = f(a, """doc\nmore""")\n', 0, 0), undefined);
  assert.equal(await edit('x = a + \\\n    b\n', 0, 1), 'x = a + \\\n    b  # noqa: OPT101\n');
});

const SPLIT_BASE = `import torch
import torch.nn as nn
`;

test('split into per-layer groups: resnet18, a custom module with its own parameter, an lr expression', async () => {
  const cases: Array<[string, string, string[]]> = [
    [
      'model = torchvision.models.resnet18(weights=None)\nopt = torch.optim.Adam(model.parameters(), lr=3e-4)\n',
      'opt',
      ['model.conv1', 'model.bn1', 'model.layer1', 'model.layer2', 'model.layer3', 'model.layer4', 'model.fc'],
    ],
    [
      `class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))
        self.body = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
        self.act = nn.ReLU()
        self.head = nn.Linear(8, 2)


net = Net()
opt = torch.optim.SGD(params=net.parameters(), lr=args.lr, momentum=0.9)
`,
      'opt',
      ['net.parameters(recurse=False)', 'net.body', 'net.head'],
    ],
  ];
  for (const [code, , expected] of cases) {
    const text = `${SPLIT_BASE}import torchvision\n${code}`;
    const { result } = await lint(text);
    const at = positionOf(text, 'torch.optim.');
    const plan = planSplitGroups({ model: result.model!, text, line: at.line, character: at.character });
    assert.ok(isPlan(plan), plan && 'refused' in plan ? plan.refused : 'no optimizer');
    assert.deepEqual(plan.groups.map((g) => g.params.replace(/\.parameters\(\)$/, '')), expected);
    assert.deepEqual(plan.groups.map((g) => g.head), expected.map((_, i) => i === expected.length - 1));
    const rewritten = applyEdits(text, plan.edits);
    const again = await lint(rewritten);
    assert.equal(again.result.hasSyntaxErrors, false);
    assert.deepEqual(again.result.findings.map((f) => f.code), [], rewritten);
    assert.equal(again.result.model!.optimizers[0].groups!.length, expected.length);
  }
  const { result } = await lint(`${SPLIT_BASE}${cases[1][0]}`);
  const text = `${SPLIT_BASE}${cases[1][0]}`;
  const at = positionOf(text, 'torch.optim.');
  const plan = planSplitGroups({ model: result.model!, text, line: at.line, character: at.character });
  assert.ok(isPlan(plan));
  assert.equal(plan.groups[0].lr, 'args.lr * 0.1');
});

test('split into per-layer groups: refused where coverage cannot be guaranteed', async () => {
  const refusals: Array<[string, RegExp]> = [
    [
      `class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(10, 4)
        self.lm_head = nn.Linear(4, 10, bias=False)
        self.lm_head.weight = self.wte.weight


model = LM()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
`,
      /share a parameter/,
    ],
    ['model = nn.Linear(4, 2)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n', /fewer than two children/],
    ['model = nn.Sequential(nn.Linear(4, 2), nn.ReLU())\nopt = torch.optim.SGD([p for p in model.parameters() if p.ndim > 1], lr=0.1)\n', /./],
    ['from mylib import Backbone\nmodel = Backbone()\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n', /cannot see/],
  ];
  for (const [code, why] of refusals) {
    const text = `${SPLIT_BASE}${code}`;
    const { result } = await lint(text);
    const at = positionOf(text, 'torch.optim.');
    const plan = planSplitGroups({ model: result.model!, text, line: at.line, character: at.character });
    assert.ok(!isPlan(plan), `refused:\n${code}`);
    if (plan) assert.match(plan.refused, why);
  }
});

test('chart: one polyline per group, log axis when the groups differ by more than 20x, extremes kept when down-sampling', () => {
  const a = Array.from({ length: 1000 }, (_, i) => 1e-4 * Math.cos((i / 999) * Math.PI) + 1e-4);
  const b = a.map((v) => v * 100);
  const svg = renderChartSvg([{ label: 'body <0>', values: a }, { label: 'head', values: b }]);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 2);
  assert.ok(svg.includes('body &lt;0&gt;'), 'labels are escaped');
  assert.ok(svg.includes('(log lr axis)'));
  assert.equal(useLogScale([{ label: 'x', values: a }, { label: 'y', values: a.map((v) => v * 2) }]), false);
  const spiky = new Array(10_000).fill(1);
  spiky[4321] = 50;
  spiky[8765] = -3;
  const ds = downsample(spiky, 400);
  assert.ok(ds.length <= 400);
  assert.ok(ds.some(([i, v]) => i === 4321 && v === 50));
  assert.ok(ds.some(([i, v]) => i === 8765 && v === -3));
});

test('hover: optimizer table marks where each value comes from; a scheduler that cannot be simulated says why', async () => {
  const text = `${SPLIT_BASE}model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
opt = torch.optim.SGD([{"params": model[0].parameters(), "weight_decay": 0.0}, {"params": model[2].parameters(), "lr": 0.5}], lr=0.1, momentum=0.9)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt)
`;
  const { tree, result } = await lint(text);
  const md = optimizerHover(result.model!.optimizers[0]).markdown;
  assert.match(md, /\| group \| holds \| params \| lr \| weight decay \| momentum \|/);
  assert.match(md, /\| 0 \| `model\[0\]` \| 40 \| \*0\.1 \(optimizer\)\* \| 0\.0 \| \*0\.9 \(optimizer\)\* \|/);
  assert.match(md, /\| 1 \| `model\[2\]` \| 18 \| 0\.5 \| \*0(\.0)? \(default\)\* \| \*0\.9 \(optimizer\)\* \|/);
  const s = result.model!.schedulers[0];
  const preview = previewScheduler({ root: tree.rootNode, text, model: result.model!, scheduler: s, settings: DEFAULT_SETTINGS });
  const h = schedulerHover(s, preview).markdown;
  assert.match(h, /Not simulated: .*metric/);
  assert.ok(!h.includes('data:image'));
});

test('inlay hints: a scalar max_lr overwrites every group; a LinearLR warm-up starts low', async () => {
  const text = `${SPLIT_BASE}model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
opt = torch.optim.SGD([
    {"params": model[0].parameters(), "lr": 1e-4},
    {"params": model[2].parameters(), "lr": 1e-2},
], momentum=0.9)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=100)
opt2 = torch.optim.Adam(model.parameters(), lr=1e-3)
warm = torch.optim.lr_scheduler.LinearLR(opt2, start_factor=0.1, total_iters=10)
`;
  const { tree, result } = await lint(text);
  const model = result.model!;
  const hints = lrInlayHints({ model, startOf: (s) => previewScheduler({ root: tree.rootNode, text, model, scheduler: s, settings: DEFAULT_SETTINGS, initialOnly: true }) });
  assert.deepEqual(
    hints.map((h) => [h.position.line, h.label]),
    [
      [4, '→ starts at 0.004 (OneCycleLR)'],
      [5, '→ starts at 0.004 (OneCycleLR)'],
      [8, '→ starts at 0.0001 (LinearLR)'],
    ],
  );
  // Only the hints inside the requested range.
  assert.equal(lrInlayHints({ model, range: { start: { line: 9, character: 0 }, end: { line: 10, character: 0 } }, startOf: () => undefined }).length, 0);
});

test('hover: a scheduler never stepped says so above its flat chart', async () => {
  const text = `${SPLIT_BASE}model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
for epoch in range(6):
    for x, y in loader:
        opt.step()
`;
  const { tree, result } = await lint(text);
  const s = result.model!.schedulers[0];
  const preview = previewScheduler({ root: tree.rootNode, text, model: result.model!, scheduler: s, settings: DEFAULT_SETTINGS })!;
  assert.match(preview.neverStepped ?? '', /`sched` is never stepped/);
  assert.deepEqual(preview.groups[0].lr, Array(6).fill(0.1));
  const h = schedulerHover(s, preview).markdown;
  assert.match(h, /\*\*Never stepped:\*\* `sched` is never stepped .*\n\n!\[lr of every param group over 6 epochs\]/);
  assert.match(h, /\| 0: model \| 0\.1 \| 0\.1 \(epoch 0\) \| 0\.1 \|/);
  // A bare OneCycleLR: the inlay hint says the lr stays where the constructor put it.
  const bare = `${SPLIT_BASE}model = nn.Linear(4, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=100)
for x, y in loader:
    opt.step()
`;
  const rb = await lint(bare);
  const hints = lrInlayHints({ model: rb.result.model!, startOf: (sc) => previewScheduler({ root: rb.tree.rootNode, text: bare, model: rb.result.model!, scheduler: sc, settings: DEFAULT_SETTINGS, initialOnly: true }) });
  assert.deepEqual(hints.map((x) => x.label), ['→ stays at 0.004 (OneCycleLR, never stepped)']);
  // Stepped, the same scheduler decays and says nothing of the kind.
  const stepped = `${text}    sched.step()\n`;
  const r2 = await lint(stepped);
  const p2 = previewScheduler({ root: r2.tree.rootNode, text: stepped, model: r2.result.model!, scheduler: r2.result.model!.schedulers[0], settings: DEFAULT_SETTINGS })!;
  assert.equal(p2.neverStepped, undefined);
  assert.ok(Math.abs(p2.groups[0].lr[5] - 0.001) < 1e-12);
});
