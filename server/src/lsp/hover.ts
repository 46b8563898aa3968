/**
 * Hover: on an optimizer's constructor, a table of its param groups (what each holds, parameter
 * counts where known, lr / weight decay / momentum or betas, and where each value comes from); on
 * a scheduler's constructor, a chart of every group's lr over the simulated steps with start,
 * peak and end, and the assumptions the simulation made. Pure: markdown out, no LSP types.
 */
import type { FileModel, OptimizerModel, SchedulerModel } from '../core/model';
import { summariseOptimizer, type ShownValue } from '../core/report/groups';
import { nodeRange } from '../core/text';
import type { Range } from '../core/types';
import { renderChartSvg, shortNumber, svgDataUri } from './chart-svg';
import type { SchedulePreview } from './protocol';
import { contains, optimizerLabel, schedulerLabel } from './schedule-adapter';

export interface HoverContent {
  markdown: string;
  range: Range;
}

/** The optimizer or scheduler whose callee (`torch.optim.SGD`, `OneCycleLR`) is under the position. */
export function hoverTarget(model: FileModel, line: number, character: number): { optimizer: OptimizerModel } | { scheduler: SchedulerModel } | undefined {
  const opt = model.optimizers.find((o) => contains(o.calleeNode, line, character));
  if (opt) return { optimizer: opt };
  const s = model.schedulers.find((x) => contains(x.calleeNode, line, character));
  if (s) return { scheduler: s };
  return undefined;
}

const COLUMNS: Array<[string, string]> = [
  ['lr', 'lr'],
  ['weight_decay', 'weight decay'],
  ['momentum', 'momentum'],
  ['betas', 'betas'],
];

export function optimizerHover(opt: OptimizerModel): HoverContent {
  const s = summariseOptimizer(opt);
  const lines: string[] = [];
  const name = s.variable ? `\`${s.variable}\` = ` : '';
  if (!s.groups) {
    lines.push(`${name}**${opt.calleeNode.text}**: the param groups are not known statically.`);
    return { markdown: lines.join('\n'), range: nodeRange(opt.calleeNode) };
  }
  const n = s.groups.length;
  lines.push(`${name}**${opt.calleeNode.text}**: ${n} param group${n === 1 ? '' : 's'}${opt.groupsComplete ? '' : ' (more may be added at run time)'}`);
  lines.push('');
  const cols = COLUMNS.filter(([k]) => s.groups!.some((g) => g.hyperparameters[k]));
  lines.push(`| group | holds | params | ${cols.map(([, t]) => t).join(' | ')} |`);
  lines.push(`|---|---|--:|${cols.map(() => '---').join('|')}|`);
  for (const g of s.groups) {
    const holds = g.sources.length ? g.sources.map((x) => `\`${escapeCell(x)}\``).join(', ') : '?';
    const count = g.params !== null ? g.params.toLocaleString('en-US') : g.tensors !== null ? `${g.tensors} tensors` : '?';
    const values = cols.map(([k]) => cell(g.hyperparameters[k]));
    lines.push(`| ${g.index}${g.addedLater ? ' (added later)' : ''}${g.mayBeMissing ? ' (may be missing)' : ''} | ${holds} | ${count} | ${values.join(' | ')} |`);
  }
  lines.push('');
  lines.push('Values in *italics* are not written in the group: *(optimizer)* comes from the constructor’s argument, *(default)* is the class default.');
  return { markdown: lines.join('\n'), range: nodeRange(opt.calleeNode) };
}

function cell(v: ShownValue | undefined): string {
  if (!v) return '';
  const text = escapeCell(v.text);
  if (v.source === 'group') return text;
  return `*${text} (${v.source})*`;
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function schedulerHover(s: SchedulerModel, preview: SchedulePreview | undefined): HoverContent {
  const lines: string[] = [];
  const opt = s.optimizer ? ` on \`${optimizerLabel(s.optimizer)}\`` : '';
  lines.push(`\`${schedulerLabel(s)}\` = **${s.calleeNode.text}**${opt}`);
  lines.push('');
  if (!preview) {
    lines.push('Not simulated: no schedule was planned for this scheduler.');
    return { markdown: lines.join('\n'), range: nodeRange(s.calleeNode) };
  }
  if (preview.notSimulated) {
    lines.push(`Not simulated: ${preview.notSimulated}.`);
  } else if (!preview.groups.length || preview.steps === 0) {
    lines.push(preview.error ? `PyTorch raises: ${preview.error}` : 'No steps were simulated.');
  } else {
    if (preview.neverStepped) lines.push(`**Never stepped:** ${preview.neverStepped}.`, '');
    const unit = preview.unit === 'step' ? 'optimizer step' : 'epoch';
    const svg = renderChartSvg(
      preview.groups.map((g) => ({ label: g.label, values: g.lr })),
      { xLabel: preview.unit === 'step' ? 'optimizer step' : 'epoch' },
    );
    lines.push(`![lr of every param group over ${preview.steps} ${unit}s](${svgDataUri(svg)})`);
    lines.push('');
    lines.push(`| group | start | peak | end |`);
    lines.push(`|---|--:|--:|--:|`);
    for (const g of preview.groups) {
      lines.push(`| ${escapeCell(g.label)} | ${shortNumber(g.start)} | ${shortNumber(g.peak)} (${unit} ${g.peakAt}) | ${shortNumber(g.end)} |`);
    }
    lines.push('');
    lines.push(`${preview.steps.toLocaleString('en-US')} ${unit}s simulated${preview.exact ? ', bit-identical to PyTorch' : ''}.`);
    if (preview.error) lines.push(`\n**PyTorch raises:** ${preview.error}`);
  }
  if (preview.assumptions.length) {
    lines.push('');
    lines.push('Assumed:');
    for (const a of preview.assumptions) lines.push(`- ${a}`);
  }
  for (const note of preview.notes) lines.push(`\n_${note}_`);
  return { markdown: lines.join('\n'), range: nodeRange(s.calleeNode) };
}
