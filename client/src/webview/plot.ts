/**
 * The plot view's script (runs in the webview, bundled with uPlot by esbuild). Draws every group's
 * lr; drag to zoom, double-click to reset, the legend shows the values under the cursor. Inputs
 * for the assumptions are sent back to the extension, which re-runs the simulation.
 */
import uPlot from 'uplot';
import { PALETTE, type PreviewAssumptions, type SchedulePreview, type WebviewMessage } from '../../../server/src/lsp/protocol';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  setState(state: unknown): void;
  getState(): unknown;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

let preview: SchedulePreview | undefined;
let plot: uPlot | undefined;
const argValues: Record<string, number> = {};

/** `1e-4`, `0.003`, `2.5e-5`: short, exact enough to read. */
function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e4) return String(Number(v.toPrecision(4)));
  return v.toExponential(3).replace(/\.?0+e/, 'e');
}

function stepsPerEpoch(): number {
  return Math.max(1, Number(($('stepsPerEpoch') as HTMLInputElement).value) || preview?.stepsPerEpoch || 1);
}

/** x values of the traces, in steps or epochs, whatever the trace's own unit. */
function xValues(p: SchedulePreview, inEpochs: boolean): number[] {
  const s = p.stepsPerEpoch;
  return Array.from({ length: p.steps }, (_, i) => (p.unit === 'step' ? (inEpochs ? i / s : i) : inEpochs ? i : i * s));
}

function render(): void {
  const p = preview;
  if (!p) return;
  $('title').textContent = `${p.title} = ${p.schedulerClass}(${p.optimizerLabel}, …)`;
  $('subtitle').textContent = `${p.groups.length} group${p.groups.length === 1 ? '' : 's'}, ${p.steps.toLocaleString('en-US')} ${p.unit === 'step' ? 'optimizer steps' : 'epochs'}${p.exact ? ', bit-identical to PyTorch' : ''}`;
  const message = $('message');
  message.className = '';
  message.textContent = '';
  if (p.notSimulated) {
    message.className = 'warn';
    message.textContent = `Not simulated: ${p.notSimulated}`;
  } else if (p.error) {
    message.className = 'error';
    message.textContent = `PyTorch raises: ${p.error}`;
  } else if (p.neverStepped) {
    message.className = 'warn';
    message.textContent = `Never stepped: ${p.neverStepped.replace(/`/g, '')}.`;
  }
  renderArgs(p);
  renderChart(p);
  renderSummary(p);
  const list = $('assumptions');
  list.replaceChildren();
  if (p.assumptions.length) {
    const h = document.createElement('h3');
    h.textContent = 'Assumed';
    const ul = document.createElement('ul');
    for (const a of [...p.assumptions, ...p.notes]) {
      const li = document.createElement('li');
      li.textContent = a.replace(/`/g, '');
      ul.append(li);
    }
    list.append(h, ul);
  }
  document.body.dataset.state = 'ready';
  document.body.dataset.groups = String(p.groups.length);
  document.body.dataset.steps = String(p.steps);
}

function renderArgs(p: SchedulePreview): void {
  ($('steps') as HTMLInputElement).value = String(p.steps);
  $('stepsUnit').textContent = p.unit === 'step' ? 'optimizer steps' : 'epochs';
  ($('stepsPerEpoch') as HTMLInputElement).value = String(p.stepsPerEpoch);
  // When the schedule itself takes steps_per_epoch, its own input below is the one to change.
  ($('stepsPerEpoch').parentElement as HTMLElement).hidden = p.inputs.some((i) => i.name === 'steps_per_epoch');
  const box = $('args');
  box.replaceChildren();
  for (const input of p.inputs) {
    const label = document.createElement('label');
    label.textContent = `${input.name} `;
    const field = document.createElement('input');
    field.type = 'number';
    field.dataset.arg = input.name;
    if (Number.isFinite(input.value)) field.value = String(input.value);
    field.title = input.assumed ? 'Not known statically: assumed' : '';
    field.addEventListener('change', () => {
      const v = Number(field.value);
      if (Number.isFinite(v)) argValues[input.name] = v;
      else delete argValues[input.name];
      send();
    });
    label.append(field);
    box.append(label);
  }
}

