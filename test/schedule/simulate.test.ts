/**
 * The simulator's behaviour beyond the golden traces: construction side effects, the 2.x/1.13
 * differences, PyTorch's configuration errors, refusals, huge N.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { simulate, simulateStream, loadNativeLibm } from '../../server/src/core/schedule';
import type { ScheduleRequest, SchedulerSpec, TorchVersion } from '../../server/src/core/schedule';
import { evalModule, evaluate } from '../../server/src/core/schedule/pyeval';
import * as A from '../../server/src/core/schedule/pyast';
import { schedulerRef, tuple, unresolved } from '../../server/src/core/schedule/pyvalue';
import { firstMismatch, loadGolden, repoRoot, toRequest } from '../golden/golden-data';

const native = !!loadNativeLibm().libm;
const mathScope = evalModule([{ type: 'Import', module: 'math' }]);
/** `lambda e: <c>` as a PyFunction. */
const constLambda = (c: number) => evaluate(A.lambda(['e'], A.num(c)), mathScope);

function req(
  schedulers: SchedulerSpec[],
  steps: number,
  opts: Partial<ScheduleRequest> & { lrs?: number[]; cls?: string; momentum?: number } = {},
): ScheduleRequest {
  const { lrs = [0.1], cls = 'SGD', momentum, ...rest } = opts;
  return {
    optimizer: { className: cls, groups: lrs.map((lr) => (momentum === undefined ? { lr } : { lr, momentum })) },
    schedulers,
    steps,
    ...rest,
  };
}

const lr = (r: ReturnType<typeof simulate>, g = 0) => Array.from(r.effective[g].lr);

// ---------------------------------------------------------------------------------------------
// Construction side effects

test('every constructor writes group lr; initial_lr is shared by later schedulers', () => {
  // ConstantLR's initial step multiplies lr by 0.5; LambdaLR, built after it, computes from the
  // shared initial_lr (0.1), so its initial step overwrites the ConstantLR factor.
  const r = simulate(
    req(
      [
        { id: 'c', className: 'ConstantLR', kwargs: { factor: 0.5, total_iters: 3n } },
        { id: 'l', className: 'LambdaLR', args: [constLambda(1.0)] },
      ],
      3,
      { stepped: ['c'] },
    ),
  );
  assert.equal(r.error, undefined);
  assert.equal(lr(r)[0], 0.1);
  // ExponentialLR built after ConstantLR keeps the factor (its initial step does not move lr)
  const r2 = simulate(
    req(
      [
        { id: 'c', className: 'ConstantLR', kwargs: { factor: 0.5, total_iters: 3n } },
        { id: 'e', className: 'ExponentialLR', args: [0.9] },
      ],
      4,
    ),
  );
  const v1 = 0.05 * 0.9;
  const v2 = v1 * 0.9;
  assert.deepEqual(lr(r2), [0.05, v1, v2, v2 * (1.0 / 0.5) * 0.9], 'ConstantLR undoes with lr * (1.0 / factor), then ExponentialLR steps');
});

test('OneCycleLR overwrites initial_lr, which later schedulers use as base_lr', () => {
  const r = simulate(
    req(
      [
        { id: 'o', className: 'OneCycleLR', args: [0.1], kwargs: { total_steps: 100n } },
        { id: 'l', className: 'LambdaLR', args: [constLambda(1.0)] },
      ],
      2,
      { lrs: [0.3], momentum: 0.9, stepped: ['l'] },
    ),
  );
  assert.equal(lr(r)[0], 0.1 / 25.0, 'LambdaLR base is max_lr/div_factor, not the optimizer lr 0.3');
});

test('a scalar max_lr is broadcast to every group, erasing per-group lrs', () => {
  const r = simulate(req([{ id: 'o', className: 'OneCycleLR', args: [0.05], kwargs: { total_steps: 20n } }], 20, { lrs: [0.5, 0.001], momentum: 0.9 }));
  assert.equal(firstMismatch(r.effective[0].lr, r.effective[1].lr), -1);
});

