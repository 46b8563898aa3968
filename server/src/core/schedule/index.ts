/**
 * The LR-schedule simulator: given one optimizer's param groups and the schedulers built on it
 * (in construction order, with resolved arguments), produce the lr (and momentum/beta1) of
 * every group at every optimizer step of the standard loop
 * (`optimizer.step(); scheduler.step()`), bit-identical to PyTorch when the native libm loads.
 *
 * Pure: no tree-sitter, no editor imports. Never throws for bad input: unknown schedulers and
 * unresolvable values give `notSimulated`, PyTorch's own exceptions give `error`.
 */
import { constructScheduler, OPTIMIZER_DEFAULT_KEYS } from './construct';
import { OptState, ReduceLROnPlateau, Steppable, EngineEnv } from './engine';
import { TorchError } from './errors';
import { BatchLibm, getLibm } from './libm';
import { intToFloat, PyError, Refusal } from './pyvalue';
import type {
  GroupTrace,
  ScheduleChunk,
  ScheduleError,
  ScheduleRequest,
  ScheduleResult,
  SchedulerOutcome,
  SchedulerSpec,
  StreamSummary,
  TorchVersion,
} from './types';

export * from './types';
export { getLibm, loadNativeLibm, fallbackLibm } from './libm';
export type { BatchLibm } from './libm';
export { OPTIMIZER_DEFAULT_KEYS, canonicalKind } from './construct';
// Building requests from source: Python values, the safe interpreter, the syntax converter.
export { schedulerRef, tuple, unresolved, pyRepr, pyStr, floatRepr, PyError, Refusal } from './pyvalue';
export type { PyFunction, PyPartial, PyBuiltin, PyCallable, PyTuple, PyDict, SchedulerRef, Unresolved, Scope } from './pyvalue';
export { evalModule, evaluate, callValue, emptyScope } from './pyeval';
export { scopeAt, valueFromSyntax, exprFromSyntax, moduleFromSyntax, stmtFromSyntax, blockFromSyntax } from './from-syntax';
// Per file: every scheduler of a parsed file, from source to traces.
export { simulateFileSchedules, planFileSchedules, runPlan, specId, DEFAULT_RUN_STEPS, MAX_DERIVED_STEPS } from './file';
export type { FileSchedule, FileScheduleGroup, FileScheduleOptions, SchedulePlan } from './file';
export { DEFAULT_EPOCHS, DEFAULT_STEPS_PER_EPOCH } from './assume';

/** Default cap on materialised steps in {@link simulate}. */
export const DEFAULT_MAX_STEPS = 2_000_000;
/** Largest N accepted at all (streamed). */
export const MAX_STEPS_ACCEPTED = 100_000_000;
/** Interpreter evaluation steps allowed over a whole simulation (user lambdas). */
const EVAL_BUDGET = 100_000_000;

/**
 * Receives the effective values. The run loop writes step values straight into `lr[g][j]` (and
 * `mom[g][j]`) for j < `cap`, then calls `flush(j)`; the recorder may swap the buffers there.
 */
interface Recorder {
  lr: Float64Array[];
  mom: Float64Array[] | null;
  cap: number;
  begin(nGroups: number, withMomentum: boolean, multi: Steppable[]): void;
  flush(count: number): void;
  /** Values right after `s.step()` in iteration i-1 (i >= 1); only when several are stepped. */
  after(s: Steppable, i: number, opt: OptState): void;
}

interface RunOutcome {
  torch: TorchVersion;
  libm: BatchLibm;
  steps: number;
  error?: ScheduleError;
  notSimulated?: string;
  schedulers: SchedulerOutcome[];
  exact: boolean;
  notes: string[];
}

