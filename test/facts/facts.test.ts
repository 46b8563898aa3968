import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
  type ChildFact,
  FACTS_VERSIONS,
  THIRD_PARTY_GROUP_KEYS,
  THIRD_PARTY_GROUP_KEY_NOTES,
  getHfScheduleFunction,
  getHfSchedulerName,
  getHfGetSchedulerSignature,
  getModuleFact,
  getOptimizerFact,
  getSchedulerFact,
  getSchedulerTraits,
  getTorchvisionChild,
  getTorchvisionModel,
  isRequired,
  knownModuleNames,
  knownOptimizerNames,
  knownSchedulerNames,
  knownTorchvisionModels,
  moduleHasParams,
  optimizerFactsSource,
  resolveModuleParams,
  schedulerFactsSource,
  torchVersionKey,
  validGroupKeys,
} from '../../server/src/core/facts';

const REPO = path.resolve(__dirname, '../../..');

test('activations, dropout and pooling never have parameters', () => {
  for (const name of ['ReLU', 'GELU', 'Dropout', 'MaxPool2d', 'Identity', 'Flatten', 'AdaptiveAvgPool2d']) {
    const fact = getModuleFact(name);
    assert.ok(fact, name);
    assert.equal(fact.params, 'never', name);
    assert.deepEqual(fact.paramNames, [], name);
    assert.equal(moduleHasParams(name), false, name);
  }
});

test('Linear always has a weight; bias=False drops only the bias', () => {
  const linear = getModuleFact('Linear');
  assert.ok(linear);
  assert.equal(linear.params, 'always');
  assert.deepEqual(linear.paramNames, ['weight', 'bias']);
  assert.deepEqual(linear.signature, ['in_features', 'out_features', 'bias', 'device', 'dtype']);
  const bias = linear.conditions.find((c) => c.arg === 'bias');
  assert.deepEqual(bias, { arg: 'bias', position: 2, default: true, whenTruthy: ['weight', 'bias'], whenFalsy: ['weight'] });
  assert.deepEqual(resolveModuleParams('Linear', { bias: false }), ['weight']);
  assert.equal(moduleHasParams('Linear', { bias: false }), true);
});

test('LayerNorm is conditional on elementwise_affine', () => {
  const fact = getModuleFact('LayerNorm');
  assert.ok(fact);
  assert.equal(fact.params, 'conditional');
  const cond = fact.conditions.find((c) => c.arg === 'elementwise_affine');
  assert.ok(cond);
  assert.equal(cond.whenFalsy, 'never');
  assert.equal(cond.position, fact.signature?.indexOf('elementwise_affine'));
  assert.equal(moduleHasParams('LayerNorm'), true);
  assert.equal(moduleHasParams('LayerNorm', { elementwise_affine: false }), false);
});

test('InstanceNorm2d is conditional and has no parameters by default', () => {
  const fact = getModuleFact('InstanceNorm2d');
  assert.ok(fact);
  assert.equal(fact.params, 'conditional');
  assert.deepEqual(fact.paramNames, []);
  const affine = fact.conditions.find((c) => c.arg === 'affine');
  assert.ok(affine);
  assert.equal(affine.default, false);
  assert.deepEqual(affine.whenTruthy, ['weight', 'bias']);
  assert.equal(moduleHasParams('InstanceNorm2d'), false);
  assert.equal(moduleHasParams('InstanceNorm2d', { affine: true }), true);
});

test('BatchNorm2d and GroupNorm lose their parameters with affine=False', () => {
  for (const name of ['BatchNorm2d', 'GroupNorm']) {
    assert.equal(getModuleFact(name)?.params, 'conditional', name);
    assert.equal(moduleHasParams(name, { affine: false }), false, name);
  }
  assert.equal(getModuleFact('BatchNorm2d')?.conditions.find((c) => c.arg === 'affine')?.position, 3);
});

test('PReLU, Embedding, MultiheadAttention, RNNs and AdaptiveLogSoftmaxWithLoss have parameters', () => {
  for (const name of ['PReLU', 'Embedding', 'MultiheadAttention', 'LSTM', 'GRU', 'RNN', 'AdaptiveLogSoftmaxWithLoss']) {
    assert.equal(getModuleFact(name)?.params, 'always', name);
    assert.equal(moduleHasParams(name), true, name);
  }
  assert.deepEqual(getModuleFact('PReLU')?.paramNames, ['weight']);
  for (const name of ['CrossEntropyLoss', 'MSELoss', 'NLLLoss']) {
    assert.equal(getModuleFact(name)?.params, 'never', name);
  }
});

