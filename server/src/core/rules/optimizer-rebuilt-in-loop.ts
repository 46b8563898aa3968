import type { SyntaxNode } from '../parsing';
import { topModule, type OptimizerModel } from '../model';
import { classifyLoop, enclosingFunction, loopBuildingEachIteration } from '../schedule/loops';
import { nodeContains, nodeRange } from '../text';
import { defineRule } from './define';
import { lineOf, numberOf, optimizerLabel } from './helpers';

/**
 * The models whose parameters the optimizer holds, when every one was built before `loop` (and
 * so keeps its parameters from one iteration to the next); undefined otherwise.
 */
function modelsBuiltBefore(opt: OptimizerModel, loop: SyntaxNode): string[] | undefined {
  if (!opt.groups?.length || !opt.groupsComplete) return undefined;
  const names = new Set<string>();
  for (const g of opt.groups) {
    if (!g.selections.length) return undefined;
    for (const s of g.selections) {
      const built = topModule(s.root).node;
      // Built by the code around the loop, before it: a model built in a helper may be built
      // anew in every iteration (`model = make_model()` in a restart loop).
      if (!built || built.startIndex >= loop.startIndex) return undefined;
      const fn = enclosingFunction(built);
      if (fn && fn.startIndex !== enclosingFunction(loop)?.startIndex) return undefined;
      names.add(s.expr.split(/[.[(]/)[0]);
    }
  }
  return [...names];
}

/** What a new optimizer of the class starts without, or undefined for a stateless one. */
function stateLost(opt: OptimizerModel): string | undefined {
  switch (opt.className) {
    case 'SGD': {
      const m = opt.args.get('momentum');
      return m && (numberOf(m.value) ?? 0) > 0 ? 'its momentum buffers' : undefined;
    }
    case 'Adam':
    case 'AdamW':
    case 'NAdam':
    case 'RAdam':
    case 'Adamax':
      return 'its moment estimates (`exp_avg`, `exp_avg_sq`) and its step count (the bias correction starts over)';
    case 'RMSprop':
      return 'its running averages of squared gradients';
    case 'Adagrad':
      return 'its sums of squared gradients';
    case 'Adadelta':
      return 'its running averages';
    default:
      return opt.known && opt.className !== 'LBFGS' ? 'its state' : undefined;
  }
}

export const optimizerRebuiltInLoop = defineRule({
  code: 'OPT306',
  name: 'optimizer-rebuilt-in-loop',
  severity: 'warning',
  summary: 'An optimizer built anew in every iteration of the training loop, for a model built before it: its state starts over each time',
  docs: {
    whatItDoes:
      "Finds an optimizer constructed directly in the body of an epoch, batch or iteration loop (`for epoch in range(...)`, `for batch in loader`, `for it in range(max_iters)`), stepped later in the same loop, whose parameters all belong to models built before the loop, by the code around it. It stays quiet when the model is built in the loop too (cross-validation folds, restarts), or by a helper function (which may build a new one each time), when the construction is under an `if` (rebuilding at an unfreezing epoch), when the loop is of another kind (`for task in tasks`, `for lr in lrs`: a reset may be meant), and for plain `SGD` without momentum, which keeps no state.",
    whyIsThisBad:
      "An optimizer's state lives in the optimizer object: Adam's moment estimates and step count, SGD's momentum buffers. A new optimizer every epoch starts from nothing every epoch: Adam repeats its bias-corrected first steps every epoch, and momentum never builds up over more than an epoch. Nothing raises or warns.",
    example: `model = Net()
for epoch in range(num_epochs):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for x, y in train_loader:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()`,
    useInstead: `model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(num_epochs):
    for x, y in train_loader:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()`,
    runtime:
      "Silent (torch 1.13 and 2.x). Measured with torch 1.13.1: `Adam` rebuilt at the start of each of 5 epochs of 4 batches ends with `state[p]['step'] == 4` (built once: 20), and `SGD(momentum=0.9)` rebuilt every epoch has a momentum buffer that only holds the last epoch's gradients.",
  },
  check({ model, report }) {
    for (const opt of model.optimizers) {
      const loop = loopBuildingEachIteration(opt.call);
      if (!loop) continue;
      const info = classifyLoop(loop);
      if (info.role === 'unknown') continue;
      const step = model.steps.find((s) => s.optimizer === opt && nodeContains(loop, s.node) && s.node.startIndex > opt.call.endIndex);
      if (!step) continue;
      const lost = stateLost(opt);
      const models = lost ? modelsBuiltBefore(opt, loop) : undefined;
      if (!lost || !models?.length) continue;
      const kind = info.role;
      const name = opt.variable ? `\`${opt.variable}\`` : `\`${optimizerLabel(opt)}\``;
      const who = models.map((m) => `\`${m}\``).join(', ');
      report({
        node: opt.calleeNode,
        message: `${name} is built anew in every ${kind} of the loop at line ${lineOf(loop)}, for parameters of ${who}, built before the loop: each new \`${opt.className}\` starts without ${lost}: none of it carries over from one ${kind} to the next. Build the optimizer once, before the loop`,
        related: [
          { range: nodeRange(loop), message: `the ${kind} loop` },
          { range: nodeRange(step.node), message: 'stepped here' },
        ],
      });
    }
  },
});
