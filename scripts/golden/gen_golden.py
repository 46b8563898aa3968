#!/usr/bin/python3
"""Record golden LR traces from real PyTorch for the simulator's bit-exact tests.

Run with Debian's python3-torch (1.13.1):

    /usr/bin/python3 scripts/golden/gen_golden.py > test/golden/lr-traces-torch1.13.json

Each configuration is stored as DATA the TypeScript test turns into a simulator request:
the optimizer (class, effective param-group values, defaults['lr']), the schedulers in
construction order (class name, positional args without the optimizer, kwargs), which
schedulers the loop steps, an optional metric series, and the recorded trace: the lr (and
momentum/beta1 where a scheduler cycles it) of every group at optimizer step i = 0..N-1 of
the standard loop (`optimizer.step(); scheduler.step()`), i.e. the value in effect when step i
runs. Python's json writes floats with repr, so doubles round-trip exactly.

Values are encoded so that Python's int/float distinction survives JSON:
  int -> {"int": "<decimal>"}, float -> number, tuple -> {"tuple": [...]},
  scheduler reference -> {"ref": "<id>"}, lambda -> {"lambda": <pyast JSON>, "source": "..."}.
The pyast JSON follows server/src/core/schedule/pyast.ts.

transformers is not installed here, so its schedule lambdas and factories are transcribed
verbatim below (transformers src/transformers/optimization.py) and run through torch's LambdaLR.
"""
import ast
import functools
import json
import math
import sys
import warnings
from functools import partial

import torch
from torch.optim import SGD, Adam, AdamW, Adagrad
from torch.optim import lr_scheduler as L
from torch.optim.swa_utils import SWALR
from torch.optim.lr_scheduler import LambdaLR, ReduceLROnPlateau

warnings.filterwarnings("ignore")

# ----------------------------------------------------------------------------------------------
# Hugging Face transformers.optimization (verbatim lambdas and factories)


def _get_constant_lambda(_=None):
    return 1


def get_constant_schedule(optimizer, last_epoch=-1):
    return LambdaLR(optimizer, _get_constant_lambda, last_epoch=last_epoch)


def _get_constant_schedule_with_warmup_lr_lambda(current_step: int, *, num_warmup_steps: int):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1.0, num_warmup_steps))
    return 1.0


def get_constant_schedule_with_warmup(optimizer, num_warmup_steps, last_epoch=-1):
    lr_lambda = partial(_get_constant_schedule_with_warmup_lr_lambda, num_warmup_steps=num_warmup_steps)
    return LambdaLR(optimizer, lr_lambda, last_epoch=last_epoch)


def _get_linear_schedule_with_warmup_lr_lambda(current_step: int, *, num_warmup_steps: int, num_training_steps: int):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    return max(0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps)))


def get_linear_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, last_epoch=-1):
    lr_lambda = partial(
        _get_linear_schedule_with_warmup_lr_lambda,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
    )
    return LambdaLR(optimizer, lr_lambda, last_epoch)


def _get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda(
    current_step: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: int
):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    if progress >= 1.0:
        return 0.0
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(num_cycles) * progress) % 1.0))))


def get_cosine_with_hard_restarts_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, num_cycles=1, last_epoch=-1):
    lr_lambda = partial(
        _get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
    )
    return LambdaLR(optimizer, lr_lambda, last_epoch)


def _get_polynomial_decay_schedule_with_warmup_lr_lambda(
    current_step: int, *, num_warmup_steps: int, num_training_steps: int, lr_end: float, power: float, lr_init: int,
):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    elif current_step > num_training_steps:
        return lr_end / lr_init  # as LambdaLR multiplies by lr_init
    else:
        lr_range = lr_init - lr_end
        decay_steps = num_training_steps - num_warmup_steps
        pct_remaining = 1 - (current_step - num_warmup_steps) / decay_steps
        decay = lr_range * pct_remaining**power + lr_end
        return decay / lr_init  # as LambdaLR multiplies by lr_init


def get_polynomial_decay_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, lr_end=1e-7, power=1.0, last_epoch=-1):
    lr_init = optimizer.defaults["lr"]
    if not (lr_init > lr_end):
        raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({lr_init})")
    lr_lambda = partial(
        _get_polynomial_decay_schedule_with_warmup_lr_lambda,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        lr_end=lr_end,
        power=power,
        lr_init=lr_init,
    )
    return LambdaLR(optimizer, lr_lambda, last_epoch)


def _get_inverse_sqrt_schedule_lr_lambda(current_step: int, *, num_warmup_steps: int, timescale: int = None):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    shift = timescale - num_warmup_steps
    decay = 1.0 / math.sqrt((current_step + shift) / timescale)
    return decay


