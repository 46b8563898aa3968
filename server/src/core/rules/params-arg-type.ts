import type { ModuleNode } from '../model';
import { defineRule } from './define';
import { insertAfter, optimizerLabel, moduleTypeLabel } from './helpers';

/**
 * `torch.typename()` of common `torch.nn` classes, which PyTorch puts in its error message: the
 * submodule of `torch.nn.modules` each class is defined in (read from `cls.__module__`, torch 1.13.1).
 */
const NN_SUBMODULES: Record<string, string> = Object.fromEntries(
  Object.entries({
    activation: 'CELU ELU GELU GLU Hardshrink Hardsigmoid Hardswish Hardtanh LeakyReLU LogSigmoid LogSoftmax Mish MultiheadAttention PReLU RReLU ReLU ReLU6 SELU SiLU Sigmoid Softmax Softmax2d Softmin Softplus Softshrink Softsign Tanh Tanhshrink Threshold',
    batchnorm: 'BatchNorm1d BatchNorm2d BatchNorm3d SyncBatchNorm',
    container: 'ModuleDict ModuleList ParameterDict ParameterList Sequential',
    conv: 'Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d',
    dropout: 'AlphaDropout Dropout Dropout1d Dropout2d Dropout3d FeatureAlphaDropout',
    flatten: 'Flatten Unflatten',
    instancenorm: 'InstanceNorm1d InstanceNorm2d InstanceNorm3d',
    linear: 'Bilinear Identity LazyLinear Linear',
    normalization: 'GroupNorm LayerNorm LocalResponseNorm',
    pooling: 'AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d AvgPool1d AvgPool2d AvgPool3d MaxPool1d MaxPool2d MaxPool3d',
    rnn: 'GRU GRUCell LSTM LSTMCell RNN RNNCell',
    sparse: 'Embedding EmbeddingBag',
    transformer: 'Transformer TransformerDecoder TransformerDecoderLayer TransformerEncoder TransformerEncoderLayer',
    upsampling: 'Upsample UpsamplingBilinear2d UpsamplingNearest2d',
  }).flatMap(([submodule, classes]) => classes.split(' ').map((c) => [c, `torch.nn.modules.${submodule}.${c}`])),
);

/** What PyTorch raises for an iterable module: it iterates the children and rejects the first. */
function childTypeError(m: ModuleNode): string {
  const first = [...m.children.values()][0];
  const typename = first && first.origin === 'torch.nn' ? NN_SUBMODULES[first.type] : undefined;
  return typename
    ? `TypeError: optimizer can only optimize Tensors, but one of the params is ${typename}`
    : 'TypeError: optimizer can only optimize Tensors';
}

const EMPTY_LIST = 'ValueError: optimizer got an empty parameter list';
const KEY_ERROR = 'TypeError: optimizer can only optimize Tensors, but one of the params is str';

/**
 * What PyTorch raises for an `nn.ModuleDict` / `nn.ParameterDict`: iterating one gives its keys,
 * so the first key is rejected (an empty one gives no parameters at all). Backticks included.
 */
function keyedError(m: ModuleNode): string {
  if (keyedIsEmpty(m) === false) return `\`${KEY_ERROR}\``;
  return `\`${KEY_ERROR}\` (\`${EMPTY_LIST}\` if it is empty)`;
}

/** Whether a ModuleDict/ParameterDict holds nothing; undefined when that cannot be told. */
function keyedIsEmpty(m: ModuleNode): boolean | undefined {
  if (m.type === 'ModuleDict' && m.complete) return m.children.size === 0;
  // The ParameterDict's contents are not modelled: read its constructor call.
  const args = m.node?.type === 'call' ? m.node.childForFieldName('arguments') : null;
  if (!args) return undefined;
  const items = args.namedChildren.filter((c) => c.type !== 'comment');
  if (items.length === 0) return true;
  if (items.length !== 1 || items[0].type !== 'dictionary') return undefined;
  const entries = items[0].namedChildren;
  if (entries.some((c) => c.type === 'pair')) return false;
  return entries.some((c) => c.type === 'dictionary_splat') ? undefined : true;
}

export const paramsArgType = defineRule({
  code: 'OPT106',
  name: 'params-arg-type',
  severity: 'error',
  summary: 'The model (or its unbound `parameters` method) passed where parameters are expected',
  fixTitle: 'Call `.parameters()`',
  fixSafety: 'safe',
  docs: {
    whatItDoes: 'Finds an optimizer given a module (`SGD(model, ...)`) or the method object `model.parameters` instead of the parameters.',
    whyIsThisBad: 'The optimizer iterates its first argument expecting tensors; a module or a method is not that, and the constructor raises before training starts.',
    example: 'optimizer = torch.optim.SGD(model, lr=0.1)',
    useInstead: 'optimizer = torch.optim.SGD(model.parameters(), lr=0.1)',
    runtime:
      "A plain module: `TypeError: 'Net' object is not iterable`; an `nn.Sequential`/`nn.ModuleList` (iterable): `TypeError: optimizer can only optimize Tensors, but one of the params is torch.nn.modules.linear.Linear`; an `nn.ModuleDict`/`nn.ParameterDict` (iterates its keys): `TypeError: optimizer can only optimize Tensors, but one of the params is str`, or `ValueError: optimizer got an empty parameter list` when empty; `model.parameters` uncalled: `TypeError: 'method' object is not iterable` (torch 1.13 and 2.x). An `nn.ParameterList` is accepted: iterating it gives its parameters.",
  },
  check({ model, report }) {
    for (const opt of model.optimizers) {
      const arg = opt.paramsArg;
      if (!arg) continue;
      if (arg.value.kind === 'module') {
        const m = arg.value.module;
        // A module whose class we cannot see (an attribute of an opaque model, a subclass of an
        // imported class that may be an nn.Sequential) may be iterable or not even a module.
        if (m.type === '?' || m.origin === 'unknown' || (m.origin === 'user' && !m.complete)) continue;
        // Iterating an nn.ParameterList gives its parameters: the optimizer accepts it.
        if (m.type === 'ParameterList') continue;
        const iterable = m.type === 'Sequential' || m.type === 'ModuleList';
        // An empty container iterates to nothing: `optimizer got an empty parameter list`, which
        // `.parameters()` would not fix.
        if (iterable && m.children.size === 0) continue;
        const keyed = m.type === 'ModuleDict' || m.type === 'ParameterDict';
        if (keyed && keyedIsEmpty(m) === true) continue;
        const error = iterable
          ? `\`${childTypeError(m)}\``
          : keyed
            ? keyedError(m)
            : `\`TypeError: '${m.type}' object is not iterable\``;
        report({
          node: arg.node,
          message: `\`${arg.node.text}\` is a module (\`${moduleTypeLabel(m)}\`), not its parameters: \`${optimizerLabel(opt)}\` raises ${error}`,
          fix: { edits: [insertAfter(arg.node, '.parameters()')] },
        });
        continue;
      }
      // `model.parameters` without the call.
      if (arg.node.type === 'attribute' && /^(named_)?parameters$/.test(arg.node.childForFieldName('attribute')?.text ?? '')) {
        report({
          node: arg.node,
          message: `\`${arg.node.text}\` is the method itself, not its result: \`${optimizerLabel(opt)}\` raises \`TypeError: 'method' object is not iterable\``,
          fix: { edits: [insertAfter(arg.node, '()')] },
        });
      }
    }
  },
});
