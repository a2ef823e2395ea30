"""Verdicts for the data codes D101, D102, D103, D104, D105, D108, D111, D112, D113, D114 and D115.

D106 and D110 (labels) live in ``verdicts/labels.py``, D107 and D109 (splits) in ``verdicts/splits.py``.

Each verdict reads a small measurement built by checkup (the data audit's bounded sample of
the dataset) or by watch (the sampled batches of the user's loop, pooled), never single
batches: a dataset property judged on one batch calls a rarely lit pixel a feature "in
another unit" because it happened to be dark in that batch.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..findings import Finding, Severity
from . import verdict

# -- thresholds ---------------------------------------------------------------------------
# D108: one validation row in a hundred copied from training is a warning (the score is then partly memory).
LEAK_SHARE = 0.01
# D108: where rows repeat by chance (counts, flags, short token codes), the copies beyond that level must also be
# more than its binomial variation makes likely (one test per split pair): p below this.
COPY_ALPHA = 1e-3
# Typical |x| (root mean square) above 10 makes the first layer's pre-activations an order
# of magnitude larger than any standard initialisation (which assumes unit-scale inputs).
SCALE_LIMIT = 10.0
# |mean| above 3 and above 3 std: the offset, not the signal, dominates what the layer sees.
OFFSET_LIMIT = 3.0
# Typical |x| below 0.01: two orders below unit scale, the signal vanishes against the weights.
TINY_SCALE = 0.01
# Two orders of magnitude between feature scales: one learning rate cannot suit both.
SCALE_RATIO_LIMIT = 100.0
# L1, smooth L1 and Huber bound the gradient per element whatever the residual (1, 1, delta):
# far-off targets cannot blow up the steps, the outputs only have farther to travel.
# D105: likelihoods of counts read the targets in their own units (a Poisson rate is a count per sample):
# they cannot be standardised, and the log-rate output reaches a count of 22 at 3.1, not 22.
COUNT_LOSSES = ("PoissonNLLLoss", "poisson_nll_loss")
BOUNDED_GRADIENT_LOSSES = ("L1Loss", "SmoothL1Loss", "HuberLoss", "l1_loss", "smooth_l1_loss", "huber_loss")
# D111, regression: an out-of-sample R² of 0.02 explains 2% of the variance, i.e. nothing usable.
UNPREDICTABLE_R2 = 0.02
# D111, classes: not significantly above chance at 1%, and even the 99% upper bound of the
# probes' accuracy stays within a quarter of the way from chance to perfect.
CHANCE_P = 0.01
CHANCE_SPAN = 0.25
# D111, curves: validation stays at the constant predictor's loss (within 5%) while the train
# loss fell to half of it: the model memorises labels that carry nothing the inputs explain.
MISALIGNED_VAL = 0.95
MISALIGNED_TRAIN = 0.5
# D113: a probability row must sum to 1; float32 softmax rows are off by ~1e-6, label smoothing
# by nothing, so 1e-3 only excludes rows that are not distributions.
ROW_SUM_TOLERANCE = 1e-3
# D115, classes: batches' label entropy below half of what shuffled batches of the same size give,
# and lower than (almost) every simulated shuffle (p <= 0.01).
ORDER_P = 0.01
ORDER_ENTROPY_SHARE = 0.5
# D115, regression targets: within-batch variance below a quarter of the total variance (a shuffled
# batch holds nearly all of it), or a strong rank correlation of target with position.
ORDER_VARIANCE_SHARE = 0.25
ORDER_SPEARMAN = 0.5
ORDER_SPEARMAN_P = 1e-3
# D112: a code column's per-code means explain the target beyond the best monotone fit of its value
# (F-test, family-wise 1%: Bonferroni over the code columns tested), and that extra part is at least
# a small effect in Cohen's sense (f² = extra / unexplained >= 0.02). A count or an ordinal rating,
# whose effect is monotone, has nothing significant beyond its order. (The order's *share* of what the
# codes explain is no yardstick: a monotone fit of K randomly numbered categories already captures
# about half of it for K = 6 by chance, a third for K = 10.)
CODE_ALPHA = 0.01
CODE_EFFECT_F2 = 0.02
# D102: float32 carries 24 bits; a spread within 64 ulps of a feature's own magnitude is rounding
# (e.g. mixup's lam*x + (1-lam)*x of a constant), not a scale.
FLOAT_RESOLUTION = 64 * float(np.finfo(np.float32).eps)
# D103: a std within a millionth of the feature's magnitude (at least 1) is a constant, not a scale.
CONSTANT_STD = 1e-6
# D103, evidence: the varying features look standardised when their median |mean| is below 0.25 and
# their median std within a factor of two of 1 (then a constant column is likely a dropped std = 0).
STANDARDISED_MEAN = 0.25
STANDARDISED_STD = (0.5, 2.0)
# D114 (RULES: batches of 16-64): batches above 32 rows that leave fewer than 10 steps per epoch move
# the weights too little per epoch; 4 steps or fewer is a warning.
BATCH_LIMIT = 32
MIN_STEPS = 10
FEW_STEPS = 4


def off_scale(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Units whose typical magnitude exceeds SCALE_LIMIT or whose offset dwarfs their spread."""
    rms = np.sqrt(mean**2 + std**2)
    return (rms > SCALE_LIMIT) | ((np.abs(mean) > OFFSET_LIMIT) & (np.abs(mean) > OFFSET_LIMIT * std))