def get_inverse_sqrt_schedule(optimizer, num_warmup_steps, timescale=None, last_epoch=-1):
    if timescale is None:
        timescale = num_warmup_steps or 10_000
    lr_lambda = partial(_get_inverse_sqrt_schedule_lr_lambda, num_warmup_steps=num_warmup_steps, timescale=timescale)
    return LambdaLR(optimizer, lr_lambda, last_epoch=last_epoch)


# The module defines this name twice; the second definition (this one) wins for "cosine" too.
def _get_cosine_schedule_with_warmup_lr_lambda(
    current_step: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: float, min_lr_rate: float = 0.0
):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def get_cosine_schedule_with_warmup(optimizer, num_warmup_steps, num_training_steps, num_cycles=0.5, last_epoch=-1):
    lr_lambda = partial(
        _get_cosine_schedule_with_warmup_lr_lambda,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
    )
    return LambdaLR(optimizer, lr_lambda, last_epoch)


def get_cosine_with_min_lr_schedule_with_warmup(
    optimizer, num_warmup_steps, num_training_steps, num_cycles=0.5, last_epoch=-1, min_lr=None, min_lr_rate=None
):
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    elif min_lr is not None:
        min_lr_rate = min_lr / optimizer.defaults["lr"]
    elif min_lr_rate is None:
        raise ValueError("One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`")
    lr_lambda = partial(
        _get_cosine_schedule_with_warmup_lr_lambda,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
        min_lr_rate=min_lr_rate,
    )
    return LambdaLR(optimizer, lr_lambda, last_epoch)


def _get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda(
    current_step: int, *, num_warmup_steps: int, num_training_steps: int, num_cycles: float, min_lr_rate: float = 0.0,
    warmup_lr_rate: float = None,
):
    current_step = float(current_step)
    num_warmup_steps = float(num_warmup_steps)
    num_training_steps = float(num_training_steps)

    if current_step < num_warmup_steps:
        if warmup_lr_rate is None:
            return (current_step + 1.) / max(1., num_warmup_steps)
        else:
            warmup_lr_rate = float(warmup_lr_rate)
            return warmup_lr_rate + (1.0 - warmup_lr_rate) * (current_step) / (max(1, num_warmup_steps - 1))
    progress = (current_step - num_warmup_steps + 1.) / (max(1., num_training_steps - num_warmup_steps))
    factor = 0.5 * (1.0 + math.cos(math.pi * num_cycles * 2.0 * progress))
    factor = factor * (1 - min_lr_rate) + min_lr_rate
    return max(0, factor)


def get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
    optimizer, num_warmup_steps, num_training_steps, num_cycles=0.5, last_epoch=-1, min_lr=None, min_lr_rate=None,
    warmup_lr_rate=None,
):
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    elif min_lr is not None:
        min_lr_rate = min_lr / optimizer.defaults["lr"]
    elif min_lr_rate is None:
        raise ValueError("One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`")
    lr_lambda = partial(
        _get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda,
        num_warmup_steps=num_warmup_steps,
        num_training_steps=num_training_steps,
        num_cycles=num_cycles,
        min_lr_rate=min_lr_rate,
        warmup_lr_rate=warmup_lr_rate,
    )
    return LambdaLR(optimizer, lr_lambda, last_epoch)


def _get_wsd_scheduler_lambda(
    current_step: int, *, num_warmup_steps: int, num_stable_steps: int, num_decay_steps: int, warmup_type: str,
    decay_type: str, min_lr_ratio: float, num_cycles: float,
):
    if current_step < num_warmup_steps:
        progress = float(current_step) / float(max(1, num_warmup_steps))
        if warmup_type == "linear":
            factor = progress
        elif warmup_type == "cosine":
            factor = 0.5 * (1.0 - math.cos(math.pi * progress))
        elif warmup_type == "1-sqrt":
            factor = 1.0 - math.sqrt(1.0 - progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)

    if current_step < num_warmup_steps + num_stable_steps:
        return 1.0

    if current_step < num_warmup_steps + num_stable_steps + num_decay_steps:
        progress = float(current_step - num_warmup_steps - num_stable_steps) / float(max(1, num_decay_steps))
        if decay_type == "linear":
            factor = 1.0 - progress
        elif decay_type == "cosine":
            factor = 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress))
        elif decay_type == "1-sqrt":
            factor = 1.0 - math.sqrt(progress)
        factor = factor * (1.0 - min_lr_ratio) + min_lr_ratio
        return max(0.0, factor)
    return min_lr_ratio


