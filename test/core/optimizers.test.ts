/**
 * Optimizers in the model: the forms `params` takes, what each group holds, freezing and
 * unfreezing, and effective hyperparameters (group > optimizer argument > class default).
 */
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { enumerateLeaves } from '../../server/src/core/model';
import { effective, fileModel, groupNames, leafNames, moduleOf, optimizerOf, walk } from './model-helpers';

const NET = `class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(8, 16), nn.LayerNorm(16), nn.ReLU(), nn.Linear(16, 16))
        self.head = nn.Linear(16, 2)

model = Net()
`;
const ALL = ['encoder.0.weight', 'encoder.0.bias', 'encoder.1.weight', 'encoder.1.bias', 'encoder.3.weight', 'encoder.3.bias', 'head.weight', 'head.bias'];


/**
 * Walks `src` while counting calls of one of the walker's methods (`loopBody`: loop bodies walked;
 * `callFunction`: calls of the user function named `fn`).
 */
async function walkCounting(src: string, method: 'loopBody' | 'callFunction', fn?: string): Promise<{ w: Awaited<ReturnType<typeof walk>>; calls: number }> {
  const { Walker } = await import('../../server/src/core/model/walker');
  const proto = Walker.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const original = proto[method];
  let calls = 0;
  proto[method] = function (this: unknown, ...a: unknown[]) {
    if (!fn || (a[0] as { name?: string }).name === fn) calls++;
    return original.apply(this, a);
  };
  try {
    return { w: await walk(src), calls };
  } finally {
    proto[method] = original;
  }
}
describe('params forms', () => {
  test('model.parameters(): one group with everything', async () => {
    const w = await walk(`${NET}opt = torch.optim.SGD(model.parameters(), lr=0.1)\n`);
    const opt = optimizerOf(w, 'opt');
    assert.equal(opt.groups?.length, 1);
    assert.equal(opt.groups![0].params?.exact, true);
    assert.deepEqual(groupNames(opt.groups![0], moduleOf(w, 'model')), ALL);
  });

  test('a list of dicts: one group per dict, in order', async () => {
    const w = await walk(`${NET}opt = torch.optim.Adam([
    {"params": model.encoder.parameters(), "lr": 1e-4},
    {"params": model.head.parameters()},
], lr=1e-3)
`);
    const opt = optimizerOf(w, 'opt');
    const m = moduleOf(w, 'model');
    assert.equal(opt.groups?.length, 2);
    assert.equal(opt.groupsComplete, true);
    assert.deepEqual(groupNames(opt.groups![0], m), ALL.slice(0, 6));
    assert.deepEqual(groupNames(opt.groups![1], m), ALL.slice(6));
    assert.deepEqual(opt.groups!.map((g) => g.selections.map((s) => s.expr)), [['model.encoder'], ['model.head']]);
  });

  test('model.x.y.parameters() chains and indices', async () => {
    const w = await walk(`${NET}opt = torch.optim.SGD([{"params": model.encoder[3].parameters()}], lr=0.1)\n`);
    assert.deepEqual(groupNames(optimizerOf(w, 'opt').groups![0], moduleOf(w, 'model')), ['encoder.3.weight', 'encoder.3.bias']);
  });

  test('groups built in a variable first', async () => {
    const w = await walk(`${NET}head_params = list(model.head.parameters())
groups = [{"params": model.encoder.parameters(), "weight_decay": 0.0}]
groups.append({"params": head_params, "lr": 0.01})
opt = torch.optim.AdamW(groups, lr=1e-3)
`);
    const opt = optimizerOf(w, 'opt');
    assert.equal(opt.groups?.length, 2);
    assert.deepEqual(groupNames(opt.groups![1], moduleOf(w, 'model')), ['head.weight', 'head.bias']);
    assert.deepEqual(effective(opt.groups![1], 'lr'), { value: 0.01, source: 'group' });
  });

  test('filter(lambda p: p.requires_grad, ...) after freezing keeps the trainable ones', async () => {
    const w = await walk(`${NET}for p in model.encoder.parameters():
    p.requires_grad = False
opt = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1)
`);
    const g = optimizerOf(w, 'opt').groups![0];
    assert.equal(g.params?.exact, true);
    assert.deepEqual(groupNames(g, moduleOf(w, 'model')), ['head.weight', 'head.bias']);
  });

  test('comprehensions over named_parameters: startswith, in, any(nd in n ...), p.ndim', async () => {
    const w = await walk(`${NET}no_decay = ["bias", "encoder.1.weight"]
a = torch.optim.SGD([p for n, p in model.named_parameters() if n.startswith("head.")], lr=0.1)
b = torch.optim.SGD([p for n, p in model.named_parameters() if "bias" in n], lr=0.1)
c = torch.optim.SGD([
    {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},
    {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},
], lr=0.1)
d = torch.optim.SGD([
    {"params": [p for p in model.parameters() if p.ndim >= 2]},
    {"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0},
], lr=0.1)
`);
    const m = moduleOf(w, 'model');
    const names = (opt: string, i = 0): string[] => groupNames(optimizerOf(w, opt).groups![i], m);
    assert.deepEqual(names('a'), ['head.weight', 'head.bias']);
    assert.deepEqual(names('b'), ALL.filter((n) => n.endsWith('bias')));
    assert.deepEqual(names('c', 0), ['encoder.0.weight', 'encoder.3.weight', 'head.weight']);
    assert.deepEqual(names('c', 1), ['encoder.0.bias', 'encoder.1.weight', 'encoder.1.bias', 'encoder.3.bias', 'head.bias']);
    assert.deepEqual(names('d', 0), ['encoder.0.weight', 'encoder.3.weight', 'head.weight']);
    assert.deepEqual(names('d', 1), ['encoder.0.bias', 'encoder.1.weight', 'encoder.1.bias', 'encoder.3.bias', 'head.bias']);
  });

  test('a filter keeps the variables it reads as they were when it was built', async () => {
    const w = await walk(`${NET}no_decay = ["bias"]
opt = torch.optim.SGD([p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], lr=0.1)
no_decay = ["weight"]
`);
    assert.deepEqual(groupNames(optimizerOf(w, 'opt').groups![0], moduleOf(w, 'model')), ALL.filter((n) => n.endsWith('bias')));
  });

  test('a predicate it cannot decide leaves the group inexact', async () => {
    const w = await walk(`${NET}opt = torch.optim.SGD([p for n, p in model.named_parameters() if is_decayed(n)], lr=0.1)\n`);
    const g = optimizerOf(w, 'opt').groups![0];
    assert.equal(g.params?.exact, false);
  });

  test('itertools.chain and list + list', async () => {
    const w = await walk(`import itertools
${NET}a = torch.optim.SGD(itertools.chain(model.encoder.parameters(), model.head.parameters()), lr=0.1)
b = torch.optim.SGD(list(model.encoder[0].parameters()) + list(model.head.parameters()), lr=0.1)
`);
    const m = moduleOf(w, 'model');
    assert.deepEqual(groupNames(optimizerOf(w, 'a').groups![0], m), ALL);
    assert.deepEqual(groupNames(optimizerOf(w, 'b').groups![0], m), ['encoder.0.weight', 'encoder.0.bias', 'head.weight', 'head.bias']);
  });

  test('an optimizer built inside a method sees self', async () => {
    const w = await walk(`class Lit(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 4)
        self.head = nn.Linear(4, 1)

    def configure_optimizers(self):
        return torch.optim.Adam([{"params": self.body.parameters(), "lr": 1e-4}, {"params": self.head.parameters()}], lr=1e-3)

model = Lit()
opt = model.configure_optimizers()
`);
    const opt = optimizerOf(w, 'opt');
    assert.deepEqual(groupNames(opt.groups![0], moduleOf(w, 'model')), ['body.weight', 'body.bias']);
  });

  test('add_param_group appends a group', async () => {
    const w = await walk(`${NET}opt = torch.optim.SGD(model.head.parameters(), lr=0.1)
opt.add_param_group({"params": model.encoder.parameters(), "lr": 0.01})
`);
    const opt = optimizerOf(w, 'opt');
    assert.equal(opt.groups?.length, 2);
    assert.equal(opt.groups![1].added, true);
    assert.deepEqual(effective(opt.groups![1], 'lr'), { value: 0.01, source: 'group' });
  });
});

