import type { SyntaxNode } from '../parsing';
import { countParams, enumerateLeaves, isWithin, type CastParameterAttribute, type ModuleNode, type OptimizerModel, type PlainContainerAttribute, type Selection } from '../model';
import { nodeContains, nodeRange, syntaxRoot } from '../text';
import type { TextEdit } from '../types';
import { defineRule } from './define';
import { moduleTypeLabel, optimizerLabel } from './helpers';

export const moduleNotRegistered = defineRule({
  code: 'OPT110',
  name: 'module-not-registered',
  severity: 'warning',
  summary: 'Layers kept in a plain list or dict attribute, or a Parameter cast after wrapping: not registered, so not in `model.parameters()`',
  fixTitle: 'Use `nn.ModuleList` / `nn.ModuleDict`, or cast the data before wrapping it',
  fixSafety: 'unsafe',
  docs: {
    whatItDoes:
      "Finds layers with parameters that a module's own code creates and stores in a plain `list`, `tuple` or `dict` attribute (`self.layers = [nn.Linear(d, d) for _ in range(n)]`, `self.heads = {...}`, or `self.blocks = []` filled with `append`), when an optimizer is given that module's `parameters()`. Layers that are also registered another way (`nn.Sequential(*self.layers)`, an attribute of their own) are not reported, nor a single module kept in a one-item list (a known way to hide a teacher or EMA copy on purpose), nor layers the file gives an optimizer some other way, nor layers its code only runs without gradient. Also finds `self.w = nn.Parameter(data).double()` (`.half()`, `.bfloat16()`, `.to(...)`): the cast returns a plain tensor, which is not registered either; `.to(...)` only when it may move or cast (not `.to(\"cpu\")`).",
    whyIsThisBad:
      "`nn.Module.__setattr__` registers a submodule only when the value is itself a module: a list or dict of modules is stored as a plain attribute. `parameters()`, `state_dict()`, `.to(device)` and `.train()`/`.eval()` do not see what is in it, so the optimizer never updates those layers: they keep their random initial weights for the whole run, while the forward pass uses them.",
    example: `class Net(nn.Module):
    def __init__(self, d=16, n=3):
        super().__init__()
        self.stem = nn.Linear(8, d)
        self.layers = [nn.Linear(d, d) for _ in range(n)]

model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)`,
    useInstead: `class Net(nn.Module):
    def __init__(self, d=16, n=3):
        super().__init__()
        self.stem = nn.Linear(8, d)
        self.layers = nn.ModuleList([nn.Linear(d, d) for _ in range(n)])`,
    runtime:
      'Silent in torch 1.13 and 2.x: `model.parameters()` yields only the registered layers (measured: 2 tensors for the example, the stem\'s), the optimizer is built without complaint, and the listed layers never change. With `nn.ModuleList`/`nn.ModuleDict` they are registered (8 tensors). The fix changes the `state_dict` keys (`layers.0.weight`, ...), so checkpoints saved before it load only with `strict=False`. `nn.Parameter(torch.ones(8)).double()` and `.to(torch.float64)` return a plain `Tensor` that is not a leaf (`is_leaf` False): stored on the module it is not registered, its values never change, and nothing warns; `.to(\"cpu\")` of a CPU tensor and `.float()` of a float32 one return the Parameter itself (measured). `nn.Parameter(torch.ones(8).double())` is registered.',
  },
  check({ model, text, report }) {
    // Groups the walker cannot see into (an optimizer it cannot read, a group added by a hook) may
    // be given the listed layers by hand (`list(model.parameters()) + [p for l in model.layers
    // for p in l.parameters()]`): then a layer reached from outside its class stays unreported.
    const unseen = model.unknownGroupAdds.length > 0 || model.optimizers.some((o) => !o.groups || !o.groupsComplete || o.hasSplat || o.groups.some((g) => !g.params || !g.params.exact));
    const reported = new Set<number>();
    let outside: Set<string> | undefined;
    for (const entry of model.plainContainerAttributes) {
      if (reported.has(entry.node.startIndex)) continue;
      if (unseen && (outside ??= attributesReadOutside(entry.node)).has(entry.attr)) continue;
      const found = unregistered(entry, text);
      if (!found) continue;
      const trained = trainedBy(entry.owner, found.modules, model.optimizers);
      if (!trained) continue;
      reported.add(entry.node.startIndex);
      const { modules, kind } = found;
      const types = [...new Set(modules.map(moduleTypeLabel))];
      const typeText = types.length === 1 ? `\`${types[0]}\`` : 'layers';
      const counts = modules.map(countParams);
      const total = counts.every((c) => c !== undefined) ? counts.reduce((a: number, c) => a + c!, 0) : undefined;
      const size = total !== undefined && entry.value.exact ? ` (${total.toLocaleString('en-US')} parameters)` : '';
      const howMany = entry.value.exact ? `the ${modules.length} ${typeText} modules in it` : `the ${typeText} modules it holds`;
      const container = kind === 'dict' ? 'nn.ModuleDict' : 'nn.ModuleList';
      const what = kind === 'dict' ? 'a plain dict' : kind === 'tuple' ? 'a plain tuple' : 'a plain list';
      const message =
        `\`${entry.node.text}\` is ${what}: ${howMany}${size} are not registered as submodules of \`${entry.owner.type}\`, ` +
        `so \`${trained.selection.expr}.parameters()\` leaves them out and \`${optimizerLabel(trained.optimizer)}\` never updates them (use \`${container}\`)`;
      const fix = wrapFix(entry, kind, found.prefix, text);
      report({
        node: entry.node,
        message,
        fix: fix ? { title: `Wrap in \`${fix.name}\``, edits: [fix.edit] } : null,
        related: [givenHere(trained)],
      });
    }
    for (const entry of model.castParameterAttributes) {
      if (reported.has(entry.node.startIndex)) continue;
      const trained = trainedBy(entry.owner, [], model.optimizers);
      if (!trained) continue;
      reported.add(entry.node.startIndex);
      const call = `.${entry.method}(${entry.method === 'to' ? '...' : ''})`;
      const consequence = `\`${trained.selection.expr}.parameters()\` leaves it out and \`${optimizerLabel(trained.optimizer)}\` never updates it`;
      const message = entry.certain
        ? `\`${entry.node.text}\` is a plain tensor, not a parameter: \`${call}\` on a new \`nn.Parameter\` returns a copy that is not an \`nn.Parameter\`, so \`${entry.owner.type}\` does not register it, ${consequence} (cast the data before wrapping it)`
        : `\`${entry.node.text}\` is a parameter only when \`${call}\` has nothing to do: on a new \`nn.Parameter\` it returns a plain-tensor copy whenever it moves or casts (a GPU \`device\`, another dtype), which \`${entry.owner.type}\` does not register; ${consequence} (move the data before wrapping it)`;
      const fix = castInsideFix(entry);
      report({
        node: entry.node,
        message,
        fix: fix ? { title: `Apply \`${call}\` to the data inside \`nn.Parameter(...)\``, edits: [fix] } : null,
        related: [givenHere(trained)],
      });
    }
  },
});

