"""L family: the output layer and the loss, judged from the outputs and loss at init.

Every verdict reads the shared ``init_outputs`` probe: what the model returns on real sample
batches, what the loss makes of it, and what chance and a constant predictor would score.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import torch
from torch import nn

from ..findings import Finding, Severity
from ..probes.init_outputs import CLASSIFICATION_TASKS, REGRESSION_LOSSES, InitOutputs, init_outputs
from .base import Context, check

PROBABILITY_TOLERANCE = 1e-3
UNREACHABLE_SHARE = 0.01
INIT_LOSS_ABOVE = 1.5
# A squared-error loss at init is the target variance plus the untrained head's own output
# variance, which a standard init keeps up to about the target variance: 3x leaves that room.
INIT_REGRESSION_LOSS_ABOVE = 3.0
INIT_LOSS_BELOW = 0.5
SUM_REDUCTION_RATIO = 1.5
ANTI_ALIGNED = -0.5

# Ranges the final activation can produce (closed where the bound is reachable in the limit).
ACTIVATION_RANGES: dict[type, tuple[float, float]] = {
    nn.ReLU: (0.0, math.inf), nn.ReLU6: (0.0, 6.0), nn.Softplus: (0.0, math.inf),
    nn.Sigmoid: (0.0, 1.0), nn.Hardsigmoid: (0.0, 1.0), nn.Softmax: (0.0, 1.0),
    nn.Tanh: (-1.0, 1.0), nn.Softsign: (-1.0, 1.0),
}


def _probe(ctx: Context) -> InitOutputs:
    return ctx.probe("init_outputs", init_outputs)


def _finite(probe: InitOutputs) -> torch.Tensor | None:
    out = probe.outputs
    return out if out is not None and out.numel() and bool(torch.isfinite(out).all()) else None


def probabilities_over_classes(out: torch.Tensor | None) -> dict[str, float] | None:
    """Evidence when every row is a probability vector (non-negative, sums to 1), else None."""
    if out is None or out.dim() < 2 or out.shape[1] < 2:
        return None
    sums = out.sum(dim=1)
    if float(out.min()) >= -PROBABILITY_TOLERANCE and float((sums - 1).abs().max()) <= PROBABILITY_TOLERANCE:
        return {"min_output": float(out.min()), "row_sum_min": float(sums.min()), "row_sum_max": float(sums.max())}
    return None


def inside_unit_interval(out: torch.Tensor | None) -> bool:
    return out is not None and out.numel() > 1 and float(out.min()) >= 0.0 and float(out.max()) <= 1.0


def squashed(out: torch.Tensor | None) -> bool:
    """Varying outputs that all lie in [0, 1], as after a sigmoid (all-equal outputs say nothing)."""
    return inside_unit_interval(out) and float(out.max()) > float(out.min())


def _activation_location(probe: InitOutputs) -> str | None:
    """The final module's name when it is an activation, not a weight layer."""
    module = probe.final_module_obj
    if module is None or list(module.parameters()):
        return None
    return f"module {probe.final_module_name} ({type(module).__name__})"


@check("L301", phase="loss")
def double_softmax(ctx: Context) -> Iterable[Finding]:
    """CrossEntropyLoss applies log-softmax itself; feeding it probabilities squashes the logits into [0, 1]."""
    probe = _probe(ctx)
    evidence = probabilities_over_classes(_finite(probe)) if probe.loss_name == "CrossEntropyLoss" else None
    if evidence:
        yield Finding(
            "L301", Severity.ERROR,
            f"The model's outputs are already probabilities (all ≥ {evidence['min_output']:.3g}, every row sums to "
            f"{evidence['row_sum_min']:.4f}..{evidence['row_sum_max']:.4f}) but CrossEntropyLoss applies softmax again: "
            "the logits it sees lie in [0, 1], so the loss can barely move and gradients are tiny.",
            evidence={**evidence, "loss": probe.loss_name, "final_module": probe.final_module},
            location=_activation_location(probe),
        )


@check("L302", phase="loss")
def sigmoid_before_logits_loss(ctx: Context) -> Iterable[Finding]:
    """A logits loss fed values in [0, 1] (a sigmoid already applied)."""
    probe = _probe(ctx)
    out = _finite(probe)
    logits_loss = probe.loss_name == "BCEWithLogitsLoss" or (
        probe.loss_name == "CrossEntropyLoss" and probabilities_over_classes(out) is None
    )
    if logits_loss and squashed(out):
        yield Finding(
            "L302", Severity.ERROR,
            f"All {out.numel()} model outputs lie in [{float(out.min()):.3g}, {float(out.max()):.3g}], as after a sigmoid, "
            f"but {probe.loss_name} expects raw logits and applies the squashing itself.",
            evidence={"min_output": float(out.min()), "max_output": float(out.max()), "loss": probe.loss_name, "final_module": probe.final_module},
            location=_activation_location(probe),
        )