test('interacting flags are resolved from measured combinations', () => {
  assert.deepEqual(resolveModuleParams('LSTM', { bias: false, bidirectional: true }), [
    'weight_ih_l0',
    'weight_hh_l0',
    'weight_ih_l0_reverse',
    'weight_hh_l0_reverse',
  ]);
  assert.deepEqual(resolveModuleParams('MultiheadAttention', { bias: false }), ['in_proj_weight', 'out_proj.weight']);
  assert.deepEqual(getModuleFact('LSTM')?.signature?.slice(0, 4), ['input_size', 'hidden_size', 'num_layers', 'bias']);
});

test('containers and abstract bases are flagged, not classified', () => {
  for (const name of ['Sequential', 'ModuleList', 'ModuleDict', 'ParameterList', 'ParameterDict']) {
    const fact = getModuleFact(name);
    assert.equal(fact?.container, true, name);
    assert.equal(moduleHasParams(name), undefined, name);
  }
  assert.equal(getModuleFact('Module')?.abstract, true);
});

test('every measured module fact has a signature and the call it was measured with', () => {
  for (const name of knownModuleNames()) {
    const fact = getModuleFact(name);
    assert.ok(fact);
    if (fact.measured) {
      assert.ok(fact.signature, name);
      assert.ok(fact.measuredWith, name);
      for (const c of fact.conditions) {
        if (c.position !== null) assert.equal(fact.signature[c.position], c.arg, `${name}.${c.arg}`);
      }
    } else {
      assert.ok(fact.container || fact.note, `${name}: an unmeasured fact must say why`);
    }
  }
});

