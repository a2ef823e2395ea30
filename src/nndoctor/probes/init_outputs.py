"""Model outputs and loss at init on the sample batches, with the losses they should be compared to.

Two references come from the targets alone, evaluated with the user's own loss on the same
samples: the *chance* loss of a prediction that knows nothing (zero logits: ln C for softmax
cross-entropy, ln 2 per label for binary cross-entropy; for regression the target variance,
i.e. predicting the mean) and the *constant-predictor* loss of the best input-independent
prediction (log class prior, logit of the label rate, target mean or median). The *offset*
loss predicts the model's own average output for every sample: it isolates what the output
bias/offset alone costs.

The model's output is read through the Setup's contracts: the loss is computed on what the
model returns (a VAE's tuple, a ``ModelOutput``), while the outputs kept here are its primary
prediction tensor. References that substitute a synthetic prediction need a loss that reads
that tensor; a loss of the whole structured output gets none (the init loss is then the mean
of the batch losses). Class ids the loss cannot read stop the probe before the loss runs
(``error`` says why) so the checks that read it abstain.
"""
from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from ..rng import seed_everything
from ..setup import LossUnavailable, batch_size_of, primary_output
from ..verdicts.model import (
    OFFSET_LIMIT_SIGMAS,
    OutputOffset,
    offset_is_the_fault,
    offset_limit,
)

LOGITS_OVER_CLASSES = ("CrossEntropyLoss", "TokenCrossEntropyLoss")
LOG_PROBS_OVER_CLASSES = ("NLLLoss",)
ELEMENT_LOGITS = ("BCEWithLogitsLoss",)
ELEMENT_PROBS = ("BCELoss",)
REGRESSION_LOSSES = ("MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss")
REGRESSION_KINDS = {"MSELoss": "mse_loss", "L1Loss": "l1_loss", "HuberLoss": "huber_loss", "SmoothL1Loss": "smooth_l1_loss"}
CLASSIFICATION_TASKS = ("binary", "multiclass", "multilabel")
SLOPE_CHUNK = 1 << 20  # target values per temporary while the Huber / smooth L1 minimum is sought
MAX_OUTPUT_ELEMENTS = 16_000_000  # outputs kept for the checks (a language model's (N, T, V) logits grow fast)


def class_term_spread(out: torch.Tensor, labels: torch.Tensor, log_probabilities: bool) -> tuple[float, int] | None:
    """Standard deviation and count of the finite per-sample terms of a cross-entropy on logits (an NLL on
    log-probabilities when ``log_probabilities``), rows x classes against index labels; None for fewer than two.
    How far a mean over those samples may sit from the loss's expectation (L307, in checkup and in watch)."""
    function = torch.nn.functional.nll_loss if log_probabilities else torch.nn.functional.cross_entropy
    terms = function(out, labels, reduction="none")
    terms = terms[torch.isfinite(terms)]
    return (float(terms.std()), int(terms.numel())) if terms.numel() > 1 else None