function toErr(e: PyError, phase: 'construction' | 'step', schedulerId: string | undefined, step?: number): ScheduleError {
  const err: ScheduleError = { type: e.pyType, message: e.pyMessage, phase };
  if (e instanceof TorchError) {
    if (e.message113 !== undefined) err.message113 = e.message113;
    if (e.onlyIn) err.onlyIn = e.onlyIn;
    if (e.argument) err.argument = e.argument;
  }
  if (schedulerId !== undefined) err.schedulerId = schedulerId;
  if (step !== undefined) err.step = step;
  return err;
}

function toNum(v: number | bigint): number {
  return typeof v === 'bigint' ? intToFloat(v) : v;
}

function buildOptimizer(req: ScheduleRequest): OptState {
  const o = req.optimizer;
  if (!o || !Array.isArray(o.groups) || o.groups.length === 0) throw new Refusal('the optimizer has no param groups');
  const table = OPTIMIZER_DEFAULT_KEYS[o.className];
  const anyMomentum = o.groups.some((g) => g.momentum !== undefined);
  const anyBetas = o.groups.some((g) => g.betas !== undefined);
  const hasMomentum = o.defaultsHas?.momentum ?? table?.momentum ?? anyMomentum;
  const hasBetas = o.defaultsHas?.betas ?? table?.betas ?? anyBetas;
  const lrs = o.groups.map((g, i) => {
    if (typeof g.lr !== 'number' && typeof g.lr !== 'bigint') throw new Refusal(`the lr of group ${i} is not a number`);
    return toNum(g.lr);
  });
  const momentum = hasMomentum || anyMomentum ? o.groups.map((g) => (g.momentum === undefined ? 0 : toNum(g.momentum))) : null;
  const betas =
    hasBetas || anyBetas
      ? o.groups.map((g): [number, number] => (g.betas ? [toNum(g.betas[0]), toNum(g.betas[1])] : [0.9, 0.999]))
      : null;
  const defaultLr = o.defaultLr !== undefined ? toNum(o.defaultLr) : lrs[0];
  return new OptState(o.className, lrs, momentum, betas, hasMomentum, hasBetas, defaultLr);
}

function metricSeries(req: ScheduleRequest, id: string): number[] | null {
  const m = req.metrics;
  if (!m) return null;
  if (Array.isArray(m)) return m;
  return m[id] ?? null;
}

