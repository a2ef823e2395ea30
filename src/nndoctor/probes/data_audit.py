"""Data audit: measurements on a bounded random sample of each split.

Everything here measures and returns numbers; the verdicts live in ``verdicts/data.py`` and ``checks/data.py``.
Samples are drawn with a local generator (the global RNGs stay untouched), at most
``MAX_ROWS`` rows and ``MAX_ELEMENTS`` input values, so a million-row dataset audits in
seconds. Cheap whole-split scans (non-finite values, label counts; exact duplicates in
``data_duplicates``) run on in-memory ``TensorDataset`` splits within ``FULL_SCAN_ELEMENTS``.
A stream (``IterableDataset``) is read in its own order, a bounded number of rows from its
start. Dict inputs (Hugging Face batches) are audited through their first tensor (``input_ids``).
Sequence targets (one class id per position) are counted per token.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, TensorDataset

from ..checks.base import check_deadline
from ..setup import Inputs, Setup, input_padding, padded_to_one_width, primary_input
from ..verdicts.data import CodeOrder

MAX_ROWS = 4000
MAX_ELEMENTS = 8_000_000
# sliding windows: pairs of sampled rows that follow each other in the dataset, read at most / needed at least
MAX_WINDOW_PAIRS = 256
MIN_WINDOW_PAIRS = 8
FULL_SCAN_ELEMENTS = 50_000_000
# D112: a code column needs this many rows per level for its per-level means to be tested;
# a column with more than FEW_LEVELS values off any lattice is continuous.
ROWS_PER_LEVEL = 5
FEW_LEVELS = 20
MAX_LATTICE_STEPS = 1000  # a discrete scale (pixel levels, counts) has at most this many steps between its extremes
# D112: codes of up to five digits (postal, metro-area, industry codes) sit on the integers with gaps: at most this
# many steps between the extremes, and at most SPARSE_CODE_LEVELS of them in use.
MAX_CODE_STEPS = 100_000
NEAR_STEPS = 100  # values this many smallest gaps from the first fix the lattice's step before the far ones are placed
SPARSE_CODE_LEVELS = 64
CLASSIFICATION = ("binary", "multiclass")
LABELLED = CLASSIFICATION + ("sequence",)  # tasks whose targets are class ids that can be counted
TOP_TOKENS = 20  # sequence targets: label shares compare the most frequent tokens, the rest pooled


# -- sampling ---------------------------------------------------------------------------
@dataclass
class SplitSample:
    """A random sample of one split: inputs, targets and the dataset rows they came from."""

    split: str
    x: np.ndarray | None
    y: np.ndarray | None
    rows: np.ndarray
    n_total: int | None
    x_integer: bool = False
    note: str = ""
    # the model takes several inputs (:class:`~nndoctor.setup.Inputs`) and ``x`` holds only the primary one:
    # what the inputs predict (label probe) cannot be judged from it
    partial_inputs: bool = False
    # with several inputs: every input of a row side by side (float64), the row's identity for copies (D107/D108)
    whole: np.ndarray | None = None

    @property
    def identity(self) -> np.ndarray | None:
        """What makes a row the same row: all of its inputs (``whole``), else ``x``."""
        return self.whole if self.whole is not None else self.x

    @property
    def n(self) -> int:
        return len(self.rows)

    @property
    def scope(self) -> str:
        if self.n_total is not None and self.n >= self.n_total:
            return f"all {self.n} rows"
        if self.note.startswith("first batches"):
            return f"the first {self.n} rows in loader order"
        total = f" of {self.n_total}" if self.n_total is not None else ""
        return f"a random sample of {self.n}{total} rows"


def loader_of(setup: Setup, split: str) -> DataLoader | None:
    return setup.train_loader if split == "train" else setup.val_loader


def tensor_pair(setup: Setup, split: str) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The whole split as (inputs, targets) tensors when it is an in-memory TensorDataset."""
    loader = loader_of(setup, split)
    dataset = getattr(loader, "dataset", None)
    if isinstance(dataset, TensorDataset) and len(dataset.tensors) == 2:
        return dataset.tensors[0], dataset.tensors[1]
    return None


def _first_tensor(x: Any) -> torch.Tensor | None:
    """The tensor that stands for batch inputs: itself, the primary one of :class:`Inputs`, the first of a tuple,
    ``input_ids`` or the first of a dict."""
    x = primary_input(x)
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, dict):
        if isinstance(x.get("input_ids"), torch.Tensor):
            return x["input_ids"]
        x = list(x.values())
    if isinstance(x, (list, tuple)):
        for item in x:
            found = _first_tensor(item)
            if found is not None:
                return found
    return None


def _to_numpy(t: Any) -> np.ndarray | None:
    t = _first_tensor(t) if not isinstance(t, np.ndarray) else t
    if t is None:
        return None
    if isinstance(t, np.ndarray):
        return t
    t = t.detach().cpu()
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    if t.is_floating_point() and t.dtype != torch.float64:
        t = t.float()
    return t.numpy()


