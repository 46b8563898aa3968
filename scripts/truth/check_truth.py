#!/usr/bin/env python3
"""Check the runtime claims of optlint's rule fixtures against real PyTorch.

    /usr/bin/python3 scripts/truth/check_truth.py [FIXTURE.py ...]

Each fixture in test/fixtures/rules/ is a runnable script: a shared header (imports), then cases
that each start with `# case: <name>`. Every case is executed on its own (`exec` of the header plus
that case, in a fresh namespace, with `torch.manual_seed(0)`), catching exceptions and recording
warnings, and then every `# truth:` claim of the case is checked. One line is printed per claim,
then `N passed, M failed`; the exit status is 1 if any claim failed (or a case has no claim).

Claim vocabulary (`<expr>` is a Python expression in the case's namespace; `of <name>` picks the
optimizer when the case built more than one):

  runs                              The case runs without an exception or a warning; no optimizer
                                    has an empty group or a parameter twice; every trainable
                                    parameter of every module the case binds to a name is in some
                                    optimizer (modules named by a `not-in-any-group` claim of the
                                    same case are exempt). Marks the quiet ("correct code") cases.
  raises <Type>: <message>          The case raises <Type>, and <message> is part of its text.
  warns <message>                   The case emits a warning whose text contains <message>.
  empty-group <i> [of <opt>]        `len(opt.param_groups[i]["params"]) == 0`.
  not-in-any-group <expr>           <expr> (a module or a tensor) has parameters, and none of them
                                    is in any group of any optimizer of the case.
  unchanged-after-step <expr> [via <call>]
                                    After a backward pass (`<call>.sum().backward()`, or without
                                    `via`, a random `.grad` on every parameter that requires grad)
                                    and `step()` on every optimizer, the parameters of <expr> are
                                    bit-for-bit unchanged, while some optimized parameter did move.
  group-value <i> <key> <literal> [of <opt>]
                                    `opt.param_groups[i][key] == literal` (floats to 1e-12).
  requires-grad <expr> <True|False> Every parameter of <expr> has that `requires_grad`.
  yields-nothing <expr>             `list(<expr>) == []` (an exhausted generator).
  step-raises <Type>[: <message>]   The case runs; the first `step()` (after a backward pass as
                                    above) raises <Type>.
  value <expr> <literal>            `<expr> == literal` (a one-element tensor is compared by value).
  prints <text>                     The case runs, and what it printed to stdout contains <text>.

A fixture's `.fixed.py` twin (what the rule's fixes make of it) is run too: in each case the fixes
changed, the parameters a `not-in-any-group` claim named must all be in a group now, and every
`# truth-fixed: <claim>` line (any claim above) must hold of the fixed case.

The rules follow torch 2.x; the torch here may be older (Debian's 1.13.1). Where 1.13 behaves
differently, the case states the 2.x behaviour with `# truth:` and the 1.13 behaviour with
`# truth-1.13:`. On torch < 2 each `truth-1.13` claim replaces the 2.x claim it is paired with by
an entry of VERSION_DIFFERENCES below (which quotes the reference); an entry marked `whole_case`
(1.13 raises where 2.x runs) replaces all of the case's claims. A `truth-1.13` claim that no
entry documents fails. Nothing is accepted silently.

Third-party packages a fixture imports but that are not installed (Lightning, transformers) are
replaced by the small stubs in STUBS, which keep only what the fixtures use (`LightningModule` is
an `nn.Module`; transformers' schedule factories are the verbatim copies in
scripts/golden/gen_golden.py). There is no network: pretrained torchvision weights (`weights="IMAGENET1K_V1"`,
`pretrained=True`) are replaced by the freshly initialised weights of the same architecture, and
`torch.load(path)` of a file that does not exist returns the state dict of the torchvision model
named by the file (`mobilenet_v3_small_imagenet.pth`). No claim depends on weight values.
"""
from __future__ import annotations

import ast
import contextlib
import io
import math
import os
import re
import sys
import traceback
import types
import warnings
from dataclasses import dataclass, field

import torch
import torch.nn as nn

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(REPO, "test", "fixtures", "rules")
TORCH_1 = torch.__version__.startswith("1.")