test('CyclicLR sets lr to base_lr before the base init; a stale initial_lr is used at step 0', () => {
  const r = simulate(
    req(
      [
        { id: 's', className: 'StepLR', args: [5n] },
        { id: 'c', className: 'CyclicLR', args: [0.01, 0.1], kwargs: { step_size_up: 5n } },
      ],
      3,
      { lrs: [0.3], momentum: 0.9, stepped: ['c'] },
    ),
  );
  assert.equal(lr(r)[0], 0.3, 'initial_lr (0.3) from StepLR wins at step 0');
  const x = 1.0 + 1 / 10 - 1; // Python's order: cycle = floor(1 + e/total); x = 1.0 + e/total - cycle
  assert.equal(lr(r)[1], 0.01 + (0.1 - 0.01) * (x / 0.5) * 1.0);
});

test('momentum/beta1 cycling: CyclicLR on Adam cycles betas[0] in 2.x and is rejected by 1.13', () => {
  const spec: SchedulerSpec[] = [{ id: 'c', className: 'CyclicLR', args: [0.001, 0.01], kwargs: { step_size_up: 2n } }];
  const r = simulate(req(spec, 5, { cls: 'Adam', lrs: [0.001] }));
  assert.equal(r.error, undefined);
  const expected = [0, 1, 2, 3, 4].map((e) => {
    const cycle = Math.floor(1 + e / 4);
    const x = 1.0 + e / 4 - cycle;
    const sf = x <= 0.5 ? x / 0.5 : (x - 1) / (0.5 - 1);
    return 0.9 - (0.9 - 0.8) * sf * 1.0;
  });
  assert.deepEqual(Array.from(r.effective[0].momentum!), expected);
  assert.equal(expected[1], 0.8500000000000001);
  const r113 = simulate(req(spec, 5, { cls: 'Adam', lrs: [0.001], torch: '1.13' }));
  assert.equal(r113.error?.type, 'ValueError');
  assert.equal(r113.error?.message113, 'optimizer must support momentum with `cycle_momentum` option enabled');
  assert.equal(r113.error?.onlyIn, '1.13');
});

test('two schedulers stepped in construction order interact through group lr', () => {
  const r = simulate(
    req(
      [
        { id: 'a', className: 'ExponentialLR', args: [0.5] },
        { id: 'b', className: 'StepLR', args: [2n], kwargs: { gamma: 0.1 } },
      ],
      4,
    ),
  );
  assert.deepEqual(lr(r), [0.1, 0.05, 0.0025000000000000005, 0.0012500000000000002]);
  const a = r.schedulers.find((s) => s.id === 'a');
  assert.ok(a && a.status === 'ok' && a.groups);
  assert.deepEqual(Array.from(a.groups[0].lr), [0.1, 0.05, 0.025, 0.0012500000000000002], 'per-scheduler trace: lr right after its own step');
});

// ---------------------------------------------------------------------------------------------
// 2.x vs 1.13

test('SequentialLR hand-over to MultiplicativeLR: 2.x multiplies by lr_lambda(0) (hand-derived)', { skip: !native && 'native libm not built' }, () => {
  // Expectation derived by hand from the 1.13 recording: 2.x runs `_update_lr(0)` at the milestone,
  // and MultiplicativeLR.get_lr (not initial) returns lr * lambda(0) = lr * 0.97, so from the
  // milestone on every value is the previous one times 0.97; before it, 2.x equals 1.13.
  const c = loadGolden().configs.find((x) => x.name === 'SequentialLR(LinearLR, MultiplicativeLR) 1.13 hand-over')!;
  const t113 = c.trace!.lr[0];
  const expected = t113.slice(0, 10);
  for (let k = 10; k < t113.length; k++) expected.push(expected[k - 1] * 0.97);
  const r = simulate(toRequest(c, '2.x'));
  assert.equal(firstMismatch(r.effective[0].lr, expected), -1);
  assert.equal(t113[10], t113[9], '1.13 keeps the lr at the milestone');
  assert.notEqual(r.effective[0].lr[10], r.effective[0].lr[9]);
});

