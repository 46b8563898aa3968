/**
 * Where a scheduler is stepped: the loops around its `.step()` call, classified as an epoch loop
 * (`for epoch in range(args.epochs)`), a batch loop (`for x, y in train_loader`) or an iteration
 * loop (`for it in range(max_iters)`), and from that the x axis of its schedule (optimizer steps
 * or epochs). Shared by the per-file simulation (file.ts) and the step-granularity rule.
 *
 * Only syntax and the model's step calls are read; nothing is evaluated here.
 */
import type { SyntaxNode } from '../parsing';
import type { FileModel, SchedulerModel, StepCall } from '../model';
import { canonicalKind } from './construct';

export type LoopRole = 'epoch' | 'batch' | 'iteration' | 'unknown';

export interface LoopInfo {
  node: SyntaxNode;
  role: LoopRole;
  /** `range(...)` arguments when the loop runs over a range (`for epoch in range(1, E + 1)`). */
  rangeArgs?: SyntaxNode[];
  /** The iterable of a batch loop, after `enumerate(...)`/`tqdm(...)` (`train_loader`). */
  iterable?: SyntaxNode;
}

/** Iterables that yield batches. */
const LOADER = /(loader|dataloader|\bdl\b|_dl\b|batches|batch_iter|data_iter|train_iter|iterator|dataset|\bds\b)/i;
const EPOCH_WORD = /epoch/i;
const EPOCH_VAR = /^(?:epoch|ep|e|epoch_idx|epoch_num|cur_epoch|current_epoch|i_epoch|n_epoch)$/i;
const ITERATION_VAR = /^(?:step|steps|it|iter|iters|iteration|global_step|update|i_step|step_idx|train_step|batch_idx|batch_i|i_batch)$/i;
/** Wrappers whose first argument is the real iterable. */
const WRAPPERS = /^(?:enumerate|tqdm|tqdm\.tqdm|tqdm\.auto\.tqdm|progress_bar|track|zip|iter)$/;

function named(n: SyntaxNode): SyntaxNode[] {
  return n.namedChildren.filter((c) => c.type !== 'comment');
}

/** `enumerate(tqdm(loader), 1)` -> `loader`; `trange(n)` -> a synthetic range over n. */
function unwrap(iterable: SyntaxNode): { node: SyntaxNode; range?: SyntaxNode[] } {
  let cur = iterable;
  for (let depth = 0; depth < 4; depth++) {
    if (cur.type !== 'call') break;
    const fn = cur.childForFieldName('function')?.text ?? '';
    const args = cur.childForFieldName('arguments');
    const positional = args ? named(args).filter((a) => a.type !== 'keyword_argument') : [];
    if (fn === 'range' || fn === 'trange' || fn === 'tqdm.trange') return { node: cur, range: positional };
    if (!WRAPPERS.test(fn) || !positional.length) break;
    cur = positional[0];
  }
  return { node: cur };
}