# Where torch 1.13 differs from torch 2.x (which the rules' messages follow). Quotes are from
# /work/shared/reference/pytorch-optimizer-mistakes.md.
VERSION_DIFFERENCES = [
    {
        "claim_2x": r"^group-value \d+ lr 0\.001( of \w+)?$",
        "claim_113": r"^raises ValueError: parameter group didn't specify a value of required optimization parameter lr$",
        "whole_case": True,
        "reference": "§5: SGD's lr has a default of 1e-3 since 2.2; 'In <=2.1 SGD.lr was required: "
        "parameter group didn't specify a value of required optimization parameter lr'",
    },
    {
        "claim_2x": r"^runs$",
        "claim_113": r"^raises TypeError: optimizer can only optimize Tensors, but one of the params is tuple$",
        "whole_case": True,
        "reference": "§2.2 step 3: '(name, tensor) tuples become param_names (2.x only; in 1.13 "
        "named_parameters gave TypeError: ... one of the params is tuple)'",
    },
    {
        "claim_2x": r"^raises TypeError: param_group must be a dict, but got ",
        "claim_113": r"^raises AssertionError: param group must be a dict$",
        "reference": "§2.2 step 1: 'A non-dict raises TypeError: param_group must be a dict, but got "
        "<class ...>. In 1.13 this was AssertionError: param group must be a dict.'",
    },
    {
        "claim_2x": r"^warns `parameters` is an empty generator, no gradient clipping will occur$",
        "claim_113": r"^value \w+ 0\.0$",
        "reference": "R12: 'clip: in 2.13 UserWarning: `parameters` is an empty generator, no gradient "
        "clipping will occur.; in 1.13 completely silent (returns norm 0)'",
    },
    {
        "claim_2x": r"^raises ValueError: max_lr must have the same length as optimizer\.param_groups\. max_lr has \d+ values, param_groups has \d+\.$",
        "claim_113": r"^raises ValueError: expected \d+ values for max_lr, got \d+$",
        "reference": "R25: 'max_lr must have the same length as optimizer.param_groups. max_lr has 3 values, "
        "param_groups has 2. (1.13: expected 2 values for max_lr, got 3)'",
    },
    {
        "claim_2x": r"^raises ValueError: You must define either total_steps OR \(epochs AND steps_per_epoch\)$",
        "claim_113": r"^raises TypeError: '<=' not supported between instances of 'NoneType' and 'int'$",
        "reference": "R24: 'Missing total_steps and epochs/steps_per_epoch, or only epochs: You must define either "
        "total_steps OR (epochs AND steps_per_epoch). In 1.13, epochs-only gave TypeError: '<=' not supported "
        "between 'NoneType' and 'int'.'",
    },
    {
        "claim_2x": r"^raises ValueError: Tried to step \d+ times\. The specified number of total steps is \d+$",
        "claim_113": r"^raises ValueError: Tried to step \d+ times\. The specified number of total steps is \d+$",
        "reference": "R24: 'Stepping past the end: ValueError: Tried to step 7 times. The specified number of total "
        "steps is 6. In 1.13 the number was off by one (\"8 times\").'",
    },
    {
        "claim_2x": r"^raises TypeError: \w+\.__init__\(\) got an unexpected keyword argument 'verbose'$",
        "claim_113": r"^prints Adjusting learning rate of group \d+ to ",
        "whole_case": True,
        "reference": "R21 / §2.4: 'verbose= was removed; passing it raises TypeError: StepLR.__init__() got an "
        "unexpected keyword argument 'verbose' ... In 1.13 it printed Adjusting learning rate of group 0 to ...'",
    },
    {
        "claim_2x": r"^raises ValueError: Starting multiplicative factor expected to be greater than 0 and less or equal to 1\.$",
        "claim_113": r"^group-value \d+ lr 0\.0( of \w+)?$",
        "whole_case": True,
        "reference": "R28: 'LinearLR(start_factor=0.0): 2.x ValueError: Starting multiplicative factor expected to "
        "be greater than 0 and less or equal to 1. In 1.13 it was accepted and gave LR 0 on the first step.'",
    },
    {
        "claim_2x": r"^runs$",
        "claim_113": r"^warns The epoch parameter in `scheduler\.step\(\)` was not necessary",
        "reference": "R27: 'Before PR #149392 (merged Aug 2025), SequentialLR emitted the EPOCH_DEPRECATION_WARNING "
        "at each milestone ... It is not present in 2.13 (measured). It is present in 1.13.'",
    },
    {
        "claim_2x": r"^raises ValueError: optimizer must support momentum or beta1 with `cycle_momentum` option enabled$",
        "claim_113": r"^raises ValueError: optimizer must support momentum with `cycle_momentum` option enabled$",
        "reference": "lr-scheduler-semantics §4 / R24: 2.x CyclicLR accepts beta1 (Adam) and says 'momentum or "
        "beta1'; 1.13 checks momentum only: 'optimizer must support momentum with `cycle_momentum` option enabled'",
    },
]


