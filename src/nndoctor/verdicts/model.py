"""Verdicts on the model's shape and start: M202, M205, M206, M207 and M210.

Checkup measures a fresh copy at init (``checks/model.py``: the shared ``layer_stats`` and
``init_outputs`` probes, the batch-mixing probe on an eval-mode copy) and fills the
dataclasses below; the verdicts decide from those numbers alone. The two M210 thresholds
also set where ``probes/init_outputs.py`` measures the loss a badly placed output costs.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding, Severity
from . import verdict
from .curves import ADAPTIVE
from .loss import INIT_LOSS_ABOVE

# -- thresholds -----------------------------------------------------------------------------
# M202: a matching init keeps the signal's scale per layer near 1 (He/LeCun/Xavier); PyTorch's
# default gives ~0.3-0.6. Beyond 3x per layer the scale changes by an order of magnitude
# every two layers: the init does not match the network.
SCALE_FACTOR_LIMIT = 3.0
# M202: what hurts is the accumulated change: PyTorch's default init shrinks a ReLU stack by ~0.3
# per layer, harmless over 3 layers (×0.1) but two orders of magnitude (as VANISHED_RATIO) starve
# the far end of signal or gradient.
TOTAL_SCALE_LIMIT = 100.0
# M202: fewer than three weight layers show no trend, only two points.
MIN_LAYERS_FOR_TREND = 3
# Activations whose steepest slope is far below 1: a stack of them shrinks signal and gradient by
# that slope per layer whatever the init (sigmoid's peak is 1/4), the classic vanishing gradient.
SLOPE_LIMITED = {"Sigmoid": 0.25, "Hardsigmoid": 1 / 6}
# Activations whose slope reaches 1 (or more): a shrinking stack of them is the init's doing.
UNBOUNDED_SLOPE = {"ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Tanh",
                   "Softplus", "Hardtanh", "Hardswish"}
# M205: the playbook's "start with 3-8 layers"; beyond ~10 plain layers the first ones starve
# when the first layer's gradient is two orders of magnitude below the last one's.
DEEP_PLAIN_DEPTH = 10
VANISHED_RATIO = 1e-2
# M206: judged for class outputs of several classes (a binary output has one logit), on tasks
# whose hidden width is meant to carry the classes (not a language model's vocabulary).
BOTTLENECK_TASKS = ("multiclass", "multilabel")
MIN_BOTTLENECK_CLASSES = 3
# M207: independent samples give exactly zero cross-gradients; anything above rounding is mixing.
MIXING_TOLERANCE = 1e-6
# M207: the same in float32 forward passes: moving other samples' inputs must leave a sample's output untouched.
FORWARD_MIXING_TOLERANCE = 1e-4
# M210: a regression output's average is badly placed once it lies outside the bulk of the targets,
# more than two (pooled) target standard deviations from their mean (~95% of a normal's mass
# is within): inside it, the offset is one more error the first steps remove.
OFFSET_LIMIT_SIGMAS = 2.0
# M210, classes: the output offset alone at least doubles the loss of the best constant prediction (the prior).
PRIOR_GAP = 2.0
# A factor applied after the output layer (a temperature, a gain in forward()) that scales its outputs more than this
# many times is what sets the output's offset and spread: the gain, not the bias, is off (L307's; fix's output-scale).
GAIN_LIMIT = 2.0


# -- M202: the init's scale across a plain stack -------------------------------------------------
@dataclass(frozen=True)
class InitScale:
    """Per weight layer at init, in forward order: the activation std and the gradient reaching its output.

    ``between`` holds the kinds of the non-weight layers run between the first and the last
    weight layer (``"ReLU"``, ``"Sigmoid"``); ``weight_gain`` is the median std(W)·sqrt(fan_in)
    (None when not measured); ``has_normalisation`` says a BatchNorm/LayerNorm sits anywhere.
    """

    layers: Sequence[str]
    activation_std: Sequence[float]
    output_grad_norm: Sequence[float | None]
    has_normalisation: bool = False
    between: Sequence[str] = ()
    weight_gain: float | None = None
    optimizer: str | None = None  # the optimizer class the setup trains with, when known


def scale_trend_judged(depth: int, has_normalisation: bool) -> bool:
    """Whether M202 judges a stack of ``depth`` weight layers: plain ones long enough to show a trend.

    A normalisation layer re-standardises the signal and its gradient wherever it sits, so an
    init scale cannot compound across it (and a transformer's query/key projections, first to
    run, get a tiny gradient at init by construction, not by their init).
    """
    return depth >= MIN_LAYERS_FOR_TREND and not has_normalisation


def _factor(first: float, last: float, steps: int) -> float | None:
    if first <= 0 or steps <= 0 or not math.isfinite(first) or not math.isfinite(last):
        return None
    return (last / first) ** (1.0 / steps) if last > 0 else 0.0


def _drifts(factor: float, steps: int) -> bool:
    """Scale changes by more than two orders of magnitude from one end of the stack to the other."""
    total = factor ** steps if factor > 0 else 0.0
    return not (1 / TOTAL_SCALE_LIMIT <= total <= TOTAL_SCALE_LIMIT)


@verdict("M202")
def bad_init_scale(m: InitScale) -> Iterator[Finding]:
    """Activation or gradient scale changing geometrically from the first weight layer to the last."""
    if not scale_trend_judged(len(m.layers), m.has_normalisation):
        return
    layers, act, grads = list(m.layers), list(m.activation_std), list(m.output_grad_norm)
    steps = len(layers) - 1
    # a weight's gradient is its layer's input times the gradient at its output: the signal starves the last
    # layer when it reaches that layer's input small, so the activations are read up to the one it multiplies
    # (the last layer's own output feeds only the loss, whose scale at init M210 and L307 judge)
    act_factor = _factor(act[0], act[-2], steps - 1)
    grad_factor = _factor(grads[-1], grads[0], steps) if grads[0] is not None and grads[-1] is not None else None
    problems = []
    if act_factor is not None and _drifts(act_factor, steps - 1):
        problems.append(f"activation std goes from {act[0]:.3g} ({layers[0]}) to {act[-2]:.3g} ({layers[-2]}, what "
                        f"{layers[-1]} multiplies), ×{act_factor:.3g} per layer")
    # an adaptive optimizer divides each parameter's step by its own gradient's scale: a gradient that shrinks
    # towards the input starves no layer there, so only the plain gradient steps (SGD) suffer its drift
    if grad_factor is not None and _drifts(grad_factor, steps) and m.optimizer not in ADAPTIVE:
        problems.append(f"gradient reaching each layer's output goes from {grads[-1]:.3g} ({layers[-1]}) back to {grads[0]:.3g} ({layers[0]}), ×{grad_factor:.3g} per layer")
    if not problems:
        return
    nonlinear = sorted(set(m.between) & (set(SLOPE_LIMITED) | UNBOUNDED_SLOPE))
    yield Finding(
        "M202", Severity.WARNING,
        f"At init over {len(layers)} weight layers the {' and '.join(problems)} "
        f"(a matching init keeps it within ×{1 / SCALE_FACTOR_LIMIT:.2g}..×{SCALE_FACTOR_LIMIT:g} per layer; "
        f"beyond ×{TOTAL_SCALE_LIMIT:g} overall the far layers starve).",
        evidence={
            "layers": layers, "activation_std": act, "output_grad_norm": grads,
            "activation_factor_per_layer": act_factor, "grad_factor_per_layer": grad_factor,
            "weight_gain_per_layer": m.weight_gain, "nonlinearities": nonlinear,
            "slope_limited": bool(nonlinear) and all(kind in SLOPE_LIMITED for kind in nonlinear),
        },
        location=f"{layers[0]} .. {layers[-1]}",
    )


# -- M205: a deep plain stack whose first layer starves ------------------------------------------
@dataclass(frozen=True)
class DeepStack:
    """The weight layers of a model at init: how many, and the gradient reaching the first and last one's output."""

    depth: int
    first: str
    last: str
    first_grad_norm: float | None
    last_grad_norm: float | None
    has_normalisation: bool = False
    has_recurrent: bool = False
    # the first block's gradient per element over the last's during training, where it vanished (O404's measurement:
    # the watch's in run, the checkup trial's): a stack that starts balanced and starves its first layers as it trains
    trained_ratio: float | None = None


