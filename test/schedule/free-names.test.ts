/**
 * readNames: the names code may read from its scope, which decide the statements the planner
 * evaluates. Each case states what is read and what is not; the end-to-end cases show values
 * that are reached only through the paths it keeps (a default, an f-string, a call site's
 * arguments, a global a function reads) still resolve.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { initParser, type SyntaxNode } from '../../server/src/core/parsing';
import { buildModel } from '../../server/src/core/model';
import { simulateFileSchedules } from '../../server/src/core/schedule';
import { readNames } from '../../server/src/core/schedule/free-names';

async function names(src: string): Promise<string[]> {
  const parser = await initParser();
  const tree = parser.parse(src);
  const out = new Set<string>();
  for (const st of tree.rootNode.namedChildren as SyntaxNode[]) readNames(st, (n) => out.add(n));
  return [...out].sort();
}

test('attribute and keyword names are not reads; their objects and values are', async () => {
  assert.deepEqual(await names('f(args.lr, lr=base.rate * k)\n'), ['args', 'base', 'f', 'k']);
});

test('strings and comments hold no reads, f-string interpolations do', async () => {
  assert.deepEqual(await names('print("epoch loss", f"{epoch:>{width}} {x!r}")  # model optimizer\n'), ['epoch', 'print', 'width', 'x']);
});

test('an assignment reads its value and what its targets index, not the names it binds', async () => {
  assert.deepEqual(await names('a, (b, *c) = d\ne[i].f = g\nh += 1\n'), ['d', 'e', 'g', 'h', 'i']);
  assert.deepEqual(await names('for i, (x, y) in enumerate(loader):\n    total = total + x\n'), ['enumerate', 'loader', 'total', 'x']);
});

test('lambda parameters are not reads inside it; their defaults are read outside', async () => {
  assert.deepEqual(await names('s = LambdaLR(opt, lambda step, w=warmup: min(1.0, step / w) * scale)\n'), ['LambdaLR', 'min', 'opt', 'scale', 'warmup']);
});

test("a def reads what its body reads but its parameters and locals; defaults and decorators are read where it is", async () => {
  const src = `@decorate(level)
def build(lr=base_lr, *rest, steps: int = total, **kw):
    scale = factor * 2
    for epoch in range(epochs):
        scale += epoch
    import math as m
    with open(path) as fh:
        pass
    def inner(q):
        return q + scale + outer_name
    return lr * scale * m.pi + len(rest) + inner(fh)
`;
  assert.deepEqual(await names(src), ['base_lr', 'decorate', 'epochs', 'factor', 'int', 'len', 'level', 'open', 'outer_name', 'path', 'range', 'total']);
});

test('a def that declares global or nonlocal keeps every name it mentions', async () => {
  assert.deepEqual(await names('def bump():\n    global count\n    count = count + step\n'), ['count', 'step']);
});

test('comprehension variables are not reads inside it', async () => {
  assert.deepEqual(await names('lrs = [base * g for g in groups if g > floor]\n'), ['base', 'floor', 'groups']);
});

async function lrs(src: string): Promise<number[][]> {
  const parser = await initParser();
  const tree = parser.parse(src);
  const model = buildModel(tree.rootNode, '2.x');
  const [s] = simulateFileSchedules({ model, root: tree.rootNode, text: src, steps: 3 });
  assert.equal(s.notSimulated, undefined, s.notSimulated);
  return s.groups.map((g) => Array.from(g.lr));
}

test("a lambda's values reached through a default, a call site, and a global a helper reads still resolve", async () => {
  const src = `import torch
import torch.nn as nn
BASE = 0.5
SCALES = [1, 2]
model = nn.Linear(2, 2)

def decay(e, base=BASE):
    return base ** (e * SCALES[1] / DIVISOR)

DIVISOR = 2

def train(factor):
    fs = (factor * SCALES[0], factor * SCALES[1])
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda e, f=fs[1]: decay(e) * f)
    for step in range(3):
        optimizer.step()
        scheduler.step()

train(factor=3)
`;
  // lr_lambda(e) = 0.5 ** e * 6
  assert.deepEqual(await lrs(src), [[6, 3, 1.5]]);
});