function givenHere(trained: { optimizer: OptimizerModel; selection: Selection }): { range: ReturnType<typeof nodeRange>; message: string } {
  return { range: nodeRange(trained.selection.node), message: `\`${optimizerLabel(trained.optimizer)}\` is given \`${trained.selection.expr}\`'s parameters here` };
}

/** Operands that take a method call without parentheses. */
const PRIMARY = new Set(['call', 'identifier', 'attribute', 'subscript', 'parenthesized_expression', 'list', 'tuple']);

/** `nn.Parameter(torch.randn(3)).double()` -> `nn.Parameter(torch.randn(3).double())`. */
function castInsideFix(entry: CastParameterAttribute): TextEdit | undefined {
  const fn = entry.call.childForFieldName('function');
  const argsText = entry.call.childForFieldName('arguments')?.text;
  const param = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
  const data = param?.type === 'call' ? param.childForFieldName('arguments')?.namedChildren.find((c) => c.type !== 'comment') : undefined;
  if (!param || !data || !argsText || data.type === 'keyword_argument' || data.type === 'list_splat' || data.type === 'dictionary_splat') return undefined;
  const src = entry.call.text;
  const base = entry.call.startIndex;
  const inner = PRIMARY.has(data.type) ? data.text : `(${data.text})`;
  const newText = src.slice(0, data.startIndex - base) + `${inner}.${entry.method}${argsText}` + src.slice(data.endIndex - base, param.endIndex - base);
  return { range: nodeRange(entry.call), newText };
}

/** Attributes the file reads through another name than `self` (`layers` in `model.layers`). */
function attributesReadOutside(anyNode: SyntaxNode): Set<string> {
  const root = syntaxRoot(anyNode);
  const names = new Set<string>();
  for (const a of root.descendantsOfType('attribute')) {
    const name = a.childForFieldName('attribute')?.text;
    if (name && a.childForFieldName('object')?.text !== 'self') names.add(name);
  }
  return names;
}

interface Unregistered {
  modules: ModuleNode[];
  kind: 'list' | 'tuple' | 'dict';
  /** How the file names `torch.nn` (`nn.`, `torch.nn.`), for the fix; undefined when unknown. */
  prefix?: string;
}