def _deep_plain(m: DeepStack) -> bool:
    return m.depth >= DEEP_PLAIN_DEPTH and not m.has_normalisation and not m.has_recurrent


def starts_balanced(m: DeepStack) -> bool:
    """A deep plain stack (M205's structure) whose gradient reaches the first layer at init: only how training's
    gradient reaches it (``trained_ratio``) can still show the depth starving it."""
    first, last = m.first_grad_norm, m.last_grad_norm
    return _deep_plain(m) and first is not None and bool(last) and first / last >= VANISHED_RATIO


@verdict("M205")
def too_deep_plain_network(m: DeepStack) -> Iterator[Finding]:
    """A deep stack without normalisation whose first layer receives a vanishing gradient, at init or as it trains.

    Recurrent models are left out: their depth is in time, and their layer count says nothing. A matching init
    (Xavier for tanh) starts the stack balanced; the gradient can still vanish through it once training moves the
    units off their linear range, as the watch or the trial measures (``trained_ratio``): the depth is then the cause.
    """
    if not _deep_plain(m):
        return
    first, last = m.first_grad_norm, m.last_grad_norm
    ratio = first / last if first is not None and last else None
    if (ratio is None or ratio >= VANISHED_RATIO) and m.trained_ratio is not None:
        at_init = f" (at init it was {ratio:.2g}×)" if ratio is not None else ""
        yield Finding(
            "M205", Severity.WARNING,
            f"{m.depth} weight layers in a row with no normalisation layer, and during training the gradient reaching "
            f"the first ({m.first}) fell to {m.trained_ratio:.2g}× per element of the one reaching the last{at_init}.",
            evidence={"depth": m.depth, "grad_ratio_first_last": ratio, "trained_grad_ratio": m.trained_ratio},
            location=m.first,
        )
        return
    if ratio is None:
        return
    if ratio < VANISHED_RATIO:
        yield Finding(
            "M205", Severity.WARNING,
            f"{m.depth} weight layers in a row with no normalisation layer, and the gradient reaching the first "
            f"({m.first}) is {ratio:.2g}× the one reaching the last ({m.last}).",
            evidence={"depth": m.depth, "grad_ratio_first_last": ratio, "first_grad_norm": first, "last_grad_norm": last},
            location=m.first,
        )


