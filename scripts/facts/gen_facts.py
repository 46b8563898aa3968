#!/usr/bin/python3
"""Generate the PyTorch facts tables that optlint's analysis core reads.

Run with the interpreter that has torch (Debian python3-torch / python3-torchvision):

    /usr/bin/python3 scripts/facts/gen_facts.py            # all four tables
    /usr/bin/python3 scripts/facts/gen_facts.py nn tv      # a subset
    /usr/bin/python3 scripts/facts/gen_facts.py --verify   # also cross-check fast model construction

Writes server/src/core/facts/data/{nn-modules,torchvision-models,optimizers,schedulers}.json.
Output is deterministic: sorted object keys, lists in PyTorch's own order, no timestamps.

Everything under a "1.13" key or in nn-modules/torchvision-models is *measured* on the installed
torch. The "2.x" optimizer/scheduler tables and the transformers schedules are *transcribed* from
the reference notes in /work/shared/reference/ (named next to each literal below), because those
versions are not installed here; nothing in them is invented, and values filled in by convention
are listed under "defaultsInferred".
"""

import contextlib
import inspect
import itertools
import json
import math
import os
import subprocess
import sys
import time
import warnings

import torch
import torch.nn as nn
import torch.optim as optim
import torch.optim.lr_scheduler as lr_scheduler
import torch.optim.swa_utils as swa_utils
import torchvision
from torch.optim.optimizer import required as OPTIMIZER_REQUIRED
from torchvision import models as tv_models

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA_DIR = os.path.join(ROOT, "server", "src", "core", "facts", "data")
GENERATED_BY = "scripts/facts/gen_facts.py"
MISTAKES_REF = "/work/shared/reference/pytorch-optimizer-mistakes.md"
SCHED_REF = "/work/shared/reference/lr-scheduler-semantics.md"

warnings.filterwarnings("ignore")
torch.manual_seed(0)


# --------------------------------------------------------------------------------------------
# JSON output: readable diffs without a line per shape element.