test('2.x mode agrees with the torch 2.13 reference traces (10 significant digits)', () => {
  const ref = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'test', 'golden', 'reference-torch2.13.json'), 'utf8')) as {
    traces: Record<string, number[][]>;
  };
  const lam = (c: number) => constLambda(c);
  const pow095 = evaluate(A.lambda(['e'], A.bin('**', A.num(0.95), A.name('e'))), mathScope);
  const cases: Record<string, { s: SchedulerSpec[]; lrs?: number[]; metrics?: number[] }> = {
    'StepLR(step_size=3,gamma=0.5)': { s: [{ id: 's', className: 'StepLR', args: [3n], kwargs: { gamma: 0.5 } }] },
    'MultiStepLR([2,5,9],0.1)': { s: [{ id: 's', className: 'MultiStepLR', args: [[2n, 5n, 9n], 0.1] }] },
    'ConstantLR(factor=1/3,total_iters=5)': { s: [{ id: 's', className: 'ConstantLR', kwargs: { factor: 1 / 3, total_iters: 5n } }] },
    'LinearLR(start=1/3,end=1,total_iters=5)': { s: [{ id: 's', className: 'LinearLR', kwargs: { start_factor: 1 / 3, end_factor: 1.0, total_iters: 5n } }] },
    'ExponentialLR(0.9)': { s: [{ id: 's', className: 'ExponentialLR', args: [0.9] }] },
    'PolynomialLR(total_iters=5,power=2)': { s: [{ id: 's', className: 'PolynomialLR', kwargs: { total_iters: 5n, power: 2n } }] },
    'CosineAnnealingLR(T_max=5,eta_min=0.01) [beyond T_max]': { s: [{ id: 's', className: 'CosineAnnealingLR', kwargs: { T_max: 5n, eta_min: 0.01 } }] },
    'CosineAnnealingWarmRestarts(T_0=3,T_mult=2)': { s: [{ id: 's', className: 'CosineAnnealingWarmRestarts', kwargs: { T_0: 3n, T_mult: 2n } }] },
    'LambdaLR(lambda e: 0.95**e)': { s: [{ id: 's', className: 'LambdaLR', args: [pow095] }] },
    'MultiplicativeLR(lambda e: 0.9)': { s: [{ id: 's', className: 'MultiplicativeLR', args: [lam(0.9)] }] },
    'CyclicLR(base=0.01,max=0.1,step_size_up=3)': { s: [{ id: 's', className: 'CyclicLR', kwargs: { base_lr: 0.01, max_lr: 0.1, step_size_up: 3n } }] },
    'CyclicLR(triangular2, step_size_up=2)': {
      s: [{ id: 's', className: 'CyclicLR', kwargs: { base_lr: 0.01, max_lr: 0.1, step_size_up: 2n, mode: 'triangular2' } }],
    },
    'OneCycleLR(max_lr=0.1,total_steps=12)': { s: [{ id: 's', className: 'OneCycleLR', kwargs: { max_lr: 0.1, total_steps: 12n } }] },
    'OneCycleLR(max_lr=0.1,total_steps=12,three_phase,linear)': {
      s: [{ id: 's', className: 'OneCycleLR', kwargs: { max_lr: 0.1, total_steps: 12n, three_phase: true, anneal_strategy: 'linear' } }],
    },
    'SequentialLR(LinearLR(0.1,total_iters=3) -> CosineAnnealingLR(T_max=9), milestones=[3])': {
      s: [
        { id: 'a', className: 'LinearLR', kwargs: { start_factor: 0.1, total_iters: 3n } },
        { id: 'b', className: 'CosineAnnealingLR', kwargs: { T_max: 9n } },
        { id: 's', className: 'SequentialLR', kwargs: { schedulers: [schedulerRef('a'), schedulerRef('b')], milestones: [3n] } },
      ],
    },
    'ChainedScheduler(ConstantLR(0.1,2), ExponentialLR(0.9))': {
      s: [
        { id: 'a', className: 'ConstantLR', kwargs: { factor: 0.1, total_iters: 2n } },
        { id: 'b', className: 'ExponentialLR', kwargs: { gamma: 0.9 } },
        { id: 's', className: 'ChainedScheduler', args: [[schedulerRef('a'), schedulerRef('b')]] },
      ],
    },
    'two groups lr [0.1,0.01] + StepLR(2,0.5)': { s: [{ id: 's', className: 'StepLR', args: [2n, 0.5] }], lrs: [0.1, 0.01] },
    'ReduceLROnPlateau(patience=2,factor=0.5) constant metric': {
      s: [{ id: 's', className: 'ReduceLROnPlateau', kwargs: { patience: 2n, factor: 0.5 } }],
      metrics: new Array(20).fill(1.0),
    },
  };
  assert.equal(Object.keys(ref.traces).length, Object.keys(cases).length);
  for (const [name, rows] of Object.entries(ref.traces)) {
    const c = cases[name];
    assert.ok(c, `no case for ${name}`);
    const r = simulate(req(c.s, rows.length, { lrs: c.lrs, metrics: c.metrics }));
    assert.equal(r.notSimulated, undefined, name);
    assert.equal(r.steps, rows.length, `${name}: ${JSON.stringify(r.error)}`);
    rows.forEach((row, i) =>
      row.forEach((want, g) => {
        const got = r.effective[g].lr[i];
        // the reference is rounded to 10 decimal places
        const ok = Math.abs(got - want) <= 5.01e-11;
        assert.ok(ok, `${name}: step ${i} group ${g}: ${got} vs ${want}`);
      }),
    );
  }
});