/** Runs a request against a recorder. Never throws for bad input. */
function run(req: ScheduleRequest, rec: Recorder, materialise: number): RunOutcome {
  const torch: TorchVersion = req.torch ?? '2.x';
  const libm = getLibm(req.libm ?? 'native');
  const notes: string[] = [];
  const base = { torch, libm, notes };
  const specs = req.schedulers ?? [];
  const kinds = specs.map((s) => s.className);
  const failAll = (reason: string, culprit?: number): RunOutcome => ({
    ...base,
    steps: 0,
    notSimulated: reason,
    exact: false,
    schedulers: specs.map((s, i) => ({
      id: s.id,
      kind: kinds[i],
      status: 'notSimulated' as const,
      notSimulated: culprit === undefined || i === culprit ? reason : `shares the optimizer with \`${specs[culprit].id}\`, which is not simulated`,
    })),
  });

  const N = req.steps;
  if (typeof N !== 'number' || !Number.isInteger(N) || N < 0) return failAll(`steps must be a non-negative integer, got ${String(N)}`);
  if (N > MAX_STEPS_ACCEPTED) return failAll(`${N} steps is more than the ${MAX_STEPS_ACCEPTED} the simulator accepts`);
  const ids = new Set<string>();
  for (const s of specs) {
    if (ids.has(s.id)) return failAll(`scheduler id \`${s.id}\` is used twice`);
    ids.add(s.id);
  }

  let opt: OptState;
  try {
    opt = buildOptimizer(req);
  } catch (e) {
    if (e instanceof Refusal || e instanceof PyError) return failAll(e.message);
    throw e;
  }
  const env: EngineEnv = { libm, v2: torch === '2.x', limit: N + 2, budget: { remaining: EVAL_BUDGET } };

  // Construction, in order, with side effects on the optimizer.
  const byId = new Map<string, Steppable>();
  const built: { sched: Steppable; kind: string; factory?: string }[] = [];
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i];
    try {
      const r = constructScheduler(spec, opt, env, byId);
      kinds[i] = r.kind;
      byId.set(spec.id, r.sched);
      built.push(r);
    } catch (e) {
      if (e instanceof Refusal) return failAll(e.reason, i);
      if (e instanceof PyError) {
        const error = toErr(e, 'construction', spec.id);
        return {
          ...base,
          steps: 0,
          error,
          exact: true,
          schedulers: specs.map((s, j) =>
            j === i
              ? { id: s.id, kind: kinds[j], status: 'error' as const, error }
              : {
                  id: s.id,
                  kind: kinds[j],
                  status: 'notSimulated' as const,
                  notSimulated: j < i ? `the constructor of \`${labelOf(spec)}\` raises ${e.pyType}` : `\`${labelOf(spec)}\` raises before this is constructed`,
                },
          ),
        };
      }
      throw e;
    }
  }

  // Which schedulers the loop steps.
  let stepped: Steppable[];
  if (req.stepped) {
    stepped = [];
    for (const id of req.stepped) {
      const s = byId.get(id);
      if (!s) return failAll(`stepped scheduler \`${id}\` is not in the request`);
      stepped.push(s);
    }
  } else stepped = built.map((b) => b.sched).filter((s) => s.wrappedBy === undefined);

  for (const s of stepped) {
    if (s instanceof ReduceLROnPlateau) {
      const m = metricSeries(req, s.id);
      const at = specs.findIndex((x) => x.id === s.id);
      const label = labelOf(specs[at]);
      if (!m) {
        return failAll(`\`${label}\` (ReduceLROnPlateau) depends on the metric passed to step(); give a metric series to simulate it`, at);
      }
      if (m.length < N - 1) {
        notes.push(`the metric series for \`${label}\` has ${m.length} values; the trace stops after ${m.length + 1} steps`);
      }
      s.metrics = m;
    }
  }
  const effN = Math.min(
    N,
    ...stepped.filter((s): s is ReduceLROnPlateau => s instanceof ReduceLROnPlateau).map((s) => s.metrics!.length + 1),
  );

  const withMomentum = built.some((b) => b.sched.cyclesMomentum());
  const useBeta1 = built.some((b) => (b.sched as { useBeta1?: boolean }).useBeta1);
  const mArr = withMomentum ? (useBeta1 && opt.beta1 ? opt.beta1 : opt.momentum) : null;
  const multi = stepped.length > 1 ? stepped : [];
  rec.begin(opt.n, withMomentum && mArr !== null, multi);

  let error: ScheduleError | undefined;
  let steps = 0;
  const nS = stepped.length;
  const metricLimit = stepped.map((s) => (s instanceof ReduceLROnPlateau ? s.metrics!.length : Infinity));
  const G = opt.n;
  const lrNow = opt.lr;
  let current = -1;
  let j = 0;
  let i = 0;
  // One stepped scheduler with a tight loop: run it between the points that need the general path.
  const rebuild = req.rebuildEvery;
  if (rebuild !== undefined) {
    if (!Number.isInteger(rebuild) || rebuild < 1) return failAll(`rebuildEvery must be a positive integer, got ${String(rebuild)}`);
    if (stepped.some((s) => s instanceof ReduceLROnPlateau)) return failAll('a ReduceLROnPlateau built anew during the run is not simulated');
  }
  // Rebuilt schedulers are stepped one call at a time (the fast path would run past a rebuild).
  const solo = nS === 1 && !multi.length && rebuild === undefined && stepped[0].fastSteps ? stepped[0] : undefined;
  try {
    for (i = 0; i < effN; i++) {
      if (rebuild !== undefined && i > 0 && i % rebuild === 0) {
        // As the loop body runs the constructors again: on the optimizer's current lrs, with
        // `initial_lr` kept (group.setdefault), each new scheduler counting from 0.
        byId.clear();
        current = -1;
        specs.forEach((spec, k) => {
          built[k] = constructScheduler(spec, opt, env, byId);
          byId.set(spec.id, built[k].sched);
        });
        for (let k = 0; k < nS; k++) stepped[k] = byId.get(stepped[k].id)!;
      }
      if (solo) {
        const done = solo.fastSteps!(Math.min(rec.cap - j, effN - i), rec.lr, mArr ? rec.mom : null, mArr, j);
        if (done > 0) {
          i += done;
          j += done;
          steps = i;
          if (j === rec.cap) {
            rec.flush(j);
            j = 0;
          }
          i--; // the for loop's i++
          continue;
        }
      }
      const lrBuf = rec.lr;
      for (let g = 0; g < G; g++) lrBuf[g][j] = lrNow[g];
      if (mArr && rec.mom) for (let g = 0; g < G; g++) rec.mom[g][j] = mArr[g];
      steps = i + 1;
      if (++j === rec.cap) {
        rec.flush(j);
        j = 0;
      }
      for (let k = 0; k < nS; k++) {
        if (i >= metricLimit[k]) continue;
        current = k;
        stepped[k].step();
        if (multi.length && i + 1 < effN && i + 1 < materialise) rec.after(stepped[k], i + 1, opt);
      }
    }
  } catch (e) {
    if (e instanceof Refusal) return failAll(e.reason);
    if (!(e instanceof PyError)) throw e;
    error = toErr(e, 'step', stepped[current]?.id, i);
  }
  rec.flush(j);

  const schedulers: SchedulerOutcome[] = built.map((b, i) => {
    const id = specs[i].id;
    if (error && error.schedulerId === id) return { id, kind: b.kind, status: 'error' as const, error };
    const out: SchedulerOutcome = { id, kind: b.kind, status: 'ok' as const, exact: !b.sched.isInexact() };
    if (b.sched.wrappedBy !== undefined) out.wrappedBy = b.sched.wrappedBy;
    if (b.factory) out.factory = b.factory;
    return out;
  });
  const exact = built.every((b) => !b.sched.isInexact());
  return { ...base, steps, error, schedulers, exact };
}

