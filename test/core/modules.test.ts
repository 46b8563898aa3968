/**
 * Module extraction: containers, indexing, user classes, surgery, torchvision facts, parameter
 * names and sizes. Expected names and sizes were measured with torch 1.13.1
 * (`[(n, p.shape) for n, p in m.named_parameters()]`).
 */
import { test, describe } from 'node:test';
import * as assert from 'node:assert/strict';
import { countParams, enumerateLeaves, moduleHasParams } from '../../server/src/core/model';
import { leafNames, moduleOf, walk, variable } from './model-helpers';

describe('containers', () => {
  test('nn.Sequential with positional children', async () => {
    const w = await walk('model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 2))\n');
    const m = moduleOf(w, 'model');
    assert.equal(m.type, 'Sequential');
    assert.deepEqual([...m.children.keys()], ['0', '1', '2']);
    assert.deepEqual([...m.children.values()].map((c) => c.type), ['Linear', 'ReLU', 'Linear']);
    assert.deepEqual(leafNames(m), ['0.weight', '0.bias', '2.weight', '2.bias']);
    assert.equal(moduleHasParams(m.children.get('1')!), 'no');
  });

  test('nn.Sequential(OrderedDict(...)) names its children', async () => {
    const w = await walk(`model = nn.Sequential(OrderedDict([("fc1", nn.Linear(4, 4)), ("act", nn.GELU()), ("fc2", nn.Linear(4, 1))]))
fc2 = model.fc2
`);
    const m = moduleOf(w, 'model');
    assert.deepEqual([...m.children.keys()], ['fc1', 'act', 'fc2']);
    assert.equal(moduleOf(w, 'fc2'), m.children.get('fc2'));
    assert.deepEqual(leafNames(m), ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  });

  test('negative indices and slices', async () => {
    const w = await walk(`model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4), nn.Softmax(dim=-1))
last = model[-1]
head = model[-2]
tail = model[1:]
evens = model[::2]
`);
    const m = moduleOf(w, 'model');
    assert.equal(moduleOf(w, 'last'), m.children.get('3'));
    assert.equal(moduleOf(w, 'head'), m.children.get('2'));
    const tail = moduleOf(w, 'tail');
    assert.equal(tail.type, 'Sequential');
    assert.deepEqual([...tail.children.values()], [m.children.get('1'), m.children.get('2'), m.children.get('3')]);
    // A slice shares the same parameter tensors.
    assert.deepEqual(
      enumerateLeaves(tail).leaves.map((l) => l.leaf),
      enumerateLeaves(m.children.get('2')!).leaves.map((l) => l.leaf),
    );
    assert.deepEqual([...moduleOf(w, 'evens').children.values()], [m.children.get('0'), m.children.get('2')]);
  });

  test('an index past the end is unknown', async () => {
    const w = await walk('model = nn.Sequential(nn.Linear(4, 4))\nx = model[3]\n');
    assert.equal(variable(w, 'x').kind, 'unknown');
  });

  test('nn.ModuleList from a list and from a comprehension over range', async () => {
    const w = await walk(`layers = nn.ModuleList([nn.Conv2d(3, 8, 3), nn.MaxPool2d(2)])
blocks = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)])
second = blocks[1]
blocks.append(nn.LayerNorm(8))
`);
    assert.deepEqual([...moduleOf(w, 'layers').children.keys()], ['0', '1']);
    const blocks = moduleOf(w, 'blocks');
    assert.deepEqual([...blocks.children.keys()], ['0', '1', '2', '3']);
    assert.equal(moduleOf(w, 'second'), blocks.children.get('1'));
    // Three distinct Linear layers, not one shared.
    assert.equal(new Set(enumerateLeaves(blocks).leaves.map((l) => l.leaf.id)).size, 8);
  });

  test('nn.ModuleDict by key', async () => {
    const w = await walk(`heads = nn.ModuleDict({"cls": nn.Linear(8, 10), "box": nn.Linear(8, 4)})
box = heads["box"]
`);
    const heads = moduleOf(w, 'heads');
    assert.deepEqual([...heads.children.keys()], ['cls', 'box']);
    assert.equal(moduleOf(w, 'box'), heads.children.get('box'));
    assert.deepEqual(leafNames(heads), ['cls.weight', 'cls.bias', 'box.weight', 'box.bias']);
  });

  test('a container built from a list it cannot see is incomplete', async () => {
    const w = await walk('def make(n):\n    return [nn.Linear(4, 4) for _ in range(n)]\nlayers = nn.ModuleList(make(depth))\n');
    const layers = moduleOf(w, 'layers');
    assert.equal(layers.complete, false);
    assert.equal(moduleHasParams(layers), 'unknown');
  });
});

describe('user classes', () => {
  test('self.x = nn.Y() in __init__, after super().__init__()', async () => {
    const w = await walk(`class Net(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.hidden = hidden
        self.encoder = nn.Sequential(nn.Linear(16, hidden), nn.ReLU())
        self.head = nn.Linear(hidden, 3)

model = Net()
`);
    const m = moduleOf(w, 'model');
    assert.equal(m.origin, 'user');
    assert.equal(m.complete, true);
    assert.deepEqual([...m.children.keys()], ['encoder', 'head']);
    assert.deepEqual(leafNames(m), ['encoder.0.weight', 'encoder.0.bias', 'head.weight', 'head.bias']);
    assert.equal(countParams(m), 16 * 32 + 32 + 32 * 3 + 3);
  });

  test('a subclass runs its base __init__ through super(), and classes nest', async () => {
    const w = await walk(`class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.mlp = nn.Linear(dim, dim)

class Base(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.stem = nn.Conv2d(3, dim, 3)

class Model(Base):
    def __init__(self, dim=8, depth=2):
        super().__init__(dim)
        self.blocks = nn.ModuleList([Block(dim) for _ in range(depth)])
        self.head = nn.Linear(dim, 10)

model = Model()
`);
    const m = moduleOf(w, 'model');
    assert.deepEqual([...m.children.keys()], ['stem', 'blocks', 'head']);
    assert.deepEqual(leafNames(m), [
      'stem.weight', 'stem.bias',
      'blocks.0.norm.weight', 'blocks.0.norm.bias', 'blocks.0.mlp.weight', 'blocks.0.mlp.bias',
      'blocks.1.norm.weight', 'blocks.1.norm.bias', 'blocks.1.mlp.weight', 'blocks.1.mlp.bias',
      'head.weight', 'head.bias',
    ]);
  });

  test('nn.Parameter attributes and tied weights', async () => {
    const w = await walk(`class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))
        self.embed = nn.Embedding(100, 16)
        self.out = nn.Linear(16, 100, bias=False)
        self.out.weight = self.embed.weight

model = LM()
`);
    const m = moduleOf(w, 'model');
    // named_parameters() gives a tied tensor once, under its first name.
    assert.deepEqual(leafNames(m), ['scale', 'embed.weight']);
  });

  test('a class with an imported base is incomplete', async () => {
    const w = await walk(`from transformers import PreTrainedModel
class Model(PreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.head = nn.Linear(8, 2)

model = Model(config)
`);
    const m = moduleOf(w, 'model');
    assert.equal(m.complete, false);
    assert.equal(moduleHasParams(m), 'yes');
  });
});

describe('surgery', () => {
  test('model.fc = nn.Linear(...) replaces the child and its parameters', async () => {
    const w = await walk(`model = torchvision.models.resnet18(weights=None)
old_fc = model.fc
model.fc = nn.Linear(model.fc.in_features, 10)
`);
    const m = moduleOf(w, 'model');
    const fc = m.children.get('fc')!;
    assert.notEqual(fc, moduleOf(w, 'old_fc'));
    assert.equal(fc.origin, 'torch.nn');
    assert.equal(countParams(fc), 512 * 10 + 10);
    // 11,689,512 - (512*1000 + 1000) + 5,130 (measured: 11,181,642).
    assert.equal(countParams(m), 11181642);
  });

  test('model[i] = ... replaces a Sequential child', async () => {
    const w = await walk('model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 2))\nmodel[1] = nn.Identity()\n');
    assert.deepEqual(leafNames(moduleOf(w, 'model')), ['0.weight', '0.bias']);
  });

  test('an attribute set to something that may be a module makes the module incomplete', async () => {
    for (const rhs of ['build_head()', 'timm.create_model("resnet50")', 'backbone', 'cfg.encoder', 'heads[0]']) {
      const w = await walk(`model = nn.Sequential(nn.Linear(4, 4))\nmodel.head = ${rhs}\n`);
      assert.equal(moduleOf(w, 'model').complete, false, rhs);
    }
    const w2 = await walk('model = nn.Sequential(nn.Linear(4, 4))\nmodel.fc = nn.Linear(4, 2)\nmodel.fc = build_head()\n');
    assert.equal(moduleOf(w2, 'model').complete, false);
  });

  test('numbers, strings and arithmetic on a module are plain attributes', async () => {
    const w = await walk('model = nn.Sequential(nn.Linear(4, 4))\nmodel.scale = dim ** -0.5\nmodel.name = f"net-{k}"\nmodel.hidden = 128\nmodel.extra = nn.Linear(4, 1)\n');
    const m = moduleOf(w, 'model');
    assert.equal(m.complete, true);
    assert.deepEqual(leafNames(m), ['0.weight', '0.bias', 'extra.weight', 'extra.bias']);
  });

  test('setattr registers a module, or makes the owner incomplete', async () => {
    const w = await walk('model = nn.Sequential()\nsetattr(model, "proj", nn.Linear(4, 4))\nother = nn.Sequential()\nsetattr(other, name, make())\n');
    assert.deepEqual(leafNames(moduleOf(w, 'model')), ['proj.weight', 'proj.bias']);
    assert.equal(moduleOf(w, 'other').complete, false);
  });

  test('add_module registers a child', async () => {
    const w = await walk('model = nn.Sequential()\nmodel.add_module("conv", nn.Conv2d(1, 4, 3))\n');
    assert.deepEqual(leafNames(moduleOf(w, 'model')), ['conv.weight', 'conv.bias']);
  });
});

describe('imports', () => {
  test('torch.nn.Linear with only `import torch`', async () => {
    const { lintText } = await import('../../server/src/core/lint');
    const r = await lintText('import torch\nm = torch.nn.Linear(4, 2)\nopt = torch.optim.SGD(m.parameters(), lr=0.1)\n');
    const m = r.model!.modules[0];
    assert.equal(m?.type, 'Linear');
    assert.equal(countParams(m), 10);
  });
});

describe('torchvision', () => {
  test('resnet18 children, parameter names and counts come from the facts table', async () => {
    const w = await walk('model = torchvision.models.resnet18(weights=None)\n');
    const m = moduleOf(w, 'model');
    assert.equal(m.origin, 'torchvision');
    assert.deepEqual([...m.children.keys()], ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool', 'fc']);
    const withParams = [...m.children.entries()].filter(([, c]) => moduleHasParams(c) === 'yes').map(([k]) => k);
    assert.deepEqual(withParams, ['conv1', 'bn1', 'layer1', 'layer2', 'layer3', 'layer4', 'fc']);
    assert.equal(enumerateLeaves(m).leaves.length, 62);
    assert.equal(countParams(m), 11689512);
    assert.equal(leafNames(m)[0], 'conv1.weight');
    assert.ok(leafNames(m).includes('layer4.1.bn2.bias'));
    assert.equal(countParams(m.children.get('fc')!), 513000);
  });

  test('from torchvision.models import resnet50 also works', async () => {
    const w = await walk('from torchvision.models import resnet50\nbackbone = resnet50()\n');
    assert.equal(countParams(moduleOf(w, 'backbone')), 25557032);
  });

  test("the builder's arguments: num_classes resizes the classifier, aux_logits and weights drop children", async () => {
    const w = await walk(`a = torchvision.models.resnet18(weights=None, num_classes=10, zero_init_residual=True)
b = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False)
c = torchvision.models.googlenet(weights=None, init_weights=False)
d = torchvision.models.googlenet(weights=torchvision.models.GoogLeNet_Weights.DEFAULT)
e = torchvision.models.googlenet(weights="IMAGENET1K_V1", aux_logits=True)
f = torchvision.models.inception_v3(weights=None, aux_logits=False, num_classes=5, init_weights=False)
g = torchvision.models.inception_v3(weights=torchvision.models.Inception_V3_Weights.DEFAULT)
h = torchvision.models.resnet18(num_classes=n)
`);
    const count = (name: string) => [enumerateLeaves(moduleOf(w, name)).leaves.length, countParams(moduleOf(w, name))];
    assert.deepEqual(count('a'), [62, 11181642]);
    assert.equal(moduleOf(w, 'a').children.get('fc')!.attrs.get('out_features')?.kind === 'number', true);
    assert.deepEqual(count('b'), [173, 6624904]);
    assert.deepEqual(count('c'), [187, 13004888]);
    // googlenet(weights=...) leaves its auxiliary heads out unless aux_logits=True is asked for.
    assert.equal(moduleOf(w, 'd').complete, true);
    assert.deepEqual(count('d'), [173, 6624904]);
    assert.deepEqual([...moduleOf(w, 'e').children.keys()].filter((k) => k.startsWith('aux')), ['aux1', 'aux2']);
    assert.deepEqual(count('f'), [284, 21795813]);
    assert.ok(moduleOf(w, 'g').children.has('AuxLogits'));
    // An unknown number of classes: the names hold, the sizes are not known.
    assert.equal(enumerateLeaves(moduleOf(w, 'h')).leaves.length, 62);
    assert.equal(countParams(moduleOf(w, 'h')), undefined);
    assert.equal(countParams(moduleOf(w, 'h').children.get('layer1')!), 147968);
  });

  test('arguments that change the architecture otherwise leave the model unknown', async () => {
    const w = await walk(`a = torchvision.models.mobilenet_v2(weights=None, width_mult=0.5)
b = torchvision.models.resnet50(weights=None, norm_layer=torchvision.ops.FrozenBatchNorm2d)
c = torchvision.models.vit_b_16(weights=torchvision.models.ViT_B_16_Weights.IMAGENET1K_SWAG_E2E_V1)
d = torchvision.models.vit_b_16(weights=weights)
e = torchvision.models.resnet18(weights=weights)
f = torchvision.models.resnet18(**cfg)
`);
    for (const name of ['a', 'b', 'c', 'd', 'f']) {
      const m = moduleOf(w, name);
      assert.equal(m.complete, false, name);
      assert.equal(countParams(m), undefined, name);
    }
    // Every resnet18 weights value builds the same parameters.
    assert.equal(countParams(moduleOf(w, 'e')), 11689512);
  });
});

describe('torch.nn parameters and sizes', () => {
  const cases: Array<[string, string[], number | undefined]> = [
    ['nn.Linear(10, 5)', ['weight', 'bias'], 55],
    ['nn.Linear(10, 5, bias=False)', ['weight'], 50],
    ['nn.Conv2d(3, 16, 3)', ['weight', 'bias'], 448],
    ['nn.Conv2d(3, 16, (3, 5), bias=False)', ['weight'], 720],
    ['nn.Conv2d(16, 32, 3, groups=4)', ['weight', 'bias'], 1184],
    ['nn.ConvTranspose2d(8, 4, 3, groups=2)', ['weight', 'bias'], 148],
    ['nn.Conv1d(4, 8, 5)', ['weight', 'bias'], 168],
    ['nn.Conv3d(2, 4, 3)', ['weight', 'bias'], 220],
    ['nn.Embedding(100, 16)', ['weight'], 1600],
    ['nn.LayerNorm(64)', ['weight', 'bias'], 128],
    ['nn.LayerNorm((4, 5))', ['weight', 'bias'], 40],
    ['nn.LayerNorm(64, elementwise_affine=False)', [], 0],
    ['nn.BatchNorm1d(10)', ['weight', 'bias'], 20],
    ['nn.BatchNorm2d(8, affine=False)', [], 0],
    ['nn.GroupNorm(2, 8)', ['weight', 'bias'], 16],
    ['nn.InstanceNorm2d(8)', [], 0],
    ['nn.InstanceNorm2d(8, affine=True)', ['weight', 'bias'], 16],
    ['nn.PReLU()', ['weight'], 1],
    ['nn.Linear(dim, 5)', ['weight', 'bias'], undefined],
    ['nn.LSTM(4, 8, proj_size=2)', ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_hr_l0'], undefined],
    ['nn.MultiheadAttention(8, 2)', ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias'], undefined],
  ];
  for (const [expr, names, numel] of cases) {
    test(`${expr}: ${names.join(', ') || 'no parameters'}${numel === undefined ? '' : `, ${numel} values`}`, async () => {
      const m = moduleOf(await walk(`m = ${expr}\n`), 'm');
      assert.equal(m.complete, true);
      assert.deepEqual(leafNames(m), names);
      assert.equal(countParams(m), numel);
    });
  }

  test('LSTM(num_layers=2, bidirectional=True) has every layer and direction', async () => {
    const m = moduleOf(await walk('m = nn.LSTM(4, 8, num_layers=2, bidirectional=True)\n'), 'm');
    assert.equal(leafNames(m).length, 16);
    assert.deepEqual(leafNames(m).slice(4, 8), ['weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse']);
    assert.equal(leafNames(m)[8], 'weight_ih_l1');
  });

  test('TransformerEncoderLayer exposes its submodules', async () => {
    const m = moduleOf(await walk('m = nn.TransformerEncoderLayer(8, 2, 16)\n'), 'm');
    assert.deepEqual(leafNames(m), [
      'self_attn.in_proj_weight', 'self_attn.in_proj_bias', 'self_attn.out_proj.weight', 'self_attn.out_proj.bias',
      'linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias',
      'norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias',
    ]);
  });

  test('dimensions drive p.ndim filters', async () => {
    const w = await walk('a = nn.LayerNorm((4, 5))\nb = nn.Conv2d(3, 8, 3)\nc = nn.LayerNorm(hidden)\n');
    const ndims = (name: string): (number | undefined)[] => enumerateLeaves(moduleOf(w, name)).leaves.map((l) => l.leaf.ndim);
    assert.deepEqual(ndims('a'), [2, 2]);
    assert.deepEqual(ndims('b'), [4, 1]);
    assert.deepEqual(ndims('c'), [1, 1]);
  });

  test('arguments that change what is registered, when unknown, make the module opaque', async () => {
    const w = await walk('a = nn.Linear(4, 4, bias=use_bias)\nb = nn.LSTM(4, 4, num_layers=n)\nc = nn.LayerNorm(4, bias=False)\nd = nn.TransformerEncoder(layer, 6)\n');
    for (const name of ['a', 'b', 'c', 'd']) assert.equal(moduleOf(w, name).complete, false, name);
  });

  test('size attributes read back: layer.in_features', async () => {
    const w = await walk('fc = nn.Linear(512, 10)\nn = fc.in_features\nmodel = torchvision.models.resnet18()\nk = model.fc.in_features\nc = model.bn1.num_features\n');
    assert.deepEqual(variable(w, 'n'), { kind: 'number', value: 512, isInt: true });
    assert.deepEqual(variable(w, 'k'), { kind: 'number', value: 512, isInt: true });
    assert.deepEqual(variable(w, 'c'), { kind: 'number', value: 64, isInt: true });
  });
});