def _compact(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def to_json(value, indent=0, width=250):
    """Pretty-print objects and lists one entry per line, but keep any value whose compact form
    fits in `width` characters on a single line (so `["conv1.weight",[64,3,7,7]]` stays one line)."""
    flat = _compact(value)
    if len(flat) + indent <= width or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {to_json(value[k], indent + 1, width)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + to_json(v, indent + 1, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def write_json(name, value):
    path = os.path.join(DATA_DIR, name)
    os.makedirs(DATA_DIR, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(to_json(value) + "\n")
    print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path):,} bytes)", file=sys.stderr)


def to_fact_value(value):
    """Convert a Python default value into JSON. Tuples become lists; the optimizer's `required`
    sentinel becomes {"required": true}; anything without a JSON form becomes {"repr": ...}."""
    if value is OPTIMIZER_REQUIRED:
        return {"required": True}
    if value is inspect.Parameter.empty:
        return {"required": True}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return {"repr": repr(value)}
        return value
    if isinstance(value, (tuple, list)):
        return [to_fact_value(v) for v in value]
    if callable(value):
        return {"repr": getattr(value, "__qualname__", repr(value))}
    return {"repr": repr(value)}


def debian_version(package):
    """The Debian package version, because the Debian build reports torch 1.13.0a0 for 1.13.1."""
    try:
        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=True
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


def torch_stamp():
    return {"torch": torch.__version__, "torchPackage": debian_version("python3-torch")}


# --------------------------------------------------------------------------------------------
# a) torch.nn modules


CONTAINERS = {"Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict", "Container", "DataParallel"}
ABSTRACT = {"Module", "RNNBase", "RNNCellBase"}

# Small valid constructor arguments for classes that cannot be built without arguments.
# Value: (positional args, keyword args) or a zero-argument factory.
CTOR_ARGS = {
    "AdaptiveAvgPool1d": ((1,), {}), "AdaptiveAvgPool2d": ((1,), {}), "AdaptiveAvgPool3d": ((1,), {}),
    "AdaptiveMaxPool1d": ((1,), {}), "AdaptiveMaxPool2d": ((1,), {}), "AdaptiveMaxPool3d": ((1,), {}),
    "AdaptiveLogSoftmaxWithLoss": ((8, 10, [4]), {}),
    "AvgPool1d": ((2,), {}), "AvgPool2d": ((2,), {}), "AvgPool3d": ((2,), {}),
    "BatchNorm1d": ((4,), {}), "BatchNorm2d": ((4,), {}), "BatchNorm3d": ((4,), {}),
    "Bilinear": ((2, 3, 4), {}),
    "ChannelShuffle": ((2,), {}),
    "ConstantPad1d": ((1, 0.0), {}), "ConstantPad2d": ((1, 0.0), {}), "ConstantPad3d": ((1, 0.0), {}),
    "Conv1d": ((3, 4, 3), {}), "Conv2d": ((3, 4, 3), {}), "Conv3d": ((3, 4, 3), {}),
    "ConvTranspose1d": ((3, 4, 3), {}), "ConvTranspose2d": ((3, 4, 3), {}), "ConvTranspose3d": ((3, 4, 3), {}),
    "CrossMapLRN2d": ((3,), {}),
    "DataParallel": lambda: nn.DataParallel(nn.Linear(4, 3)),
    "Embedding": ((10, 4), {}), "EmbeddingBag": ((10, 4), {}),
    "Fold": (((4, 4), 2), {}),
    "FractionalMaxPool2d": ((2,), {"output_size": 2}), "FractionalMaxPool3d": ((2,), {"output_size": 2}),
    "GroupNorm": ((2, 4), {}),
    "GRU": ((4, 4), {}), "GRUCell": ((4, 4), {}),
    "InstanceNorm1d": ((4,), {}), "InstanceNorm2d": ((4,), {}), "InstanceNorm3d": ((4,), {}),
    "LPPool1d": ((2, 2), {}), "LPPool2d": ((2, 2), {}),
    "LSTM": ((4, 4), {}), "LSTMCell": ((4, 4), {}),
    "LayerNorm": ((4,), {}),
    "LazyConv1d": ((4, 3), {}), "LazyConv2d": ((4, 3), {}), "LazyConv3d": ((4, 3), {}),
    "LazyConvTranspose1d": ((4, 3), {}), "LazyConvTranspose2d": ((4, 3), {}), "LazyConvTranspose3d": ((4, 3), {}),
    "LazyLinear": ((3,), {}),
    "Linear": ((4, 3), {}),
    "LocalResponseNorm": ((2,), {}),
    "MaxPool1d": ((2,), {}), "MaxPool2d": ((2,), {}), "MaxPool3d": ((2,), {}),
    "MaxUnpool1d": ((2,), {}), "MaxUnpool2d": ((2,), {}), "MaxUnpool3d": ((2,), {}),
    "MultiheadAttention": ((4, 2), {}),
    "PixelShuffle": ((2,), {}), "PixelUnshuffle": ((2,), {}),
    "RNN": ((4, 4), {}), "RNNCell": ((4, 4), {}),
    "RNNBase": (("LSTM", 4, 4), {}), "RNNCellBase": ((4, 4, True, 4), {}),
    "ReflectionPad1d": ((1,), {}), "ReflectionPad2d": ((1,), {}), "ReflectionPad3d": ((1,), {}),
    "ReplicationPad1d": ((1,), {}), "ReplicationPad2d": ((1,), {}), "ReplicationPad3d": ((1,), {}),
    "SyncBatchNorm": ((4,), {}),
    "Threshold": ((0.1, 0.0), {}),
    "Transformer": ((), {"d_model": 8, "nhead": 2, "num_encoder_layers": 1, "num_decoder_layers": 1,
                         "dim_feedforward": 16}),
    "TransformerEncoderLayer": ((8, 2, 16), {}), "TransformerDecoderLayer": ((8, 2, 16), {}),
    "TransformerEncoder": ((nn.TransformerEncoderLayer(8, 2, 16), 1), {}),
    "TransformerDecoder": ((nn.TransformerDecoderLayer(8, 2, 16), 1), {}),
    "Unflatten": ((1, (2, 2)), {}),
    "Unfold": ((2,), {}),
    "ZeroPad2d": ((1,), {}),
}

MODULE_NOTES = {
    "TransformerEncoder": "parameters are num_layers deep copies of encoder_layer (plus norm, if given)",
    "TransformerDecoder": "parameters are num_layers deep copies of decoder_layer (plus norm, if given)",
    "DataParallel": "wrapper: its parameters are the wrapped module's (under `module.`)",
    "Container": "deprecated alias of a plain Module container",
    "Sequential": "parameters are those of its contents",
    "ModuleList": "parameters are those of its contents",
    "ModuleDict": "parameters are those of its contents",
    "ParameterList": "holds Parameters directly; has parameters iff non-empty",
    "ParameterDict": "holds Parameters directly; has parameters iff non-empty",
    "Module": "base class: parameters are whatever a subclass registers",
    "RNNBase": "base class of RNN/LSTM/GRU",
    "RNNCellBase": "base class of RNNCell/LSTMCell/GRUCell",
}

# torch 2.x modules absent from 1.13, so they cannot be measured here. Only those that
# pytorch-optimizer-mistakes.md §8 item 1 names, with what it states (measured on torch 2.13).
MODULES_FROM_REFERENCE = {
    "RMSNorm": {"params": "conditional", "paramNames": ["weight"],
                "note": "not in torch 1.13; reference §8 item 1 (torch 2.13) lists it with the conditional norms "
                        "and says 'RMSNorm has 1' parameter by default; it does not name the switch, so no "
                        "condition is recorded"},
    "LinearCrossEntropyLoss": {"params": "always", "paramNames": None,
                               "note": "not in torch 1.13; reference §8 item 1 (torch 2.13): a loss module that "
                                       "owns a Linear, so it has parameters; parameter names not stated"},
    "ZeroPad1d": {"params": "never", "paramNames": [],
                  "note": "not in torch 1.13; reference §8 item 1 (torch 2.13): ZeroPad* verified to have 0 parameters"},
    "ZeroPad3d": {"params": "never", "paramNames": [],
                  "note": "not in torch 1.13; reference §8 item 1 (torch 2.13): ZeroPad* verified to have 0 parameters"},
}


# RNN/LSTM/GRU.__init__(self, *args, **kwargs) forward to RNNBase.__init__(mode, *args, **kwargs)
# (torch/nn/modules/rnn.py); RNN pops `nonlinearity` from kwargs first, so it is keyword-only.
FORWARDED_SIGNATURES = {
    "RNN": (nn.RNNBase, {"nonlinearity": "tanh"}),
    "LSTM": (nn.RNNBase, {}),
    "GRU": (nn.RNNBase, {}),
}


def init_signature(cls):
    """Positional-or-keyword names of __init__ after self, the keyword-only names, and defaults."""
    target, extra_keyword_only = FORWARDED_SIGNATURES.get(cls.__name__, (cls, {}))
    try:
        sig = inspect.signature(target.__init__)
    except (TypeError, ValueError):
        return None, [], {}
    params = list(sig.parameters.values())[1:]
    if target is not cls:
        params = params[1:]  # `mode` is supplied by the subclass
        params += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d) for n, d in extra_keyword_only.items()]
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    keyword_only = [p.name for p in params if p.kind == p.KEYWORD_ONLY]
    defaults = {p.name: p.default for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    return positional, keyword_only, defaults


def construct(name, cls, overrides=None):
    spec = CTOR_ARGS.get(name, ((), {}))
    if callable(spec):
        if overrides:
            raise TypeError("factory-built module takes no overrides")
        return spec()
    args, kwargs = spec
    return cls(*args, **{**kwargs, **(overrides or {})})


def describe_ctor(name):
    spec = CTOR_ARGS.get(name, ((), {}))
    if callable(spec):
        return {"DataParallel": "DataParallel(Linear(4, 3))"}.get(name, name + "(...)")
    args, kwargs = spec
    parts = [type(a).__name__ + "(...)" if isinstance(a, nn.Module) else repr(a) for a in args]
    parts += [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def param_names(module, recurse):
    return [n for n, _ in module.named_parameters(recurse=recurse)]


def names_or_never(names):
    return names if names else "never"


def module_fact(name, cls):
    positional, keyword_only, sig_defaults = init_signature(cls)
    fact = {"signature": positional, "conditions": []}
    if keyword_only:
        fact["keywordOnly"] = keyword_only
    if name in MODULE_NOTES:
        fact["note"] = MODULE_NOTES[name]
    if name.startswith("Lazy"):
        fact["lazy"] = True

    if name in CONTAINERS or name in ABSTRACT:
        fact.update({"container": True, "params": "conditional", "paramNames": [], "measured": False})
        if name in ABSTRACT:
            fact["abstract"] = True
        return fact

    try:
        module = construct(name, cls)
    except Exception as exc:  # noqa: BLE001 - left out rather than guessed; add a CTOR_ARGS entry
        print(f"WARNING: nn.{name} left out: could not construct: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None

    default_all = param_names(module, recurse=True)
    fact["measuredWith"] = describe_ctor(name)
    fact["paramNames"] = param_names(module, recurse=False)
    if default_all != fact["paramNames"]:
        fact["allParamNames"] = default_all

    # Flip every boolean-defaulted argument, one at a time, and keep those that change the
    # parameter set: this finds bias/affine/elementwise_affine/add_bias_kv without a hand list.
    variants = [default_all]
    for arg, default in sig_defaults.items():
        if not isinstance(default, bool):
            continue
        try:
            flipped = param_names(construct(name, cls, {arg: not default}), recurse=True)
        except Exception:  # noqa: BLE001 - an invalid combination is simply not a condition
            continue
        if flipped == default_all:
            continue
        variants.append(flipped)
        truthy, falsy = (default_all, flipped) if default else (flipped, default_all)
        fact["conditions"].append({
            "arg": arg,
            "position": positional.index(arg) if arg in positional else None,
            "default": default,
            "whenTruthy": names_or_never(truthy),
            "whenFalsy": names_or_never(falsy),
        })
    # Flags can interact (LSTM bidirectional=True adds bias_*_reverse only while bias=True), so
    # every combination of two or more flipped flags is measured too.
    flipped_args = {c["arg"]: not c["default"] for c in fact["conditions"]}
    combinations = []
    for size in range(2, len(flipped_args) + 1):
        for subset in itertools.combinations(flipped_args, size):
            overrides = {arg: flipped_args[arg] for arg in subset}
            names = param_names(construct(name, cls, overrides), recurse=True)
            combinations.append({"args": overrides, "params": names_or_never(names)})
            variants.append(names)
    if combinations:
        fact["combinations"] = combinations

    has = [bool(v) for v in variants]
    fact["params"] = "always" if all(has) else "never" if not any(has) else "conditional"
    fact["measured"] = True
    return fact


def gen_nn_modules():
    names = sorted(
        n for n in dir(nn)
        if not n.startswith("_") and inspect.isclass(getattr(nn, n)) and issubclass(getattr(nn, n), nn.Module)
    )
    modules = {}
    for name in names:
        fact = module_fact(name, getattr(nn, name))
        if fact is not None:
            modules[name] = fact
    for name, fact in MODULES_FROM_REFERENCE.items():
        assert name not in modules, f"{name} exists in this torch: measure it instead"
        modules[name] = {"signature": None, "conditions": [], "measured": False, "since": "2.x",
                         "source": MISTAKES_REF + " §8 item 1", **fact}
    return {**torch_stamp(), "generatedBy": GENERATED_BY, "modules": modules}


# --------------------------------------------------------------------------------------------
# b) torchvision models

# The task's required list; every other classification builder in this torchvision is added too.
REQUIRED_MODELS = [
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "wide_resnet50_2",
    "vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn", "alexnet",
    "densenet121", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large",
    *[f"efficientnet_b{i}" for i in range(8)], "efficientnet_v2_s", "vit_b_16", "vit_b_32", "vit_l_16",
    "convnext_tiny", "convnext_small", "convnext_base", "swin_t", "regnet_y_400mf", "squeezenet1_0",
    "shufflenet_v2_x1_0", "googlenet", "inception_v3",
]
# init_weights=False only skips scipy's truncated-normal init; the module tree is unchanged.
MODEL_KWARGS = {"googlenet": {"init_weights": False}, "inception_v3": {"init_weights": False}}
CHILD_DEPTH = 3
REPR_MAX = 200


@contextlib.contextmanager
def skip_init():
    """Make torch.nn.init and the in-place random fills no-ops while building models.

    Initialisation is most of the construction time (trunc_normal_ on 300M-parameter models) and
    never changes the module tree or parameter shapes. torch 1.13 has no `with torch.device('meta')`,
    so this is the cheap equivalent. `--verify` rebuilds some models normally and compares."""
    noop = lambda tensor, *a, **k: tensor  # noqa: E731
    targets = [(nn.init, n) for n in dir(nn.init) if n.endswith("_") and not n.startswith("_")]
    targets += [(torch.Tensor, n) for n in ("normal_", "uniform_")
                if hasattr(torch.Tensor, n)]
    saved = [(obj, n, getattr(obj, n)) for obj, n in targets]
    for obj, n, _ in saved:
        setattr(obj, n, noop)
    try:
        yield
    finally:
        for obj, n, fn in saved:
            setattr(obj, n, fn)


def numel(params):
    return sum(p.numel() for p in params)


def child_fact(name, module, depth):
    fact = {"name": name, "type": type(module).__name__, "numParams": numel(module.parameters())}
    children = list(module.named_children())
    own = numel(module.parameters(recurse=False))
    if own and children:  # a leaf's own count is its numParams
        fact["ownNumParams"] = own
    if not children:
        text = repr(module)
        fact["repr"] = text if len(text) <= REPR_MAX else text[: REPR_MAX - 3] + "..."
    elif depth < CHILD_DEPTH:
        fact["children"] = [child_fact(n, c, depth + 1) for n, c in children]
    else:
        fact["truncated"] = True
    return fact


def build_model(ctor, fast=True):
    kwargs = {"weights": None, **MODEL_KWARGS.get(ctor, {})}
    with torch.no_grad(), (skip_init() if fast else contextlib.nullcontext()):
        return tv_models.get_model(ctor, **kwargs), kwargs


# Builder keywords that may leave every parameter as it is, each with a value other than its
# default; model_fact keeps those that, measured on that model, change no parameter name or shape.
PARAMETER_FREE_CANDIDATES = {
    "progress": False, "dropout": 0.3, "attention_dropout": 0.3, "stochastic_depth_prob": 0.3,
    "zero_init_residual": True, "transform_input": True, "memory_efficient": True, "drop_rate": 0.3,
    "init_weights": None,  # the other value of the model's default (it only chooses the init)
}
NUM_CLASSES_PROBE = 7


def shapes(model):
    return [(n, list(p.shape)) for n, p in model.named_parameters()]


def builder_keywords(ctor, model):
    """The keywords the builder passes on to the model class (the class's own __init__ arguments)."""
    return {n: p.default for n, p in inspect.signature(type(model).__init__).parameters.items()
            if n != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


@contextlib.contextmanager
def offline_weights():
    """Build with `weights=` set, without downloading: the state dict is empty and not loaded.

    What the builder does around the weights (torchvision's googlenet drops its auxiliary heads
    unless aux_logits=True is asked for) is what is measured; the values do not matter."""
    from torchvision.models._api import WeightsEnum
    saved = (WeightsEnum.get_state_dict, nn.Module.load_state_dict)
    WeightsEnum.get_state_dict = lambda self, *a, **k: {}
    nn.Module.load_state_dict = lambda self, *a, **k: None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        WeightsEnum.get_state_dict, nn.Module.load_state_dict = saved


def build_with(ctor, **kwargs):
    with torch.no_grad(), skip_init():
        return tv_models.get_model(ctor, **{**MODEL_KWARGS.get(ctor, {}), **kwargs})


def removed_children(default, other):
    """Children of `default` that `other` lacks, when that is the only difference; else None."""
    names = [n for n, _ in other.named_children()]
    gone = [n for n, _ in default.named_children() if n not in names]
    kept = [(n, s) for n, s in shapes(default) if n.split(".")[0] not in gone]
    return gone if kept == shapes(other) else None


def builder_facts(ctor, model):
    """How the builder's keywords change the parameters (measured; see TorchvisionModelFact)."""
    default = shapes(model)
    keywords = builder_keywords(ctor, model)
    free = []
    for name, value in PARAMETER_FREE_CANDIDATES.items():
        if name != "progress" and name not in keywords:
            continue
        if value is None:
            value = not keywords[name] if isinstance(keywords[name], bool) else False
        try:
            same = shapes(build_with(ctor, weights=None, **{name: value})) == default
        except TypeError:  # the builder sets it itself (efficientnet's dropout)
            continue
        if same:
            free.append(name)
    out = {"parameterFreeKeywords": free}
    if "num_classes" in keywords:
        probe = shapes(build_with(ctor, weights=None, num_classes=NUM_CLASSES_PROBE))
        assert [n for n, _ in probe] == [n for n, _ in default], f"{ctor}: num_classes changes names"
        axes = []
        for (n, a), (_, b) in zip(default, probe):
            if a == b:
                continue
            diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
            assert len(a) == len(b) and len(diff) == 1 and b[diff[0]] == NUM_CLASSES_PROBE, f"{ctor}: {n} {a} -> {b}"
            assert a[diff[0]] == keywords["num_classes"], f"{ctor}: {n} {a}"
            axes.append([n, diff[0]])
        out["numClasses"] = {"default": keywords["num_classes"], "axes": axes}
    if "aux_logits" in keywords:
        gone = removed_children(model, build_with(ctor, weights=None, aux_logits=False))
        assert gone, f"{ctor}: aux_logits=False changes more than whole children"
        out["auxLogits"] = {"default": keywords["aux_logits"], "children": gone}
    # Each weights= value, and the legacy pretrained=True: the children it removes, or None when
    # it changes parameters otherwise (vit_h_14's SWAG weights are for 518-pixel images). Only
    # the ones that change something are listed.
    enum = tv_models.get_model_weights(ctor)
    differ = {}
    variants = [(w.name, {"weights": w}) for w in enum] + [("pretrained=True", {"pretrained": True})]
    for label, kw in variants:
        with offline_weights():
            try:
                built = build_with(ctor, **kw)
            except ValueError:  # pretrained=True where no weights are available: it raises
                continue
        if shapes(built) != default:
            differ[label] = removed_children(model, built)
    out["weights"] = {"DEFAULT": enum.DEFAULT.name, "members": [w.name for w in enum], "differ": differ}
    return out


def model_fact(ctor):
    model, kwargs = build_model(ctor)
    named = list(model.named_parameters())  # deduplicated, like the optimizer sees them
    fact = {
        "class": type(model).__name__,
        "builder": f"torchvision.models.{ctor}",
        "constructedWith": {k: v for k, v in kwargs.items()},
        "numParams": numel(p for _, p in named),
        "ownNumParams": numel(model.parameters(recurse=False)),
        "children": [child_fact(n, c, 1) for n, c in model.named_children()],
        "parameters": [[n, list(p.shape)] for n, p in named],
        "builderKeywords": builder_facts(ctor, model),
    }
    return fact


def gen_torchvision(verify=False):
    ctors = sorted(set(REQUIRED_MODELS) | set(tv_models.list_models(module=tv_models)))
    models = {}
    for ctor in ctors:
        started = time.time()
        models[ctor] = model_fact(ctor)
        print(f"  {ctor}: {models[ctor]['numParams']:,} params, {time.time() - started:.2f}s", file=sys.stderr)
    if verify:
        for ctor in ("resnet18", "vit_b_16", "efficientnet_b0", "convnext_tiny", "swin_t", "inception_v3"):
            model, _ = build_model(ctor, fast=False)
            real = [[n, list(p.shape)] for n, p in model.named_parameters()]
            assert real == models[ctor]["parameters"], f"{ctor}: fast construction differs"
            print(f"  verified {ctor} against a normal construction", file=sys.stderr)
    return {
        **torch_stamp(),
        "torchvision": torchvision.__version__,
        "torchvisionPackage": debian_version("python3-torchvision"),
        "generatedBy": GENERATED_BY,
        "childDepth": CHILD_DEPTH,
        "models": models,
    }


# --------------------------------------------------------------------------------------------
# c) optimizers


def optimizer_classes():
    return sorted(
        n for n in dir(optim)
        if inspect.isclass(getattr(optim, n)) and issubclass(getattr(optim, n), optim.Optimizer)
        and n != "Optimizer"
    )


def measured_optimizer_fact(name):
    cls = getattr(optim, name)
    sig = inspect.signature(cls.__init__)
    params = [p for p in list(sig.parameters.values())[1:] if p.name != "params"]
    positional = [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    keyword_only = [p.name for p in params if p.kind == p.KEYWORD_ONLY]
    required = [p.name for p in params if p.default is OPTIMIZER_REQUIRED or p.default is p.empty]
    # Build on one parameter; a required option (SGD's lr in 1.13) gets a placeholder and is
    # then reported as {"required": true}, which is what the `required` sentinel means.
    placeholder = {n: 0.1 for n in required}
    opt = cls([nn.Parameter(torch.zeros(2, 2))], **placeholder)
    defaults = {k: to_fact_value(v) for k, v in opt.defaults.items()}
    for n in required:
        defaults[n] = {"required": True}
    fact = {
        "positional": positional,
        "keywordOnly": keyword_only,
        "defaults": defaults,
        "groupKeys": list(opt.defaults.keys()),
        "hasMomentum": "momentum" in opt.defaults,
        "hasBetas": "betas" in opt.defaults,
    }
    if required:
        fact["required"] = required
    differs = {p.name: to_fact_value(p.default) for p in params
               if p.name in opt.defaults and p.name not in required
               and to_fact_value(p.default) != defaults[p.name]}
    if differs:
        fact["signatureDefaults"] = differs
    not_in_group = [p.name for p in params if p.name not in opt.defaults]
    if not_in_group:
        fact["argsNotInGroup"] = not_in_group
    return fact


# Transcribed from pytorch-optimizer-mistakes.md §5 "Optimizer reference (torch 2.13.0
# torch.optim.__all__)", measured there on torch 2.13.0 by building each optimizer without lr.
# Where a §5 row elides defaults with "…", the elided names come from its positional/keyword-only
# columns and their values follow the rows that do list them (foreach=None, maximize=False,
# capturable=False, differentiable=False, fused=None) and the 1.13 measurement; such keys are
# listed in "defaultsInferred". A bare "betas" (NAdam, RAdam, SparseAdam) likewise takes
# (0.9, 0.999), as measured for those classes in 1.13.
_B = (0.9, 0.999)
OPTIMIZERS_2X = {
    "SGD": dict(
        positional=["lr", "momentum", "dampening", "weight_decay", "nesterov"],
        keywordOnly=["maximize", "foreach", "differentiable", "fused"],
        defaults=dict(lr=0.001, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False,
                      foreach=None, differentiable=False, fused=None),
        notes=["nesterov needs momentum>0 and dampening=0",
               "lr was required (no default) in torch <= 2.1; default 1e-3 from 2.2"]),
    "Adam": dict(
        positional=["lr", "betas", "eps", "weight_decay", "amsgrad"],
        keywordOnly=["foreach", "maximize", "capturable", "differentiable", "fused", "decoupled_weight_decay"],
        defaults=dict(lr=0.001, betas=_B, eps=1e-8, weight_decay=0, amsgrad=False, maximize=False, foreach=None,
                      capturable=False, differentiable=False, fused=None, decoupled_weight_decay=False),
        notes=["weight_decay is L2 unless decoupled"]),
    "AdamW": dict(
        positional=["lr", "betas", "eps", "weight_decay", "amsgrad"],
        keywordOnly=["maximize", "foreach", "capturable", "differentiable", "fused"],
        defaults=dict(lr=0.001, betas=_B, eps=1e-8, weight_decay=0.01, amsgrad=False, maximize=False, foreach=None,
                      capturable=False, differentiable=False, fused=None, decoupled_weight_decay=True),
        notes=["subclass of Adam in 2.x", "decoupled_weight_decay=True is a group key but not a constructor arg"]),
    "Adadelta": dict(
        positional=["lr", "rho", "eps", "weight_decay", "foreach"],
        keywordOnly=["capturable", "maximize", "differentiable"],
        defaults=dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, capturable=False, maximize=False,
                      differentiable=False),
        defaultsInferred=["foreach", "capturable", "maximize", "differentiable"],
        notes=["no momentum/betas, so cycle_momentum fails"]),
    "Adagrad": dict(
        positional=["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "foreach"],
        keywordOnly=["maximize", "differentiable", "fused"],
        defaults=dict(lr=0.01, lr_decay=0, eps=1e-10, weight_decay=0, initial_accumulator_value=0, foreach=None,
                      maximize=False, differentiable=False, fused=None),
        defaultsInferred=["foreach", "maximize", "differentiable", "fused"],
        notes=["no momentum/betas"]),
    "Adamax": dict(
        positional=["lr", "betas", "eps", "weight_decay", "foreach"],
        keywordOnly=["maximize", "differentiable", "capturable"],
        defaults=dict(lr=0.002, betas=_B, eps=1e-8, weight_decay=0, foreach=None, maximize=False,
                      differentiable=False, capturable=False),
        defaultsInferred=["foreach", "maximize", "differentiable", "capturable"]),
    "ASGD": dict(
        positional=["lr", "lambd", "alpha", "t0", "weight_decay", "foreach", "maximize", "differentiable",
                    "capturable"],
        keywordOnly=[],
        defaults=dict(lr=0.01, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None, maximize=False,
                      differentiable=False, capturable=False),
        defaultsInferred=["foreach", "maximize", "differentiable", "capturable"],
        notes=["no momentum/betas"]),
    "NAdam": dict(
        positional=["lr", "betas", "eps", "weight_decay", "momentum_decay", "decoupled_weight_decay"],
        keywordOnly=["foreach", "maximize", "capturable", "differentiable"],
        defaults=dict(lr=0.002, betas=_B, eps=1e-8, weight_decay=0, momentum_decay=0.004,
                      decoupled_weight_decay=False, foreach=None, maximize=False, capturable=False,
                      differentiable=False),
        defaultsInferred=["betas", "foreach", "maximize", "capturable", "differentiable"]),
    "RAdam": dict(
        positional=["lr", "betas", "eps", "weight_decay", "decoupled_weight_decay"],
        keywordOnly=["foreach", "maximize", "capturable", "differentiable"],
        defaults=dict(lr=0.001, betas=_B, eps=1e-8, weight_decay=0, decoupled_weight_decay=False, foreach=None,
                      maximize=False, capturable=False, differentiable=False),
        defaultsInferred=["betas", "foreach", "maximize", "capturable", "differentiable"]),
    "RMSprop": dict(
        positional=["lr", "alpha", "eps", "weight_decay", "momentum", "centered", "capturable", "foreach",
                    "maximize", "differentiable"],
        keywordOnly=[],
        defaults=dict(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, capturable=False,
                      foreach=None, maximize=False, differentiable=False),
        defaultsInferred=["capturable", "foreach", "maximize", "differentiable"],
        notes=["3rd positional is alpha"]),
    "Rprop": dict(
        positional=["lr", "etas", "step_sizes"],
        keywordOnly=["capturable", "foreach", "maximize", "differentiable"],
        defaults=dict(lr=0.01, etas=(0.5, 1.2), step_sizes=(1e-6, 50), capturable=False, foreach=None,
                      maximize=False, differentiable=False),
        defaultsInferred=["capturable", "foreach", "maximize", "differentiable"],
        notes=["no weight_decay at all"]),
    "SparseAdam": dict(
        positional=["lr", "betas", "eps", "maximize"],
        keywordOnly=[],
        defaults=dict(lr=0.001, betas=_B, eps=1e-8, maximize=False),
        defaultsInferred=["betas"],
        notes=["no weight_decay", "sparse grads only"]),
    "LBFGS": dict(
        positional=["lr", "max_iter", "max_eval", "tolerance_grad", "tolerance_change", "history_size",
                    "line_search_fn"],
        keywordOnly=[],
        defaults=dict(lr=1, max_iter=20, max_eval=25, tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100,
                      line_search_fn=None),
        notes=["max_eval defaults to max_iter*5//4", "single group only", "step(closure) required"]),
    "Adafactor": dict(
        positional=["lr", "beta2_decay", "eps", "d", "weight_decay"],
        keywordOnly=["foreach", "maximize"],
        defaults=dict(lr=0.01, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, foreach=None,
                      maximize=False),
        defaultsInferred=["foreach", "maximize"],
        notes=["added in a recent 2.x (present in 2.13; absent in 1.13)"]),
    "Muon": dict(
        positional=["lr", "weight_decay", "momentum", "nesterov", "ns_coefficients", "eps", "ns_steps",
                    "adjust_lr_fn"],
        keywordOnly=[],
        defaults=dict(lr=0.001, weight_decay=0.1, momentum=0.95, nesterov=True,
                      ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None),
        notes=["2-D params only", "present in 2.13; absent in 1.13"]),
}


def transcribed_optimizer_fact(spec):
    defaults = {k: to_fact_value(v) for k, v in spec["defaults"].items()}
    fact = {
        "positional": spec["positional"],
        "keywordOnly": spec["keywordOnly"],
        "defaults": defaults,
        "groupKeys": list(spec["defaults"].keys()),
        "hasMomentum": "momentum" in defaults,
        "hasBetas": "betas" in defaults,
    }
    for key in ("defaultsInferred", "notes"):
        if spec.get(key):
            fact[key] = spec[key]
    return fact


def gen_optimizers():
    measured = {name: measured_optimizer_fact(name) for name in optimizer_classes()}
    return {
        "generatedBy": GENERATED_BY,
        "sources": {
            "1.13": {**torch_stamp(), "how": "measured: inspect.signature(__init__) and Optimizer.defaults of "
                                            "each class built on one parameter (required options as {required: true})"},
            "2.x": {"torch": "2.13.0", "how": f"transcribed from {MISTAKES_REF} §5 (measured there on torch 2.13.0); "
                                              "SGD lr default 1e-3 from 2.2; keys in defaultsInferred were elided "
                                              "in §5 and filled from the rows that list them"},
        },
        # Keys every group may carry besides the defaults (reference §5 intro).
        "commonGroupKeys": {"1.13": ["params", "initial_lr"], "2.x": ["params", "param_names", "initial_lr"]},
        "versions": {
            "1.13": measured,
            "2.x": {name: transcribed_optimizer_fact(spec) for name, spec in OPTIMIZERS_2X.items()},
        },
    }


# --------------------------------------------------------------------------------------------
# d) LR schedulers


def scheduler_classes():
    names = sorted(
        n for n in dir(lr_scheduler)
        if not n.startswith("_") and inspect.isclass(getattr(lr_scheduler, n))
        and getattr(getattr(lr_scheduler, n), "__module__", "") == lr_scheduler.__name__
    )
    return [(n, getattr(lr_scheduler, n), "torch.optim.lr_scheduler") for n in names] + [
        ("SWALR", swa_utils.SWALR, "torch.optim.swa_utils")]


def measured_scheduler_fact(cls, module):
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    names = [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    leading = bool(names) and names[0] == "optimizer"
    return {
        "module": module,
        "takesOptimizerFirst": leading,
        "positional": names[1:] if leading else names,
        "keywordOnly": [p.name for p in params if p.kind == p.KEYWORD_ONLY],
        "defaults": {p.name: to_fact_value(p.default) for p in params if p.name != "optimizer"},
        "required": [p.name for p in params if p.default is p.empty and p.name != "optimizer"],
    }


def scheduler_2x(fact_113, name):
    """2.x = 1.13 minus `verbose` (removed in 2.7, PR #147301), per lr-scheduler-semantics.md §4 and
    pytorch-optimizer-mistakes.md §4; ChainedScheduler gained `optimizer=None` (semantics §4)."""
    fact = json.loads(json.dumps(fact_113))
    fact["positional"] = [n for n in fact["positional"] if n != "verbose"]
    fact["keywordOnly"] = [n for n in fact["keywordOnly"] if n != "verbose"]
    fact["defaults"].pop("verbose", None)
    if name == "ChainedScheduler":
        fact["positional"].append("optimizer")
        fact["defaults"]["optimizer"] = None
    return fact


# pytorch-optimizer-mistakes.md §4 "Scheduler reference (torch 2.13 signatures)": the stepping
# convention and chainability columns, transcribed.
SCHEDULER_TRAITS = {
    "LambdaLR": {"stepping": "any", "chainable": False},
    "MultiplicativeLR": {"stepping": "any", "chainable": True},
    "StepLR": {"stepping": "epoch", "chainable": True},
    "MultiStepLR": {"stepping": "epoch", "chainable": True},
    "ConstantLR": {"stepping": "epoch", "chainable": True},
    "LinearLR": {"stepping": "any", "chainable": True},
    "ExponentialLR": {"stepping": "epoch", "chainable": True},
    "SequentialLR": {"stepping": "any", "chainable": "composes"},
    "PolynomialLR": {"stepping": "any", "chainable": True},
    "CosineAnnealingLR": {"stepping": "any", "chainable": True},
    "ChainedScheduler": {"stepping": "any", "chainable": "composes"},
    "ReduceLROnPlateau": {"stepping": "epoch", "chainable": None, "stepTakesMetric": True},
    "CyclicLR": {"stepping": "batch", "chainable": False},
    "CosineAnnealingWarmRestarts": {"stepping": "batch-or-epoch", "chainable": False},
    "OneCycleLR": {"stepping": "batch", "chainable": False},
    "SWALR": {"stepping": "epoch", "chainable": None},
}

_REQ = {"required": True}
# lr-scheduler-semantics.md §6 (transformers src/transformers/optimization.py, 4.57.6 wheel and
# commit 005edacb). Every public schedule function takes (optimizer, ...) and returns a LambdaLR
# stepped once per optimizer update. Functions whose full signature §6 does not give are omitted
# here and appear only in GET_SCHEDULER_NAMES.
HF_FUNCTIONS = {
    "get_constant_schedule": {
        "positional": ["last_epoch"], "defaults": {"last_epoch": -1}, "schedulerName": "constant"},
    "get_constant_schedule_with_warmup": {
        "positional": ["num_warmup_steps", "last_epoch"],
        "defaults": {"num_warmup_steps": _REQ, "last_epoch": -1}, "schedulerName": "constant_with_warmup"},
    "get_linear_schedule_with_warmup": {
        "positional": ["num_warmup_steps", "num_training_steps", "last_epoch"],
        "defaults": {"num_warmup_steps": _REQ, "num_training_steps": _REQ, "last_epoch": -1},
        "schedulerName": "linear"},
    "get_cosine_schedule_with_warmup": {
        "positional": ["num_warmup_steps", "num_training_steps", "num_cycles", "last_epoch"],
        "defaults": {"num_warmup_steps": _REQ, "num_training_steps": _REQ, "num_cycles": 0.5, "last_epoch": -1},
        "schedulerName": "cosine"},
    "get_cosine_with_hard_restarts_schedule_with_warmup": {
        "positional": ["num_warmup_steps", "num_training_steps", "num_cycles", "last_epoch"],
        "defaults": {"num_warmup_steps": _REQ, "num_training_steps": _REQ, "num_cycles": 1, "last_epoch": -1},
        "schedulerName": "cosine_with_restarts"},
    "get_polynomial_decay_schedule_with_warmup": {
        "positional": ["num_warmup_steps", "num_training_steps", "lr_end", "power", "last_epoch"],
        "defaults": {"num_warmup_steps": _REQ, "num_training_steps": _REQ, "lr_end": 1e-7, "power": 1.0,
                     "last_epoch": -1},
        "schedulerName": "polynomial",
        "notes": ["ratios use optimizer.defaults['lr'], not each group's lr",
                  "ValueError if lr_end >= optimizer.defaults['lr']"]},
    "get_inverse_sqrt_schedule": {
        "positional": ["num_warmup_steps", "timescale", "last_epoch"],
        "defaults": {"num_warmup_steps": _REQ, "timescale": None, "last_epoch": -1},
        "schedulerName": "inverse_sqrt",
        "notes": ["timescale None means num_warmup_steps or 10_000"]},
    "get_wsd_schedule": {
        "positional": ["num_warmup_steps", "num_decay_steps", "num_training_steps", "num_stable_steps",
                       "warmup_type", "decay_type", "min_lr_ratio", "num_cycles", "last_epoch"],
        "defaults": {"num_warmup_steps": _REQ, "num_decay_steps": _REQ, "num_training_steps": None,
                     "num_stable_steps": None, "warmup_type": "linear", "decay_type": "cosine", "min_lr_ratio": 0,
                     "num_cycles": 0.5, "last_epoch": -1},
        "schedulerName": "warmup_stable_decay",
        "notes": ["ValueError if neither num_training_steps nor num_stable_steps is given"]},
}
GET_SCHEDULER = {
    "positional": ["name", "optimizer", "num_warmup_steps", "num_training_steps", "scheduler_specific_kwargs"],
    "defaults": {"name": _REQ, "optimizer": _REQ, "num_warmup_steps": None, "num_training_steps": None,
                 "scheduler_specific_kwargs": None},
}
# §6 get_scheduler name table: name -> function and the arguments get_scheduler requires.
GET_SCHEDULER_NAMES = {
    "linear": {"function": "get_linear_schedule_with_warmup", "requires": ["num_warmup_steps", "num_training_steps"]},
    "cosine": {"function": "get_cosine_schedule_with_warmup", "requires": ["num_warmup_steps", "num_training_steps"]},
    "cosine_with_restarts": {"function": "get_cosine_with_hard_restarts_schedule_with_warmup",
                             "requires": ["num_warmup_steps", "num_training_steps"]},
    "polynomial": {"function": "get_polynomial_decay_schedule_with_warmup",
                   "requires": ["num_warmup_steps", "num_training_steps"]},
    "constant": {"function": "get_constant_schedule", "requires": []},
    "constant_with_warmup": {"function": "get_constant_schedule_with_warmup", "requires": ["num_warmup_steps"]},
    "inverse_sqrt": {"function": "get_inverse_sqrt_schedule", "requires": ["num_warmup_steps"]},
    "reduce_lr_on_plateau": {"function": "get_reduce_on_plateau_schedule", "requires": [],
                             "metricDriven": True},
    "cosine_with_min_lr": {"function": "get_cosine_with_min_lr_schedule_with_warmup",
                           "requires": ["num_warmup_steps", "num_training_steps"],
                           "notes": ["needs exactly one of min_lr / min_lr_rate in scheduler_specific_kwargs"]},
    "cosine_warmup_with_min_lr": {"function": "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
                                  "requires": ["num_warmup_steps", "num_training_steps"],
                                  "notes": ["as cosine_with_min_lr, plus warmup_lr_rate"]},
    "warmup_stable_decay": {"function": "get_wsd_schedule", "requires": ["num_warmup_steps"],
                            "notes": ["also num_decay_steps and num_training_steps or num_stable_steps"]},
    "greedy": {"function": "GreedyLR", "requires": [], "metricDriven": True,
               "notes": ["newest transformers only"]},
}


def gen_schedulers():
    measured = {}
    for name, cls, module in scheduler_classes():
        measured[name] = measured_scheduler_fact(cls, module)
    return {
        "generatedBy": GENERATED_BY,
        "sources": {
            "1.13": {**torch_stamp(), "how": "measured: inspect.signature(__init__) of every class in "
                                            "torch.optim.lr_scheduler plus torch.optim.swa_utils.SWALR"},
            "2.x": {"torch": "2.13.0", "how": f"the 1.13 table minus `verbose` (removed in 2.7), ChainedScheduler "
                                              f"with optimizer=None; per {SCHED_REF} §4 and {MISTAKES_REF} §4"},
            "traits": {"torch": "2.13.0", "how": f"stepping/chainable columns of {MISTAKES_REF} §4"},
            "transformers": {"transformers": "4.57.6", "how": f"transcribed from {SCHED_REF} §6 "
                                                              "(transformers is not installed here)"},
        },
        "versions": {
            "1.13": measured,
            "2.x": {name: scheduler_2x(fact, name) for name, fact in measured.items()},
        },
        "traits": SCHEDULER_TRAITS,
        "transformers": {
            "functions": HF_FUNCTIONS,
            "getScheduler": GET_SCHEDULER,
            "getSchedulerNames": GET_SCHEDULER_NAMES,
        },
    }


# --------------------------------------------------------------------------------------------


def main(argv):
    verify = "--verify" in argv
    wanted = [a for a in argv if not a.startswith("--")] or ["nn", "tv", "optim", "sched"]
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    started = time.time()
    if "nn" in wanted:
        write_json("nn-modules.json", gen_nn_modules())
    if "tv" in wanted:
        write_json("torchvision-models.json", gen_torchvision(verify))
    if "optim" in wanted:
        write_json("optimizers.json", gen_optimizers())
    if "sched" in wanted:
        write_json("schedulers.json", gen_schedulers())
    print(f"done in {time.time() - started:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
