"""Verdicts for D107 (duplicated training rows) and D109 (training and validation drawn differently).

Both read the data audit's measurements of the splits (``probes.data_duplicates``,
``probes.data_audit.shift``), built by ``checks/data.py``. A shift must be both significant after
correcting for the number of features tested and large enough to matter.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from ..findings import Finding, Severity
from . import verdict
from .curves import in_same_units
from .data import _listing

# -- thresholds ---------------------------------------------------------------------------
SHIFT_ALPHA = 0.001  # family-wise false-alarm rate per checkup (Bonferroni over features)
SHIFT_KS_FLOOR = 0.2  # KS distance of a half-std shift of the mean: large enough to matter
LABEL_SHIFT_TVD = 0.1  # 10 points of class share moved between splits
DUPLICATE_SHARE = 0.05  # one training row in twenty with a copy: a warning (the copies weigh in the loss)
DUPLICATE_REPORT_SHARE = 0.01  # below one row in a hundred, copies are not worth a word


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


# -- D107: duplicated training rows ------------------------------------------------------------
@dataclass
class TrainingCopies:
    """Training rows with an exact copy (over ``exact_rows``) or a near copy (over a sample of ``near_rows``).

    Built by the data audit (``probes.data_duplicates.duplicates``); ``near_alpha`` is the family-wise
    level at which it called a neighbour improbably close, ``examples`` pairs of row indices.
    """

    exact_scope: str
    exact_rows: int
    exact_with_copy: int
    near_alpha: float
    near_scope: str = ""
    near_rows: int = 0
    near_with_copy: int = 0
    typical_distance: float | None = None
    threshold: float | None = None
    dimension: float | None = None
    examples: list[tuple[int, int]] = field(default_factory=list)
    # rows expected to repeat without copying (probes.data_duplicates.repeat_level); None: unknown
    chance_share: float | None = 0.0

    @property
    def exact_share(self) -> float:
        return self.exact_with_copy / self.exact_rows if self.exact_rows else 0.0

    @property
    def near_share(self) -> float:
        return self.near_with_copy / self.near_rows if self.near_rows else 0.0

    @property
    def share(self) -> float:
        return max(self.exact_share, self.near_share)


@verdict("D107")
def duplicate_samples(m: TrainingCopies) -> Iterator[Finding]:
    """Training rows that repeat (exactly, or closer than chance allows): they weigh more and inflate validation.

    Judged on the share beyond what chance gives rows of these columns (``chance_share``): rows of
    counts and flags repeat by themselves, and those repeats are the data, not copies. Where that level is unknown
    (rows of discrete values, no validation split to measure it on), repeats cannot be told from copies: no verdict.
    """
    if m.chance_share is None:
        return
    beyond = m.share - m.chance_share
    if beyond < DUPLICATE_REPORT_SHARE:
        return
    near = (f"; {_pct(m.near_share)} have a near copy (a neighbour closer than chance allows at family-wise "
            f"{m.near_alpha:g}, intrinsic dimension {m.dimension:.3g}) in {m.near_scope}" if m.near_rows else "")
    chance = (f" Rows of these columns repeat without copying for about {_pct(m.chance_share)} of them."
              if m.chance_share >= DUPLICATE_REPORT_SHARE / 10 else "")
    yield Finding(
        "D107", Severity.WARNING if beyond >= DUPLICATE_SHARE else Severity.INFO,
        f"{_pct(m.exact_share)} of training rows have an exact copy in {m.exact_scope}{near}.{chance} Duplicates "
        "weight some samples more and inflate any validation drawn from the same pool.",
        evidence={"exact_share": m.exact_share, "near_share": m.near_share, "exact_scope": m.exact_scope,
                  "near_scope": m.near_scope, "typical_distance": m.typical_distance,
                  "threshold": m.threshold, "dimension": m.dimension, "example_pairs": m.examples,
                  "chance_share": m.chance_share},
        location="train",
    )


# -- D109: train/validation shift --------------------------------------------------------------
@dataclass
class SplitShift:
    """Label shares and per-unit distribution tests between the training and validation splits.

    Mirrors ``probes.data_audit.Shift``: chi-square p and total variation of the label shares,
    Kolmogorov-Smirnov distances and Bonferroni-adjusted p-values per input unit (``ks``) and per
    regression target column (``target_ks``). ``tokens``: the labels are token ids, the
    ``top_tokens`` most frequent each and the rest pooled as -1. ``loop_in_order``: the training
    sample is the first batches of the user's loop, in class or target order (not the training
    distribution); the adapter's call. ``windows``: the training rows are windows cut in order
    from longer series (``probes.data_audit.sliding_windows``), so validation is another stretch of time.
    ``target_moments``: per target column, the training and validation means and standard deviations.
    """

    train_shares: dict[int, float] = field(default_factory=dict)
    val_shares: dict[int, float] = field(default_factory=dict)
    label_p: float | None = None
    label_tvd: float | None = None
    unit: str = "feature"
    ks: np.ndarray | None = None
    ks_p_adjusted: np.ndarray | None = None
    target_ks: np.ndarray | None = None
    target_p_adjusted: np.ndarray | None = None
    target_moments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    n_train: int = 0
    n_val: int = 0
    tokens: bool = False
    top_tokens: int = 0
    loop_in_order: bool = False
    windows: bool = False


# A split of sliding windows is a split in time: validation differs by the series' own drift (trend, season),
# which a forecaster must face; that is worth knowing, not a mistake in the split.
IN_TIME = ("The training rows are windows cut in order from a series, so validation is another stretch of time and "
           "differs by the series' drift (trend, season): expected when forecasting; make sure that stretch is like "
           "the one the model will serve in.")


# Inputs that moved while the labels (or regression targets) did not: validation still scores the same task on the
# same label mix. A split by time, site or source moves the inputs by design (a later season, another fab); a split
# that broke the task (rows sorted by class, or by a value that drives the target) moves the labels too.
INPUTS_ONLY = (" The labels are distributed alike in both splits, so validation still measures the same task: a "
               "split by time, site or source moves the inputs by design; make sure validation is like the data the "
               "model will serve.")


def inputs_moved(ks: np.ndarray | None, p_adjusted: np.ndarray | None) -> bool | None:
    """Whether D109's test finds any input unit shifted between the splits; None when the units were not tested."""
    return None if ks is None or p_adjusted is None else bool(_shifted(ks, p_adjusted).size)