# -- M206: a hidden layer narrower than the classes ----------------------------------------------
@dataclass(frozen=True)
class Bottleneck:
    """The classes the output scores and the widths of the hidden layers that carry them.

    ``widths``: each hidden ``Linear``'s out_features (the output layer excluded) and each
    recurrent layer's hidden size, by module name in definition order. ``reconstruction``:
    the targets are the inputs (an autoencoder, whose narrow code is its purpose).
    """

    task: str
    classes: int | None
    widths: dict[str, int] = field(default_factory=dict)
    reconstruction: bool = False


def bottleneck_task(task: str, reconstruction: bool) -> bool:
    """Whether M206 applies to the task at all.

    Not to sequence tasks: a language model's hidden width is far below its vocabulary by
    design (d_model 256-1024 for 30k-50k tokens), because tokens share structure an embedding
    captures. Nor to reconstruction: an autoencoder's narrow code is its purpose.
    """
    return task in BOTTLENECK_TASKS and not reconstruction


def bottleneck_classes(classes: int | None) -> bool:
    """Whether the output has enough classes for a hidden width to be compared with."""
    return bool(classes) and classes >= MIN_BOTTLENECK_CLASSES


@verdict("M206")
def narrow_bottleneck(m: Bottleneck) -> Iterator[Finding]:
    """A hidden layer narrower than the number of classes cannot carry what the output needs."""
    if not bottleneck_task(m.task, m.reconstruction) or not bottleneck_classes(m.classes):
        return
    narrow = {name: width for name, width in m.widths.items() if width < m.classes}
    if narrow:
        narrowest = min(narrow, key=narrow.get)
        yield Finding(
            "M206", Severity.WARNING,
            f"Hidden layer {narrowest} has {narrow[narrowest]} units but the output has {m.classes} classes: "
            "the information for every class must squeeze through fewer dimensions.",
            evidence={"narrow_layers": narrow, "classes": m.classes}, location=", ".join(narrow),
        )