@check("L303", phase="loss")
def missing_output_normalization(ctx: Context) -> Iterable[Finding]:
    """NLLLoss on non-log-probabilities, BCELoss outside [0, 1], or outputs that are not finite."""
    probe = _probe(ctx)
    out = probe.outputs
    if out is None or not out.numel():
        return
    bad = int((~torch.isfinite(out)).sum())
    if bad:
        yield Finding(
            "L303", Severity.ERROR,
            f"{bad} of {out.numel()} model outputs at init are NaN or infinite"
            + (f" (the inputs hold {probe.nonfinite_inputs} non-finite values)" if probe.nonfinite_inputs else
               " on finite inputs: a hand-written exp/softmax/log overflows; use log_softmax or a logits loss")
            + ".",
            evidence={"nonfinite_outputs": bad, "outputs": out.numel(), "nonfinite_inputs": probe.nonfinite_inputs},
            location=probe.final_module_name,
        )
        return
    if probe.loss_name == "NLLLoss" and out.dim() >= 2:
        offset = torch.logsumexp(out, dim=1).abs()
        if float(offset.max()) > PROBABILITY_TOLERANCE:
            yield Finding(
                "L303", Severity.ERROR,
                f"NLLLoss expects log-probabilities, but the outputs are not normalised: logsumexp over the classes is up to "
                f"{float(offset.max()):.3g} away from 0 (median {float(offset.median()):.3g}). Apply log_softmax, or return logits "
                "and use CrossEntropyLoss.",
                evidence={"max_abs_logsumexp": float(offset.max()), "median_abs_logsumexp": float(offset.median())},
                location=probe.final_module_name,
            )
    if probe.loss_name == "BCELoss" and not inside_unit_interval(out):
        yield Finding(
            "L303", Severity.ERROR,
            f"BCELoss expects probabilities, but the outputs range over [{float(out.min()):.3g}, {float(out.max()):.3g}]. "
            "Return logits and use BCEWithLogitsLoss.",
            evidence={"min_output": float(out.min()), "max_output": float(out.max())},
            location=probe.final_module_name,
        )


def final_range(probe: InitOutputs) -> tuple[float, float, str] | None:
    """The range the model's last activation can produce.

    From its module when the output comes straight from an activation module; else from the
    autograd graph (activations in forward(), or behind a Flatten); only when there is no graph
    (nothing requires grad), from exact-zero/unit-interval outputs.
    """
    module = probe.final_module_obj
    if isinstance(module, nn.Hardtanh):
        return float(module.min_val), float(module.max_val), probe.final_module
    for cls, (low, high) in ACTIVATION_RANGES.items():
        if isinstance(module, cls):
            return low, high, probe.final_module
    if probe.final_op is not None:
        if probe.final_op_range is None:
            return None
        return (*probe.final_op_range, f"{probe.final_op.lower()} (the last operation before the output)")
    out = _finite(probe)
    if module is None and out is not None and out.numel() >= 20:
        if squashed(out):
            return 0.0, 1.0, "a sigmoid-like squashing in forward()"
        if float(out.min()) == 0.0 and float((out == 0).float().mean()) >= 0.1:
            return 0.0, math.inf, "a ReLU/clamp in forward()"
    return None


@check("L304", phase="loss")
def output_range_mismatch(ctx: Context) -> Iterable[Finding]:
    """Targets the final activation can never produce."""
    probe = _probe(ctx)
    targets = probe.targets
    compares_values = probe.loss_name in REGRESSION_LOSSES + ("BCELoss",) or probe.task == "regression"
    if targets is None or not compares_values or not targets.is_floating_point() and probe.task != "regression":
        return
    bounds = final_range(probe)
    if bounds is None:
        return
    low, high, what = bounds
    values = targets.float()
    outside = (values < low - 1e-6) | (values > high + 1e-6)
    share = float(outside.float().mean())
    if share > UNREACHABLE_SHARE:
        stuck = _stuck_at_bound(probe, low, high)
        consequence = (" Every output already sits at the bound, where the activation passes no gradient: nothing upstream "
                       "can learn." if stuck else "")
        yield Finding(
            "L304", Severity.ERROR if stuck else Severity.WARNING,
            f"The output passes through {what}, which can only produce values in [{low:g}, {high:g}], "
            f"but {share:.0%} of the targets lie outside it (targets range over [{float(values.min()):.3g}, {float(values.max()):.3g}])."
            + consequence,
            evidence={"activation_range": [low, high], "target_min": float(values.min()), "target_max": float(values.max()),
                      "share_unreachable": share, "final_module": probe.final_module, "final_op": probe.final_op,
                      "stuck": stuck},
            location=probe.final_module_name,
        )