// ---------------------------------------------------------------------------------------------
// Configuration errors: PyTorch's messages (2.x, plus 1.13 where it differs)

function errorOf(s: SchedulerSpec[], o: Partial<ScheduleRequest> & { lrs?: number[]; cls?: string; momentum?: number } = {}, torch: TorchVersion = '2.x') {
  const r = simulate(req(s, 5, { ...o, torch }));
  assert.ok(r.error, `expected an error, got ${r.notSimulated ?? 'a trace'}`);
  return r.error;
}

test('config errors: list lengths vs group count', () => {
  const two = { lrs: [0.1, 0.01], momentum: 0.9 };
  let e = errorOf([{ id: 'o', className: 'OneCycleLR', args: [[0.1]], kwargs: { total_steps: 10n } }], two);
  assert.equal(e.message, 'max_lr must have the same length as optimizer.param_groups. max_lr has 1 values, param_groups has 2.');
  assert.equal(e.message113, 'expected 2 values for max_lr, got 1');
  assert.equal(e.argument, 'max_lr');
  assert.equal(e.phase, 'construction');
  e = errorOf([{ id: 'c', className: 'CyclicLR', args: [[0.1, 0.2, 0.3], 1.0] }], two);
  assert.equal(e.message, 'base_lr must have the same length as optimizer.param_groups. base_lr has 3 values, param_groups has 2.');
  e = errorOf([{ id: 'l', className: 'LambdaLR', args: [[constLambda(1)]] }], two);
  assert.equal(e.message, 'Expected 2 lr_lambdas, but got 1');
  e = errorOf([{ id: 'p', className: 'ReduceLROnPlateau', kwargs: { min_lr: [0.1] } }], { ...two, metrics: [1] });
  assert.equal(e.message, 'expected 2 min_lrs, got 1');
  e = errorOf([{ id: 'w', className: 'SWALR', args: [[0.1]] }], two);
  assert.equal(e.message, 'swa_lr must have the same length as optimizer.param_groups. swa_lr has 1 values, param_groups has 2.');
  assert.equal(e.message113, 'swa_lr must have the same length as optimizer.param_groups: swa_lr has 1, optimizer.param_groups has 2');
});

test('config errors: SequentialLR / ChainedScheduler', () => {
  const subs: SchedulerSpec[] = [
    { id: 'a', className: 'ConstantLR' },
    { id: 'b', className: 'ExponentialLR', args: [0.9] },
  ];
  let e = errorOf([...subs, { id: 's', className: 'SequentialLR', args: [[schedulerRef('a'), schedulerRef('b')], [3n, 6n]] }]);
  assert.equal(
    e.message,
    'Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers 2 and the number of milestones to be equal to 2',
  );
  e = errorOf([{ id: 's', className: 'SequentialLR', args: [[], []] }]);
  assert.equal(e.message, 'SequentialLR expects at least one scheduler, but got no scheduler.');
  assert.equal(e.onlyIn, '2.x');
  e = errorOf([
    { id: 'p', className: 'ReduceLROnPlateau' },
    { id: 'b', className: 'ExponentialLR', args: [0.9] },
    { id: 's', className: 'SequentialLR', args: [[schedulerRef('b'), schedulerRef('p')], [3n]] },
  ], { metrics: [1] });
  assert.match(e.message, /^SequentialLR does not support `ReduceLROnPlateau` scheduler .* at index 1 in the given schedulers sequence\.$/);
  e = errorOf([{ id: 's', className: 'ChainedScheduler', args: [[]] }]);
  assert.equal(e.message, 'ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.');
  assert.equal(e.message113, 'list index out of range');
});