def draw_sample(
    setup: Setup, split: str, max_rows: int = MAX_ROWS, seed: int = 0, deadline: float | None = None
) -> SplitSample | None:
    """Up to ``max_rows`` random rows of a split (fewer for large inputs), seeded.

    The sample size depends on counts only (rows, elements), never on reading speed, so
    the same data gives the same sample on any machine. ``deadline`` is the wall-clock
    safety net: past it reading raises :class:`~nndoctor.checks.base.Inconclusive`.
    """
    loader = loader_of(setup, split)
    if loader is None:
        return None
    dataset = loader.dataset
    try:
        n_total: int | None = len(dataset)  # type: ignore[arg-type]
    except TypeError:
        n_total = None
    if split == "val" and not getattr(setup, "val_labelled", True):  # Setup(val=(X, None)): inputs, no labels
        inputs = dataset.tensors[0] if isinstance(dataset, TensorDataset) and len(dataset.tensors) == 1 else None
        if inputs is None or not len(inputs):
            return None
        per_row = max(1, inputs[0].numel())
        rows = _choose_rows(len(inputs), min(max_rows, max(200, MAX_ELEMENTS // per_row)), seed)
        return _sample(split, inputs[torch.from_numpy(rows)], None, rows, n_total)
    pair = tensor_pair(setup, split)
    if pair is not None:
        per_row = max(1, pair[0][0].numel()) if len(pair[0]) else 1
        rows = _choose_rows(len(pair[0]), min(max_rows, max(200, MAX_ELEMENTS // per_row)), seed)
        index = torch.from_numpy(rows)
        return _sample(split, pair[0][index], pair[1][index], rows, n_total)
    if n_total is not None and loader.batch_size is not None and not isinstance(dataset, IterableDataset):
        return _sample_dataset(setup, loader, split, n_total, max_rows, seed, deadline)
    return _sample_loader(setup, split, n_total, max_rows, deadline)


def _choose_rows(n: int, k: int, seed: int) -> np.ndarray:
    """``min(n, k)`` distinct rows in random order, so any prefix is itself a random sample."""
    rng = np.random.default_rng(seed)
    return rng.permutation(n) if n <= k else rng.choice(n, size=k, replace=False)


def _sample(split: str, x: Any, y: Any, rows: np.ndarray, n_total: int | None, note: str = "") -> SplitSample:
    xt = _first_tensor(x)
    x_integer = xt is not None and not xt.is_floating_point() and not xt.is_complex()
    return SplitSample(split, _to_numpy(x), _to_numpy(y), rows, n_total, x_integer, note, _partial(x), _whole_rows(x))


def _whole_rows(x: Any) -> np.ndarray | None:
    """All tensors of several inputs, each row's values side by side (None for one input, or ragged ones)."""
    if not _partial(x):
        return None
    tensors = [t for t in x if isinstance(t, torch.Tensor) and t.dim() >= 1]
    if len({int(t.shape[0]) for t in tensors}) != 1:
        return None
    return np.concatenate([t.detach().cpu().reshape(len(t), -1).to(torch.float64).numpy() for t in tensors], axis=1)


def row_identity(x: Any) -> np.ndarray | None:
    """A batch's rows as the copy tests (D107/D108) compare them: every input side by side when the model
    takes several, else the input that stands for the batch (:func:`_first_tensor`, e.g. ``input_ids``)."""
    whole = _whole_rows(x)
    return whole if whole is not None else _to_numpy(x)


def _partial(x: Any) -> bool:
    """Whether batch inputs are several tensors of which the audit sample keeps one (:func:`primary_input`)."""
    return isinstance(x, Inputs) and sum(isinstance(t, torch.Tensor) for t in x) > 1


def _sample_dataset(
    setup: Setup, loader: DataLoader, split: str, n_total: int, max_rows: int, seed: int, deadline: float | None = None
) -> SplitSample:
    rows = _choose_rows(n_total, max_rows, seed)
    xs, ys, wholes, read = [], [], [], 0
    limit = len(rows)
    for start in range(0, len(rows), 256):
        check_deadline(deadline, f"reading the {split} sample")
        chunk = rows[start:min(start + 256, limit)]
        if len(chunk) == 0:
            break
        x, y = setup.split_batch(loader.collate_fn([loader.dataset[int(i)] for i in chunk]))
        xs.append(_to_numpy(x))
        ys.append(_to_numpy(y))
        wholes.append(_whole_rows(x))
        read += len(chunk)
        if start == 0 and xs[0] is not None:
            per_row = max(1, int(np.prod(xs[0].shape[1:])))
            limit = min(limit, max(200, MAX_ELEMENTS // per_row))
        if read >= limit:
            break
    xt = _first_tensor(x)
    x_integer = xt is not None and not xt.is_floating_point()
    note = "" if read == len(rows) else f"reading stopped after {read} rows"
    xs_joined = _concat(xs, input_padding(setup.model))
    return SplitSample(split, xs_joined, _concat(ys), rows[:read], n_total, x_integer, note, _partial(x),
                       _concat_all(wholes))


def _sample_loader(setup: Setup, split: str, n_total: int | None, max_rows: int, deadline: float | None = None) -> SplitSample:
    xs, ys, wholes, read, x_integer, partial = [], [], [], 0, False, False
    for x, y in setup.batches(split):
        check_deadline(deadline, f"reading the {split} sample")
        xt = _first_tensor(x)
        x_integer = xt is not None and not xt.is_floating_point()
        partial = _partial(x)
        xs.append(_to_numpy(x))
        ys.append(_to_numpy(y))
        wholes.append(_whole_rows(x))
        read += len(ys[-1]) if ys[-1] is not None else 0
        if read >= max_rows:
            break
    return SplitSample(split, _concat(xs, input_padding(setup.model)), _concat(ys), np.arange(read), n_total, x_integer,
                       "first batches of the loader (rows are positions in loader order)", partial,
                       _concat_all(wholes))


def _concat_all(parts: list[np.ndarray | None]) -> np.ndarray | None:
    """``parts`` concatenated when every one is there (the whole rows of every batch), else None."""
    return _concat(parts) if parts and all(p is not None for p in parts) else None


def _concat(parts: list[np.ndarray | None], padding: int | None = None) -> np.ndarray | None:
    """The parts joined along rows; token rows padded per batch with the model's ``padding`` padded on to one width."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    try:
        return np.concatenate(padded_to_one_width(parts, padding), axis=0)
    except ValueError:  # ragged inputs (variable-length sequences): not audited per feature
        return None


def sample_of(ctx: Any, split: str) -> SplitSample | None:
    """The cached audit sample of a split."""
    return ctx.probe(f"data_audit.sample.{split}", lambda c: draw_sample(c.setup, split, seed=c.setup.seed, deadline=c.deadline))


# -- per-feature statistics ---------------------------------------------------------------
@dataclass
class FeatureStats:
    """Scale statistics per feature (tabular) or per channel (images) of the training sample."""

    layout: str  # tabular | image | sequence | none
    unit: str  # feature | channel
    n_rows: int
    mean: np.ndarray
    std: np.ndarray
    max_abs: np.ndarray
    overall_mean: float
    overall_std: float
    overall_max_abs: float
    distinct: np.ndarray | None = None  # tabular: distinct values per feature (capped at 64)
    integer_valued: np.ndarray | None = None
    two_values: dict[int, tuple[float, float]] = field(default_factory=dict)
    finite_share: np.ndarray | None = None  # tabular: share of rows with a finite value per feature
    range: np.ndarray | None = None  # tabular: max - min of the finite values per feature
    reason: str = ""

    @property
    def rms(self) -> np.ndarray:
        return np.sqrt(self.mean**2 + self.std**2)


def _finite_float(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64, copy=True)
    x[~np.isfinite(x)] = np.nan
    return x


def features_last(x: np.ndarray) -> bool:
    """Sequences laid out (batch, time, feature): each position carries the same features, so they are per-feature units."""
    return layout_of(x) == "sequence" and x.shape[1] > 16 and x.shape[-1] <= 512


def layout_of(x: np.ndarray) -> str:
    if x.ndim == 2:
        return "tabular"
    if x.ndim == 4:
        return "image"
    if x.ndim == 3:
        return "sequence"
    return "none"


def feature_stats(x: np.ndarray | None, integer_inputs: bool = False) -> FeatureStats:
    """Mean, std and max|x| per feature/channel, plus distinct-value structure for tabular inputs."""
    empty = np.zeros(0)
    if x is None or x.ndim < 2 or len(x) == 0:
        return FeatureStats("none", "feature", 0, empty, empty, empty, 0.0, 0.0, 0.0, reason="inputs are not a batched tensor")
    if integer_inputs:
        return FeatureStats("none", "feature", len(x), empty, empty, empty, 0.0, 0.0, 0.0,
                            reason="inputs are integers (indices for an embedding), not magnitudes")
    layout = layout_of(x)
    values = _finite_float(x)
    if layout == "tabular":
        units, unit = values, "feature"
    elif layout == "image" or (layout == "sequence" and x.shape[1] <= 16):
        units, unit = np.moveaxis(values, 1, -1).reshape(-1, x.shape[1]), "channel"
    elif features_last(x):
        units, unit = values.reshape(-1, x.shape[-1]), "feature"
    else:
        units, unit = values.reshape(-1, 1), "channel"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nan_to_num(np.nanmean(units, axis=0))
        std = np.nan_to_num(np.nanstd(units, axis=0))
        max_abs = np.nan_to_num(np.nanmax(np.abs(units), axis=0))
        stats = FeatureStats(
            layout, unit, len(x), mean, std, max_abs,
            float(np.nan_to_num(np.nanmean(values))), float(np.nan_to_num(np.nanstd(values))),
            float(np.nan_to_num(np.nanmax(np.abs(values)))),
        )
    if layout == "tabular" or unit == "feature":
        _value_structure(stats, units)
    return stats


def _value_structure(stats: FeatureStats, values: np.ndarray) -> None:
    stats.finite_share = np.mean(~np.isnan(values), axis=0) if len(values) else np.zeros(values.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        stats.range = np.nan_to_num(np.nanmax(values, axis=0) - np.nanmin(values, axis=0))
    distinct, integer, two = [], [], {}
    for j in range(values.shape[1]):
        column = values[:, j]
        column = column[~np.isnan(column)]
        uniques = np.unique(column)
        distinct.append(min(len(uniques), 64))
        integer.append(bool(len(uniques)) and bool(np.all(uniques == np.round(uniques))))
        if len(uniques) == 2:
            two[j] = (float(uniques[0]), float(uniques[1]))
    stats.distinct = np.array(distinct)
    stats.integer_valued = np.array(integer)
    stats.two_values = two


def _lattice_steps(uniques: np.ndarray, tolerance: float = 1e-3,
                   max_steps: int = MAX_LATTICE_STEPS) -> np.ndarray | None:
    """Positions of sorted distinct values on the lattice spanned by their smallest gap, else None.

    The step is refined by least squares, first over the values within ``NEAR_STEPS`` of the
    first (where the smallest gap's own rounding cannot slip a position), then over all: float32
    codes standardised to a step of 0.0017 carry a relative error of 1e-4 in any one gap, which
    two thousand steps away is a fifth of a step.
    """
    gaps = np.diff(uniques)
    if not len(gaps) or not gaps.min() > 0:
        return None
    offsets = (uniques - uniques[0]).astype(np.float64)
    step = float(gaps.min())
    for reach in (NEAR_STEPS, math.inf):
        near = offsets <= reach * step
        positions = np.round(offsets[near] / step)
        if np.any(positions):
            step = float(np.sum(positions * offsets[near]) / np.sum(positions * positions))
    steps = offsets / step
    if steps[-1] > max_steps or np.any(np.abs(steps - np.round(steps)) > tolerance):
        return None
    return np.round(steps)


def on_grid(uniques: np.ndarray) -> bool:
    """Sorted distinct values evenly spaced with none missing: an affine image of 0, 1, ..., k-1."""
    steps = _lattice_steps(uniques)
    return len(uniques) >= 3 and steps is not None and steps[-1] == len(uniques) - 1


def sparse_codes(uniques: np.ndarray) -> bool:
    """A few sorted distinct values on the integers with gaps, up to five digits apart: an affine image of codes such
    as metro-area or postal codes (12060, 35620, ...), raw or standardised.

    The lattice must span more steps than a discrete scale has (``MAX_LATTICE_STEPS``): an identifier space is mostly
    empty, while a measurement rounded to its resolution (a lab value to 0.01) fills its range.
    """
    if not 3 <= len(uniques) <= SPARSE_CODE_LEVELS:
        return False
    steps = _lattice_steps(uniques, max_steps=MAX_CODE_STEPS)
    return steps is not None and steps[-1] > MAX_LATTICE_STEPS


def code_columns(x: np.ndarray, stats: FeatureStats, few_levels: int = FEW_LEVELS, max_levels: int | None = None) -> list[int]:
    """Columns of evenly spaced levels (3 or more, with ``ROWS_PER_LEVEL`` rows each), or of a few sparse codes
    (:func:`sparse_codes`), among continuous columns: category codes, or counts and ratings (the code-order test
    tells them apart).

    Consecutive integers stay evenly spaced after any scaling or standardisation, so codes are
    recognised whether fed raw (0..11), divided (k/19) or standardised; sparse codes stay on a lattice. Store or
    product ids run to dozens of levels, so the count of levels is bounded only by the rows the order test
    needs per level. A continuous column has more than ``few_levels`` values off any lattice;
    data without one (pixel intensities, all on a lattice of levels) has no codes among
    continuous features. ``max_levels`` bounds the levels for a caller that must not take a
    magnitude for a code untested (the label probe one-hot encodes what it gets).
    """
    if stats.distinct is None or len(x) == 0:
        return []
    grids, continuous = [], False
    for j in range(x.shape[1]):
        if stats.distinct[j] <= 2:
            continue
        column = x[:, j]
        uniques = np.unique(column[np.isfinite(column)])
        if 3 <= len(uniques) <= (max_levels or len(uniques)) and len(column) >= ROWS_PER_LEVEL * len(uniques) \
                and (on_grid(uniques) or sparse_codes(uniques)):
            grids.append(j)
        elif len(uniques) > few_levels and _lattice_steps(uniques) is None:
            continuous = True
    return grids if continuous else []


# -- code order: does the target follow the code's order? ------------------------------------
def target_matrix(y: np.ndarray | None, task: str) -> np.ndarray | None:
    """Targets as float columns (rows x columns): regression values, or class indicators (one dropped).

    Rows with a non-finite target are NaN throughout; None for targets that are not per-row
    (sequences) or not numbers.
    """
    if y is None or task not in ("regression",) + CLASSIFICATION or np.asarray(y).dtype.kind not in "fiub":
        return None
    y = np.asarray(y, dtype=np.float64)
    y = y.reshape(len(y), -1)
    if task == "regression":
        return y
    finite = np.isfinite(y).all(axis=1)
    labels = np.argmax(y, axis=1) if y.shape[1] > 1 else np.round(np.nan_to_num(y[:, 0]))
    classes = np.unique(labels[finite])
    if len(classes) < 2:
        return None
    indicators = (labels[:, None] == classes[None, 1:]).astype(np.float64)
    indicators[~finite] = np.nan
    return indicators


def _ordered_rss(levels: np.ndarray, means: np.ndarray, counts: np.ndarray) -> tuple[float, int]:
    """Weighted residual SS of the per-level means about the best fit that reads the value as a magnitude, and its df.

    Two such fits: isotonic (rising or falling; df = its number of distinct fitted levels) and
    a cubic in the value (df 4), which also follows a smooth rise and fall (a U-shaped age
    effect) that a network fed the number learns as easily. A category code's per-level means
    jump around and neither follows them.
    """
    from sklearn.isotonic import IsotonicRegression

    best = (np.inf, len(levels))
    for rising in (True, False):
        fitted = IsotonicRegression(increasing=rising).fit_transform(levels, means, sample_weight=counts)
        rss = float(np.sum(counts * (means - fitted) ** 2))
        if rss < best[0]:
            best = (rss, len(np.unique(np.round(fitted, 12))))
    if len(levels) > 4:
        scaled = (levels - levels.mean()) / levels.std()
        fitted = np.polyval(np.polyfit(scaled, means, 3, w=np.sqrt(counts)), scaled)
        rss = float(np.sum(counts * (means - fitted) ** 2))
        if rss < best[0]:
            best = (rss, 4)
    return best


def code_order(column: int, values: np.ndarray, targets: np.ndarray) -> CodeOrder | None:
    """The per-code-means vs monotone-fit test of one code column (see ``CodeOrder``); None without usable rows."""
    from scipy import stats as scipy_stats

    rows = np.isfinite(values) & np.isfinite(targets).all(axis=1)
    values, targets = values[rows], targets[rows]
    levels, index, counts = np.unique(values, return_inverse=True, return_counts=True)
    k, n = len(levels), len(values)
    if k < 3 or n <= k:
        return None
    total = within = monotone = 0.0
    extra_df = 0
    per_level = []
    for t in targets.T:
        means = np.bincount(index, weights=t, minlength=k) / counts
        per_level.append(means)
        total += float(np.sum((t - t.mean()) ** 2))
        within += float(np.sum((t - means[index]) ** 2))
        rss, df = _ordered_rss(levels, means, counts)  # extra residual of the magnitude fit over the per-code means
        monotone += rss
        extra_df += k - df
    columns = targets.shape[1]
    if total <= 0:
        return None
    between = total - within
    residual_df = columns * (n - k)
    if extra_df == 0 or within <= 0:
        f, p = 0.0, 1.0
    else:
        f = (monotone / extra_df) / (within / residual_df)
        p = float(scipy_stats.f.sf(f, extra_df, residual_df))
    return CodeOrder(column, k, n, between / total, max(between - monotone, 0.0) / total, float(f),
                     (extra_df, residual_df), p, neighbour_order_p(np.array(per_level)))


NEIGHBOUR_PERMUTATIONS = 999


def neighbour_order_p(means: np.ndarray) -> float:
    """Permutation p-value that neighbouring levels carry like targets: the share of random level orders (seeded,
    the global RNG untouched) whose squared differences between neighbours' means, summed over the target columns
    (``means``: columns x levels, in the value's order), are at most the value order's own."""
    k = means.shape[1]
    if k < 4:
        return 1.0
    observed = float(np.sum(np.diff(means, axis=1) ** 2))
    rng = np.random.default_rng(0)
    orders = np.argsort(rng.random((NEIGHBOUR_PERMUTATIONS, k)), axis=1)
    shuffled = means[:, orders]  # columns x permutations x levels
    simulated = np.sum(np.diff(shuffled, axis=2) ** 2, axis=(0, 2))
    return float((1 + np.sum(simulated <= observed)) / (NEIGHBOUR_PERMUTATIONS + 1))


def code_levels(x: np.ndarray, columns: list[int]) -> dict[int, np.ndarray]:
    """The one-hot levels of each category-code column: its distinct finite values in ``x`` (training rows)."""
    return {j: np.unique(x[:, j][np.isfinite(x[:, j])]) for j in columns}


def one_hot_tensor(x: torch.Tensor, levels: dict[int, np.ndarray]) -> torch.Tensor:
    """``x`` (..., features) with each code column ``j`` replaced by one 0/1 column per level in ``levels[j]``,
    appended after the other columns in their order.

    The one rule by which a code becomes columns, shared by the label probe (:func:`one_hot_codes`)
    and the one-hot remedy's batch transform: a value is hot at its nearest level when it lies within
    half the smallest spacing of the levels, so a code read back in another precision or dtype still
    finds its level; a value off every level (unseen, NaN, inf) gets no hot column, as with
    scikit-learn's ``OneHotEncoder(handle_unknown='ignore')``. On the rows the levels came from
    this is exact matching.
    """
    keep = [j for j in range(x.shape[-1]) if j not in levels]
    parts = [x[..., keep]]
    for j, values in levels.items():
        if not len(values):
            continue
        grid = torch.as_tensor(values, dtype=torch.float64, device=x.device)
        half = float(np.diff(values).min()) / 2 if len(values) > 1 else math.inf
        distance = (x[..., j : j + 1].double() - grid).abs()
        nearest = distance.argmin(dim=-1, keepdim=True)
        hot = torch.zeros_like(distance, dtype=x.dtype).scatter_(-1, nearest, 1)
        parts.append(hot * (distance.gather(-1, nearest) < half).to(x.dtype))
    return torch.cat(parts, dim=-1)


def one_hot_codes(x: np.ndarray, levels: dict[int, np.ndarray]) -> np.ndarray:
    """``x`` (rows x features) one-hot encoded by :func:`one_hot_tensor` (numpy in, numpy out)."""
    if not levels:
        return x
    return one_hot_tensor(torch.from_numpy(x if x.flags.writeable else x.copy()), levels).numpy()


def standardised_binary_columns(stats: FeatureStats) -> list[int]:
    """Two-valued columns whose values straddle zero: binary indicators that were centred/scaled."""
    return sorted(j for j, (low, high) in stats.two_values.items() if low < 0 < high and not (low == -1 and high == 1))


def one_hot_blocks(x: np.ndarray, columns: list[int]) -> list[list[int]]:
    """Runs of adjacent columns among ``columns`` whose 'high' indicators are mutually exclusive per row."""
    blocks, run = [], []
    for j in columns + [None]:  # type: ignore[list-item]
        if j is not None and run and j == run[-1] + 1:
            run.append(j)
            continue
        if len(run) >= 2:
            high = np.stack([x[:, k] == np.nanmax(x[:, k]) for k in run], axis=1).sum(axis=1)
            if np.all(high <= 1) and np.mean(high == 1) > 0.5:
                blocks.append(run)
        run = [j] if j is not None else []
    return blocks


def train_feature_stats(ctx: Any) -> FeatureStats:
    sample = sample_of(ctx, "train")
    return ctx.probe("data_audit.features", lambda c: feature_stats(sample.x if sample else None, bool(sample and sample.x_integer)))


def target_stats(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and std of real-valued targets (finite values only; 0 for a column with none)."""
    mean, std = _column_moments(_finite_float(y.reshape(len(y), -1)))
    return np.nan_to_num(mean), np.nan_to_num(std)


# -- non-finite values ---------------------------------------------------------------------
@dataclass
class NonFinite:
    """NaN/Inf counts in one split's inputs and targets."""

    split: str
    scope: str
    rows_checked: int
    input_nan: int = 0
    input_inf: int = 0
    target_nan: int = 0
    target_inf: int = 0
    rows_affected: int = 0
    first_row: int | None = None
    first_batch: int | None = None
    input_columns: np.ndarray | None = None  # tabular inputs (or sequence features): rows with a non-finite value per column

    @property
    def whole_columns(self) -> list[int] | None:
        """Tabular inputs: the columns holding non-finite values, when each is non-finite in every row checked."""
        if self.input_columns is None or self.target_nan or self.target_inf or not self.rows_checked:
            return None
        bad = np.flatnonzero(self.input_columns)
        if not len(bad) or not np.all(self.input_columns[bad] == self.rows_checked):
            return None
        return bad.tolist()

    @property
    def total(self) -> int:
        return self.input_nan + self.input_inf + self.target_nan + self.target_inf


def _count_non_finite(result: NonFinite, x: np.ndarray | None, y: np.ndarray | None, rows: np.ndarray) -> None:
    bad_rows = np.zeros(len(rows), dtype=bool)
    for arr, kind in ((x, "input"), (y, "target")):
        if arr is None or arr.dtype.kind not in "fc":
            continue
        flat = arr.reshape(len(arr), -1)
        nan, inf = np.isnan(flat), np.isinf(flat)
        if kind == "input" and (arr.ndim == 2 or features_last(arr)):
            per_column = (nan | inf).reshape(len(arr), -1, arr.shape[-1]).any(axis=1).sum(axis=0)
            result.input_columns = per_column if result.input_columns is None else result.input_columns + per_column
        setattr(result, f"{kind}_nan", getattr(result, f"{kind}_nan") + int(nan.sum()))
        setattr(result, f"{kind}_inf", getattr(result, f"{kind}_inf") + int(inf.sum()))
        bad_rows |= (nan | inf).any(axis=1)
    result.rows_affected += int(bad_rows.sum())
    if bad_rows.any():
        first = int(rows[bad_rows].min())
        result.first_row = first if result.first_row is None else min(result.first_row, first)


def non_finite(ctx: Any, split: str) -> NonFinite | None:
    """NaN/Inf counts: every row of an in-memory split when it fits, else the audit sample."""
    def compute(c: Any) -> NonFinite | None:
        pair = tensor_pair(c.setup, split)
        if pair is not None and pair[0].numel() <= FULL_SCAN_ELEMENTS:
            x, y = pair
            result = NonFinite(split, f"all {len(x)} rows", len(x))
            step = max(1, 4_000_000 // max(1, x[0].numel()))
            for start in range(0, len(x), step):
                rows = np.arange(start, min(start + step, len(x)))
                _count_non_finite(result, _to_numpy(x[start:start + step]), _to_numpy(y[start:start + step]), rows)
        else:
            sample = sample_of(c, split)
            if sample is None:
                return None
            result = NonFinite(split, sample.scope, sample.n)
            _count_non_finite(result, sample.x, sample.y, sample.rows)
        if result.total:
            for index, (xb, yb) in enumerate(c.batches(split)):
                probe = NonFinite(split, "", 0)
                xa, ya = _to_numpy(xb), _to_numpy(yb)
                _count_non_finite(probe, xa, ya, np.arange(len(ya) if ya is not None else 0))
                if probe.total:
                    result.first_batch = index
                    break
        return result

    return ctx.probe(f"data_audit.non_finite.{split}", compute)


# -- labels --------------------------------------------------------------------------------
def per_position_labels(y: np.ndarray | None) -> bool:
    """Whether class targets hold a label per position of each row (a mask's pixels), not one per row."""
    if y is None:
        return False
    y = np.asarray(y)
    return y.ndim > 1 and y[0].size > 1 and (y.ndim > 2 or (y.dtype.kind in "iub" and not _one_hot(y)))


def _one_hot(y: np.ndarray) -> bool:
    """Whether integer rows are one-hot: 0/1 values, one 1 per row."""
    return bool(((y == 0) | (y == 1)).all() and (y.sum(axis=1) == 1).all())


def class_labels(y: np.ndarray | None, task: str) -> np.ndarray | None:
    """Integer class per sample for binary/multiclass targets (argmax of one-hot rows), else None.

    Float targets of one value per row are classes when rounded only if they are whole numbers or take two values
    (labels smoothed to 0.05/0.95); a fraction trained under a binary loss (a share of beds taken) has no classes.

    Sequence targets, and integer targets with a label per position (a segmentation mask),
    give one class per position: every position flattened, ignored positions (negative ids
    such as the -100 of ``ignore_index``) dropped.
    """
    if y is None or task not in LABELLED:
        return None
    y = np.asarray(y)
    if task == "sequence" or per_position_labels(y):
        flat = y.reshape(-1)  # one label per position (a token, a mask's pixel), ignored ones dropped
        if flat.dtype.kind == "f":
            flat = np.round(flat[np.isfinite(flat)])
        flat = flat.astype(np.int64)
        return flat[flat >= 0]
    if y.ndim == 2 and y.shape[1] > 1:
        finite = np.isfinite(y).all(axis=1) if y.dtype.kind == "f" else np.ones(len(y), bool)
        return np.argmax(y[finite], axis=1)
    y = y.reshape(len(y), -1)[:, 0] if y.ndim > 1 else y
    if y.dtype.kind == "f":
        y = y[np.isfinite(y)]
        if len(np.unique(y)) > 2 and not np.all(y == np.round(y)):
            return None  # shares or probabilities (a fraction under BCE): no class to count, smoothed 0/1 labels aside
        y = np.round(y)
    return y.astype(np.int64)


def all_labels(ctx: Any, split: str) -> tuple[np.ndarray | None, str]:
    """Class labels of the whole split when in memory, else of the audit sample; with the scope.

    Targets with a label per position are counted per position, and the scope says so.
    """
    labels, scope, _, _ = _labels(ctx, split)
    return labels, scope


def labels_per_position(ctx: Any, split: str) -> bool:
    """Whether :func:`all_labels` counted a label per position of each row (a segmentation mask), not per row."""
    return _labels(ctx, split)[2]


def target_positions(ctx: Any, split: str) -> int:
    """How many target positions the split's labels hold before :func:`all_labels` drops the ignored ones
    (negative ids such as ignore_index's -100); 0 when unknown."""
    return _labels(ctx, split)[3]


def _labels(ctx: Any, split: str) -> tuple[np.ndarray | None, str, bool, int]:
    def compute(c: Any) -> tuple[np.ndarray | None, str, bool, int]:
        pair = tensor_pair(c.setup, split)
        if pair is not None and pair[1].numel() <= FULL_SCAN_ELEMENTS:
            y, scope = _to_numpy(pair[1]), f"all {len(pair[1])} rows"
        else:
            sample = sample_of(c, split)
            if sample is None:
                return None, "", False, 0
            y, scope = sample.y, sample.scope
        per_position = c.setup.task != "sequence" and per_position_labels(y)
        labels = class_labels(y, c.setup.task)
        return (labels, scope + (", every position of each row's target" if per_position else ""), per_position,
                int(np.asarray(y).size) if y is not None else 0)

    return ctx.probe(f"data_audit.labels.{split}", compute)


def _finite_rows(x: np.ndarray) -> np.ndarray:
    flat = x.reshape(len(x), int(np.prod(x.shape[1:])))
    return np.isfinite(flat).all(axis=1) if flat.dtype.kind == "f" else np.ones(len(x), bool)


# -- train/validation shift ------------------------------------------------------------------
@dataclass
class Shift:
    """Label shares and per-feature distribution shift between training and validation."""

    train_shares: dict[int, float] = field(default_factory=dict)
    val_shares: dict[int, float] = field(default_factory=dict)
    label_p: float | None = None
    label_tvd: float | None = None
    unit: str = "feature"
    ks: np.ndarray | None = None  # KS statistic per feature / channel summary / target column
    ks_p_adjusted: np.ndarray | None = None  # Bonferroni-adjusted p-values
    target_ks: np.ndarray | None = None
    target_p_adjusted: np.ndarray | None = None
    # per target column: (training mean, training std, validation mean, validation std) of the finite targets
    target_moments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    n_train: int = 0
    n_val: int = 0
    windows: bool = False  # the training rows are windows cut in order from longer series (see sliding_windows)


def sliding_windows(sample: SplitSample) -> bool:
    """Whether the rows are windows cut in order from longer series: rows that follow each other overlap, shifted
    (the whole row, or a table's block of lagged columns, see :func:`_lagged_columns`).

    A forecaster's or a language model's rows are slices of one or a few series, so dataset
    row ``r + 1`` repeats row ``r`` moved by a stride along the time axis (axis 1, or the last
    axis for channels-first sequences). Exact shifted copies of varying values do not happen by
    chance; a split of such rows is a split in time. Read on the sampled rows whose successor
    was sampled too; True when at least ``MIN_WINDOW_PAIRS`` such pairs exist and most overlap.
    """
    x = sample.x
    if x is None or x.ndim < 2 or sample.n < 2:
        return False
    position = {int(r): i for i, r in enumerate(sample.rows)}
    pairs = [(i, position[int(r) + 1]) for i, r in enumerate(sample.rows) if int(r) + 1 in position][:MAX_WINDOW_PAIRS]
    if len(pairs) < MIN_WINDOW_PAIRS:
        return False
    axes = {1, x.ndim - 1}
    overlapping = sum(any(_shifted_copy(np.moveaxis(x[i], axis - 1, 0), np.moveaxis(x[j], axis - 1, 0)) for axis in axes)
                      for i, j in pairs)
    if 2 * overlapping > len(pairs):
        return True
    return x.ndim == 2 and _lagged_columns(x[[i for i, _ in pairs]], x[[j for _, j in pairs]])


LAG_RUN = 4  # lagged columns in a row (lag 1, 2, 3, 4 of one series) that make a table's rows windows in time
LAG_SHIFTS = (1, 2, 3)  # how far one row's lag block moves in the next row (the stride)
AFFINE = 1 - 1e-4  # correlation of columns that are one affine function of the other (each lag standardised its own way)


def _lagged_columns(before: np.ndarray, after: np.ndarray) -> bool:
    """Whether a table's rows hold lagged copies of a series: for the row pairs (``before[p]``, ``after[p]`` the next
    dataset row), a run of ``LAG_RUN`` consecutive columns of ``after`` is, column by column, an affine function of
    the columns of ``before`` a stride away (lag k now was lag k - stride one row earlier, each column scaled its own
    way). Exact affine copies across rows of varying values do not happen by chance."""
    a, b = _finite_float(before), _finite_float(after)
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return False
    a, b = a - a.mean(0), b - b.mean(0)
    a_sd, b_sd = a.std(0), b.std(0)
    for shift in LAG_SHIFTS:
        for past, now, past_sd, now_sd in ((a[:, :-shift], b[:, shift:], a_sd[:-shift], b_sd[shift:]),
                                           (a[:, shift:], b[:, :-shift], a_sd[shift:], b_sd[:-shift])):
            varying = (past_sd > 0) & (now_sd > 0)
            corr = np.where(varying, (past * now).mean(0) / np.where(varying, past_sd * now_sd, 1.0), 0.0)
            run = longest = 0
            for hit in corr > AFFINE:
                run = run + 1 if hit else 0
                longest = max(longest, run)
            if longest >= LAG_RUN:
                return True
    return False


def _shifted_copy(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``b``'s first part is ``a``'s last part for some shift that keeps at least half the steps, not all alike."""
    length, nan = len(a), np.issubdtype(a.dtype, np.floating)
    for shift in np.flatnonzero([np.array_equal(step, b[0], equal_nan=nan) for step in a[1:]]) + 1:
        if shift <= length // 2 and np.array_equal(a[shift:], b[:length - shift], equal_nan=nan) \
                and len(np.unique(a[shift:])) > 1:
            return True
    return False


def _counts(labels: np.ndarray, classes: np.ndarray) -> np.ndarray:
    return np.array([(labels == k).sum() for k in classes], dtype=np.float64)


def _summaries(x: np.ndarray) -> tuple[np.ndarray, str]:
    """One value per sample and column: the column itself (tabular) or per-channel means (images)."""
    values = _finite_float(x)
    if values.ndim == 2:
        return values, "feature"
    channels = values.reshape(len(values), values.shape[1], -1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(channels, axis=2), "per-sample channel mean"


def _ks(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from scipy.stats import ks_2samp

    stat = np.zeros(a.shape[1])
    p = np.ones(a.shape[1])
    for j in range(a.shape[1]):
        left, right = a[:, j][np.isfinite(a[:, j])], b[:, j][np.isfinite(b[:, j])]
        if len(left) >= 5 and len(right) >= 5 and (np.ptp(left) > 0 or np.ptp(right) > 0):
            result = ks_2samp(left, right)
            stat[j], p[j] = result.statistic, result.pvalue
    return stat, np.minimum(1.0, p * max(1, a.shape[1]))


def _column_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each column's non-NaN values (NaN for a column with none)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(x, axis=0), np.nanstd(x, axis=0)


def _pool_rare_tokens(train: np.ndarray, val: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token ids outside the training sample's ``TOP_TOKENS`` most frequent pooled into one bucket (-1).

    A vocabulary of thousands of ids spreads a sample over mostly empty cells, where share
    differences are sampling noise and the chi-square test does not hold; the frequent tokens
    and the mass of the rest show a real change of domain.
    """
    ids, counts = np.unique(train, return_counts=True)
    top = ids[np.argsort(-counts, kind="stable")[:TOP_TOKENS]]
    return np.where(np.isin(train, top), train, -1), np.where(np.isin(val, top), val, -1)


def shift(ctx: Any) -> Shift | None:
    """Chi-square test of label shares and Kolmogorov-Smirnov tests per feature (Bonferroni-adjusted)."""
    def compute(c: Any) -> Shift | None:
        train, val = sample_of(c, "train"), sample_of(c, "val")
        if train is None or val is None:
            return None
        result = Shift(n_train=train.n, n_val=val.n, windows=sliding_windows(train))
        train_labels, _ = all_labels(c, "train")
        val_labels, _ = all_labels(c, "val")
        if train_labels is not None and val_labels is not None and len(train_labels) and len(val_labels):
            from scipy.stats import chi2_contingency

            if c.setup.task == "sequence":
                train_labels, val_labels = _pool_rare_tokens(train_labels, val_labels)
            classes = np.union1d(np.unique(train_labels), np.unique(val_labels))
            table = np.stack([_counts(train_labels, classes), _counts(val_labels, classes)])
            result.train_shares = {int(k): float(v) for k, v in zip(classes, table[0] / table[0].sum())}
            result.val_shares = {int(k): float(v) for k, v in zip(classes, table[1] / table[1].sum())}
            result.label_tvd = 0.5 * float(np.abs(table[0] / table[0].sum() - table[1] / table[1].sum()).sum())
            result.label_p = float(chi2_contingency(table)[1]) if len(classes) > 1 else 1.0
        elif c.setup.task == "regression" and train.y is not None and val.y is not None:
            train_targets = _finite_float(train.y.reshape(train.n, -1))
            val_targets = _finite_float(val.y.reshape(val.n, -1))
            result.target_ks, result.target_p_adjusted = _ks(train_targets, val_targets)
            result.target_moments = _column_moments(train_targets) + _column_moments(val_targets)
        if (train.x is not None and val.x is not None and not train.x_integer and train.x.ndim >= 2
                and train.x.shape[1:] == val.x.shape[1:] and not augmented_inputs(c)):
            a, result.unit = _summaries(train.x)
            b, _ = _summaries(val.x)
            result.ks, result.ks_p_adjusted = _ks(a, b)
        return result

    return ctx.probe("data_audit.shift", compute)


def _leaves(item: Any) -> list[Any]:
    """The tensors and arrays of one dataset item (a tensor, a tuple/list or a dict of them)."""
    if isinstance(item, (torch.Tensor, np.ndarray)):
        return [item]
    if isinstance(item, dict):
        return [leaf for v in item.values() for leaf in _leaves(v)]
    if isinstance(item, (list, tuple)):
        return [leaf for v in item for leaf in _leaves(v)]
    return []


def augmented_inputs(ctx: Any) -> bool:
    """Whether the training dataset returns different values for the same index when read under two seeds:
    a random transform in ``__getitem__`` (augmentation). Training inputs then differ from validation's by
    design, so their distributions are not compared. Three items read twice, every RNG put back."""
    def compute(c: Any) -> bool:
        from ..rng import preserved_rng, seed_everything

        dataset = getattr(c.setup.train_loader, "dataset", None)
        if dataset is None or isinstance(dataset, (TensorDataset, IterableDataset)) or not hasattr(dataset, "__getitem__"):
            return False
        try:
            n = len(dataset)
            if n < 1:
                return False
            picks = sorted({0, n // 2, n - 1})
            reads = []
            with preserved_rng():
                for seed in (0, 1):
                    seed_everything(seed)
                    reads.append([_leaves(dataset[i]) for i in picks])
        except Exception:
            return False  # a dataset that cannot be read by index here: taken as deterministic
        for first, second in zip(*reads):
            for a, b in zip(first, second):
                a, b = (np.asarray(v.detach().cpu().double() if v.is_floating_point() else v.detach().cpu())
                        if isinstance(v, torch.Tensor) else np.asarray(v) for v in (a, b))
                if a.shape != b.shape or not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"):
                    return True
        return False

    return bool(ctx.probe("data_audit.augmented", compute))


# -- order of the training loader ------------------------------------------------------------
@dataclass
class Order:
    """How labels/targets are arranged in the first batches of the training loader."""

    kind: str  # classification | regression
    batches: int
    n: int
    runs: int = 0
    longest_run: int = 0
    expected_runs: float = 0.0
    mean_entropy: float = 0.0
    expected_entropy: float = 0.0
    p_value: float = 1.0
    spearman: float = 0.0
    spearman_p: float = 1.0
    within_batch_variance_ratio: float = 1.0


def _entropy(labels: np.ndarray) -> float:
    _, counts = np.unique(labels, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


def _entropies(counts: np.ndarray) -> np.ndarray:
    """Entropy (nats) of each row of class counts."""
    p = counts / counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.nansum(np.where(p > 0, p * np.log(p), 0.0), axis=1)


def order(ctx: Any) -> Order | None:
    """Label runs and per-batch label entropy (or target sortedness) vs what a shuffled loader gives."""
    def compute(c: Any) -> Order | None:
        task = c.setup.task
        if getattr(c.setup, "streaming", False):
            return None  # a stream is read in its own order and never shuffled by nndoctor: not judged (see setup notes)
        batches = [(_to_numpy(y)) for _, y in c.batches("train")]
        batches = [b for b in batches if b is not None and len(b)]
        if len(batches) < 2:
            return None
        if task in CLASSIFICATION:
            per_batch = [class_labels(b, task) for b in batches]
            labels, _ = all_labels(c, "train")
            if labels is None or not len(labels):
                return None
            return _label_order(per_batch, labels, c.setup.seed)
        if task == "regression":
            return _target_order(batches)
        return None

    return ctx.probe("data_audit.order", compute)


def _label_order(per_batch: list[np.ndarray], population: np.ndarray, seed: int, simulations: int = 500) -> Order:
    sequence = np.concatenate(per_batch)
    changes = np.flatnonzero(np.diff(sequence) != 0)
    runs = len(changes) + 1
    bounds = np.concatenate([[-1], changes, [len(sequence) - 1]])
    classes, counts = np.unique(population, return_counts=True)
    shares = counts / counts.sum()
    observed = float(np.mean([_entropy(b) for b in per_batch]))
    rng = np.random.default_rng(seed)
    simulated = np.mean([_entropies(rng.multinomial(len(b), shares, size=simulations)) for b in per_batch], axis=0)
    draws = rng.choice(len(classes), size=(200, len(sequence)), p=shares)
    expected_runs = float(np.mean((np.diff(draws, axis=1) != 0).sum(axis=1) + 1))
    return Order(
        "classification", len(per_batch), len(sequence), runs=runs, longest_run=int(np.diff(bounds).max()),
        expected_runs=expected_runs, mean_entropy=observed, expected_entropy=float(simulated.mean()),
        p_value=float((1 + np.sum(simulated <= observed)) / (simulations + 1)),
    )


def _target_order(batches: list[np.ndarray]) -> Order:
    from scipy.stats import spearmanr

    columns = [_finite_float(b.reshape(len(b), -1)) for b in batches]
    values = np.concatenate(columns)
    first = values[:, 0]
    keep = np.isfinite(first)
    rho, p = spearmanr(np.arange(len(first))[keep], first[keep]) if keep.sum() > 3 and np.ptp(first[keep]) > 0 else (0.0, 1.0)
    total = np.nanvar(values, axis=0)
    within = np.nanmean([np.nanvar(b, axis=0) for b in columns if len(b) > 1], axis=0) if any(len(b) > 1 for b in columns) else total
    ratio = float(np.mean(within[total > 0] / total[total > 0])) if np.any(total > 0) else 1.0
    return Order("regression", len(batches), len(values), spearman=float(np.nan_to_num(rho)),
                 spearman_p=float(np.nan_to_num(p, nan=1.0)), within_batch_variance_ratio=ratio)
