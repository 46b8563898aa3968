import { enumerateLeaves, isWithin, moduleHasParams, type NamedLeaf, type ParamGroupModel } from '../model';
import { nodeRange } from '../text';
import { defineRule } from './define';
import { groupNode } from './helpers';

export const duplicateParam = defineRule({
  code: 'OPT103',
  name: 'duplicate-param',
  severity: 'error',
  summary: 'A parameter in two groups, or twice in one group',
  docs: {
    whatItDoes:
      'Finds parameters that reach the optimizer twice: in two groups (`model.parameters()` next to `model.fc.parameters()`, a tied weight reached through two modules), or twice inside one group.',
    whyIsThisBad:
      'Across groups PyTorch refuses to build the optimizer. Inside one group it only warns, and then updates the parameter twice per step: its effective learning rate (and weight decay) doubles.',
    example: `optimizer = torch.optim.SGD([
    {'params': model.parameters()},
    {'params': model.fc.parameters(), 'lr': 1e-2},
], lr=1e-3)`,
    useInstead: `head = set(model.fc.parameters())
optimizer = torch.optim.SGD([
    {'params': [p for p in model.parameters() if p not in head]},
    {'params': model.fc.parameters(), 'lr': 1e-2},
], lr=1e-3)`,
    runtime:
      'Across groups: `ValueError: some parameters appear in more than one parameter group` (torch 1.13 and 2.x). Within a group: `UserWarning: optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information`, and the parameter is updated twice.',
  },
  check({ model, report }) {
    for (const opt of model.optimizers) {
      const groups = opt.groups ?? [];
      for (let j = 0; j < groups.length; j++) {
        const g = groups[j];
        const dup = overlapWithin(g);
        if (dup) {
          report({
            node: groupNode(g),
            severity: 'warning',
            message: `${dup.text} ${dup.plural ? 'appear' : 'appears'} twice in this group: PyTorch warns \`UserWarning: optimizer contains a parameter group with duplicate parameters\` and updates ${dup.plural ? 'them' : 'it'} twice per step`,
          });
        }
        for (let i = 0; i < j; i++) {
          const other = overlapBetween(groups[i], g);
          if (!other) continue;
          report({
            node: groupNode(g),
            message: `${other.text} ${other.plural ? 'are' : 'is'} already in group ${i}: PyTorch raises \`ValueError: some parameters appear in more than one parameter group\``,
            related: [{ range: nodeRange(groupNode(groups[i])), message: `group ${i} already holds ${other.text}` }],
          });
          break;
        }
      }
    }
  },
});

interface Shared {
  text: string;
  plural: boolean;
}

/** Describes what two groups share, or undefined when they share nothing we can see. */
function overlapBetween(a: ParamGroupModel, b: ParamGroupModel): Shared | undefined {
  if (a.params && b.params) {
    const ids = new Set(a.params.leaves.map((l) => l.leaf.id));
    const shared = b.params.leaves.filter((l) => ids.has(l.leaf.id));
    if (shared.length) return describeShared(b, shared);
  }
  // Opaque modules: one group's module contains the other's (no filters involved).
  for (const sa of a.selections) {
    for (const sb of b.selections) {
      if (sa.leaf || sb.leaf || sa.filter || sb.filter) continue;
      if ((isWithin(sb.root, sa.root) || isWithin(sa.root, sb.root)) && moduleHasParams(sb.root) !== 'no' && moduleHasParams(sa.root) !== 'no') {
        if (a.params?.exact && b.params?.exact) continue; // the leaf check above was exact
        return { text: `\`${isWithin(sb.root, sa.root) ? sb.expr : sa.expr}\``, plural: false };
      }
    }
  }
  return undefined;
}

function overlapWithin(g: ParamGroupModel): Shared | undefined {
  if (!g.params) return undefined;
  const seen = new Set<number>();
  const dups: NamedLeaf[] = [];
  for (const l of g.params.leaves) {
    if (seen.has(l.leaf.id)) dups.push(l);
    else seen.add(l.leaf.id);
  }
  return dups.length ? describeShared(g, dups) : undefined;
}

/** Names a selection of the group when exactly its parameters are the shared ones, else the tensors. */
function describeShared(g: ParamGroupModel, shared: NamedLeaf[]): Shared {
  const ids = new Set(shared.map((l) => l.leaf.id));
  for (const s of g.selections) {
    if (s.leaf || s.filter) continue;
    const leaves = enumerateLeaves(s.root).leaves;
    if (leaves.length > 1 && leaves.length === ids.size && leaves.every((l) => ids.has(l.leaf.id))) {
      return { text: `\`${s.expr}\` (${leaves.length} parameter tensors)`, plural: false };
    }
  }
  const first = qualifiedName(g, shared[0]);
  if (ids.size === 1) return { text: `\`${first}\``, plural: false };
  return { text: `${ids.size} parameter tensors (\`${first}\`, ...)`, plural: true };
}

/** `model.lm_head.weight` rather than `weight`: the leaf's name under the selection that reached it. */
function qualifiedName(g: ParamGroupModel, l: NamedLeaf): string {
  for (const s of g.selections) {
    if (s.leaf === l.leaf) return s.expr;
    if (s.leaf) continue;
    const hit = enumerateLeaves(s.root).leaves.find((x) => x.leaf === l.leaf);
    if (hit) return `${s.expr}.${hit.name}`;
  }
  return l.name;
}
