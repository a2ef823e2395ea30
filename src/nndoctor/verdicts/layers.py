"""Verdicts on layers at init and on the gradient reaching them: M201, M203, M204, M208, M209, O404.

Checkup measures a fresh copy on sample batches (``probes/layer_stats.py``, the gradient
check, the trial); watch measures the user's own loop (``watch/live_rules.py`` reading the
recorder's telemetry). Both fill the dataclasses below and call the verdict, so one layer
gets one answer whichever mode looked at it.

What a *unit* is, for both modes: one output channel of a convolution map (every position
of a channel is computed by the same filter, so a channel lives or dies as one unit) and
one output feature of a dense layer. Dead and saturated shares are shares of units.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..findings import Finding, Severity
from . import verdict
from .curves import CURVE_WINDOWS, windows

# -- thresholds -----------------------------------------------------------------------------
# M201: rows equal to rounding (relative to the weights' own spread) are the same unit.
IDENTICAL_ROWS = 1e-6
# M203: half a layer silent on every sample passes gradient through at most half its width.
DEAD_SHARE = 0.5
# O405: a quarter of a layer's units dying during training is a change no noise explains.
DEAD_GROWTH = 0.25
# O405: a layer's share at the start is the mean of its first two samples and at the end of its last three.
START_SAMPLES, END_SAMPLES = 2, 3
# O405: the catalog's death is one that stops learning. A train loss that still halved from the onset of the death
# (median of the first tenth of the steps after it) to the run's end (median of its last tenth) shows the units
# left carried the learning: the death is noted, not a fault of this run.
LEARNING_WENT_ON = 0.5
LOSS_WINDOW = 0.1
# M204: a quarter of a layer's values where sigmoid/tanh pass under 1/25 of their peak gradient.
SATURATED_SHARE = 0.25
# M204: the flat tails, as pre-activations: tanh'(3) = 0.0099 and sigmoid'(5) = 0.0066 are under
# 1/25 of the peak slopes (1 and 1/4). Recorders that see only the output use the same tails
# as output edges (|tanh| > tanh(3), |sigmoid - 1/2| > sigmoid(5) - 1/2), so both modes cut at
# the same place.
SATURATION_PRE_ACTIVATION = {"Sigmoid": 5.0, "Tanh": 3.0}
SATURATION_OUTPUT_EDGE = {"Sigmoid": 1 / (1 + math.exp(-5.0)) - 0.5, "Tanh": math.tanh(3.0)}
# M208: float64 central differences with eps 1e-6 agree with a correct autograd to ~1e-8; a
# wrong backward is off by its own size. Beyond 1e-5 absolute plus 0.1% relative is a bug.
GRADIENT_ATOL = 1e-5
GRADIENT_RTOL = 1e-3
# O404: three orders of magnitude less gradient per element in the first block than the last:
# with one learning rate the first layers move a thousand times slower, i.e. barely learn.
VANISHING_RATIO = 1e-3
# O404 is judged over the whole run and over its opening quarter: an adaptive optimizer (Adam)
# rescales the starved early layers' steps, and their gradients catch up after the opening.
OPENING_SHARE = 0.25


# -- M201: identical units at init -------------------------------------------------------------
@dataclass(frozen=True)
class WeightInit:
    """One weight matrix at init: how far its rows (units) are from all being equal.

    ``row_spread`` is the largest absolute difference from the first row, ``scale`` the
    weights' standard deviation; ``is_output`` marks the model's output layer. ``inputs`` and
    ``input_spread``: its columns (one per unit of the layer before it) and their largest
    absolute difference from the first column; None where unknown (a vector).
    """

    name: str
    rows: int
    row_spread: float
    scale: float
    is_output: bool = False
    inputs: int | None = None
    input_spread: float | None = None


def _weighs_units_apart(layer: WeightInit, following: WeightInit | None) -> bool:
    """Whether the layer after ``layer`` (the next in the list, fed its units) weighs each of its units differently.

    Then each unit's gradient differs (``W_next[:, i]ᵀ δ``) and the copies part after one step,
    as the units of a zero-initialised residual branch (Fixup, ReZero) do.
    """
    return (following is not None and following.inputs == layer.rows and following.input_spread is not None
            and following.input_spread > IDENTICAL_ROWS * following.scale)


@verdict("M201")
def constant_init(layers: Sequence[WeightInit]) -> Iterable[Finding]:
    """Hidden layers whose units all start with the same weights.

    Identical hidden units compute the same value and, through identical downstream
    weights, receive the same gradient, so they stay copies. The output layer is exempt: its
    rows are the class (or target) scores, and the loss gives each a different gradient
    (softmax/cross-entropy: ``p_k - y_k``; a per-target regression: ``pred_k - y_k``), so a
    zero-initialised last layer is a legitimate init that learns from the first step. So is a
    layer whose next layer (in definition order, when its columns match the units) weighs its
    units differently: the downstream weights are not identical, and neither are the gradients.
    """
    following = {id(w): nxt for w, nxt in zip(layers, [*layers[1:], None])}
    bad = [w for w in layers if not w.is_output and w.rows >= 2 and w.row_spread <= IDENTICAL_ROWS * w.scale
           and not _weighs_units_apart(w, following[id(w)])]
    if not bad:
        return
    described = "; ".join(f"{w.name}: all {w.rows} units share the same weights (std {w.scale:.3g})" for w in bad)
    yield Finding(
        "M201", Severity.ERROR,
        f"{len(bad)} hidden layer(s) start with identical units, so every unit gets the same gradient and they stay "
        f"copies: {described}.",
        evidence={"layers": {w.name: {"units": w.rows, "weight_std": w.scale} for w in bad}},
        location=", ".join(w.name for w in bad),
    )


# -- M203 / M204: dead and saturated units at init -----------------------------------------
@dataclass(frozen=True)
class UnitShare:
    """Share of a layer's units (channels of conv maps, features of dense outputs) in a state."""

    name: str
    share: float
    units: int | None = None  # None when the recorder does not know the width