def _stub_transformers() -> dict[str, types.ModuleType]:
    """transformers' schedule factories, from the verbatim copies the golden traces use."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_gen_golden", os.path.join(REPO, "scripts", "golden", "gen_golden.py"))
    golden = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():  # the generator silences warnings at import; keep ours
        spec.loader.exec_module(golden)
    transformers = types.ModuleType("transformers")
    optimization = types.ModuleType("transformers.optimization")
    for name in dir(golden):
        if name.startswith("get_") and ("schedule" in name or name == "get_scheduler"):
            setattr(transformers, name, getattr(golden, name))
            setattr(optimization, name, getattr(golden, name))
    transformers.optimization = optimization
    return {"transformers": transformers, "transformers.optimization": optimization}


def _stub_lightning() -> dict[str, types.ModuleType]:
    pl = types.ModuleType("pytorch_lightning")

    class LightningModule(nn.Module):
        """Stand-in for Lightning's LightningModule: only the nn.Module part."""

        def log(self, *args, **kwargs):
            pass

    pl.LightningModule = LightningModule
    lightning = types.ModuleType("lightning")
    lightning_pytorch = types.ModuleType("lightning.pytorch")
    lightning_pytorch.LightningModule = LightningModule
    lightning.pytorch = lightning_pytorch
    lightning.LightningModule = LightningModule
    return {"pytorch_lightning": pl, "lightning": lightning, "lightning.pytorch": lightning_pytorch}


STUBS = {"pytorch_lightning": _stub_lightning, "transformers": _stub_transformers}


def _random_state_dict(filename: str):
    """The state dict of a fresh torchvision model named by a weights file (`resnet18-f37072fd.pth`)."""
    import torchvision

    base = os.path.basename(filename)
    for builder in sorted(torchvision.models.list_models(), key=len, reverse=True) if hasattr(torchvision.models, "list_models") else []:
        if base.startswith(builder):
            return getattr(torchvision.models, builder)(weights=None).state_dict()
    for builder in ("mobilenet_v3_small", "mobilenet_v3_large", "resnet18", "resnet34", "resnet50", "vit_b_16", "efficientnet_b0"):
        if base.startswith(builder):
            return getattr(torchvision.models, builder)(weights=None).state_dict()
    raise FileNotFoundError(filename)


def install_offline_weights() -> None:
    """Pretrained weights without a network: see the note on weights at the top of this file."""
    from torchvision.models import _api

    _api.load_state_dict_from_url = lambda url, *args, **kwargs: _random_state_dict(url)
    real_load = torch.load

    def load(f, *args, **kwargs):
        if isinstance(f, str) and not os.path.exists(f):
            return _random_state_dict(f)
        return real_load(f, *args, **kwargs)

    torch.load = load


def install_stubs() -> list[str]:
    installed = []
    for name, make in STUBS.items():
        try:
            __import__(name)
        except ImportError:
            sys.modules.update(make())
            installed.append(name)
    install_offline_weights()
    return installed


@dataclass
class Case:
    fixture: str
    name: str
    line: int  # 1-based line of `# case:`
    source: str  # header + case, padded so line numbers match the fixture
    claims: list[str] = field(default_factory=list)
    claims_113: list[str] = field(default_factory=list)
    claims_fixed: list[str] = field(default_factory=list)


