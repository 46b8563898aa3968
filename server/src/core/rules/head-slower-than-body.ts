import { isWithin, topModule, type ModuleNode, type ParamGroupModel } from '../model';
import { defineRule } from './define';
import { formatNumber, groupLr, groupNode } from './helpers';

export const headSlowerThanBody = defineRule({
  code: 'OPT109',
  name: 'head-slower-than-body',
  severity: 'info',
  summary: 'A new, randomly initialised head given a lower lr than the pretrained body it sits on',
  docs: {
    whatItDoes:
      'In fine-tuning code that replaces the head of a pretrained torchvision model (built with `weights=...` or given `load_state_dict`) with `model.fc = nn.Linear(...)` and gives the head and the body separate groups, notes when the new head learns more slowly than the pretrained body.',
    whyIsThisBad:
      'The usual recipe is the opposite: the fresh head starts from random weights and needs the larger lr, while the pretrained body is nudged with a small one. Swapped values make the body drift away from its pretrained features while the head barely learns.',
    example: `model = torchvision.models.resnet18(weights='IMAGENET1K_V1')
model.fc = nn.Linear(model.fc.in_features, 10)
body = [p for n, p in model.named_parameters() if not n.startswith('fc.')]
optimizer = torch.optim.SGD([
    {'params': body, 'lr': 1e-2},
    {'params': model.fc.parameters(), 'lr': 1e-4},
], momentum=0.9)`,
    useInstead: `optimizer = torch.optim.SGD([
    {'params': body, 'lr': 1e-4},
    {'params': model.fc.parameters(), 'lr': 1e-2},
], momentum=0.9)`,
    runtime: 'Silent: both groups train, with the learning rates as written.',
  },
  check({ model, report }) {
    for (const opt of model.optimizers) {
      const groups = opt.groups ?? [];
      if (groups.length < 2) continue;
      for (const head of groups) {
        const headModule = newHeadOf(head);
        const headLr = groupLr(head);
        if (!headModule || headLr === undefined) continue;
        const bodyLrs = groups
          .filter((g) => g !== head && g.params?.leaves.length && g.params.leaves.every((l) => l.leaf.owner.origin === 'torchvision' && !isWithin(l.leaf.owner, headModule)))
          .map((g) => groupLr(g))
          .filter((v): v is number => v !== undefined);
        if (bodyLrs.length === 0) continue;
        const bodyLr = Math.max(...bodyLrs);
        if (!(headLr < bodyLr)) continue;
        report({
          node: groupNode(head),
          message: `the new head learns at lr ${formatNumber(headLr)}, slower than the pretrained body (lr ${formatNumber(bodyLr)}): fine-tuning usually gives the freshly initialised head the larger lr`,
        });
      }
    }
  },
});

/** A torch.nn module assigned into a torchvision model, when a group holds exactly it. */
function newHeadOf(g: ParamGroupModel): ModuleNode | undefined {
  if (g.selections.length !== 1 || g.selections[0].leaf || g.selections[0].filter) return undefined;
  const m = g.selections[0].root;
  let top: ModuleNode = m;
  while (top.parent && top.parent.origin === 'torch.nn' && top.parent.parent) top = top.parent;
  const parent = top.parent;
  if (m.origin !== 'torch.nn' || parent?.origin !== 'torchvision') return undefined;
  // Only a body that starts from trained weights needs the gentler lr.
  const root = topModule(parent);
  return root.pretrained === true || parent.pretrained === true ? m : undefined;
}
