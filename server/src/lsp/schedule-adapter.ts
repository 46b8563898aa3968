/**
 * The editor's view of the simulator's per-file entry point (`planFileSchedules` / `runPlan` in
 * core/schedule/file.ts): finds the schedule a scheduler belongs to, applies the preview's
 * settings and the plot view's inputs as assumptions, and turns the result into the
 * `SchedulePreview` the hover, the plot view and the inlay hints show. Pure: no LSP types.
 */
import type { SyntaxNode } from '../core/parsing';
import type { FileModel, OptimizerModel, SchedulerModel } from '../core/model';
import { formatNumber } from '../core/rules/helpers';
import { DEFAULT_EPOCHS, DEFAULT_RUN_STEPS, DEFAULT_STEPS_PER_EPOCH, planFileSchedules, runPlan, type FileSchedule, type SchedulePlan, type TorchVersion } from '../core/schedule';
import type { PreviewAssumptions, PreviewGroup, SchedulePreview } from './protocol';

export interface PreviewSettings {
  previewSteps: number;
  previewStepsPerEpoch: number;
  torchVersion: TorchVersion;
}

export interface PreviewInput {
  root: SyntaxNode;
  text: string;
  model: FileModel;
  scheduler: SchedulerModel;
  settings: PreviewSettings;
  /** From the plot view: run length and values for the assumed quantities. */
  assumptions?: PreviewAssumptions;
  /** Only the values right after construction are needed (inlay hints). */
  initialOnly?: boolean;
  /** Values kept per group (the rest of a longer run is still simulated). */
  maxSteps?: number;
  /** Plans of this file by options, shared between calls for the same document version. */
  planCache?: Map<string, SchedulePlan[]>;
}

/** The scheduler whose constructor call contains the position (innermost first). */
export function schedulerAt(model: FileModel, line: number, character: number): SchedulerModel | undefined {
  const inside = model.schedulers.filter((s) => contains(s.call, line, character));
  inside.sort((a, b) => b.call.startIndex - a.call.startIndex);
  return inside[0];
}

export function contains(node: SyntaxNode, line: number, character: number): boolean {
  const s = node.startPosition;
  const e = node.endPosition;
  if (line < s.row || line > e.row) return false;
  if (line === s.row && character < s.column) return false;
  if (line === e.row && character > e.column) return false;
  return true;
}

/** A short name for a scheduler: its variable, else its class. */
export function schedulerLabel(s: SchedulerModel): string {
  return s.variable ?? s.className.split('.').pop() ?? s.className;
}

export function optimizerLabel(o: OptimizerModel): string {
  return o.variable ?? o.calleeNode.text;
}

/** The plan a scheduler's values come from: its own, or that of the SequentialLR/ChainedScheduler wrapping it. */
function planFor(plans: SchedulePlan[], s: SchedulerModel): SchedulePlan | undefined {
  return plans.find((p) => p.scheduler === s) ?? plans.find((p) => p.chain.includes(s));
}

/**
 * Simulates the schedule a scheduler belongs to. Settings apply where the file and the plot view
 * leave a quantity at the simulator's default; the plot view's values win over everything.
 */
export function previewScheduler(input: PreviewInput): SchedulePreview | undefined {
  const { root, text, model, scheduler, settings } = input;
  const a = input.assumptions ?? {};
  const assume: Record<string, number> = { ...(a.args ?? {}) };
  if (a.stepsPerEpoch && a.stepsPerEpoch > 0) assume.steps_per_epoch = Math.round(a.stepsPerEpoch);
  const torchVersion = settings.torchVersion;
  const steps = a.steps && a.steps > 0 ? Math.round(a.steps) : undefined;
  const plans = (assume: Record<string, number>, steps: number | undefined): SchedulePlan[] => {
    const key = JSON.stringify([assume, steps ?? null, torchVersion]);
    let p = input.planCache?.get(key);
    if (!p) {
      p = planFileSchedules({ model, root, text, assume, steps, torchVersion });
      input.planCache?.set(key, p);
    }
    return p;
  };
  let plan = planFor(plans(assume, steps), scheduler);
  if (!plan) return undefined;

  // The settings replace the simulator's own defaults, never a value the file or the view gives.
  const again: Record<string, number> = { ...assume };
  let againSteps = steps;
  const src = plan.schedule.assumptionSources;
  if (settings.previewStepsPerEpoch !== DEFAULT_STEPS_PER_EPOCH && src.steps_per_epoch?.startsWith('default') && assume.steps_per_epoch === undefined) {
    again.steps_per_epoch = settings.previewStepsPerEpoch;
  }
  if (settings.previewSteps !== DEFAULT_RUN_STEPS && plan.stepsFrom === 'default' && steps === undefined) {
    const spe = again.steps_per_epoch ?? plan.schedule.stepsPerEpoch ?? DEFAULT_STEPS_PER_EPOCH;
    againSteps = plan.schedule.xAxis === 'steps' ? settings.previewSteps : Math.max(1, Math.ceil(settings.previewSteps / spe));
  }
  if (againSteps !== steps || Object.keys(again).length !== Object.keys(assume).length) {
    plan = planFor(plans(again, againSteps), scheduler) ?? plan;
  }

  const run = input.initialOnly && plan.request ? runPlan({ ...plan, request: { ...plan.request, steps: 1 } }, 1) : runPlan(plan, input.maxSteps ?? 2_000_000);
  return toPreview(plan, run, settings);
}

