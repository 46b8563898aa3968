/**
 * Parameter shapes of `torch.nn` leaf modules, computed from constructor arguments the walker
 * could evaluate to numbers (as `torch.nn` computes them in each class's `__init__`, torch 1.13 and
 * 2.x alike). A shape is undefined when an argument it depends on is not a known number, so
 * parameter counts are only ever exact.
 */
import type { CallArgs } from './modules';
import type { Value } from './values';

export type Shape = number[];

/** What is known of one parameter's shape. */
export interface ParamShape {
  shape?: Shape;
  ndim?: number;
}

/** Reads a constructor argument by keyword or by its position in `signature`. */
export function argumentOf(args: CallArgs, signature: readonly string[] | null | undefined, name: string): Value | undefined {
  const kw = args.keywords.get(name);
  if (kw) return kw;
  const i = signature ? signature.indexOf(name) : -1;
  return i >= 0 ? args.positional[i] : undefined;
}

function int(v: Value | undefined, fallback?: number): number | undefined {
  if (v === undefined) return fallback;
  if (v.kind === 'number' && v.isInt && v.value >= 0) return v.value;
  if (v.kind === 'bool') return v.value ? 1 : 0;
  return undefined;
}

/** An int or a tuple/list of ints (`kernel_size=3`, `kernel_size=(3, 5)`), expanded to `dims` values. */
function ints(v: Value | undefined, dims: number): number[] | undefined {
  if (v === undefined) return undefined;
  if (v.kind === 'number') {
    const n = int(v);
    return n === undefined ? undefined : new Array<number>(dims).fill(n);
  }
  if (v.kind === 'list' && v.exact && v.flavor !== 'set') {
    const out = v.items.map((i) => int(i));
    if (out.some((n) => n === undefined)) return undefined;
    return out as number[];
  }
  return undefined;
}

/**
 * Shapes of the parameters a module registers, keyed by the name `named_parameters()` gives them
 * (`weight`, `out_proj.weight`). Names missing from the map have an unknown shape.
 */
export function paramShapes(className: string, args: CallArgs, signature: readonly string[] | null | undefined): Map<string, ParamShape> {
  const a = (name: string): Value | undefined => argumentOf(args, signature, name);
  const out = new Map<string, ParamShape>();
  const set = (name: string, shape: (number | undefined)[] | undefined): void => {
    out.set(name, { shape: shape && shape.every((d) => d !== undefined) ? (shape as number[]) : undefined, ndim: shape?.length });
  };
  if (className === 'Linear') {
    const i = int(a('in_features'));
    const o = int(a('out_features'));
    set('weight', [o, i]);
    set('bias', [o]);
    return out;
  }
  if (className === 'Bilinear') {
    const o = int(a('out_features'));
    set('weight', [o, int(a('in1_features')), int(a('in2_features'))]);
    set('bias', [o]);
    return out;
  }
  const conv = /^Conv(Transpose)?([123])d$/.exec(className);
  if (conv) {
    const dims = Number(conv[2]);
    const inC = int(a('in_channels'));
    const outC = int(a('out_channels'));
    const groups = int(a('groups'), 1);
    const k = ints(a('kernel_size'), dims);
    const divide = (c: number | undefined): number | undefined =>
      c === undefined || groups === undefined || groups === 0 || c % groups !== 0 ? undefined : c / groups;
    const kernel = k && k.length === dims ? k : undefined;
    // Conv: (out, in/groups, *k); ConvTranspose: (in, out/groups, *k).
    const lead = conv[1] ? [inC, divide(outC)] : [outC, divide(inC)];
    set('weight', kernel ? [...lead, ...kernel] : undefined);
    set('bias', [outC]);
    return out;
  }
  if (className === 'Embedding' || className === 'EmbeddingBag') {
    set('weight', [int(a('num_embeddings')), int(a('embedding_dim'))]);
    return out;
  }
  if (className === 'LayerNorm') {
    const v = a('normalized_shape');
    const shape = v?.kind === 'number' ? ints(v, 1) : ints(v, 0);
    // A list whose sizes are unknown still tells the number of dimensions.
    const ndim = shape?.length ?? (v?.kind === 'list' && v.exact ? v.items.length : undefined);
    for (const name of ['weight', 'bias']) out.set(name, { shape, ndim });
    return out;
  }
  if (/^(BatchNorm[123]d|SyncBatchNorm|InstanceNorm[123]d)$/.test(className)) {
    const c = int(a('num_features'));
    set('weight', [c]);
    set('bias', [c]);
    return out;
  }
  if (className === 'GroupNorm') {
    const c = int(a('num_channels'));
    set('weight', [c]);
    set('bias', [c]);
    return out;
  }
  if (className === 'PReLU') {
    set('weight', [int(a('num_parameters'), 1)]);
    return out;
  }
  return out;
}

/** Dimensions of a parameter where they do not depend on the arguments (drives `p.ndim < 2`). */
export function fixedNdim(className: string, paramName: string): number | undefined {
  const leafName = paramName.split('.').pop()!;
  if (leafName === 'bias' || leafName.startsWith('bias_')) return leafName.startsWith('bias_k') || leafName.startsWith('bias_v') ? 3 : 1;
  const conv = /^ConvTranspose([123])d$|^Conv([123])d$|^LazyConv(?:Transpose)?([123])d$/.exec(className);
  if (conv) return leafName === 'weight' ? Number(conv[1] ?? conv[2] ?? conv[3]) + 2 : undefined;
  // LayerNorm's weight has as many dimensions as `normalized_shape`; when that argument is not
  // known, an int (one dimension) is by far the common case.
  if (/Norm|PReLU/.test(className)) return 1;
  if (/^(Linear|LazyLinear|Embedding|EmbeddingBag)$/.test(className)) return leafName === 'weight' ? 2 : undefined;
  if (className === 'Bilinear') return leafName === 'weight' ? 3 : undefined;
  if (leafName.includes('weight')) {
    if (/^(RNN|LSTM|GRU|RNNCell|LSTMCell|GRUCell|MultiheadAttention)$/.test(className)) return 2;
    // Inside composite modules (`self_attn.in_proj_weight`, `linear1.weight`, `norm1.weight`).
    if (/^(norm\d*|layer_norm)$/.test(paramName.split('.').slice(-2, -1)[0] ?? '')) return 1;
    if (/^(Transformer(Encoder|Decoder)?Layer|AdaptiveLogSoftmaxWithLoss)$/.test(className)) return 2;
  }
  return undefined;
}
