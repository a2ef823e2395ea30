"""L family: the output layer and the loss, measured from the outputs and loss at init.

Every check reads the shared ``init_outputs`` probe (what the model returns on real sample
batches, what the loss makes of it, what chance and a constant predictor score) and turns it
into the measurement its verdict in ``verdicts.loss`` reads.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch
from torch import nn

from ..findings import Finding
from ..probes.init_outputs import (
    CLASSIFICATION_TASKS,
    LOGITS_OVER_CLASSES,
    REGRESSION_LOSSES,
    InitOutputs,
    class_term_spread,
    headless_loss,
    init_outputs,
    mirrored_loss,
    reinitialised_loss,
)
from ..verdicts.loss import (
    PROBABILITY_TOLERANCE,
    InitialLoss,
    LossDirection,
    LossForTargets,
    LossReduction,
    OutputBound,
    OutputsAtLoss,
)
from ..verdicts.loss import (
    double_softmax as _double_softmax,
)
from ..verdicts.loss import (
    loss_sign_or_reduction as _loss_sign_or_reduction,
)
from ..verdicts.loss import (
    missing_output_normalization as _missing_output_normalization,
)
from ..verdicts.loss import (
    output_range_mismatch as _output_range_mismatch,
)
from ..verdicts.loss import (
    regression_loss_for_classification as _regression_loss_for_classification,
)
from ..verdicts.loss import (
    sigmoid_before_logits_loss as _sigmoid_before_logits_loss,
)
from ..verdicts.loss import (
    unexpected_initial_loss as _unexpected_initial_loss,
)
from ..verdicts.loss import (
    wrong_classification_loss as _wrong_classification_loss,
)
from ..verdicts.model import at_data_prior
from .base import Context, check

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


def probabilities_over_classes(out: torch.Tensor | None, axis: int = 1) -> dict[str, float] | None:
    """Evidence when every row (along the class ``axis``) is a probability vector (non-negative, sums to 1), else None."""
    if out is None or out.dim() < 2 or out.dim() <= axis or out.shape[axis] < 2:
        return None
    sums = out.sum(dim=axis)
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


def outputs_at_loss(probe: InitOutputs) -> OutputsAtLoss | None:
    """The init outputs as the L301-L303 measurement (range, class-row sums, log-sum-exp offset)."""
    out = probe.outputs
    if out is None or not out.numel():
        return None
    finite = torch.isfinite(out)
    bad = int((~finite).sum())
    measurement = OutputsAtLoss(loss=probe.loss_name, minimum=None, maximum=None, count=out.numel(), nonfinite=bad,
                                nonfinite_inputs=probe.nonfinite_inputs, final=probe.final_module,
                                location=_activation_location(probe) or probe.final_module_name,
                                final_op=probe.final_op, final_op_range=probe.final_op_range)
    if bad:
        measurement.location = probe.final_module_name
        return measurement
    measurement.minimum, measurement.maximum = float(out.min()), float(out.max())
    axis = probe.class_axis
    if out.dim() >= 2 and out.dim() > axis and out.shape[axis] >= 2:
        sums = out.sum(dim=axis)
        measurement.classes = int(out.shape[axis])
        measurement.row_sum_min, measurement.row_sum_max = float(sums.min()), float(sums.max())
        offset = torch.logsumexp(out, dim=axis).abs()
        measurement.max_abs_logsumexp, measurement.median_abs_logsumexp = float(offset.max()), float(offset.median())
    return measurement


def _outputs(ctx: Context) -> OutputsAtLoss | None:
    return outputs_at_loss(_probe(ctx))


@check("L301", phase="loss")
def double_softmax(ctx: Context) -> Iterable[Finding]:
    """Probabilities fed to CrossEntropyLoss (verdict: ``verdicts.loss.double_softmax``)."""
    measurement = _outputs(ctx)
    if measurement is not None:
        yield from _double_softmax(measurement)


@check("L302", phase="loss")
def sigmoid_before_logits_loss(ctx: Context) -> Iterable[Finding]:
    """Values in [0, 1] fed to a logits loss (verdict: ``verdicts.loss.sigmoid_before_logits_loss``)."""
    measurement = _outputs(ctx)
    if measurement is not None:
        yield from _sigmoid_before_logits_loss(measurement)


@check("L303", phase="loss")
def missing_output_normalization(ctx: Context) -> Iterable[Finding]:
    """NLLLoss / BCELoss on unnormalised or non-finite outputs (verdict: ``verdicts.loss.missing_output_normalization``)."""
    measurement = _outputs(ctx)
    if measurement is not None:
        yield from _missing_output_normalization(measurement)


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
    """Targets the final activation can never produce (verdict: ``verdicts.loss.output_range_mismatch``)."""
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
    yield from _output_range_mismatch(OutputBound(
        low=low, high=high, what=what, unreachable_share=float(outside.float().mean()),
        target_min=float(values.min()), target_max=float(values.max()), stuck=_stuck_at_bound(probe, low, high),
        final_module=probe.final_module, final_op=probe.final_op, location=probe.final_module_name,
    ))


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


def loss_for_targets(ctx: Context, probe: InitOutputs) -> LossForTargets:
    """The L305/L306 measurement: the loss, the task and the structure of the sample targets."""
    targets = probe.targets
    structure = target_structure(targets)
    width = int(targets.shape[1]) if structure in ("one-hot", "multi-hot") else None
    multi = float((targets.float().sum(dim=1) > 1).float().mean()) if structure == "multi-hot" else None
    return LossForTargets(
        loss=probe.loss_name, task=ctx.setup.task, targets=structure, task_reason=ctx.setup.task_reason,
        regression_loss=probe.loss_name in REGRESSION_LOSSES, classification=ctx.setup.task in CLASSIFICATION_TASKS,
        width=width, multi_label_share=multi,
    )


@check("L305", phase="loss")
def regression_loss_for_classification(ctx: Context) -> Iterable[Finding]:
    """A distance loss on class labels (verdict: ``verdicts.loss.regression_loss_for_classification``)."""
    yield from _regression_loss_for_classification(loss_for_targets(ctx, _probe(ctx)))


@check("L306", phase="loss")
def wrong_classification_loss(ctx: Context) -> Iterable[Finding]:
    """BCE on one-hot single-label targets, or softmax CE on multi-hot ones (verdict: ``verdicts.loss.wrong_classification_loss``)."""
    yield from _wrong_classification_loss(loss_for_targets(ctx, _probe(ctx)))


def _root_of_initial_loss(ctx: Context, probe: InitOutputs) -> str | None:
    out = _finite(probe)
    if out is None:
        return "L303"
    if probe.loss_name in LOGITS_OVER_CLASSES and probabilities_over_classes(out, probe.class_axis):
        return "L301"
    if any(True for _ in sigmoid_before_logits_loss(ctx)):
        return "L302"
    if probe.offset_is_the_fault():
        return "M210"
    return None


@check("L307", phase="loss")
def unexpected_initial_loss(ctx: Context) -> Iterable[Finding]:
    """Loss at init outside [constant predictor, chance] (verdict: ``verdicts.loss.unexpected_initial_loss``)."""
    probe = _probe(ctx)
    init, chance, constant = probe.loss, probe.chance_loss, probe.constant_loss
    if probe.space == "values" and probe.shared_constant_loss is not None:
        # Several outputs: a network that knows nothing yet knows no per-unit mean either; what it
        # should score is the spread of all target values around one constant (= chance for one output).
        chance = max(probe.shared_constant_loss, constant or 0.0)
    if None in (init, chance, constant):
        return
    values = probe.space == "values" and math.isfinite(init)
    architecture = ctx.probe("headless_loss", headless_loss) if values else None
    mirrored = ctx.probe("mirrored_loss", mirrored_loss) if values else None
    below = math.isfinite(init) and init < min(chance, constant)
    fresh = ctx.probe("reinitialised_loss", reinitialised_loss) if below else None
    yield from _unexpected_initial_loss(InitialLoss(
        init=init, chance=chance, constant=constant, space=probe.space, n_classes=probe.n_classes, loss=probe.loss_name,
        explained_by=_root_of_initial_loss(ctx, probe) if math.isfinite(init) else None, architecture=architecture,
        mirrored=mirrored, reinitialised=fresh,
        prior=probe.prior_loss if at_data_prior(probe.output_offset()) else None, standard_error=init_standard_error(probe),
    ))


def init_standard_error(probe: InitOutputs) -> float:
    """The standard error of the loss at init as an estimate of its expectation: the spread of the per-sample
    (unweighted) classification terms over sqrt(samples); 0 where the outputs are not class scores per row with index
    targets. The watch's L307 reads its first batch's terms the same way (``watch.loss_inspect``). A class-weighted
    loss (``prior_loss`` set) is a ratio of weighted sums whose spread these terms do not give: 0 there too."""
    out, targets = probe.outputs, probe.targets
    if probe.space not in ("class_logits", "class_log_probs") or probe.prior_loss is not None or out is None \
            or targets is None or out.dim() != 2 \
            or targets.is_floating_point() or targets.reshape(-1).shape[0] != out.shape[0]:
        return 0.0
    labels = targets.reshape(-1).long()
    if not bool(((labels >= 0) & (labels < out.shape[1])).all()):
        return 0.0
    spread = class_term_spread(out.float(), labels.to(out.device), log_probabilities=probe.space == "class_log_probs")
    return spread[0] / math.sqrt(spread[1]) if spread is not None else 0.0


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


def canonical_loss(task: str, outputs: torch.Tensor, targets: torch.Tensor, axis: int = 1) -> torch.Tensor:
    """The standard loss for the task, used only as a compass for which way is 'better'."""
    functional = nn.functional
    if task == "sequence" and outputs.dim() == targets.dim() + 1:
        return functional.cross_entropy(outputs.movedim(axis, 1), targets.long(), ignore_index=-100)
    if task in ("binary", "multiclass") and outputs.dim() >= 2 and outputs.shape[1] >= 2:
        if targets.dim() == outputs.dim() - 1:
            return functional.cross_entropy(outputs, targets.long())
        if targets.shape == outputs.shape:
            return functional.cross_entropy(outputs, targets.float())
    if task in ("binary", "multilabel"):
        return functional.binary_cross_entropy_with_logits(outputs, targets.float().reshape(outputs.shape))
    return functional.mse_loss(outputs, targets.float().reshape(outputs.shape))


def descent_alignment(loss: Any, task: str, outputs: torch.Tensor, targets: torch.Tensor, axis: int = 1) -> float | None:
    """Cosine between the user loss's and the task's standard loss's gradients w.r.t. the outputs."""
    out = outputs.detach().clone().requires_grad_()
    try:
        (user,) = torch.autograd.grad(loss(out, targets), out)
        (standard,) = torch.autograd.grad(canonical_loss(task, out, targets, axis), out)
    except (RuntimeError, ValueError, TypeError):
        return None
    norms = float(user.norm() * standard.norm())
    return float((user * standard).sum()) / norms if norms > 0 else None