/** What a loop iterates over. */
export function classifyLoop(loop: SyntaxNode): LoopInfo {
  if (loop.type === 'while_statement') {
    const cond = loop.childForFieldName('condition')?.text ?? '';
    if (EPOCH_WORD.test(cond)) return { node: loop, role: 'epoch' };
    return { node: loop, role: 'unknown' };
  }
  const left = loop.childForFieldName('left');
  const right = loop.childForFieldName('right');
  if (!left || !right) return { node: loop, role: 'unknown' };
  const { node: it, range } = unwrap(right);
  // The loop variable: `epoch`, or the last name of `for i, batch in enumerate(loader)`.
  const vars = left.type === 'identifier' ? [left.text] : named(left).map((c) => c.text);
  const counter = vars[0] ?? '';
  if (range) {
    const stop = range[range.length - 1];
    const stopText = stop?.text ?? '';
    if (EPOCH_VAR.test(counter) || (EPOCH_WORD.test(stopText) && !ITERATION_VAR.test(counter))) return { node: loop, role: 'epoch', rangeArgs: range };
    // `for i in range(len(train_loader))`: one iteration per batch.
    if (/^len\(/.test(stopText) && LOADER.test(stopText)) return { node: loop, role: 'batch', rangeArgs: range };
    if (ITERATION_VAR.test(counter) || /steps|iters|iterations/i.test(stopText)) return { node: loop, role: 'iteration', rangeArgs: range };
    return { node: loop, role: 'unknown', rangeArgs: range };
  }
  if (LOADER.test(it.text) && !EPOCH_WORD.test(it.text)) return { node: loop, role: 'batch', iterable: it };
  return { node: loop, role: 'unknown' };
}

export interface Stepping {
  /** The x axis of the schedule: one value per optimizer step, or one per epoch. */
  axis: 'steps' | 'epochs';
  /** The nesting is clear (both loops recognised, the optimizer step where expected). */
  clear: boolean;
  /** Why, for notes: "`scheduler.step()` is in the batch loop". */
  reason: string;
  /** The `.step()` call of the scheduler (or of the SequentialLR/ChainedScheduler wrapping it). */
  step?: StepCall;
  epochLoop?: LoopInfo;
  /** The batch (or iteration) loop: inside the epoch loop, around the optimizer step. */
  batchLoop?: LoopInfo;
  /** The step runs under an `if` inside its loop (gradient accumulation, `if epoch > warmup`). */
  conditional: boolean;
  /**
   * Nothing can step the scheduler: it is never assigned, or its variable is never read again
   * (`SchedulerModel.unreferenced`). The lr stays where its constructor set it.
   */
  never?: boolean;
}

/** Classes meant to be stepped after every batch. */
const PER_BATCH = new Set(['OneCycleLR', 'CyclicLR']);

/**
 * The `schedulers` list a SequentialLR (`(optimizer, schedulers, ...)`) or ChainedScheduler
 * (`(schedulers, ...)`) is given, as written; undefined for other classes or another value.
 */
export function wrappedList(w: SchedulerModel): { items: SchedulerModel[]; exact: boolean; node: SyntaxNode } | undefined {
  const kind = canonicalKind(w.className);
  if (kind !== 'SequentialLR' && kind !== 'ChainedScheduler') return undefined;
  const arg = w.keywordArgs.get('schedulers') ?? (kind === 'SequentialLR' ? w.args[1] : w.args[0]);
  if (arg?.value.kind !== 'list') return undefined;
  const items = arg.value.items.flatMap((i) => (i.kind === 'scheduler' ? [i.scheduler] : []));
  return { items, exact: arg.value.exact && items.length === arg.value.items.length, node: arg.node };
}

/** The SequentialLR/ChainedScheduler that wraps `s`, if any. */
export function wrapperOf(model: FileModel, s: SchedulerModel): SchedulerModel | undefined {
  return model.schedulers.find((w) => w !== s && wrappedList(w)?.items.includes(s));
}

/** The outermost scheduler that steps `s` (its wrappers, recursively). */
export function stepperOf(model: FileModel, s: SchedulerModel): SchedulerModel {
  let cur = s;
  for (let i = 0; i < 8; i++) {
    const w = wrapperOf(model, cur);
    if (!w) break;
    cur = w;
  }
  return cur;
}

function uniqueSteps(steps: StepCall[]): StepCall[] {
  const seen = new Set<number>();
  return steps.filter((c) => (seen.has(c.node.startIndex) ? false : (seen.add(c.node.startIndex), true)));
}

function isAncestor(a: SyntaxNode, b: SyntaxNode): boolean {
  for (let p: SyntaxNode | null = b.parent; p; p = p.parent) if (p.startIndex === a.startIndex && p.endIndex === a.endIndex && p.type === a.type) return true;
  return false;
}

/** An `if` between the call and its innermost loop (or the function body when there is none). */
function underCondition(call: SyntaxNode, loop: SyntaxNode | undefined): boolean {
  for (let p = call.parent; p; p = p.parent) {
    if (loop && p.startIndex === loop.startIndex && p.type === loop.type) return false;
    if (p.type === 'if_statement' || p.type === 'conditional_expression' || p.type === 'try_statement') return true;
    if (p.type === 'function_definition') return false;
  }
  return false;
}

/** The innermost function definition around `n`, if any. */
export function enclosingFunction(n: SyntaxNode): SyntaxNode | undefined {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return undefined;
}

/** A batch loop inside `epochLoop` that holds an optimizer step of `s`'s optimizer. */
function batchLoopWithOptimizerStep(model: FileModel, s: SchedulerModel, epochLoop: SyntaxNode): LoopInfo | undefined {
  const opt = s.optimizer;
  for (const c of uniqueSteps(model.steps)) {
    if (c.target !== 'optimizer' || (opt && c.optimizer !== opt)) continue;
    const i = c.loops.findIndex((l) => l.startIndex === epochLoop.startIndex);
    if (i < 0 || i === c.loops.length - 1) continue;
    const inner = classifyLoop(c.loops[c.loops.length - 1]);
    if (inner.role === 'batch' || inner.role === 'iteration') return inner;
  }
  return undefined;
}

/** The optimizer step of `s`'s optimizer with the same innermost loop as `call`. */
function optimizerStepBeside(model: FileModel, s: SchedulerModel, loop: SyntaxNode): boolean {
  return uniqueSteps(model.steps).some(
    (c) => c.target === 'optimizer' && (!s.optimizer || c.optimizer === s.optimizer) && c.loops.length > 0 && c.loops[c.loops.length - 1].startIndex === loop.startIndex,
  );
}

/** What a Lightning scheduler dict (`{"scheduler": sched, "interval": "step", "monitor": "val_loss"}`) says of a scheduler. */
export interface LightningSchedulerConfig {
  /** `"step"` or `"epoch"` (Lightning's default). */
  interval: 'step' | 'epoch';
  /** The logged metric Lightning passes to `ReduceLROnPlateau.step()`, when a string literal. */
  monitor?: { name: string; node: SyntaxNode };
}

/**
 * Lightning: the `{"scheduler": sched, ...}` dict of the file that names this scheduler (by
 * variable or by its call), or undefined when there is none.
 */
export function lightningSchedulerConfig(root: SyntaxNode, s: SchedulerModel): LightningSchedulerConfig | undefined {
  if (!/["']scheduler["']\s*:/.test(root.text)) return undefined;
  for (const d of root.descendantsOfType('dictionary')) {
    let names = false;
    let interval: string | undefined;
    let monitor: LightningSchedulerConfig['monitor'];
    for (const p of named(d)) {
      if (p.type !== 'pair') continue;
      const k = p.childForFieldName('key')?.text.replace(/^['"]|['"]$/g, '');
      const v = p.childForFieldName('value');
      if (!k || !v) continue;
      // By its call, or by its variable in the function that built it (another function's
      // `scheduler` is another variable).
      if (k === 'scheduler' && (v.startIndex === s.call.startIndex || (s.variable && v.text === s.variable && enclosingFunction(v)?.startIndex === enclosingFunction(s.call)?.startIndex))) names = true;
      if (k === 'interval') interval = v.text.replace(/^['"]|['"]$/g, '');
      if (k === 'monitor' && v.type === 'string') {
        const content = named(v).filter((c) => c.type === 'string_content');
        if (content.length === 1) monitor = { name: content[0].text, node: v };
      }
    }
    if (names) return { interval: interval === 'step' ? 'step' : 'epoch', monitor };
  }
  return undefined;
}

/**
 * How `s` is stepped. Per-batch when its `.step()` shares the innermost loop with the
 * optimizer's step (or runs in a batch/iteration loop); per-epoch when it runs in an epoch loop
 * outside the batch loop. Without a step call: Lightning's `interval`, else the class's convention.
 */
export function schedulerStepping(model: FileModel, s: SchedulerModel, root?: SyntaxNode): Stepping {
  const stepper = stepperOf(model, s);
  const label = stepper.variable ?? 'scheduler';
  const calls = uniqueSteps(model.steps.filter((c) => c.target === 'scheduler' && c.scheduler === stepper));
  const kind = canonicalKind(stepper.className) ?? stepper.className;
  const perBatchKind = PER_BATCH.has(kind) || kind.startsWith('get_');
  // Never stepped, in a file that trains the optimizer (without a step of it here, the training
  // may be elsewhere: a module-level scheduler can be imported). The run lasts as long as the
  // optimizer trains: its step's loops give the length.
  const trains = !calls.length && stepper.unreferenced ? uniqueSteps(model.steps).find((c) => c.target === 'optimizer' && (!s.optimizer || c.optimizer === s.optimizer)) : undefined;
  if (trains) {
    const loops = trains.loops.map(classifyLoop);
    const inner = loops[loops.length - 1];
    const inBatches = inner?.role === 'batch' || inner?.role === 'iteration';
    return {
      axis: perBatchKind ? 'steps' : 'epochs',
      clear: false,
      conditional: false,
      never: true,
      batchLoop: inBatches ? inner : undefined,
      epochLoop: inBatches ? loops.slice(0, -1).reverse().find((l) => l.role === 'epoch') : inner?.role === 'epoch' ? inner : undefined,
      reason: stepper.variable
        ? `\`${label}\` is never stepped (nothing reads it after it is built), so the lr stays where its constructor set it`
        : 'this scheduler is never assigned, so nothing steps it and the lr stays where its constructor set it',
    };
  }
  if (!calls.length) {
    const interval = root ? lightningSchedulerConfig(root, stepper)?.interval : undefined;
    if (interval) {
      return {
        axis: interval === 'step' ? 'steps' : 'epochs',
        clear: false,
        conditional: false,
        reason: interval === 'step' ? `Lightning steps \`${label}\` every optimizer step ("interval": "step")` : `Lightning steps \`${label}\` once per epoch (its "interval" is "epoch")`,
      };
    }
    return {
      axis: perBatchKind ? 'steps' : 'epochs',
      clear: false,
      conditional: false,
      reason: `no \`${label}.step()\` call was found; ${kind} is ${perBatchKind ? 'meant to be stepped after every batch' : 'usually stepped once per epoch'}`,
    };
  }
  const call = calls[0];
  const ambiguous = calls.length > 1;
  const loops = call.loops.map(classifyLoop);
  const inner = loops[loops.length - 1];
  const conditional = underCondition(call.node, inner?.node);
  const base = { step: call, conditional };
  if (!inner) {
    // `def training_step(...)`: optimizer.step() and scheduler.step() once per call of the same function.
    const fn = enclosingFunction(call.node);
    const together = uniqueSteps(model.steps).some(
      (c) => c.target === 'optimizer' && (!s.optimizer || c.optimizer === s.optimizer) && c.loops.length === 0 && enclosingFunction(c.node)?.startIndex === fn?.startIndex,
    );
    if (together) return { ...base, axis: 'steps', clear: false, reason: `\`${label}.step()\` runs with the optimizer step` };
    return {
      ...base,
      axis: perBatchKind ? 'steps' : 'epochs',
      clear: false,
      reason: `\`${label}.step()\` is in no loop of its function; ${kind} is ${perBatchKind ? 'meant to be stepped after every batch' : 'usually stepped once per epoch'}`,
    };
  }
  const epochOuter = loops.slice(0, -1).reverse().find((l) => l.role === 'epoch');
  if (inner.role === 'batch' || inner.role === 'iteration') {
    const beside = optimizerStepBeside(model, s, inner.node);
    return {
      ...base,
      axis: 'steps',
      clear: beside && !ambiguous,
      epochLoop: epochOuter,
      batchLoop: inner,
      reason: `\`${label}.step()\` is in the ${inner.role === 'batch' ? 'batch' : 'iteration'} loop${beside ? ', with the optimizer step' : ''}`,
    };
  }
  if (inner.role === 'epoch') {
    const batch = batchLoopWithOptimizerStep(model, s, inner.node);
    // The step must be outside that batch loop (it is: the batch loop is not among its loops).
    const outside = batch ? !isAncestor(batch.node, call.node) : false;
    return {
      ...base,
      axis: 'epochs',
      clear: Boolean(batch && outside) && !ambiguous,
      epochLoop: inner,
      batchLoop: batch,
      reason: `\`${label}.step()\` is in the epoch loop${batch ? ', after the batch loop' : ''}`,
    };
  }
  // An unrecognised loop: the same loop as the optimizer step means once per optimizer step.
  if (optimizerStepBeside(model, s, inner.node)) {
    return { ...base, axis: 'steps', clear: false, reason: `\`${label}.step()\` is in the same loop as the optimizer step` };
  }
  return {
    ...base,
    axis: perBatchKind ? 'steps' : 'epochs',
    clear: false,
    reason: `the loop around \`${label}.step()\` is not recognised; ${kind} is ${perBatchKind ? 'meant to be stepped after every batch' : 'usually stepped once per epoch'}`,
  };
}

const LOOPS = new Set(['for_statement', 'while_statement']);

/**
 * The loop whose body directly holds the assignment of `call`'s result (`x = Call(...)` in a
 * `for` or `while` body, in the same function): what the loop builds anew in each iteration.
 */
export function loopBuildingEachIteration(call: SyntaxNode): SyntaxNode | undefined {
  const statement = call.parent?.type === 'assignment' ? call.parent.parent : undefined;
  if (statement?.type !== 'expression_statement') return undefined;
  // Directly in the loop's body: under an `if`, a `try` or a `with` the rebuild may be meant
  // (`if epoch == unfreeze_at:`), or may not happen at all.
  const body = statement.parent;
  if (body?.type !== 'block') return undefined;
  const loop = body.parent;
  return loop && LOOPS.has(loop.type) && loop.childForFieldName('body')?.startIndex === body.startIndex ? loop : undefined;
}

/**
 * How many `.step()` calls (`every`) a scheduler built in the body of an epoch, batch or iteration loop
 * gets before the loop builds the next one: 1 when it is stepped in that loop, one epoch's
 * batches (`perEpoch`) when it is stepped in the batch loop right inside. Undefined unless the
 * optimizer is built before the loop (in the same function), the scheduler is not wrapped, not
 * resumed (`last_epoch`), and stepped unconditionally after its construction.
 */
export function rebuildInterval(model: FileModel, s: SchedulerModel, stepping: Stepping, perEpoch: number | undefined): { every: number; loop: LoopInfo } | undefined {
  if (wrapperOf(model, s) || s.keywordArgs.has('last_epoch')) return undefined;
  const loop = loopBuildingEachIteration(s.call);
  const info = loop && classifyLoop(loop);
  if (!loop || !info || info.role === 'unknown') return undefined;
  const opt = s.optimizer;
  // An optimizer built in the loop too starts afresh with the scheduler (folds).
  if (!opt || opt.call.startIndex >= loop.startIndex || enclosingFunction(opt.call)?.startIndex !== enclosingFunction(loop)?.startIndex) return undefined;
  const step = stepping.step;
  if (!step || stepping.conditional || stepping.never) return undefined;
  if (step.node.startIndex < s.call.endIndex || step.node.startIndex >= loop.endIndex) return undefined;
  const loops = step.loops;
  const inner = loops[loops.length - 1];
  if (inner?.startIndex === loop.startIndex) return { every: 1, loop: info };
  const outer = loops[loops.length - 2];
  if (outer?.startIndex === loop.startIndex && stepping.batchLoop?.node.startIndex === inner.startIndex && perEpoch && perEpoch > 0) return { every: perEpoch, loop: info };
  return undefined;
}