def parse_fixture(path: str) -> list[Case]:
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    starts = [i for i, l in enumerate(lines) if re.match(r"^#\s*case:\s*\S", l)]
    header = lines[: starts[0]] if starts else lines
    cases = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        body = lines[start:end]
        padding = [""] * (start - len(header))
        case = Case(
            fixture=os.path.basename(path),
            name=re.sub(r"^#\s*case:\s*", "", lines[start]).strip(),
            line=start + 1,
            source="\n".join(header + padding + body) + "\n",
        )
        for l in body:
            m = re.match(r"^\s*#\s*truth(-1\.13|-fixed)?:\s*(.+?)\s*$", l)
            if m:
                {"-1.13": case.claims_113, "-fixed": case.claims_fixed}.get(m.group(1) or "", case.claims).append(m.group(2))
        cases.append(case)
    return cases


@dataclass
class Outcome:
    namespace: dict
    error: BaseException | None
    warnings: list[str]
    stdout: str
    optimizers: list[torch.optim.Optimizer]
    modules: list[tuple[str, nn.Module]]


def collect(namespace: dict, header_names: set[str]):
    optimizers: list[torch.optim.Optimizer] = []
    modules: list[tuple[str, nn.Module]] = []

    def visit(name: str, value, depth: int) -> None:
        if isinstance(value, torch.optim.Optimizer):
            if all(o is not value for o in optimizers):
                optimizers.append(value)
        elif isinstance(value, nn.Module):
            if all(m is not value for _, m in modules):
                modules.append((name, value))
        elif depth < 2 and isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                visit(f"{name}[{i}]", v, depth + 1)
        elif depth < 2 and isinstance(value, dict):
            for k, v in value.items():
                visit(f"{name}[{k!r}]", v, depth + 1)

    for name, value in namespace.items():
        if name.startswith("__") or name in header_names:
            continue
        visit(name, value, 0)
    return optimizers, modules


def header_names_of(case: Case) -> set[str]:
    header = case.source.split("# case:")[0]
    ns: dict = {}
    exec(compile(header, "<header>", "exec"), ns)
    return set(ns)


def run_case(case: Case) -> Outcome:
    namespace: dict = {"__name__": "__main__"}
    torch.manual_seed(0)
    error = None
    # What the case prints would interleave with the claim lines: keep it out of the report.
    printed = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(printed):
        warnings.simplefilter("always")
        try:
            exec(compile(case.source, os.path.join(FIXTURES, case.fixture), "exec"), namespace)
        except Exception as e:  # noqa: BLE001 - the exception is what is being checked
            error = e
    optimizers, modules = collect(namespace, header_names_of(case))
    return Outcome(namespace, error, [f"{w.category.__name__}: {w.message}" for w in caught], printed.getvalue(), optimizers, modules)


class ClaimFailed(Exception):
    pass


def params_of(value) -> list[torch.Tensor]:
    if isinstance(value, nn.Module):
        return list(value.parameters())
    if isinstance(value, torch.Tensor):
        return [value]
    raise ClaimFailed(f"{value!r} is neither a module nor a tensor")


def optimizer_of(outcome: Outcome, words: list[str]) -> torch.optim.Optimizer:
    if len(words) >= 2 and words[-2] == "of":
        opt = outcome.namespace.get(words[-1])
        if not isinstance(opt, torch.optim.Optimizer):
            raise ClaimFailed(f"`{words[-1]}` is not an optimizer")
        return opt
    if len(outcome.optimizers) != 1:
        raise ClaimFailed(f"the case built {len(outcome.optimizers)} optimizers: say which with `of <name>`")
    return outcome.optimizers[0]


def in_groups(outcome: Outcome, expr: str) -> tuple[list[torch.Tensor], list[int]]:
    """The parameters of <expr>, and the indices of those that some optimizer of the case holds."""
    params = params_of(evaluate(outcome, expr))
    optimized = {id(p) for p in all_optimized(outcome)}
    return params, [i for i, p in enumerate(params) if id(p) in optimized]