def _targets_in_other_units(m: SplitShift) -> list[int]:
    """The target columns whose validation targets are in other units than training's (``curves.in_same_units``).

    A loop that trains on standardised targets and scores de-standardised predictions against raw ones hands
    validation targets tens of training spreads away: a change of units (the rule the watch's validation loss follows),
    not a shift of the distribution, so such a column's KS distance is not read as one.
    """
    if m.target_moments is None:
        return []
    return [j for j, values in enumerate(zip(*m.target_moments))
            if np.isfinite(values).all() and not in_same_units(*map(float, values))]


def _shifted(stat: np.ndarray | None, p: np.ndarray | None) -> np.ndarray:
    """Indices of the units whose distance is past ``SHIFT_KS_FLOOR`` and significant after Bonferroni."""
    if stat is None or p is None:
        return np.array([], dtype=int)
    return np.flatnonzero((p < SHIFT_ALPHA) & (stat >= SHIFT_KS_FLOOR))


@verdict("D109")
def train_val_shift(m: SplitShift) -> Iterator[Finding]:
    """Label shares or input / target distributions that differ between training and validation."""
    if m.loop_in_order:
        return  # the loop's first batches, in class or target order, are not the training distribution
    severity, in_time = (Severity.INFO, f" {IN_TIME}") if m.windows else (Severity.WARNING, "")
    labels_moved = m.label_p is not None and m.label_p < SHIFT_ALPHA and (m.label_tvd or 0) >= LABEL_SHIFT_TVD
    other_units = _targets_in_other_units(m)
    target_ks = m.target_ks
    if target_ks is not None and other_units:
        target_ks = np.where(np.isin(np.arange(len(target_ks)), other_units), 0.0, target_ks)
    targets_moved = _shifted(target_ks, m.target_p_adjusted).size > 0
    if labels_moved:
        moved = max(m.train_shares, key=lambda k: abs(m.train_shares[k] - m.val_shares.get(k, 0.0)))
        tokens = m.tokens  # the most frequent tokens each, the rest pooled as -1
        what = ("the rarer tokens together" if moved == -1 else f"token {moved}") if tokens else f"class {moved}"
        yield Finding(
            "D109", severity,
            f"{'Token' if tokens else 'Label'} shares differ between training and validation by {_pct(m.label_tvd)} "
            f"(total variation{f' over the {m.top_tokens} most frequent tokens and the rest' if tokens else ''}; "
            f"chi-square p = {m.label_p:.2g}): {what} {'are' if moved == -1 and tokens else 'is'} "
            f"{_pct(m.train_shares[moved])} of training and {_pct(m.val_shares.get(moved, 0.0))} of validation.{in_time}",
            evidence={"train_shares": m.train_shares, "val_shares": m.val_shares, "tvd": m.label_tvd,
                      "p_value": m.label_p},
            location="labels",
        )
    for name, stat, p in (("input", m.ks, m.ks_p_adjusted), ("target", target_ks, m.target_p_adjusted)):
        shifted = _shifted(stat, p)
        if not len(shifted):
            continue
        shifted = shifted[np.argsort(-stat[shifted])]
        unit = m.unit if name == "input" else "target column"
        worst = int(shifted[0])
        inputs_only = (name == "input" and not labels_moved and not targets_moved and not other_units
                       and (m.train_shares or m.target_ks is not None))
        yield Finding(
            "D109", Severity.INFO if inputs_only else severity,
            f"{len(shifted)} of {len(stat)} {name} {unit}s are distributed differently in validation than in training "
            f"(Kolmogorov-Smirnov distance ≥ {SHIFT_KS_FLOOR:g}, Bonferroni p < {SHIFT_ALPHA:g}); worst: {unit} {worst} "
            f"with distance {stat[worst]:.2f} (p = {p[worst]:.2g}).{in_time}{INPUTS_ONLY if inputs_only and not in_time else ''}",
            evidence={"kind": name, "unit": unit, "shifted": shifted[:50].tolist(),
                      "ks": {int(j): float(stat[j]) for j in shifted[:20]},
                      "p_adjusted": {int(j): float(p[j]) for j in shifted[:20]},
                      "n_train": m.n_train, "n_val": m.n_val, "windows": m.windows},
            location=f"{unit}s {_listing(shifted.tolist())}",
        )
    if other_units:
        train_mean, train_std, val_mean, val_std = (values[other_units[0]] for values in m.target_moments)
        yield Finding(
            "D109", Severity.INFO,
            f"Validation targets are in other units than training's (target column {other_units[0]}: mean "
            f"{val_mean:.4g}, spread {val_std:.4g} against {train_mean:.4g} and {train_std:.4g} in training), as when "
            "training targets are standardised and validation scores de-standardised predictions: not compared as a "
            "shift. Make sure every prediction scored against them is de-standardised first.",
            evidence={"kind": "units", "columns": other_units, "train_mean": float(train_mean),
                      "train_std": float(train_std), "val_mean": float(val_mean), "val_std": float(val_std)},
            location=f"target columns {_listing(other_units)}",
        )
