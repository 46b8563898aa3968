/**
 * The extension's integration scenarios, written once against a small `Driver` interface so the
 * same bodies run in both harnesses: inside VS Code's extension host through the `vscode` API
 * (@vscode/test-electron, test/extension/suite.ts) and through the real workbench UI of
 * code-server in Chromium (playwright-core, test/e2e/run.ts).
 *
 * No top-level side effects: `node --test out/test/` loads this file too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ProblemRow {
  code: string;
  message: string;
}

export interface HoverContent {
  text: string;
  /** `src` of the images in the hover (the scheduler chart is a data URI). */
  images: string[];
}

export interface PlotState {
  groups: number;
  steps: number;
  /** The title the plot view shows. */
  title: string;
}

export interface Driver {
  readonly name: string;
  /** The workspace folder the editor has open (the scenarios' files are copied there). */
  readonly workspace: string;
  open(file: string): Promise<void>;
  /** Waits until the editor shows diagnostics with all these codes for the file. */
  problems(file: string, codes: string[]): Promise<ProblemRow[]>;
  /** Applies the quick fix with this title at a position, through the editor's code action UI/API. */
  quickFix(file: string, at: { line: number; character: number }, title: string): Promise<void>;
  save(file: string): Promise<void>;
  hover(file: string, at: { line: number; character: number }): Promise<HoverContent>;
  /** Runs the code lens with this title on the given line. */
  codeLens(file: string, line: number, title: string): Promise<void>;
  /** Waits for the plot view to show a schedule. */
  plot(): Promise<PlotState>;
  screenshot(name: string): Promise<void>;
}

export interface Scenario {
  name: string;
  run(d: Driver): Promise<void>;
}

/** Samples the scenarios open; the harness copies them into the workspace. */
export const SAMPLE_FILES = ['quiz_differential_lr.py', 'onecycle_per_batch.py', 'resnet18_finetune.py'];

/** Copies the samples into a fresh workspace folder. */
export function prepareWorkspace(repo: string, workspace: string): void {
  fs.rmSync(workspace, { recursive: true, force: true });
  fs.mkdirSync(workspace, { recursive: true });
  for (const f of SAMPLE_FILES) fs.copyFileSync(path.join(repo, 'samples', f), path.join(workspace, f));
}

export function positionIn(text: string, needle: string, delta = 0): { line: number; character: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`'${needle}' not found`);
  const before = text.slice(0, at + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}

function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

const read = (d: Driver, f: string): string => fs.readFileSync(path.join(d.workspace, f), 'utf8');

export const scenarios: Scenario[] = [
  {
    name: 'diagnostics appear in the Problems panel',
    async run(d) {
      await d.open('quiz_differential_lr.py');
      const rows = await d.problems('quiz_differential_lr.py', ['OPT101', 'OPT102']);
      check(rows.some((r) => r.code === 'OPT101' && /is `nn\.ReLU`, which has no parameters/.test(r.message)), `OPT101 row: ${JSON.stringify(rows)}`);
      check(rows.some((r) => r.code === 'OPT102' && /in no parameter group/.test(r.message)), `OPT102 row: ${JSON.stringify(rows)}`);
      await d.screenshot('problems');
    },
  },
  {
    name: 'a quick fix changes the file on disk as expected',
    async run(d) {
      const file = 'quiz_differential_lr.py';
      const before = read(d, file);
      await d.open(file);
      await d.problems(file, ['OPT101']);
      const lines = before.split('\n');
      // The code line, not the docstring's copy of it above.
      let line = -1;
      lines.forEach((l, i) => {
        if (l.includes("{'params': model[1].parameters(), 'lr': 0.01}")) line = i;
      });
      check(line > 20, 'the OPT101 line');
      await d.quickFix(file, { line, character: lines[line].indexOf('model[1]') + 2 }, 'Use `model[2]` (OPT101)');
      await d.save(file);
      const expected = [...lines];
      expected[line] = expected[line].replace('model[1]', 'model[2]');
      const deadline = Date.now() + 20_000;
      let after = read(d, file);
      while (after !== expected.join('\n') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        after = read(d, file);
      }
      check(after === expected.join('\n'), `the file on disk after the fix:\n${after.split('\n')[line]}`);
      await d.screenshot('quickfix');
    },
  },
  {
    name: 'hovering a scheduler shows the LR chart',
    async run(d) {
      const file = 'onecycle_per_batch.py';
      const text = read(d, file);
      await d.open(file);
      const h = await d.hover(file, positionIn(text, 'scheduler = OneCycleLR(', 14));
      check(h.images.some((src) => src.startsWith('data:image/svg+xml')), `an SVG chart image in the hover: ${JSON.stringify(h.images.map((s) => s.slice(0, 40)))}`);
      check(/model\.encoder/.test(h.text) && /peak/.test(h.text), `start/peak/end table in the hover: ${h.text.slice(0, 300)}`);
    },
  },
  {
    name: 'hovering an optimizer shows its groups',
    async run(d) {
      const file = 'resnet18_finetune.py';
      const text = read(d, file);
      await d.open(file);
      await d.problems(file, []);
      const h = await d.hover(file, positionIn(text, 'torch.optim.SGD(', 13));
      check(/7 param groups/.test(h.text), `the group table: ${h.text.slice(0, 300)}`);
      check(/model\.layer4/.test(h.text) && /momentum/.test(h.text), `rows and columns: ${h.text.slice(0, 400)}`);
    },
  },
  {
    name: 'the code lens opens the LR schedule plot view',
    async run(d) {
      const file = 'onecycle_per_batch.py';
      const text = read(d, file);
      await d.open(file);
      await d.codeLens(file, positionIn(text, 'scheduler = OneCycleLR(').line, 'Preview LR schedule');
      const p = await d.plot();
      check(p.groups === 2, `two groups plotted: ${JSON.stringify(p)}`);
      check(p.steps === 200, `200 steps (2 epochs x 100 assumed steps per epoch): ${JSON.stringify(p)}`);
      await d.screenshot('plot');
    },
  },
];

/** Runs every scenario; returns [name, error?] per scenario, never throws. */
export async function runScenarios(d: Driver, log: (line: string) => void, only?: RegExp): Promise<Array<[string, Error | undefined]>> {
  const results: Array<[string, Error | undefined]> = [];
  for (const s of scenarios) {
    if (only && !only.test(s.name)) continue;
    const t0 = Date.now();
    try {
      await s.run(d);
      results.push([s.name, undefined]);
      log(`PASS ${s.name} (${d.name}, ${Date.now() - t0} ms)`);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      results.push([s.name, error]);
      log(`FAIL ${s.name} (${d.name}): ${error.message}`);
      await d.screenshot(`failed-${s.name.replace(/\W+/g, '-')}`).catch(() => undefined);
    }
  }
  return results;
}