def all_optimized(outcome: Outcome) -> list[torch.Tensor]:
    return [p for o in outcome.optimizers for g in o.param_groups for p in g["params"]]


def same(actual, expected) -> bool:
    if isinstance(actual, torch.Tensor) and actual.numel() == 1:
        actual = actual.item()
    if isinstance(expected, (tuple, list)) and isinstance(actual, (tuple, list)):
        return len(actual) == len(expected) and all(same(a, e) for a, e in zip(actual, expected))
    if isinstance(expected, float) and isinstance(actual, (int, float)) and not isinstance(actual, bool):
        return math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-15)
    return type(actual) is type(expected) and actual == expected


def evaluate(outcome: Outcome, expr: str):
    try:
        return eval(expr, outcome.namespace)  # noqa: S307 - fixture expressions
    except Exception as e:  # noqa: BLE001
        raise ClaimFailed(f"cannot evaluate `{expr}`: {type(e).__name__}: {e}") from e


def backward_and_step(outcome: Outcome, via: str | None) -> None:
    for o in outcome.optimizers:
        o.zero_grad()
    if via:
        out = evaluate(outcome, via)
        if isinstance(out, (tuple, list)):
            out = out[0]
        out.float().sum().backward()
    else:
        seen: set[int] = set()
        for p in [*all_optimized(outcome), *(p for _, m in outcome.modules for p in m.parameters())]:
            if p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                p.grad = torch.randn_like(p)
    for o in outcome.optimizers:
        o.step()


def expect_no_error(outcome: Outcome) -> None:
    if outcome.error is not None:
        raise ClaimFailed(f"the case raised {type(outcome.error).__name__}: {outcome.error}")


