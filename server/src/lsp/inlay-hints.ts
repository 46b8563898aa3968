/**
 * Inlay hints: the effective lr of each param group where the code does not write it
 * (`lr: 0.001 (default)`), and the lr a group really starts at when a scheduler's constructor
 * changes it (OneCycleLR starts at max_lr / div_factor; a scalar max_lr overwrites every
 * group's lr). Pure: plain hint objects, no LSP types.
 */
import type { SyntaxNode } from '../core/parsing';
import type { FileModel, OptimizerModel, ParamGroupModel, SchedulerModel } from '../core/model';
import { formatValue } from '../core/rules/helpers';
import { wrappedList } from '../core/schedule/loops';
import type { Position, Range } from '../core/types';
import { shortNumber } from './chart-svg';
import type { SchedulePreview } from './protocol';

export interface LrHint {
  position: Position;
  label: string;
  tooltip: string;
}

/** The first lr of each group after the scheduler's construction, from a one-step simulation. */
export type StartPreview = (s: SchedulerModel) => SchedulePreview | undefined;

export function lrInlayHints(input: { model: FileModel; range?: Range; startOf: StartPreview }): LrHint[] {
  const hints: LrHint[] = [];
  for (const opt of input.model.optimizers) {
    if (!opt.groups?.length) continue;
    const starts = startLrs(input.model, opt, input.startOf);
    for (const g of opt.groups) {
      const hint = groupHint(opt, g, starts);
      if (hint && (!input.range || within(hint.position, input.range))) hints.push(hint);
    }
  }
  return hints.sort((a, b) => a.position.line - b.position.line || a.position.character - b.position.character);
}

function groupHint(opt: OptimizerModel, g: ParamGroupModel, starts: { lrs: number[]; by: string; never: boolean } | undefined): LrHint | undefined {
  const lr = g.effective.get('lr');
  if (!lr) return undefined;
  const written = lr.source === 'group' || (lr.source === 'optimizer' && !g.dict);
  const parts: string[] = [];
  const tips: string[] = [];
  const text = formatValue(lr.value);
  if (!written && text) {
    parts.push(`lr: ${text} (${lr.source})`);
    tips.push(lr.source === 'default' ? `No lr is given: ${opt.className}'s default applies.` : `This group has no "lr" key: it takes the ${opt.className} constructor's lr.`);
  }
  const start = starts?.lrs[g.index];
  const current = lr.value.kind === 'number' ? lr.value.value : undefined;
  if (start !== undefined && Number.isFinite(start) && (current === undefined || !close(start, current))) {
    if (starts!.never) {
      parts.push(`→ stays at ${shortNumber(start)} (${starts!.by}, never stepped)`);
      tips.push(`Constructing ${starts!.by} sets this group's lr to ${start}, and nothing steps the scheduler afterwards: the whole run trains at that lr.`);
    } else {
      parts.push(`→ starts at ${shortNumber(start)} (${starts!.by})`);
      tips.push(`Constructing ${starts!.by} sets this group's lr to ${start} before the first step.`);
    }
  }
  if (!parts.length) return undefined;
  // After the written lr when there is one in this group or call; else after the group itself.
  const anchor: SyntaxNode = written && lr.node ? lr.node : g.dict ? g.node : (g.paramsNode ?? g.node);
  return { position: { line: anchor.endPosition.row, character: anchor.endPosition.column }, label: parts.join(' '), tooltip: tips.join(' ') };
}

/** The lrs right after the schedulers' construction, from the last top-level scheduler on the optimizer. */
function startLrs(model: FileModel, opt: OptimizerModel, startOf: StartPreview): { lrs: number[]; by: string; never: boolean } | undefined {
  const on = model.schedulers.filter((s) => s.optimizer === opt);
  if (!on.length) return undefined;
  const wrappedIds = new Set<number>();
  for (const s of on) for (const w of wrappedList(s)?.items ?? []) wrappedIds.add(w.id);
  const top = on.filter((s) => !wrappedIds.has(s.id));
  const s = top[top.length - 1];
  if (!s) return undefined;
  const p = startOf(s);
  if (!p || p.notSimulated || !p.groups.length) return undefined;
  return { lrs: p.groups.map((g) => g.start), by: s.calleeNode.text.split('.').pop() ?? s.className, never: !!p.neverStepped };
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

function within(p: Position, r: Range): boolean {
  if (p.line < r.start.line || p.line > r.end.line) return false;
  if (p.line === r.start.line && p.character < r.start.character) return false;
  if (p.line === r.end.line && p.character > r.end.character) return false;
  return true;
}