def optimizer_kind(ctx: Context) -> tuple[str, ...]:
    """The optimizer class the setup trains with; empty when nndoctor only assumed its default."""
    description = getattr(ctx.setup, "optimizer_description", "") or ""
    if not description or description.endswith("(default)"):
        return ()
    return (description.split("(", 1)[0],)


@check("L308", phase="loss")
def loss_sign_or_reduction(ctx: Context) -> Iterable[Finding]:
    """A loss that is maximised or summed over the batch (verdict: ``verdicts.loss.loss_sign_or_reduction``)."""
    probe = _probe(ctx)
    out, targets, loss = _finite(probe), probe.targets, ctx.setup.loss
    if out is None or targets is None:
        return
    if ctx.setup.structured_output and ctx.setup.loss_reads != "primary":
        return  # the loss reads the whole structured output (a VAE's tuple): it cannot score a prediction tensor alone
    direction = LossDirection(gradient_cosine=descent_alignment(loss, probe.task, out, targets, probe.class_axis), init_loss=probe.loss)
    try:
        ratio = reduction_ratio(loss, out, targets)
    except (RuntimeError, ValueError, TypeError):
        ratio = None
    reduction = LossReduction(whole_over_halves=ratio, samples=2 * (out.shape[0] // 2), optimizers=optimizer_kind(ctx),
                              batch=getattr(ctx.setup, "batch_size", None))
    yield from _loss_sign_or_reduction(direction, reduction if ratio is not None else None)