function renderChart(p: SchedulePreview): void {
  const host = $('chart');
  plot?.destroy();
  plot = undefined;
  host.replaceChildren();
  if (!p.groups.length || !p.steps) return;
  const inEpochs = ($('xEpochs') as HTMLInputElement).checked;
  const logY = ($('logY') as HTMLInputElement).checked;
  const xs = xValues(p, inEpochs);
  const data: uPlot.AlignedData = [xs, ...p.groups.map((g) => (logY ? g.lr.map((v) => (v > 0 ? v : null)) : g.lr))];
  const stepped = p.unit === 'epoch' && !inEpochs ? uPlot.paths.stepped?.({ align: 1 }) : undefined;
  const opts: uPlot.Options = {
    width: Math.max(320, host.clientWidth || 640),
    height: 320,
    scales: { x: { time: false }, y: { distr: logY ? 3 : 1 } },
    axes: [
      { label: inEpochs ? 'epoch' : 'optimizer step', stroke: 'currentColor' },
      { label: 'lr', stroke: 'currentColor', size: 70, values: (_u, vals) => vals.map((v) => fmt(v)) },
    ],
    series: [
      { label: inEpochs ? 'epoch' : 'step', value: (_u, v) => (v === null ? '–' : inEpochs ? fmt(v) : String(Math.round(v))) },
      ...p.groups.map((g, k) => ({
        label: g.label,
        stroke: PALETTE[k % PALETTE.length],
        width: 1.5,
        paths: stepped,
        value: (_u: uPlot, v: number | null) => fmt(v),
      })),
    ],
    cursor: { drag: { x: true, y: false } },
  };
  plot = new uPlot(opts, data, host);
}

function renderSummary(p: SchedulePreview): void {
  const table = $('summary') as HTMLTableElement;
  table.replaceChildren();
  if (!p.groups.length) return;
  const unit = p.unit === 'step' ? 'step' : 'epoch';
  const head = table.createTHead().insertRow();
  for (const h of ['group', 'start', 'peak', 'end']) {
    const th = document.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  const body = table.createTBody();
  p.groups.forEach((g, k) => {
    const row = body.insertRow();
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = PALETTE[k % PALETTE.length];
    const name = row.insertCell();
    name.append(swatch, document.createTextNode(g.label));
    row.insertCell().textContent = fmt(g.start);
    row.insertCell().textContent = `${fmt(g.peak)} (${unit} ${g.peakAt})`;
    row.insertCell().textContent = fmt(g.end);
  });
}

function send(): void {
  const steps = Number(($('steps') as HTMLInputElement).value);
  const assumptions: PreviewAssumptions = { args: { ...argValues } };
  if (preview && stepsPerEpoch() !== preview.stepsPerEpoch) assumptions.stepsPerEpoch = stepsPerEpoch();
  // The run length is an assumption only once the user changes it.
  if (Number.isFinite(steps) && steps > 0 && steps !== preview?.steps) assumptions.steps = steps;
  document.body.dataset.state = 'loading';
  vscode.postMessage({ type: 'assumptions', assumptions });
}

window.addEventListener('message', (event: MessageEvent<WebviewMessage>) => {
  const m = event.data;
  if (m.type === 'preview') {
    preview = m.preview;
    render();
  } else if (m.type === 'error') {
    const message = $('message');
    message.className = 'error';
    message.textContent = m.message;
    document.body.dataset.state = 'error';
  }
});

$('steps').addEventListener('change', send);
$('stepsPerEpoch').addEventListener('change', send);
$('xEpochs').addEventListener('change', () => preview && renderChart(preview));
$('logY').addEventListener('change', () => preview && renderChart(preview));
new ResizeObserver(() => {
  if (plot) plot.setSize({ width: Math.max(320, $('chart').clientWidth), height: 320 });
}).observe($('chart'));
vscode.postMessage({ type: 'ready' });
