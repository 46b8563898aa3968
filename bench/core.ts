import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { LINT_BATCH, lintSource, lintSources, mayMatter } from '../server/src/core/lint';
import { initParser } from '../server/src/core/parsing';
import { rules } from '../server/src/core/rules';
import { generateCorpus } from './corpus';

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const STAGE_LABELS: Record<string, string> = {
  parse: 'parse, read node records',
  model: 'model (modules, optimizers, ...)',
  prepareLintPlans: 'schedule plans',
  prepareLintResults: 'schedule simulation',
  rules: 'rules',
};

/** A preparation stage's label, with the rules that ask for it (`schedule plans (OPT301, OPT303, ...)`). */
function stageLabel(stage: string): string {
  const users = rules.filter((r) => r.prepare?.some((p) => p.name === stage)).map((r) => r.code);
  const label = STAGE_LABELS[stage] ?? stage;
  return users.length ? `${label} (${users.join(', ')})` : label;
}

/**
 * Where the batched check's time goes, stage by stage, with a bar against the
 * parse-only time: at the 1.5x target everything after parsing fits in half a parse.
 */
function printStages(runs: Array<Map<string, number>>, parseMs: number): void {
  console.log(`  by stage (median of ${runs.length} runs; one block = 5% of parse-only):`);
  let analysis = 0;
  for (const stage of runs[0].keys()) {
    const ms = median(runs.map((r) => r.get(stage) ?? 0));
    if (stage !== 'parse') analysis += ms;
    const label = stageLabel(stage).padEnd(66);
    console.log(`    ${label}${ms.toFixed(1).padStart(7)} ms  ${'█'.repeat(Math.round((ms / parseMs) * 20))}`);
  }
  console.log(`    after parsing, in all: ${analysis.toFixed(1)} ms = ${(analysis / parseMs).toFixed(2)} of a parse-only run (the 1.5x target leaves 0.50)`);
}

/** Parse-only vs full check over a generated corpus, the pre-filter, and the CLI on samples/. */
export async function runCoreBench(): Promise<void> {
  const corpus = generateCorpus(50_000);
  const lines = corpus.reduce((a, f) => a + f.text.split('\n').length, 0);
  const parser = await initParser();
  console.log(`\n== core: ${corpus.length} files, ${lines.toLocaleString('en-US')} lines (parser: ${parser.backend}, ${parser.implementation})`);
  // Warm up both paths once.
  for (const f of corpus.slice(0, 20)) {
    parser.parse(f.text).delete();
    lintSource({ text: f.text, parser });
  }
  // Garbage collection during the batched checks (young-generation collections should find each
  // finished file's objects dead: see the notes on WeakMaps in schedule/assume.ts).
  let gcMs = 0;
  let inCheck = false;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (inCheck) gcMs += e.duration;
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const gcRuns: number[] = [];
  const parseRuns: number[] = [];
  const checkRuns: number[] = [];
  const oneByOneRuns: number[] = [];
  const stageRuns: Array<Map<string, number>> = [];
  let findings = 0;
  let oneByOneFindings = 0;
  for (let run = 0; run < 5; run++) {
    parseRuns.push(time(() => {
      for (const f of corpus) parser.parse(f.text).delete();
    }));
    // As `optlint check` runs: batches of files, stage by stage.
    gcMs = 0;
    inCheck = true;
    const stageMs = new Map<string, number>();
    stageRuns.push(stageMs);
    checkRuns.push(time(() => {
      findings = 0;
      for (const r of lintSources(
        corpus.map((f) => ({ text: f.text, parser })),
        { stageMs },
      ))
        findings += r.findings.length;
    }));
    // GC entries are delivered asynchronously.
    await new Promise((resolve) => setImmediate(resolve));
    inCheck = false;
    gcRuns.push(gcMs);
    // As the language server checks an edited file: one at a time.
    oneByOneRuns.push(time(() => {
      oneByOneFindings = 0;
      for (const f of corpus) oneByOneFindings += lintSource({ text: f.text, parser }).findings.length;
    }));
  }
  gcObserver.disconnect();
  if (oneByOneFindings !== findings) throw new Error(`batched check found ${findings} problems, file by file ${oneByOneFindings}`);
  const parseMs = median(parseRuns);
  const checkMs = median(checkRuns);
  const oneByOneMs = median(oneByOneRuns);
  console.log(`parse only (every file)      ${parseMs.toFixed(1)} ms  (${((lines / parseMs) * 1000).toLocaleString('en-US', { maximumFractionDigits: 0 })} lines/s)`);
  // The same parse through the `tree-sitter` package's binding: the ratio is against the faster.
  let baseMs = parseMs;
  if (parser.implementation === 'addon') {
    const binding = await initParser({ backend: 'binding' });
    const bindingMs = median([0, 1, 2, 3, 4].map(() => time(() => {
      for (const f of corpus) binding.parse(f.text).delete();
    })));
    baseMs = Math.min(parseMs, bindingMs);
    console.log(`  through the tree-sitter binding: ${bindingMs.toFixed(1)} ms`);
  }
  console.log(`full check (pre-filter on)   ${checkMs.toFixed(1)} ms  (${findings} findings; as the CLI runs it: batches of ${LINT_BATCH} files, stage by stage)`);
  console.log(`ratio check / parse          ${(checkMs / baseMs).toFixed(2)}x   (target <= 1.5x)`);
  console.log(`  garbage collection during the check: ${median(gcRuns).toFixed(1)} ms`);
  printStages(stageRuns, baseMs);
  console.log(`  one file at a time, as the language server checks an edit: ${oneByOneMs.toFixed(1)} ms (${(oneByOneMs / baseMs).toFixed(2)}x)`);
  const skipped = corpus.filter((f) => !mayMatter(f.text));
  const skipMs = median([0, 1, 2].map(() => time(() => {
    for (const f of skipped) lintSource({ text: f.text, parser });
  })));
  const skippedParse = median([0, 1, 2].map(() => time(() => {
    for (const f of skipped) parser.parse(f.text).delete();
  })));
  console.log(`pre-filter: ${skipped.length} of ${corpus.length} files skipped in ${skipMs.toFixed(2)} ms (parsing them would take ${skippedParse.toFixed(1)} ms)`);

  const root = path.resolve(__dirname, '..', '..');
  const cli = path.join(root, 'bin', 'optlint.js');
  const cliRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    cliRuns.push(time(() => {
      spawnSync(process.execPath, [cli, 'check', 'samples'], { cwd: root, stdio: 'ignore' });
    }));
  }
  const baseline = median([0, 1, 2, 3, 4].map(() => time(() => {
    spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  })));
  console.log(`CLI 'optlint check samples' whole process: ${median(cliRuns).toFixed(0)} ms (bare node start-up: ${baseline.toFixed(0)} ms)`);
}
