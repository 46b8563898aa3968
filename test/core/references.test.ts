/**
 * Which schedulers nothing can reach after they are built (SchedulerModel.unreferenced, read by
 * OPT305): every other occurrence of the variable's name counts as a read, and so does code that
 * reads variables without naming them.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fileModel } from './model-helpers';

const OPT = `opt = torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)\n`;

/** `unreferenced` of each scheduler the snippet builds, in order. */
async function unreferenced(src: string): Promise<boolean[]> {
  const model = await fileModel(OPT + src);
  return model.schedulers.map((s) => s.unreferenced === true);
}

describe('schedulers nothing can step', () => {
  test('a variable never read again, at module level and in a function', async () => {
    assert.deepEqual(await unreferenced(`sched = torch.optim.lr_scheduler.StepLR(opt, 10)\n`), [true]);
    assert.deepEqual(await unreferenced(`def f():\n    sched = torch.optim.lr_scheduler.StepLR(opt, 10)\nf()\n`), [true]);
  });

  test('a scheduler built as a statement of its own', async () => {
    assert.deepEqual(await unreferenced(`torch.optim.lr_scheduler.StepLR(opt, 10)\n`), [true]);
  });

  test('a mention in a comment or a string in a function is not a read', async () => {
    assert.deepEqual(await unreferenced(`def f():\n    sched = torch.optim.lr_scheduler.StepLR(opt, 10)\n    # sched.step()\n    print("sched")\nf()\n`), [true]);
  });

  test('any read of the name keeps it quiet: a step, an argument, a return, a closure, a global, del', async () => {
    const reads = [
      `sched = torch.optim.lr_scheduler.StepLR(opt, 10)\nsched.step()\n`,
      `sched = torch.optim.lr_scheduler.StepLR(opt, 10)\ntrain(opt, sched)\n`,
      `def f():\n    sched = torch.optim.lr_scheduler.StepLR(opt, 10)\n    return {"optimizer": opt, "lr_scheduler": sched}\nf()\n`,
      `def f():\n    sched = torch.optim.lr_scheduler.StepLR(opt, 10)\n    def hook():\n        sched.step()\n    return hook\nf()\n`,
      `def f():\n    global sched\n    sched = torch.optim.lr_scheduler.StepLR(opt, 10)\nf()\n`,
      `sched = torch.optim.lr_scheduler.StepLR(opt, 10)\ndef later():\n    sched.step()\n`,
      `sched = torch.optim.lr_scheduler.StepLR(opt, 10)\ndel sched\n`,
    ];
    for (const src of reads) assert.deepEqual(await unreferenced(src), [false], src);
  });

  test('code that reaches variables without naming them keeps it quiet', async () => {
    const dynamic = [
      `def f():\n    sched = torch.optim.lr_scheduler.StepLR(opt, 10)\n    return locals()\nf()\n`,
      `def f():\n    sched = torch.optim.lr_scheduler.StepLR(opt, 10)\n    return vars()\nf()\n`,
      `sched = torch.optim.lr_scheduler.StepLR(opt, 10)\ndef g():\n    globals()["sched"].step()\n`,
      `sched = torch.optim.lr_scheduler.StepLR(opt, 10)\neval(code)\n`,
      // At module level a string may name it for getattr(sys.modules[__name__], ...).
      `sched = torch.optim.lr_scheduler.StepLR(opt, 10)\n# sched\nname = "sched"\n`,
    ];
    for (const src of dynamic) assert.deepEqual(await unreferenced(src), [false], src);
  });

  test("`vars(args)`, and `locals()` in another function, are not reads of a module's variables", async () => {
    assert.deepEqual(await unreferenced(`config = vars(args)\nsched = torch.optim.lr_scheduler.StepLR(opt, 10)\ndef f():\n    return locals()\n`), [true]);
  });

  test('kept anywhere but a plain variable: an attribute, a container, a tuple, a walrus', async () => {
    const kept = [
      `class T:\n    def __init__(self):\n        self.sched = torch.optim.lr_scheduler.StepLR(opt, 10)\nT()\n`,
      `scheds = [torch.optim.lr_scheduler.StepLR(opt, 10)]\n`,
      `a, b = opt, torch.optim.lr_scheduler.StepLR(opt, 10)\n`,
      `if (s := torch.optim.lr_scheduler.StepLR(opt, 10)):\n    pass\n`,
    ];
    for (const src of kept) assert.deepEqual(await unreferenced(src), [false], src);
  });
});