describe('freezing', () => {
  test('a loop over parameters() freezes everything in it', async () => {
    const w = await walk(`${NET}for p in model.parameters():
    p.requires_grad = False
`);
    const m = moduleOf(w, 'model');
    assert.ok(enumerateLeaves(m).leaves.every((l) => l.leaf.requiresGrad === false));
  });

  test('a name filter in the loop freezes only what it matches', async () => {
    const w = await walk(`${NET}for name, param in model.named_parameters():
    if not name.startswith("head."):
        param.requires_grad = False
`);
    const flags = enumerateLeaves(moduleOf(w, 'model')).leaves.map((l) => `${l.name}=${l.leaf.requiresGrad}`);
    assert.deepEqual(flags, [...ALL.slice(0, 6).map((n) => `${n}=false`), 'head.weight=true', 'head.bias=true']);
  });

  test('requires_grad_(False) on a submodule, then unfreezing part of it', async () => {
    const src = `${NET}model.encoder.requires_grad_(False)
opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
everything = torch.optim.SGD(model.parameters(), lr=0.1)
for p in model.encoder[3].parameters():
    p.requires_grad = True
`;
    const w = await walk(src);
    const m = moduleOf(w, 'model');
    const flags = Object.fromEntries(enumerateLeaves(m).leaves.map((l) => [l.name, l.leaf.requiresGrad]));
    assert.equal(flags['encoder.0.weight'], false);
    assert.equal(flags['encoder.3.weight'], true);
    assert.equal(flags['head.weight'], true);
    const opt = optimizerOf(w, 'opt');
    // What the optimizer got is a snapshot taken when it was built.
    assert.deepEqual(groupNames(opt.groups![0], m), ['head.weight', 'head.bias']);
    // Frozen leaves the optimizer was given when it was built (none for the filtered one).
    assert.equal(opt.frozenLeavesAtConstruction.size, 0);
    assert.equal(optimizerOf(w, 'everything').frozenLeavesAtConstruction.size, 6);
    // What the filter left out because it was frozen then (encoder[3] is unfrozen afterwards).
    assert.equal(opt.frozenBesideGroups.size, 6);
    assert.equal(optimizerOf(w, 'everything').frozenBesideGroups.size, 0);
    const fm = await fileModel(src);
    assert.deepEqual(fm.freezes.map((f) => f.requiresGrad), [false, true]);
  });

  test('a flag it cannot evaluate makes requires_grad unknown', async () => {
    const w = await walk(`${NET}for p in model.encoder.parameters():
    p.requires_grad = train_encoder
`);
    const leaves = enumerateLeaves(moduleOf(w, 'model')).leaves;
    assert.equal(leaves[0].leaf.requiresGrad, 'unknown');
    assert.equal(leaves[7].leaf.requiresGrad, true);
  });

  test('a freeze that may not run leaves requires_grad unknown; the main guard always runs', async () => {
    const w = await walk(`${NET}if args.freeze:
    model.encoder.requires_grad_(False)
try:
    model.head.requires_grad_(False)
except RuntimeError:
    model.head.requires_grad_(True)
`);
    const flags = Object.fromEntries(enumerateLeaves(moduleOf(w, 'model')).leaves.map((l) => [l.name, l.leaf.requiresGrad]));
    assert.equal(flags['encoder.0.weight'], 'unknown');
    assert.equal(flags['head.weight'], 'unknown', 'the except handler may or may not undo the try body');
    const main = await walk(`${NET}if __name__ == "__main__":
    model.encoder.requires_grad_(False)
`);
    assert.equal(enumerateLeaves(moduleOf(main, 'model')).leaves[0].leaf.requiresGrad, false);
  });

  test('a generator used only under a condition is not certainly exhausted', async () => {
    const fm = await fileModel(`${NET}params = model.parameters()
if verbose:
    print(sum(p.numel() for p in params))
opt = torch.optim.SGD(params, lr=0.1)
`);
    assert.deepEqual(fm.consumptions.map((c) => [c.sink, c.conditional]), [['comprehension', true], ['optimizer', false]]);
    assert.equal(fm.optimizers[0].groups![0].params?.leaves.length, 8);
  });

  test('a branch inside an unrolled loop runs when its condition holds', async () => {
    const w = await walk(`${NET}model.requires_grad_(False)
opt = torch.optim.SGD(model.head.parameters(), lr=0.1)
for epoch in range(5):
    if epoch == 3:
        model.encoder.requires_grad_(True)
        opt.add_param_group({"params": model.encoder.parameters(), "lr": 0.01})
`);
    assert.equal(optimizerOf(w, 'opt').groups?.length, 2);
    assert.ok(leafNames(moduleOf(w, 'model')).length === 8);
  });
});

