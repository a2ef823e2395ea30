"""D-family checks: verdicts on the data audit's measurements (probes/data_audit.py, label_probe.py).

Thresholds follow from what each rule means, not from one dataset: inputs whose typical
magnitude is above 10 make the first layer's pre-activations an order of magnitude larger
than any standard initialisation assumes; a distribution shift must be both significant
after correcting for the number of features tested and large enough to matter.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import torch
from torch import nn
from torch.utils.data import WeightedRandomSampler

from ..findings import Finding, Severity
from ..probes import data_audit as audit
from ..probes import data_duplicates as copies
from ..probes.init_outputs import init_outputs, loss_name
from ..setup import primary_output
from ..probes.label_probe import SUSPECT_PROBABILITY, label_probe
from ..probes.layer_stats import first_weight_input, input_batchnorm
from ..verdicts.data import (
    BatchOrder, CategoricalColumns, InputScale, LabelEncoding, LabelProbe, NonFiniteData, TargetScale, labels_unpredictable,
    mixed_feature_scales as _mixed_feature_scales, non_finite_data, ordered_batches, unnormalised_inputs,
    unscaled_regression_targets as _unscaled_regression_targets, bad_label_encoding as _bad_label_encoding,
    categorical_as_numeric as _categorical_as_numeric,
)
from ..verdicts.curves import IMBALANCE_RATIO
from ..verdicts.data import LEAK_SHARE
from ..verdicts.data import train_val_leakage as _train_val_leakage
from .base import Context, check

SHIFT_ALPHA = 0.001  # family-wise false-alarm rate per checkup (Bonferroni over features)
SHIFT_KS_FLOOR = 0.2  # KS distance of a half-std shift of the mean: large enough to matter
LABEL_SHIFT_TVD = 0.1  # 10 points of class share moved between splits
DUPLICATE_SHARE = 0.05
SUSPECT_SHARE = 0.02  # flagged labels; the flagged share underestimates the wrong share (low recall)
SUSPECT_EXCESS = 2.0  # flagged at least twice what the probe's own probabilities predict for clean labels
FLOOR_SHARE = 0.1  # labels drawn regardless of the inputs: one in ten, a share worth relabelling
FLOOR_MAX = 0.5  # above half, most labels do not follow the inputs: the probe cannot tell noise from its own misfit
FLOOR_LINEAR_SHARE = 2 / 3  # the linear probe finds most (two thirds) of the local probe's lift over chance, else
# its posterior has the wrong shape (classes made of several clusters) and its misfit can look like a floor
MIN_LABELS = 50  # fewer labels than this say little about class shares
NOISE_ALPHA = 1e-3  # validation labels agree with the training mapping better than training labels: p below this
NOISE_GAP = 0.05  # ... by at least 5 points of accuracy: a share of wrong labels that matters
FLIP_BAYES_FACTOR = 100.0  # validation inputs follow the training label shares, not their own: "decisive" (Jeffreys)
CLASSIFICATION = audit.CLASSIFICATION


def _listing(indices: Iterable[int], limit: int = 8) -> str:
    items = list(indices)
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (f" … (+{len(items) - limit} more)" if len(items) > limit else "")


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


# -- scale ------------------------------------------------------------------------------
def _scale_stats(ctx: Context) -> tuple[audit.FeatureStats, str]:
    """The per-unit statistics D101/D102 judge, and their scope.

    What the first weight layer multiplies: the loader's sample, unless the model transforms its
    input inside ``forward`` first (``probes.layer_stats.first_weight_input``).
    """
    seen = ctx.probe("first_weight_input", first_weight_input)
    if seen is not None:
        return audit.feature_stats(seen), f"{len(seen)} sample rows, as the first weight layer receives them"
    sample = audit.sample_of(ctx, "train")
    return audit.train_feature_stats(ctx), sample.scope if sample else ""


def _input_scale(ctx: Context, stats: audit.FeatureStats, scope: str) -> InputScale:
    """The per-unit statistics as the D101/D102 measurement."""
    return InputScale(
        unit=stats.unit, mean=stats.mean, std=stats.std, max_abs=stats.max_abs, range=stats.range,
        distinct=stats.distinct, overall_mean=stats.overall_mean, overall_std=stats.overall_std,
        overall_max_abs=stats.overall_max_abs, scope=scope,
        input_batchnorm=input_batchnorm(ctx.setup.model) or None, tabular=_per_feature(stats),
    )


def _per_feature(stats: audit.FeatureStats) -> bool:
    """Units that are features (table columns, or the last axis of (batch, time, feature) sequences), each its own scale."""
    return stats.unit == "feature" and stats.range is not None


@check("D101", phase="data")
def unnormalized_inputs(ctx: Context) -> Iterable[Finding]:
    """Inputs far from zero mean / unit scale (verdict: ``verdicts.data.unnormalised_inputs``)."""
    stats, scope = _scale_stats(ctx)
    if stats.layout == "none" or not len(stats.mean):
        return
    yield from unnormalised_inputs(_input_scale(ctx, stats, scope))


def _tabular(ctx: Context) -> tuple[audit.FeatureStats, np.ndarray] | None:
    stats = audit.train_feature_stats(ctx)
    sample = audit.sample_of(ctx, "train")
    if stats.layout != "tabular" or sample is None or sample.x is None:
        return None
    return stats, sample.x


@check("D102", phase="data")
def mixed_feature_scales(ctx: Context) -> Iterable[Finding]:
    """Feature scales apart by orders of magnitude (verdict: ``verdicts.data.mixed_feature_scales``)."""
    stats, scope = _scale_stats(ctx)
    if not _per_feature(stats):
        return
    yield from _mixed_feature_scales(_input_scale(ctx, stats, scope))


@check("D103", phase="data")
def constant_feature(ctx: Context) -> Iterable[Finding]:
    """Constant features, and features that became NaN/Inf throughout (a constant divided by its zero std).

    A finite constant column only wastes an input: info. A column without a single finite value
    is what ``(x - mean) / std`` makes of a constant feature, and it turns the loss into NaN.
    """
    stats = audit.train_feature_stats(ctx)
    if not _per_feature(stats):
        return
    sample = audit.sample_of(ctx, "train")
    scope = sample.scope if sample else "the sample"
    finite = stats.finite_share if stats.finite_share is not None else np.ones(len(stats.std))
    void = np.flatnonzero(finite == 0)
    if len(void):
        yield Finding(
            "D103", Severity.ERROR,
            f"{len(void)} of {len(stats.std)} features hold no finite value in {scope}: features {_listing(void)} are "
            "NaN/Inf in every row, which is what standardising a constant feature gives ((x − mean) / std with "
            "std = 0). Every sample then carries a NaN into the loss.",
            evidence={"features": void[:100].tolist(), "void_features": void[:100].tolist(), "count": len(void)},
            location=f"features {_listing(void)}",
        )
    constant = np.flatnonzero((finite > 0) & (stats.std <= 1e-6 * np.maximum(1.0, np.abs(stats.mean))))
    if not len(constant):
        return
    varying = np.flatnonzero(stats.std > 1e-6 * np.maximum(1.0, np.abs(stats.mean)))
    standardised = bool(len(varying)) and float(np.median(np.abs(stats.mean[varying]))) < 0.25 and \
        0.5 <= float(np.median(stats.std[varying])) <= 2.0
    yield Finding(
        "D103", Severity.INFO,
        f"{len(constant)} of {len(stats.std)} features are constant in {scope} (std ≈ 0): features "
        f"{_listing(constant)}. They carry no information; drop them, or guard the divisor before standardising per "
        "feature (std = 0 gives NaN).",
        evidence={"features": constant[:100].tolist(), "values": stats.mean[constant][:100].tolist(),
                  "count": len(constant), "inputs_standardised": standardised},
        location=f"features {_listing(constant)}",
    )


# -- values -----------------------------------------------------------------------------
@check("D104", phase="data")
def non_finite_values(ctx: Context) -> Iterable[Finding]:
    """NaN/Inf in the data, per split (verdict: ``verdicts.data.non_finite_data``)."""
    for split in ("train", "val"):
        counts = audit.non_finite(ctx, split)
        if counts is None or not counts.total:
            continue
        columns = np.flatnonzero(counts.input_columns).tolist() if counts.input_columns is not None else []
        yield from non_finite_data(NonFiniteData(
            where=f"{split} data", split=split,
            input_nonfinite=counts.input_nan + counts.input_inf, target_nonfinite=counts.target_nan + counts.target_inf,
            input_nan=counts.input_nan, input_inf=counts.input_inf, target_nan=counts.target_nan, target_inf=counts.target_inf,
            rows_affected=counts.rows_affected, rows_checked=counts.rows_checked, first_row=counts.first_row,
            first_batch=counts.first_batch, scope=counts.scope, columns=columns, whole_columns=list(counts.whole_columns or []),
        ))


@check("D105", phase="data")
def unscaled_regression_targets(ctx: Context) -> Iterable[Finding]:
    """Regression targets far from unit scale (verdict: ``verdicts.data.unscaled_regression_targets``)."""
    if ctx.setup.task != "regression":
        return
    sample = audit.sample_of(ctx, "train")
    if sample is None or sample.y is None or sample.y.dtype.kind not in "fiu":
        return
    mean, std = audit.target_stats(sample.y)
    loss = loss_name(ctx.setup.loss) if ctx.setup.loss is not None else ""
    yield from _unscaled_regression_targets(TargetScale(mean=mean, std=std, losses=(loss,) if loss else (), scope=sample.scope))


# -- labels -----------------------------------------------------------------------------
def imbalance_handling(ctx: Context) -> str | None:
    """How the setup already counters class imbalance on purpose: loss class weights or a weighted sampler."""
    loss = ctx.setup.loss
    if getattr(loss, "weight", None) is not None:
        return f"class weights in {type(loss).__name__}"
    if getattr(loss, "pos_weight", None) is not None:
        return f"pos_weight in {type(loss).__name__}"
    sampler = getattr(ctx.setup.train_loader, "sampler", None)
    if isinstance(sampler, WeightedRandomSampler):
        return "a WeightedRandomSampler"
    return _bias_at_prior(ctx)


def _bias_at_prior(ctx: Context) -> str | None:
    """The output bias already starts at the class prior: the model's average output scores nearer the prior than chance.

    A default init outputs about zero logits (the chance loss); only a bias set on purpose lands
    closer to the best constant prediction, the log prior.
    """
    try:
        probe = ctx.probe("init_outputs", init_outputs)
    except Exception:  # the model cannot run on the batches: other checks report it
        return None
    offset, constant, chance = probe.offset_loss, probe.constant_loss, probe.chance_loss
    if probe.space == "values" or None in (offset, constant, chance) or not chance > constant:
        return None
    if offset <= (chance + constant) / 2:
        return (f"an output bias at the class prior (the model's average output scores {offset:.3g}, the prior "
                f"{constant:.3g}, zero logits {chance:.3g})")
    return None


def _token_imbalance(ctx: Context, labels: np.ndarray, scope: str) -> Iterable[Finding]:
    """Sequence targets: one token id filling most target positions, the padding a loss should ignore.

    A long-tailed (Zipfian) token distribution is what language is, so the class-ratio rule
    does not apply; what the rule guards against (one label the model can win by predicting
    everywhere) is a single id holding the majority of positions, usually padding counted in
    the loss.
    """
    labels = labels[labels != ctx.setup.ignore_index]
    if len(labels) < MIN_LABELS:
        return
    ids, counts = np.unique(labels, return_counts=True)
    top = int(np.argmax(counts))
    share = float(counts[top] / counts.sum())
    if share < 0.5:
        return
    token = int(ids[top])
    yield Finding(
        "D106", Severity.WARNING,
        f"Token id {token} fills {_pct(share)} of the target positions ({scope}); predicting it everywhere already "
        f"scores {_pct(share)} token accuracy. In a sequence task this is usually padding or a filler counted in the "
        f"loss: mark those positions with the loss's ignore_index (e.g. -100, or CrossEntropyLoss(ignore_index={token})).",
        evidence={"token": token, "majority_share": share, "distinct_tokens": len(ids), "scope": scope,
                  "ignore_index": ctx.setup.ignore_index},
        location=f"token {token}",
    )


@check("D106", phase="data")
def class_imbalance(ctx: Context) -> Iterable[Finding]:
    labels, scope = audit.all_labels(ctx, "train")
    if labels is None or len(labels) < MIN_LABELS:
        return
    if ctx.setup.task == "sequence":
        yield from _token_imbalance(ctx, labels, scope)
        return
    classes, counts = np.unique(labels, return_counts=True)
    if loop_sample(ctx) and (len(classes) == 1 or batches_ordered(ctx)):
        return  # the loop's first batches, in class order: their shares are not the data's
    if len(classes) == 1:
        yield Finding(
            "D106", Severity.WARNING,
            f"Only one class ({int(classes[0])}) appears in the training labels ({scope}); the model can only learn "
            "to predict it.",
            evidence={"shares": {int(classes[0]): 1.0}, "majority_share": 1.0, "scope": scope},
            location=f"class {int(classes[0])}",
        )
        return
    shares = counts / counts.sum()
    majority, ratio = float(shares.max()), float(counts.max() / counts.min())
    if majority >= 0.8 or ratio >= 5:
        severity = Severity.WARNING
    elif ratio >= IMBALANCE_RATIO:
        severity = Severity.INFO
    else:
        return
    rarest, largest = int(classes[np.argmin(counts)]), int(classes[np.argmax(counts)])
    handled = imbalance_handling(ctx)
    if handled:
        severity = Severity.INFO
    yield Finding(
        "D106", severity,
        f"Classes are imbalanced: class {largest} holds {_pct(majority)} of the training labels and class {rarest} "
        f"only {_pct(float(shares.min()))} ({ratio:.3g}x rarer) in {scope}. Always predicting class {largest} "
        f"already scores {_pct(majority)} accuracy."
        + (f" The setup already compensates with {handled}; judge it by per-class recall, not accuracy." if handled else ""),
        evidence={"shares": {int(k): float(v) for k, v in zip(classes, shares)}, "majority_share": majority,
                  "imbalance_ratio": ratio, "scope": scope, "handled_by": handled},
        location=f"class {rarest}",
    )


@check("D115", phase="data")
def unshuffled_training_data(ctx: Context) -> Iterable[Finding]:
    """Batches ordered by class or target (verdict: ``verdicts.data.ordered_batches``)."""
    yield from _order_findings(ctx)


def _order_findings(ctx: Context) -> list[Finding]:
    found = audit.order(ctx)
    if found is None:
        return []
    return list(ordered_batches(BatchOrder(**{k: getattr(found, k) for k in (
        "kind", "batches", "n", "runs", "longest_run", "expected_runs", "mean_entropy", "expected_entropy",
        "p_value", "spearman", "spearman_p", "within_batch_variance_ratio")})))


def loop_sample(ctx: Context) -> str | None:
    """How the training data is a loop sample (``nndoctor run``, no DataLoader): "epoch", "partial", or None."""
    return getattr(ctx.setup, "loop_sample", None)


def batches_ordered(ctx: Context) -> bool:
    """Whether the training loader's batches come ordered by class or target (D115's verdict).

    Then the first sample batches hold one class or one end of the targets, and no prior or
    target mean measured on them stands for the data."""
    return bool(_order_findings(ctx))


def _output_shape(ctx: Context) -> tuple[int, ...] | None:
    def compute(c: Context) -> tuple[int, ...] | None:
        batches = c.batches("train")
        if not batches:
            return None
        model = c.model_copy()
        model.eval()
        with torch.no_grad():
            output = primary_output(c.setup.forward(model, batches[0][0]))
        return tuple(output.shape) if isinstance(output, torch.Tensor) else None

    return ctx.probe("data_audit.output_shape", compute)


def _targets(ctx: Context) -> np.ndarray | None:
    pair = audit.tensor_pair(ctx.setup, "train")
    if pair is not None and pair[1].numel() <= audit.FULL_SCAN_ELEMENTS:
        return audit._to_numpy(pair[1])
    sample = audit.sample_of(ctx, "train")
    return sample.y if sample is not None else None


@check("D113", phase="data")
def bad_label_encoding(ctx: Context) -> Iterable[Finding]:
    """Targets encoded differently from what the loss reads (verdict: ``verdicts.data.bad_label_encoding``)."""
    setup = ctx.setup
    loss, shape = setup.loss, _output_shape(ctx)
    y = _targets(ctx)
    if y is None or shape is None or not len(y):
        return
    # The class axis the loss reads (the last one of a language model's (N, T, V)), else the output's columns.
    width = setup.n_classes if setup.n_classes is not None else (shape[1] if len(shape) > 1 else 1)
    values = np.unique(y[np.isfinite(y)] if y.dtype.kind == "f" else y)
    name = loss_name(loss)
    # A custom loss that re-encodes the ids itself (e.g. ``y - 1``) reads them fine (see Setup.loss_maps_labels).
    class_ids = (isinstance(loss, (nn.CrossEntropyLoss, nn.NLLLoss)) or setup.class_axis is not None) and not setup.loss_maps_labels
    if class_ids and y.dtype.kind in "iu":
        used = values[values != setup.ignore_index]
        if not len(used):
            return
        bad = used[(used < 0) | (used >= width)]
        measurement = LabelEncoding(
            loss=name, reads="indices", kind="indices", width=width, minimum=float(used.min()), maximum=float(used.max()),
            values=used, out_of_range_count=int(np.isin(y, bad).sum()), total=int(np.isin(y, used).sum()),
            evidence={"out_of_range": bad[:20].tolist()},
        )
    elif isinstance(loss, nn.CrossEntropyLoss) and y.dtype.kind == "f" and y.ndim == len(shape) and y.shape[1:] == shape[1:]:
        sums = y.reshape(len(y), width, -1).sum(axis=1)
        measurement = LabelEncoding(
            loss=name, reads="probabilities", kind="probabilities", width=width, minimum=float(values.min()),
            maximum=float(values.max()), values=values, row_sum_min=float(sums.min()), row_sum_max=float(sums.max()),
            zero_one_only=bool(np.all(np.isin(values, (0.0, 1.0)))),
        )
    elif isinstance(loss, (nn.BCEWithLogitsLoss, nn.BCELoss)):
        measurement = LabelEncoding(loss=name, reads="binary", kind="values", width=width, minimum=float(values.min()),
                                    maximum=float(values.max()), values=values)
    else:
        return
    yield from _bad_label_encoding(measurement)


@check("D110", "D111", phase="data")
def label_predictability(ctx: Context) -> Iterable[Finding]:
    if ctx.setup.task not in CLASSIFICATION + ("regression",):
        return
    probe = label_probe(ctx)
    if probe is None:
        return
    scores = {k: round(v, 4) for k, v in probe.scores.items()}
    unpredictable = list(labels_unpredictable(LabelProbe(
        task=probe.task, best=probe.best, best_probe=probe.best_probe + (" on the Fourier modulus" if probe.view == "spectrum" else ""), n=probe.n, scores=probe.scores,
        chance=getattr(probe, "chance", 0.0), p_value=getattr(probe, "p_value", 1.0),
        upper_bound=getattr(probe, "upper_bound", 1.0), rank_p_value=getattr(probe, "rank_p_value", 1.0))))
    yield from unpredictable
    if probe.task == "regression" or unpredictable:
        return
    linear = probe.scores["logistic regression"]
    floor = _noise_floor(probe)
    if probe.bag_of_tokens:  # only the recalibrated floor reads the bag-of-tokens probabilities
        flagged = disagreement = flipped = False
    else:
        trusted = probe.p_value < 1e-3 and linear >= probe.chance + 0.5 * (1 - probe.chance)
        excess = probe.suspect_count >= SUSPECT_EXCESS * probe.expected_suspects
        flagged = trusted and probe.suspect_count / probe.n >= SUSPECT_SHARE and excess and probe.suspect_p_value < 1e-3
        disagreement = _validation_disagreement(ctx, probe)
        flipped = _labels_moved_inputs_not(probe)
    share = probe.suspect_count / probe.n
    if not (flagged or disagreement or flipped or floor):
        return
    parts = []
    if floor:
        parts.append(
            f"about {_pct(probe.noise_floor)} of the {probe.n} training labels look drawn regardless of their inputs: "
            f"recalibrated out of fold, the {linear:.2f}-accurate logistic-regression probe's probabilities fit the labels "
            f"far better with that share spread over the classes everywhere (likelihood-ratio p = {probe.noise_floor_p:.2g}), "
            "where clean labels would leave the probe near-certain away from the class boundaries")
    if flagged:
        parts.append(
            f"{probe.suspect_count} of {probe.n} training labels ({_pct(share)}) get an out-of-sample probability below "
            f"{SUSPECT_PROBABILITY:g} from a logistic-regression probe that is {linear:.2f} accurate; if every label were "
            f"right, about {probe.expected_suspects:.0f} would (Poisson p = {probe.suspect_p_value:.2g})")
    if disagreement:
        name, val_score, train_score, p = disagreement
        parts.append(
            f"the {name} probe fitted on training labels agrees with {_pct(val_score)} of {probe.val_n} validation labels "
            f"but only {_pct(train_score)} of held-out training labels (Fisher p = {p:.2g}): the splits do not follow "
            f"one input-to-label mapping, and about {_pct(val_score - train_score)} of the training labels disagree with it")
    if flipped:
        parts.append(
            f"the class shares differ between training and validation by {_pct(probe.label_shift_tvd)} (chi-square "
            f"p = {probe.label_shift_p:.2g}) but the inputs do not: the {probe.best_probe} probe's predictions on the "
            f"validation inputs follow the training shares {np.exp(min(probe.inputs_follow_train_log_lr, 700)):.3g} times "
            "more likely than the validation shares (black-box shift estimation). Labels of one split were recorded as "
            "another class (one-way flips), usually in the training set")
    text = "; ".join(parts)
    yield Finding(
        "D110", Severity.WARNING,
        f"{text[0].upper()}{text[1:]}. Review rows {_listing(probe.suspect_rows, 10)} first (lowest probability of their label).",
        evidence={"suspect_count": probe.suspect_count, "suspect_share": share, "expected": probe.expected_suspects,
                  "p_value": probe.suspect_p_value, "rows": probe.suspect_rows, "scores": scores, "n": probe.n,
                  "val_scores": {k: round(v, 4) for k, v in probe.val_scores.items()}, "val_n": probe.val_n,
                  "val_p_values": probe.val_p_values, "labels_moved_inputs_not": bool(flipped),
                  "validation_disagreement": bool(disagreement), "labels_without_inputs": bool(floor),
                  "noise_floor": probe.noise_floor, "noise_floor_p": probe.noise_floor_p,
                  "label_shift_tvd": probe.label_shift_tvd, "label_shift_p": probe.label_shift_p,
                  "inputs_follow_train_log_lr": probe.inputs_follow_train_log_lr},
        location=f"rows {_listing(probe.suspect_rows, 5)}",
    )


def _noise_floor(probe) -> bool:
    """A share of labels (FLOOR_SHARE up to FLOOR_MAX) looks drawn regardless of the inputs, read by a linear probe that fits.

    The floor is fitted to the linear probe; labels redrawn at random cap the local probe as
    much, so a local probe far ahead of the linear one means the linear posterior has the wrong
    shape, and then nothing is said.
    """
    lift = {name: score - probe.chance for name, score in probe.scores.items()}
    fits = lift["logistic regression"] >= FLOOR_LINEAR_SHARE * max(lift.values())
    return probe.p_value < NOISE_ALPHA and fits and FLOOR_SHARE <= probe.noise_floor < FLOOR_MAX \
        and probe.noise_floor_p < NOISE_ALPHA


def _labels_moved_inputs_not(probe) -> bool:
    """Class shares moved between the splits by a share that matters (D109's own bar), the inputs did not.

    A real label shift moves the inputs with the labels; one-way label flips leave them where
    they were. The validation inputs must follow the training shares decisively better than
    their own (Bayes factor) and fit them (not rejected at the noise level).
    """
    return probe.val_n > 0 and probe.p_value < NOISE_ALPHA and probe.label_shift_p < SHIFT_ALPHA \
        and probe.label_shift_tvd >= LABEL_SHIFT_TVD and probe.inputs_follow_train_fit_p >= NOISE_ALPHA \
        and probe.inputs_follow_train_log_lr >= np.log(FLIP_BAYES_FACTOR)


def _validation_disagreement(ctx: Context, probe) -> tuple[str, float, float, float] | None:
    """(probe, validation accuracy, training accuracy, p) when validation labels follow the mapping clearly better.

    Both accuracies come from the same fold probes, so they are comparable; a shift of the
    inputs lowers the validation accuracy and cannot raise an alarm. Label shares that differ
    between the splits (D109), or validation rows copied from training (D108, which the probes
    remember), make the accuracies incomparable, so then nothing is said.
    """
    candidates = []
    for name, p in probe.val_p_values.items():
        val_score, train_score = probe.val_scores[name], probe.scores[name]
        informative = val_score >= probe.chance + 0.5 * (1 - probe.chance)
        if p < NOISE_ALPHA and val_score - train_score >= NOISE_GAP and informative:
            candidates.append((p, name, val_score, train_score))
    if not candidates:
        return None
    found = audit.shift(ctx)
    if found is not None and found.label_p is not None and found.label_p < SHIFT_ALPHA:
        return None
    leaked = copies.overlap(ctx)
    if leaked is not None and leaked.share >= LEAK_SHARE:
        return None
    p, name, val_score, train_score = min(candidates)
    return name, val_score, train_score, p


@check("D112", phase="data")
def categorical_as_numeric(ctx: Context) -> Iterable[Finding]:
    """Category codes, one-hot blocks and binary flags fed as magnitudes (verdict: ``verdicts.data.categorical_as_numeric``)."""
    found = _tabular(ctx)
    if found is None:
        return
    stats, x = found
    sample = audit.sample_of(ctx, "train")
    targets = audit.target_matrix(sample.y if sample is not None else None, ctx.setup.task)
    codes = audit.code_columns(x, stats)
    orders = [o for o in (audit.code_order(j, x[:, j], targets) for j in codes) if o is not None] if targets is not None else []
    tested = {o.column for o in orders}
    binaries = audit.standardised_binary_columns(stats)
    yield from _categorical_as_numeric(CategoricalColumns(
        orders=orders, untested=[j for j in codes if j not in tested], blocks=audit.one_hot_blocks(x, binaries),
        single=binaries, two_values=stats.two_values, scope=sample.scope if sample is not None else "",
    ))


# -- duplicates, leakage and shift ----------------------------------------------------------
@check("D107", phase="data")
def duplicate_samples(ctx: Context) -> Iterable[Finding]:
    # The first batches a loop fed its model are not the dataset: rows repeat across the steps
    # of a full-batch optimizer or an epoch boundary, and augmentation in the loop (mixup) makes
    # near copies of them. A duplicate share needs the dataset itself.
    if loop_sample(ctx):
        return
    found = copies.duplicates(ctx)
    if found is None or found.share < 0.01:
        return
    near = (f"; {_pct(found.near_share)} have a near copy (a neighbour closer than chance allows at family-wise "
            f"{copies.NEAR_ALPHA:g}, intrinsic dimension {found.dimension:.3g}) in {found.near_scope}" if found.near_rows else "")
    yield Finding(
        "D107", Severity.WARNING if found.share >= DUPLICATE_SHARE else Severity.INFO,
        f"{_pct(found.exact_share)} of training rows have an exact copy in {found.exact_scope}{near}. Duplicates "
        "weight some samples more and inflate any validation drawn from the same pool.",
        evidence={"exact_share": found.exact_share, "near_share": found.near_share, "exact_scope": found.exact_scope,
                  "near_scope": found.near_scope, "typical_distance": found.typical_distance,
                  "threshold": found.threshold, "dimension": found.dimension, "example_pairs": found.examples},
        location="train",
    )


@check("D108", phase="data")
def train_val_leakage(ctx: Context) -> Iterable[Finding]:
    """Validation rows copied from training, by row hashes and nearest neighbours (verdict: ``verdicts.data.train_val_leakage``)."""
    found = copies.overlap(ctx)
    if found is not None:
        yield from _train_val_leakage(found)


@check("D109", phase="data")
def train_val_shift(ctx: Context) -> Iterable[Finding]:
    found = audit.shift(ctx)
    if found is None or (loop_sample(ctx) and batches_ordered(ctx)):
        return  # the loop's first batches, in class or target order, are not the training distribution
    if found.label_p is not None and found.label_p < SHIFT_ALPHA and (found.label_tvd or 0) >= LABEL_SHIFT_TVD:
        moved = max(found.train_shares, key=lambda k: abs(found.train_shares[k] - found.val_shares.get(k, 0.0)))
        tokens = ctx.setup.task == "sequence"  # the most frequent tokens each, the rest pooled as -1
        what = ("the rarer tokens together" if moved == -1 else f"token {moved}") if tokens else f"class {moved}"
        yield Finding(
            "D109", Severity.WARNING,
            f"{'Token' if tokens else 'Label'} shares differ between training and validation by {_pct(found.label_tvd)} "
            f"(total variation{f' over the {audit.TOP_TOKENS} most frequent tokens and the rest' if tokens else ''}; "
            f"chi-square p = {found.label_p:.2g}): {what} {'are' if moved == -1 and tokens else 'is'} "
            f"{_pct(found.train_shares[moved])} of training and {_pct(found.val_shares.get(moved, 0.0))} of validation.",
            evidence={"train_shares": found.train_shares, "val_shares": found.val_shares, "tvd": found.label_tvd,
                      "p_value": found.label_p},
            location="labels",
        )
    for name, stat, p in (("input", found.ks, found.ks_p_adjusted), ("target", found.target_ks, found.target_p_adjusted)):
        if stat is None or p is None:
            continue
        shifted = np.flatnonzero((p < SHIFT_ALPHA) & (stat >= SHIFT_KS_FLOOR))
        if not len(shifted):
            continue
        shifted = shifted[np.argsort(-stat[shifted])]
        unit = found.unit if name == "input" else "target column"
        worst = int(shifted[0])
        yield Finding(
            "D109", Severity.WARNING,
            f"{len(shifted)} of {len(stat)} {name} {unit}s are distributed differently in validation than in training "
            f"(Kolmogorov-Smirnov distance ≥ {SHIFT_KS_FLOOR:g}, Bonferroni p < {SHIFT_ALPHA:g}); worst: {unit} {worst} "
            f"with distance {stat[worst]:.2f} (p = {p[worst]:.2g}).",
            evidence={"kind": name, "unit": unit, "shifted": shifted[:50].tolist(),
                      "ks": {int(j): float(stat[j]) for j in shifted[:20]},
                      "p_adjusted": {int(j): float(p[j]) for j in shifted[:20]},
                      "n_train": found.n_train, "n_val": found.n_val},
            location=f"{unit}s {_listing(shifted.tolist())}",
        )


# -- batching ---------------------------------------------------------------------------
@check("D114", phase="data")
def batch_too_large(ctx: Context) -> Iterable[Finding]:
    info = ctx.setup.data_info("train")
    steps, n = info.steps_per_epoch, info.n_samples
    if not steps or not n or loop_sample(ctx):
        # a loop's own batches: a bounded part of an epoch says nothing of its steps, and a loop that feeds its
        # whole set every step chose full-batch steps by hand (e.g. L-BFGS's line search needs the exact loss)
        return
    batch = info.batch_size or int(np.ceil(n / steps))
    if batch <= 32 or steps >= 10:
        return
    severity = Severity.WARNING if steps <= 4 else Severity.INFO
    yield Finding(
        "D114", severity,
        f"{n} training samples in batches of {batch} give only {steps} optimizer step{'s' if steps != 1 else ''} per "
        "epoch; each epoch barely moves the weights and the gradient noise that helps generalisation is gone.",
        evidence={"samples": n, "batch_size": batch, "steps_per_epoch": steps},
        location="train loader",
    )
