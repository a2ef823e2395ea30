"""Remedies for how the model is trained rather than wired: regularise an overfitting model
(G601), give an underfitting one capacity (G602), smaller batches for a dataset the batch
swallows whole (D114), one LR for layers whose parameter group moves them at another rate (O412).

Each builds candidate Setups from copies (see :mod:`nndoctor.fix.remedies` for the contract);
whether one helps is decided by the trials.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import numpy as np
import torch
from torch import nn

from ..findings import Finding
from ..setup import Setup
from .candidate import Candidate
from .transforms import (
    NotApplicable,
    derive,
    device_of,
    feeding_pairs,
    leaf_order,
    loader_batch_size,
    output_linear,
    rebuild_loader,
    sample_input,
    set_module,
)
from .trials import samples_per_step

# Decoupled weight decay (AdamW's), as the share every weight matrix loses per step at the
# first group's LR: 3e-2 (the middle of 1e-2..1e-1 on a log scale) halves a weight the gradient
# does not sustain in about 23 steps, so it acts within a trial of a few hundred steps.
DECAY_PER_STEP = 3e-2
# Hidden widths grow by this factor (the 2-4x of "a bigger model"); a missing hidden layer gets
# HIDDEN_PER_INPUT units per input feature, at least MIN_HIDDEN.
WIDEN_FACTOR = 4
HIDDEN_PER_INPUT = 4
MIN_HIDDEN = 64
# The batch size a too-large batch is cut to (RULES: 16-64; D114 fires above 32).
SMALL_BATCH = 32
NORMS = (nn.LayerNorm, nn.BatchNorm1d)


# -- G601: regularise ---------------------------------------------------------------------------
def _decoupled_decay(factory: Callable[[Any], torch.optim.Optimizer], decay: float) -> Callable[[Any], torch.optim.Optimizer]:
    """``factory``'s optimizer with AdamW-style decoupled weight decay on matrices (not biases or norms).

    Before every step each weight tensor with two or more axes shrinks by ``lr * decay`` of its
    group: the decay is independent of the gradient statistics, so Adam's scaling does not undo it.
    """

    def build(params: Any) -> torch.optim.Optimizer:
        optimizer = factory(params)

        def shrink(opt: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
            with torch.no_grad():
                for group in opt.param_groups:
                    rate = float(group.get("lr", 0.0)) * decay
                    for p in group["params"]:
                        if p.dim() >= 2 and p.grad is not None:
                            p.mul_(1.0 - rate)

        optimizer.register_step_pre_hook(shrink)
        return optimizer

    return build


def _user_lr(setup: Setup) -> tuple[torch.optim.Optimizer, float]:
    probe = setup.optimizer_factory(setup.fresh_model().parameters())
    lr = float(probe.param_groups[0].get("lr", 0.0) or 0.0)
    if lr <= 0:
        raise NotApplicable("the optimizer has no positive learning rate to scale the weight decay by")
    return probe, lr


def regularise(setup: Setup, finding: Finding) -> list[Candidate]:
    """Decoupled weight decay, and early stopping on the validation loss; judged on the validation loss."""
    probe, lr = _user_lr(setup)
    decay = DECAY_PER_STEP / lr
    name = type(probe).__name__
    optimizer_class = "AdamW" if name in ("Adam", "AdamW") else name
    candidates = [Candidate(
        "weight-decay", f"decoupled weight decay {decay:.3g} at lr {lr:.3g} (weights shrink {DECAY_PER_STEP:.0%} a step)",
        derive(setup, optimizer=_decoupled_decay(setup.optimizer_factory, decay)),
        f"optimizer = torch.optim.{optimizer_class}(model.parameters(), lr={lr:.3g}, weight_decay={decay:.3g})"
        f"   # lr * weight_decay = {DECAY_PER_STEP:g}: each weight shrinks {DECAY_PER_STEP:.0%} a step unless the loss sustains it",
        judged_by="loss")]
    if setup.val_loader is not None:
        candidates.append(Candidate(
            "early-stopping", "early stopping: keep the weights with the lowest validation loss", derive(setup),
            "if val_loss < best_val_loss:   # after each evaluation\n"
            "    best_val_loss, best_state = val_loss, copy.deepcopy(model.state_dict())\n"
            "model.load_state_dict(best_state)   # at the end of training", restore_best=True, judged_by="loss"))
    return candidates


# -- G602: capacity --------------------------------------------------------------------------------
def _linear_chain(order: list[tuple[str, nn.Module]],
                  fed: set[tuple[str, str]]) -> list[tuple[str, nn.Linear, list[tuple[str, nn.Module]]]]:
    """The Linear layers in forward order that feed the next Linear directly (only activations,
    dropout or LayerNorm/BatchNorm1d between, each handing its output to the next: ``fed``, from
    :func:`feeding_pairs`; and matching widths), each with what lies between."""
    chain = []
    linears = [i for i, (_, m) in enumerate(order) if isinstance(m, nn.Linear)]
    for a, b in pairwise(linears):
        between = order[a + 1:b]
        first, second = order[a][1], order[b][1]
        if first.out_features != second.in_features:
            continue
        if any(list(m.parameters()) and not isinstance(m, NORMS) for _, m in between):
            continue
        path = [name for name, _ in order[a:b + 1]]
        if not all(pair in fed for pair in pairwise(path)):
            continue
        chain.append((order[a][0], first, between))
    return chain


def _rebuilt(layer: nn.Linear, n_in: int, n_out: int, device: torch.device) -> nn.Linear:
    return nn.Linear(n_in, n_out, bias=layer.bias is not None).to(device)


def _without_nonlinearity(order: list[tuple[str, nn.Module]], fed: set[tuple[str, str]]) -> list[str]:
    """Hidden Linear layers feeding another Linear through affine modules only (dropout, identity, flatten,
    normalisation): the two are one linear map. A module of another kind between them may be an activation torch
    does not name (Hugging Face's ``GELUActivation``, a user's ``Swish``), so it is not taken for a missing one."""
    from .transforms import PASS_THROUGH

    return [name for name, _, between in _linear_chain(order, fed) if all(isinstance(m, PASS_THROUGH + NORMS) for _, m in between)]


def add_capacity(setup: Setup, finding: Finding) -> list[Candidate]:
    """A model that can represent more: a ReLU where stacked Linears compose to one linear map,
    a hidden layer where the model is a single Linear, else hidden Linear layers WIDEN_FACTOR times wider."""
    model = setup.fresh_model()
    x = sample_input(setup)
    order, fed = leaf_order(model, x), feeding_pairs(model, x)
    device = device_of(model)
    linear_only = _without_nonlinearity(order, fed)
    if linear_only:
        for name in linear_only:
            set_module(model, name, nn.Sequential(model.get_submodule(name), nn.ReLU()))
        return [Candidate("add-nonlinearity", f"a ReLU after {', '.join(linear_only)}: stacked Linear layers without one are a single linear map",
                          derive(setup, model=model), "nn.Linear(n_in, h), nn.ReLU(), nn.Linear(h, n_out)   # an activation between Linear layers")]
    weighted = [(n, m) for n, m in order if list(m.parameters(recurse=False))]
    head = output_linear(order)
    if head is not None and len(weighted) == 1:
        name, layer = head
        hidden = max(MIN_HIDDEN, HIDDEN_PER_INPUT * layer.in_features)
        set_module(model, name, nn.Sequential(_rebuilt(layer, layer.in_features, hidden, device), nn.ReLU(),
                                              _rebuilt(layer, hidden, layer.out_features, device)))
        return [Candidate("add-hidden-layer", f"a hidden layer of {hidden} ReLU units before the output (the model is one Linear map)",
                          derive(setup, model=model),
                          f"nn.Sequential(nn.Linear({layer.in_features}, {hidden}), nn.ReLU(), nn.Linear({hidden}, {layer.out_features}))")]
    chain = _linear_chain(order, fed)
    if not chain:
        raise NotApplicable("no hidden Linear layer feeding another Linear to widen, and the model is not a single Linear")
    widths = {name: layer.out_features * WIDEN_FACTOR for name, layer, _ in chain}
    inputs: dict[str, int] = {}
    names = [n for n, _ in order]
    for name, _, between in chain:
        following = next(n for n, m in order[names.index(name) + 1:] if isinstance(m, nn.Linear))
        inputs[following] = widths[name]
        for other, module in between:
            if isinstance(module, nn.LayerNorm):
                set_module(model, other, nn.LayerNorm(widths[name]).to(device))
            elif isinstance(module, nn.BatchNorm1d):
                set_module(model, other, nn.BatchNorm1d(widths[name]).to(device))
    for name in dict.fromkeys([*widths, *inputs]):
        layer = model.get_submodule(name)
        set_module(model, name, _rebuilt(layer, inputs.get(name, layer.in_features), widths.get(name, layer.out_features), device))
    changed = ", ".join(f"{n}: {model.get_submodule(n).out_features // WIDEN_FACTOR} -> {w}" for n, w in widths.items())
    return [Candidate("widen-hidden", f"hidden Linear layers {WIDEN_FACTOR}x wider ({changed})", derive(setup, model=model),
                      f"nn.Linear(n_in, {WIDEN_FACTOR} * h), nn.ReLU(), nn.Linear({WIDEN_FACTOR} * h, n_out)   # {WIDEN_FACTOR}x the hidden units")]


def higher_lr_if_falling(setup: Setup, finding: Finding) -> list[Candidate]:
    """The LR remedy (range test's suggestion, or tenfold), only when the train loss was still falling at the end."""
    from .remedies import set_learning_rate

    evidence = finding.evidence or {}
    falling = bool(evidence.get("still_falling")) or any(a.get("still_falling") for a in evidence.get("attempts", []))
    if not falling:
        raise NotApplicable("the training loss had stopped falling: it is not the LR's pace that keeps it high")
    return set_learning_rate(setup, finding)


# -- D114: smaller batches ------------------------------------------------------------------------
def smaller_batches(setup: Setup, finding: Finding) -> list[Candidate]:
    """Batches of SMALL_BATCH at the same number of epochs: the trial runs as many more steps as it takes
    to see the baseline's samples (``equal_samples``): more updates per epoch is the remedy's point."""
    loader = setup.train_loader
    batch = loader_batch_size(loader)
    if batch is None or loader.batch_sampler is None or type(loader.batch_sampler).__name__ != "BatchSampler":
        raise NotApplicable("the training loader batches with a custom sampler; its batch size cannot be set here")
    if batch <= SMALL_BATCH:
        raise NotApplicable(f"the batch size {batch} is already at most {SMALL_BATCH}")
    train = rebuild_loader(loader, batch_size=SMALL_BATCH)
    return [Candidate("smaller-batches", f"batches of {SMALL_BATCH} instead of {batch}, for the same number of epochs "
                      f"({(samples_per_step(loader) or batch) / SMALL_BATCH:.3g}x the steps)", derive(setup, train=train),
                      f"train_loader = DataLoader(train_set, batch_size={SMALL_BATCH}, shuffle=True)   # was {batch}; "
                      "keep the number of epochs, so the model gets more updates", equal_samples=True)]


# -- O412: the layers' learning rates ----------------------------------------------------------------
# Tenfold: the LR step of the range test's neighbourhood, for when every layer moves at the off rate.
GLOBAL_LR_FACTOR = 10.0


def _matches(name: str | None, layers: Any) -> bool:
    """Whether parameter ``name`` is one of ``layers`` (names as watch saw them: a wrapper may add or drop a prefix)."""
    return name is not None and any(name == n or name.endswith("." + n) or n.endswith("." + name) for n in layers)


def layer_learning_rates(setup: Setup, finding: Finding) -> list[Candidate]:
    """The parameter groups of the off layers at the LR of the groups whose layers move at a healthy rate.

    O412 splits the layers into two sets two decades apart when a parameter group has its own LR
    (layer-wise decay gone wrong, a head or backbone group mistyped); giving those groups the
    others' LR is the remedy. When every layer is off, the global LR moves tenfold the other way.
    """
    from .remedies import optimizer_with

    evidence = finding.evidence or {}
    small = bool(evidence.get("too_small"))
    off = evidence.get("too_small") or evidence.get("too_large") or {}
    if not off:
        raise NotApplicable("the finding names no layer whose updates are off")
    probe_model = setup.fresh_model()
    probe = setup.optimizer_factory(probe_model.parameters())
    current = float(probe.param_groups[0].get("lr", 0.0) or 0.0)
    if not evidence.get("some_layers"):
        if current <= 0:
            raise NotApplicable("the optimizer has no positive learning rate to change")
        lr = current * (GLOBAL_LR_FACTOR if small else 1 / GLOBAL_LR_FACTOR)
        factory, line = optimizer_with(setup, lr=lr)
        return [Candidate("layer-learning-rates", f"{'raise' if small else 'lower'} the LR tenfold to {lr:.2g} (was {current:.2g}): "
                          "every weight layer moves at the off rate", derive(setup, optimizer=factory), line)]
    names = {id(p): n for n, p in probe_model.named_parameters()}
    rest = [n for n in (evidence.get("per_layer") or {}) if n not in off]
    off_groups, healthy_lrs = [], []
    for i, group in enumerate(probe.param_groups):
        members = [names.get(id(p)) for p in group["params"]]
        has_off, has_rest = any(_matches(n, off) for n in members), any(_matches(n, rest) for n in members)
        if has_off and has_rest:
            raise NotApplicable("the off layers share a parameter group with layers that move at a healthy rate: "
                                "no group LR separates them")
        if has_off:
            off_groups.append(i)
        elif has_rest:
            healthy_lrs.append(float(group.get("lr", 0.0) or 0.0))
    if not off_groups or not healthy_lrs:
        raise NotApplicable("the off layers do not have parameter groups of their own")
    target = float(np.median(healthy_lrs))
    if target <= 0 or all(math.isclose(float(probe.param_groups[i].get("lr", 0.0) or 0.0), target, rel_tol=0.2) for i in off_groups):
        raise NotApplicable("the off layers' groups already train at the other groups' LR")
    factory = setup.optimizer_factory

    def build(params: Any) -> torch.optim.Optimizer:
        optimizer = factory(params)
        if len(optimizer.param_groups) == len(probe.param_groups):
            for i in off_groups:
                optimizer.param_groups[i]["lr"] = target
        return optimizer

    layers = ", ".join(sorted(off)[:3]) + (", ..." if len(off) > 3 else "")
    was = sorted({float(probe.param_groups[i].get("lr", 0.0) or 0.0) for i in off_groups})
    return [Candidate("layer-learning-rates",
                      f"the {len(off_groups)} parameter group(s) of {layers} at lr {target:.2g}, the other groups' LR "
                      f"(was {', '.join(f'{v:.2g}' for v in was)})", derive(setup, optimizer=build),
                      f"optimizer = torch.optim.{type(probe).__name__}([{{'params': other_params}}, "
                      f"{{'params': off_params, 'lr': {target:.3g}}}], lr={target:.3g})   # one LR for {layers}")]