test('resnet18: children, parameter count, fc', () => {
  const model = getTorchvisionModel('resnet18');
  assert.ok(model);
  assert.equal(model.class, 'ResNet');
  assert.equal(model.numParams, 11689512);
  assert.deepEqual(
    model.children.map((c) => c.name),
    ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2', 'layer3', 'layer4', 'avgpool', 'fc'],
  );
  const fc = model.children.find((c) => c.name === 'fc');
  assert.equal(fc?.numParams, 513000);
  assert.equal(fc?.type, 'Linear');
  assert.deepEqual(
    model.parameters.find(([name]) => name === 'fc.weight'),
    ['fc.weight', [1000, 512]],
  );
  assert.equal(model.children.find((c) => c.name === 'relu')?.numParams, 0);
  assert.match(model.children[0].repr ?? '', /^Conv2d\(3, 64, kernel_size=\(7, 7\)/);
});

test('submodules resolve by dotted and indexed paths', () => {
  assert.equal(getTorchvisionChild('resnet18', 'layer1[0].conv1')?.type, 'Conv2d');
  assert.equal(getTorchvisionChild('resnet18', 'layer1.0.conv1')?.numParams, 36864);
  assert.equal(getTorchvisionChild('vgg16', 'classifier[-1]')?.type, 'Linear');
  assert.equal(getTorchvisionChild('vgg16', 'classifier[1]')?.type, 'ReLU');
  assert.equal(getTorchvisionChild('vit_b_16', 'encoder.layers.encoder_layer_0')?.type, 'EncoderBlock');
  assert.equal(getTorchvisionChild('resnet18', 'layer9'), undefined);
  assert.equal(getTorchvisionChild('no_such_model', 'fc'), undefined);
});

test('every required torchvision model is present', () => {
  const required = [
    'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d', 'wide_resnet50_2',
    'vgg11', 'vgg13', 'vgg16', 'vgg19', 'vgg11_bn', 'vgg13_bn', 'vgg16_bn', 'vgg19_bn', 'alexnet',
    'densenet121', 'mobilenet_v2', 'mobilenet_v3_small', 'mobilenet_v3_large',
    'efficientnet_b0', 'efficientnet_b1', 'efficientnet_b2', 'efficientnet_b3', 'efficientnet_b4',
    'efficientnet_b5', 'efficientnet_b6', 'efficientnet_b7', 'efficientnet_v2_s', 'vit_b_16', 'vit_b_32',
    'vit_l_16', 'convnext_tiny', 'convnext_small', 'convnext_base', 'swin_t', 'regnet_y_400mf',
    'squeezenet1_0', 'shufflenet_v2_x1_0', 'googlenet', 'inception_v3',
  ];
  const known = new Set(knownTorchvisionModels());
  for (const name of required) assert.ok(known.has(name), name);
});

function checkChildSums(node: { numParams: number; ownNumParams?: number; children?: readonly ChildFact[] }, where: string): void {
  if (!node.children) return;
  const sum = node.children.reduce((acc, c) => acc + c.numParams, 0) + (node.ownNumParams ?? 0);
  assert.equal(sum, node.numParams, `${where}: children + own parameters`);
  for (const child of node.children) checkChildSums(child, `${where}.${child.name}`);
}

test('every model: children numParams add up, and parameters add up, with no duplicates', () => {
  for (const name of knownTorchvisionModels()) {
    const model = getTorchvisionModel(name);
    assert.ok(model);
    checkChildSums(model, name);
    const total = model.parameters.reduce((acc, [, shape]) => acc + shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(total, model.numParams, `${name}: parameters`);
    const names = model.parameters.map(([n]) => n);
    assert.equal(new Set(names).size, names.length, `${name}: duplicate parameter names`);
  }
});

test('ViT keeps model-level parameters out of the children', () => {
  const vit = getTorchvisionModel('vit_b_16');
  assert.ok(vit);
  assert.equal(vit.ownNumParams, 768);
  assert.ok(vit.parameters.some(([n, shape]) => n === 'class_token' && shape.length === 3));
});

test('Adam has no momentum group key; SGD has', () => {
  for (const version of ['1.13', '2.x'] as const) {
    const adam = getOptimizerFact('Adam', version);
    const sgd = getOptimizerFact('SGD', version);
    assert.ok(adam && sgd, version);
    assert.ok(!adam.groupKeys.includes('momentum'), version);
    assert.equal(adam.hasMomentum, false, version);
    assert.equal(adam.hasBetas, true, version);
    assert.ok(sgd.groupKeys.includes('momentum'), version);
    assert.equal(sgd.hasMomentum, true, version);
    assert.deepEqual(adam.defaults.betas, [0.9, 0.999], version);
  }
});

test('SGD lr: required in 1.13, 1e-3 in 2.x', () => {
  assert.ok(isRequired(getOptimizerFact('SGD', '1.13')?.defaults.lr));
  assert.deepEqual(getOptimizerFact('SGD', '1.13')?.required, ['lr']);
  assert.equal(getOptimizerFact('SGD', '2.x')?.defaults.lr, 0.001);
  assert.equal(getOptimizerFact('SGD')?.defaults.lr, 0.001, '2.x is the default version');
});

test('Adafactor and Muon exist only in the 2.x table', () => {
  assert.ok(knownOptimizerNames('2.x').includes('Adafactor'));
  assert.ok(knownOptimizerNames('2.x').includes('Muon'));
  assert.ok(!knownOptimizerNames('1.13').includes('Adafactor'));
  assert.equal(getOptimizerFact('Muon', '1.13'), undefined);
  assert.ok(!knownOptimizerNames('1.13').includes('Optimizer'));
});

test('optimizer facts are internally consistent', () => {
  for (const version of ['1.13', '2.x'] as const) {
    for (const name of knownOptimizerNames(version)) {
      const fact = getOptimizerFact(name, version);
      assert.ok(fact);
      assert.deepEqual([...fact.groupKeys].sort(), Object.keys(fact.defaults).sort(), `${version} ${name}`);
      assert.equal(fact.positional[0], 'lr', `${version} ${name}`);
    }
  }
  assert.equal(getOptimizerFact('RMSprop', '2.x')?.positional[1], 'alpha');
  assert.equal(getOptimizerFact('AdamW', '2.x')?.defaults.weight_decay, 0.01);
});

test('valid group keys add params/initial_lr, and param_names only in 2.x', () => {
  const v2 = validGroupKeys('Adam', '2.x');
  const v1 = validGroupKeys('Adam', '1.13');
  assert.ok(v2?.includes('param_names') && v2.includes('params') && v2.includes('initial_lr'));
  assert.ok(v1 && !v1.includes('param_names'));
  assert.equal(validGroupKeys('NoSuchOptimizer'), undefined);
});

test('third-party group keys are not torch keys and each has a note', () => {
  for (const key of THIRD_PARTY_GROUP_KEYS) {
    assert.ok(THIRD_PARTY_GROUP_KEY_NOTES[key], key);
    for (const name of knownOptimizerNames()) assert.ok(!validGroupKeys(name)?.includes(key), `${name} ${key}`);
  }
});

test('schedulers: verbose exists in 1.13 and is gone in 2.x', () => {
  for (const name of knownSchedulerNames('1.13')) {
    const v1 = getSchedulerFact(name, '1.13');
    const v2 = getSchedulerFact(name, '2.x');
    assert.ok(v1 && v2, name);
    assert.ok(!v2.positional.includes('verbose') && !('verbose' in v2.defaults), name);
  }
  assert.ok(getSchedulerFact('StepLR', '1.13')?.positional.includes('verbose'));
  assert.deepEqual(getSchedulerFact('StepLR')?.positional, ['step_size', 'gamma', 'last_epoch']);
  assert.deepEqual(getSchedulerFact('StepLR')?.required, ['step_size']);
});

test('scheduler table covers the lr_scheduler classes and SWALR', () => {
  for (const name of [
    'LambdaLR', 'MultiplicativeLR', 'StepLR', 'MultiStepLR', 'ConstantLR', 'LinearLR', 'ExponentialLR',
    'SequentialLR', 'PolynomialLR', 'CosineAnnealingLR', 'ChainedScheduler', 'ReduceLROnPlateau', 'CyclicLR',
    'CosineAnnealingWarmRestarts', 'OneCycleLR', 'SWALR',
  ]) {
    assert.ok(getSchedulerFact(name, '1.13'), name);
    assert.ok(getSchedulerTraits(name), name);
  }
  assert.equal(getSchedulerFact('SWALR')?.module, 'torch.optim.swa_utils');
  assert.equal(getSchedulerFact('ChainedScheduler', '1.13')?.takesOptimizerFirst, false);
  assert.deepEqual(getSchedulerFact('ChainedScheduler', '2.x')?.positional, ['schedulers', 'optimizer']);
  assert.deepEqual(getSchedulerFact('OneCycleLR')?.positional.slice(0, 4), ['max_lr', 'total_steps', 'epochs', 'steps_per_epoch']);
  assert.equal(getSchedulerTraits('OneCycleLR')?.stepping, 'batch');
  assert.equal(getSchedulerTraits('ReduceLROnPlateau')?.stepTakesMetric, true);
});

test('transformers schedules: signatures and get_scheduler names', () => {
  const linear = getHfScheduleFunction('get_linear_schedule_with_warmup');
  assert.deepEqual(linear?.positional, ['num_warmup_steps', 'num_training_steps', 'last_epoch']);
  assert.ok(isRequired(linear?.defaults.num_training_steps));
  assert.equal(getHfScheduleFunction('get_cosine_schedule_with_warmup')?.defaults.num_cycles, 0.5);
  assert.equal(getHfScheduleFunction('get_cosine_with_hard_restarts_schedule_with_warmup')?.defaults.num_cycles, 1);
  assert.equal(getHfScheduleFunction('get_polynomial_decay_schedule_with_warmup')?.defaults.lr_end, 1e-7);
  assert.equal(getHfSchedulerName('linear')?.function, 'get_linear_schedule_with_warmup');
  assert.deepEqual(getHfGetSchedulerSignature().positional.slice(0, 2), ['name', 'optimizer']);
  for (const [fn, fact] of ['get_linear_schedule_with_warmup', 'get_wsd_schedule', 'get_constant_schedule'].map(
    (f) => [f, getHfScheduleFunction(f)] as const,
  )) {
    assert.equal(getHfSchedulerName(fact?.schedulerName ?? '')?.function, fn);
  }
});

test('every table carries its version stamp', () => {
  assert.match(FACTS_VERSIONS.nnModules.torch, /^1\.13\./);
  assert.match(FACTS_VERSIONS.torchvisionModels.torch, /^1\.13\./);
  assert.match(FACTS_VERSIONS.torchvisionModels.torchvision, /^0\.14\./);
  assert.match(optimizerFactsSource('1.13').torch ?? '', /^1\.13\./);
  assert.match(optimizerFactsSource('2.x').torch ?? '', /^2\./);
  assert.match(schedulerFactsSource('1.13').torch ?? '', /^1\.13\./);
  assert.match(schedulerFactsSource('2.x').torch ?? '', /^2\./);
  assert.ok(schedulerFactsSource('transformers').transformers);
  for (const s of [optimizerFactsSource('1.13'), optimizerFactsSource('2.x'), schedulerFactsSource('traits')]) {
    assert.ok(s.how.length > 0);
  }
});

test('torch version strings map to table keys', () => {
  assert.equal(torchVersionKey('1.13.1'), '1.13');
  assert.equal(torchVersionKey('2.4.0+cu121'), '2.x');
  assert.equal(torchVersionKey('latest'), undefined);
});

test('the facts loader imports no parser or LSP code', () => {
  const source = fs.readFileSync(path.join(REPO, 'server/src/core/facts/index.ts'), 'utf8');
  const imports = [...source.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
  assert.ok(imports.length > 0);
  for (const spec of imports) assert.match(spec, /^\.\/data\/[a-z-]+\.json$/, spec);
});
