"""Remedies for wiring faults: non-finite inputs, an output activation that cannot reach the
targets, a loss that does not match the label structure, pathological optimizer settings.

Each builds candidate Setups from copies (see :mod:`nndoctor.fix.remedies` for the contract);
whether one helps is decided by the trials.
"""
from __future__ import annotations

import copy
import math

import torch
from torch import nn

from ..findings import Finding
from ..setup import Setup
from ..verdicts.optimisation import pathological_settings
from .candidate import Candidate
from .transforms import (
    NotApplicable, derive, drop_probability_head, final_module, invertible_final_op, leaf_order, map_dataset, rebuild_loader,
    sample_input, set_module,
)
from .wrappers import BinaryLogitsLoss, Destandardised, IndexCrossEntropy, InvertedActivation, TargetScaledLoss

BOUNDED_OUTPUTS = (nn.ReLU, nn.ReLU6, nn.Sigmoid, nn.Tanh, nn.Hardtanh, nn.Softplus)
# The settings O410 names pathological that the sane-optimizer remedy replaces, with torch's default for each.
TORCH_DEFAULTS: dict[str, object] = {"momentum": 0.9, "betas": (0.9, 0.999), "eps": 1e-8}


# -- D103 / D104: non-finite inputs -----------------------------------------------------------
def _finite_column_means(setup: Setup) -> torch.Tensor:
    """Per-element mean of the finite training inputs (0 where no value is finite)."""
    total = count = None
    for x, _ in setup.batches("train"):
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise NotApplicable("the inputs are not one floating-point tensor")
        x = x.detach().cpu().double()
        finite = torch.isfinite(x)
        values = torch.where(finite, x, torch.zeros_like(x)).sum(0)
        seen = finite.sum(0)
        total = values if total is None else total + values
        count = seen if count is None else count + seen
    if total is None:
        raise NotApplicable("the training split yielded no samples")
    return (total / count.clamp_min(1)).float()


def impute_non_finite(setup: Setup, finding: Finding) -> list[Candidate]:
    """Replace NaN/Inf inputs by the training mean of their feature (0 when a feature has no finite value,
    e.g. a constant column standardised by its zero std)."""
    x, _ = setup.first_batch("train")
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise NotApplicable("the inputs are not one floating-point tensor")
    if all(bool(torch.isfinite(x).all()) for x, _ in setup.batches("train")):
        raise NotApplicable("every training input is finite: the non-finite values arise in the targets or inside the model")
    fill = _finite_column_means(setup)

    def clean(values: torch.Tensor) -> torch.Tensor:
        return torch.where(torch.isfinite(values), values, fill.to(values.device).expand_as(values))

    train = rebuild_loader(setup.train_loader, map_dataset(setup.train_loader.dataset, fn_x=clean))
    val = rebuild_loader(setup.val_loader, map_dataset(setup.val_loader.dataset, fn_x=clean)) if setup.val_loader is not None else None
    snippet = (
        "std[std == 0] = 1                           # a constant feature stays constant instead of 0/0 = NaN\n"
        "col_mean = np.nanmean(np.where(np.isfinite(X_train), X_train, np.nan), axis=0)   # training split only\n"
        "X_train = np.where(np.isfinite(X_train), X_train, col_mean)\n"
        "X_val = np.where(np.isfinite(X_val), X_val, col_mean)"
    )
    return [Candidate("impute-non-finite", "replace non-finite inputs by the feature's training mean",
                       derive(setup, train=train, val=val), snippet)]