@dataclass(frozen=True)
class UnitShares:
    """Per-layer unit shares at init, and over what they were measured (for the message)."""

    layers: Sequence[UnitShare]
    over: str  # e.g. "on all 256 sample inputs at init", "on the first sampled steps"
    samples: int | None = None


@verdict("M203")
def dead_units_at_init(m: UnitShares) -> Iterable[Finding]:
    """ReLU layers where at least half the units output zero for every sample: they pass no gradient.

    A one-unit layer is left out: one silent unit is not a share of a layer.
    """
    dead = {r.name: r.share for r in m.layers if r.share >= DEAD_SHARE and (r.units is None or r.units >= 2)}
    if not dead:
        return
    worst = max(dead, key=dead.get)
    yield Finding(
        "M203", Severity.WARNING,
        f"{len(dead)} ReLU layer(s) have at least {DEAD_SHARE:.0%} of their units (channels of conv maps, features "
        f"of dense layers) silent {m.over} (worst: {worst}, {dead[worst]:.0%} dead).",
        evidence={"dead_share": dead, "samples": m.samples},
        location=", ".join(dead),
    )


@dataclass(frozen=True)
class UnitDeath:
    """One ReLU layer's dead-unit share over a run: (step, share) at each sampled step, in order."""

    name: str
    series: Sequence[tuple[int, float]]


@verdict("O405")
def units_died(layers: Sequence[UnitDeath], losses: Sequence[tuple[int, float]] = (),
               floor: float = 0.0, falling_at_end: bool = False) -> Iterable[Finding]:
    """ReLU layers alive at the start whose dead share grew past half during training: those units cannot recover.

    A layer already half dead at the start is M203's (dead at init), not a death in training.
    ``losses``: the train loss per step, (step, loss); when it still halved after the onset
    (``LEARNING_WENT_ON``), or was still falling steadily when the run ended (``falling_at_end``,
    G605's own test), learning did not stop, and the finding is a note. ``floor``: the lowest
    loss a perfect fit scores (label smoothing's target entropy); the halving is of the part above it.
    """
    grown = []
    for layer in layers:
        values = [v for _, v in layer.series]
        if len(values) < START_SAMPLES + END_SAMPLES - 1:
            continue
        start, end = float(sum(values[:START_SAMPLES]) / START_SAMPLES), float(sum(values[-END_SAMPLES:]) / END_SAMPLES)
        if start < DEAD_SHARE and end >= DEAD_SHARE and end - start >= DEAD_GROWTH:
            grown.append((layer, start, end))
    if not grown:
        return
    layer, start, end = max(grown, key=lambda g: g[2] - g[1])
    onset = next((s for s, v in layer.series if v >= DEAD_SHARE), None)
    message = (f"Dead ReLU units after {layer.name} grew from {start:.0%} to {end:.0%} of the layer by step "
               f"{layer.series[-1][0]}: those units no longer pass gradient and cannot recover")
    evidence: dict = {"layers": {g.name: {"start": s, "end": e} for g, s, e in grown}, "onset_step": onset}
    finite = [v for _, v in losses if math.isfinite(v)]
    if len(finite) >= CURVE_WINDOWS:  # how high the run's own loss went (ten window means), for the diagnosis
        evidence["peak_loss"] = float(max(windows(finite, CURVE_WINDOWS)))
    after = _loss_after(losses, onset)
    halved = after is not None and after[0] > floor and after[1] - floor <= LEARNING_WENT_ON * (after[0] - floor)
    went_on = halved or (after is not None and falling_at_end)
    if after is not None:
        evidence.update(loss_at_onset=after[0], final_loss=after[1], falling_at_end=falling_at_end)
    if went_on:
        still = "" if halved else ", and was still falling steadily when the run ended"
        message += (f"; the train loss still fell from {after[0]:.3g} at the onset to {after[1]:.3g}{still}, so the "
                    "units left carried the learning (a capacity loss to keep in mind, not a stalled run).")
    yield Finding("O405", Severity.INFO if went_on else Severity.WARNING, message + ("" if went_on else "."), evidence,
                  location=layer.name)