def _stuck_at_bound(probe: InitOutputs, low: float, high: float) -> bool:
    """Every output exactly at a finite bound of the range (a dead ReLU, a fully saturated sigmoid/tanh)."""
    out = _finite(probe)
    if out is None or not out.numel():
        return False
    at_bound = torch.zeros_like(out, dtype=torch.bool)
    for bound in (low, high):
        if math.isfinite(bound):
            at_bound |= out == bound
    return bool(at_bound.all())


def target_structure(targets: torch.Tensor | None) -> str | None:
    """'one-hot', 'multi-hot' for 0/1 matrices, 'indices' for integer labels, else None."""
    if targets is None:
        return None
    if targets.dim() == 2 and targets.shape[1] > 1:
        values = torch.unique(targets)
        if bool(((values == 0) | (values == 1)).all()):
            sums = targets.float().sum(dim=1)
            return "one-hot" if bool((sums == 1).all()) else ("multi-hot" if bool((sums > 1).any()) else None)
        return None
    flat = targets.reshape(-1).float()
    if not targets.is_floating_point() or bool((flat == flat.round()).all()):
        return "indices"
    return None


@check("L305", phase="loss")
def regression_loss_for_classification(ctx: Context) -> Iterable[Finding]:
    """A distance loss on class labels treats classes as numbers on a line (or one-hot rows as points)."""
    setup = ctx.setup
    probe = _probe(ctx)
    if probe.loss_name not in REGRESSION_LOSSES or setup.task not in CLASSIFICATION_TASKS:
        return
    structure = target_structure(probe.targets) or "class labels"
    yield Finding(
        "L305", Severity.ERROR,
        f"{probe.loss_name} is a regression loss, but the task is {setup.task} ({setup.task_reason or 'given'}; targets are {structure}). "
        "It treats class codes as distances and gives weak, badly scaled gradients for classification. If the targets are "
        "real quantities, pass task='regression'.",
        evidence={"loss": probe.loss_name, "task": setup.task, "targets": structure},
    )


@check("L306", phase="loss")
def wrong_classification_loss(ctx: Context) -> Iterable[Finding]:
    """Binary cross-entropy on one-hot single-label targets, or softmax cross-entropy on multi-hot ones."""
    probe = _probe(ctx)
    structure = target_structure(probe.targets)
    width = probe.targets.shape[1] if structure in ("one-hot", "multi-hot") else None
    if probe.loss_name in ("BCELoss", "BCEWithLogitsLoss") and structure == "one-hot" and width >= 3:
        yield Finding(
            "L306", Severity.ERROR,
            f"Every target row is one-hot over {width} classes (exactly one class per sample), but {probe.loss_name} scores each "
            "class independently, so the outputs are not a distribution over classes. Use CrossEntropyLoss on logits with "
            "class indices.",
            evidence={"loss": probe.loss_name, "targets": structure, "classes": width},
        )
    if probe.loss_name in ("CrossEntropyLoss", "NLLLoss") and structure == "multi-hot":
        multi = float((probe.targets.float().sum(dim=1) > 1).float().mean())
        yield Finding(
            "L306", Severity.ERROR,
            f"{multi:.0%} of the target rows mark several of the {width} labels at once (multi-label), but {probe.loss_name} "
            "makes the classes compete in one softmax. Use BCEWithLogitsLoss for multi-label targets.",
            evidence={"loss": probe.loss_name, "targets": structure, "multi_label_share": multi, "labels": width},
        )


def _root_of_initial_loss(ctx: Context, probe: InitOutputs) -> str | None:
    out = _finite(probe)
    if out is None:
        return "L303"
    if probe.loss_name == "CrossEntropyLoss" and probabilities_over_classes(out):
        return "L301"
    if any(True for _ in sigmoid_before_logits_loss(ctx)):
        return "L302"
    if probe.offset_loss is not None and probe.constant_loss and probe.offset_loss >= 2 * probe.constant_loss:
        return "M210"
    return None