@dataclass
class InitOutputs:
    """Outputs and losses of a fresh model copy on the sample batches (train mode, no grad)."""

    outputs: torch.Tensor | None
    targets: torch.Tensor | None
    loss: float | None
    batch_losses: list[float]
    loss_name: str
    task: str
    space: str
    chance_loss: float | None = None
    constant_loss: float | None = None
    offset_loss: float | None = None
    shifted_loss: float | None = None  # the outputs with their average moved onto the best constant (bias fixed, spread kept)
    prior_loss: float | None = None  # a class-weighted loss: the plain data prior's loss (its best constant is another)
    # ... and, with the class weights left out, the plain prior's loss and the model's average output's
    unweighted_prior_loss: float | None = None
    unweighted_offset_loss: float | None = None
    shared_constant_loss: float | None = None  # values: one constant for every output element (the pooled target scale)
    offset_limit_loss: float | None = None  # values: a constant OFFSET_LIMIT_SIGMAS pooled target stds off the pooled mean
    final_module: str | None = None
    final_module_name: str | None = None
    final_module_obj: nn.Module | None = field(default=None, repr=False)
    nonfinite_inputs: int = 0
    final_op: str | None = None  # the last value-changing autograd op before the output (e.g. "Relu", "AddBackward")
    final_op_range: tuple[float, float] | None = None  # the range that op can produce, when bounded
    error: str | None = None
    class_axis: int = 1  # where the classes are: 1, or the last axis of a language model's (N, T, V)
    output_gain: float | None = None  # a factor forward() multiplies the output layer's outputs by (a Mul/Div last)

    def output_offset(self) -> OutputOffset:
        """These losses as M210's measurement (``verdicts.model.OutputOffset``)."""
        return OutputOffset(
            init_loss=self.loss, constant_loss=self.constant_loss, offset_loss=self.offset_loss,
            shifted_loss=self.shifted_loss, chance_loss=self.chance_loss, offset_limit_loss=self.offset_limit_loss,
            task=self.task, space=self.space, classification=self.task in CLASSIFICATION_TASKS,
            output_gain=self.output_gain, prior_loss=self.prior_loss,
            unweighted_prior_loss=self.unweighted_prior_loss, unweighted_offset_loss=self.unweighted_offset_loss,
        )

    def offset_limit(self) -> float | None:
        """The loss above which the average output is off the prior (``verdicts.model.offset_limit``, M210)."""
        return offset_limit(self.output_offset())

    def offset_is_the_fault(self) -> bool:
        """M210's decision that the output offset alone is what is wrong (``verdicts.model.offset_is_the_fault``)."""
        return offset_is_the_fault(self.output_offset())

    @property
    def n_classes(self) -> int | None:
        if self.outputs is None or self.outputs.dim() < 2 or self.outputs.dim() <= self.class_axis:
            return None
        return int(self.outputs.shape[self.class_axis])


def loss_name(loss: Any) -> str:
    """Class name of a loss module, or the function's name for a plain callable."""
    if isinstance(loss, nn.Module):
        return type(loss).__name__
    return getattr(loss, "__name__", type(loss).__name__)


def output_space(name: str, task: str) -> str:
    """How the loss reads the outputs: class logits, class log-probs, element logits/probs, or values."""
    if name in LOGITS_OVER_CLASSES:
        return "class_logits"
    if name in LOG_PROBS_OVER_CLASSES:
        return "class_log_probs"
    if name in ELEMENT_LOGITS:
        return "element_logits"
    if name in ELEMENT_PROBS:
        return "element_probs"
    if name in REGRESSION_LOSSES or task == "regression":
        return "values"
    return "class_logits" if task in ("multiclass", "sequence") else "element_logits"


def _class_prior(targets: torch.Tensor, classes: int, axis: int = 1) -> torch.Tensor:
    if targets.is_floating_point() and targets.dim() > axis and targets.shape[axis] == classes:
        moved = targets.movedim(axis, -1).reshape(-1, classes).float()
        prior = moved.mean(0)
    else:
        labels = targets.reshape(-1).long()
        labels = labels[(labels >= 0) & (labels < classes)]
        prior = torch.bincount(labels, minlength=classes).float() / max(len(labels), 1)
    return prior.clamp_min(1e-6) / prior.clamp_min(1e-6).sum()