def pooled_moments(means: np.ndarray, variances: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (population) variance of the union of batches, from each batch's mean, variance and size.

    Law of total variance: the pooled variance is the count-weighted mean of the within-batch
    variances plus the weighted variance of the batch means. ``means``/``variances`` are
    (batches, units) arrays of per-batch population moments.
    """
    means, variances = np.atleast_2d(np.asarray(means, float)), np.atleast_2d(np.asarray(variances, float))
    weights = np.asarray(counts, float).reshape(-1, 1)
    total = float(weights.sum())
    mean = (weights * means).sum(axis=0) / total
    variance = (weights * (variances + (means - mean) ** 2)).sum(axis=0) / total
    return mean, np.maximum(variance, 0.0)


def _listing(indices: Iterable[int], limit: int = 8) -> str:
    items = list(indices)
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f" … (+{len(items) - limit} more)" if len(items) > limit else "")


# -- D101 / D102: input scale ------------------------------------------------------------------
@dataclass
class InputScale:
    """Per-unit scale of the inputs over the dataset or a pooled sample of many batches.

    ``unit`` is what one entry is: a tabular feature, an image channel, or the whole tensor
    when only per-batch tensor moments were recorded. ``range`` (max - min per unit) and
    ``distinct`` (distinct values per unit, capped) are optional: without the range a small
    std cannot be told from a rarely non-zero feature, so D102 needs it.
    """

    unit: str
    mean: np.ndarray
    std: np.ndarray
    max_abs: np.ndarray | None = None
    range: np.ndarray | None = None
    distinct: np.ndarray | None = None
    overall_mean: float = 0.0
    overall_std: float = 0.0
    overall_max_abs: float = 0.0
    scope: str = ""
    batches: int | None = None
    input_batchnorm: str | None = None  # the model's first layer is a BatchNorm (its name)
    batchnorm_frozen: bool = False  # ... but the loop trains in eval mode, so it standardises nothing
    tabular: bool = True  # features of a flat table (D102 compares features; channels of images are one scale)

    @property
    def rms(self) -> np.ndarray:
        return np.sqrt(self.mean**2 + self.std**2)


def _normalised_by_model(m: InputScale) -> bool:
    return bool(m.input_batchnorm) and not m.batchnorm_frozen


def _frozen(m: InputScale) -> dict[str, Any]:
    return {"input_batchnorm": m.input_batchnorm} if m.input_batchnorm else {}


@verdict("D101")
def unnormalised_inputs(m: InputScale) -> Iterator[Finding]:
    """Inputs far from zero mean / unit scale, unless an input BatchNorm (trained in train mode) standardises them."""
    if _normalised_by_model(m) or not len(m.mean):
        return
    off = off_scale(m.mean, m.std)
    varying = m.std > 0
    rms = m.rms
    tiny = bool(varying.any()) and float(np.median(rms[varying])) < TINY_SCALE
    if not off.any() and not tiny:
        return
    units = len(m.mean)
    magnitude = np.maximum(rms, np.abs(m.mean)) if m.max_abs is None else np.maximum(rms, m.max_abs)
    worst = np.argsort(-magnitude)[:5] if off.any() else np.argsort(rms)[:5]
    summary = f"overall mean {m.overall_mean:.3g}, std {m.overall_std:.3g}, max|x| {m.overall_max_abs:.3g}"
    if off.any():
        what = (f"{int(off.sum())} of {units} input {m.unit}s are far from zero mean / unit scale "
                f"(typical magnitude > {SCALE_LIMIT:g}, or |mean| > {OFFSET_LIMIT:g} and > {OFFSET_LIMIT:g} std)")
    else:
        what = f"the inputs are vanishingly small (median typical magnitude {np.median(rms[varying]):.2g} < {TINY_SCALE:g})"
    scope = f" over {m.scope}" if m.scope else ""
    yield Finding(
        "D101", Severity.WARNING,
        f"Inputs are not normalised: {what}; {summary}{scope}.",
        evidence={
            "mean": m.overall_mean, "std": m.overall_std, "max_abs": m.overall_max_abs,
            "unit": m.unit, "units": units, "off_scale": int(off.sum()), "off_scale_indices": np.flatnonzero(off)[:50].tolist(),
            "worst": [{"index": int(j), "mean": float(m.mean[j]), "std": float(m.std[j]),
                       "max_abs": float(m.max_abs[j]) if m.max_abs is not None else None} for j in worst],
            "scope": m.scope, "batches": m.batches, **_frozen(m),
        },
        location=f"input {m.unit}s {_listing(np.flatnonzero(off))}" if off.any() else "inputs",
    )


def _varying(m: InputScale) -> np.ndarray:
    """Features that vary in the sample beyond float32 rounding of their own magnitude.

    A feature constant in the sample (a pixel never lit in the sampled rows, its standardised
    background value) has no scale to compare: arithmetic on it (mixup's ``lam*x + (1-lam)*x``)
    leaves a spread of a few ulps, a 'std' of 1e-9 that is rounding, not a unit.
    """
    spread = m.range if m.range is not None else m.std
    magnitude = np.abs(m.mean) + spread
    return (m.std > 1e-12) & (spread > FLOAT_RESOLUTION * magnitude)


@verdict("D102")
def mixed_feature_scales(m: InputScale) -> Iterator[Finding]:
    """Feature scales apart by orders of magnitude, in both spread and extent.

    A feature that is rarely non-zero (an edge pixel) has a tiny std on the same scale as its
    neighbours; its range shows the scale is shared. Only when the range ratio agrees with the
    std ratio do the features live in different units, so without ranges there is no verdict.
    """
    if not m.tabular or _normalised_by_model(m) or m.range is None or len(m.std) < 2:
        return
    keep = _varying(m)
    if m.distinct is not None:
        keep &= m.distinct > 2  # two-valued flags: their std says how often they are set, not their unit
    continuous = np.flatnonzero(keep)
    if len(continuous) < 2:
        return
    stds, ranges = m.std[continuous], m.range[continuous]
    big, small = continuous[np.argmax(stds)], continuous[np.argmin(stds)]
    ratio = float(m.std[big] / m.std[small])
    range_ratio = float(ranges.max() / ranges.min()) if ranges.min() > 0 else float("inf")
    if ratio < SCALE_RATIO_LIMIT or range_ratio < SCALE_RATIO_LIMIT:
        return
    yield Finding(
        "D102", Severity.WARNING,
        f"Feature scales differ by a factor of {ratio:.3g}: feature {big} has std {m.std[big]:.3g}, "
        f"feature {small} has std {m.std[small]:.3g} (limit {SCALE_RATIO_LIMIT:g}x; their ranges differ by "
        f"{range_ratio:.3g}x). Large-scale features dominate the first layer and the gradient; one global scale "
        "cannot fix this, each feature needs its own.",
        evidence={"ratio": ratio, "range_ratio": range_ratio, "largest": {"index": int(big), "std": float(m.std[big])},
                  "smallest": {"index": int(small), "std": float(m.std[small])},
                  "stds": m.std[:200].tolist(), "scope": m.scope, "batches": m.batches, **_frozen(m)},
        location=f"features {big} and {small}",
    )


# -- D112: category codes fed as magnitudes ---------------------------------------------------
@dataclass
class CodeOrder:
    """How much of the target the per-code means explain, against a fit that reads the code's value as a magnitude.

    A count or rating is ordinal: the target rises or falls with it, so a monotone (isotonic)
    function of the value explains nearly all that the per-code means do; a smooth rise and
    fall (a cubic) is as learnable from the number. A category code numbered 0..K-1 has no
    order: the per-code means jump around and neither fit follows them. ``f``/``p`` test the
    variance the per-code means explain beyond the better fit (nested models; the isotonic
    fit's degrees of freedom are its number of distinct fitted levels, Meyer & Woodroofe 2000;
    the cubic's 4), summed over the target columns.
    """

    column: int
    levels: int
    n: int
    explained_by_codes: float  # share of the target variance explained by the per-code means
    explained_by_order: float  # ... by the better of a monotone (isotonic) and a cubic fit of the value
    f: float
    df: tuple[int, int]
    p: float
    # Share of random orders of the levels whose neighbouring per-level means differ as little as in the value's own
    # order: small when neighbouring values carry like targets (a quantised magnitude whose effect rises and falls,
    # a frequency band, an hour of day); a code's numbering is arbitrary, so its order is like any other.
    neighbour_p: float = 1.0

    @property
    def beyond_order_f2(self) -> float:
        """Cohen's f² of what the per-code means explain beyond the monotone fit."""
        unexplained = 1.0 - self.explained_by_codes
        return (self.explained_by_codes - self.explained_by_order) / unexplained if unexplained > 0 else float("inf")


@dataclass
class CategoricalColumns:
    """Columns of a table that look like categories fed as numbers (measured on the training sample).

    ``orders`` are the code columns (3 or more integer levels, possibly scaled, among continuous columns) tested
    against the targets; ``untested`` are code columns without targets to test them on.
    ``blocks`` are runs of standardised binary columns with one 'hot' column per row,
    ``single`` the other standardised binary columns, ``two_values`` their two values.
    """

    orders: Sequence[CodeOrder] = ()
    untested: Sequence[int] = ()
    blocks: Sequence[Sequence[int]] = ()
    single: Sequence[int] = ()
    two_values: dict[int, tuple[float, float]] = field(default_factory=dict)
    scope: str = ""


def _unordered(m: CategoricalColumns) -> list[CodeOrder]:
    """Code columns whose target relation is not in their order (see ``CODE_ALPHA``, ``CODE_EFFECT_F2``): neither a
    monotone or smooth fit follows the per-code means, nor do neighbouring values carry like targets.

    The alarm's test is Bonferroni-corrected over the columns (a healthy table of many columns raises no alarm by
    chance); the neighbour test, which clears a column, is not: its error is clearing one true code column, whose
    arbitrary numbering put like categories side by side by chance, and that is held at ``CODE_ALPHA`` per column.
    Corrected, it would clear less as a table has more columns, and the alarm would grow with the width."""
    alpha = CODE_ALPHA / max(len(m.orders), 1)
    return [o for o in m.orders
            if o.p < alpha and o.beyond_order_f2 >= CODE_EFFECT_F2 and o.neighbour_p >= CODE_ALPHA]


# D112: a standardised one-hot column is harmful when a rare category's "hot" value lies past this many standard
# deviations (share under 1/10): beyond where continuous standardised inputs sit, so it dominates the first layer.
LARGE_INPUT_SIGMAS = 3.0


@verdict("D112")
def categorical_as_numeric(m: CategoricalColumns) -> Iterator[Finding]:
    """Category codes fed as magnitudes, standardised one-hot blocks, standardised binary flags.

    A column of consecutive integers is a code only when the target does not follow its order:
    counts and ordinal ratings, whose effect is monotone, are rightly fed as numbers. Without
    targets the two cannot be told apart and ``untested`` columns get no verdict.
    """
    codes = _unordered(m)
    if codes:
        columns = [o.column for o in codes]
        worst = max(codes, key=lambda o: o.explained_by_codes - o.explained_by_order)
        yield Finding(
            "D112", Severity.WARNING,
            f"{len(codes)} columns hold integer levels (consecutive or sparse codes, possibly scaled) whose "
            f"target does not follow their order, like category codes fed as magnitudes: columns {_listing(columns)}. "
            f"In column {worst.column} ({worst.levels} levels) the per-code means explain "
            f"{worst.explained_by_codes:.1%} of the target variance, the best monotone or smooth function of the value only "
            f"{worst.explained_by_order:.1%} (F = {worst.f:.3g}, p = {worst.p:.2g}{', ' + m.scope if m.scope else ''}). "
            "The network reads code 3 as 'three times code 1'; one-hot encode or embed them.",
            evidence={"columns": columns[:100], "levels": {o.column: o.levels for o in codes},
                      "tests": [{"column": o.column, "levels": o.levels, "n": o.n, "explained_by_codes": o.explained_by_codes,
                                 "explained_by_order": o.explained_by_order, "beyond_order_f2": o.beyond_order_f2, "f": o.f, "df": list(o.df), "p": o.p, "neighbour_p": o.neighbour_p}
                                for o in codes[:50]],
                      "alpha": CODE_ALPHA / max(len(m.orders), 1), "effect_f2_limit": CODE_EFFECT_F2},
            location=f"columns {_listing(columns)}",
        )
    in_blocks = {j for block in m.blocks for j in block}
    if m.blocks:
        where = "; ".join(f"{b[0]}-{b[-1]}" for b in m.blocks)
        # a standardised indicator of share p is hot at sqrt((1 - p) / p): the harm is a rare category's input
        largest = max(max(abs(v) for v in m.two_values[j]) for j in in_blocks)
        large = largest > LARGE_INPUT_SIGMAS
        yield Finding(
            "D112", Severity.WARNING if large else Severity.INFO,
            f"One-hot blocks were standardised: columns {where} take two values "
            "each with exactly one 'hot' column per row, centred and scaled; "
            + (f"a rare category becomes an input of {largest:.3g} standard deviations. Leave one-hot columns as 0/1."
               if large else f"every category is common enough that none goes past {largest:.3g} standard deviations, "
               "so this is harmless here; 0/1 is the usual encoding."),
            evidence={"blocks": [list(b) for b in m.blocks],
                      "values": {j: m.two_values[j] for j in sorted(in_blocks)[:50]},
                      "largest_input": largest, **({} if large else {"inert": True})},
            location=f"columns {where}",
        )
    single = [j for j in m.single if j not in in_blocks]
    if single:
        low, high = m.two_values[single[0]]
        yield Finding(
            "D112", Severity.INFO,
            f"{len(single)} binary columns were centred and scaled: columns {_listing(single)} take two values "
            f"of opposite sign (e.g. {low:.3g} / {high:.3g}). "
            "Usually harmless; keep 0/1 if a rare level becomes a large input.",
            evidence={"columns": single[:100], "values": {j: m.two_values[j] for j in single[:50]}, "inert": True},
            location=f"columns {_listing(single)}",
        )

# -- D104: non-finite values -------------------------------------------------------------------
@dataclass
class NonFiniteData:
    """Non-finite values counted in the inputs and targets of one split or of the sampled batches."""

    where: str  # "train data", "val data", "sampled training batches"
    input_nonfinite: int
    target_nonfinite: int
    input_nan: int | None = None
    input_inf: int | None = None
    target_nan: int | None = None
    target_inf: int | None = None
    rows_affected: int | None = None
    rows_checked: int | None = None
    batches_affected: int | None = None
    batches_checked: int | None = None
    first_row: int | None = None
    first_batch: int | None = None
    first_step: int | None = None
    scope: str = ""
    columns: list[int] = field(default_factory=list)
    whole_columns: list[int] = field(default_factory=list)
    split: str | None = None


def _count(total: int, nan: int | None, inf: int | None) -> str:
    return f"{nan} NaN / {inf} Inf" if nan is not None and inf is not None else f"{total} NaN/Inf"


@verdict("D104")
def non_finite_data(m: NonFiniteData) -> Iterator[Finding]:
    """Any NaN/Inf in the data: one of them makes the loss and then every weight NaN."""
    if not m.input_nonfinite and not m.target_nonfinite:
        return
    extent = []
    if m.rows_affected is not None and m.rows_checked is not None:
        extent.append(f"in {m.rows_affected} of {m.rows_checked} rows")
    if m.batches_affected is not None and m.batches_checked is not None:
        extent.append(f"in {m.batches_affected} of {m.batches_checked} batches")
    if m.scope:
        extent.append(f"({m.scope})")
    where = ""
    if m.first_row is not None:
        where += f"; first at row {m.first_row}"
    if m.first_batch is not None:
        where += f", loader batch {m.first_batch}"
    if m.first_step is not None:
        where += f"; first at step {m.first_step}"
    if m.whole_columns:
        where += f"; all of them fill input columns {_listing(m.whole_columns)} entirely"
    yield Finding(
        "D104", Severity.ERROR,
        f"The {m.where} hold non-finite values: inputs {_count(m.input_nonfinite, m.input_nan, m.input_inf)}, "
        f"targets {_count(m.target_nonfinite, m.target_nan, m.target_inf)}"
        + (" " + " ".join(extent) if extent else "") + f"{where}. One NaN makes the loss and every weight NaN.",
        evidence={"split": m.split, "input_nonfinite": m.input_nonfinite, "target_nonfinite": m.target_nonfinite,
                  "input_nan": m.input_nan, "input_inf": m.input_inf, "target_nan": m.target_nan, "target_inf": m.target_inf,
                  "rows_affected": m.rows_affected, "rows_checked": m.rows_checked,
                  "input_batches": m.batches_affected, "batches_checked": m.batches_checked,
                  "first_row": m.first_row, "first_batch": m.first_batch, "first_step": m.first_step, "scope": m.scope,
                  "nonfinite_columns": m.columns[:100], "whole_columns": bool(m.whole_columns)},
        location=(f"{m.split} row {m.first_row}" if m.first_row is not None and m.split else
                  m.split or ("inputs" if m.input_nonfinite else "targets")),
    )


# -- D105: regression targets --------------------------------------------------------------------
@dataclass
class TargetScale:
    """Per-column mean and std of the regression targets (dataset sample, or pooled sampled batches)."""

    mean: np.ndarray
    std: np.ndarray
    losses: Sequence[str] = ()  # the loss names (module class or function) the targets meet
    scope: str = ""
    start_mean: np.ndarray | None = None  # the model's average output per column at init, when measured


def starts_at_offset(mean: np.ndarray, std: np.ndarray, start: np.ndarray | None) -> np.ndarray:
    """Columns whose spread is on unit scale and whose offset the model's outputs already start at (within the offset
    the rule tolerates, ``OFFSET_LIMIT`` stds): a global mean added in forward(), a bias set to the target mean."""
    if start is None:
        return np.zeros(mean.shape, dtype=bool)
    start = np.broadcast_to(np.atleast_1d(np.asarray(start, float)), mean.shape)
    return (std <= SCALE_LIMIT) & np.isfinite(start) & (np.abs(start - mean) <= OFFSET_LIMIT * np.maximum(std, 1e-12))


def bounded_gradient_loss(names: Sequence[str]) -> str | None:
    """The loss names joined when every one bounds its gradient in the residual, else None."""
    names = [n for n in names if n]
    return ", ".join(sorted(set(names))) if names and all(n in BOUNDED_GRADIENT_LOSSES for n in names) else None


@verdict("D105")
def unscaled_regression_targets(m: TargetScale) -> Iterator[Finding]:
    """Targets far from unit scale: the loss, its gradients and the output layer start far from them."""
    if m.losses and all(name in COUNT_LOSSES for name in m.losses):
        return  # counts under a count likelihood: their scale is the quantity, not a units problem
    mean, std = np.atleast_1d(np.asarray(m.mean, float)), np.atleast_1d(np.asarray(m.std, float))
    off = off_scale(mean, std) & ~starts_at_offset(mean, std, m.start_mean)
    if not off.any():
        return
    columns = np.flatnonzero(off)
    j = int(columns[np.argmax(np.sqrt(mean[columns] ** 2 + std[columns] ** 2))])
    spread = bool(np.any(std[columns] > SCALE_LIMIT))
    consequence = ("The loss and its gradients are huge at init and the output layer must first travel to the offset."
                   if spread else
                   "Their spread is on unit scale, only the offset is off: the output bias must first travel to it "
                   "(start it at the target mean, or centre the targets).")
    bounded = bounded_gradient_loss(m.losses)
    if bounded:
        consequence = (f"{bounded} bounds the gradient whatever the residual, so the scale does not blow up the steps; "
                       "the outputs only have farther to travel (standardising still speeds that up).")
    yield Finding(
        "D105", Severity.INFO if bounded else Severity.WARNING,
        f"Regression targets are far from unit scale: target column {j} has mean {mean[j]:.4g} and std {std[j]:.4g} "
        f"({len(columns)} of {len(mean)} columns off scale{', ' + m.scope if m.scope else ''}). {consequence}",
        evidence={"mean": mean[:50].tolist(), "std": std[:50].tolist(), "columns": columns[:50].tolist(), "scope": m.scope,
                  "target_mean": float(mean[j]), "target_std": float(std[j]), "losses": sorted(set(m.losses)),
                  "spread_off_scale": spread, "bounded_gradient_loss": bool(bounded), "bounded_loss": bounded},
        location=f"target column {j}" if len(mean) > 1 else "targets",
    )


# -- D111: labels unrelated to the inputs ------------------------------------------------------------
@dataclass
class LabelProbe:
    """Out-of-sample scores of quick probes fitted from the inputs to the labels (checkup)."""

    task: str  # "regression" (scores are R²) or a classification task (scores are accuracy)
    best: float
    best_probe: str
    n: int
    scores: dict[str, float]
    chance: float = 0.0
    p_value: float = 1.0
    upper_bound: float = 1.0
    rank_p_value: float = 1.0  # the probes' out-of-fold scores rank each class's own rows higher (AUC > 0.5)
    # run: the script's own model on its last evaluation pass beats always guessing the majority class (binomial p)
    model_p_value: float = 1.0
    # run: the same pass's held-out rows scored below their labels' entropy by the per-row log-loss (z-test p), or
    # for regression targets below the squared error of their mean (paired z-test p; checkup: the trial's copy)
    model_loss_p_value: float = 1.0


@dataclass
class MemorisationCurve:
    """Train and validation losses of a live run against the constant predictor's loss (watch).

    ``val_reduction`` says how the validation values were reduced: per-sample means compare
    with the reference; sums over a batch are a batch-size multiple of it and cannot.
    """

    train_end: float
    val_best: float
    reference: float
    ceiling: float
    val_reduction: str = "mean"


def probes_miss_targets(best_r2: float) -> bool:
    """Whether the quick probes' best out-of-sample R² leaves regression targets unexplained (D111's first test)."""
    return best_r2 <= UNPREDICTABLE_R2


@verdict("D111")
def labels_unpredictable(m: LabelProbe | MemorisationCurve) -> Iterator[Finding]:
    """Labels that the inputs do not predict: unpaired inputs and labels (shuffled separately, wrong file)."""
    if isinstance(m, MemorisationCurve):
        if m.val_reduction != "mean":
            return  # a summed validation loss is not on the reference's per-sample scale: no level to compare
        if m.val_best >= MISALIGNED_VAL * m.ceiling and m.train_end <= MISALIGNED_TRAIN * m.reference:
            yield Finding(
                "D111", Severity.ERROR,
                f"The train loss fell to {m.train_end:.3g} but the validation loss never went below {m.val_best:.3g}, the "
                f"constant predictor's {m.reference:.3g}: the model memorises the training labels and learns nothing that "
                "transfers. Check that inputs and labels are paired.",
                {"train_end": m.train_end, "val_best": m.val_best, "reference": m.reference, "ceiling": m.ceiling},
            )
        return
    scores = {k: round(v, 4) for k, v in m.scores.items()}
    if m.task == "regression":
        # the script's own model scoring held-out rows below their mean's squared error has found the targets in
        # the inputs, as a probe would have: a target that is a nonlinear statistic of a trace escapes the probes
        if probes_miss_targets(m.best) and m.model_loss_p_value >= CHANCE_P:
            yield Finding(
                "D111", Severity.ERROR,
                f"Targets are not predictable from the inputs: out-of-sample R² of quick probes is {m.best:.3f} "
                f"(best: {m.best_probe}) on {m.n} samples; a model can only memorise such targets. "
                "Check that inputs and targets are paired.",
                evidence={"scores": scores, "n": m.n, "metric": "r2"}, location="targets",
            )
        return
    # a probe whose scores rank a class's rows above the rest has found the labels in the inputs, even when
    # its argmax never beats the majority class: such labels are paired with their inputs
    # the script's own model predicting held-out labels beyond the majority class settles it the same way: the
    # probes (linear, nearest neighbours) may miss what a network finds (an order of events in a sequence)
    # and so does its log-loss on them below their labels' entropy: weak signal on imbalanced labels (a click rate)
    # moves the probabilities long before it moves an argmax off the majority class
    if m.p_value >= CHANCE_P and m.rank_p_value >= CHANCE_P and m.model_p_value >= CHANCE_P \
            and m.model_loss_p_value >= CHANCE_P \
            and m.upper_bound < m.chance + CHANCE_SPAN * (1 - m.chance):
        yield Finding(
            "D111", Severity.ERROR,
            f"Labels are not predictable from the inputs: out-of-sample accuracy of quick probes is {m.best:.3f} "
            f"(best: {m.best_probe}; 99% upper bound {m.upper_bound:.3f}) against {m.chance:.3f} for "
            f"always guessing the majority class (p = {m.p_value:.2g}, {m.n} samples). Inputs and labels "
            "look unpaired (shuffled separately, or the wrong file).",
            evidence={"scores": scores, "chance": m.chance, "p_value": m.p_value, "rank_p_value": m.rank_p_value,
                      "upper_bound": m.upper_bound, "n": m.n, "metric": "accuracy"},
            location="labels",
        )


# -- D113: label encoding ------------------------------------------------------------------------
@dataclass
class LabelEncoding:
    """What the targets of a loss look like next to what the loss reads.

    ``reads``: "indices" (class ids for cross-entropy / NLL), "probabilities" (float rows for
    cross-entropy), "binary" (BCE targets in [0, 1]), "elementwise" (a regression loss pairing
    output and target elements). ``kind``: what the targets are: "indices", "float labels"
    (floats where ids are read), "probabilities", "shape" (the two shapes and what they broadcast to, in ``evidence``).
    ``values`` are the distinct target values when known (for the 1-based check).
    """

    loss: str
    reads: str
    kind: str
    width: int | None
    minimum: float
    maximum: float
    values: np.ndarray | None = None
    out_of_range_count: int | None = None
    total: int | None = None
    ignore_index: int | None = -100
    row_sum_min: float | None = None
    row_sum_max: float | None = None
    zero_one_only: bool | None = None  # every value 0 or 1 (one-/multi-hot rows: L306's question)
    # a label per position (a token sequence, a mask): ids from a vocabulary that reserves some (padding, <unk>) no
    # target need hold, so an id 0 no target holds is no 1-based encoding
    per_position: bool = False
    where: str = "targets"
    evidence: dict[str, Any] = field(default_factory=dict)


@verdict("D113")
def bad_label_encoding(m: LabelEncoding) -> Iterator[Finding]:
    """Targets encoded differently from what the loss reads (ids out of range, floats, non-distributions, ±1)."""
    values = {"min": m.minimum, "max": m.maximum} if m.kind != "shape" else {}  # a shape mismatch reads no values
    evidence = {"loss": m.loss, "output_width": m.width, **values, **m.evidence}
    if m.values is not None:
        evidence.update(values=np.asarray(m.values)[:20].tolist(), distinct=len(m.values))
    message, severity = None, Severity.ERROR
    if m.reads == "indices" and m.kind == "indices" and m.width:
        if m.maximum >= m.width or m.minimum < 0:
            bad = (f"class labels reach {int(m.maximum)}" if m.maximum >= m.width else f"class labels include {int(m.minimum)}")
            count = (f" ({m.out_of_range_count} of {m.total} targets)" if m.out_of_range_count is not None and m.total else "")
            message = (f"{bad} but the model has only {m.width} outputs: labels must be 0..{m.width - 1}{count}; "
                       f"{m.loss} fails on the others (IndexError, or a device-side assert on CUDA) or reads another class's output"
                       + ("; the labels look 1-based (1..C): subtract 1" if int(m.minimum) == 1 and int(m.maximum) == m.width else ""))
            evidence["out_of_range_count"] = m.out_of_range_count
        elif m.values is not None and m.minimum >= 1 and m.maximum == m.width - 1 and len(m.values) == m.width - 1 \
                and not m.per_position:
            severity = Severity.WARNING
            message = (f"class labels are 1..{m.width - 1} (1-based) with {m.width} outputs: output 0 never has a sample, so "
                       "one output is wasted and chance-level loss is computed over a class that does not exist")
    elif m.reads == "indices" and m.kind == "float labels":
        message = f"class labels are floats where {m.loss} expects integer class indices (int64)"
    elif m.reads == "probabilities" and m.kind == "probabilities" and not m.zero_one_only:
        sums_off = m.row_sum_min is not None and (abs(m.row_sum_min - 1) > ROW_SUM_TOLERANCE or abs(m.row_sum_max - 1) > ROW_SUM_TOLERANCE)
        if m.minimum < -ROW_SUM_TOLERANCE or m.maximum > 1 + ROW_SUM_TOLERANCE or sums_off:
            message = (f"float targets for {m.loss} are read as class probabilities, but they range {m.minimum:.3g}..{m.maximum:.3g}"
                       + (f" and rows sum to {m.row_sum_min:.3g}..{m.row_sum_max:.3g}, not 1" if m.row_sum_min is not None else "")
                       + ": pass class indices (int64) or probability rows")
    elif m.reads == "elementwise" and m.kind == "shape":
        out, target, combined = (tuple(m.evidence[k]) for k in ("output_shape", "target_shape", "broadcast_shape"))
        if math.prod(combined) > max(math.prod(out), math.prod(target)):
            message = (f"targets of shape {target} against outputs of shape {out}: {m.loss} broadcasts them to "
                       f"{combined} and compares every prediction with every target, so the model can learn no more "
                       "than the targets' mean; give the targets the output's shape (`y.view(-1, 1)`, or "
                       "`output.squeeze(-1)` in forward())")
    elif m.reads == "binary" and (m.minimum < 0 or m.maximum > 1):
        values = None if m.values is None else set(np.asarray(m.values).tolist())
        hint = "−1/+1 labels" if values is not None and values <= {-1.0, 1.0} else "class indices or unscaled values"
        message = (f"{m.loss} needs targets in [0, 1] but they range over [{m.minimum:g}, {m.maximum:g}] ({hint}); "
                   "the loss is computed without complaint and trains toward the wrong thing")
    if message:
        yield Finding("D113", severity, f"Label encoding does not match the loss ({m.where}): {message}.",
                      evidence=evidence, location=m.where)


# -- D115: ordered batches ------------------------------------------------------------------------
@dataclass
class BatchOrder:
    """How ordered the training batches are compared with shuffled batches of the same sizes.

    Classes: the mean label entropy per batch against its distribution under shuffling
    (``expected_entropy``, ``p_value``: share of simulated shuffles at or below the observed).
    Regression: within-batch target variance share and rank correlation of target with position.
    """

    kind: str  # "classification" | "regression"
    batches: int
    n: int
    mean_entropy: float = 0.0
    expected_entropy: float = 0.0
    p_value: float = 1.0
    runs: int | None = None
    longest_run: int | None = None
    expected_runs: float | None = None
    spearman: float = 0.0
    spearman_p: float = 1.0
    within_batch_variance_ratio: float = 1.0


def _entropies(counts: np.ndarray) -> np.ndarray:
    """Plug-in label entropy (nats) of each row of class counts."""
    counts = np.atleast_2d(np.asarray(counts, float))
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(shares > 0, shares * np.log(shares), 0.0).sum(axis=1)


def batch_order_from_counts(per_batch: Sequence[Sequence[float]], seed: int = 0, simulations: int = 500) -> BatchOrder:
    """The classification ``BatchOrder`` of batches given as class-count vectors (one row per batch).

    Shuffled batches are simulated as multinomial draws of each batch's size from the pooled
    class shares; the p-value is the share of simulated mean entropies at or below the observed.
    """
    counts = np.asarray(per_batch, float)
    pooled = counts.sum(axis=0)
    shares = pooled / pooled.sum()
    sizes = counts.sum(axis=1).astype(int)
    observed = float(_entropies(counts).mean())
    rng = np.random.default_rng(seed)
    simulated = np.mean([_entropies(rng.multinomial(size, shares, size=simulations)) for size in sizes], axis=0)
    return BatchOrder("classification", len(counts), int(sizes.sum()), mean_entropy=observed,
                      expected_entropy=float(simulated.mean()),
                      p_value=float((1 + np.sum(simulated <= observed)) / (simulations + 1)))


@verdict("D115")
def ordered_batches(m: BatchOrder) -> Iterator[Finding]:
    """Training batches that arrive sorted by class or target: each step sees one part of the distribution."""
    evidence = {k: getattr(m, k) for k in (
        "kind", "batches", "n", "runs", "longest_run", "expected_runs", "mean_entropy", "expected_entropy",
        "p_value", "spearman", "spearman_p", "within_batch_variance_ratio")}
    if m.kind == "classification":
        if not (m.p_value <= ORDER_P and m.mean_entropy < ORDER_ENTROPY_SHARE * m.expected_entropy):
            return
        message = (f"Training batches arrive ordered by class: the first {m.batches} batches have a mean label "
                   f"entropy of {m.mean_entropy:.3g} nats where shuffled batches give {m.expected_entropy:.3g} "
                   f"(p = {m.p_value:.2g})")
        if m.runs is not None:
            message += f"; {m.runs} label runs (longest {m.longest_run}) where about {m.expected_runs:.0f} are expected"
        message += "."
    else:
        ordered = m.within_batch_variance_ratio < ORDER_VARIANCE_SHARE or (
            abs(m.spearman) >= ORDER_SPEARMAN and m.spearman_p < ORDER_SPEARMAN_P)
        if not ordered:
            return
        message = (f"Training batches arrive ordered by target: within-batch target variance is "
                   f"{100 * m.within_batch_variance_ratio:.1f}% of the overall variance and the Spearman correlation "
                   f"of target with position is {m.spearman:.2f} over the first {m.batches} batches.")
    yield Finding(
        "D115", Severity.WARNING,
        message + " Each step then sees one part of the distribution and the model chases it.",
        evidence=evidence, location="train loader",
    )


# -- D108 --------------------------------------------------------------------------------
@dataclass
class Overlap:
    """Validation rows that also appear (exactly or nearly) in the training split.

    Exact copies are counted over ``val_rows`` (``exact_scope`` says against what), near copies
    over a sample of ``near_rows``; ``examples`` are validation row indices. Built by the data audit.
    """

    exact_scope: str
    val_rows: int
    exact_in_train: int
    near_rows: int = 0
    near_in_train: int = 0
    threshold: float | None = None
    examples: list[int] = field(default_factory=list)
    chance_share: float = 0.0  # rows expected to match a training row without copying (data_duplicates.repeat_level)

    @property
    def exact_share(self) -> float:
        return self.exact_in_train / self.val_rows if self.val_rows else 0.0

    @property
    def near_share(self) -> float:
        return self.near_in_train / self.near_rows if self.near_rows else 0.0

    @property
    def share(self) -> float:
        return max(self.exact_share, self.near_share)


@verdict("D108")
def train_val_leakage(m: Overlap) -> Iterator[Finding]:
    """Validation rows copied (exactly or nearly) from training: a warning from ``LEAK_SHARE`` of them on, and
    from more than a score on the validation rows can resolve (see :func:`_leaks`), beyond the share that
    rows of these columns match by chance (``chance_share``: counts and flags repeat; a fresh test set would too)
    by more than that share's binomial variation (:func:`_leaks`)."""
    if m.exact_in_train == 0 and m.near_in_train == 0:
        return
    chance = m.chance_share
    exact = _leaks(m.exact_in_train, m.val_rows, chance)
    near_leak = _leaks(m.near_in_train, m.near_rows, chance)
    near = (f"; {m.near_share:.1%} of {m.near_rows} sampled validation rows have a near copy in training"
            if m.near_rows else "")
    within = ""
    if not (exact or near_leak) and chance >= LEAK_SHARE and m.share >= LEAK_SHARE:
        within = (f" Rows of these columns match a training row without copying for about {chance:.1%} of them "
                  "(a random split repeats alike on both sides): repeats of the data, not a leak.")
    elif not (exact or near_leak) and m.share >= LEAK_SHARE:
        within = (f" That is within the {_score_noise(m.val_rows):.1%} standard error of a score on {m.val_rows} "
                  "validation rows: not a leak that can move it.")
    yield Finding(
        "D108", Severity.WARNING if exact or near_leak else Severity.INFO,
        f"{m.exact_in_train} validation rows ({m.exact_share:.1%}) also appear exactly in the training data "
        f"({m.exact_scope}){near}. Validation scores on them measure memory, not generalisation." + within,
        evidence={"exact_in_train": m.exact_in_train, "exact_share": m.exact_share, "near_share": m.near_share,
                  "val_rows": m.val_rows, "scope": m.exact_scope, "example_val_rows": list(m.examples),
                  "chance_share": chance},
        location="val",
    )


def _score_noise(rows: int) -> float:
    """The largest standard error of an accuracy (or any share) measured on ``rows`` rows: 0.5 / sqrt(rows)."""
    return 0.5 / float(np.sqrt(max(rows, 1)))


def _leaks(count: int, rows: int, chance: float) -> bool:
    """``count`` of ``rows`` validation rows with a copy in training is a leak to act on: beyond the ``chance`` share
    that rows match a training row without copying, at least ``LEAK_SHARE`` of them and more than the standard error
    of a score on those rows (fewer copies, one coincidence in a small split, cannot move the score beyond its own
    noise), and improbable (p < ``COPY_ALPHA``) if each matched only at that chance rate: a random split repeats
    alike on both sides, copying shows as validation repeating more (at a chance level of 0 any copy is)."""
    from scipy.stats import binom  # lazily: `import nndoctor` stays light

    if not rows or count <= 0 or (count - chance * rows) / rows < max(LEAK_SHARE, _score_noise(rows)):
        return False
    return float(binom.sf(count - 1, rows, min(max(chance, 0.0), 1.0))) < COPY_ALPHA


# -- D103: constant features ---------------------------------------------------------------------
@dataclass
class FeatureSpread:
    """Per-feature mean, std and share of finite values over the training sample (tabular features)."""

    mean: np.ndarray
    std: np.ndarray
    finite_share: np.ndarray | None = None  # None: every value finite
    scope: str = "the sample"
    unit: str = "feature"  # or "channel": an image's or a channels-first signal's, over samples and positions


@verdict("D103")
def constant_feature(m: FeatureSpread) -> Iterator[Finding]:
    """Constant features, and features that became NaN/Inf throughout (a constant divided by its zero std).

    A finite constant column only wastes an input: info. A column without a single finite value
    is what ``(x - mean) / std`` makes of a constant feature, and it turns the loss into NaN.
    """
    scope, units = m.scope, f"{m.unit}s"
    finite = m.finite_share if m.finite_share is not None else np.ones(len(m.std))
    void = np.flatnonzero(finite == 0)
    if len(void):
        yield Finding(
            "D103", Severity.ERROR,
            f"{len(void)} of {len(m.std)} {units} hold no finite value in {scope}: {units} {_listing(void)} are "
            f"NaN/Inf in every row, which is what standardising a constant {m.unit} gives ((x − mean) / std with "
            "std = 0), or a column holding one NaN/Inf (log of a zero count: its mean and std are then "
            "non-finite). Every sample then carries a NaN into the loss.",
            evidence={"features": void[:100].tolist(), "void_features": void[:100].tolist(), "count": len(void),
                      "unit": m.unit},
            location=f"{units} {_listing(void)}",
        )
    constant = np.flatnonzero((finite > 0) & (m.std <= CONSTANT_STD * np.maximum(1.0, np.abs(m.mean))))
    if not len(constant):
        return
    varying = np.flatnonzero(m.std > CONSTANT_STD * np.maximum(1.0, np.abs(m.mean)))
    low, high = STANDARDISED_STD
    standardised = bool(len(varying)) and float(np.median(np.abs(m.mean[varying]))) < STANDARDISED_MEAN and \
        low <= float(np.median(m.std[varying])) <= high
    yield Finding(
        "D103", Severity.INFO,
        f"{len(constant)} of {len(m.std)} {units} are constant in {scope} (std ≈ 0): {units} "
        f"{_listing(constant)}. They carry no information; drop them, or guard the divisor before standardising per "
        f"{m.unit} (std = 0 gives NaN).",
        evidence={"features": constant[:100].tolist(), "values": m.mean[constant][:100].tolist(),
                  "count": len(constant), "inputs_standardised": standardised, "inert": True, "unit": m.unit},
        location=f"{units} {_listing(constant)}",
    )


# -- D114: batches too large for the dataset --------------------------------------------------------
@dataclass
class EpochSteps:
    """How the training loader cuts an epoch: samples, optimizer steps and batch size (None: not declared).

    ``loop_sample``: the data is the user's loop's own batches ("epoch" or "partial", see
    ``checks.data.loop_sample``), whose steps say nothing of an epoch; None for a loader.
    """

    samples: int | None
    steps_per_epoch: int | None
    batch_size: int | None = None
    loop_sample: str | None = None


@verdict("D114")
def batch_too_large(m: EpochSteps) -> Iterator[Finding]:
    """Batches so large that an epoch is only a few optimizer steps."""
    steps, n = m.steps_per_epoch, m.samples
    if not steps or not n or m.loop_sample:
        # a loop's own batches: a bounded part of an epoch says nothing of its steps, and a loop that feeds its
        # whole set every step chose full-batch steps by hand (e.g. L-BFGS's line search needs the exact loss)
        return
    batch = m.batch_size or int(np.ceil(n / steps))
    if batch <= BATCH_LIMIT or steps >= MIN_STEPS:
        return
    severity = Severity.WARNING if steps <= FEW_STEPS else Severity.INFO
    yield Finding(
        "D114", severity,
        f"{n} training samples in batches of {batch} give only {steps} optimizer step{'s' if steps != 1 else ''} per "
        "epoch; each epoch barely moves the weights and the gradient noise that helps generalisation is gone.",
        evidence={"samples": n, "batch_size": batch, "steps_per_epoch": steps},
        location="train loader",
    )