/**
 * Simulates a request and materialises the traces (at most `maxSteps`, default 2,000,000
 * steps; the rest of the run is still simulated so that later errors are found).
 */
export function simulate(req: ScheduleRequest): ScheduleResult {
  const cap = Math.max(0, Math.min(req.maxSteps ?? DEFAULT_MAX_STEPS, typeof req.steps === 'number' ? req.steps : 0));
  let eff: GroupTrace[] = [];
  const per = new Map<Steppable, GroupTrace[]>();
  let stepsSeen = 0;
  const SCRATCH = 65536;
  const total = typeof req.steps === 'number' && req.steps > 0 ? req.steps : 0;
  /** Scratch buffers for the steps past the cap: no larger than what is left to simulate. */
  const scratch = (): number => Math.max(1, Math.min(SCRATCH, total - stepsSeen));
  let kept = 0;
  const rec: Recorder = {
    lr: [],
    mom: null,
    cap: 0,
    begin(n, withMomentum, multi) {
      const mk = (): GroupTrace[] =>
        Array.from({ length: n }, () => (withMomentum ? { lr: new Float64Array(cap), momentum: new Float64Array(cap) } : { lr: new Float64Array(cap) }));
      eff = mk();
      for (const s of multi) per.set(s, mk());
      if (cap > 0) {
        rec.lr = eff.map((t) => t.lr);
        rec.mom = withMomentum ? eff.map((t) => t.momentum!) : null;
        rec.cap = cap;
      } else {
        const size = scratch();
        rec.lr = Array.from({ length: n }, () => new Float64Array(size));
        rec.mom = withMomentum ? Array.from({ length: n }, () => new Float64Array(size)) : null;
        rec.cap = size;
      }
    },
    flush(count) {
      stepsSeen += count;
      if (rec.lr.length && rec.lr[0] === eff[0]?.lr) {
        kept = count;
        // past the cap: keep simulating (to find later errors) into scratch buffers
        const size = scratch();
        rec.lr = rec.lr.map(() => new Float64Array(size));
        rec.mom = rec.mom ? rec.mom.map(() => new Float64Array(size)) : null;
        rec.cap = size;
      }
    },
    after(s, i, opt) {
      const t = per.get(s);
      if (!t || i >= cap) return;
      for (let g = 0; g < t.length; g++) t[g].lr[i] = opt.lr[g];
    },
  };
  const out = run(req, rec, cap);
  for (const t of per.values()) for (let g = 0; g < t.length; g++) t[g].lr[0] = eff[g].lr[0];
  const trim = (ts: GroupTrace[]): GroupTrace[] =>
    ts.map((t) => (t.momentum ? { lr: t.lr.subarray(0, kept), momentum: t.momentum.subarray(0, kept) } : { lr: t.lr.subarray(0, kept) }));
  const effective = out.notSimulated ? [] : trim(eff);
  for (const s of out.schedulers) {
    if (s.status !== 'ok' || s.wrappedBy !== undefined) continue;
    const sched = [...per.keys()].find((k) => k.id === s.id);
    s.groups = sched ? trim(per.get(sched)!) : effective;
  }
  const result: ScheduleResult = {
    torch: out.torch,
    exact: out.exact,
    libm: out.libm.description,
    requestedSteps: req.steps,
    steps: kept,
    effective,
    schedulers: out.schedulers,
    notes: out.notes,
  };
  if (stepsSeen > cap) {
    result.capped = `traces hold the first ${cap.toLocaleString('en-US')} of ${stepsSeen.toLocaleString('en-US')} steps (all were simulated); use simulateStream for the rest`;
  }
  if (out.error) result.error = out.error;
  if (out.notSimulated) result.notSimulated = out.notSimulated;
  return result;
}