test('config errors: OneCycleLR total steps, pct_start, anneal_strategy, stepping past the end', () => {
  const m = { momentum: 0.9 };
  let e = errorOf([{ id: 'o', className: 'OneCycleLR', args: [0.1] }], m);
  assert.equal(e.message, 'You must define either total_steps OR (epochs AND steps_per_epoch)');
  e = errorOf([{ id: 'o', className: 'OneCycleLR', args: [0.1], kwargs: { epochs: 10n } }], m);
  assert.equal(e.type, 'ValueError');
  e = errorOf([{ id: 'o', className: 'OneCycleLR', args: [0.1], kwargs: { epochs: 10n } }], m, '1.13');
  assert.equal(e.type, 'TypeError');
  assert.equal(e.message113, "'<=' not supported between instances of 'NoneType' and 'int'");
  e = errorOf([{ id: 'o', className: 'OneCycleLR', args: [0.1], kwargs: { total_steps: 10.0 } }], m);
  assert.equal(e.message, 'Expected positive integer total_steps, but got 10.0');
  e = errorOf([{ id: 'o', className: 'OneCycleLR', args: [0.1], kwargs: { total_steps: 10n, pct_start: 1n } }], m);
  assert.equal(e.message, 'Expected float between 0 and 1 pct_start, but got 1');
  e = errorOf([{ id: 'o', className: 'OneCycleLR', args: [0.1], kwargs: { total_steps: 10n, anneal_strategy: 'cosine' } }], m);
  assert.equal(e.message, "anneal_strategy must be one of 'cos' or 'linear', instead got cosine");
  assert.equal(e.message113, "anneal_strategy must by one of 'cos' or 'linear', instead got cosine");
  e = errorOf([{ id: 'o', className: 'OneCycleLR', args: [0.1], kwargs: { total_steps: 3n } }], m);
  assert.equal(e.phase, 'step');
  assert.equal(e.step, 3);
  assert.equal(e.message, 'Tried to step 4 times. The specified number of total steps is 3');
  assert.equal(e.message113, 'Tried to step 5 times. The specified number of total steps is 3');
  e = errorOf([{ id: 'o', className: 'OneCycleLR', args: [0.1], kwargs: { total_steps: 10n } }], { cls: 'Adagrad' });
  assert.equal(e.message, 'optimizer must support momentum or beta1 with `cycle_momentum` option enabled');
  assert.equal(e.message113, 'optimizer must support momentum with `cycle_momentum` option enabled');
});

