"""Label probe: can a quick scikit-learn model predict the targets from the inputs out of sample?

Two probes, a linear one (logistic / ridge regression) and a local one (k nearest
neighbours, which also sees non-linear structure such as XOR), are scored with 5-fold
cross-validation on at most ``MAX_ROWS`` standardised rows. Labels that no probe can
predict better than the majority class (R² ≤ 0 for regression) are not paired with their
inputs (D111); when the linear probe is clearly informative, samples whose given label gets
a very low out-of-sample probability are candidates for wrong labels (D110). Their count is
compared with the count the probe's own probabilities predict if every label were right
(the sum of the class probabilities below the cut-off), so hard, overlapping classes are
not mistaken for noise.

A probe trained on noisy labels learns the noise too, so at high noise rates the flagged
count matches what its own probabilities predict. Noise redrawn at random still leaves a
floor of probability on every class far from the class boundaries, where a logistic posterior
would be near-certain: :func:`noise_floor` recalibrates the linear probe's out-of-fold
probabilities with and without such a floor and tests the difference, on the training labels
alone (no validation split needed, token inputs included). When a validation split is given, the
fold probes also predict it: if they agree with the validation labels clearly more often than
with the held-out training labels, the two splits do not follow the same input-to-label
mapping, and the training labels are the ones that look wrong. Columns that hold category
codes are one-hot encoded first, so a coding problem (D112) is not mistaken for unpaired labels.
Token ids that the model looks up in an embedding are ids, not magnitudes: they are probed as
a TF-IDF bag of tokens and adjacent pairs (for D111, and for D110 only through the recalibrated
noise floor: those probes' raw probabilities are not calibrated enough to count suspect labels).
Other integer inputs are not probed.

Labels flipped one way (class a recorded as b) move the class shares between the splits
without moving the inputs. Black-box shift estimation (Lipton et al., 2018) tells the two
apart: with ``C[i, j]`` = P(probe predicts i | label j) on held-out training rows, validation
inputs drawn with class shares ``pi`` get predictions distributed as ``C @ pi``. If the
validation predictions follow the training shares (``C @ pi_train``) far better than their own
label shares (``C @ pi_val``), the inputs did not shift; the labels of one split did.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import data_audit as audit
from ..verdicts.labels import floor_in_question
from .data_audit import CLASSIFICATION, _finite_rows, class_labels, sample_of

MAX_ROWS = 2000
MAX_DIMS = 64  # inputs wider than this are reduced with PCA inside each fold
# regression adds a ridge on every input column up to this width and this many target columns (see
# _probe_regression); its cost grows as width² and with the targets (an autoencoder's hundreds would take seconds)
FULL_WIDTH_DIMS = 1024
FULL_WIDTH_TARGETS = 8
SUSPECT_PROBABILITY = 0.05  # a given label this unlikely out of sample is suspect
CONFIDENCE = 0.99
MIN_VAL_ROWS = 30  # fewer validation labels than this say little about agreement


@dataclass
class LabelProbe:
    """Out-of-sample scores of the probes and the samples whose labels look wrong."""

    task: str
    n: int
    scores: dict[str, float]  # accuracy (classification) or R² (regression) per probe
    chance: float  # majority-class share, or 0.0 (R² of predicting the mean)
    p_value: float = 1.0  # best probe vs chance, Bonferroni over probes (classification)
    upper_bound: float = 1.0  # one-sided 99% upper confidence bound on the best accuracy
    rank_p_value: float = 1.0  # out-of-fold class scores rank a class's rows above the rest (see ranking_p_value)
    suspect_rows: list[int] = field(default_factory=list)
    suspect_count: int = 0
    expected_suspects: float = 0.0  # how many a calibrated probe would flag if every label were right
    suspect_p_value: float = 1.0
    noise_floor: float = 0.0  # share of labels drawn regardless of the inputs (fitted floor, see noise_floor)
    noise_floor_p: float = 1.0  # likelihood-ratio test of that floor against none
    val_noise_floor: float = 0.0  # the same floor fitted to the validation labels, scored by the same fold probes
    val_noise_floor_p: float = 1.0
    val_n: int = 0
    val_scores: dict[str, float] = field(default_factory=dict)  # accuracy of the fold probes on validation labels
    val_p_values: dict[str, float] = field(default_factory=dict)  # one-sided Fisher: validation above training, per probe
    # the mirror: fold probes fitted on the validation labels, their accuracy on held-out validation labels and on the
    # training labels, and the one-sided Fisher p of the first above the second (see _compare_from_validation)
    reverse_val_scores: dict[str, float] = field(default_factory=dict)
    reverse_train_scores: dict[str, float] = field(default_factory=dict)
    reverse_p_values: dict[str, float] = field(default_factory=dict)
    reverse_suspect_rows: list[int] = field(default_factory=list)  # training rows those probes doubt most (linear)
    encoded_columns: list[int] = field(default_factory=list)  # category-code columns one-hot encoded for the probes
    # the probes read token ids as a bag of tokens: their chance-level test and the recalibrated
    # noise floor hold, but their raw probabilities are not calibrated enough to count suspect labels (D110)
    bag_of_tokens: bool = False
    view: str = "inputs"  # "spectrum": the probes read the shift-invariant Fourier modulus (see spectrum_features)
    label_shift_p: float = 1.0  # chi-square: training vs validation label counts
    label_shift_tvd: float = 0.0  # total variation between the two splits' label shares
    inputs_follow_train_log_lr: float = 0.0  # log LR: validation predictions follow C @ pi_train rather than C @ pi_val
    inputs_follow_train_fit_p: float = 0.0  # chi-square fit of the validation predictions to C @ pi_train
    classes: int = 0  # distinct training labels the probes were fitted on (classification)
    # the floor read again from a random forest's out-of-fold probabilities (only when the linear one's is in question)
    forest_floor: float | None = None
    forest_floor_p: float = 1.0

    @property
    def best(self) -> float:
        return max(self.scores.values()) if self.scores else float("nan")

    @property
    def best_probe(self) -> str:
        return max(self.scores, key=self.scores.get) if self.scores else ""


def _pipeline(estimator: Any, dims: int) -> Any:
    from sklearn.decomposition import PCA
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    steps = [StandardScaler()]
    if dims > MAX_DIMS:
        steps += [PCA(n_components=MAX_DIMS, random_state=0), StandardScaler()]
    return make_pipeline(*steps, estimator)


def probe_labels(x: np.ndarray, y: np.ndarray, task: str, rows: np.ndarray | None = None, seed: int = 0,
                 val: tuple[np.ndarray, np.ndarray] | None = None) -> LabelProbe | None:
    """Cross-validated probe scores for inputs ``x`` (any shape, flattened) and targets ``y``.

    ``val`` (inputs, targets of a validation split, classification only) is scored by the same
    fold probes, to compare how well the two splits' labels follow the training mapping.
    """
    if len(x) < 30:
        return None
    x = x.reshape(len(x), -1).astype(np.float64)
    rows = np.arange(len(x)) if rows is None else rows
    if task in CLASSIFICATION:
        labels = class_labels(y, task)
        if labels is None or len(labels) != len(x):
            return None
        val_pair = None
        if val is not None and val[0].reshape(len(val[0]), -1).shape[1] == x.shape[1]:
            val_labels = class_labels(val[1], task)
            if val_labels is not None and len(val_labels) == len(val[0]):
                val_pair = (val[0].reshape(len(val[0]), -1).astype(np.float64), val_labels)
        return _probe_classes(x, labels, task, rows, seed, val_pair)
    if task == "regression":
        targets = y.reshape(len(y), -1).astype(np.float64)
        keep = np.isfinite(targets).all(axis=1)
        return _probe_regression(x[keep], targets[keep], seed)
    return None


def _probe_classes(x: np.ndarray, labels: np.ndarray, task: str, rows: np.ndarray, seed: int,
                   val: tuple[np.ndarray, np.ndarray] | None = None) -> LabelProbe | None:
    from scipy.stats import binomtest, poisson
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    classes, counts = np.unique(labels, return_counts=True)
    keep = np.isin(labels, classes[counts >= 2])
    x, labels, rows = x[keep], labels[keep], rows[keep]
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) < 2 or len(labels) < 30:
        return None
    if val is not None:
        known = np.isin(val[1], classes)
        val = (val[0][known], val[1][known]) if known.sum() >= MIN_VAL_ROWS else None
    probes = {
        "logistic regression": LogisticRegression(max_iter=200, tol=1e-3),
        "15-nearest neighbours": KNeighborsClassifier(n_neighbors=min(15, len(labels) // 4)),
    }
    folds = int(min(5, counts.min()))
    probabilities, val_probabilities = {}, {}
    for name, estimator in probes.items():
        probabilities[name], val_probabilities[name] = fold_probabilities(estimator, x, labels, classes, folds, seed, val)
    scores = {name: float(np.mean(classes[proba.argmax(axis=1)] == labels)) for name, proba in probabilities.items()}
    chance = float(counts.max() / counts.sum())
    n = len(labels)
    best = max(scores.values())
    test = binomtest(round(best * n), n, chance, alternative="greater")
    upper = float(binomtest(round(best * n), n).proportion_ci(2 * CONFIDENCE - 1).high)
    result = LabelProbe(task, n, scores, chance, min(1.0, test.pvalue * len(probes)), upper)
    result.classes = len(classes)
    result.rank_p_value = ranking_p_value(probabilities, labels, classes, [held for _, held in fold_rows(labels, folds, seed)])
    index = np.searchsorted(classes, labels)
    result.noise_floor, result.noise_floor_p = noise_floor(probabilities["logistic regression"], index)
    if floor_in_question(len(classes), result.noise_floor, result.noise_floor_p):
        result.forest_floor, result.forest_floor_p = forest_floor(x, labels, classes, folds, seed)
    # a linear probe on a task it cannot represent is over-confident where it is wrong; at its own
    # best-fitting temperature, confident misses beyond what it predicts are the labels' doing
    proba = recalibrated(probabilities["logistic regression"], index)
    given = proba[np.arange(n), index]
    suspect = given < SUSPECT_PROBABILITY
    result.suspect_count = int(suspect.sum())
    result.expected_suspects = float(np.where(proba < SUSPECT_PROBABILITY, proba, 0.0).sum())
    result.suspect_p_value = float(poisson.sf(result.suspect_count - 1, max(result.expected_suspects, 1e-9)))
    order = np.argsort(given[suspect])
    result.suspect_rows = [int(r) for r in rows[suspect][order][:20]]
    if val is not None:
        _compare_with_validation(result, probabilities, val_probabilities, labels, val[1], classes)
        best = result.best_probe
        _shift_or_flip(result, probabilities[best], val_probabilities[best], labels, val[1], classes)
        _compare_from_validation(result, probes, x, labels, rows, val, classes, seed)
    return result


def forest_floor(x: np.ndarray, labels: np.ndarray, classes: np.ndarray, folds: int, seed: int) -> tuple[float, float]:
    """:func:`noise_floor` read from a small random forest's out-of-fold probabilities, on the probes' folds.

    A floor fitted to the linear probe can be its own misfit: classes made of several clusters
    leave it confident where another class's cluster sits. A forest fits such shapes (near-certain
    inside each cluster on clean labels), while labels redrawn at random keep their floor under any
    probe: a floor in the labels shows in both (D110).
    """
    from sklearn.ensemble import RandomForestClassifier

    forest = RandomForestClassifier(n_estimators=50, min_samples_leaf=3, random_state=seed, n_jobs=1)
    proba, _ = fold_probabilities(forest, x, labels, classes, folds, seed, None)
    return noise_floor(proba, np.searchsorted(classes, labels))


def _compare_from_validation(result: LabelProbe, probes: dict[str, Any], x: np.ndarray, labels: np.ndarray,
                             rows: np.ndarray, val: tuple[np.ndarray, np.ndarray], classes: np.ndarray,
                             seed: int) -> None:
    """The validation comparison the other way round: fold probes fitted on the validation labels, scored on held-out
    validation labels and on the training labels (each training row by one fold probe, fitted on as many rows).

    Probes fitted on training labels of which a block follows another mapping (one annotator's codes in another
    order) learn the mixture and agree as little with clean validation labels as with the training ones; probes
    fitted on the clean split are not confused, and agree with its held-out labels far more than with the training
    labels. A shift of the training inputs away from validation's lowers the training accuracy too: the verdict
    reads this only where D109's tests find the inputs and the label shares alike.
    """
    val_x, val_labels = val
    _, val_counts = np.unique(val_labels, return_counts=True)
    folds = int(min(5, val_counts.min()))
    if folds < 2 or len(val_labels) < 2 * MIN_VAL_ROWS:
        return
    for name, estimator in probes.items():
        held, on_train = fold_probabilities(estimator, val_x, val_labels, classes, folds, seed, (x, labels))
        val_right = int(np.sum(classes[held.argmax(axis=1)] == val_labels))
        train_right = int(np.sum(classes[on_train.argmax(axis=1)] == labels))
        result.reverse_val_scores[name] = val_right / len(val_labels)
        result.reverse_train_scores[name] = train_right / len(labels)
        result.reverse_p_values[name] = _agrees_more_p(val_right, len(val_labels), train_right, len(labels),
                                                       len(probes))
        if name == "logistic regression":
            given = on_train[np.arange(len(labels)), np.searchsorted(classes, labels)]
            result.reverse_suspect_rows = [int(r) for r in rows[np.argsort(given, kind="stable")[:20]]]


def ranking_p_value(probabilities: dict[str, np.ndarray], labels: np.ndarray, classes: np.ndarray,
                    folds: list[np.ndarray]) -> float:
    """p-value that some probe's out-of-fold scores rank a class's rows above the other rows.

    Accuracy against the majority share only sees a probe whose argmax beats the majority
    class, which a minority class can rarely win (10:1 imbalance, a boundary the quick probes
    only approximate) even when its probability clearly follows the inputs. Labels unpaired
    with their inputs leave a fold model's scores on its held-out rows independent of their
    labels, so a class's scores rank its own rows no higher than the others (AUC 0.5): a
    one-sided Mann-Whitney U per held-out fold (``folds``: the held-out rows of each), probe and
    class (one-vs-rest; one class stands for both when there are two) is exact under that null.
    Fold models share most of their training rows, so their tests are correlated (pooling the
    folds, or summing their z, rejects too often): Bonferroni over all of them.
    """
    from scipy.stats import mannwhitneyu

    tested = classes[1:] if len(classes) == 2 else classes
    p_values = []
    for proba in probabilities.values():
        for held in folds:
            for c in tested:
                column, own = proba[held, int(np.searchsorted(classes, c))], labels[held] == c
                if own.any() and (~own).any():
                    p_values.append(float(mannwhitneyu(column[own], column[~own], alternative="greater").pvalue))
    return min(1.0, min(p_values) * len(p_values)) if p_values else 1.0


def noise_floor(proba: np.ndarray, index: np.ndarray) -> tuple[float, float]:
    """(share, p): the share of labels drawn without regard to the inputs, and its likelihood-ratio p-value.

    A probe fitted to noisy labels learns them too, so counting labels it finds unlikely
    misses heavy noise. Noise leaves another trace: a logistic posterior tends to 0 or 1 far
    from the class boundaries, but labels redrawn at random keep a floor of probability
    everywhere. The out-of-fold probabilities ``proba`` (labels ``index``) are recalibrated two
    ways by maximum likelihood: a temperature alone, and a temperature plus a floor (a share
    ``s`` of labels drawn from the class shares whatever the input):
    ``(1 - s) softmax(a log p) + s shares``. The temperature absorbs a probe that is merely
    over- or under-confident (too few rows per dimension), so only a floor the labels insist on
    is reported. ``s = 0`` lies on the boundary of the one added parameter, so twice the
    log-likelihood gain follows an even mixture of 0 and chi-square(1) (Self and Liang, 1987).
    """
    from scipy.optimize import minimize
    from scipy.special import expit
    from scipy.stats import chi2

    k = proba.shape[1]
    shares = np.bincount(index, minlength=k)[index] / len(index)
    fitted, null_x, null_nll = _temperature_fit(proba, index)

    def floored(theta: np.ndarray) -> float:
        s = expit(theta[1])
        return -float(np.sum(np.log((1 - s) * fitted(theta[0]) + s * shares + 1e-300)))

    best = minimize(floored, np.array([null_x, -3.0]), method="L-BFGS-B")
    gain = max(0.0, null_nll - best.fun)
    return float(expit(best.x[1])), float(0.5 * chi2.sf(2 * gain, 1)) if gain > 0 else 1.0


def _temperature_fit(proba: np.ndarray, index: np.ndarray) -> tuple[Any, float, float]:
    """(probability of each row's label at log-temperature ``log_a``, the best ``log_a``, its negative log-likelihood).

    The probabilities are recalibrated as ``softmax(a log p)``; ``a`` is fitted to the labels
    by maximum likelihood (bounded to e^±5).
    """
    from scipy.optimize import minimize_scalar
    from scipy.special import log_softmax

    logp = np.log(np.clip(proba, 1e-12, 1.0))
    rows = np.arange(len(index))

    def fitted(log_a: float) -> np.ndarray:
        return np.exp(log_softmax(np.exp(log_a) * logp, axis=1)[rows, index])

    null = minimize_scalar(lambda log_a: -float(np.sum(np.log(fitted(log_a) + 1e-300))), bounds=(-5.0, 5.0), method="bounded")
    return fitted, float(null.x), float(null.fun)


def recalibrated(proba: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``proba`` at the temperature that fits the labels ``index`` best (over- or under-confidence removed)."""
    from scipy.special import log_softmax

    _, log_a, _ = _temperature_fit(proba, index)
    return np.exp(log_softmax(np.exp(log_a) * np.log(np.clip(proba, 1e-12, 1.0)), axis=1))


def fold_rows(labels: np.ndarray, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (fit, held-out) rows of each stratified fold the probes use (the same for every probe)."""
    from sklearn.model_selection import StratifiedKFold

    return list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros((len(labels), 1)), labels))


def fold_probabilities(estimator: Any, x: np.ndarray, labels: np.ndarray, classes: np.ndarray, folds: int, seed: int,
                       val: tuple[np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Out-of-fold class probabilities for every row, and class probabilities for every ``val`` row.

    Each validation row is scored by one fold probe (the rows dealt to the folds at random), as
    each training row is: the two splits are then predicted by the same kind of model, fitted on
    the same number of rows. The mean of the fold probes is an ensemble, more accurate than any
    one of them (most of all for nearest neighbours in many dimensions), and would make
    validation look easier to predict than held-out training rows on clean data.
    Public because the suspect-label remedy (:mod:`nndoctor.fix.data_remedies`) reuses this fold
    loop, so the rows it drops are the rows this probe doubts.
    """
    from sklearn.base import clone

    proba = np.zeros((len(labels), len(classes)))
    val_proba = np.zeros((len(val[0]), len(classes))) if val is not None else None
    val_fold = np.random.default_rng(seed).permutation(len(val[0])) % folds if val is not None else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fold, (fit_rows, held_rows) in enumerate(fold_rows(labels, folds, seed)):
            model = clone(_pipeline(estimator, x.shape[1])).fit(x[fit_rows], labels[fit_rows])
            columns = np.searchsorted(classes, model.classes_)
            proba[np.ix_(held_rows, columns)] = model.predict_proba(x[held_rows])
            if val is not None and np.any(val_fold == fold):
                val_rows = np.flatnonzero(val_fold == fold)
                val_proba[np.ix_(val_rows, columns)] = model.predict_proba(val[0][val_rows])
    return proba, val_proba


def _agrees_more_p(right: int, rows: int, other_right: int, other_rows: int, tests: int) -> float:
    """One-sided Fisher p that ``right`` of ``rows`` is a higher agreement than ``other_right`` of ``other_rows``,
    Bonferroni over ``tests`` probes."""
    from scipy.stats import fisher_exact

    table = [[right, rows - right], [other_right, other_rows - other_right]]
    return min(1.0, float(fisher_exact(table, alternative="greater")[1]) * tests)


def _compare_with_validation(result: LabelProbe, probabilities: dict[str, np.ndarray], val_probabilities: dict[str, np.ndarray],
                             labels: np.ndarray, val_labels: np.ndarray, classes: np.ndarray) -> None:
    """Accuracy of the fold probes on validation labels vs on held-out training labels (each row scored by one fold probe)."""
    result.val_n = len(val_labels)
    for name, proba in probabilities.items():
        train_right = int(np.sum(classes[proba.argmax(axis=1)] == labels))
        val_right = int(np.sum(classes[val_probabilities[name].argmax(axis=1)] == val_labels))
        result.val_scores[name] = val_right / len(val_labels)
        result.val_p_values[name] = _agrees_more_p(val_right, len(val_labels), train_right, len(labels),
                                                   len(probabilities))
    result.val_noise_floor, result.val_noise_floor_p = noise_floor(val_probabilities["logistic regression"],
                                                                   np.searchsorted(classes, val_labels))


def _shift_or_flip(result: LabelProbe, proba: np.ndarray, val_proba: np.ndarray, labels: np.ndarray,
                   val_labels: np.ndarray, classes: np.ndarray) -> None:
    """Do the validation inputs follow the training label shares or their own? (black-box shift estimation)

    ``proba`` are out-of-fold class probabilities on training rows, ``val_proba`` those of
    validation rows (each scored by one fold probe, as each training row is). With ``C[:, j]`` the mean probabilities of
    the training rows labelled j, the validation mean is ``C @ pi`` for the shares ``pi`` its
    inputs were drawn with. The two candidates (training or validation shares) are compared by
    the Gaussian likelihood of the validation mean (central limit theorem; covariance of the
    mean from both splits), on k − 1 columns because the probabilities sum to one.
    """
    from scipy.stats import chi2, chi2_contingency

    k = len(classes)
    index, val_index = np.searchsorted(classes, labels), np.searchsorted(classes, val_labels)
    train_counts, val_counts = np.bincount(index, minlength=k), np.bincount(val_index, minlength=k)
    result.label_shift_p = float(chi2_contingency(np.vstack([train_counts, val_counts]) + 0.5)[1])
    train_shares, val_shares = train_counts / train_counts.sum(), val_counts / val_counts.sum()
    result.label_shift_tvd = float(0.5 * np.abs(train_shares - val_shares).sum())
    given = np.stack([proba[index == j].mean(axis=0) for j in range(k)], axis=1)  # C[i, j]
    cov = np.atleast_2d(np.cov(val_proba[:, :-1], rowvar=False)) / len(val_proba) + \
        np.atleast_2d(np.cov(proba[:, :-1], rowvar=False)) / len(proba)
    precision = np.linalg.pinv(cov)
    observed = val_proba.mean(axis=0)[:-1]
    distance = {}
    for name, shares in (("train", train_shares), ("val", val_shares)):
        gap = observed - (given @ shares)[:-1]
        distance[name] = float(gap @ precision @ gap)
    result.inputs_follow_train_log_lr = 0.5 * (distance["val"] - distance["train"])
    result.inputs_follow_train_fit_p = float(chi2.sf(distance["train"], k - 1))


def _probe_regression(x: np.ndarray, targets: np.ndarray, seed: int) -> LabelProbe | None:
    from sklearn.linear_model import Ridge, RidgeCV
    from sklearn.metrics import r2_score
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if len(targets) < 30 or not np.any(targets.std(axis=0) > 0):
        return None
    folds = KFold(n_splits=5, shuffle=True, random_state=seed)
    neighbours = KNeighborsRegressor(n_neighbors=min(15, len(targets) // 4))
    probes = {"ridge regression": _pipeline(Ridge(alpha=1.0), x.shape[1]),
              "15-nearest neighbours": _pipeline(neighbours, x.shape[1])}
    if MAX_DIMS < x.shape[1] <= FULL_WIDTH_DIMS and targets.shape[1] <= FULL_WIDTH_TARGETS:
        # PCA keeps the directions of most variance, and a sparse wide input (one-hot squares of a board, word
        # counts) carries its signal in many rare columns that the first components miss: a linear target of
        # 768 binary columns scores R² 0.07 after PCA to 64. A ridge on every column, its penalty chosen by
        # leave-one-out inside each fold (from one SVD of the fold's inputs), sees them.
        ridge = RidgeCV(alphas=np.logspace(-1, 4, 11), gcv_mode="svd")
        probes["ridge regression on all inputs"] = make_pipeline(StandardScaler(), ridge)
    scores = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, estimator in probes.items():
            predicted = cross_val_predict(estimator, x, targets, cv=folds)
            scores[name] = float(r2_score(targets, predicted.reshape(targets.shape)))
    return LabelProbe("regression", len(targets), scores, 0.0)


def _encode_codes(x: np.ndarray, val_x: np.ndarray | None, ctx: Any,
                  stats: Any = None) -> tuple[np.ndarray, np.ndarray | None, list[int]]:
    """One-hot encode the category-code columns of a few levels (levels from the training sample) in both splits.

    Only a few: a column of dozens of evenly spaced levels is as often a magnitude (an age in
    years) whose order the linear probe needs; D112's order test, not this encoding, judges it.
    """
    if x.ndim != 2:
        return x, val_x, []
    columns = audit.code_columns(x, stats if stats is not None else audit.train_feature_stats(ctx), max_levels=audit.FEW_LEVELS)
    levels = audit.code_levels(x, columns)
    encoded_val = audit.one_hot_codes(val_x, levels) if val_x is not None and val_x.ndim == 2 else val_x
    return audit.one_hot_codes(x, levels), encoded_val, columns


def embeds_tokens(model: Any) -> bool:
    """Whether the model looks integer inputs up in an embedding table (token ids, not magnitudes)."""
    from torch import nn

    return isinstance(model, nn.Module) and any(isinstance(m, (nn.Embedding, nn.EmbeddingBag)) for m in model.modules())


def token_features(ids: np.ndarray, val_ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Token-id rows as dense features: TF-IDF bag of tokens and adjacent pairs, reduced to ``MAX_DIMS``.

    A token id is a name, not a magnitude, so the probes cannot read ids as numbers. Unigrams
    and bigrams keep what a document's words and short phrases say (terms found in fewer than
    two rows say nothing out of sample and are dropped); a truncated SVD (no labels) keeps the
    probes small. The vocabulary, the weights and the SVD are fitted on the training rows and
    ``val_ids`` together: the label probe compares held-out training rows with validation rows,
    and a transform fitted on one split alone treats the two differently (an SVD with nearly as
    many components as training rows spans each training row's own terms, which the fold probe
    never saw, and drops a validation row's).
    """
    from scipy.sparse import csr_matrix
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer

    ids = ids.reshape(len(ids), -1).astype(np.int64)
    fitted = ids if val_ids is None else np.concatenate([ids, val_ids.reshape(len(val_ids), -1).astype(np.int64)])
    low, width = int(fitted.min()), int(fitted.max() - fitted.min()) + 1

    def terms(rows: np.ndarray) -> np.ndarray:
        """Term ids: the token (0..width-1), then the pair (width + a * width + b); -1 for ids the training rows lack."""
        rows = rows.reshape(len(rows), -1).astype(np.int64) - low
        unknown = (rows < 0) | (rows >= width)
        pairs = np.where(unknown[:, :-1] | unknown[:, 1:], -1, width + rows[:, :-1] * width + rows[:, 1:])
        return np.concatenate([np.where(unknown, -1, rows), pairs], axis=1)

    fitted_terms = terms(fitted)
    vocabulary = np.unique(fitted_terms)
    present = np.zeros(len(vocabulary), dtype=np.int64)
    for row in fitted_terms:  # document frequency: rows that hold each term
        present[np.searchsorted(vocabulary, np.unique(row))] += 1
    vocabulary = vocabulary[present >= 2]

    def counts(found: np.ndarray) -> csr_matrix:
        column = np.searchsorted(vocabulary, found).clip(0, max(len(vocabulary) - 1, 0))
        known = vocabulary[column] == found if len(vocabulary) else np.zeros(found.shape, bool)
        row = np.repeat(np.arange(len(found)), found.shape[1]).reshape(found.shape)
        return csr_matrix((np.ones(int(known.sum())), (row[known], column[known])), shape=(len(found), max(len(vocabulary), 1)))

    tfidf = TfidfTransformer(sublinear_tf=True)
    weighted = tfidf.fit_transform(counts(fitted_terms))
    dims = max(1, min(MAX_DIMS, weighted.shape[0] - 1, weighted.shape[1] - 1))
    reduced = TruncatedSVD(n_components=dims, random_state=0).fit_transform(weighted)
    return reduced[:len(ids)], (reduced[len(ids):] if val_ids is not None else None)


def conv_dims(model: Any) -> int | None:
    """The spatial dimensions (1, 2 or 3) of the model's first convolution, or None without one.

    A convolution reads its input as channels over a grid and, with pooling, recognises a
    pattern wherever on the grid it lies; the probes should be able to see that too.
    """
    from torch import nn

    if not isinstance(model, nn.Module):
        return None
    kinds = {nn.Conv1d: 1, nn.Conv2d: 2, nn.Conv3d: 3}
    return next((kinds[type(m)] for m in model.modules() if type(m) in kinds), None)


def spectrum_features(x: np.ndarray, dims: int) -> np.ndarray:
    """Per channel, the modulus of the Fourier transform over the last ``dims`` (grid) axes, flattened.

    The modulus is unchanged when the pattern moves (circularly) across the grid, so a linear
    or nearest-neighbour probe on it sees what a convolutional net with pooling sees: which
    shapes and frequencies occur, not where. Raw pixels hide that from such probes (a bar at
    another place shares no pixels), and the labels would look unpredictable although they are not.
    """
    axes = tuple(range(x.ndim - dims, x.ndim))
    return np.abs(np.fft.rfftn(x.astype(np.float64), axes=axes)).reshape(len(x), -1)


def _better_view(raw: LabelProbe | None, spectrum: LabelProbe | None) -> LabelProbe | None:
    """The view whose best probe scores higher; its chance-level p-value corrected for testing two views (Bonferroni)."""
    if raw is None or spectrum is None:
        return raw or spectrum
    chosen = spectrum if spectrum.best > raw.best else raw
    if chosen is spectrum:
        chosen.view = "spectrum"
    chosen.p_value = min(1.0, 2 * chosen.p_value)
    return chosen


# Token presence columns kept for a one-token label test: the tokens in the most training rows. A token that
# marks a class appears in about every row of it, so its row count is at least the class's.
PRESENCE_TOKENS = 256


def token_presence(ids: np.ndarray, val_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token-id rows as presence columns (1 where the row holds the token) for the tokens in the most training rows.

    Returns the training and validation presence matrices and the token id of each column: the
    view in which a word that names the label (a "spam" field joined into the text) is one input
    column, wherever in the row it sits.
    """
    ids = ids.reshape(len(ids), -1).astype(np.int64)
    val_ids = val_ids.reshape(len(val_ids), -1).astype(np.int64)
    low = int(min(ids.min(), val_ids.min()))
    width = int(max(ids.max(), val_ids.max())) - low + 1

    def present(rows: np.ndarray) -> Any:
        from scipy.sparse import csr_matrix

        hold = csr_matrix((np.ones(rows.size, dtype=np.float32), (np.repeat(np.arange(len(rows)), rows.shape[1]),
                                                                   (rows - low).reshape(-1))), shape=(len(rows), width))
        hold.sum_duplicates()
        hold.data[:] = 1.0
        return hold

    train = present(ids)
    kept = np.argsort(-np.asarray(train.sum(axis=0)).reshape(-1), kind="stable")[:PRESENCE_TOKENS]
    return train[:, kept].toarray(), present(val_ids)[:, kept].toarray(), kept + low


def probability_targets(y: np.ndarray) -> bool:
    """Whether one-column binary targets are probabilities (a win rate, an annotators' share) rather than labels.

    A label takes two values (0/1, or 0.05/0.95 with smoothing baked in); more than two in [0, 1] are
    the quantity itself, so the probes predict it as a number: rounded to classes, targets near 1/2
    would look like labels no input predicts.
    """
    values = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    if values.shape[1] != 1:
        return False
    finite = values[np.isfinite(values)]
    return bool(len(finite)) and finite.min() >= 0 and finite.max() <= 1 and len(np.unique(finite)) > 2


def token_rows(sample: Any, model: Any) -> bool:
    """Whether an audit sample's inputs are rows of token ids that ``model`` looks up in an embedding."""
    return sample.x_integer and sample.x is not None and sample.x.ndim == 2 and embeds_tokens(model)


def label_probe(ctx: Any) -> LabelProbe | None:
    """The label probe on the training audit sample, compared with the validation sample (cached per checkup).

    Float inputs are probed as they are (category-code columns one-hot encoded); token-id rows
    read by an embedding as a bag of tokens (:func:`token_features`); other integer inputs are not probed.
    A model fed several inputs (``model(x_num, plan_id)``) is probed on all of them side by side
    (the sample's ``whole`` rows, ids one-hot encoded as codes): the labels may live in any of them;
    not when one holds ids of more levels than that encoding takes (user and item ids of a recommender).
    """
    def compute(c: Any) -> LabelProbe | None:
        sample = sample_of(c, "train")
        if sample is None or sample.x is None or sample.y is None or len(sample.x) != len(sample.y):
            return None
        whole = sample.partial_inputs
        if whole and (sample.whole is None or len(sample.whole) != len(sample.y) or _embedded_ids(sample.whole, c.setup.model)):
            return None
        inputs = sample.whole if whole else sample.x
        tokens = not whole and token_rows(sample, c.setup.model)
        if not whole and sample.x_integer and not tokens:
            return None
        keep = _finite_rows(inputs) & _finite_rows(sample.y.reshape(len(sample.y), -1))
        x, y, rows = inputs[keep][:MAX_ROWS], sample.y[keep][:MAX_ROWS], sample.rows[keep][:MAX_ROWS]
        if tokens:
            val = _val_pair(c, x, tokens=True)
            x, val_x = token_features(x, val[0] if val else None)
            columns: list[int] = []
        else:
            val = _val_pair(c, x, whole=whole)
            x, val_x, columns = _encode_codes(x, val[0] if val else None, c, audit.feature_stats(x) if whole else None)
        task = "regression" if c.setup.task == "binary" and probability_targets(y) else c.setup.task
        result = probe_labels(x, y, task, rows, seed=c.setup.seed, val=(val_x, val[1]) if val else None)
        dims = conv_dims(c.setup.model)
        if not tokens and dims and x.ndim == dims + 2:
            result = _better_view(result, probe_labels(
                spectrum_features(x, dims), y, task, rows, seed=c.setup.seed,
                val=(spectrum_features(val_x, dims), val[1]) if val else None))
        if result is not None:
            result.encoded_columns = columns
            result.bag_of_tokens = tokens
        return result

    return ctx.probe("label_probe", compute)


def _embedded_ids(rows: np.ndarray, model: Any) -> bool:
    """Whether several inputs side by side hold an id column the probes cannot read: integer values of more levels
    than the code encoding takes (``FEW_LEVELS``) for a model that looks ids up in an embedding (user and item ids)."""
    if not embeds_tokens(model):
        return False
    for column in rows.reshape(len(rows), -1).T:
        finite = column[np.isfinite(column)]
        if len(finite) and np.all(finite == np.round(finite)) and len(np.unique(finite)) > audit.FEW_LEVELS:
            return True
    return False


def _val_pair(ctx: Any, x: np.ndarray, tokens: bool = False, whole: bool = False) -> tuple[np.ndarray, np.ndarray] | None:
    """Finite validation inputs and targets shaped like the training inputs, at most MAX_ROWS (token ids when ``tokens``;
    all of several inputs side by side when ``whole``)."""
    if ctx.setup.task not in CLASSIFICATION:
        return None
    sample = sample_of(ctx, "val")
    inputs = (sample.whole if whole else sample.x) if sample is not None else None
    if sample is None or inputs is None or sample.y is None or (not whole and sample.x_integer != tokens) \
            or len(inputs) != len(sample.y) or inputs.shape[1:] != x.shape[1:]:
        return None
    keep = _finite_rows(inputs) & _finite_rows(sample.y.reshape(len(sample.y), -1))
    return inputs[keep][:MAX_ROWS], sample.y[keep][:MAX_ROWS]