def _loss_after(losses: Sequence[tuple[int, float]], onset: int | None) -> tuple[float, float] | None:
    """The train loss at the onset of the death and at the run's end (medians of ``LOSS_WINDOW`` of the steps after it),
    when both are positive and finite."""
    if onset is None:
        return None
    after = np.asarray([v for s, v in losses if s >= onset], dtype=float)
    window = max(3, int(len(after) * LOSS_WINDOW))
    if len(after) < 2 * window or not np.isfinite(after).all():
        return None
    first, last = float(np.median(after[:window])), float(np.median(after[-window:]))
    return (first, last) if first > 0 and last > 0 else None


@verdict("M204")
def saturated_units_at_init(m: UnitShares) -> Iterable[Finding]:
    """Sigmoid/tanh layers whose values sit in the flat tails at init, where the derivative is ~0.

    A layer's share is the mean over its units of the share of that unit's values in the
    tails (equal to the share of all its values, since every unit has as many).
    """
    saturated = {r.name: r.share for r in m.layers if r.share >= SATURATED_SHARE}
    if not saturated:
        return
    worst = max(saturated, key=saturated.get)
    yield Finding(
        "M204", Severity.WARNING,
        f"{len(saturated)} sigmoid/tanh layer(s) are saturated {m.over}: in {worst} {saturated[worst]:.0%} of "
        f"pre-activations are beyond |x|>{SATURATION_PRE_ACTIVATION['Tanh']:g} (tanh) or "
        f"|x|>{SATURATION_PRE_ACTIVATION['Sigmoid']:g} (sigmoid), where the derivative is under 1/25 of its peak.",
        evidence={"saturated_share": saturated, "samples": m.samples},
        location=", ".join(saturated),
    )


# -- M208: autograd vs finite differences --------------------------------------------------
@dataclass(frozen=True)
class DirectionalDerivative:
    """One tensor's directional derivative along a random direction, by autograd and numerically.

    ``forward`` and ``backward`` are the one-sided differences; where they disagree the
    function has a kink there (a ReLU or max exactly at its switch point), no derivative
    exists to compare with, and the tensor is not judged.
    """

    name: str
    analytical: float
    central: float
    forward: float
    backward: float


@dataclass(frozen=True)
class GradientCheck:
    """The gradient check of one model: float64, eval mode, a few random coordinates per tensor."""

    tensors: Sequence[DirectionalDerivative]
    samples: int
    coordinates: int
    extra: dict[str, Any] = field(default_factory=dict)


def _locally_constant(t: DirectionalDerivative) -> bool:
    """The output did not move when the tensor moved, in either direction: a piecewise-constant forward at this point."""
    return t.central == 0.0 and t.forward == 0.0 and t.backward == 0.0


def _apart(a: float, b: float) -> bool:
    return abs(a - b) > GRADIENT_ATOL + GRADIENT_RTOL * max(abs(a), abs(b))