/**
 * Simulates a request of any length in constant memory, handing the effective values to
 * `onChunk` in chunks of `chunkSize` steps (the arrays are reused between calls: copy what you
 * keep). Returns the summary without traces.
 */
export function simulateStream(
  req: ScheduleRequest,
  onChunk: (chunk: ScheduleChunk) => void,
  opts: { chunkSize?: number } = {},
): StreamSummary {
  const size = Math.max(1, opts.chunkSize ?? 65536);
  let buf: GroupTrace[] = [];
  let start = 0;
  let fill = 0;
  const flush = () => {
    if (fill === 0) return;
    onChunk({
      start,
      groups: buf.map((t) => (t.momentum ? { lr: t.lr.subarray(0, fill), momentum: t.momentum.subarray(0, fill) } : { lr: t.lr.subarray(0, fill) })),
    });
    start += fill;
    fill = 0;
  };
  const rec: Recorder = {
    lr: [],
    mom: null,
    cap: size,
    begin(n, withMomentum) {
      buf = Array.from({ length: n }, () => (withMomentum ? { lr: new Float64Array(size), momentum: new Float64Array(size) } : { lr: new Float64Array(size) }));
      rec.lr = buf.map((t) => t.lr);
      rec.mom = withMomentum ? buf.map((t) => t.momentum!) : null;
    },
    flush(count) {
      fill = count;
      flush();
    },
    after() {
      /* per-scheduler traces are not streamed */
    },
  };
  const out = run(req, rec, 0);
  const summary: StreamSummary = {
    torch: out.torch,
    exact: out.exact,
    libm: out.libm.description,
    requestedSteps: req.steps,
    steps: out.steps,
    schedulers: out.schedulers,
    notes: out.notes,
  };
  if (out.error) summary.error = out.error;
  if (out.notSimulated) summary.notSimulated = out.notSimulated;
  return summary;
}

/** How messages name a scheduler of the request. */
function labelOf(spec: SchedulerSpec | undefined): string {
  return spec ? (spec.label ?? spec.id) : '?';
}