describe('groups added by code that may not run', () => {
  test('a group appended under an undecided if makes the group list uncertain; appends under a loop filter do not', async () => {
    const w = await walk(`${NET}groups = [{"params": model.encoder.parameters()}]
if args.train_head:
    groups.append({"params": model.head.parameters(), "lr": 1e-2})
opt = torch.optim.SGD(groups, lr=0.1)
decay, no_decay = [], []
for n, p in model.named_parameters():
    if n.endswith("bias"):
        no_decay.append(p)
    else:
        decay.append(p)
opt2 = torch.optim.AdamW([{"params": decay}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3)
`);
    assert.equal(optimizerOf(w, 'opt').groups?.length, 2);
    assert.equal(optimizerOf(w, 'opt').groupsComplete, false);
    assert.equal(optimizerOf(w, 'opt2').groupsComplete, true);
  });

  test('a group appended in a loop of unknown length may be there any number of times; a list built in the loop body is still exact', async () => {
    const w = await walk(`${NET}groups = [{"params": model.encoder.parameters()}]
for h in extra_heads:
    groups.append({"params": h.parameters(), "lr": 1e-2})
opt = torch.optim.SGD(groups, lr=0.1)
def head_groups(m):
    out = []
    out.append({"params": m.parameters(), "lr": 1e-2})
    return out
for epoch in range(args.epochs):
    fresh = []
    fresh.append({"params": model.encoder.parameters()})
    fresh += [{"params": model.head.parameters(), "lr": 1e-2}]
    opt2 = torch.optim.SGD(fresh, lr=0.1)
    opt3 = torch.optim.SGD(head_groups(model.head), lr=0.1)
`);
    const opt = optimizerOf(w, 'opt');
    assert.equal(opt.groups?.length, 2, 'the groups it knows are kept');
    assert.equal(opt.groupsComplete, false);
    const opt2 = w.optimizers.find((o) => o.variable === 'opt2')!;
    assert.equal(opt2.groups?.length, 2);
    assert.equal(opt2.groupsComplete, true);
    const opt3 = w.optimizers.find((o) => o.variable === 'opt3')!;
    assert.equal(opt3.groups?.length, 1);
    assert.equal(opt3.groupsComplete, true, 'a list built by a function the loop calls is fresh each call');
  });

  test('groups taken out of the list: followed where surely run, else the groups are unknown', async () => {
    // DeepSpeed-Chat drops its LoRA group when no LoRA parameter matched; torch 1.13 builds 2 groups.
    const w = await walk(`${NET}groups = [
    {"params": [p for n, p in model.named_parameters() if "bias" not in n and "lora_" not in n]},
    {"params": [p for n, p in model.named_parameters() if "lora_" in n], "lr": 5e-4},
    {"params": [p for n, p in model.named_parameters() if "bias" in n], "weight_decay": 0.0},
]
if not groups[1]["params"]:
    groups.pop(1)
opt = torch.optim.AdamW(groups, lr=1e-3)
g2 = [{"params": model.encoder.parameters()}, {"params": model.head.parameters(), "lr": 0.5}, {"params": []}]
g2.pop()
g2.pop(0)
opt2 = torch.optim.SGD(g2, lr=0.1)
g3 = [{"params": model.encoder.parameters()}, {"params": model.head.parameters()}]
del g3[0]
opt3 = torch.optim.SGD(g3, lr=0.1)
g4 = [{"params": model.encoder.parameters()}, {"params": model.head.parameters()}]
g4.sort(key=lambda g: len(g))
opt4 = torch.optim.SGD(g4, lr=0.1)
`);
    assert.equal(optimizerOf(w, 'opt').groups, undefined);
    const opt2 = optimizerOf(w, 'opt2');
    assert.equal(opt2.groups?.length, 1);
    assert.equal(opt2.groupsComplete, true);
    assert.deepEqual(groupNames(opt2.groups![0], moduleOf(w, 'model')), ['head.weight', 'head.bias']);
    assert.deepEqual(effective(opt2.groups![0], 'lr'), { value: 0.5, source: 'group' });
    assert.equal(optimizerOf(w, 'opt3').groups, undefined);
    assert.equal(optimizerOf(w, 'opt4').groups, undefined);
  });
});