@verdict("M208")
def gradient_mismatch(m: GradientCheck) -> Iterable[Finding]:
    """Autograd disagrees with the derivative where the derivative exists: a wrong custom backward.

    A tensor whose perturbation crosses a kink (its one-sided differences disagree with
    each other) has no derivative to compare with there; autograd's choice at the kink (0
    for ReLU) is a convention, not a bug, so it is left out rather than reported. Likewise a
    tensor the output does not move with at all (every difference exactly 0) while autograd
    hands it a gradient: the forward is locally constant (rounding, sign, a step), its true
    derivative is 0, and a non-zero one is a surrogate by design (the straight-through
    estimator of quantisation-aware training and binary networks, written as a custom
    Function or as ``z + (round(z) - z).detach()``; built-in ops do not invent gradients).
    """
    smooth = [t for t in m.tensors if not _apart(t.forward, t.backward)]
    kinked = [t.name for t in m.tensors if _apart(t.forward, t.backward)]
    disagree = [t for t in smooth if _apart(t.central, t.analytical)]
    surrogate = sorted(t.name for t in disagree if _locally_constant(t))
    mismatched = {
        t.name: {"numerical": t.central, "analytical": t.analytical,
                 "relative_error": abs(t.central - t.analytical) / max(abs(t.central), abs(t.analytical), 1e-12)}
        for t in disagree if t.name not in surrogate
    }
    if not mismatched:
        return
    worst = max(mismatched, key=lambda n: mismatched[n]["relative_error"])
    numbers = mismatched[worst]
    functions = [name.rpartition(".")[2] for name in m.extra.get("custom_functions", ())]
    yield Finding(
        "M208", Severity.ERROR,
        f"Autograd gradients disagree with finite differences (float64, eval mode) for {len(mismatched)} tensor(s): "
        f"for {worst} a random projection of the gradient is {numbers['analytical']:.4g} by autograd vs "
        f"{numbers['numerical']:.4g} numerically (relative error {numbers['relative_error']:.2g}). A custom backward "
        "downstream of it is wrong" + (f" (custom autograd Function(s) in the path: {', '.join(functions)})" if functions else "") + ".",
        evidence={"mismatched": mismatched, "checked": [t.name for t in m.tensors], "at_a_kink": kinked, "surrogate": surrogate,
                  "samples": m.samples, "coordinates": m.coordinates, **m.extra},
        location=", ".join(mismatched),
    )


# -- M209: parameters the loss cannot reach ------------------------------------------------
@dataclass(frozen=True)
class GradientReach:
    """Which trainable parameters the loss's gradient reaches.

    ``no_grad``: never given a gradient (None: detached, unused, after a non-differentiable
    op). ``zero_grad``: given an exactly zero gradient that stays zero after the weights
    moved (checkup takes one step on its copy, watch looks over the sampled steps), so the
    zero is the path's, not a zero multiplier's at init (a zero-initialised residual
    BatchNorm weight gives zeros behind it until its first update).
    """

    trainable: int
    no_grad: Sequence[str]
    zero_grad: Sequence[str]
    over: str  # e.g. "after backpropagating the loss over 256 samples", "in 12 sampled steps"
    error: str | None = None
    explained_by: str | None = None  # a root cause found with it (M201: identical units, M203: dead layer)
    reached: Sequence[str] = ()  # tensors that did get a nonzero gradient


# Where a module keeps the weight that its ``bias`` sits beside: plain, old-style spectral/weight
# norm (``weight_orig``, ``weight_g``/``weight_v``) and torch.nn.utils.parametrizations
# (``parametrizations.weight.original``, ``original0``/``original1`` for weight_norm).
SIBLING_WEIGHTS = ("weight", "weight_orig", "weight_g", "weight_v", "parametrizations.weight.original",
                   "parametrizations.weight.original0", "parametrizations.weight.original1")


def shift_invariant_biases(zero_grad: Sequence[str], reached: Sequence[str]) -> list[str]:
    """Zero-gradient biases whose own module's weight did get a gradient.

    The gradient reaches that module's output (its weight learns), so a bias stuck at exactly
    zero means the loss does not change when the output shifts by a constant: a WGAN or hinge
    critic scores real minus fake, a bias before BatchNorm is subtracted again. That is a
    property of the objective, not a broken path.
    """
    got = set(reached)
    found = []
    for name in zero_grad:
        module, _, leaf = name.rpartition(".")
        if leaf == "bias" and any((f"{module}.{w}" if module else w) in got for w in SIBLING_WEIGHTS):
            found.append(name)
    return found


# torch's recurrent layers name their hidden-to-hidden weights so (nn.RNN, nn.GRU, nn.LSTM; ``_reverse``: bidirectional)
RECURRENT_WEIGHT = re.compile(r"weight_hh_l\d+(_reverse)?")


