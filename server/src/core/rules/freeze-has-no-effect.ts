import { enumerateLeaves, requiresGradOf, type FileModel, type ModuleFlagAssignment } from '../model';
import type { SyntaxNode } from '../parsing';
import type { TextEdit } from '../types';
import { defineRule } from './define';
import { describeSize, lineOf, optimizerLabel, replaceNode } from './helpers';

export const freezeHasNoEffect = defineRule({
  code: 'OPT111',
  name: 'freeze-has-no-effect',
  severity: 'warning',
  summary: 'A freeze or unfreeze that changes no flag: `module.requires_grad = False`, or a misspelt `p.require_grad = False`',
  fixTitle: 'Set the real flag',
  fixSafety: 'unsafe',
  docs: {
    whatItDoes:
      "Finds two ways of writing a freeze (or an unfreeze) that PyTorch accepts and ignores. `module.requires_grad = False` on a module: `nn.Module` has no such flag, so it stores a plain attribute of the module object and no parameter changes; it is reported when the module's parameters are all trainable there and not all frozen at the end of the file (for `= True`: all frozen there, and not all trainable at the end). And a misspelling of `requires_grad` (`require_grad`, `requires_grads`, `requiresGrad`, ...) assigned on parameters, in a loop over `parameters()`/`named_parameters()` or on one parameter: it stores a new attribute on each tensor. Quiet for a class's own `self.requires_grad` setting, for a class of the file that reads `self.requires_grad` back or defines a `requires_grad` property, and when the value written is not a literal `True`/`False`.",
    whyIsThisBad:
      'The layer meant to stay fixed keeps training: a pretrained backbone drifts under a learning rate chosen for a new head, or a fine-tuning run updates ten times more parameters than planned, and nothing fails. An unfreeze written this way leaves the layer frozen for the rest of the run.',
    example: `model = torchvision.models.resnet18(weights="IMAGENET1K_V1")
model.requires_grad = False          # meant: freeze the backbone
model.fc = nn.Linear(512, 10)
for p in model.layer4.parameters():
    p.require_grad = True            # meant: unfreeze the last stage`,
    useInstead: `model = torchvision.models.resnet18(weights="IMAGENET1K_V1")
model.requires_grad_(False)
model.fc = nn.Linear(512, 10)
for p in model.layer4.parameters():
    p.requires_grad = True`,
    runtime:
      "Silent in torch 1.13 and 2.x. `nn.Module.__setattr__` stores `requires_grad` like any other attribute (measured: every parameter keeps `requires_grad=True`, and an optimizer step moves them); `module.requires_grad_(False)` is the method that sets each parameter's flag. A tensor accepts new attributes, so `p.require_grad = False` raises nothing and `p.requires_grad` stays True (measured).",
  },
  check({ model, report }) {
    const seen = new Set<number>();
    for (const a of model.moduleFlagAssignments) {
      if (seen.has(a.node.startIndex)) continue;
      seen.add(a.node.startIndex);
      const finding = moduleAssignment(a, model);
      if (finding) report(finding);
    }
    for (const t of model.flagTypos) {
      if (seen.has(t.node.startIndex)) continue;
      seen.add(t.node.startIndex);
      const attrNode = t.node.childForFieldName('attribute');
      const verb = t.requiresGrad === false ? 'freezes' : t.requiresGrad === true ? 'unfreezes' : 'changes';
      const sel = t.selections.length === 1 ? t.selections[0] : undefined;
      const whose = sel?.leaf ? `\`${sel.expr}\`` : sel ? `the parameters of \`${sel.expr}\`` : 'the parameters';
      const keeps = sel?.leaf ? 'keeps its' : 'keep their';
      const what = t.requiresGrad === undefined ? `no flag of ${whose}` : `nothing: ${whose} ${keeps} \`requires_grad\``;
      report({
        node: t.node,
        message: `\`${t.attr}\` is not \`requires_grad\`: assigning it stores a new attribute on the tensor, so this ${verb} ${what}`,
        fix: attrNode ? { title: `Rename to \`requires_grad\``, edits: [replaceNode(attrNode, 'requires_grad')], safety: 'unsafe' } : null,
      });
    }
  },
});

function moduleAssignment(a: ModuleFlagAssignment, model: FileModel) {
  // A setting of the class's own, or one the class reads back.
  if (a.ownSetting || a.readByClass) return undefined;
  const wanted = a.requiresGrad;
  if (wanted === undefined) return undefined;
  // Meant to change something: the parameters were all the other way, and stay so (not all
  // set as meant later, by code that works).
  if (a.before !== !wanted) return undefined;
  if (requiresGradOf(a.module) === wanted) return undefined;
  const target = a.node.childForFieldName('object');
  if (!target) return undefined;
  const size = describeSize(a.module);
  const leaves = enumerateLeaves(a.module).leaves.map((l) => l.leaf);
  const mine = new Set(leaves);
  // An optimizer holding some of them: it keeps updating them.
  const updater = wanted ? undefined : model.optimizers.find((o) => (o.groups ?? []).some((g) => (g.params?.leaves ?? []).some((l) => mine.has(l.leaf))));
  const consequence = wanted ? 'they stay frozen' : updater ? `\`${optimizerLabel(updater)}\` still updates them` : 'they still get gradients';
  const frozenAt = wanted ? leaves.find((l) => l.frozenAt)?.frozenAt : undefined;
  return {
    node: a.node,
    message:
      `\`${a.node.text} = ${wanted ? 'True' : 'False'}\` ${wanted ? 'unfreezes' : 'freezes'} nothing: \`nn.Module\` has no such flag, so this only stores an attribute on the module; ` +
      `its ${size || 'parameters'} keep \`requires_grad=${wanted ? 'False' : 'True'}\`${frozenAt ? ` (set at line ${lineOf(frozenAt)})` : ''}, so ${consequence} ` +
      `(use \`${target.text}.requires_grad_(${wanted ? 'True' : 'False'})\`)`,
    fix: methodCallFix(a.node, target),
  };
}

/** `m.requires_grad = False` as a statement of its own becomes `m.requires_grad_(False)`. */
function methodCallFix(left: SyntaxNode, target: SyntaxNode): { title: string; edits: TextEdit[] } | null {
  const assignment = left.parent;
  if (assignment?.type !== 'assignment' || assignment.parent?.type !== 'expression_statement') return null;
  const right = assignment.childForFieldName('right');
  if (!right || assignment.childForFieldName('type')) return null;
  return { title: `Call \`${target.text}.requires_grad_(${right.text})\``, edits: [replaceNode(assignment, `${target.text}.requires_grad_(${right.text})`)] };
}