/** The layers with parameters the attribute's container holds that nothing registers. */
function unregistered(entry: PlainContainerAttribute, text: string): Unregistered | undefined {
  const { owner, attr, value, cls } = entry;
  // The attribute was replaced since (`self.layers = nn.ModuleList(self.layers)`).
  if (owner.attrs.get(attr) !== value || owner.children.has(attr)) return undefined;
  // Used only without gradient by the module's own code: kept out of training on purpose.
  if (owner.gradFree?.has(attr)) return undefined;
  // Registration the walker does not follow, or attribute handling of the class's own.
  const body = text.slice(cls.node.startIndex, cls.node.endIndex);
  if (/\b(?:add_module|register_module|setattr|__setattr__|__getattr__|__dict__)\b/.test(body)) return undefined;
  const items = value.kind === 'dict' ? value.entries.map((e) => e.value) : value.items;
  if (value.kind === 'list' && value.forgotten) return undefined;
  const modules: ModuleNode[] = [];
  for (const v of items) {
    if (v.kind !== 'module') continue;
    const m = v.module;
    // Registered elsewhere (`self.conv1` also in a convenience list, `nn.Sequential(*self.layers)`).
    if (m.parent) return undefined;
    // Made by the class's own code, not handed in (`self._teacher = [teacher]` hides it on purpose).
    if (!m.node || !nodeContains(cls.node, m.node)) return undefined;
    const { leaves, opaque } = enumerateLeaves(m);
    if (opaque.length) return undefined;
    if (leaves.length === 0) continue;
    if (leaves.some((l) => l.leaf.requiresGrad !== true)) return undefined;
    if (!modules.includes(m)) modules.push(m);
  }
  if (modules.length === 0) return undefined;
  // One module in a one-item literal is the known trick to keep it out of `parameters()`.
  if (value.exact && modules.length < 2 && items.length < 2) return undefined;
  const kind = value.kind === 'dict' ? 'dict' : value.flavor === 'tuple' ? 'tuple' : 'list';
  return { modules, kind, prefix: nnPrefix(cls.node, modules) };
}

/**
 * An optimizer given the parameters of `owner` (or of a module holding it), none of whose groups
 * reaches into the listed layers (the file may pass them by hand).
 */
function trainedBy(owner: ModuleNode, listed: ModuleNode[], optimizers: OptimizerModel[]): { optimizer: OptimizerModel; selection: Selection } | undefined {
  let found: { optimizer: OptimizerModel; selection: Selection } | undefined;
  for (const opt of optimizers) {
    for (const g of opt.groups ?? []) {
      for (const s of g.selections) {
        const root = s.leaf ? s.leaf.owner : s.root;
        if (listed.some((m) => isWithin(root, m))) return undefined;
        if (!found && !s.leaf && isWithin(owner, s.root)) found = { optimizer: opt, selection: s };
      }
    }
  }
  return found;
}

/** `nn.` from `class Net(nn.Module)` or from `nn.Linear(...)` in the list; undefined when neither says. */
function nnPrefix(classNode: SyntaxNode, modules: ModuleNode[]): string | undefined {
  for (const base of classNode.childForFieldName('superclasses')?.namedChildren ?? []) {
    const m = /^((?:[A-Za-z_]\w*\.)*)Module$/.exec(base.text);
    if (m && m[1]) return m[1];
  }
  for (const mod of modules) {
    if (mod.origin !== 'torch.nn') continue;
    const m = /^((?:[A-Za-z_]\w*\.)+)[A-Z]\w*\s*\(/.exec(mod.expr);
    if (m) return m[1];
  }
  return undefined;
}

/** Methods of a list or dict that `nn.ModuleList` / `nn.ModuleDict` do not have. */
const LIST_ONLY = /^(?:sort|remove|index|count|reverse|copy|clear)$/;
const DICT_ONLY = /^(?:get|setdefault|copy|popitem|clear)$/;

/**
 * Wraps the assigned container in `nn.ModuleList(...)` / `nn.ModuleDict(...)`, when the assignment
 * has a literal or comprehension, the file names `torch.nn`, and the code never uses the attribute
 * in a way the module container does not support.
 */
function wrapFix(entry: PlainContainerAttribute, kind: 'list' | 'tuple' | 'dict', prefix: string | undefined, text: string): { edit: TextEdit; name: string } | undefined {
  const v = entry.valueNode;
  if (!v || prefix === undefined) return undefined;
  const literal = kind === 'dict' ? ['dictionary', 'dictionary_comprehension'] : ['list', 'list_comprehension', 'tuple'];
  if (!literal.includes(v.type)) return undefined;
  if (kind === 'dict') {
    // nn.ModuleDict takes string keys without dots only.
    if (entry.value.kind !== 'dict' || !entry.value.exact || entry.value.entries.some((e) => e.key === null || e.key === '' || e.key.includes('.'))) return undefined;
  }
  const uses = new RegExp(String.raw`\.${entry.attr}\s*\.\s*(\w+)\s*\(`, 'g');
  for (const m of text.matchAll(uses)) if ((kind === 'dict' ? DICT_ONLY : LIST_ONLY).test(m[1])) return undefined;
  // `self.layers + [...]`, `self.heads | {...}`: plain-container arithmetic.
  if (new RegExp(String.raw`\.${entry.attr}\s*[+|*]`).test(text)) return undefined;
  const empty = v.namedChildren.filter((c) => c.type !== 'comment').length === 0;
  const name = `${prefix}${kind === 'dict' ? 'ModuleDict' : 'ModuleList'}`;
  // A tuple becomes a list: `nn.ModuleList([a, b])` rather than `nn.ModuleList((a, b))`.
  const items = v.type === 'tuple' ? `[${v.text.slice(1, -1)}]` : v.text;
  return { edit: { range: nodeRange(v), newText: empty ? `${name}()` : `${name}(${items})` }, name };
}