@verdict("M209")
def no_gradient_path(m: GradientReach) -> Iterable[Finding]:
    """Trainable parameters that get no gradient from the loss can never learn."""
    invariant = shift_invariant_biases(m.zero_grad, m.reached)
    missing, zero = list(m.no_grad), [n for n in m.zero_grad if n not in invariant]
    if not (missing or zero):
        return
    parts = []
    if missing:
        parts.append(f"{len(missing)} get no gradient at all (None: detached, unused or after a non-differentiable op)")
    if zero:
        parts.append(f"{len(zero)} get an exactly zero gradient that stays zero after an update "
                     "(e.g. round/argmax/sign in the path)")
    names = missing + zero
    reason = f" ({m.error})" if m.error else ""
    recurrent = ""
    if zero and not missing and all(RECURRENT_WEIGHT.fullmatch(n.rsplit(".", 1)[-1]) for n in zero):
        recurrent = (" Only hidden-to-hidden weights of a recurrent layer: the loss reads its output only at the step "
                     "where the state is still the initial one, so the recurrence never takes part (out[:, 0] of a "
                     "batch-first output, a time-major output read as batch-major, or out[:, -1] of a bidirectional "
                     "layer's reverse direction); read the last step the direction processed, or its final hidden "
                     "state.")
    yield Finding(
        "M209", Severity.ERROR,
        f"Of {m.trainable} trainable parameter tensors, {' and '.join(parts)} {m.over}{reason}: "
        f"{', '.join(names[:6])}{' …' if len(names) > 6 else ''}.{recurrent}",
        evidence={"no_grad": missing, "zero_grad": zero, "trainable": m.trainable, "error": m.error},
        location=", ".join(names), explained_by=m.explained_by if zero and not missing else None,
    )


# -- O404: vanishing gradients -------------------------------------------------------------
@dataclass(frozen=True)
class LayerGradients:
    """Per-element gradient size (RMS) of each weight parameter, in model order, and over what span."""

    layers: Sequence[tuple[str, float]]
    span: str  # e.g. "over the trial", "over 12 sampled steps from step 40"
    # per plain (ungated) recurrent layer at init: the loss gradient reaching its first time step over the one reaching
    # its last ("ratio", "steps"; checks.optimisation.through_time_growth), and whether the run then fell short of
    # fitting its training data (its loss stayed flat, or ended not even halfway below the constant predictor's)
    ungated_through_time: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    fell_short: bool = False


def block_of(name: str) -> str:
    """The block a parameter belongs to: its module path up to the first list index (``encoder.layer.3``), else the module."""
    parts = name.split(".")[:-1]
    for i, part in enumerate(parts):
        if part.isdigit():
            return ".".join(parts[: i + 1])
    return ".".join(parts) or name