def get_wsd_schedule(
    optimizer, num_warmup_steps, num_decay_steps, num_training_steps=None, num_stable_steps=None,
    warmup_type="linear", decay_type="cosine", min_lr_ratio=0, num_cycles=0.5, last_epoch=-1,
):
    if num_training_steps is None and num_stable_steps is None:
        raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
    if warmup_type not in ["linear", "cosine", "1-sqrt"]:
        raise ValueError(f"Unknown warmup type: {warmup_type}, expected 'linear', 'cosine' or '1-sqrt'")
    if decay_type not in ["linear", "cosine", "1-sqrt"]:
        raise ValueError(f"Unknown decay type: {decay_type}, expected 'linear', 'cosine' or '1-sqrt'")
    if num_stable_steps is None:
        num_stable_steps = num_training_steps - num_warmup_steps - num_decay_steps
    lr_lambda = partial(
        _get_wsd_scheduler_lambda,
        num_warmup_steps=num_warmup_steps,
        num_stable_steps=num_stable_steps,
        num_decay_steps=num_decay_steps,
        warmup_type=warmup_type,
        decay_type=decay_type,
        min_lr_ratio=min_lr_ratio,
        num_cycles=num_cycles,
    )
    return LambdaLR(optimizer, lr_lambda, last_epoch)


def get_reduce_on_plateau_schedule(optimizer, **kwargs):
    return ReduceLROnPlateau(optimizer, **kwargs)


TYPE_TO_SCHEDULER_FUNCTION = {
    "linear": get_linear_schedule_with_warmup,
    "cosine": get_cosine_schedule_with_warmup,
    "cosine_with_restarts": get_cosine_with_hard_restarts_schedule_with_warmup,
    "polynomial": get_polynomial_decay_schedule_with_warmup,
    "constant": get_constant_schedule,
    "constant_with_warmup": get_constant_schedule_with_warmup,
    "inverse_sqrt": get_inverse_sqrt_schedule,
    "reduce_lr_on_plateau": get_reduce_on_plateau_schedule,
    "cosine_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup,
    "cosine_warmup_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
    "warmup_stable_decay": get_wsd_schedule,
}


def get_scheduler(name, optimizer, num_warmup_steps=None, num_training_steps=None, scheduler_specific_kwargs=None):
    schedule_func = TYPE_TO_SCHEDULER_FUNCTION[name]
    if name == "constant":
        return schedule_func(optimizer)
    if scheduler_specific_kwargs is None:
        scheduler_specific_kwargs = {}
    if name == "reduce_lr_on_plateau":
        return schedule_func(optimizer, **scheduler_specific_kwargs)
    if num_warmup_steps is None:
        raise ValueError(f"{name} requires `num_warmup_steps`, please provide that argument.")
    if name in ("constant_with_warmup", "inverse_sqrt"):
        return schedule_func(optimizer, num_warmup_steps=num_warmup_steps)
    if name == "warmup_stable_decay":
        return schedule_func(optimizer, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps,
                             **scheduler_specific_kwargs)
    if num_training_steps is None:
        raise ValueError(f"{name} requires `num_training_steps`, please provide that argument.")
    return schedule_func(optimizer, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps,
                         **scheduler_specific_kwargs)


HF = {f.__name__: f for f in [
    get_constant_schedule, get_constant_schedule_with_warmup, get_linear_schedule_with_warmup,
    get_cosine_schedule_with_warmup, get_cosine_with_hard_restarts_schedule_with_warmup,
    get_polynomial_decay_schedule_with_warmup, get_inverse_sqrt_schedule,
    get_cosine_with_min_lr_schedule_with_warmup, get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
    get_wsd_schedule, get_reduce_on_plateau_schedule, get_scheduler,
]}

# ----------------------------------------------------------------------------------------------
# Encoding


class Ref:
    def __init__(self, id):
        self.id = id


class Lam:
    def __init__(self, source):
        self.source = source


BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}
UNOPS = {ast.USub: "-", ast.UAdd: "+", ast.Not: "not", ast.Invert: "~"}
CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is",
          ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}