@check("L307", phase="loss")
def unexpected_initial_loss(ctx: Context) -> Iterable[Finding]:
    """Loss at init outside [constant predictor, chance]: the output layer or loss wiring is off."""
    probe = _probe(ctx)
    init, chance, constant = probe.loss, probe.chance_loss, probe.constant_loss
    if None in (init, chance, constant) or not math.isfinite(init) or chance <= 0 or constant <= 0:
        return
    regression = probe.space not in ("class_logits", "class_log_probs", "element_logits", "element_probs")
    above = INIT_REGRESSION_LOSS_ABOVE if regression else INIT_LOSS_ABOVE
    high, low = above * max(chance, constant), INIT_LOSS_BELOW * min(chance, constant)
    if low <= init <= high:
        return
    if probe.space in ("class_logits", "class_log_probs"):
        expected = f"value ln(C) = ln({probe.n_classes}) = {chance:.4g} for a network that knows nothing yet"
    elif probe.space in ("element_logits", "element_probs"):
        expected = f"value ln 2 = {chance:.4g} per label for zero logits (the label prior alone gives {constant:.4g})"
    else:
        expected = f"value, the target variance {chance:.4g} (what predicting the mean scores)"
    direction = "far above" if init > high else "far below"
    yield Finding(
        "L307", Severity.WARNING,
        f"The loss at init is {init:.4g}, {direction} the expected {expected}"
        + (": an untrained model should not beat a constant prediction" if init < low else "") + ".",
        evidence={"init_loss": init, "chance_loss": chance, "constant_predictor_loss": constant,
                  "ratio_to_chance": init / chance, "loss": probe.loss_name, "expected_range": [low, high]},
        explained_by=_root_of_initial_loss(ctx, probe),
    )


def reduction_ratio(loss: Any, outputs: torch.Tensor, targets: torch.Tensor) -> float | None:
    """loss(batch) / mean(loss(half A), loss(half B)): 1 for a mean reduction, 2 for a sum."""
    half = outputs.shape[0] // 2
    if half < 2:
        return None
    with torch.no_grad():
        whole = loss(outputs[: 2 * half], targets[: 2 * half])
        parts = [loss(outputs[:half], targets[:half]), loss(outputs[half: 2 * half], targets[half: 2 * half])]
    if whole.numel() != 1:
        return math.inf
    mean_parts = (float(parts[0]) + float(parts[1])) / 2
    return float(whole) / mean_parts if mean_parts else None


def canonical_loss(task: str, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The standard loss for the task, used only as a compass for which way is 'better'."""
    functional = nn.functional
    if task in ("binary", "multiclass") and outputs.dim() >= 2 and outputs.shape[1] >= 2:
        if targets.dim() == outputs.dim() - 1:
            return functional.cross_entropy(outputs, targets.long())
        if targets.shape == outputs.shape:
            return functional.cross_entropy(outputs, targets.float())
    if task in ("binary", "multilabel"):
        return functional.binary_cross_entropy_with_logits(outputs, targets.float().reshape(outputs.shape))
    return functional.mse_loss(outputs, targets.float().reshape(outputs.shape))


def descent_alignment(loss: Any, task: str, outputs: torch.Tensor, targets: torch.Tensor) -> float | None:
    """Cosine between the user loss's and the task's standard loss's gradients w.r.t. the outputs."""
    out = outputs.detach().clone().requires_grad_()
    try:
        (user,) = torch.autograd.grad(loss(out, targets), out)
        (standard,) = torch.autograd.grad(canonical_loss(task, out, targets), out)
    except (RuntimeError, ValueError, TypeError):
        return None
    norms = float(user.norm() * standard.norm())
    return float((user * standard).sum()) / norms if norms > 0 else None


@check("L308", phase="loss")
def loss_sign_or_reduction(ctx: Context) -> Iterable[Finding]:
    """A loss that is maximised (sign flipped) or summed over the batch."""
    probe = _probe(ctx)
    out, targets, loss = _finite(probe), probe.targets, ctx.setup.loss
    if out is None or targets is None:
        return
    alignment = descent_alignment(loss, probe.task, out, targets)
    if alignment is not None and alignment < ANTI_ALIGNED:
        yield Finding(
            "L308", Severity.ERROR,
            f"Minimising this loss moves the outputs AWAY from the targets: its gradient w.r.t. the outputs points against "
            f"the standard {probe.task} loss's (cosine {alignment:.2f}). The sign is flipped, so training maximises the error.",
            evidence={"gradient_cosine": alignment, "init_loss": probe.loss},
        )
    try:
        ratio = reduction_ratio(loss, out, targets)
    except (RuntimeError, ValueError, TypeError):
        ratio = None
    if ratio is not None and ratio > SUM_REDUCTION_RATIO:
        half = out.shape[0] // 2
        described = ("returns one value per sample instead of a scalar" if math.isinf(ratio)
                     else f"on {2 * half} samples is {ratio:.2f}× its average on two halves of {half}")
        yield Finding(
            "L308", Severity.WARNING,
            f"The loss {described}: it is summed over the batch, so the gradient and the effective step size grow with the batch size.",
            evidence={"whole_over_halves": ratio if math.isfinite(ratio) else "not scalar", "samples": 2 * half},
        )