def by_block(layers: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """Each block's best-fed weight parameter, blocks in model order.

    Inside one block some weights get second-order gradients by construction (attention
    queries and keys while attention is still near-uniform); how much gradient reaches a
    depth is what its best-fed layer gets.
    """
    best: dict[str, tuple[str, float]] = {}
    for name, value in layers:
        block = block_of(name)
        if block not in best or value > best[block][1]:
            best[block] = (name, value)
    return list(best.values())


def stack_of(blocks: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """The blocks of the model's repeated stack, in order: the longest run of indexed blocks under one parent.

    ``encoder.layer.0 .. encoder.layer.11`` is a stack; so are the layers of an
    ``nn.Sequential`` (``0``, ``2``, ``4``...). Heads and poolers outside it have a scale of
    their own (a classifier initialised at std 0.02 passes back a fiftieth of the gradient by
    design), so depth is measured through the stack only. A model with no indexed blocks
    (``fc1``, ``fc2``...) is one stack of all its blocks. The model's own top-level stacks that
    run one right after the other (an autoencoder's ``encoder.0..4`` then ``decoder.0..4``) are
    one stack: the gradient reaching the encoder has come back through the whole decoder.
    Stacks nested inside a block (a residual block's ``body`` and ``shortcut``) may run side
    by side, so they are never joined.
    """
    stacks: dict[str, list[tuple[int, str, float]]] = {}
    for position, (name, value) in enumerate(blocks):
        block = block_of(name)
        head, _, index = block.rpartition(".") if "." in block else ("", "", block)
        if index.isdigit():
            stacks.setdefault(head, []).append((position, name, value))
    if not stacks:
        return list(blocks)
    chains: list[list[tuple[int, str, float]]] = []
    previous = ""
    for head, members in stacks.items():
        follows = bool(chains and head and previous) and "." not in head + previous \
            and members[0][0] == chains[-1][-1][0] + 1 and len(members) >= 2 and len(stacks[previous]) >= 2
        if follows:
            chains[-1].extend(members)
        else:
            chains.append(list(members))
        previous = head
    return [(name, value) for _, name, value in max(chains, key=len)]


def _geometric_mean(values: Sequence[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


@verdict("O404")
def vanishing_gradients(m: LayerGradients) -> Iterable[Finding]:
    """The gradient shrinks with depth through the stack: its first block gets orders of magnitude less than its last.

    Judged per block (its best-fed weight), so one small layer by design (a query/key
    projection) is not a vanishing gradient; through the model's repeated stack (heads have
    a scale of their own), so a one-block encoder has no depth to shrink through; and the
    shrinking must be a trend through the stack (its first half gets less than its second
    half), not one outlier. A first block with no gradient at all is cut off, not vanishing
    (M203/O405/M209).
    """
    found = _through_depth(m) or _back_through_time(m)
    if found is not None:
        yield found


def _through_depth(m: LayerGradients) -> Finding | None:
    blocks = stack_of(by_block(m.layers))
    if len(blocks) < 2 or blocks[-1][1] <= 0 or blocks[0][1] <= 0:
        return None
    (first, g_first), (last, g_last) = blocks[0], blocks[-1]
    ratio = g_first / g_last
    if ratio >= VANISHING_RATIO:
        return None
    half = len(blocks) // 2
    values = [max(v, 1e-300) for _, v in blocks]
    if len(blocks) >= 3 and _geometric_mean(values[:half]) >= _geometric_mean(values[-half:]):
        return None
    return Finding(
        "O404", Severity.WARNING,
        f"The gradient shrinks through the stack of {len(blocks)} blocks: the first block's ({first}: {g_first:.2g} per "
        f"element) is {1 / ratio:.3g}x smaller than the last block's ({last}: {g_last:.2g}) {m.span}: early layers "
        "barely learn.",
        {"ratio": ratio, "per_layer": {n: g for n, g in m.layers}, "per_block": {n: g for n, g in blocks}},
        location=first,
    )


def _back_through_time(m: LayerGradients) -> Finding | None:
    """O404 through time: the run fell short of fitting its training data while a plain recurrent layer passes its
    first time step orders of magnitude less gradient than its last (under ``VANISHING_RATIO``).

    Backpropagation through time multiplies by the recurrent Jacobian once per step; without gates (nn.RNN) that
    product shrinks geometrically, so nothing early in the sequence can be learned. A gated LSTM/GRU starts as small
    through time but learns to keep its gates open, and a plain layer whose task needs only recent steps fits
    without the early ones: only where the run fell short (a flat loss, or one that ended not even halfway below the
    constant predictor's) is the vanished gradient the reason it did."""
    if not m.fell_short:
        return None
    worst = min(m.ungated_through_time, key=lambda n: m.ungated_through_time[n]["ratio"], default=None)
    if worst is None or not 0 <= m.ungated_through_time[worst]["ratio"] < VANISHING_RATIO:
        return None
    ratio, steps = m.ungated_through_time[worst]["ratio"], int(m.ungated_through_time[worst]["steps"])
    return Finding(
        "O404", Severity.WARNING,
        f"The model did not fit its training data (its loss stayed flat or ended not even halfway below the constant "
        f"predictor's), and the plain recurrent layer {worst} passes its first time step "
        f"{'no' if ratio == 0 else f'{1 / ratio:.3g}x less'} gradient than its last over its {steps} steps (at init): "
        "without gates the gradient vanishes back through time, so nothing that happened early in a sequence can be "
        "learned. An LSTM or GRU keeps it flowing.",
        {"through_time": {k: dict(v) for k, v in m.ungated_through_time.items()}, "ratio": ratio, "steps": steps,
         "kind": "through time"},
        location=worst,
    )


def vanishing_verdict(layers: Sequence[tuple[str, float]], span: str) -> Finding | None:
    """The O404 finding for per-element gradient sizes in model order, or None (a convenience for adapters)."""
    return next(iter(vanishing_gradients(LayerGradients(list(layers), span))), None)
