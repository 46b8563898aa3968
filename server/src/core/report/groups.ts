import { countParams, type FileModel, type OptimizerModel, type ParamGroupModel, type SchedulerModel, type Value } from '../model';
import { formatValue } from '../rules/helpers';

/** A hyperparameter as shown to users: its value (null when unknown) and where it comes from. */
export interface ShownValue {
  value: number | string | boolean | null | Array<number | string | boolean | null>;
  /** Python-style text (`0.001`, `(0.9, 0.999)`), or `?` when unknown. */
  text: string;
  source: 'group' | 'optimizer' | 'default';
}

export interface GroupSummary {
  index: number;
  /** 0-based line of the group (its dict, or the params argument). */
  line: number;
  /** What the group is built from: `model[0]`, `model (filtered: p.ndim < 2)`. */
  sources: string[];
  /** Parameter tensors, when the group's content is known. */
  tensors: number | null;
  /** Scalar parameter count, when every tensor's size is known. */
  params: number | null;
  exact: boolean;
  hyperparameters: Record<string, ShownValue>;
  addedLater: boolean;
  /**
   * When the run may lack this group or have it several times, that and why (`may be missing:
   * added only if \`args.aux\``); null when it is surely there once.
   */
  mayBeMissing: string | null;
}

export interface OptimizerSummary {
  className: string;
  variable: string | null;
  /** 0-based position of the constructor call. */
  line: number;
  character: number;
  groups: GroupSummary[] | null;
  /**
   * `groups` are all the optimizer has in every run: false when code that may not run adds some
   * (`if args.aux_loss: groups.append(...)`) or more may be added in ways the file does not show.
   */
  complete: boolean;
  /** `[g['lr'] for g in optimizer.param_groups]` as the optimizer is built, with null where unknown. */
  lrs: Array<number | null> | null;
  /**
   * The schedulers built on this optimizer: from each one's construction on, the groups' lr is
   * the schedule's (LinearLR multiplies it by start_factor at once, OneCycleLR sets
   * max_lr / div_factor), not `lrs`.
   */
  schedulers: Array<{ className: string; variable: string | null; line: number }>;
}

/** The hyperparameters worth showing for every optimizer, in this order, when the class has them. */
export const SHOWN_KEYS = ['lr', 'weight_decay', 'momentum', 'betas', 'eps'];

/** What `optlint groups` and the editor's hover show for each optimizer of a file. */
export function summariseOptimizers(model: FileModel): OptimizerSummary[] {
  return model.optimizers.map((opt) => summariseOptimizer(opt, model.schedulers));
}

export function summariseOptimizer(opt: OptimizerModel, schedulers: SchedulerModel[] = []): OptimizerSummary {
  const groups = opt.groups?.map(summariseGroup) ?? null;
  return {
    className: opt.className,
    variable: opt.variable ?? null,
    line: opt.call.startPosition.row,
    character: opt.call.startPosition.column,
    groups,
    complete: opt.groupsComplete,
    lrs: groups && opt.groupsComplete ? groups.map((g) => (typeof g.hyperparameters.lr?.value === 'number' ? g.hyperparameters.lr.value : null)) : null,
    schedulers: schedulers.filter((s) => s.optimizer === opt).map((s) => ({ className: s.className, variable: s.variable ?? null, line: s.call.startPosition.row })),
  };
}

function summariseGroup(g: ParamGroupModel): GroupSummary {
  const hyperparameters: Record<string, ShownValue> = {};
  for (const key of SHOWN_KEYS) {
    const e = g.effective.get(key);
    if (!e) continue;
    hyperparameters[key] = { value: plain(e.value), text: formatValue(e.value) ?? '?', source: e.source };
  }
  const sources = g.selections.map((s) => (s.leaf ? s.expr : s.filter ? `${s.expr} (filtered: ${s.filter.text})` : s.expr));
  let params: number | null = null;
  if (g.params?.exact) {
    const sizes = g.params.leaves.map((l) => l.leaf.numel);
    if (sizes.every((n) => n !== undefined)) params = sizes.reduce<number>((a, b) => a + (b ?? 0), 0);
    else if (g.selections.length && g.selections.every((s) => !s.filter && !s.leaf)) {
      const counts = g.selections.map((s) => countParams(s.root));
      if (counts.every((c) => c !== undefined)) params = counts.reduce<number>((a, b) => a + (b ?? 0), 0);
    }
  }
  return {
    index: g.index,
    line: g.node.startPosition.row,
    sources,
    tensors: g.params?.exact ? g.params.leaves.length : null,
    params,
    exact: g.params?.exact ?? false,
    hyperparameters,
    addedLater: g.added ?? false,
    mayBeMissing: g.mayBeMissing ?? null,
  };
}

function plain(v: Value): ShownValue['value'] {
  switch (v.kind) {
    case 'number':
    case 'string':
    case 'bool':
      return v.value;
    case 'none':
      return null;
    case 'list':
      return v.exact && v.items.every((i) => i.kind === 'number' || i.kind === 'string' || i.kind === 'bool')
        ? v.items.map((i) => (i as { value: number | string | boolean }).value)
        : null;
    default:
      return null;
  }
}

