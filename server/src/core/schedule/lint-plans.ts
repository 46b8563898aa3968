/**
 * What the scheduler rules (OPT3xx) share: the file's schedule plans and a short simulation of
 * each, computed once per model however many rules ask.
 */
import type { FileModel, SchedulerModel } from '../model';
import { planFileSchedules, type SchedulePlan } from './file';
import { simulate } from './index';
import { syntaxRoot } from '../text';
import type { ScheduleRequest, ScheduleResult } from './types';

/** Steps a lint run simulates at most (to find errors such as OneCycleLR stepped past its end). */
export const LINT_MAX_STEPS = 200_000;

/** The plans of the file's schedulers (none when the model has no scheduler). */
export function lintPlans(model: FileModel): SchedulePlan[] {
  let plans = model.lint.plans;
  if (plans) return plans;
  plans = model.schedulers.length ? planFile(model, model.schedulers[0]) : [];
  model.lint.plans = plans;
  return plans;
}

/**
 * The plan of `scheduler` (one the file's lint plans hold) with other values for some assumed
 * quantities, to tell whether a finding holds whatever they are. Not cached: for the rare candidates.
 */
export function planWith(model: FileModel, scheduler: SchedulerModel, assume: Record<string, number>): SchedulePlan | undefined {
  return planFile(model, scheduler, assume).find((p) => p.scheduler === scheduler);
}

/** The file's plans (the file found from one of its schedulers); none when planning fails. */
function planFile(model: FileModel, scheduler: SchedulerModel, assume?: Record<string, number>): SchedulePlan[] {
  try {
    return planFileSchedules({ model, root: syntaxRoot(scheduler.call), text: '', torchVersion: model.torchVersion, assume });
  } catch {
    // A rule must never take the whole file's diagnostics down: no plans, no findings.
    return [];
  }
}

/** Simulates each of the file's plans (what OPT301 reads), ahead of the rules. */
export function prepareLintResults(model: FileModel): void {
  for (const plan of lintPlans(model)) lintResult(model, plan);
}

/** Plans the file's schedulers, ahead of the rules that read the plans. */
export function prepareLintPlans(model: FileModel): void {
  lintPlans(model);
}

/**
 * A simulation a rule asks for beyond the shared ones: undefined when the request cannot be
 * simulated, or PyTorch would raise (the scheduler rules report errors from `lintResult`).
 */
export function simulateForRule(request: ScheduleRequest): ScheduleResult | undefined {
  try {
    const result = simulate(request);
    return result.error || result.notSimulated ? undefined : result;
  } catch {
    return undefined;
  }
}

/** The request without `verbose=` (reported on its own), so the other errors still show. */
function withoutVerbose(req: ScheduleRequest): ScheduleRequest {
  return {
    ...req,
    schedulers: req.schedulers.map((s) => {
      if (!s.kwargs || !('verbose' in s.kwargs)) return s;
      const kwargs = { ...s.kwargs };
      delete kwargs.verbose;
      return { ...s, kwargs };
    }),
  };
}

/**
 * The plan simulated for errors (values are not kept); null when not simulated. Runs longer than
 * {@link LINT_MAX_STEPS} are not simulated past it.
 */
export function lintResult(model: FileModel, plan: SchedulePlan): ScheduleResult | null {
  const results = (model.lint.results ??= new Map());
  if (results.has(plan)) return results.get(plan)!;
  let out: ScheduleResult | null = null;
  if (plan.request) {
    try {
      const req = withoutVerbose(plan.request);
      // Errors past the first step are only reported where the loops fix the run's length.
      const st = plan.stepping;
      const judged = plan.stepsFrom === 'loops' && st.clear && !st.conditional && plan.stepsTaint.size === 0;
      out = simulate({ ...req, steps: judged ? Math.min(req.steps, LINT_MAX_STEPS) : Math.min(req.steps, 1), maxSteps: 1 });
    } catch {
      out = null;
    }
  }
  results.set(plan, out);
  return out;
}