def check_claim(claim: str, case: Case, outcome: Outcome) -> str:
    """Returns a short note on success; raises ClaimFailed otherwise."""
    kind, _, rest = claim.partition(" ")
    words = rest.split()
    if kind == "raises":
        if outcome.error is None:
            raise ClaimFailed("the case ran without raising")
        got = f"{type(outcome.error).__name__}: {outcome.error}"
        exc_type, _, message = rest.partition(": ")
        if type(outcome.error).__name__ != exc_type or message not in str(outcome.error):
            raise ClaimFailed(f"raised `{got}`")
        return ""
    if kind == "warns":
        if not any(rest in w for w in outcome.warnings):
            raise ClaimFailed(f"warnings were {outcome.warnings or 'none'}")
        return ""
    expect_no_error(outcome)
    if kind == "runs":
        if outcome.warnings:
            raise ClaimFailed(f"warned: {outcome.warnings}")
        if not outcome.optimizers:
            raise ClaimFailed("no optimizer was built")
        for o in outcome.optimizers:
            for i, g in enumerate(o.param_groups):
                if not g["params"]:
                    raise ClaimFailed(f"group {i} of {type(o).__name__} is empty")
                if len({id(p) for p in g["params"]}) != len(g["params"]):
                    raise ClaimFailed(f"group {i} of {type(o).__name__} holds a parameter twice")
        exempt = {
            id(p)
            for c in case.claims
            if c.startswith("not-in-any-group ")
            for p in params_of(evaluate(outcome, c.split(" ", 1)[1]))
        }
        optimized = {id(p) for p in all_optimized(outcome)}
        for name, m in outcome.modules:
            left = [n for n, p in m.named_parameters() if p.requires_grad and id(p) not in optimized and id(p) not in exempt]
            if left:
                raise ClaimFailed(f"trainable parameters of `{name}` are in no optimizer: {left[:4]}")
        return f"{len(outcome.optimizers)} optimizer(s), {len(optimized)} parameters, {len(outcome.modules)} module(s) covered"
    if kind == "empty-group":
        opt = optimizer_of(outcome, words)
        i = int(words[0])
        n = len(opt.param_groups[i]["params"])
        if n != 0:
            raise ClaimFailed(f"group {i} holds {n} parameters")
        return f"sizes {[len(g['params']) for g in opt.param_groups]}"
    if kind == "not-in-any-group":
        params, inside = in_groups(outcome, rest)
        if not params:
            raise ClaimFailed(f"`{rest}` has no parameters, so the claim says nothing")
        if inside:
            raise ClaimFailed(f"{len(inside)} of its {len(params)} parameters are in a group")
        return f"{len(params)} parameter tensors outside every group"
    if kind == "unchanged-after-step":
        target, _, via = rest.partition(" via ")
        params = params_of(evaluate(outcome, target))
        if not params:
            raise ClaimFailed(f"`{target}` has no parameters")
        before = [p.detach().clone() for p in params]
        optimized = [p for p in all_optimized(outcome)]
        before_opt = [p.detach().clone() for p in optimized]
        backward_and_step(outcome, via or None)
        changed = [i for i, (p, b) in enumerate(zip(params, before)) if not torch.equal(p.detach(), b)]
        if changed:
            raise ClaimFailed(f"{len(changed)} of its {len(params)} parameters changed")
        if not any(not torch.equal(p.detach(), b) for p, b in zip(optimized, before_opt)):
            raise ClaimFailed("step() moved no parameter at all, so the claim proves nothing")
        return f"{len(params)} parameter tensors unchanged while the optimized ones moved"
    if kind == "group-value":
        m = re.match(r"^(\d+) (\S+) (.+?)(?: of (\w+))?$", rest)
        if not m:
            raise ClaimFailed("expected `group-value <i> <key> <literal> [of <opt>]`")
        opt = optimizer_of(outcome, ["of", m[4]] if m[4] else [])
        i, key, expected = int(m[1]), m[2], ast.literal_eval(m[3])
        group = opt.param_groups[i]
        if key not in group:
            raise ClaimFailed(f"group {i} has no key {key!r} (keys: {sorted(k for k in group if k != 'params')})")
        if not same(group[key], expected):
            raise ClaimFailed(f"group {i} has {key}={group[key]!r}")
        return ""
    if kind == "requires-grad":
        expr, flag = rest.rsplit(" ", 1)
        params = params_of(evaluate(outcome, expr))
        wanted = flag == "True"
        wrong = [i for i, p in enumerate(params) if p.requires_grad != wanted]
        if not params or wrong:
            raise ClaimFailed(f"{len(wrong)} of {len(params)} parameters differ")
        return f"{len(params)} parameter tensors"
    if kind == "yields-nothing":
        items = list(evaluate(outcome, rest))
        if items:
            raise ClaimFailed(f"it yields {len(items)} items")
        return ""
    if kind == "step-raises":
        exc_type, _, message = rest.partition(": ")
        try:
            backward_and_step(outcome, None)
        except Exception as e:  # noqa: BLE001
            if type(e).__name__ != exc_type or message not in str(e):
                raise ClaimFailed(f"step() raised `{type(e).__name__}: {e}`") from e
            return f"`{type(e).__name__}: {e}`"
        raise ClaimFailed("step() did not raise")
    if kind == "prints":
        if rest not in outcome.stdout:
            raise ClaimFailed(f"it printed {outcome.stdout[:200]!r}")
        return ""
    if kind == "value":
        expr, literal = rest.rsplit(" ", 1)
        actual = evaluate(outcome, expr)
        if not same(actual, ast.literal_eval(literal)):
            raise ClaimFailed(f"`{expr}` is {actual!r}")
        return ""
    raise ClaimFailed(f"unknown claim `{kind}` (see the vocabulary at the top of this script)")


def documented_difference(claim_113: str, claims_2x: list[str]) -> tuple[dict, str] | None:
    """The table entry that documents `claim_113`, and the 2.x claim it replaces."""
    for d in VERSION_DIFFERENCES:
        if re.search(d["claim_113"], claim_113):
            for c in claims_2x:
                if re.search(d["claim_2x"], c):
                    return d, c
    return None