def pyast(n):
    """Python ast -> the simulator's pyast JSON (server/src/core/schedule/pyast.ts)."""
    t = type(n)
    if t is ast.Lambda:
        return {"type": "Lambda", "params": [{"name": a.arg} for a in n.args.args], "body": pyast(n.body)}
    if t is ast.Constant:
        return {"type": "Constant", "value": enc(n.value)}
    if t is ast.Name:
        return {"type": "Name", "id": n.id}
    if t is ast.Attribute:
        return {"type": "Attribute", "value": pyast(n.value), "attr": n.attr}
    if t is ast.BinOp:
        return {"type": "BinOp", "op": BINOPS[type(n.op)], "left": pyast(n.left), "right": pyast(n.right)}
    if t is ast.UnaryOp:
        return {"type": "UnaryOp", "op": UNOPS[type(n.op)], "operand": pyast(n.operand)}
    if t is ast.Compare:
        return {"type": "Compare", "left": pyast(n.left), "ops": [CMPOPS[type(o)] for o in n.ops],
                "comparators": [pyast(c) for c in n.comparators]}
    if t is ast.BoolOp:
        return {"type": "BoolOp", "op": "and" if isinstance(n.op, ast.And) else "or", "values": [pyast(v) for v in n.values]}
    if t is ast.IfExp:
        return {"type": "IfExp", "test": pyast(n.test), "body": pyast(n.body), "orelse": pyast(n.orelse)}
    if t is ast.Call:
        return {"type": "Call", "func": pyast(n.func), "args": [pyast(a) for a in n.args],
                "keywords": [{"arg": k.arg, "value": pyast(k.value)} for k in n.keywords]}
    if t is ast.Tuple:
        return {"type": "Tuple", "elts": [pyast(e) for e in n.elts]}
    if t is ast.List:
        return {"type": "List", "elts": [pyast(e) for e in n.elts]}
    raise ValueError(f"no pyast for {ast.dump(n)}")


def enc(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        assert math.isfinite(v)
        return v
    if isinstance(v, list):
        return [enc(x) for x in v]
    if isinstance(v, tuple):
        return {"tuple": [enc(x) for x in v]}
    if isinstance(v, dict):
        return {"dict": [[enc(k), enc(x)] for k, x in v.items()]}
    if isinstance(v, Ref):
        return {"ref": v.id}
    if isinstance(v, Lam):
        return {"lambda": pyast(ast.parse(v.source, mode="eval").body), "source": v.source}
    raise TypeError(type(v))


def dec(v, built):
    """Encoded description -> the real Python argument."""
    if isinstance(v, Ref):
        return built[v.id]
    if isinstance(v, Lam):
        return eval(v.source, {"math": math})
    if isinstance(v, list):
        return [dec(x, built) for x in v]
    if isinstance(v, tuple):
        return tuple(dec(x, built) for x in v)
    if isinstance(v, dict):
        return {k: dec(x, built) for k, x in v.items()}
    return v


OPTIMIZERS = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW, "Adagrad": Adagrad}


def scheduler_class(name):
    if name == "SWALR":
        return SWALR
    if name in HF:
        return HF[name]
    return getattr(L, name)


def run(cfg):
    opt_class, groups, opt_kwargs = cfg["optimizer"]
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], **g} for g in groups]
    opt = OPTIMIZERS[opt_class](params, **opt_kwargs)
    steps = cfg["steps"]
    out = {
        "name": cfg["name"],
        "note": cfg.get("note", ""),
        "optimizer": {
            "className": opt_class,
            "defaultLr": enc(opt.defaults["lr"]),
            "groups": [
                {k: enc(g[k]) for k in ("lr", "momentum", "betas") if k in g} for g in opt.param_groups
            ],
        },
        "schedulers": [
            {"id": sid, "className": cls, "args": [enc(a) for a in args], "kwargs": {k: enc(v) for k, v in kw.items()}}
            for sid, cls, args, kw in cfg["schedulers"]
        ],
        "steps": steps,
    }
    if cfg.get("stepped"):
        out["stepped"] = cfg["stepped"]
    if cfg.get("metrics") is not None:
        out["metrics"] = cfg["metrics"]
    built = {}
    try:
        for sid, cls, args, kw in cfg["schedulers"]:
            a, k = dec(list(args), built), dec(kw, built)
            if cls == "ChainedScheduler":  # 1.13: ChainedScheduler(schedulers), no optimizer
                built[sid] = L.ChainedScheduler(*a, **k)
            elif cls == "get_scheduler":  # get_scheduler(name, optimizer, ...)
                built[sid] = get_scheduler(a[0], opt, *a[1:], **k)
            else:
                built[sid] = scheduler_class(cls)(opt, *a, **k)
    except Exception as e:  # construction error: recorded, no trace
        out["error"] = {"type": type(e).__name__, "message": str(e), "phase": "construction", "schedulerId": sid}
        return out
    nested = set()
    for sid, cls, args, kw in cfg["schedulers"]:
        if cls in ("SequentialLR", "ChainedScheduler"):
            for a in list(args) + list(kw.values()):
                if isinstance(a, list):
                    nested.update(x.id for x in a if isinstance(x, Ref))
    stepped = cfg.get("stepped") or [sid for sid, *_ in cfg["schedulers"] if sid not in nested]
    cycles = cfg.get("momentum", False)
    use_betas = "betas" in opt.defaults
    lr, mom = [], []
    metrics = cfg.get("metrics")
    for i in range(steps):
        lr.append([g["lr"] for g in opt.param_groups])
        if cycles:
            mom.append([g["betas"][0] if use_betas else g["momentum"] for g in opt.param_groups])
        opt.step()
        try:
            for sid in stepped:
                s = built[sid]
                if isinstance(s, ReduceLROnPlateau):
                    if i < len(metrics):
                        s.step(metrics[i])
                else:
                    s.step()
        except Exception as e:
            out["error"] = {"type": type(e).__name__, "message": str(e), "phase": "step", "step": i, "schedulerId": sid}
            break
    # transpose to per-group series
    out["trace"] = {"lr": [[row[g] for row in lr] for g in range(len(opt.param_groups))]}
    if cycles:
        out["trace"]["momentum"] = [[row[g] for row in mom] for g in range(len(opt.param_groups))]
    return out


