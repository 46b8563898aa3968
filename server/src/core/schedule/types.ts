/**
 * Request and result types of the LR-schedule simulator.
 *
 * A request describes ONE optimizer (its class and its param groups, with effective values
 * already resolved by the caller) and the schedulers built on it in construction order, each
 * with its arguments as Python values (see pyvalue.ts: `3n` is the int 3, `3` is the float 3.0).
 */
import type { PyValue } from './pyvalue';

export type { PyValue } from './pyvalue';

/** Which PyTorch to emulate. '2.x' is current PyTorch (the default); '1.13' is Debian's 1.13.1. */
export type TorchVersion = '2.x' | '1.13';

export interface GroupSpec {
  /** The group's effective lr (the group's own `lr`, else the optimizer's default). */
  lr: number | bigint;
  /** SGD/RMSprop `momentum`, when the optimizer has that key. */
  momentum?: number | bigint;
  /** Adam-family `betas`, when the optimizer has that key. */
  betas?: [number | bigint, number | bigint];
  /** A label for display (e.g. `pg0` or the group's `name`); not used by the simulation. */
  label?: string;
}

export interface OptimizerSpec {
  /** torch.optim class name: 'SGD', 'AdamW', … Decides whether `defaults` has momentum/betas. */
  className: string;
  /** Param groups in order (at least one). */
  groups: GroupSpec[];
  /**
   * Keys of `optimizer.defaults` that CyclicLR/OneCycleLR look for. Taken from a table of
   * torch.optim classes when omitted; give it for other optimizer classes.
   */
  defaultsHas?: { momentum?: boolean; betas?: boolean };
  /** `optimizer.defaults['lr']` (used by HF polynomial / cosine_with_min_lr). Default: groups[0].lr. */
  defaultLr?: number | bigint;
}

export interface SchedulerSpec {
  /** Caller's id, unique in the request; SequentialLR/ChainedScheduler refer to it. */
  id: string;
  /** How messages name it (the variable it is assigned to in the file); default: the id. */
  label?: string;
  /**
   * Class or factory name. torch: 'StepLR', 'torch.optim.lr_scheduler.StepLR', 'SWALR'
   * ('torch.optim.swa_utils.SWALR'). Hugging Face: 'get_linear_schedule_with_warmup',
   * 'transformers.get_scheduler', … (the `transformers.` / `transformers.optimization.` prefix
   * is optional).
   */
  className: string;
  /** Positional arguments with the optimizer argument removed (wherever it stood). */
  args?: PyValue[];
  /** Keyword arguments (an `optimizer=` keyword is ignored). */
  kwargs?: Record<string, PyValue>;
}

export interface ScheduleRequest {
  optimizer: OptimizerSpec;
  /** In construction order. */
  schedulers: SchedulerSpec[];
  /** Number of optimizer steps N; traces have one value per step i = 0..N-1. */
  steps: number;
  /** Default '2.x'. */
  torch?: TorchVersion;
  /**
   * Ids of the schedulers the training loop steps after each optimizer step, in call order.
   * Default: every scheduler not wrapped by a SequentialLR/ChainedScheduler, in construction
   * order.
   */
  stepped?: string[];
  /**
   * Metric passed to `ReduceLROnPlateau.step(metric)` after optimizer step i: one series for
   * every plateau scheduler, or a series per scheduler id. Without it a ReduceLROnPlateau is
   * "not simulated: depends on the metric".
   */
  metrics?: number[] | Record<string, number[]>;
  /**
   * The schedulers are built anew (constructors run again, on the optimizer as it is then) before
   * optimizer step i for every i that is a positive multiple of this: a scheduler built inside
   * the training loop. Plateau schedulers are not rebuilt this way (refused).
   */
  rebuildEvery?: number;
  /** 'native' (default) uses the platform libm when the addon loads; 'fallback' forces V8. */
  libm?: 'native' | 'fallback';
  /**
   * Largest number of steps `simulate` materialises (default 2,000,000). Longer runs are cut
   * with a message in `capped`; use `simulateStream` to get all of them.
   */
  maxSteps?: number;
}

/** Per-group values, one per optimizer step. */
export interface GroupTrace {
  lr: Float64Array;
  /** SGD `momentum` or Adam `betas[0]`, recorded when a scheduler cycles momentum. */
  momentum?: Float64Array;
}

/** What PyTorch would raise, at construction or at a step. */
export interface ScheduleError {
  /** Python exception class: 'ValueError', 'TypeError', 'ZeroDivisionError', 'KeyError', … */
  type: string;
  /** The message current PyTorch (2.x) gives. */
  message: string;
  /** The 1.13 message, when it differs (or the only one when 1.13 alone raises). */
  message113?: string;
  /** Set when only one version raises. */
  onlyIn?: TorchVersion;
  phase: 'construction' | 'step';
  /** For phase 'step': the 0-based index of the loop iteration whose scheduler.step() raised. */
  step?: number;
  /** The scheduler whose constructor or step raised. */
  schedulerId?: string;
  /** The argument at fault, when there is one (e.g. 'max_lr', 'T_0'). */
  argument?: string;
}

export interface SchedulerTrace {
  id: string;
  /** Class name, e.g. 'CosineAnnealingLR' ('LambdaLR' for Hugging Face schedules). */
  kind: string;
  status: 'ok';
  exact: boolean;
  /**
   * For a scheduler the loop steps: group values right after its step in each iteration
   * (index 0: after construction). For a wrapped scheduler: not present (see `wrappedBy`).
   */
  groups?: GroupTrace[];
  /** Id of the SequentialLR/ChainedScheduler that steps this one. */
  wrappedBy?: string;
  /** For Hugging Face factories: the function name (e.g. 'get_cosine_schedule_with_warmup'). */
  factory?: string;
}

export interface SchedulerNotSimulated {
  id: string;
  kind: string;
  status: 'notSimulated';
  notSimulated: string;
}

export interface SchedulerFailed {
  id: string;
  kind: string;
  status: 'error';
  error: ScheduleError;
}

export type SchedulerOutcome = SchedulerTrace | SchedulerNotSimulated | SchedulerFailed;

export interface ScheduleResult {
  torch: TorchVersion;
  /** True when every value came from exact arithmetic or the platform libm. */
  exact: boolean;
  /** Description of the libm used. */
  libm: string;
  requestedSteps: number;
  /** Steps actually in the traces (less than requested when capped, or when a step raised). */
  steps: number;
  /** Why the traces stop early, when they do because of the cap. */
  capped?: string;
  /** The lr (and momentum) in effect at each optimizer step, per group. Empty if not simulated. */
  effective: GroupTrace[];
  /** One entry per requested scheduler, in construction order. */
  schedulers: SchedulerOutcome[];
  /** The first error PyTorch would raise (construction, or a step inside the run). */
  error?: ScheduleError;
  /** Set when nothing was simulated, with the reason. */
  notSimulated?: string;
  /** Non-fatal notes (e.g. "metric series shorter than the run"). */
  notes: string[];
}

/** A chunk of a streamed simulation. */
export interface ScheduleChunk {
  /** Step index of the first value. */
  start: number;
  /** Effective values per group for steps start .. start + length - 1. */
  groups: GroupTrace[];
}

export interface StreamSummary extends Omit<ScheduleResult, 'effective' | 'schedulers'> {
  schedulers: (SchedulerNotSimulated | SchedulerFailed | Omit<SchedulerTrace, 'groups'>)[];
}