describe('wrappers that hand optimizers back', () => {
  test("accelerate's prepare and Fabric's setup return the optimizers and schedulers they are given", async () => {
    const w = await walk(`${NET}opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
sched = torch.optim.lr_scheduler.StepLR(opt, 10)
model, opt, loader, sched = accelerator.prepare(model, opt, loader, sched)
model, sgd = fabric.setup(model, torch.optim.SGD(model.parameters(), lr=0.1))
only = accelerator.prepare(opt)
cfg = config.setup(model)
`);
    assert.equal(optimizerOf(w, 'opt'), w.optimizers[0]);
    assert.equal(optimizerOf(w, 'only'), w.optimizers[0]);
    assert.equal(optimizerOf(w, 'sgd'), w.optimizers[1]);
    const sched = w.globals.lookup('sched');
    assert.ok(sched?.kind === 'scheduler' && sched.scheduler === w.schedulers[0]);
    assert.equal(moduleOf(w, 'model').type, 'Net');
    assert.equal(w.globals.lookup('cfg')?.kind, 'unknown', 'a setup() given no optimizer is not a wrapper');
  });
});

describe('loops over known lists', () => {
  const GET_BATCH = `def get_batch(split):
    data = train_data if split == "train" else val_data
    ix = torch.randint(len(data) - 64, (12,))
    x = torch.stack([torch.from_numpy(data[i:i + 64]) for i in ix])
    return x, x
`;

  test('a loop whose iterations change nothing is not walked item by item', async () => {
    // nanoGPT's estimate_loss(): 200 evaluation batches, each calling get_batch().
    const w = await walk(`${NET}${GET_BATCH}opt = torch.optim.AdamW(model.parameters(), lr=6e-4)
losses = torch.zeros(200)
for k in range(200):
    X, Y = get_batch("val")
    logits = model(X)
    losses[k] = logits.mean().item()
`);
    const { calls } = await walkCounting(`${NET}${GET_BATCH}for k in range(200):
    X, Y = get_batch("val")
`, 'callFunction', 'get_batch');
    // Two iterations item by item; the second changed nothing, so the rest is walked once.
    assert.equal(calls, 3);
    assert.equal(w.globals.lookup('k')?.kind, 'unknown', 'after the loop its variable is no longer one item');
    assert.equal(optimizerOf(w, 'opt').groups?.length, 1);
  });

  test('a training loop settles: train(), zero_grad(), step(), unittest assertions and a scalar bound again to the same value change nothing followed; each step call is recorded once', async () => {
    // PyTorch's test_optim.py: a helper with `for _i in range(200):` around the steps, called
    // from hundreds of tests, took the walker 3 s when every iteration looked like a change.
    const src = `${NET}class T:
    def check(self):
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        sched = torch.optim.lr_scheduler.StepLR(opt, 10)
        for _i in range(200):
            model.train()
            running_loss = 0.0
            opt.zero_grad()
            loss = model(x).sum()
            opt.step()
            sched.step()
            self.assertLess(loss.item(), 10)
        return opt
`;
    const { w, calls: bodies } = await walkCounting(src, 'loopBody');
    // Two iterations item by item, then the rest once as a loop over unknown values.
    assert.equal(bodies, 3);
    assert.deepEqual(
      w.steps.map((s) => [s.target, s.node.text, s.loops.length]),
      [
        ['optimizer', 'opt.step()', 1],
        ['scheduler', 'sched.step()', 1],
      ],
    );
  });

  test('a module method the walker does not follow changes nothing it knows: the loop settles', async () => {
    // PyG's tgn.py: `memory.reset_state()`, `memory.update_state(batch)` and `memory.detach()` on a
    // library module in each of 50 epochs kept every iteration looking like a change.
    const src = `${NET}from torch_geometric.nn import TGNMemory
memory = TGNMemory(10, 4).to("cpu")
opt = torch.optim.Adam(set(memory.parameters()) | set(model.parameters()), lr=1e-4)
for epoch in range(1, 51):
    memory.reset_state()
    memory.update_state(epoch)
    opt.zero_grad()
    opt.step()
    memory.detach()
`;
    const { calls: bodies } = await walkCounting(src, 'loopBody');
    assert.equal(bodies, 3);
  });

  test('a new generator used up the same way in each iteration is no change: the loop settles, and every use is recorded', async () => {
    const src = `${NET}opt = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(40):
    opt.zero_grad()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
`;
    const { w, calls: bodies } = await walkCounting(src, 'loopBody');
    assert.equal(bodies, 3);
    assert.deepEqual(
      w.consumptions.map((c) => c.sink),
      ['optimizer', 'clip', 'clip', 'clip'],
    );
  });

  test('an epoch loop that only appends unknown values to a history list settles; the list then holds an unknown number of items', async () => {
    // PyTorch's fine-tuning tutorial: `val_acc_history.append(epoch_acc)` in each of num_epochs.
    const src = `${NET}opt = torch.optim.SGD(model.parameters(), lr=0.1)
history = []
for epoch in range(25):
    acc = evaluate(model)
    history.append(acc)
    opt.step()
`;
    const { w, calls: bodies } = await walkCounting(src, 'loopBody');
    assert.equal(bodies, 3);
    const history = w.globals.lookup('history');
    assert.ok(history?.kind === 'list');
    assert.equal(history.exact, false, 'the walker no longer counts its items');
    // Known values appended (groups, one per layer) still unroll item by item, exactly.
    const layered = await walk(`${NET}groups = []
for i in range(12):
    groups.append({"params": model.parameters(), "lr": 0.1 * 0.9 ** i})
`);
    const groups = layered.globals.lookup('groups');
    assert.ok(groups?.kind === 'list' && groups.exact);
    assert.equal(groups.items.length, 12);
  });

  test('freezing and unfreezing the same parameters in each iteration, and methods of a user object, change nothing: the loop settles', async () => {
    // Spinning Up's SAC: Q-networks frozen around the policy step, in each of 50 updates, with a
    // replay buffer sampled through a method of a user class that reads a dict.
    const src = `${NET}class Buffer:
    def __init__(self):
        self.size = 0
    def sample_batch(self, n=32):
        batch = dict(obs=n)
        return {k: v for k, v in batch.items()}

buf = Buffer()
q_params = list(model.encoder.parameters())
pi_opt = torch.optim.Adam(model.head.parameters(), lr=1e-3)
for j in range(50):
    data = buf.sample_batch(32)
    for p in q_params:
        p.requires_grad = False
    pi_opt.zero_grad()
    pi_opt.step()
    for p in q_params:
        p.requires_grad = True
`;
    const { w, calls: samples } = await walkCounting(src, 'callFunction', 'sample_batch');
    assert.equal(samples, 3);
    // Every freeze is recorded, and the flags end as the last iteration leaves them.
    assert.deepEqual(
      w.freezes.map((f) => f.requiresGrad),
      [false, true, false, true, false, true],
    );
    const encoder = w.globals.lookup('model');
    assert.ok(encoder?.kind === 'module');
    assert.ok(enumerateLeaves(encoder.module).leaves.every((l) => l.leaf.requiresGrad === true));
  });

  test('a container method changes the children in place, and the loop around it is walked one by one', async () => {
    const w = await walk(`${NET}blocks = nn.ModuleList()
for i in range(6):
    blocks.append(nn.Linear(4, 4))
blocks.insert(0, nn.ReLU())
head = blocks.pop(-1)
opt = torch.optim.SGD(blocks[1].parameters(), lr=0.1)
`);
    const blocks = w.globals.lookup('blocks');
    assert.ok(blocks?.kind === 'module');
    assert.deepEqual([...blocks.module.children.keys()], ['0', '1', '2', '3', '4', '5']);
    assert.deepEqual([...blocks.module.children.values()].map((c) => c.type), ['ReLU', 'Linear', 'Linear', 'Linear', 'Linear', 'Linear']);
    assert.equal(w.globals.lookup('head')?.kind, 'module');
    assert.equal(optimizerOf(w, 'opt').groups?.[0].selections[0].root, blocks.module.children.get('1'));
  });

  test('del seq[i] is seq.pop(i), and an nn.ModuleDict pops by key', async () => {
    const w = await walk(`${NET}seq = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
del seq[1]
heads = nn.ModuleDict({"cls": nn.Linear(4, 2), "aux": nn.Linear(4, 3)})
aux = heads.pop("aux")
`);
    const seq = w.globals.lookup('seq');
    assert.ok(seq?.kind === 'module' && seq.module.complete);
    assert.deepEqual([...seq.module.children.entries()].map(([k, c]) => `${k}:${c.type}`), ['0:Linear', '1:Linear']);
    const heads = w.globals.lookup('heads');
    assert.ok(heads?.kind === 'module' && heads.module.complete);
    assert.deepEqual([...heads.module.children.keys()], ['cls']);
    const aux = w.globals.lookup('aux');
    assert.ok(aux?.kind === 'module' && aux.module.type === 'Linear');
  });

  test('iterations that build or change something in place are still walked one by one', async () => {
    const w = await walk(`${NET}layers = []
blocks = nn.Sequential()
block = nn.Linear(4, 4)
for i in range(100):
    layers.append(nn.Linear(4, 4))
for name in ["b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7"]:
    blocks.add_module(name, block)
stack = nn.ModuleList(layers)
`);
    assert.equal(moduleOf(w, 'stack').children.size, 100);
    assert.deepEqual([...moduleOf(w, 'blocks').children.keys()], ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7']);
    assert.deepEqual(w.globals.lookup('i'), { kind: 'number', value: 99, isInt: true });
  });
});

describe('effective hyperparameters', () => {
  test('group value > optimizer argument > class default (2.x)', async () => {
    const w = await walk(`${NET}opt = torch.optim.AdamW([
    {"params": model.encoder.parameters(), "lr": 1e-4, "weight_decay": 0.0},
    {"params": model.head.parameters()},
], lr=1e-3)
`);
    const [enc, head] = optimizerOf(w, 'opt').groups!;
    assert.deepEqual(effective(enc, 'lr'), { value: 1e-4, source: 'group' });
    assert.deepEqual(effective(head, 'lr'), { value: 1e-3, source: 'optimizer' });
    assert.deepEqual(effective(enc, 'weight_decay'), { value: 0, source: 'group' });
    assert.deepEqual(effective(head, 'weight_decay'), { value: 0.01, source: 'default' });
    assert.deepEqual(effective(head, 'betas'), { value: [0.9, 0.999], source: 'default' });
  });

  test('positional arguments bind in the class order (Adam: lr, betas; RMSprop: lr, alpha)', async () => {
    const w = await walk(`${NET}adam = torch.optim.Adam(model.parameters(), 3e-4, (0.8, 0.99))
rms = torch.optim.RMSprop(model.parameters(), 1e-3, 0.9)
`);
    const adam = optimizerOf(w, 'adam').groups![0];
    assert.deepEqual(effective(adam, 'lr'), { value: 3e-4, source: 'optimizer' });
    assert.deepEqual(effective(adam, 'betas'), { value: [0.8, 0.99], source: 'optimizer' });
    const rms = optimizerOf(w, 'rms').groups![0];
    assert.deepEqual(effective(rms, 'alpha'), { value: 0.9, source: 'optimizer' });
    assert.deepEqual(effective(rms, 'momentum'), { value: 0, source: 'default' });
  });

  test('SGD without lr: 0.001 in 2.x, required (unknown) in 1.13', async () => {
    const src = `${NET}opt = torch.optim.SGD([{"params": model.parameters(), "momentum": 0.9}])\n`;
    const g2 = optimizerOf(await walk(src, '2.x'), 'opt').groups![0];
    assert.deepEqual(effective(g2, 'lr'), { value: 0.001, source: 'default' });
    assert.deepEqual(effective(g2, 'momentum'), { value: 0.9, source: 'group' });
    const g1 = optimizerOf(await walk(src, '1.13'), 'opt').groups![0];
    assert.equal(effective(g1, 'lr')?.value, '<unknown>');
    assert.deepEqual(effective(g1, 'momentum'), { value: 0.9, source: 'group' });
  });

  test('keys differ between versions: Adam has no decoupled_weight_decay in 1.13', async () => {
    const src = `${NET}opt = torch.optim.Adam(model.parameters())\n`;
    const g2 = optimizerOf(await walk(src, '2.x'), 'opt').groups![0];
    const g1 = optimizerOf(await walk(src, '1.13'), 'opt').groups![0];
    assert.deepEqual(effective(g2, 'decoupled_weight_decay'), { value: false, source: 'default' });
    assert.equal(effective(g1, 'decoupled_weight_decay'), undefined);
    assert.deepEqual(effective(g1, 'lr'), { value: 0.001, source: 'default' });
  });

  test('**kwargs the walker cannot see make optimizer-level values unknown', async () => {
    const w = await walk(`${NET}opt = torch.optim.AdamW([{"params": model.parameters(), "lr": 1e-3}], **cfg)\n`);
    const g = optimizerOf(w, 'opt').groups![0];
    assert.deepEqual(effective(g, 'lr'), { value: 1e-3, source: 'group' });
    assert.equal(effective(g, 'weight_decay')?.value, '<unknown>');
  });

  test('values computed from variables', async () => {
    const w = await walk(`${NET}base_lr = 1e-3
opt = torch.optim.SGD([
    {"params": model.encoder.parameters(), "lr": base_lr * 0.1},
    {"params": model.head.parameters()},
], lr=base_lr, momentum=0.9)
`);
    const [enc, head] = optimizerOf(w, 'opt').groups!;
    assert.ok(Math.abs((effective(enc, 'lr')!.value as number) - 1e-4) < 1e-15);
    assert.deepEqual(effective(head, 'lr'), { value: 1e-3, source: 'optimizer' });
    assert.deepEqual(effective(head, 'momentum'), { value: 0.9, source: 'optimizer' });
  });
});