function toPreview(plan: SchedulePlan, s: FileSchedule, settings: PreviewSettings): SchedulePreview {
  const top = plan.scheduler;
  const unit = s.xAxis === 'steps' ? 'step' : 'epoch';
  const groups = s.groups.map((g, i) => summariseTrace(`${i}: ${g.label ?? `group ${i}`}`, g.lr));
  const assumptions: string[] = [];
  const inputs: SchedulePreview['inputs'] = [];
  for (const [key, value] of Object.entries(s.assumptions)) {
    const raw = s.assumptionSources[key] ?? 'assumed';
    // The CLI's `--assume` is the preview's input here.
    const source = raw === '--assume' ? 'set in the preview' : raw;
    assumptions.push(`${key} = ${typeof value === 'number' ? fmt(value) : value} (${source})`);
    if (typeof value === 'number') inputs.push({ name: key, value, assumed: true });
  }
  if (plan.stepsFrom === 'default' || plan.stepsFrom === 'given') {
    assumptions.push(`a run of ${s.steps.toLocaleString('en-US')} ${unit}s (${plan.stepsFrom === 'given' ? 'set in the preview' : 'nothing in the file fixes its length'})`);
  }
  const [unitReason = '', ...notes] = s.notes;
  const preview: SchedulePreview = {
    title: schedulerLabel(top),
    schedulerClass: s.kind,
    optimizerLabel: top.optimizer ? optimizerLabel(top.optimizer) : (plan.chain.find((c) => c.optimizer)?.optimizer?.variable ?? '?'),
    line: s.line,
    character: s.character,
    unit,
    unitReason,
    stepsPerEpoch: s.stepsPerEpoch ?? settings.previewStepsPerEpoch,
    steps: groups[0]?.lr.length ?? 0,
    groups,
    assumed: Object.entries(s.assumptions)
      .filter(([, v]) => typeof v === 'number')
      .map(([name, value]) => ({ scheduler: schedulerLabel(top), name, value: value as number, source: name, reason: s.assumptionSources[name] ?? '' })),
    assumptions,
    exact: s.exact,
    notes,
    inputs,
  };
  if (s.children.length) preview.notes.unshift(`wraps ${s.children.map((c) => `${c.variable ?? c.kind} (line ${c.line + 1})`).join(', ')}`);
  if (plan.stepping.never) preview.neverStepped = unitReason;
  if (s.notSimulated) preview.notSimulated = s.notSimulated;
  if (s.error) {
    const e = s.error;
    const message = settings.torchVersion === '1.13' && e.message113 ? e.message113 : e.message;
    const where = e.phase === 'construction' ? 'the constructor' : `\`.step()\` at step ${e.step}`;
    preview.error = `${where} raises ${e.type}: ${message}`;
  }
  return preview;
}

export function summariseTrace(label: string, lr: ArrayLike<number>): PreviewGroup {
  let peak = -Infinity;
  let peakAt = 0;
  const values = Array.from(lr);
  for (let i = 0; i < values.length; i++) {
    if (values[i] > peak) {
      peak = values[i];
      peakAt = i;
    }
  }
  return { label, lr: values, start: values[0] ?? NaN, peak: values.length ? peak : NaN, peakAt, end: values[values.length - 1] ?? NaN };
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : formatNumber(v);
}

export { DEFAULT_EPOCHS };