def guard_zero_scale(setup: Setup, finding: Finding) -> list[Candidate]:
    """A constant feature standardised inside the model: its stored scale (a buffer or frozen tensor of one value per
    input feature, as a scaler built into ``forward`` keeps ``std``) is 0 there, so ``(x - mean) / std`` is 0/0 = NaN.
    The playbook's guard: set that scale to 1 where it is 0, so the feature stays constant (0 after centring)."""
    columns = [int(c) for c in finding.evidence.get("features") or [] if isinstance(c, int)]
    if not columns:
        raise NotApplicable("the finding names no constant input feature")
    model = setup.fresh_model()
    width = max(columns) + 1
    guarded = []
    for name, tensor in [*model.named_buffers(), *((n, p) for n, p in model.named_parameters() if not p.requires_grad)]:
        if tensor is None or not tensor.is_floating_point() or tensor.dim() != 1 or tensor.numel() < width:
            continue
        zero = tensor.detach() == 0
        if bool(zero[columns].all()) and int(zero.sum()) == len(columns):  # zero exactly at the constant features
            with torch.no_grad():
                tensor[zero] = 1.0
            guarded.append(name)
    if not guarded:
        raise NotApplicable("no scale stored in the model is zero exactly at the constant features")
    names = ", ".join(guarded)
    return [Candidate("guard-zero-scale", f"set the model's {names} to 1 where it is 0 (the constant features)",
                      derive(setup, model=model),
                      f"std[std == 0] = 1   # before building the model: {names} divides the inputs, and a constant "
                      "feature's std of 0 makes 0/0 = NaN")]


# -- L304: an output activation that cannot reach the targets -----------------------------
def unbounded_output(setup: Setup, finding: Finding) -> list[Candidate]:
    """Regression: drop a final ReLU/Sigmoid/Tanh so the output can take every target value; where forward() applies
    one that cannot be undone (a ReLU), train on targets moved into its range instead."""
    if setup.task != "regression":
        raise NotApplicable(f"the task is {setup.task}; a bounded output is L302's business for classification")
    model = setup.fresh_model()
    x = sample_input(setup)
    last = final_module(leaf_order(model, x))
    if last is None or not isinstance(last[1], BOUNDED_OUTPUTS):
        in_forward = invertible_final_op(model, x)
        if in_forward not in ("Sigmoid", "Tanh"):
            return targets_into_range(setup, finding)
        return [Candidate("unbounded-output", f"return the output before the torch.{in_forward.lower()} in forward()",
                          derive(setup, model=InvertedActivation(model, in_forward)),
                          f"# in forward(), drop the torch.{in_forward.lower()}(...) around the output: a regression head is a plain Linear")]
    set_module(model, last[0], nn.Identity())
    name = type(last[1]).__name__
    return [Candidate("unbounded-output", f"remove the final {name} so the output can reach every target",
                       derive(setup, model=model), f"# remove the final nn.{name}(): a regression head is a plain Linear")]


# The targets moved into a bounded output's range keep this share of the range clear at each finite end: a ReLU
# or sigmoid exactly at its bound passes no gradient.
RANGE_MARGIN = 0.05


def targets_into_range(setup: Setup, finding: Finding) -> list[Candidate]:
    """Train on targets mapped affinely into the range L304 measured for the output ([0, inf) for a ReLU, [0, 1] for
    a sigmoid), predicting back in the original units: the playbook's other fix, for an activation forward() applies
    that cannot be removed from outside."""
    evidence = finding.evidence if finding is not None and finding.evidence else {}
    try:
        low, high = (float(v) for v in evidence["activation_range"])
        target_min, target_max = float(evidence["target_min"]), float(evidence["target_max"])
    except (KeyError, TypeError, ValueError):
        raise NotApplicable("the finding does not say the output's range and the targets'") from None
    span = target_max - target_min
    if not (math.isfinite(span) and span > 0) or (math.isinf(low) and math.isinf(high)):
        raise NotApplicable("the targets have no spread, or the output is not bounded")
    if math.isfinite(low) and math.isfinite(high):  # squeeze [min, max] into the range, a margin clear at both ends
        scale = (1 - 2 * RANGE_MARGIN) * (high - low) / span
        shift = target_min - (low + RANGE_MARGIN * (high - low)) / scale
    elif math.isfinite(low):  # move the smallest target a margin above the bound, keep the units
        scale, shift = 1.0, target_min - low - RANGE_MARGIN * span
    else:
        scale, shift = 1.0, target_max - high + RANGE_MARGIN * span
    mean = torch.tensor(shift, device=setup.device)
    std = torch.tensor(1 / scale, device=setup.device)
    model = Destandardised(setup.fresh_model(), mean, std)
    loss = TargetScaledLoss(copy.deepcopy(setup.loss), mean, std)
    snippet = (f"y_shift, y_scale = {shift:.4g}, {scale:.4g}   # the targets' training range into the output's "
               f"[{low:g}, {high:g}]\n"
               "loss = loss_fn(model(x), (y - y_shift) * y_scale)\n"
               "prediction = model(x) / y_scale + y_shift          # back to original units")
    return [Candidate("targets-into-range", f"train on targets moved into the output's range [{low:g}, {high:g}]",
                      derive(setup, model=model, loss=loss), snippet)]