# ----------------------------------------------------------------------------------------------
# The configurations

G2 = [dict(lr=0.1), dict(lr=0.01)]
G2M = [dict(lr=0.1, momentum=0.9), dict(lr=0.01, momentum=0.9)]
G1 = [dict(lr=0.1)]


def sgd(groups=G1, **kw):
    # 1.13's SGD has no default lr: use the first group's
    return ("SGD", groups, {"lr": groups[0]["lr"], **kw})


def c(name, optimizer, schedulers, steps, **extra):
    return dict(name=name, optimizer=optimizer, schedulers=schedulers, steps=steps, **extra)


CONFIGS = [
    c("StepLR(3, 0.5) two groups", sgd(G2), [("s", "StepLR", [3], {"gamma": 0.5})], 30),
    c("StepLR(7, 0.9) 5000 steps", sgd(), [("s", "StepLR", [], {"step_size": 7, "gamma": 0.9})], 5000),
    c("MultiStepLR([2,5,9], 0.1) two groups", sgd(G2), [("s", "MultiStepLR", [[2, 5, 9]], {})], 20),
    c("MultiStepLR duplicates [3,3,6] gamma 0.3", sgd(), [("s", "MultiStepLR", [[6, 3, 3]], {"gamma": 0.3})], 15),
    c("ConstantLR(0.1, 4) two groups", sgd(G2), [("s", "ConstantLR", [], {"factor": 0.1, "total_iters": 4})], 12),
    c("ConstantLR defaults", sgd(), [("s", "ConstantLR", [], {})], 10),
    c("LinearLR 1.0 -> 0.1 over 1000", sgd(), [("s", "LinearLR", [], {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 1000})], 1200),
    c("LinearLR 0.05 -> 1 over 40, two groups", sgd(G2), [("s", "LinearLR", [], {"start_factor": 0.05, "total_iters": 40})], 60),
    c("ExponentialLR(0.999) 5000 steps", sgd(), [("s", "ExponentialLR", [0.999], {})], 5000),
    c("PolynomialLR(10000, power=2) long", sgd(), [("s", "PolynomialLR", [], {"total_iters": 10000, "power": 2.0})], 10050),
    c("PolynomialLR(50, power=0.9) two groups", sgd(G2), [("s", "PolynomialLR", [], {"total_iters": 50, "power": 0.9})], 60),
    c("CosineAnnealingLR(T_max=10000) two groups long", sgd(G2), [("s", "CosineAnnealingLR", [], {"T_max": 10000})], 10001),
    c("CosineAnnealingLR(T_max=5, eta_min=0.01) beyond T_max", sgd(G2), [("s", "CosineAnnealingLR", [5], {"eta_min": 0.01})], 25),
    c("CosineAnnealingLR(T_max=100, eta_min=1e-5) 400 steps", sgd(), [("s", "CosineAnnealingLR", [100, 1e-5], {})], 400),
    c("CosineAnnealingWarmRestarts(T_0=10, T_mult=2) long", sgd(), [("s", "CosineAnnealingWarmRestarts", [10], {"T_mult": 2})], 10000),
    c("CosineAnnealingWarmRestarts(T_0=7, eta_min=0.001) two groups", sgd(G2), [("s", "CosineAnnealingWarmRestarts", [], {"T_0": 7, "eta_min": 0.001})], 50),
    c("CyclicLR triangular with momentum, two groups", sgd(G2M),
      [("s", "CyclicLR", [], {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5})], 40, momentum=True),
    c("CyclicLR triangular2 up 3 down 5", sgd([dict(lr=0.1, momentum=0.9)]),
      [("s", "CyclicLR", [0.001, 0.1], {"step_size_up": 3, "step_size_down": 5, "mode": "triangular2"})], 60, momentum=True),
    c("CyclicLR exp_range per-group lists long", sgd(G2M),
      [("s", "CyclicLR", [], {"base_lr": [0.001, 0.0001], "max_lr": [0.01, 0.001], "step_size_up": 100,
                              "mode": "exp_range", "gamma": 0.9995})], 10000, momentum=True),
    c("CyclicLR custom scale_fn, iterations", sgd([dict(lr=0.1, momentum=0.9)]),
      [("s", "CyclicLR", [], {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4,
                              "scale_fn": Lam("lambda x: 0.5 * (1 + math.cos(x * math.pi / 10))"),
                              "scale_mode": "iterations"})], 50, momentum=True),
    c("CyclicLR on Adam without momentum cycling", ("Adam", G2, {}),
      [("s", "CyclicLR", [0.001, 0.01], {"step_size_up": 4, "cycle_momentum": False})], 30),
    c("OneCycleLR cos with momentum", sgd([dict(lr=0.1, momentum=0.9)]),
      [("s", "OneCycleLR", [0.1], {"total_steps": 100})], 101, momentum=True),
    c("OneCycleLR three_phase linear long", sgd([dict(lr=0.1, momentum=0.9)]),
      [("s", "OneCycleLR", [], {"max_lr": 0.1, "total_steps": 10000, "three_phase": True, "anneal_strategy": "linear"})],
      10001, momentum=True),
    c("OneCycleLR three_phase cos long", sgd([dict(lr=0.1, momentum=0.9)]),
      [("s", "OneCycleLR", [], {"max_lr": 0.1, "total_steps": 10000, "three_phase": True})], 10001, momentum=True),
    c("OneCycleLR per-group max_lr, epochs x steps_per_epoch, Adam beta1", ("Adam", G2, {}),
      [("s", "OneCycleLR", [[0.1, 0.01]], {"epochs": 5, "steps_per_epoch": 20, "pct_start": 0.25})], 100, momentum=True),
    c("OneCycleLR scalar max_lr over two groups with different lrs", sgd([dict(lr=0.5, momentum=0.9), dict(lr=0.001, momentum=0.9)]),
      [("s", "OneCycleLR", [0.05], {"total_steps": 60, "final_div_factor": 100.0})], 60, momentum=True),
    c("OneCycleLR stepped past total_steps", sgd([dict(lr=0.1, momentum=0.9)]),
      [("s", "OneCycleLR", [0.1], {"total_steps": 20})], 25, momentum=True),
    c("LambdaLR(0.95 ** e) two groups", sgd(G2), [("s", "LambdaLR", [Lam("lambda e: 0.95 ** e")], {})], 200),
    c("LambdaLR per-group lambdas (int result)", sgd(G2),
      [("s", "LambdaLR", [[Lam("lambda epoch: epoch // 30"), Lam("lambda epoch: 0.95 ** epoch")]], {})], 100),
    c("LambdaLR warmup lambda with min/max", sgd(),
      [("s", "LambdaLR", [], {"lr_lambda": Lam("lambda s: min(1.0, (s + 1) / 50) * max(0.0, 1 - s / 400)")})], 420),
    c("MultiplicativeLR(0.97)", sgd(G2), [("s", "MultiplicativeLR", [Lam("lambda e: 0.97")], {})], 300),
    c("SequentialLR(LinearLR, CosineAnnealingLR) long", sgd(G2),
      [("w", "LinearLR", [], {"start_factor": 0.01, "total_iters": 100}),
       ("c", "CosineAnnealingLR", [], {"T_max": 9900, "eta_min": 1e-6}),
       ("s", "SequentialLR", [], {"schedulers": [Ref("w"), Ref("c")], "milestones": [100]})], 10000),
    c("SequentialLR(ConstantLR, ExponentialLR)", sgd(),
      [("a", "ConstantLR", [], {"factor": 0.1, "total_iters": 20}), ("b", "ExponentialLR", [0.9], {}),
       ("s", "SequentialLR", [[Ref("a"), Ref("b")], [20]], {})], 60),
    c("SequentialLR(LinearLR, MultiplicativeLR) 1.13 hand-over", sgd(),
      [("a", "LinearLR", [], {"start_factor": 0.1, "total_iters": 10}), ("b", "MultiplicativeLR", [Lam("lambda e: 0.97")], {}),
       ("s", "SequentialLR", [], {"schedulers": [Ref("a"), Ref("b")], "milestones": [10]})], 40,
      note="differs in 2.x: the milestone calls _update_lr(0), which multiplies by lr_lambda(0)"),
    c("SequentialLR of three (Linear, Constant, Exponential)", sgd(G2),
      [("a", "LinearLR", [], {"start_factor": 0.25, "total_iters": 5}), ("b", "ConstantLR", [], {"factor": 0.5, "total_iters": 4}),
       ("x", "ExponentialLR", [], {"gamma": 0.8}),
       ("s", "SequentialLR", [], {"schedulers": [Ref("a"), Ref("b"), Ref("x")], "milestones": [5, 15]})], 40),
    c("SequentialLR(LinearLR, CosineAnnealingWarmRestarts)", sgd(),
      [("a", "LinearLR", [], {"start_factor": 0.1, "total_iters": 10}), ("b", "CosineAnnealingWarmRestarts", [20], {"T_mult": 2}),
       ("s", "SequentialLR", [], {"schedulers": [Ref("a"), Ref("b")], "milestones": [10]})], 200),
    c("ChainedScheduler(ConstantLR, ExponentialLR)", sgd(),
      [("a", "ConstantLR", [], {"factor": 0.1, "total_iters": 20}), ("b", "ExponentialLR", [], {"gamma": 0.9}),
       ("s", "ChainedScheduler", [[Ref("a"), Ref("b")]], {})], 40),
    c("ChainedScheduler(LinearLR, CosineAnnealingLR)", sgd(G2),
      [("a", "LinearLR", [], {"start_factor": 0.5, "total_iters": 50}), ("b", "CosineAnnealingLR", [], {"T_max": 1000}),
       ("s", "ChainedScheduler", [[Ref("a"), Ref("b")]], {})], 1000),
    c("two schedulers on one optimizer, both stepped (ConstantLR, ExponentialLR)", sgd(G2),
      [("a", "ConstantLR", [], {"factor": 0.5, "total_iters": 10}), ("b", "ExponentialLR", [0.95], {})], 50),
    c("OneCycleLR then LambdaLR: stale initial_lr, both stepped", sgd([dict(lr=0.3, momentum=0.9)]),
      [("a", "OneCycleLR", [0.1], {"total_steps": 100}), ("b", "LambdaLR", [Lam("lambda e: 1.0 / (1 + e)")], {})], 50,
      momentum=True),
    c("CyclicLR after StepLR: stale initial_lr at step 0", sgd([dict(lr=0.3, momentum=0.9)]),
      [("a", "StepLR", [5], {}), ("b", "CyclicLR", [0.01, 0.1], {"step_size_up": 5})], 30, stepped=["b"], momentum=True),
    c("ReduceLROnPlateau with a metric series", sgd(G2),
      [("s", "ReduceLROnPlateau", [], {"patience": 2, "factor": 0.5, "cooldown": 1, "min_lr": [0.001, 0.0005]})], 60,
      metrics=[1.0, 0.9, 0.95, 0.95, 0.95, 0.96, 0.8, 0.81, 0.82, 0.83, 0.84, 0.85] + [0.79] * 10 + [0.9] * 40),
    c("ReduceLROnPlateau mode max, abs threshold", sgd(),
      [("s", "ReduceLROnPlateau", ["max"], {"threshold": 0.01, "threshold_mode": "abs", "patience": 0, "factor": 0.3})], 30,
      metrics=[0.5 + 0.001 * i * (i % 3) for i in range(30)]),
    c("SWALR cos after 10 steps of nothing (anneal 10)", sgd(G2), [("s", "SWALR", [0.05], {"anneal_epochs": 10})], 30),
    c("SWALR linear per-group swa_lr", sgd(G2),
      [("s", "SWALR", [], {"swa_lr": [0.02, 0.002], "anneal_epochs": 5, "anneal_strategy": "linear"})], 20),
    c("HF get_linear_schedule_with_warmup past the end", ("AdamW", [dict(lr=5e-5)], {}),
      [("s", "get_linear_schedule_with_warmup", [100, 1000], {})], 1100),
    c("HF get_cosine_schedule_with_warmup two groups", ("AdamW", [dict(lr=3e-4), dict(lr=3e-5)], {"lr": 3e-4}),
      [("s", "get_cosine_schedule_with_warmup", [], {"num_warmup_steps": 50, "num_training_steps": 1000})], 1000),
    c("HF get_cosine_with_hard_restarts_schedule_with_warmup", ("AdamW", [dict(lr=1e-3)], {}),
      [("s", "get_cosine_with_hard_restarts_schedule_with_warmup", [10, 500], {"num_cycles": 3})], 520),
    c("HF get_polynomial_decay_schedule_with_warmup power 2", ("AdamW", [dict(lr=1e-3), dict(lr=1e-4)], {"lr": 1e-3}),
      [("s", "get_polynomial_decay_schedule_with_warmup", [10, 300], {"lr_end": 1e-5, "power": 2.0})], 320),
    c("HF get_constant_schedule_with_warmup", ("AdamW", [dict(lr=1e-3)], {}),
      [("s", "get_constant_schedule_with_warmup", [20], {})], 50),
    c("HF get_constant_schedule", ("AdamW", [dict(lr=1e-3)], {}), [("s", "get_constant_schedule", [], {})], 10),
    c("HF get_inverse_sqrt_schedule", ("AdamW", [dict(lr=1e-3)], {}),
      [("s", "get_inverse_sqrt_schedule", [], {"num_warmup_steps": 100})], 1000),
    c("HF get_cosine_with_min_lr_schedule_with_warmup min_lr_rate", ("AdamW", [dict(lr=1e-3)], {}),
      [("s", "get_cosine_with_min_lr_schedule_with_warmup", [30, 600], {"min_lr_rate": 0.1})], 620),
    c("HF get_cosine_with_min_lr_schedule_with_warmup_lr_rate", ("AdamW", [dict(lr=1e-3)], {}),
      [("s", "get_cosine_with_min_lr_schedule_with_warmup_lr_rate", [30, 600], {"min_lr": 1e-5})], 620),
    c("HF get_wsd_schedule cosine warmup, 1-sqrt decay", ("AdamW", [dict(lr=1e-3)], {}),
      [("s", "get_wsd_schedule", [], {"num_warmup_steps": 100, "num_decay_steps": 200, "num_training_steps": 1000,
                                       "warmup_type": "cosine", "decay_type": "1-sqrt", "min_lr_ratio": 0.05})], 1010),
    c("HF get_wsd_schedule defaults (linear, cosine)", ("AdamW", [dict(lr=1e-3)], {}),
      [("s", "get_wsd_schedule", [50, 150], {"num_stable_steps": 300})], 520),
    c("HF get_scheduler('cosine', ...)", ("AdamW", [dict(lr=2e-4)], {}),
      [("s", "get_scheduler", ["cosine"], {"num_warmup_steps": 100, "num_training_steps": 2000})], 2000),
    c("HF get_scheduler('warmup_stable_decay', ...)", ("AdamW", [dict(lr=2e-4)], {}),
      [("s", "get_scheduler", ["warmup_stable_decay", 10, 100], {"scheduler_specific_kwargs": {"num_decay_steps": 30}})], 110),
    # construction and step errors (1.13 texts)
    c("error: CosineAnnealingWarmRestarts T_0=10.0", sgd(), [("s", "CosineAnnealingWarmRestarts", [10.0], {})], 5),
    c("error: CosineAnnealingWarmRestarts T_mult=0", sgd(), [("s", "CosineAnnealingWarmRestarts", [10], {"T_mult": 0})], 5),
    c("error: OneCycleLR without total_steps", sgd([dict(lr=0.1, momentum=0.9)]), [("s", "OneCycleLR", [0.1], {})], 5),
    c("error: OneCycleLR pct_start=1 (int)", sgd([dict(lr=0.1, momentum=0.9)]),
      [("s", "OneCycleLR", [0.1], {"total_steps": 10, "pct_start": 1})], 5),
    c("error: OneCycleLR max_lr list too short", sgd(G2M), [("s", "OneCycleLR", [[0.1]], {"total_steps": 10})], 5),
    c("error: CyclicLR cycle_momentum on Adam", ("Adam", G1, {}), [("s", "CyclicLR", [0.001, 0.01], {})], 5),
    c("error: LambdaLR list length", sgd(G2), [("s", "LambdaLR", [[Lam("lambda e: 1.0")]], {})], 5),
    c("error: SequentialLR milestones vs schedulers", sgd(),
      [("a", "ConstantLR", [], {}), ("b", "ExponentialLR", [0.9], {}),
       ("s", "SequentialLR", [], {"schedulers": [Ref("a"), Ref("b")], "milestones": [3, 6]})], 5),
    c("error: ConstantLR factor 1.5", sgd(), [("s", "ConstantLR", [1.5], {})], 5),
    c("error: ReduceLROnPlateau factor 1.0", sgd(), [("s", "ReduceLROnPlateau", [], {"factor": 1.0})], 5, metrics=[1.0]),
    c("error: ReduceLROnPlateau min_lr list", sgd(G2), [("s", "ReduceLROnPlateau", [], {"min_lr": [0.1]})], 5, metrics=[1.0]),
    c("LinearLR start_factor=0 (1.13 accepts it, then divides by zero)", sgd(),
      [("s", "LinearLR", [], {"start_factor": 0.0, "total_iters": 4})], 5),
    c("StepLR step_size=0 divides by zero at the first step", sgd(), [("s", "StepLR", [0], {})], 5),
]


def main():
    out = {
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "generator": "scripts/golden/gen_golden.py",
        "note": "trace.lr[g][i] = lr of group g in effect at optimizer step i of the loop "
                "(optimizer.step(); scheduler.step()); ints encoded as {\"int\": \"...\"}",
        "configs": [run(cfg) for cfg in CONFIGS],
    }
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