# -- M207: samples of a batch mixing in eval mode ------------------------------------------------
@dataclass(frozen=True)
class BatchMixing:
    """How much one sample's output depends on the other samples of its batch, in eval mode.

    ``relative_leak``: the largest gradient of a sample's output w.r.t. other samples' inputs,
    relative to its own input's; ``pairs``: per sample probed, ``{"sample", "own_grad_max",
    "other_grad_max"}``; ``forward_leak``: the same dependence by moving inputs in forward passes
    (None when not measured, e.g. integer inputs), which a custom backward cannot fake.
    """

    relative_leak: float
    pairs: Sequence[dict[str, Any]]
    samples: int
    forward_leak: float | None = None


@verdict("M207")
def batch_mixing(m: BatchMixing) -> Iterator[Finding]:
    """With normalisation in eval mode, one sample's output must not depend on another sample.

    Both measurements must see the mixing: a custom backward that ignores its incoming
    gradient makes autograd report cross-sample gradients the forward pass lacks (M208's).
    """
    if m.relative_leak > MIXING_TOLERANCE and (m.forward_leak is None or m.forward_leak > FORWARD_MIXING_TOLERANCE):
        yield Finding(
            "M207", Severity.ERROR,
            f"In eval mode the output of one sample depends on the other samples of its batch: the gradient of sample "
            f"{m.pairs[0]['sample']}'s output w.r.t. other samples' inputs is {m.relative_leak:.3g}× its gradient "
            "w.r.t. its own input (it should be exactly 0). A reshape, transpose or reduction crosses the batch axis.",
            evidence={"relative_leak": m.relative_leak, "pairs": list(m.pairs), "samples": m.samples,
                      "forward_leak": m.forward_leak},
        )


# -- M210: the output's average against the prior ------------------------------------------------
@dataclass(frozen=True)
class OutputOffset:
    """The loss at init against the losses of constant predictions, on the same sample batches.

    ``constant_loss``: the best constant (log prior, target mean); ``offset_loss``: the model's
    own average output for every sample; ``shifted_loss``: the outputs with their average moved
    onto the best constant (bias fixed, spread kept); ``offset_limit_loss`` (values space): a
    constant ``OFFSET_LIMIT_SIGMAS`` pooled target stds off the mean. ``ordered_batches``: the
    sample batches come ordered by class or target (D115), so they give no prior to compare with.
    """

    init_loss: float | None = None
    constant_loss: float | None = None
    offset_loss: float | None = None
    shifted_loss: float | None = None
    chance_loss: float | None = None
    offset_limit_loss: float | None = None
    task: str = ""
    space: str = ""
    classification: bool = False  # the task is binary, multiclass or multilabel
    ordered_batches: bool = False
    output_gain: float | None = None  # rms of the model's output over the output layer's own, when a factor follows it
    prior_loss: float | None = None  # a class-weighted loss: the plain data prior's loss (not its best constant)
    unweighted_prior_loss: float | None = None  # ... the same loss without the class weights: the prior's
    unweighted_offset_loss: float | None = None  # ... and the model's average output's


def offset_limit(m: OutputOffset) -> float | None:
    """The loss above which the average output is off the prior.

    For regression values the loss of a constant ``OFFSET_LIMIT_SIGMAS`` pooled target stds
    off the mean, else ``PRIOR_GAP`` times the best constant prediction's.
    """
    if m.space == "values" and m.offset_limit_loss is not None:
        return m.offset_limit_loss
    return PRIOR_GAP * m.constant_loss if m.constant_loss is not None else None