def main(argv: list[str]) -> int:
    stubs = install_stubs()
    files = argv or sorted(
        os.path.join(FIXTURES, f) for f in os.listdir(FIXTURES) if re.match(r"^OPT\d{3}-[a-z0-9-]+\.py$", f)
    )
    print(f"torch {torch.__version__}; stubs for missing packages: {', '.join(stubs) or 'none'}")
    passed = failed = 0

    def report(ok: bool, where: str, claim: str, note: str) -> None:
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
        print(f"{'PASS' if ok else 'FAIL'} {where}: {claim}{f'  ({note})' if note else ''}")

    for path in files:
        for case in parse_fixture(path):
            where = f"{case.fixture}:{case.line} {case.name}"
            if not case.claims:
                report(False, where, "(no claim)", "every case needs at least one `# truth:` line")
                continue
            claims = list(case.claims)
            differences: dict[str, dict] = {}
            if TORCH_1 and case.claims_113:
                replaced: set[str] = set()
                for c in case.claims_113:
                    found = documented_difference(c, case.claims)
                    if found is None:
                        report(False, where, f"truth-1.13 {c}", "not a documented 1.13/2.x difference (VERSION_DIFFERENCES)")
                        continue
                    d, c2 = found
                    differences[c] = d
                    replaced.update(case.claims if d.get("whole_case") else [c2])
                if len(differences) != len(case.claims_113):
                    continue
                for c in case.claims:
                    if c in replaced:
                        print(f"SKIP {where}: {c}  (torch 2.x behaviour; the torch {torch.__version__} claim is checked instead)")
                claims = [c for c in case.claims if c not in replaced] + case.claims_113
            try:
                outcome = run_case(case)
            except Exception:  # noqa: BLE001 - a broken harness, not a claim
                report(False, where, "(setup)", traceback.format_exc(limit=3))
                continue
            for claim in claims:
                try:
                    note = check_claim(claim, case, outcome)
                    if claim in differences:
                        note = f"{note + '; ' if note else ''}documented 1.13 difference: {differences[claim]['reference']}"
                    report(True, where, claim, note)
                except ClaimFailed as e:
                    report(False, where, claim, str(e))
                except Exception as e:  # noqa: BLE001
                    report(False, where, claim, f"{type(e).__name__}: {e}")
        check_fixed_twin(path, report)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def check_fixed_twin(path: str, report) -> None:
    """The fixes do what they say: in each case of `<fixture>.fixed.py` that the fixes changed,
    every `not-in-any-group <expr>` claim of the fixture must have turned false (all of <expr>'s
    parameters are in a group now), every `truth-fixed` claim must hold, and the case must still
    run without an error. A `truth-fixed` claim on a case the fixes left alone fails."""
    twin = path[: -len(".py")] + ".fixed.py"
    originals = {c.name: c for c in parse_fixture(path)}
    if not os.path.exists(twin):
        for c in originals.values():
            for claim in c.claims_fixed:
                report(False, f"{c.fixture}:{c.line} {c.name}", f"fixed: {claim}", f"there is no {os.path.basename(twin)}")
        return
    for case in parse_fixture(twin):
        original = originals.get(case.name)
        targets = [c.split(" ", 1)[1] for c in case.claims if c.startswith("not-in-any-group ")]
        where = f"{case.fixture}:{case.line} {case.name}"
        if original and original.source == case.source:
            for claim in case.claims_fixed:
                report(False, where, f"fixed: {claim}", "the fixes did not change this case")
            continue
        if not original or not (targets or case.claims_fixed):
            continue
        try:
            outcome = run_case(case)
            expect_no_error(outcome)
        except ClaimFailed as e:
            report(False, where, "fixed: runs", str(e))
            continue
        except Exception:  # noqa: BLE001 - a broken harness, not a claim
            report(False, where, "fixed: (setup)", traceback.format_exc(limit=3))
            continue
        for claim in case.claims_fixed:
            try:
                report(True, where, f"fixed: {claim}", check_claim(claim, case, outcome))
            except ClaimFailed as e:
                report(False, where, f"fixed: {claim}", str(e))
        for target in targets:
            params, inside = in_groups(outcome, target)
            ok = bool(params) and len(inside) == len(params)
            note = f"{len(params)} parameter tensors, all in a group" if ok else f"{len(params) - len(inside)} of its {len(params)} parameters are in no group"
            report(ok, where, f"fixed: in-a-group {target}", note)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
