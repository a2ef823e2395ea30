"""Verdicts for the label codes D106 (class imbalance) and D110 (wrong training labels).

D106 reads the label counts of the training data (class ids, or token ids of sequence
targets). D110 reads the label probe's out-of-sample results (``probes.label_probe``): suspect
labels counted against what the probe's own probabilities predict, the recalibrated noise
floor, and how the validation labels follow the training mapping. The adapter
(``checks/data.py``) measures; what counts as imbalanced or noisy is decided here.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm

from ..findings import Finding, Severity
from . import verdict
from .curves import IMBALANCE_RATIO, PARADOX_MIN_SUPPORT
from .data import LEAK_SHARE, _listing
from .splits import LABEL_SHIFT_TVD, SHIFT_ALPHA

# -- thresholds ---------------------------------------------------------------------------
MIN_LABELS = 50  # fewer labels than this say little about class shares
# D106: a majority of 80%, or a largest class five times the average share of the others, is a warning (below
# that, a largest class IMBALANCE_RATIO times the smallest is information): accuracy is then mostly the
# majority's share. With two classes the average of the others is the minority; with many, a rare class among
# many similar ones (a language's rarer letters) leaves no class dominant, and no accuracy paradox to risk.
IMBALANCE_MAJORITY = 0.8
IMBALANCE_WARN_RATIO = 5
# D106: the risk is that accuracy hides the rare classes. When checkup's trained trial scores an accuracy less than
# 5 points above its balanced accuracy (mean per-class recall), it does not: the risk was not realised, information.
ACCURACY_OVERSTATES = 0.05
# D106, sequence targets: one token id on the majority of target positions is won by predicting it everywhere.
TOKEN_MAJORITY = 0.5
# D110: the suspect count is read only from a linear probe that clearly found the labels (p below this, and
# at least half the way from chance to perfect accuracy), else its doubts are its own misfit.
PROBE_TRUST_P = 1e-3
INFORMATIVE_SHARE = 0.5
SUSPECT_SHARE = 0.02  # flagged labels; the flagged share underestimates the wrong share (low recall)
SUSPECT_EXCESS = 2.0  # flagged at least twice what the probe's own probabilities predict for clean labels
SUSPECT_P = 1e-3  # Poisson: more suspects than clean labels give, beyond chance
FLOOR_SHARE = 0.1  # labels drawn regardless of the inputs: one in ten, a share worth relabelling
FLOOR_MAX = 0.5  # above half, most labels do not follow the inputs: the probe cannot tell noise from its own misfit
FLOOR_LINEAR_SHARE = 2 / 3  # the linear probe finds most (two thirds) of the local probe's lift over chance, else
# its posterior has the wrong shape (classes made of several clusters) and its misfit can look like a floor
NOISE_ALPHA = 1e-3  # validation labels agree with the training mapping better than training labels: p below this
NOISE_GAP = 0.05  # ... by at least 5 points of accuracy: a share of wrong labels that matters
FLIP_BAYES_FACTOR = 100.0  # validation inputs follow the training label shares, not their own: "decisive" (Jeffreys)


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


# -- D106: class imbalance ------------------------------------------------------------------
@dataclass
class ClassShares:
    """How many training labels each class holds (``classes`` and ``counts`` as ``np.unique`` gives them).

    ``loop_in_class_order``: the labels are the first batches of the user's loop and those come in
    class order (or hold one class only), so their shares are not the data's; the adapter's call.
    ``handled_by``: how the setup already counters the imbalance on purpose (loss class weights, a
    weighted sampler, an output bias at the prior), or None; the adapter measures it only when
    :func:`imbalance_severity` says the verdict will speak.
    """

    classes: np.ndarray
    counts: np.ndarray
    scope: str = ""
    loop_in_class_order: bool = False
    handled_by: str | None = None
    trial_recall: dict[int, float] | None = None  # per-class validation recall of checkup's trained trial copy
    trial_support: dict[int, int] | None = None
    per_position: bool = False  # a label per position of each row (a segmentation mask), counted per position
    # (rarest class's loss weight over the largest's, where) when the loss weighs the common classes more
    deepened_by: tuple[float, str] | None = None


def minority_recalled(m: ClassShares) -> tuple[float, float] | None:
    """(accuracy, balanced accuracy) of the trial when the first overstates the second by under ``ACCURACY_OVERSTATES``
    (every class with ``PARADOX_MIN_SUPPORT`` validation samples): accuracy does not hide the rare classes; else None."""
    recall, support = m.trial_recall, m.trial_support
    if not recall or not support or len(recall) < 2 or any(support.get(c, 0) < PARADOX_MIN_SUPPORT for c in recall):
        return None
    accuracy = sum(recall[c] * support[c] for c in recall) / sum(support[c] for c in recall)
    balanced = sum(recall.values()) / len(recall)
    return (accuracy, balanced) if accuracy - balanced < ACCURACY_OVERSTATES else None


@dataclass
class TokenShares:
    """How many target positions each token id fills (sequence targets, positions at ``ignore_index`` dropped)."""

    tokens: np.ndarray
    counts: np.ndarray
    scope: str = ""
    ignore_index: int | None = None
    masked: int = 0  # target positions at ignore_index: the loop already masks its padding


def enough_labels(m: ClassShares | TokenShares) -> bool:
    """Whether there are enough labels (``MIN_LABELS``) for their shares to mean anything."""
    return int(np.sum(m.counts)) >= MIN_LABELS


def imbalance_severity(m: ClassShares) -> Severity | None:
    """The severity of an imbalance between two or more classes before any compensation, or None when balanced."""
    if not enough_labels(m) or m.loop_in_class_order or len(m.classes) < 2:
        return None
    counts = np.asarray(m.counts)
    shares = counts / counts.sum()
    majority, ratio = float(shares.max()), float(counts.max() / counts.min())
    dominance = majority / ((1 - majority) / (len(counts) - 1))  # the largest share over the others' average
    if (majority >= IMBALANCE_MAJORITY or dominance >= IMBALANCE_WARN_RATIO) and not m.per_position:
        return Severity.WARNING
    if ratio >= IMBALANCE_RATIO or (m.per_position and majority >= IMBALANCE_MAJORITY):
        # per position, a dominant background is what a mask is (as a long tail is what language is): information,
        # and the trial's recall (G603) says whether the model fell for it
        return Severity.INFO
    return None


@verdict("D106")
def class_imbalance(m: ClassShares | TokenShares) -> Iterator[Finding]:
    """One class (or one token id) the model can win by predicting it everywhere.

    Classes: one class only, or the largest ``IMBALANCE_RATIO`` times the smallest; an imbalance the
    setup already compensates for is information. Tokens: a long-tailed (Zipfian) distribution is
    what language is, so the ratio rule does not apply; one id filling most positions (padding counted
    in the loss) does.
    """
    if isinstance(m, TokenShares):
        yield from _token_imbalance(m)
        return
    if not enough_labels(m) or m.loop_in_class_order:
        return  # the loop's first batches, in class order: their shares are not the data's
    classes, counts, scope = m.classes, np.asarray(m.counts), m.scope
    if len(classes) == 1:
        yield Finding(
            "D106", Severity.WARNING,
            f"Only one class ({int(classes[0])}) appears in the training labels ({scope}); the model can only learn "
            "to predict it.",
            evidence={"shares": {int(classes[0]): 1.0}, "majority_share": 1.0, "scope": scope},
            location=f"class {int(classes[0])}",
        )
        return
    severity = imbalance_severity(m)
    if severity is None:
        return
    shares = counts / counts.sum()
    majority, ratio = float(shares.max()), float(counts.max() / counts.min())
    rarest, largest = int(classes[np.argmin(counts)]), int(classes[np.argmax(counts)])
    handled = m.handled_by
    recalled = minority_recalled(m)
    if handled or recalled:
        severity = Severity.INFO
    yield Finding(
        "D106", severity,
        f"Classes are imbalanced: class {largest} holds {_pct(majority)} of the training labels and class {rarest} "
        f"only {_pct(float(shares.min()))} ({ratio:.3g}x rarer) in {scope}. Always predicting class {largest} "
        f"already scores {_pct(majority)} accuracy."
        + (f" The setup already compensates with {handled}; judge it by per-class recall, not accuracy." if handled else "")
        + (f" The {m.deepened_by[1]} weigh the common classes more (class {rarest} weighs {m.deepened_by[0]:.3g}x class "
           f"{largest}): they deepen the imbalance instead of countering it; weigh each class by the inverse of its share."
           if m.deepened_by else "")
        + (f" Trained as it is (checkup's trial, or the run's own last evaluation), the model recognises the rare classes "
           f"about as well as the common ones (validation "
           f"accuracy {recalled[0]:.2f}, balanced accuracy {recalled[1]:.2f}): the imbalance did not cost them here; keep "
           "judging by per-class recall."
           if recalled and not handled else ""),
        evidence={"shares": {int(k): float(v) for k, v in zip(classes, shares)}, "majority_share": majority,
                  "imbalance_ratio": ratio, "scope": scope, "handled_by": handled,
                  "loss_weight_rare_to_common": m.deepened_by[0] if m.deepened_by else None,
                  "trial_recall": m.trial_recall if recalled else None},
        location=f"class {rarest}",
    )


def _token_imbalance(m: TokenShares) -> Iterator[Finding]:
    """Sequence targets: one token id filling most target positions, the padding a loss should ignore."""
    if not enough_labels(m):
        return
    counts = np.asarray(m.counts)
    top = int(np.argmax(counts))
    share = float(counts[top] / counts.sum())
    if share < TOKEN_MAJORITY:
        return
    token = int(m.tokens[top])
    scope = m.scope
    if m.masked:
        # the targets already hold the loss's ignore_index where nothing is to be learned (padding): the dominant
        # token among the rest is a real label, as "O" is in entity tagging
        yield Finding(
            "D106", Severity.INFO,
            f"Token id {token} fills {_pct(share)} of the target positions the loss reads ({scope}; {m.masked} "
            f"positions at ignore_index {m.ignore_index} are already left out, so it is a label, not padding): "
            "predicting it everywhere already scores that token accuracy, so judge the model by per-token recall or "
            "entity F1.",
            evidence={"token": token, "majority_share": share, "distinct_tokens": len(m.tokens), "scope": scope,
                      "ignore_index": m.ignore_index, "masked_positions": m.masked, "inert": True},
            location=f"token {token}",
        )
        return
    yield Finding(
        "D106", Severity.WARNING,
        f"Token id {token} fills {_pct(share)} of the target positions ({scope}); predicting it everywhere already "
        f"scores {_pct(share)} token accuracy. In a sequence task this is usually padding or a filler counted in the "
        f"loss: mark those positions with the loss's ignore_index (e.g. -100, or CrossEntropyLoss(ignore_index={token})).",
        evidence={"token": token, "majority_share": share, "distinct_tokens": len(m.tokens), "scope": scope,
                  "ignore_index": m.ignore_index},
        location=f"token {token}",
    )


# -- D110: wrong training labels ------------------------------------------------------------------
@dataclass
class LabelNoise:
    """The label probe's results on classification labels that D111 found paired with their inputs.

    Mirrors ``probes.label_probe.LabelProbe`` (see there for each number); ``suspect_probability``
    is the out-of-sample probability under which the probe called a label suspect. Three fields
    come from other probes and are read only when a validation comparison needs them
    (:func:`disagreement_candidates`, :func:`reverse_candidates`): ``split_label_p``, the chi-square
    p of the label shares between the splits, and ``inputs_shifted``, whether any input unit moved
    (both D109's), then, unless the labels moved, ``val_copied_share``, the share of validation rows
    copied from training (D108's).
    """

    n: int
    scores: dict[str, float]
    chance: float
    suspect_probability: float
    p_value: float = 1.0
    suspect_rows: list[int] = field(default_factory=list)
    suspect_count: int = 0
    expected_suspects: float = 0.0
    suspect_p_value: float = 1.0
    noise_floor: float = 0.0
    noise_floor_p: float = 1.0
    val_noise_floor: float = 0.0
    val_noise_floor_p: float = 1.0
    val_n: int = 0
    val_scores: dict[str, float] = field(default_factory=dict)
    val_p_values: dict[str, float] = field(default_factory=dict)
    bag_of_tokens: bool = False
    label_shift_p: float = 1.0
    label_shift_tvd: float = 0.0
    inputs_follow_train_log_lr: float = 0.0
    inputs_follow_train_fit_p: float = 0.0
    split_label_p: float | None = None
    val_copied_share: float | None = None
    # the mirror comparison (probes fitted on validation labels) and whether D109's test moved any input unit
    reverse_val_scores: dict[str, float] = field(default_factory=dict)
    reverse_train_scores: dict[str, float] = field(default_factory=dict)
    reverse_p_values: dict[str, float] = field(default_factory=dict)
    reverse_suspect_rows: list[int] = field(default_factory=list)
    inputs_shifted: bool | None = None
    next_token: bool = False  # the labels are the next of the tokens the model reads (Setup.next_token)
    augmented_inputs: bool = False  # the training dataset transforms its inputs at random on every read (augmentation)
    classes: int = 0  # distinct training labels (0: not known)
    forest_floor: float | None = None  # the floor read from a random forest's probabilities, when floor_in_question
    forest_floor_p: float = 1.0

    @property
    def best_probe(self) -> str:
        return max(self.scores, key=self.scores.get) if self.scores else ""


def floor_in_question(classes: int, floor: float, floor_p: float) -> bool:
    """The linear probe's noise floor would be read (three or more classes, a share worth relabelling, beyond chance):
    only then is it read again from a random forest's probabilities, whose fit costs seconds."""
    return classes != 2 and floor_p < NOISE_ALPHA and FLOOR_SHARE <= floor < FLOOR_MAX


def noise_floor_found(m: LabelNoise) -> bool:
    """A share of labels (FLOOR_SHARE up to FLOOR_MAX) looks drawn regardless of the inputs, read by a linear probe that fits.

    The floor is fitted to the linear probe; labels redrawn at random cap the local probe as
    much, so a local probe far ahead of the linear one means the linear posterior has the wrong
    shape, and then nothing is said. The neighbours miss such shapes in many dimensions (classes
    made of several clusters), a random forest fits them: the floor must show in its probabilities
    too (``forest_floor`` at least ``FLOOR_SHARE``, p below ``NOISE_ALPHA``). A bag of tokens'
    probabilities are not calibrated enough to count suspects, and its misfit of a task (a weak
    probe on topics) can look like a floor too: on tokens a floor counts only when the validation
    labels, scored by the same fold probes, do not share it (labels wrong in both splits then rest
    on the other readings). Dense features keep the floor that both splits share: there it is labels
    wrong throughout. With two classes a floor only bounds the probability of either outcome, which
    outcomes that are never certain given the inputs bound as well (a fault that happens at random):
    it is read for three or more classes, where it spreads over every class alike.
    """
    if not floor_in_question(m.classes, m.noise_floor, m.noise_floor_p):
        return False
    lift = {name: score - m.chance for name, score in m.scores.items()}
    fits = lift["logistic regression"] >= FLOOR_LINEAR_SHARE * max(lift.values())
    in_forest = m.forest_floor is None or (m.forest_floor >= FLOOR_SHARE and m.forest_floor_p < NOISE_ALPHA)
    shared = m.bag_of_tokens and m.val_noise_floor_p < NOISE_ALPHA and m.val_noise_floor >= FLOOR_SHARE
    return m.p_value < NOISE_ALPHA and fits and in_forest and not shared


def labels_moved_inputs_not(m: LabelNoise) -> bool:
    """Class shares moved between the splits by a share that matters (D109's own bar), the inputs did not.

    A real label shift moves the inputs with the labels; one-way label flips leave them where
    they were. The validation inputs must follow the training shares decisively better than
    their own (Bayes factor) and fit them (not rejected at the noise level).
    """
    return m.val_n > 0 and m.p_value < NOISE_ALPHA and m.label_shift_p < SHIFT_ALPHA \
        and m.label_shift_tvd >= LABEL_SHIFT_TVD and m.inputs_follow_train_fit_p >= NOISE_ALPHA \
        and m.inputs_follow_train_log_lr >= np.log(FLIP_BAYES_FACTOR)


def disagreement_candidates(m: LabelNoise) -> list[tuple[float, str, float, float]]:
    """(p, probe, validation accuracy, training accuracy) of the probes whose validation labels follow the mapping clearly better.

    Read from the probes' argmax accuracies, so a bag of tokens' uncalibrated probabilities serve as well as any.
    An adapter reads ``split_label_p`` and ``val_copied_share`` only when this is not empty.
    """
    candidates = []
    for name, p in m.val_p_values.items():
        val_score, train_score = m.val_scores[name], m.scores[name]
        if p < NOISE_ALPHA and val_score - train_score >= NOISE_GAP and _informative(m, val_score) \
                and not _another_probe_disagrees(m, name):
            candidates.append((p, name, val_score, train_score))
    return candidates


def _informative(m: LabelNoise, score: float) -> bool:
    return score >= m.chance + INFORMATIVE_SHARE * (1 - m.chance)


def _another_probe_disagrees(m: LabelNoise, name: str) -> bool:
    """Whether another informative probe agrees with the training labels too well for the share of wrong labels that
    probe ``name`` implies.

    Wrong training labels lower every probe's agreement with them: a probe that agrees with a
    share ``v`` of clean (validation) labels agrees with about ``v (1 - s)`` of training labels of
    which a share ``s`` is wrong, plus at most ``(1 - v) s`` where a wrong label lands on its
    prediction by chance. One probe alone falling behind on the training rows (a nearest-neighbour
    probe on inputs augmented with noise in training only, say) is a difference of the inputs, not
    of the labels.
    """
    wrong = 1.0 - m.scores[name] / m.val_scores[name]
    z = float(norm.isf(NOISE_ALPHA))
    for other, val_score in m.val_scores.items():
        train_score = m.scores.get(other)
        if other == name or train_score is None or not _informative(m, val_score) or not m.n or not m.val_n:
            continue
        expected = val_score * (1 - wrong)
        variance = train_score * (1 - train_score) / m.n + (1 - wrong) ** 2 * val_score * (1 - val_score) / m.val_n
        error = np.sqrt(variance)
        if train_score - expected - (1 - val_score) * wrong > z * error:
            return True
    return False


def split_labels_shifted(m: LabelNoise) -> bool:
    """The label shares differ between the splits (D109's test): then the two accuracies are not comparable."""
    return m.split_label_p is not None and m.split_label_p < SHIFT_ALPHA


def _splits_comparable(m: LabelNoise) -> bool:
    """Whether accuracies on the two splits can be compared: label shares alike (D109), no validation rows copied
    from training (D108, which the probes remember), no training inputs augmented at random on every read."""
    copied = m.val_copied_share is not None and m.val_copied_share >= LEAK_SHARE
    return not (split_labels_shifted(m) or m.augmented_inputs or copied)


def reverse_candidates(m: LabelNoise) -> list[tuple[float, str, float, float]]:
    """(p, probe, held-out validation accuracy, training accuracy) of the probes fitted on validation labels that
    agree with held-out validation labels clearly better than with the training labels; empty unless every probe
    does (one probe alone falling behind on the training rows is a difference of the inputs, not of the labels).

    Inputs that differ between the splits in ways no per-feature test sees (other writers, patients, sites: a split
    by group) lower the accuracy across the splits both ways, so the gap counts only beyond the drop the same probe
    kind shows from held-out training rows to validation rows; training labels under another mapping leave that
    drop at nothing (the probes fitted on them are as confused on either split)."""
    def excess(name: str) -> float:
        drop = max(0.0, m.scores[name] - m.val_scores[name])
        return m.reverse_val_scores[name] - m.reverse_train_scores[name] - drop

    candidates = [(p, name, m.reverse_val_scores[name], m.reverse_train_scores[name])
                  for name, p in m.reverse_p_values.items()
                  if p < NOISE_ALPHA and excess(name) >= NOISE_GAP and _informative(m, m.reverse_val_scores[name])]
    return candidates if candidates and len(candidates) == len(m.reverse_p_values) else []


def reverse_disagreement(m: LabelNoise) -> tuple[str, float, float, float] | None:
    """(probe, validation accuracy, training accuracy, p) when probes fitted on the validation labels find the training
    labels following another mapping: read only where D109 finds the inputs and the label shares alike (a shift of
    the training inputs lowers that accuracy too), no validation row copied from training and no augmentation."""
    candidates = reverse_candidates(m)
    if not candidates or m.inputs_shifted is not False or not _splits_comparable(m):
        return None
    p, name, val_score, train_score = min(candidates)
    return name, val_score, train_score, p


def validation_disagreement(m: LabelNoise) -> tuple[str, float, float, float] | None:
    """(probe, validation accuracy, training accuracy, p) when validation labels follow the mapping clearly better.

    Both accuracies come from the same fold probes, so they are comparable; a shift of the
    inputs lowers the validation accuracy and cannot raise an alarm. Label shares that differ
    between the splits (D109), validation rows copied from training (D108, which the probes
    remember), or training inputs augmented at random on every read (the probes then score
    transformed training rows against clean validation ones) make the accuracies incomparable,
    so then nothing is said.
    """
    candidates = disagreement_candidates(m)
    if not candidates or not _splits_comparable(m):
        return None
    p, name, val_score, train_score = min(candidates)
    return name, val_score, train_score, p


@verdict("D110")
def wrong_labels(m: LabelNoise) -> Iterator[Finding]:
    """Training labels that contradict their inputs: a noise floor, an excess of suspect labels, validation labels
    that follow the training mapping better than the training labels, or one-way flips between the splits.

    Not for next-token labels: many tokens follow one context, so a share of labels no context predicts is what
    language is, not a labelling error (sequence targets are not probed for the same reason)."""
    if m.next_token:
        return
    linear = m.scores["logistic regression"]
    floor = noise_floor_found(m)
    # the validation comparison reads the probes' argmax only; of their probabilities, only the recalibrated
    # floor reads a bag of tokens' (they are not calibrated enough to count suspects or estimate shares)
    disagreement = validation_disagreement(m)
    mirrored = None if disagreement else reverse_disagreement(m)
    if m.bag_of_tokens:
        flagged = flipped = False
    else:
        trusted = m.p_value < PROBE_TRUST_P and linear >= m.chance + INFORMATIVE_SHARE * (1 - m.chance)
        excess = m.suspect_count >= SUSPECT_EXCESS * m.expected_suspects
        flagged = trusted and m.suspect_count / m.n >= SUSPECT_SHARE and excess and m.suspect_p_value < SUSPECT_P
        flipped = labels_moved_inputs_not(m)
    share = m.suspect_count / m.n
    if not (flagged or disagreement or mirrored or flipped or floor):
        return
    parts = []
    if floor:
        parts.append(
            f"about {_pct(m.noise_floor)} of the {m.n} training labels look drawn regardless of their inputs: "
            f"recalibrated out of fold, the {linear:.2f}-accurate logistic-regression probe's probabilities fit the labels "
            f"far better with that share spread over the classes everywhere (likelihood-ratio p = {m.noise_floor_p:.2g}), "
            "where clean labels would leave the probe near-certain away from the class boundaries")
    if flagged:
        parts.append(
            f"{m.suspect_count} of {m.n} training labels ({_pct(share)}) get an out-of-sample probability below "
            f"{m.suspect_probability:g} from a logistic-regression probe that is {linear:.2f} accurate; if every label were "
            f"right, about {m.expected_suspects:.0f} would (Poisson p = {m.suspect_p_value:.2g})")
    if disagreement:
        name, val_score, train_score, p = disagreement
        parts.append(
            f"the {name} probe fitted on training labels agrees with {_pct(val_score)} of {m.val_n} validation labels "
            f"but only {_pct(train_score)} of held-out training labels (Fisher p = {p:.2g}): the splits do not follow "
            f"one input-to-label mapping, and about {_pct(val_score - train_score)} of the training labels disagree with it")
    if mirrored:
        name, val_score, train_score, p = mirrored
        parts.append(
            f"a {name} probe fitted on the validation labels agrees with {_pct(val_score)} of held-out validation "
            f"labels but only {_pct(train_score)} of the training labels (Fisher p = {p:.2g}), with the inputs and the "
            "class shares alike in both splits: the splits do not follow one input-to-label mapping (a block of "
            "training labels recorded in another code order, by another annotator)")
    if flipped:
        parts.append(
            f"the class shares differ between training and validation by {_pct(m.label_shift_tvd)} (chi-square "
            f"p = {m.label_shift_p:.2g}) but the inputs do not: the {m.best_probe} probe's predictions on the "
            f"validation inputs follow the training shares {np.exp(min(m.inputs_follow_train_log_lr, 700)):.3g} times "
            "more likely than the validation shares (black-box shift estimation). Labels of one split were recorded as "
            "another class (one-way flips), usually in the training set")
    text = "; ".join(parts)
    rows = m.suspect_rows or (m.reverse_suspect_rows if mirrored else [])
    yield Finding(
        "D110", Severity.WARNING,
        f"{text[0].upper()}{text[1:]}. Review rows {_listing(rows, 10)} first (lowest probability of their label).",
        evidence={"suspect_count": m.suspect_count, "suspect_share": share, "expected": m.expected_suspects,
                  "p_value": m.suspect_p_value, "rows": rows, "scores": {k: round(v, 4) for k, v in m.scores.items()},
                  "n": m.n, "val_scores": {k: round(v, 4) for k, v in m.val_scores.items()}, "val_n": m.val_n,
                  "val_p_values": m.val_p_values, "labels_moved_inputs_not": bool(flipped),
                  "validation_disagreement": bool(disagreement), "labels_without_inputs": bool(floor),
                  "validation_mapping_disagreement": bool(mirrored), "reverse_val_scores": m.reverse_val_scores,
                  "reverse_train_scores": m.reverse_train_scores,
                  "noise_floor": m.noise_floor, "noise_floor_p": m.noise_floor_p, "forest_floor": m.forest_floor,
                  "label_shift_tvd": m.label_shift_tvd, "label_shift_p": m.label_shift_p,
                  "inputs_follow_train_log_lr": m.inputs_follow_train_log_lr},
        location=f"rows {_listing(rows, 5)}",
    )
