"""D-family checks: the data audit's measurements (probes/data_audit.py, label_probe.py) handed to their verdicts.

Each check builds the small measurement its code's verdict reads and calls it; the decisions and
their thresholds live in ``verdicts/data.py``, ``verdicts/labels.py`` (D106, D110) and
``verdicts/splits.py`` (D107, D109).
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np
import torch
from torch import nn
from torch.utils.data import WeightedRandomSampler

from ..findings import Finding
from ..probes import data_audit as audit
from ..probes import data_duplicates as copies
from ..probes.init_outputs import init_outputs, loss_name
from ..probes.label_probe import SUSPECT_PROBABILITY, label_probe
from ..probes.layer_stats import first_weight_input, input_batchnorm, numeric_columns
from ..probes.trial import trial_probe
from ..setup import ShapeMismatch, primary_output
from ..verdicts.data import (
    BatchOrder,
    CategoricalColumns,
    EpochSteps,
    FeatureSpread,
    InputScale,
    LabelEncoding,
    LabelProbe,
    NonFiniteData,
    TargetScale,
    labels_unpredictable,
    non_finite_data,
    ordered_batches,
    probes_miss_targets,
    unnormalised_inputs,
)
from ..verdicts.data import bad_label_encoding as _bad_label_encoding
from ..verdicts.data import batch_too_large as _batch_too_large
from ..verdicts.data import categorical_as_numeric as _categorical_as_numeric
from ..verdicts.data import constant_feature as _constant_feature
from ..verdicts.data import mixed_feature_scales as _mixed_feature_scales
from ..verdicts.data import train_val_leakage as _train_val_leakage
from ..verdicts.data import unscaled_regression_targets as _unscaled_regression_targets
from ..verdicts.generalisation import ClassRecall
from ..verdicts.labels import (
    ClassShares,
    LabelNoise,
    TokenShares,
    disagreement_candidates,
    enough_labels,
    imbalance_severity,
    reverse_candidates,
    split_labels_shifted,
    wrong_labels,
)
from ..verdicts.labels import class_imbalance as _class_imbalance
from ..verdicts.splits import SplitShift, inputs_moved
from ..verdicts.splits import duplicate_samples as _duplicate_samples
from ..verdicts.splits import train_val_shift as _train_val_shift
from .base import Context, check

CLASSIFICATION = audit.CLASSIFICATION


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
    fed = _numeric_columns(ctx)
    if fed is not None and sample is not None and sample.x is not None:
        return (audit.feature_stats(sample.x[:, fed]),
                f"{sample.scope}, the {int(fed.sum())} of {len(fed)} columns the first Linear receives as numbers")
    return audit.train_feature_stats(ctx), sample.scope if sample else ""


def _numeric_columns(ctx: Context) -> np.ndarray | None:
    """Which columns of a tabular training sample reach the first Linear as numbers (None: all, or not a table)."""
    sample = audit.sample_of(ctx, "train")
    if sample is None or sample.x is None or sample.x.ndim != 2:
        return None
    fed = ctx.probe("numeric_columns", numeric_columns)
    return fed if fed is not None and len(fed) == sample.x.shape[1] else None


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


def _per_channel(stats: audit.FeatureStats) -> bool:
    """Units that are the channels of images or channels-first signals: each standardised over samples and positions."""
    return stats.unit == "channel" and stats.layout in ("image", "sequence") and len(stats.std) > 1


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
    """Constant features, and features NaN/Inf throughout (verdict: ``verdicts.data.constant_feature``)."""
    stats = audit.train_feature_stats(ctx)
    if not (_per_feature(stats) or _per_channel(stats)):
        return
    sample = audit.sample_of(ctx, "train")
    finite, scope = stats.finite_share, sample.scope if sample else "the sample"
    inside = _finite_inside(ctx, len(stats.std), channels=stats.unit == "channel")
    loader_finite = finite if finite is not None else np.ones(len(stats.std))
    if inside is not None and ((inside[0] == 0) & (loader_finite > 0)).any():
        # the model standardises its input itself ((x - mean) / std with stored statistics): a constant column
        # reaches the weights as NaN although the loader's values are finite
        finite, scope = inside[0], f"{inside[1]} sample rows, as the first weight layer receives them"
    yield from _constant_feature(FeatureSpread(mean=stats.mean, std=stats.std, finite_share=finite, scope=scope,
                                               unit=stats.unit))


def _finite_inside(ctx: Context, features: int, channels: bool = False) -> tuple[np.ndarray, int] | None:
    """Per feature (or channel: axis 1 of an image or a channels-first signal), the share of finite values the first
    weight layer receives, and over how many rows (None: it receives the loader's columns unchanged)."""
    seen = ctx.probe("first_weight_input", first_weight_input)
    if seen is None or seen.ndim < 2 or seen.shape[1] != features or (seen.ndim != 2 and not channels):
        return None
    return np.isfinite(np.moveaxis(seen, 1, -1).reshape(-1, features)).mean(axis=0), len(seen)


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
    # a reconstruction's targets are the inputs: one quantity in the inputs' units, its offsets by position the signal's
    # shape, so it is read as a whole (as watch reads every loss's targets)
    reconstruction = sample.x is not None and sample.x.shape == sample.y.shape and np.array_equal(sample.x, sample.y)
    mean, std = audit.target_stats(sample.y.reshape(-1, 1) if reconstruction else sample.y)
    loss = loss_name(ctx.setup.loss) if ctx.setup.loss is not None else ""
    start = None if reconstruction else _output_start(ctx, len(np.atleast_1d(mean)))
    yield from _unscaled_regression_targets(TargetScale(mean=mean, std=std, losses=(loss,) if loss else (), scope=sample.scope,
                                                        start_mean=start))


def _output_start(ctx: Context, columns: int) -> np.ndarray | None:
    """The model's average output per target column at init (the shared init-outputs probe), or None."""
    try:
        outputs = ctx.probe("init_outputs", init_outputs).outputs
    except Exception:  # the model cannot run on the batches: other checks report it
        return None
    if outputs is None or outputs.dim() == 0 or not bool(torch.isfinite(outputs).all()):
        return None
    per_column = outputs.float().reshape(outputs.shape[0], -1).mean(0)
    return per_column.numpy() if per_column.numel() == columns else (per_column.mean().reshape(1).numpy() if columns == 1 else None)


# -- labels -----------------------------------------------------------------------------
def imbalance_handling(ctx: Context, weighted: tuple[float, str] | None) -> str | None:
    """How the setup already counters class imbalance on purpose: loss class weights that weigh the rarest class
    above the largest (``weighted``, from :func:`loss_class_weighting`), a weighted sampler, or an output bias at the prior."""
    if weighted is not None:
        return weighted[1] if weighted[0] > 1 else None
    sampler = getattr(ctx.setup.train_loader, "sampler", None)
    if isinstance(sampler, WeightedRandomSampler):
        return "a WeightedRandomSampler"
    return _bias_at_prior(ctx)


def loss_class_weighting(loss: object, shares: ClassShares) -> tuple[float, str] | None:
    """How many times the loss weighs a sample of the rarest class against one of the largest, and in words
    where (``weight`` per class; a binary loss's ``pos_weight``); None when the loss weighs classes alike.

    Above 1 the weights counter the imbalance; below 1 (weights set to the class shares instead of
    their inverse) they deepen it.
    """
    classes, counts = np.asarray(shares.classes), np.asarray(shares.counts)
    rarest, largest = int(classes[np.argmin(counts)]), int(classes[np.argmax(counts)])
    weight, positive = getattr(loss, "weight", None), getattr(loss, "pos_weight", None)
    if isinstance(weight, torch.Tensor) and weight.dim() == 1 and weight.numel() > max(rarest, largest, 0) and rarest >= 0:
        values = weight.detach().double().cpu()
        if float(values[largest]) > 0:
            return float(values[rarest] / values[largest]), f"class weights in {type(loss).__name__}"
    if isinstance(positive, torch.Tensor) and positive.numel() == 1 and {rarest, largest} == {0, 1} and float(positive) > 0:
        return (float(positive) if rarest == 1 else 1 / float(positive)), f"pos_weight in {type(loss).__name__}"
    return None


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


@check("D106", phase="data")
def class_imbalance(ctx: Context) -> Iterable[Finding]:
    """Class (or token) shares of the training labels (verdict: ``verdicts.labels.class_imbalance``).

    Sequence targets are counted per token, positions at the loss's ignore_index dropped. For
    classes, what the verdict reads besides the counts is measured only when it reads it: whether
    the labels are a loop's first batches in class order, then how the setup compensates, then
    (when checkup trains its trial anyway) how the trained copy recalls each class.
    """
    labels, scope = audit.all_labels(ctx, "train")
    if labels is None:
        return
    if ctx.setup.task == "sequence" or ctx.setup.next_token:
        kept = labels[labels != ctx.setup.ignore_index]
        tokens, counts = np.unique(kept, return_counts=True)
        masked = max(audit.target_positions(ctx, "train") - kept.size, 0)
        yield from _class_imbalance(TokenShares(tokens=tokens, counts=counts, scope=scope,
                                                ignore_index=ctx.setup.ignore_index, masked=masked))
        return
    classes, counts = np.unique(labels, return_counts=True)
    shares = ClassShares(classes=classes, counts=counts, scope=scope, per_position=audit.labels_per_position(ctx, "train"))
    if enough_labels(shares):
        shares.loop_in_class_order = bool(loop_sample(ctx)) and (len(classes) == 1 or batches_ordered(ctx))
        if imbalance_severity(shares) is not None:
            weighted = loss_class_weighting(ctx.setup.loss, shares)
            shares.handled_by = imbalance_handling(ctx, weighted)
            shares.deepened_by = weighted if weighted is not None and weighted[0] < 1 else None
            observed = getattr(ctx.setup, "observed_counts", None)
            if not shares.handled_by and observed:  # run: how the script's own last evaluation recalled each class
                recalled = ClassRecall.from_counts(observed, "the run's last evaluation")
                shares.trial_recall, shares.trial_support = dict(recalled.recall), dict(recalled.support)
            elif not shares.handled_by and "G603" in ctx.wanted:  # the trial checkup trains anyway: how it recalls each class
                trial = ctx.probe("trial", trial_probe)
                if trial.recall and trial.support:
                    shares.trial_recall = {int(k): float(v) for k, v in trial.recall.items()}
                    shares.trial_support = {int(k): int(v) for k, v in trial.support.items()}
    yield from _class_imbalance(shares)


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
    if isinstance(setup.label_problem, ShapeMismatch):  # the targets' shape, seen when the loss first ran
        mismatch = setup.label_problem
        yield from _bad_label_encoding(LabelEncoding(
            loss=mismatch.loss, reads="elementwise", kind="shape", width=None, minimum=math.nan, maximum=math.nan,
            evidence={"output_shape": list(mismatch.output_shape), "target_shape": list(mismatch.target_shape),
                      "broadcast_shape": list(mismatch.broadcast_shape)}))
        return
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
            evidence={"out_of_range": bad[:20].tolist()}, per_position=audit.per_position_labels(y),
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


def model_beats_majority(counts: dict[str, list[int]] | None) -> float:
    """One-sided binomial p that the run's own last evaluation (per-class support and correct counts) beat always
    guessing its majority class; 1.0 when the run evaluated no labelled classes, or counted a training loader's
    batches in that pass (memorised labels are recalled whether or not the inputs predict them)."""
    if not counts or not counts.get("support") or not counts.get("held_out", True):
        return 1.0
    support, correct = np.asarray(counts["support"]), np.asarray(counts["correct"])
    total = int(support.sum())
    if total <= 0:
        return 1.0
    from scipy.stats import binomtest

    return float(binomtest(int(correct.sum()), total, float(support.max()) / total, alternative="greater").pvalue)


def model_beats_constant(terms: dict[str, float] | None) -> float:
    """One-sided p that the run's own last evaluation scored its rows below the entropy of their labels' shares, the
    least any prediction that ignores the inputs scores on them in expectation (a z-test on the per-row log-loss);
    for regression targets, below the squared error of their own mean (a paired z-test: ``variance`` is that of
    the per-row difference). 1.0 when the run evaluated no held-out labels or targets."""
    if not terms or terms.get("rows", 0) < 2:
        return 1.0
    from scipy.stats import norm

    error = math.sqrt(max(terms["variance"], 1e-12) / terms["rows"])
    constant = terms["label_entropy"] if "label_entropy" in terms else terms["constant"]
    return float(norm.cdf((terms["mean"] - constant) / error))


@check("D110", "D111", phase="data")
def label_predictability(ctx: Context) -> Iterable[Finding]:
    """Labels the inputs do not predict (D111), else training labels that contradict them (D110).

    Verdicts: ``verdicts.data.labels_unpredictable`` and ``verdicts.labels.wrong_labels``. The
    label shift and validation copies the D110 verdict reads (D109's and D108's probes) are measured
    only when the validation comparison needs them.
    """
    if ctx.setup.task not in CLASSIFICATION + ("regression",):
        return
    probe = label_probe(ctx)
    if probe is None:
        return
    terms = getattr(ctx.setup, "observed_terms", None)  # run: how the script's own last evaluation scored
    if terms is None and probe.task == "regression" and probes_miss_targets(probe.best) \
            and ctx.setup.val_loader is not None and ctx.setup.val_labelled:
        terms = ctx.probe("trial", trial_probe).heldout_terms  # the trial's trained copy on the validation split
    unpredictable = list(labels_unpredictable(LabelProbe(
        task=probe.task, best=probe.best, best_probe=probe.best_probe + (" on the Fourier modulus" if probe.view == "spectrum" else ""), n=probe.n, scores=probe.scores,
        chance=getattr(probe, "chance", 0.0), p_value=getattr(probe, "p_value", 1.0),
        upper_bound=getattr(probe, "upper_bound", 1.0), rank_p_value=getattr(probe, "rank_p_value", 1.0),
        model_p_value=model_beats_majority(getattr(ctx.setup, "observed_counts", None)),
        model_loss_p_value=model_beats_constant(terms))))
    yield from unpredictable
    if probe.task == "regression" or unpredictable:
        return
    noise = LabelNoise(
        n=probe.n, scores=probe.scores, chance=probe.chance, suspect_probability=SUSPECT_PROBABILITY, p_value=probe.p_value,
        suspect_rows=probe.suspect_rows, suspect_count=probe.suspect_count, expected_suspects=probe.expected_suspects,
        suspect_p_value=probe.suspect_p_value, noise_floor=probe.noise_floor, noise_floor_p=probe.noise_floor_p,
        val_noise_floor=probe.val_noise_floor, val_noise_floor_p=probe.val_noise_floor_p,
        val_n=probe.val_n, val_scores=probe.val_scores, val_p_values=probe.val_p_values, bag_of_tokens=probe.bag_of_tokens,
        label_shift_p=probe.label_shift_p, label_shift_tvd=probe.label_shift_tvd,
        inputs_follow_train_log_lr=probe.inputs_follow_train_log_lr, inputs_follow_train_fit_p=probe.inputs_follow_train_fit_p,
        next_token=ctx.setup.next_token, classes=probe.classes, reverse_val_scores=probe.reverse_val_scores,
        reverse_train_scores=probe.reverse_train_scores, reverse_p_values=probe.reverse_p_values,
        reverse_suspect_rows=probe.reverse_suspect_rows, forest_floor=probe.forest_floor,
        forest_floor_p=probe.forest_floor_p,
    )
    if disagreement_candidates(noise) or reverse_candidates(noise):
        noise.augmented_inputs = audit.augmented_inputs(ctx)
        found = audit.shift(ctx)
        noise.split_label_p = found.label_p if found is not None else None
        noise.inputs_shifted = inputs_moved(found.ks, found.ks_p_adjusted) if found is not None else None
        if not split_labels_shifted(noise):
            leaked = copies.overlap(ctx)
            noise.val_copied_share = leaked.share if leaked is not None else None
    yield from wrong_labels(noise)


@check("D112", phase="data")
def categorical_as_numeric(ctx: Context) -> Iterable[Finding]:
    """Category codes, one-hot blocks and binary flags fed as magnitudes (verdict: ``verdicts.data.categorical_as_numeric``)."""
    found = _tabular(ctx)
    if found is None:
        return
    stats, x = found
    sample = audit.sample_of(ctx, "train")
    targets = audit.target_matrix(sample.y if sample is not None else None, ctx.setup.task)
    fed = _numeric_columns(ctx)  # columns the model embeds are no magnitudes, whatever their levels
    codes = [j for j in audit.code_columns(x, stats) if fed is None or fed[j]]
    orders = [o for o in (audit.code_order(j, x[:, j], targets) for j in codes) if o is not None] if targets is not None else []
    tested = {o.column for o in orders}
    binaries = [j for j in audit.standardised_binary_columns(stats) if fed is None or fed[j]]
    yield from _categorical_as_numeric(CategoricalColumns(
        orders=orders, untested=[j for j in codes if j not in tested], blocks=audit.one_hot_blocks(x, binaries),
        single=binaries, two_values=stats.two_values, scope=sample.scope if sample is not None else "",
    ))


# -- duplicates, leakage and shift ----------------------------------------------------------
@check("D107", phase="data")
def duplicate_samples(ctx: Context) -> Iterable[Finding]:
    """Exact and near copies within the training split (verdict: ``verdicts.splits.duplicate_samples``).

    The first batches a loop fed its model are not the dataset: rows repeat across the steps of a
    full-batch optimizer or an epoch boundary, and augmentation in the loop (mixup) makes near
    copies of them. A duplicate share needs the dataset itself, so a loop sample is not measured.
    """
    if loop_sample(ctx):
        return
    found = copies.duplicates(ctx)
    if found is None:
        return
    yield from _duplicate_samples(found)


@check("D108", phase="data")
def train_val_leakage(ctx: Context) -> Iterable[Finding]:
    """Validation rows copied from training, by row hashes and nearest neighbours (verdict: ``verdicts.data.train_val_leakage``)."""
    found = copies.overlap(ctx)
    if found is not None:
        yield from _train_val_leakage(found)


@check("D109", phase="data")
def train_val_shift(ctx: Context) -> Iterable[Finding]:
    """Label shares and input / target distributions of the two splits (verdict: ``verdicts.splits.train_val_shift``)."""
    found = audit.shift(ctx)
    if found is None:
        return
    yield from _train_val_shift(SplitShift(
        train_shares=found.train_shares, val_shares=found.val_shares, label_p=found.label_p, label_tvd=found.label_tvd,
        unit=found.unit, ks=found.ks, ks_p_adjusted=found.ks_p_adjusted, target_ks=found.target_ks,
        target_p_adjusted=found.target_p_adjusted, target_moments=found.target_moments,
        n_train=found.n_train, n_val=found.n_val,
        tokens=ctx.setup.task == "sequence", top_tokens=audit.TOP_TOKENS,
        loop_in_order=bool(loop_sample(ctx)) and batches_ordered(ctx), windows=found.windows,
    ))


# -- batching ---------------------------------------------------------------------------
@check("D114", phase="data")
def batch_too_large(ctx: Context) -> Iterable[Finding]:
    """Optimizer steps per epoch of the training loader (verdict: ``verdicts.data.batch_too_large``)."""
    info = ctx.setup.data_info("train")
    yield from _batch_too_large(EpochSteps(
        samples=info.n_samples, steps_per_epoch=info.steps_per_epoch, batch_size=info.batch_size, loop_sample=loop_sample(ctx)))