def _per_column(values: torch.Tensor, like: torch.Tensor, reduce: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """Reduce targets over samples, per column when they have the output's shape."""
    values = values.float()
    if values.shape == like.shape and values.dim() >= 2:
        return reduce(values.reshape(values.shape[0], -1)).reshape(like.shape[1:])
    return reduce(values.reshape(-1, 1)).reshape(())


def _broadcast(constant: torch.Tensor, like: torch.Tensor, class_axis: bool, axis: int = 1) -> torch.Tensor:
    if class_axis:
        shape = [1] * like.dim()
        shape[axis] = like.shape[axis]
        return constant.reshape(shape).expand_as(like).contiguous()
    return constant.expand_as(like).contiguous() if constant.dim() else torch.full_like(like, float(constant))


def pos_weighted_rate(rate: Any, pos_weight: Any) -> Any:
    """The constant probability that minimises BCE with ``pos_weight`` w at positive rate r: w·r / (w·r + 1 − r).

    Setting the derivative of −(w·r·log q + (1 − r)·log(1 − q)) to zero gives it; w = 1 is the plain rate.
    Works on floats and tensors alike (the init probe and watch's reference loss both read it).
    """
    scaled = pos_weight * rate
    return scaled / (scaled + 1 - rate)


def constant_predictions(space: str, outputs: torch.Tensor, targets: torch.Tensor, axis: int = 1,
                         loss: Any = None) -> list[torch.Tensor]:
    """Candidate best constant predictions in the output space (the loss picks the best).

    A loss with class weights (``weight`` of cross-entropy / NLL) or ``pos_weight`` (BCE with
    logits) is minimised by the prior re-weighted the same way (p_c ∝ w_c·n_c; p = w·r / (w·r + 1 − r)),
    so that prediction is a candidate too: the plain prior is not the best constant there. Label
    smoothing ``eps`` moves the best constant to (1 - eps) p + eps / C.
    """
    if space in ("class_logits", "class_log_probs") and outputs.dim() >= 2:
        prior = _class_prior(targets, outputs.shape[axis], axis)
        candidates = [prior]
        weight = getattr(loss, "weight", None)
        if isinstance(weight, torch.Tensor) and weight.numel() == prior.numel():
            weighted = prior * weight.detach().to(prior)
            if float(weighted.sum()) > 0:
                candidates.append(weighted / weighted.sum())
        smoothing = float(getattr(loss, "label_smoothing", 0.0) or 0.0)
        if 0.0 < smoothing <= 1.0:  # the smoothed targets average to (1 - eps) p + eps / C
            candidates += [(1.0 - smoothing) * p + smoothing / prior.numel() for p in candidates]
        return [_broadcast(p.clamp_min(1e-12).log(), outputs, class_axis=True, axis=axis) for p in candidates]
    if space in ("element_logits", "element_probs"):
        rate = _per_column(targets, outputs, lambda v: v.mean(0)).clamp(1e-6, 1 - 1e-6)
        rates = [rate]
        pos_weight = getattr(loss, "pos_weight", None)
        if isinstance(pos_weight, torch.Tensor):
            try:
                rates.append(pos_weighted_rate(rate, pos_weight.detach().to(rate)).clamp(1e-6, 1 - 1e-6))
            except RuntimeError:  # a pos_weight that does not broadcast over the columns
                pass
        return [_broadcast(torch.log(r / (1 - r)) if space == "element_logits" else r, outputs, class_axis=False) for r in rates]
    per_column = targets.shape == outputs.shape and targets.dim() >= 2
    values = targets.float().reshape(targets.shape[0], -1) if per_column else targets.float().reshape(-1, 1)
    kind = REGRESSION_KINDS.get(loss_name(loss), loss_name(loss))
    delta, beta = (getattr(loss, name, 1.0) for name in ("delta", "beta"))  # HuberLoss.delta, SmoothL1Loss.beta
    numbers = all(isinstance(v, (int, float)) for v in (delta, beta))  # a custom loss's attributes may be anything
    constants = regression_constants(values, kind if numbers else None, *((delta, beta) if numbers else ()))
    shape = outputs.shape[1:] if per_column else ()
    return [_broadcast(c.reshape(shape), outputs, class_axis=False) for c in constants]


def regression_constants(values: torch.Tensor, kind: str | None = None, delta: float = 1.0,
                         beta: float = 1.0) -> list[torch.Tensor]:
    """Candidate best constants for a regression loss, one value per column of ``values`` (rows x columns).

    The one place that says what "no learning" predicts for regression (the init probe and the
    run-mode reference :func:`nndoctor.watch.loss_inspect.best_constant_loss` both read it): the
    mean minimises MSE, the median L1; Huber / smooth L1 (``kind`` ``huber_loss`` /
    ``smooth_l1_loss``, convex, between the two) are minimised where the mean derivative
    ``mean(clip(c - y, -delta, delta))`` (``clip((c - y) / beta, -1, 1)``) crosses zero, found for
    every column at once by scipy's bracketing root finder within the column's range. The caller
    scores the candidates with its loss.
    """
    candidates = [values.mean(0), values.median(0).values]
    if kind not in ("huber_loss", "smooth_l1_loss") or not values.numel():
        return candidates
    from scipy.optimize import elementwise  # lazily: `import nndoctor` stays light

    rows = values.detach().double().cpu().numpy().T  # columns x rows
    scale = delta if kind == "huber_loss" else beta  # 0: the loss is L1, the median is its minimum
    low, high = rows.min(axis=1), rows.max(axis=1)
    spread = high > low
    best = candidates[1].detach().double().cpu().numpy().copy()
    if scale > 0 and spread.any():
        width, bound = (1.0, delta) if kind == "huber_loss" else (beta, 1.0)

        def slope(c: np.ndarray, column: np.ndarray) -> np.ndarray:  # the loss's mean derivative in c, per column
            column, step = column.astype(int), max(1, SLOPE_CHUNK // rows.shape[1])  # bounded temporaries
            return np.concatenate([np.clip((c[i : i + step, None] - rows[column[i : i + step]]) / width, -bound, bound).mean(axis=1)
                                   for i in range(0, len(c), step)])

        index = np.flatnonzero(spread).astype(float)
        best[spread] = elementwise.find_root(slope, (low[spread], high[spread]), args=(index,)).x
    candidates.append(torch.as_tensor(best, dtype=values.dtype, device=values.device))
    return candidates


def neutral_prediction(space: str, outputs: torch.Tensor, axis: int = 1) -> torch.Tensor | None:
    """What a network that knows nothing outputs: zero logits, uniform log-probs, p = 0.5."""
    if space in ("class_logits", "element_logits"):
        return torch.zeros_like(outputs)
    if space == "class_log_probs" and outputs.dim() >= 2:
        return torch.full_like(outputs, -math.log(outputs.shape[axis]))
    if space == "element_probs":
        return torch.full_like(outputs, 0.5)
    return None


SCALING_OPS = ("Mul", "Div")  # a factor applied last: a temperature or a gain written in forward()


def _gain_after(last: dict[str, Any], out: torch.Tensor) -> float | None:
    """The gain after the last-called Linear (:func:`output_gain`), when that layer is a Linear; None otherwise."""
    own = last.get("output")
    return output_gain(own, out) if isinstance(last.get("module"), nn.Linear) else None


def rms(t: torch.Tensor) -> float:
    """Root mean square of a tensor's values, in float32 whatever its dtype."""
    return float(t.detach().float().pow(2).mean().sqrt())


def output_gain(own: Any, out: Any) -> float | None:
    """rms of the model's output ``out`` over the rms of its output layer's own output ``own``, when the two hold as many
    values (a factor forward() applies after the output layer: a temperature, a gain); None otherwise."""
    if not isinstance(own, torch.Tensor) or not isinstance(out, torch.Tensor) or own.numel() != out.numel():
        return None
    below, above = rms(own), rms(out)
    return above / below if below > 0 and math.isfinite(above) else None


def _evaluate(loss: Any, prediction: torch.Tensor, targets: torch.Tensor) -> float | None:
    try:
        with torch.no_grad():
            value = loss(prediction, targets)
        return float(value) if isinstance(value, torch.Tensor) and value.numel() == 1 else None
    except Exception:  # noqa: BLE001 - a custom loss may not accept a synthetic prediction
        return None


def _final_module_hooks(model: nn.Module, last: dict[str, Any]) -> list:
    def make(name: str):
        def hook(module: nn.Module, inputs: tuple, output: Any) -> None:
            last.update(name=name, module=module, output=output)
        return hook

    return [
        m.register_forward_hook(make(n))
        for n, m in model.named_modules()
        if n and not any(True for _ in m.children())
    ]


# Autograd ops that only move, select or copy values: the range of what comes out is the range of what went in.
SHAPE_OPS = {
    "View", "ReshapeAlias", "UnsafeView", "Squeeze", "Unsqueeze", "Permute", "Transpose", "T", "Clone", "Expand",
    "ToCopy", "Alias", "Select", "Slice", "Contiguous",
}
BOUNDED_OPS: dict[str, tuple[float, float]] = {
    "Relu": (0.0, math.inf), "Softplus": (0.0, math.inf), "Sigmoid": (0.0, 1.0), "Hardsigmoid": (0.0, 1.0),
    "Softmax": (0.0, 1.0), "Tanh": (-1.0, 1.0),
}


def _op_name(node: Any) -> str:
    return re.sub(r"Backward\d*$", "", type(node).__name__)


def _bound(value: Any, default: float) -> float:
    return default if value is None else float(value)


def _through_shapes(node: Any) -> Any:
    """The first autograd node at or behind ``node`` that is not a reshape (:data:`SHAPE_OPS`); a reshape with more
    than one parent is where the walk stops (its own node is returned)."""
    while node is not None and _op_name(node) in SHAPE_OPS:
        parents = [n for n, _ in node.next_functions if n is not None]
        if len(parents) != 1:
            return node
        node = parents[0]
    return node


def final_operation(output: torch.Tensor) -> tuple[str | None, tuple[float, float] | None]:
    """The last value-changing op that produced ``output`` (walking back through reshapes) and its range.

    Read from the autograd graph, so it sees activations applied in forward() (torch.tanh,
    F.relu, clamp) and behind a Flatten as well as activation modules.
    """
    node = _through_shapes(output.grad_fn)
    if node is None:
        return None, None
    name = _op_name(node)
    if name in BOUNDED_OPS:
        return name, BOUNDED_OPS[name]
    if name == "Hardtanh":
        return name, (_bound(getattr(node, "_saved_min_val", None), -1.0), _bound(getattr(node, "_saved_max_val", None), 1.0))
    if name.startswith("Clamp"):
        low, high = _bound(getattr(node, "_saved_min", None), -math.inf), _bound(getattr(node, "_saved_max", None), math.inf)
        return name, ((low, high) if math.isfinite(low) or math.isfinite(high) else None)
    return name, None


MATRIX_PRODUCTS = {"Mm", "Addmm", "Bmm", "Matmul", "Linear"}
TRANSPOSES = {"T", "Permute", "Transpose"}


def output_weight(output: torch.Tensor) -> tuple[nn.Parameter, int] | None:
    """The weight matrix the output's last matrix product multiplies by (``h @ W``, ``h @ W.T``, ``F.linear(h, W)``),
    and its fan-in (the width of the vectors ``h`` it multiplies).

    Read from the autograd graph, so a head tied to an embedding table in forward() or a hand-made
    ``nn.Parameter`` head (``h @ self.W + self.b``: a bias added after the product is stepped over)
    is found as well as a Linear module's weight (None when the output does not come straight from
    such a product).
    """
    node = _through_shapes(output.grad_fn)
    while node is not None and _op_name(node) not in MATRIX_PRODUCTS:
        parents = [n for n, _ in node.next_functions if n is not None]
        if _op_name(node) != "Add" or len(parents) != 2:
            return None
        parents = [n for n in parents if not _is_bias(n)]
        if len(parents) != 1:
            return None
        node = _through_shapes(parents[0])
    if node is None:
        return None
    for parent, _ in node.next_functions:
        transposed = False
        while parent is not None and _op_name(parent) in TRANSPOSES:
            parent, transposed = parent.next_functions[0][0], not transposed
        weight = getattr(parent, "variable", None)
        if isinstance(weight, nn.Parameter) and weight.dim() == 2:
            # h @ W meets W's first axis; a transpose between (h @ W.T, Linear's addmm) or F.linear meets its second
            reads_rows = transposed or _op_name(node) == "Linear"
            return weight, int(weight.shape[1] if reads_rows else weight.shape[0])
    return None


def _is_bias(node: Any) -> bool:
    """Whether an autograd node is a 1-D parameter (a bias), read through reshapes and broadcasts."""
    variable = getattr(_through_shapes(node), "variable", None)
    return isinstance(variable, nn.Parameter) and variable.dim() == 1


def _graph_of_first_batch(setup: Any, model: nn.Module, batches: list) -> tuple[str | None, tuple[float, float] | None]:
    """``final_operation`` of the model's output on the first batch (None when nothing requires grad)."""
    if not batches:
        return None, None
    try:
        with torch.enable_grad():
            out = setup.forward(model, batches[0][0])
    except Exception:  # noqa: BLE001 - the forward already ran without grad; a failure here only loses this detail
        return None, None
    if not isinstance(out, torch.Tensor) or out.grad_fn is None:
        return None, None
    return final_operation(out)


def _nonfinite(x: Any) -> int:
    if isinstance(x, torch.Tensor) and x.is_floating_point():
        return int((~torch.isfinite(x)).sum())
    if isinstance(x, (list, tuple)):
        return sum(_nonfinite(v) for v in x)
    return 0


def headless_loss(ctx, max_batches: int = 8) -> float | None:
    """The loss of a fresh copy whose last-called weight layer is zeroed (weights and bias), on the sample batches.

    What the architecture predicts before any learned weight speaks: a plain network then outputs
    a constant; one that routes an input-derived baseline to its output (a skip from the input,
    reversible instance normalisation, a persistence forecast) still scores that baseline (L307).
    None when the copy has no Linear / convolution or cannot run.
    """
    return _last_layer_loss(ctx, max_batches, mirrored=False)


def mirrored_loss(ctx, max_batches: int = 8) -> float | None:
    """The loss of a fresh copy whose last-called weight layer has its weights negated (bias kept), on the sample
    batches.

    The init draws those weights from a distribution symmetric about zero, so the mirrored copy
    is as likely a start as the real one: a loss at init that only one of the two reaches comes
    from the sign the draw gave a random head, not from how the setup is wired (L307).
    """
    return _last_layer_loss(ctx, max_batches, mirrored=True)


def _last_layer_loss(ctx, max_batches: int, mirrored: bool) -> float | None:
    from .layer_stats import WEIGHT_LAYERS, forward_order

    setup = ctx.setup
    model = ctx.model_copy(seed=setup.seed)
    model.train()
    batches = usable_batches(ctx, max_batches)
    try:
        with torch.no_grad():
            with forward_order(model) as order:
                setup.forward(model, batches[0][0])
            last = [m for _, m in order if isinstance(m, WEIGHT_LAYERS)]
            if not last:
                return None
            if mirrored:
                last[-1].weight.neg_()
            else:
                for param in last[-1].parameters(recurse=False):
                    param.zero_()
    except NO_LOSS:  # no baseline: the verdict judges without it
        return None
    return mean_batch_loss(setup, model, batches)


# What running a copy and its loss on the sample batches may raise when the copy cannot be scored there.
NO_LOSS = (RuntimeError, ValueError, TypeError, IndexError, LossUnavailable)


def mean_batch_loss(setup, model: nn.Module, batches: list) -> float | None:
    """The setup's loss of ``model`` averaged over ``batches`` without gradients; None when it cannot be computed or
    is not finite on every batch."""
    try:
        with torch.no_grad():
            losses = [float(setup.compute_loss(setup.forward(model, x), y)) for x, y in batches]
    except NO_LOSS:
        return None
    return sum(losses) / len(losses) if losses and all(math.isfinite(v) for v in losses) else None


def reinitialised(model: nn.Module, seed: int) -> nn.Module:
    """A copy of ``model`` with every layer's ``reset_parameters()`` rerun under ``seed``: the same wiring without the
    weights it was given (improve's pruning control; L307's test for a model handed over already trained)."""
    fresh = copy.deepcopy(model)
    seed_everything(seed)
    for m in fresh.modules():
        reset = getattr(m, "reset_parameters", None)
        if callable(reset) and m is not fresh:
            reset()
    return fresh


def reinitialised_loss(ctx, max_batches: int = 8) -> float | None:
    """The loss at init of the model re-initialised by its layers' own ``reset_parameters`` (:func:`reinitialised`),
    on the sample batches, in train mode as the init probe runs; None when it cannot run.

    A model handed over already trained (fine-tuning) starts far below chance; the same wiring freshly drawn does
    not (L307 is not the given weights' to judge). A wiring that scores below chance by itself does it fresh too.
    """
    model = reinitialised(ctx.model_copy(), ctx.setup.seed)
    model.train()
    return mean_batch_loss(ctx.setup, model, usable_batches(ctx, max_batches))


def usable_batches(ctx, limit: int) -> list:
    """The sample batches, without single-sample ones (BatchNorm cannot train on them) when others exist."""
    batches = ctx.batches()[:limit]
    return [b for b in batches if batch_size_of(b[0]) > 1] or batches


def init_outputs(ctx, max_batches: int = 8) -> InitOutputs:
    """Forward the sample batches through a fresh copy (train mode, no grad) and measure the loss."""
    setup = ctx.setup
    model = ctx.model_copy(seed=setup.seed)
    model.train()
    name = loss_name(setup.loss)
    space = output_space(name, setup.task)
    axis = setup.class_axis if setup.class_axis is not None else 1
    outputs: list[torch.Tensor] = []
    targets: list[torch.Tensor] = []
    batch_losses: list[float] = []
    last: dict[str, Any] = {}
    final_name = final_module = None
    nonfinite_inputs = kept = 0
    gain: float | None = None
    handles = _final_module_hooks(model, last)
    try:
        with torch.no_grad():
            for x, y in usable_batches(ctx, max_batches):
                nonfinite_inputs += _nonfinite(x)
                last.clear()
                raw = setup.forward(model, x)
                out = primary_output(raw)
                if out is None:
                    return InitOutputs(None, None, None, [], name, setup.task, space, class_axis=axis,
                                       error=f"the model returns {setup.output_description or 'no tensor'} without a "
                                             "prediction tensor, so the outputs at init cannot be judged")
                if final_module is None and last.get("output") is out:
                    final_name, final_module = last["name"], last["module"]
                elif gain is None and not batch_losses:
                    gain = _gain_after(last, out)
                try:
                    value = setup.compute_loss(raw, y)
                except LossUnavailable as exc:
                    return InitOutputs(None, None, None, [], name, setup.task, space, class_axis=axis, error=exc.problem)
                batch_losses.append(float(value.float().mean()) if isinstance(value, torch.Tensor) else float("nan"))
                if not outputs or kept + out.numel() <= MAX_OUTPUT_ELEMENTS:
                    outputs.append(out.detach().float())
                    targets.append(y.detach())
                    kept += out.numel()
    finally:
        for handle in handles:
            handle.remove()
    try:
        all_outputs, all_targets = torch.cat(outputs), torch.cat(targets)
    except RuntimeError:  # variable-length outputs: keep the first batch
        all_outputs, all_targets = outputs[0], targets[0]
    on_predictions = setup.loss_reads == "primary" or not setup.structured_output
    loss = _evaluate(setup.loss, all_outputs, all_targets) if on_predictions else None
    if loss is None and batch_losses:
        loss = sum(batch_losses) / len(batch_losses)
    result = InitOutputs(
        all_outputs, all_targets, loss, batch_losses, name,
        setup.task, space, final_module=type(final_module).__name__ if final_module is not None else None,
        final_module_name=final_name, final_module_obj=final_module, nonfinite_inputs=nonfinite_inputs, class_axis=axis,
    )
    result.final_op, result.final_op_range = _graph_of_first_batch(setup, model, usable_batches(ctx, 1))
    if result.final_op in SCALING_OPS:
        result.output_gain = gain
    if on_predictions:  # a loss of the whole structured output cannot score a synthetic prediction
        _add_references(result, setup.loss)
    return result


def _add_references(result: InitOutputs, loss: Any) -> None:
    outputs, targets = result.outputs, result.targets
    if outputs is None or targets is None or not bool(torch.isfinite(outputs).all()):
        return
    axis = result.class_axis
    neutral = neutral_prediction(result.space, outputs, axis)
    # The neutral output is a constant too: the best constant never costs more than knowing nothing
    # (a loss the prior does not minimise, e.g. with label smoothing, can prefer it).
    candidates = constant_predictions(result.space, outputs, targets, axis, loss)
    scored = [(v, p) for p in candidates + ([neutral] if neutral is not None else [])
              if (v := _evaluate(loss, p, targets)) is not None]
    result.constant_loss = min(v for v, _ in scored) if scored else None
    unweighted = _without_class_weights(loss)
    if unweighted is not None and candidates and result.space in ("class_logits", "class_log_probs", "element_logits",
                                                                   "element_probs"):
        result.prior_loss = _evaluate(loss, candidates[0], targets)  # the unweighted prior comes first
        result.unweighted_prior_loss = _evaluate(unweighted, candidates[0], targets)
    result.chance_loss = _evaluate(loss, neutral, targets) if neutral is not None else result.constant_loss
    own_mean = outputs.mean(0, keepdim=True).expand_as(outputs).contiguous()
    result.offset_loss = _evaluate(loss, own_mean, targets)
    if unweighted is not None and result.unweighted_prior_loss is not None:
        result.unweighted_offset_loss = _evaluate(unweighted, own_mean, targets)
    if scored:
        best = min(scored, key=lambda item: item[0])[1]
        result.shifted_loss = _evaluate(loss, outputs - own_mean + best, targets)
    if result.space == "values":
        _add_pooled_references(result, loss)


def _without_class_weights(loss: Any) -> nn.Module | None:
    """A copy of a class-weighted torch loss (``weight``, ``pos_weight``) with the weights left out; None for any other."""
    names = [n for n in ("weight", "pos_weight") if isinstance(getattr(loss, n, None), torch.Tensor)]
    if not names or not isinstance(loss, nn.Module):
        return None
    plain = copy.copy(loss)
    plain._buffers = {k: (None if k in names else v) for k, v in loss._buffers.items()}
    return plain


def _add_pooled_references(result: InitOutputs, loss: Any) -> None:
    """The target scale of a regression, pooled over every output element, in the loss's own units.

    Several outputs (an autoencoder's pixels) have per-unit means that the network learns like
    the rest of the mapping; the scale that says whether an error is large is the spread of all
    target values around one shared constant. With a single output this is the per-column
    reference itself.
    """
    outputs, targets = result.outputs, result.targets
    values = targets.float().reshape(-1)
    if values.numel() < 2 or targets.numel() != outputs.numel():
        return
    centre, spread = values.mean(), values.std()
    shared = [_evaluate(loss, torch.full_like(outputs, float(c)), targets) for c in (centre, values.median())]
    shared = [v for v in shared if v is not None]
    result.shared_constant_loss = min(shared) if shared else None
    result.offset_limit_loss = _evaluate(loss, torch.full_like(outputs, float(centre + OFFSET_LIMIT_SIGMAS * spread)), targets)