test('config errors: invalid factors, T_0/T_mult types, eta_min type', () => {
  let e = errorOf([{ id: 'c', className: 'ConstantLR', args: [1.5] }]);
  assert.equal(e.message, 'Constant multiplicative factor expected to be between 0 and 1.');
  e = errorOf([{ id: 'l', className: 'LinearLR', kwargs: { start_factor: 0.0 } }]);
  assert.equal(e.message, 'Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
  assert.equal(e.onlyIn, '2.x', '1.13 accepted start_factor=0 (and divides by zero at step 1)');
  e = errorOf([{ id: 'l', className: 'LinearLR', kwargs: { start_factor: 1.5 } }]);
  assert.equal(e.message113, 'Starting multiplicative factor expected to be between 0 and 1.');
  e = errorOf([{ id: 'l', className: 'LinearLR', kwargs: { end_factor: -0.1 } }]);
  assert.equal(e.message, 'Ending multiplicative factor expected to be between 0 and 1.');
  e = errorOf([{ id: 'p', className: 'ReduceLROnPlateau', kwargs: { factor: 1.0 } }], { metrics: [1] });
  assert.equal(e.message, 'Factor should be < 1.0.');
  e = errorOf([{ id: 'p', className: 'ReduceLROnPlateau', kwargs: { mode: 'maximum' } }], { metrics: [1] });
  assert.equal(e.message, 'mode maximum is unknown!');
  e = errorOf([{ id: 'w', className: 'CosineAnnealingWarmRestarts', args: [10.0] }]);
  assert.equal(e.message, 'Expected positive integer T_0, but got 10.0');
  e = errorOf([{ id: 'w', className: 'CosineAnnealingWarmRestarts', args: [10n], kwargs: { T_mult: 1.5 } }]);
  assert.equal(e.message, 'Expected integer T_mult >= 1, but got 1.5');
  e = errorOf([{ id: 'w', className: 'CosineAnnealingWarmRestarts', args: [10n], kwargs: { eta_min: '0' } }]);
  assert.equal(e.message, "Expected float or int eta_min, but got 0 of type <class 'str'>");
  e = errorOf([{ id: 'c', className: 'CyclicLR', args: [0.01, 0.1], kwargs: { mode: 'sine' } }], { momentum: 0.9 });
  assert.equal(e.message, 'mode is invalid and scale_fn is None');
  e = errorOf([{ id: 's', className: 'SWALR', args: [0.05], kwargs: { anneal_epochs: 2.5 } }]);
  assert.equal(e.message, 'anneal_epochs must be equal or greater than 0, got 2.5');
});

test('config errors: verbose= is a TypeError in 2.x and accepted by 1.13', () => {
  const s: SchedulerSpec[] = [{ id: 's', className: 'StepLR', args: [3n], kwargs: { verbose: true } }];
  const e = errorOf(s);
  assert.equal(e.type, 'TypeError');
  assert.equal(e.message, "StepLR.__init__() got an unexpected keyword argument 'verbose'");
  assert.equal(e.onlyIn, '2.x');
  const r = simulate(req(s, 5, { torch: '1.13' }));
  assert.equal(r.error, undefined);
  assert.equal(r.steps, 5);
});

test('binding errors use Python TypeError texts', () => {
  let e = errorOf([{ id: 's', className: 'StepLR' }]);
  assert.equal(e.message, "StepLR.__init__() missing 1 required positional argument: 'step_size'");
  e = errorOf([{ id: 's', className: 'StepLR', args: [3n], kwargs: { gama: 0.5 } }]);
  assert.equal(e.message, "StepLR.__init__() got an unexpected keyword argument 'gama'");
  e = errorOf([{ id: 's', className: 'get_linear_schedule_with_warmup', args: [10n] }]);
  assert.equal(e.message, "get_linear_schedule_with_warmup() missing 1 required positional argument: 'num_training_steps'");
  e = errorOf([{ id: 's', className: 'get_scheduler', args: ['cosine'], kwargs: { num_warmup_steps: 10n } }]);
  assert.equal(e.message, 'SchedulerType.COSINE requires `num_training_steps`, please provide that argument.');
  e = errorOf([{ id: 's', className: 'get_scheduler', args: ['cosinus'] }]);
  assert.match(e.message, /^cosinus is not a valid SchedulerType, please select one of \['linear', 'cosine'/);
});

test('runtime errors inside the run: ZeroDivisionError, with the step index', () => {
  const r = simulate(req([{ id: 's', className: 'StepLR', args: [0n] }], 5));
  assert.equal(r.error?.type, 'ZeroDivisionError');
  assert.equal(r.error?.message, 'integer modulo by zero');
  assert.equal(r.error?.step, 0);
  assert.equal(r.steps, 1, 'the value for step 0 was in effect before the first scheduler.step() raised');
  const r2 = simulate(req([{ id: 'l', className: 'LambdaLR', args: [evaluate(A.lambda(['e'], A.bin('/', A.num(1n), A.bin('-', A.name('e'), A.num(3n)))), mathScope)] }], 6));
  assert.equal(r2.error?.type, 'ZeroDivisionError');
  assert.equal(r2.error?.message, 'division by zero');
  assert.equal(r2.error?.step, 2);
});

// ---------------------------------------------------------------------------------------------
// Bad input: never an exception

test('not simulated: unknown scheduler, unresolvable value, metric-driven without metrics', () => {
  let r = simulate(req([{ id: 'x', className: 'timm.scheduler.CosineLRScheduler' }], 5));
  assert.match(r.notSimulated!, /not a scheduler the simulator knows/);
  assert.equal(r.effective.length, 0);
  r = simulate(req([{ id: 'x', className: 'StepLR', args: [unresolved('`cfg.step` cannot be resolved statically')] }], 5));
  assert.equal(r.notSimulated, '`cfg.step` cannot be resolved statically');
  assert.equal(r.schedulers[0].status, 'notSimulated');
  r = simulate(req([{ id: 'p', className: 'ReduceLROnPlateau' }], 5));
  assert.match(r.notSimulated!, /depends on the metric/);
});

test('not simulated: a lambda outside the safe subset refuses when it runs (LambdaLR calls it at construction)', () => {
  const scope = evalModule([{ type: 'Import', module: 'numpy', asName: 'np' }]);
  const f = evaluate(A.lambda(['e'], A.call(A.attr(A.name('np'), 'cos'), [A.name('e')])), scope);
  const r = simulate(req([{ id: 'l', className: 'LambdaLR', args: [f] }], 5));
  assert.match(r.notSimulated!, /`np` \(module `numpy`\), outside the safe subset/);
});

test('garbage requests never throw', () => {
  const bad: unknown[] = [
    { optimizer: { className: 'SGD', groups: [] }, schedulers: [], steps: 5 },
    { optimizer: { className: 'SGD', groups: [{ lr: 0.1 }] }, schedulers: [], steps: -1 },
    { optimizer: { className: 'SGD', groups: [{ lr: 0.1 }] }, schedulers: [], steps: 2.5 },
    { optimizer: { className: 'SGD', groups: [{ lr: 'x' }] }, schedulers: [{ id: 's', className: 'StepLR', args: [1n] }], steps: 5 },
    req([{ id: 's', className: 'StepLR', args: ['3'] }], 5),
    req([{ id: 's', className: 'StepLR', args: [null] }], 5),
    req([{ id: 's', className: 'SequentialLR', args: [[schedulerRef('nope')], []] }], 5),
    req([{ id: 's', className: 'MultiStepLR', args: [3n] }], 5),
    req([{ id: 's', className: 'CosineAnnealingLR', args: [0n] }], 5),
    req([{ id: 's', className: 'StepLR', args: [1n] }, { id: 's', className: 'StepLR', args: [1n] }], 5),
    req([{ id: 's', className: 'StepLR', args: [1n], kwargs: { last_epoch: 5n } }], 5),
    req([{ id: 's', className: 'LambdaLR', args: [tuple([])] }], 5),
    req([{ id: 's', className: 'LambdaLR', args: [0.5] }], 5),
    req([{ id: 's', className: 'get_scheduler', args: ['warmup_stable_decay', 10n, 100n] }], 5, { cls: 'AdamW' }),
  ];
  for (const b of bad) {
    const r = simulate(b as ScheduleRequest);
    assert.ok(r.notSimulated || r.error || r.steps >= 0, JSON.stringify(r));
  }
  const cz = simulate(req([{ id: 's', className: 'CosineAnnealingLR', args: [0n] }], 5));
  assert.equal(cz.error?.message, 'integer modulo by zero');
  const le = simulate(req([{ id: 's', className: 'StepLR', args: [1n], kwargs: { last_epoch: 5n } }], 5));
  assert.match(le.notSimulated!, /resumes a run/);
});

// ---------------------------------------------------------------------------------------------
// Huge N

test('huge N: simulate caps the materialised trace with a message; simulateStream streams all', () => {
  const s: SchedulerSpec[] = [{ id: 'c', className: 'CosineAnnealingLR', kwargs: { T_max: 1_000_000n } }];
  const N = 10_000_000;
  const before = process.memoryUsage().rss;
  const r = simulate(req(s, N, { maxSteps: 100_000 }));
  assert.equal(r.steps, 100_000);
  assert.equal(r.requestedSteps, N);
  assert.match(r.capped!, /first 100,000 of 10,000,000 steps/);
  let count = 0;
  let last = NaN;
  const sum = simulateStream(req(s, N), (chunk) => {
    assert.equal(chunk.start, count);
    count += chunk.groups[0].lr.length;
    last = chunk.groups[0].lr[chunk.groups[0].lr.length - 1];
  });
  assert.equal(sum.steps, N);
  assert.equal(count, N);
  assert.ok(Number.isFinite(last));
  const grown = (process.memoryUsage().rss - before) / 2 ** 20;
  assert.ok(grown < 200, `rss grew by ${grown.toFixed(0)} MB`);
});

// ---------------------------------------------------------------------------------------------
// Run length

test('a short run is the prefix of a long one: table blocks sized to the run change no value', () => {
  const cases: SchedulerSpec[][] = [
    [{ id: 'c', className: 'CosineAnnealingLR', kwargs: { T_max: 37n, eta_min: 1e-5 } }],
    [{ id: 'o', className: 'OneCycleLR', kwargs: { max_lr: 0.1, total_steps: 5000n } }],
    [{ id: 'o', className: 'OneCycleLR', kwargs: { max_lr: 0.1, total_steps: 5000n, three_phase: true, anneal_strategy: 'linear' } }],
    [{ id: 'p', className: 'PolynomialLR', kwargs: { total_iters: 4500n, power: 1.7 } }],
    [{ id: 'w', className: 'CosineAnnealingWarmRestarts', kwargs: { T_0: 7n, T_mult: 2n } }],
    [{ id: 's', className: 'SWALR', kwargs: { swa_lr: 0.05, anneal_epochs: 7n } }],
    [{ id: 'y', className: 'CyclicLR', kwargs: { base_lr: 0.01, max_lr: 0.1, step_size_up: 3n, mode: 'exp_range', gamma: 0.999 } }],
    [{ id: 'y', className: 'CyclicLR', kwargs: { base_lr: 0.01, max_lr: 0.1, step_size_up: 3n, mode: 'exp_range', gamma: 1n } }],
  ];
  for (const s of cases) {
    const long = lr(simulate(req(s, 4500, { momentum: 0.9 })));
    for (const n of [1, 2, 5, 300]) {
      const short = lr(simulate(req(s, n, { momentum: 0.9 })));
      assert.equal(short.length, n);
      assert.deepEqual(short, long.slice(0, n), `${s[0].className} over ${n} steps`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Schedulers built anew during the run (OPT307)

test('rebuildEvery: the constructors run again on the current lrs, initial_lr kept, each count from 0', () => {
  const once = (s: SchedulerSpec[], steps: number, o = {}) => lr(simulate(req(s, steps, o)));
  const again = (s: SchedulerSpec[], steps: number, every: number, o = {}) => lr(simulate(req(s, steps, { ...o, rebuildEvery: every })));
  // StepLR(step_size=2): a count that never passes 1 never reaches a decay.
  assert.deepEqual(again([{ id: 'a', className: 'StepLR', kwargs: { step_size: 2n, gamma: 0.1 } }], 6, 1), Array(6).fill(0.1));
  // ExponentialLR: each new scheduler multiplies the current lr, as one would.
  const exp: SchedulerSpec[] = [{ id: 'a', className: 'ExponentialLR', kwargs: { gamma: 0.5 } }];
  assert.deepEqual(again(exp, 6, 1), once(exp, 6));
  // LambdaLR reads base_lrs from initial_lr (set by the first constructor): lambda(0) every time.
  const lam = constLambda(0.25);
  assert.deepEqual(again([{ id: 'a', className: 'LambdaLR', kwargs: { lr_lambda: lam } }], 4, 1, { lrs: [0.2] }), Array(4).fill(0.05));
  // LinearLR multiplies the lr by start_factor at every construction.
  assert.deepEqual(again([{ id: 'a', className: 'LinearLR', kwargs: { start_factor: 0.5, total_iters: 4n } }], 3, 1), [0.05, 0.03125, 0.01953125]);
  // Rebuilt every 3 steps: the first 3 values of the schedule, then they start over.
  const cyc: SchedulerSpec[] = [{ id: 'a', className: 'OneCycleLR', kwargs: { max_lr: 0.1, total_steps: 12n } }];
  const first3 = once(cyc, 3);
  assert.deepEqual(again(cyc, 9, 3), [...first3, ...first3, ...first3]);
  // The cosine's first recursive step from the current lr, every time.
  const cos = again([{ id: 'a', className: 'CosineAnnealingLR', kwargs: { T_max: 10n } }], 6, 1);
  assert.equal(cos[5].toFixed(6), '0.088349');
  // Bad input and what is not rebuilt.
  assert.match(simulate(req(exp, 4, { rebuildEvery: 0 })).notSimulated ?? '', /rebuildEvery must be a positive integer/);
  assert.match(simulate(req([{ id: 'p', className: 'ReduceLROnPlateau', kwargs: {} }], 4, { rebuildEvery: 1, metrics: [1, 1, 1, 1] })).notSimulated ?? '', /ReduceLROnPlateau built anew/);
});
