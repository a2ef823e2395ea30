"""Duplicates and leakage: exact copies by row hashes, near copies by nearest neighbours.

Exact copies are counted over every row of an in-memory split (a 64-bit hash of each row's
bits, cheap for a million rows); near copies, whose distance is far below the typical
distance between neighbours, on a bounded standardised sample of the training split.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..verdicts.data import Overlap
from ..verdicts.splits import TrainingCopies
from .data_audit import FULL_SCAN_ELEMENTS, MAX_ROWS, SplitSample, _finite_rows, _to_numpy, sample_of, tensor_pair

NN_WORK = 4e9  # rows^2 * dims allowed for the brute-force neighbour search


# -- duplicates and overlap ------------------------------------------------------------------
def row_hashes(x: np.ndarray) -> np.ndarray:
    """A 64-bit hash per row: random odd multipliers on the exact bits of its values, summed mod 2**64."""
    flat = np.ascontiguousarray(x.reshape(len(x), int(np.prod(x.shape[1:]))))
    if flat.dtype.kind == "f":
        flat = flat + flat.dtype.type(0.0)  # -0.0 and 0.0 hash alike
        unsigned = {2: np.uint16, 4: np.uint32, 8: np.uint64}[flat.dtype.itemsize]
        bits = flat.view(unsigned).astype(np.uint64, copy=False)
    else:
        bits = flat.astype(np.int64).view(np.uint64)
    coefficients = np.random.default_rng(12345).integers(1, 2**63, size=flat.shape[1], dtype=np.uint64) | np.uint64(1)
    with np.errstate(over="ignore"):
        return bits @ coefficients  # wraps modulo 2**64


def split_hashes(ctx: Any, split: str) -> tuple[np.ndarray, str] | None:
    """Row hashes of every finite row of an in-memory split (or the audit sample), with the scope."""
    def compute(c: Any) -> tuple[np.ndarray, str] | None:
        pair = tensor_pair(c.setup, split)
        if pair is not None and pair[0].numel() <= FULL_SCAN_ELEMENTS and len(pair[0]):
            x = pair[0]
            step = max(1, 4_000_000 // max(1, x[0].numel()))
            parts = []
            for start in range(0, len(x), step):
                chunk = _to_numpy(x[start:start + step])
                parts.append(row_hashes(chunk[_finite_rows(chunk)]))
            return np.concatenate(parts), f"all {len(x)} rows"
        sample = sample_of(c, split)
        if sample is None or sample.identity is None:
            return None
        rows = sample.identity
        return row_hashes(rows[_finite_rows(rows)]), sample.scope

    return ctx.probe(f"data_audit.hashes.{split}", compute)


def chance_copy_share(rows: np.ndarray | None, n: int) -> float:
    """The share of ``n`` rows expected to have an exact copy among themselves by chance alone.

    Each column's values drawn independently with the frequencies ``rows`` show: two rows agree
    with probability P = prod_j sum_v p_jv^2, so a row meets a copy among the n - 1 others
    with probability 1 - (1 - P)^(n - 1). Continuous columns make P vanish; data whose every
    column takes a handful of values (counts, flags, codes) repeats rows without any copying.
    """
    if rows is None or len(rows) < 2 or n < 2:
        return 0.0
    flat = rows.reshape(len(rows), -1)
    log_p = 0.0
    for column in flat.T:
        _, counts = np.unique(column, return_counts=True)
        share = counts / counts.sum()
        log_p += math.log(max(float((share * share).sum()), 1e-300))
        if log_p < -60:  # past any count of rows a split can hold
            return 0.0
    return float(-math.expm1((n - 1) * math.log1p(-min(math.exp(log_p), 1.0 - 1e-12))))


# Columns whose values alone repeat one row in a hundred by chance (independence) make a lattice: there
# the other split's repeat rate, drawn from the same data, is the chance level (dependence raises it).
LATTICE_SHARE = 0.01


# A column is discrete when its values repeat: at most one distinct value per this many rows of the sample.
ROWS_PER_VALUE = 4


def all_discrete(rows: np.ndarray | None) -> bool:
    """Whether every column of the sample takes few values for its rows (flags, codes, ids, levels).

    Such rows are a lattice however small the independence estimate: it multiplies per-column
    agreement as if columns were independent, while discrete columns that move together (the strokes
    of a binarised digit, a user's context beside the user's id) repeat whole rows far more often.
    Continuous columns (about one value per row) cannot repeat by chance, and there the estimate holds.
    Values are counted over the distinct rows: a dataset copied four times over repeats each column's
    values four times, and is not discrete for it.
    """
    if rows is None or len(rows) < 2:
        return False
    # counted over distinct rows: copies repeat every column's values too, and must not make data look discrete
    flat = np.unique(rows.reshape(len(rows), -1), axis=0)
    limit = max(2, len(flat) // ROWS_PER_VALUE)
    return all(len(np.unique(column)) <= limit for column in flat.T)


def repeat_level(ctx: Any, judged: str) -> float | None:
    """The share of rows expected to repeat a training row without any copying, for D107 (``judged="train"``) or D108.

    The independence estimate (:func:`chance_copy_share`) for most data; for a lattice (counts,
    flags, codes: the estimate reaches ``LATTICE_SHARE``, or every column is discrete) the measured rate of the other comparison
    on the same data: validation rows matching training rows for D107, training rows matching other
    training rows for D108. Correlated columns repeat more often than independent ones would, and
    a random split repeats alike on both sides; copying shows as one side repeating more. None for D107 on a lattice
    without a validation split: the independence estimate is only a floor there (token windows of a grammar repeat
    far more often than independent columns would), and nothing measured gives the level.
    """
    train = split_hashes(ctx, "train")
    if train is None:
        return 0.0
    values = _values(sample_of(ctx, "train"))
    level = chance_copy_share(values, len(train[0]) + (judged != "train"))
    if level < LATTICE_SHARE and not all_discrete(values):
        return level
    if judged == "train":
        val = split_hashes(ctx, "val")
        return float(hashes_in(train[0], val[0]).mean()) if val is not None and len(val[0]) else None
    _, inverse, counts = np.unique(train[0], return_inverse=True, return_counts=True)
    return float((counts[inverse] > 1).mean()) if len(train[0]) else level


NEAR_FACTOR = 0.01  # evidence only: 1% of the typical neighbour distance, a yardstick for the reported distances
NEAR_ALPHA = 0.01  # family-wise: rows whose nearest neighbour is this improbably close (Bonferroni over rows)


@dataclass
class Neighbours:
    """Nearest neighbours within a (standardised) training sample; shared by D107 and D108.

    A near copy is a neighbour far closer than the local density makes likely. Given the
    distance d_K to a row's K-th neighbour, the K-1 nearer ones of a locally uniform sample in
    intrinsic dimension m lie uniformly in volume, so (d_1/d_K)^m is uniform on (0, 1) and
    P(nearest <= d_1) = 1 - (1 - (d_1/d_K)^m)^(K-1). A fixed share of d_K (the former rule) is
    too strict in many dimensions (a 20-D copy with 3% noise sits at 4% of d_K, probability
    ~1e-27) and too loose in few (in 2-D, 1% of d_K happens to one row in a thousand).

    Binary columns (one-hot codes, flags) beside continuous ones are no dimensions of that
    volume: they cut the rows into lattice cells far apart, so every row's K-th neighbour would
    sit in another cell and a plain neighbour in its own cell would look improbably close. The
    distances are then taken over the continuous columns, and a near copy must also match the
    row's binary columns exactly (``keys``). Matching only within the cell is a subset of the
    rows, so the uniform-volume probability, taken over all of them, only errs towards "no copy".

    The dimension m is local: a sample can mix regions of different dimension (records with a
    channel switched off lie on a thinner set than the rest), and a global estimate, set by the
    majority, makes the thin region's ordinary neighbours look improbably close. Each row's m is
    the smaller of the global estimate and one pooled over the row and its K neighbours
    (:meth:`local_dimension`), so the local view only ever makes a copy harder to call.
    """

    rows: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    index: Any  # fitted sklearn NearestNeighbors
    distances: np.ndarray  # to the k nearest, self first
    neighbours: np.ndarray
    typical: float  # median distance to the k-th neighbour
    dimension: float = 1.0  # intrinsic dimension of the sample (Levina-Bickel)
    spacing: np.ndarray | None = None  # per fitted row, its neighbours' log spacing (see ``neighbour_spacing``)
    continuous: np.ndarray | None = None  # the columns distances are taken over (None: all of them)
    keys: np.ndarray | None = None  # per fitted row, a hash of its binary columns (None: no binary columns set apart)

    @property
    def threshold(self) -> float:
        return NEAR_FACTOR * self.typical

    def standardise(self, x: np.ndarray) -> np.ndarray:
        flat = x.reshape(len(x), -1).astype(np.float64)
        return ((flat - self.mean) / self.scale)[:, self.continuous] if self.continuous is not None else (flat - self.mean) / self.scale

    def _keys(self, x: np.ndarray) -> np.ndarray | None:
        """Hashes of the binary columns of ``x``'s rows (None when no columns were set apart)."""
        if self.continuous is None:
            return None
        return row_hashes(np.ascontiguousarray(x.reshape(len(x), -1).astype(np.float64)[:, ~self.continuous]))

    def near_in_sample(self) -> tuple[np.ndarray, np.ndarray]:
        """(mask, partner): fitted rows with a near copy among the other fitted rows, and each row's candidate copy
        (the position among the fitted rows of its nearest neighbour that matches its binary columns)."""
        others = self.neighbours[:, 1:]
        same = self.keys[others] == self.keys[:, None] if self.keys is not None else np.ones(others.shape, bool)
        same &= others != np.arange(len(others))[:, None]  # a tie at distance 0 can list the row itself after its twin
        partner = others[np.arange(len(others)), same.argmax(axis=1)]
        return self.near(self.distances[:, 1:], same, others), partner

    def near_to(self, x: np.ndarray) -> np.ndarray:
        """Which rows of ``x`` (rows of another split) have a near copy among the fitted rows."""
        distances, index = self.index.kneighbors(self.standardise(x), n_neighbors=self.distances.shape[1] - 1)
        keys = self._keys(x)
        return self.near(distances, self.keys[index] == keys[:, None] if keys is not None else None, index)

    def local_dimension(self, others: np.ndarray, neighbours: np.ndarray | None) -> np.ndarray | float:
        """Each row's dimension: the global estimate, or the one pooled over the row's own spacing and its K
        neighbours' (``neighbours``: their positions among the fitted rows) where that is smaller."""
        if neighbours is None or self.spacing is None or others.shape[1] < 3:
            return self.dimension
        pooled = np.concatenate([self.spacing[neighbours], neighbour_spacing(others)[:, None]], axis=1)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a row whose every spacing is undefined: nan, kept global
            mean = np.nanmean(pooled, axis=1)
        local = np.where(mean > 0, spacing_expectation(others.shape[1] - 1) / np.where(mean > 0, mean, 1.0), np.inf)
        return np.minimum(self.dimension, local)

    def near(self, others: np.ndarray, same: np.ndarray | None = None,
             neighbours: np.ndarray | None = None) -> np.ndarray:
        """Rows whose nearest neighbour is improbably close (see the class note); ``others`` are the
        sorted distances to each row's K nearest other rows, ``same`` whether each of those matches
        the row's binary columns (the nearest that does is the candidate copy), ``neighbours`` those
        rows' positions among the fitted rows (for the local dimension; without them, the global one).

        The yardstick is the row's own d_K or the sample's typical one, whichever is smaller: a
        row in a thinning region (an outlier) has a far K-th neighbour, and its nearest would
        look close against that alone.
        """
        nearest, kth = others[:, 0], np.minimum(others[:, -1], self.typical)
        if same is not None:
            nearest = np.where(same.any(axis=1), others[np.arange(len(others)), same.argmax(axis=1)], np.inf)
        if others.shape[1] < 2:
            return (nearest == 0) & (kth > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(kth > 0, nearest / kth, 1.0)
            dimension = self.local_dimension(others, neighbours)
            p = -np.expm1((others.shape[1] - 1) * np.log1p(-np.minimum(ratio, 1.0) ** dimension))
        return (nearest == 0) & (kth > 0) | (p < NEAR_ALPHA / max(len(others), 1))


def neighbour_spacing(others: np.ndarray) -> np.ndarray:
    """Per row, the sum of log(d_K/d_j) over its neighbours j = 2 .. K-1 (``others``: sorted distances to its K
    nearest other rows); nan where a distance is 0. m times it is a sum of Exp(1) draws (see
    :func:`intrinsic_dimension`)."""
    kept = others[:, 1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        spacing = np.sum(np.log(kept[:, -1:] / kept[:, :-1]), axis=1)
    return np.where(np.isfinite(spacing) & (kept > 0).all(axis=1), spacing, np.nan)


def spacing_expectation(inner: int) -> float:
    """m times a row's expected :func:`neighbour_spacing` with ``inner`` = K-1 inner neighbours: (K-1) - H_{K-1}."""
    return inner - float(np.sum(1.0 / np.arange(1, inner + 1)))


def intrinsic_dimension(others: np.ndarray) -> float:
    """Intrinsic dimension from each row's sorted distances to its K nearest other rows (Levina-Bickel).

    Given d_K, the inner K-1 neighbours' (d_j/d_K)^m are uniform on (0, 1), so each -log is
    Exp(1). The nearest is left out so that copies do not pull the estimate down; the K-2 kept
    are the larger order statistics, whose -logs sum in expectation to (K-1) - H_{K-1}
    (H the harmonic number). m is that expectation over the mean observed sum of log(d_K/d_j).
    """
    inner = others.shape[1] - 1
    spacing = neighbour_spacing(others) if inner >= 2 else np.array([])
    spacing = spacing[np.isfinite(spacing)]
    if not len(spacing):
        return float(others.shape[1])
    observed = float(np.mean(spacing))
    return spacing_expectation(inner) / observed if observed > 0 else float(others.shape[1])


def train_neighbours(ctx: Any) -> Neighbours | None:
    """Fit nearest neighbours on a bounded training sample (rows² × dims ≤ NN_WORK); None below 3 dims."""
    def compute(c: Any) -> Neighbours | None:
        finite = _finite_sample(sample_of(c, "train"))
        if finite is None:
            return None
        rows, x = finite
        n = int(min(MAX_ROWS, max(200, math.sqrt(NN_WORK / x[0].size))))
        return fit_neighbours(rows[:n], x[:n])

    return ctx.probe("data_audit.neighbours", compute)


MIN_NEAR_DIMENSIONS = 3  # in one or two (continuous) dimensions close neighbours are normal: exact copies only


def fit_neighbours(rows: np.ndarray, x: np.ndarray) -> Neighbours | None:
    """Nearest neighbours (11, self included) of the standardised rows of ``x``; ``rows`` are their indices.

    Binary columns beside continuous ones are set apart (see :class:`Neighbours`). None when
    fewer than ``MIN_NEAR_DIMENSIONS`` dimensions are left to measure distances in, or under 3 rows.
    """
    from sklearn.neighbors import NearestNeighbors

    flat = x.reshape(len(x), -1).astype(np.float64)
    if len(flat) < 3:
        return None
    mean, scale = flat.mean(axis=0), flat.std(axis=0)
    scale[scale <= 1e-12] = 1.0
    binary = np.array([len(np.unique(column)) <= 2 for column in flat.T])
    continuous = ~binary if binary.any() and not binary.all() else None
    if (int(continuous.sum()) if continuous is not None else flat.shape[1]) < MIN_NEAR_DIMENSIONS:
        return None
    space = (flat - mean) / scale
    keys = None
    if continuous is not None:
        keys = row_hashes(np.ascontiguousarray(flat[:, binary]))
        space = space[:, continuous]
    index = NearestNeighbors(n_neighbors=min(11, len(space))).fit(space)
    distances, neighbours = index.kneighbors(space)
    return Neighbours(rows, mean, scale, index, distances, neighbours, float(np.median(distances[:, -1])),
                      intrinsic_dimension(distances[:, 1:]), neighbour_spacing(distances[:, 1:]), continuous, keys)


def duplicates(ctx: Any) -> TrainingCopies | None:
    """Share of training rows with an exact copy (hashes) or a near copy (nearest neighbours)."""
    def compute(c: Any) -> TrainingCopies | None:
        hashed = split_hashes(c, "train")
        if hashed is None:
            return None
        hashes, scope = hashed
        _, inverse, counts = np.unique(hashes, return_inverse=True, return_counts=True)
        result = TrainingCopies(scope, len(hashes), int((counts[inverse] > 1).sum()), NEAR_ALPHA)
        result.chance_share = repeat_level(c, "train")
        found = train_neighbours(c)
        if found is None:
            return result
        near, partner = found.near_in_sample()
        sample = sample_of(c, "train")
        n = len(found.rows)
        result.near_scope = f"a random sample of {n} rows" if sample.n_total and n < sample.n_total else f"all {n} rows"
        result.near_rows, result.near_with_copy = n, int(near.sum())
        result.typical_distance, result.threshold, result.dimension = found.typical, found.threshold, found.dimension
        result.examples = [(int(found.rows[i]), int(found.rows[partner[i]])) for i in np.flatnonzero(near)[:5]]
        return result

    return ctx.probe("data_audit.duplicates", compute)


def _values(sample: SplitSample | None) -> np.ndarray | None:
    """A sample's finite rows (each with all of its inputs), for the columns' value frequencies."""
    found = _finite_sample(sample)
    return found[1] if found is not None else None


def _finite_sample(sample: SplitSample | None) -> tuple[np.ndarray, np.ndarray] | None:
    """(dataset rows, values) of a sample's finite rows, each with all of its inputs (a row's identity, for copies)."""
    if sample is None or sample.identity is None:
        return None
    keep = _finite_rows(sample.identity)
    return (sample.rows[keep], sample.identity[keep]) if keep.sum() >= 3 else None


def hashes_in(known: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """Which of ``hashes`` (row hashes of one split) occur among ``known`` (another split's): exact cross-split copies."""
    known = np.unique(known)
    if not len(known):
        return np.zeros(len(hashes), bool)
    position = np.minimum(np.searchsorted(known, hashes), len(known) - 1)
    return known[position] == hashes


def cross_split_copies(train_x: np.ndarray, val_x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(exact, near): masks over the rows of ``val_x`` that copy a row of ``train_x`` exactly or nearly.

    The audit's D108 test on every row: row hashes for exact copies (rows with a non-finite
    value are never copies), and the nearest-neighbour test on the standardised rows for near
    ones, with every finite training row as the reference when the search is affordable
    (rows² × dims ≤ NN_WORK) and an evenly spread subset of that size otherwise. In one or
    two dimensions, as in the audit, only exact copies count.
    """
    train_ok, val_ok = _finite_rows(train_x), _finite_rows(val_x)
    exact = np.zeros(len(val_x), bool)
    if train_ok.any() and val_ok.any():
        exact[val_ok] = hashes_in(row_hashes(train_x[train_ok]), row_hashes(val_x[val_ok]))
    near = np.zeros(len(val_x), bool)
    reference = train_x[train_ok]
    if len(reference) >= 3 and val_ok.any():
        n = int(min(len(reference), max(200, math.sqrt(NN_WORK / reference[0].size))))
        reference = reference[np.linspace(0, len(reference) - 1, n).astype(int)] if n < len(reference) else reference
        found = fit_neighbours(np.arange(len(reference)), reference)
        if found is not None:
            near[val_ok] = found.near_to(val_x[val_ok])
    return exact, near & ~exact


def overlap(ctx: Any) -> Overlap | None:
    """Exact overlap from row hashes; near overlap from nearest training neighbours of a validation sample."""
    def compute(c: Any) -> Overlap | None:
        train, val = split_hashes(c, "train"), split_hashes(c, "val")
        if train is None or val is None:
            return None
        in_train = int(hashes_in(train[0], val[0]).sum())
        result = Overlap(f"{val[1]} of validation against {train[1]} of training", len(val[0]), in_train)
        result.chance_share = repeat_level(c, "val")
        found, val_finite = train_neighbours(c), _finite_sample(sample_of(c, "val"))
        if found is None or val_finite is None or val_finite[1][0].size != len(found.mean):
            return result
        val_rows, val_x = (part[: len(found.rows)] for part in val_finite)
        near = found.near_to(val_x)
        result.near_rows, result.near_in_train = len(val_x), int(near.sum())
        result.threshold = found.threshold
        result.examples = [int(r) for r in val_rows[near][:5]]
        return result

    return ctx.probe("data_audit.overlap", compute)