def offset_is_the_fault(m: OutputOffset) -> bool:
    """The average output alone costs at least ``offset_limit``, and moving it onto the best
    constant (what a prior/mean bias does) brings the loss back under that limit.

    When the shifted outputs still cost more, their spread is off too: the output's gain, not
    only its bias, is wrong, and the offset is a by-product of that scale (L307's). So it is when a
    factor in forward() multiplies the output layer's outputs ``GAIN_LIMIT`` times or more: the
    offset it carries is the layer's times that factor, which no bias at the prior removes.
    """
    if m.output_gain is not None and m.output_gain >= GAIN_LIMIT:
        return False
    limit = offset_limit(m)
    values = (m.offset_loss, m.shifted_loss, limit)
    if any(v is None or not math.isfinite(v) for v in values):
        return False
    return m.offset_loss >= limit > m.shifted_loss


@verdict("M210")
def output_bias_not_prior(m: OutputOffset) -> Iterator[Finding]:
    """The output offset alone costs far more than the best constant prediction.

    Regression: the offset matters once the average output lies outside the bulk of the targets
    (costs more than a constant ``OFFSET_LIMIT_SIGMAS`` pooled target stds off); classes: twice
    the prior's loss. It is the bias's fault only when moving the average onto the prior/mean
    brings the loss back under that limit; otherwise the output's scale is off as well (L307),
    and a new bias would not fix it. The finding's location is the adapter's (the output layer).
    """
    if m.ordered_batches:
        return  # the first batches hold one class or one end of the targets (D115): they give no prior to start at
    init, constant, offset = m.init_loss, m.constant_loss, m.offset_loss
    if None in (init, constant, offset) or not all(map(math.isfinite, (init, constant, offset))) or constant <= 0:
        return
    limit = offset_limit(m)
    if init >= limit and offset_is_the_fault(m) and not at_data_prior(m):
        classes = m.space != "values" and (m.classification or m.task == "sequence")
        reference = "the log class prior" if classes else "the target mean"
        beyond = (f", more than a constant {OFFSET_LIMIT_SIGMAS:g} target standard deviations off their mean ({limit:.4g})"
                  if m.space == "values" and m.offset_limit_loss is not None else "")
        uniform = classes and at_chance(m)
        message = (f"The loss at init is {init:.4g}, but predicting {reference} for every sample would give {constant:.4g}; "
                   f"the model's average output alone costs {offset:.4g}{beyond}. The output bias does not start at the prior.")
        if uniform:
            message += (f" It starts at chance (uniform over the classes, {m.chance_loss:.4g}), as a standard init does; a "
                        "bias at the log prior would spare the first steps spent learning the class frequencies.")
        yield Finding(
            "M210", Severity.INFO if uniform else Severity.WARNING, message,
            evidence={"init_loss": init, "constant_predictor_loss": constant, "offset_loss": offset,
                      "shifted_loss": m.shifted_loss, "task": m.task,
                      "chance_loss": m.chance_loss, "offset_limit_loss": limit, "at_chance": uniform},
        )


def at_data_prior(m: OutputOffset) -> bool:
    """Under class weights, the average output sits at the data's class shares: judged by M210's own rule on the
    loss without its weights (the offset costs less than ``PRIOR_GAP`` times the prior there).

    A weighted loss (``pos_weight``, class ``weight``) is minimised by the prior re-weighted the
    same way, not by the data's class shares. An output bias started at the log of those shares
    (the playbook's "init well") is at the prior the catalog names; that the weights would pick
    another constant is not a fault of the bias. A bias anywhere else (the prior's negative, say) is.
    """
    prior, offset = m.unweighted_prior_loss, m.unweighted_offset_loss
    if prior is None or offset is None or not all(map(math.isfinite, (prior, offset))) or prior <= 0:
        return False
    return offset < PRIOR_GAP * prior


def at_chance(m: OutputOffset) -> bool:
    """The average output costs no more than chance (uniform over the classes) within L307's margin: a standard start.

    A zero-bias output layer predicts about uniformly, which the playbook's loss-at-init check
    expects (ln C, L307's ``INIT_LOSS_ABOVE`` times it at most); the prior is better, but an
    offset that has not pushed the outputs beyond uniform is advice, not a fault.
    """
    return (m.chance_loss is not None and m.offset_loss is not None and math.isfinite(m.chance_loss)
            and m.offset_loss <= INIT_LOSS_ABOVE * m.chance_loss)