# -- L306: the loss must match the label structure ----------------------------------------
def matching_loss(setup: Setup, finding: Finding) -> list[Candidate]:
    """Multi-hot targets under softmax cross-entropy get BCEWithLogitsLoss; single-label multi-class
    targets under a binary loss get CrossEntropyLoss."""
    name = type(setup.loss).__name__
    model = setup.fresh_model()
    removed = drop_probability_head(model, leaf_order(model, sample_input(setup)))
    lines = [f"# remove the final nn.{removed}(): the loss takes logits"] if removed else []
    if setup.task == "multilabel" and name in ("CrossEntropyLoss", "NLLLoss"):
        loss: nn.Module = BinaryLogitsLoss()
        lines.append("loss_fn = nn.BCEWithLogitsLoss()   # one independent sigmoid per label; targets y.float() multi-hot")
        lines.append("prediction = model(x) > 0")
    elif setup.task == "multiclass" and name in ("BCELoss", "BCEWithLogitsLoss"):
        loss = IndexCrossEntropy()
        lines.append("loss_fn = nn.CrossEntropyLoss()   # one softmax over the classes; targets y.long() class indices")
        lines.append("prediction = model(x).argmax(dim=-1)")
    else:
        raise NotApplicable(f"{name} on {setup.task} targets is not a mismatch this remedy rewires")
    return [Candidate("matching-loss", f"use {type(loss).__name__.replace('IndexCrossEntropy', 'CrossEntropyLoss').replace('BinaryLogitsLoss', 'BCEWithLogitsLoss')} for {setup.task} targets",
                       derive(setup, model=model, loss=loss), "\n".join(lines), loss_comparable=False,
                       judged_by="cleared")]  # a loss wired to the wrong label structure is a bug, judged as L301-L303


# -- O410: pathological optimizer settings ------------------------------------------------
def _sane(group: dict, kind: str) -> dict[str, object]:
    """The momentum, betas and eps of one param group (of an optimizer of class ``kind``) that O410 calls
    pathological, with torch's defaults instead (the LR and weight decay have remedies of their own)."""
    named = pathological_settings(kind, group)
    return {name: value for name, value in TORCH_DEFAULTS.items() if name in named}


def sane_optimizer(setup: Setup, finding: Finding) -> list[Candidate]:
    """The user's optimizer with out-of-range momentum, betas or eps set to torch's defaults."""
    factory = setup.optimizer_factory
    probe = factory(setup.fresh_model().parameters())
    kind = type(probe).__name__
    fixes = _sane(probe.param_groups[0], kind)
    if not fixes:
        raise NotApplicable("momentum, betas and eps are all in their sane ranges")

    def build(params: object) -> torch.optim.Optimizer:
        optimizer = factory(params)
        for group in optimizer.param_groups:
            group.update(copy.deepcopy(_sane(group, kind)))
        return optimizer

    shown = ", ".join(f"{k}={v}" for k, v in fixes.items())
    return [Candidate("sane-optimizer", f"set {shown} (torch's defaults)", derive(setup, optimizer=build),
                       f"optimizer = torch.optim.{kind}(model.parameters(), lr=..., {shown})")]
