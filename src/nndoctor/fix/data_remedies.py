"""Remedies for data faults found by the data audit: category codes fed as magnitudes (D112), a
train/validation split that does not come from one distribution (D109), duplicated training rows
(D107), validation rows copied from training (D108, and G604 when such copies are behind it) and
training labels the inputs contradict (D110).

Each builds candidate Setups from copies (see :mod:`nndoctor.fix.remedies` for the contract):
new datasets are subsets or encodings of the user's rows, the model is a deep copy, and
statistics (code levels, duplicates, label probabilities) come from the training split only,
except the re-split, which by its nature pools the two splits. Whether one helps is decided by
the trials.
"""
from __future__ import annotations

from functools import partial
from typing import Any, Iterator

import numpy as np
import torch
from torch import nn
from torch.utils.data import ConcatDataset, DataLoader, Dataset, Subset, TensorDataset

from ..findings import Finding
from ..probes.data_audit import (
    CLASSIFICATION,
    class_labels,
    code_levels,
    one_hot_tensor,
    row_identity,
    tensor_pair,
)
from ..probes.data_duplicates import (
    NN_WORK,
    cross_split_copies,
    fit_neighbours,
    row_hashes,
)
from ..probes.label_probe import MAX_DIMS, embeds_tokens, fold_probabilities, token_features
from ..setup import Setup
from ..verdicts.curves import MIN_VAL_SAMPLES
from .candidate import Candidate
from .transforms import (
    NotApplicable,
    derive,
    device_of,
    leaf_order,
    map_dataset,
    rebuild_loader,
    sample_input,
    set_module,
)

MAX_ELEMENTS = 50_000_000  # inputs read into memory to find rows to keep (200 MB of float32)
QUANTILE_BINS = 10  # strata for a regression target: its deciles
LABEL_FOLDS = 5
MAX_SUSPECT_SHARE = 0.5  # a probe that doubts most labels is not one to drop rows by


# -- reading a split's rows in dataset order --------------------------------------------------
def _dataset_batches(setup: Setup, split: str) -> Iterator[tuple[Any, Any]]:
    """Every ``(inputs, targets)`` batch of a split in dataset order: an unshuffled loader with the split's own collate."""
    loader = setup.train_loader if split == "train" else setup.val_loader
    if loader is None:
        raise NotApplicable(f"there is no {split} split")
    dataset = loader.dataset
    try:
        len(dataset)  # type: ignore[arg-type]
    except TypeError as exc:
        raise NotApplicable(f"the {split} data is a stream without indices to select rows by") from exc
    for batch in DataLoader(dataset, batch_size=256, shuffle=False, collate_fn=loader.collate_fn):
        yield setup.split_batch(batch)


def _within_memory(split: str, elements: int) -> None:
    if elements > MAX_ELEMENTS:
        raise NotApplicable(f"the {split} split is too large to read into memory (over {MAX_ELEMENTS:,} input values)")


def split_rows(setup: Setup, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Every ``(input, target)`` of a split as two tensors, row ``i`` = dataset item ``i``.

    In-memory TensorDatasets are read as they are; other map-style datasets through an
    unshuffled loader with the split's own collate. Inputs that are not one tensor, or too
    large to hold in memory, make the remedy not applicable.
    """
    pair = tensor_pair(setup, split)
    if pair is not None:
        return pair
    xs, ys, elements = [], [], 0
    for x, y in _dataset_batches(setup, split):
        if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
            raise NotApplicable(f"the {split} inputs or targets are not single tensors")
        elements += x.numel()
        _within_memory(split, elements)
        xs.append(x.detach().cpu())
        ys.append(y.detach().cpu())
    if not xs:
        raise NotApplicable(f"the {split} split yielded no samples")
    return torch.cat(xs), torch.cat(ys)


def split_identities(setup: Setup, split: str) -> np.ndarray:
    """Each row of a split as the audit's copy tests read it (:func:`~nndoctor.probes.data_audit.row_identity`),
    row ``i`` = dataset item ``i``: the remedies for copies (D107, D108) then drop the rows the audit counted,
    whatever form the batches take (several inputs, a dict of ``input_ids`` and masks)."""
    return split_identities_and_targets(setup, split)[0]


def split_identities_and_targets(setup: Setup, split: str) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`split_identities` and, read in the same pass, every target of the split (None when the batches hold
    no target tensors): a ``Trainer``'s dict samples as the label probe and the audit read them."""
    pair = tensor_pair(setup, split)
    if pair is not None:
        return pair[0].detach().cpu().numpy(), pair[1].detach().cpu().numpy()
    parts, targets, elements = [], [], 0
    for x, y in _dataset_batches(setup, split):
        rows = row_identity(x)
        if rows is None:
            raise NotApplicable(f"the {split} inputs hold no tensor to compare rows by")
        elements += rows.size
        _within_memory(split, elements)
        parts.append(rows)
        if isinstance(y, torch.Tensor):
            targets.append(y.detach().cpu().numpy())
    if not parts:
        raise NotApplicable(f"the {split} split yielded no samples")
    try:
        rows = np.concatenate(parts)
    except ValueError as exc:  # padded per batch: rows of different batches have different lengths
        raise NotApplicable(f"the {split} rows differ in length from batch to batch, so they cannot be compared") from exc
    try:
        return rows, (np.concatenate(targets) if len(targets) == len(parts) else None)
    except ValueError:  # per-token targets padded per batch: no one array of them
        return rows, None


def subset(dataset: Dataset, rows: np.ndarray) -> Dataset:
    """The items ``rows`` of ``dataset`` (a new TensorDataset for in-memory tensors, else a Subset)."""
    index = torch.as_tensor(np.asarray(rows, dtype=np.int64))
    if isinstance(dataset, TensorDataset):
        return TensorDataset(*(t[index] for t in dataset.tensors))
    return Subset(dataset, index.tolist())


def _keep_train_rows(setup: Setup, keep: np.ndarray) -> Setup:
    return derive(setup, train=rebuild_loader(setup.train_loader, subset(setup.train_loader.dataset, keep)))


# -- D112: one-hot encode category codes ------------------------------------------------------
def _flagged_code_columns(finding: Finding | None, width: int) -> list[int]:
    columns = (finding.evidence or {}).get("columns") if finding is not None else None
    if not columns or "levels" not in (finding.evidence or {}):
        raise NotApplicable("the finding names no category-code columns (one-hot blocks or flags are left as they are)")
    if any(not 0 <= int(j) < width for j in columns):
        raise NotApplicable(f"the flagged columns {columns[:5]} are not columns of {width}-wide inputs")
    return sorted(int(j) for j in columns)


def _widened_first_linear(setup: Setup, width: int, new_width: int) -> tuple[nn.Module, str]:
    """A copy of the model whose first layer, a Linear reading ``width`` inputs, reads ``new_width``."""
    model = setup.fresh_model()
    order = leaf_order(model, sample_input(setup))
    if not order or not isinstance(order[0][1], nn.Linear) or order[0][1].in_features != width:
        raise NotApplicable(f"the model's first layer is not a Linear reading the {width} input columns")
    name, old = order[0]
    with torch.random.fork_rng(devices=[]):  # the new layer's init is seeded; the user's RNG is untouched
        torch.manual_seed(setup.seed)
        new = nn.Linear(new_width, old.out_features, bias=old.bias is not None)
    set_module(model, name, new.to(device=device_of(model), dtype=old.weight.dtype))
    return model, name


def one_hot_codes(setup: Setup, finding: Finding) -> list[Candidate]:
    """One-hot encode the category-code columns D112 flagged; the model's first Linear reads the wider input."""
    x_train, _ = split_rows(setup, "train")
    if x_train.dim() != 2 or not x_train.is_floating_point():
        raise NotApplicable("the inputs are not a table of floating-point columns")
    width = x_train.shape[1]
    columns = _flagged_code_columns(finding, width)
    levels = code_levels(x_train.double().numpy(), columns)
    new_width = width - len(columns) + sum(len(v) for v in levels.values())
    model, name = _widened_first_linear(setup, width, new_width)
    encode = partial(one_hot_tensor, levels=levels)  # a module-level function: picklable for loader workers
    train = rebuild_loader(setup.train_loader, map_dataset(setup.train_loader.dataset, fn_x=encode))
    val = rebuild_loader(setup.val_loader, map_dataset(setup.val_loader.dataset, fn_x=encode)) if setup.val_loader is not None else None
    shown = ", ".join(f"{j} ({len(v)} levels)" for j, v in levels.items())
    snippet = (
        "from sklearn.preprocessing import OneHotEncoder\n"
        f"codes = {columns}                       # category columns, as integer codes (before any scaling)\n"
        "encoder = OneHotEncoder(handle_unknown='ignore', sparse_output=False).fit(X_train[:, codes])   # training split only\n"
        "rest = [j for j in range(X_train.shape[1]) if j not in codes]\n"
        "X_train = np.hstack([X_train[:, rest], encoder.transform(X_train[:, codes])])\n"
        "X_val = np.hstack([X_val[:, rest], encoder.transform(X_val[:, codes])])\n"
        f"model.{name} = nn.Linear({new_width}, ...)   # the first layer reads {new_width} columns instead of {width}"
    )
    return [Candidate("one-hot-codes", f"one-hot encode the category codes in columns {shown}; first layer {width} -> {new_width} inputs",
                      derive(setup, model=model, train=train, val=val), snippet)]


# -- D109: stratified re-split ---------------------------------------------------------------
def strata(targets: torch.Tensor, task: str, bins: int = QUANTILE_BINS) -> np.ndarray:
    """One stratum per row: the class for classification, the quantile bin of the (first) target for regression.

    Strata with a single row are pooled into one, so that every stratum can be split.
    """
    y = targets.detach().cpu().numpy()
    if task in CLASSIFICATION:
        labels = class_labels(y, task)
        if labels is None or len(labels) != len(y):
            raise NotApplicable("the targets are not one class per row")
    elif task == "regression":
        first = y.reshape(len(y), -1)[:, 0].astype(np.float64)
        if not np.isfinite(first).all():
            raise NotApplicable("some regression targets are not finite")
        edges = np.unique(np.quantile(first, np.linspace(0, 1, bins + 1)[1:-1]))
        labels = np.searchsorted(edges, first, side="right")
    else:
        raise NotApplicable(f"the task is {task}; a stratified split needs one label or target per row")
    values, counts = np.unique(labels, return_counts=True)
    single = np.isin(labels, values[counts < 2])
    labels = labels.copy()
    labels[single] = labels.min() - 1
    return labels


def stratified_resplit(setup: Setup, finding: Finding) -> list[Candidate]:
    """Pool training and validation rows and split them again, stratified and seeded, at the same sizes.

    The candidate is scored on its own validation part, so its trials measure the cure and the luck
    of one validation draw together (the seeds share that draw): it is built only for a D109 finding.
    """
    from sklearn.model_selection import train_test_split

    if setup.val_loader is None:
        raise NotApplicable("there is no validation split to re-split with")
    _, y_train = split_rows(setup, "train")
    _, y_val = split_rows(setup, "val")
    if y_train.shape[1:] != y_val.shape[1:]:
        raise NotApplicable("training and validation targets have different shapes")
    n_train, n_val = len(y_train), len(y_val)
    groups = strata(torch.cat([y_train, y_val]), setup.task)
    rows = np.arange(n_train + n_val)
    try:
        train_rows, val_rows = train_test_split(rows, test_size=n_val, stratify=groups, random_state=setup.seed)
    except ValueError as exc:  # a stratum too small for both sides of a small split
        raise NotApplicable(f"a stratified split of {n_train} + {n_val} rows is not possible: {exc}") from exc
    pool = ConcatDataset([setup.train_loader.dataset, setup.val_loader.dataset])
    train = rebuild_loader(setup.train_loader, Subset(pool, np.sort(train_rows).tolist()))
    val = rebuild_loader(setup.val_loader, Subset(pool, np.sort(val_rows).tolist()))
    by = "the label" if setup.task in CLASSIFICATION else f"{QUANTILE_BINS} quantile bins of the target"
    snippet = (
        "from sklearn.model_selection import train_test_split\n"
        "X, y = np.concatenate([X_train, X_val]), np.concatenate([y_train, y_val])\n"
        + ("strata = y\n" if setup.task in CLASSIFICATION else
           f"strata = np.digitize(y, np.quantile(y, np.linspace(0, 1, {QUANTILE_BINS + 1})[1:-1]))   # target deciles\n")
        + f"X_train, X_val, y_train, y_val = train_test_split(X, y, test_size={n_val}, stratify=strata, random_state=0)\n"
        "# fit scalers and encoders again on the new training split"
    )
    candidate = Candidate("stratified-resplit",
                          f"re-split training + validation ({n_train} + {n_val} rows) at random, stratified on {by}",
                          derive(setup, train=train, val=val), snippet, loss_comparable=False)
    return [candidate]


# -- D107: drop duplicates ---------------------------------------------------------------------
def near_copies(x: np.ndarray) -> np.ndarray:
    """Rows (of ``x``, rows x features) that are a near copy of an earlier row, by the audit's test
    (:meth:`~nndoctor.probes.data_duplicates.Neighbours.near`: a nearest neighbour improbably close for
    the local density), on the standardised rows. Of each pair the later row goes."""
    found = fit_neighbours(np.arange(len(x)), x)
    drop = np.zeros(len(x), bool)
    if found is None:
        return drop  # in one or two dimensions close neighbours are normal (as in the audit)
    near, partner = found.near_in_sample()
    for i in np.flatnonzero(near):
        j = int(partner[i])
        if j < i and not drop[j]:
            drop[i] = True
    return drop


def drop_duplicates(setup: Setup, finding: Finding) -> list[Candidate]:
    """Keep the first of each group of exactly equal training inputs, and drop near copies the audit's test finds.

    Copies often cost no accuracy (they over-weight some rows), so the remedy is judged by the
    audit: verified when the duplicate check is clear on the new split and the metric is no worse.
    """
    values = split_identities(setup, "train")
    finite = np.isfinite(values.reshape(len(values), -1)).all(axis=1) if values.dtype.kind == "f" else np.ones(len(values), bool)
    hashes = row_hashes(values)
    hashes[~finite] = np.arange(int((~finite).sum()), dtype=np.uint64)  # rows with NaN are never equal
    _, first = np.unique(hashes, return_index=True)
    exact = np.ones(len(values), bool)
    exact[first] = False
    near = np.zeros(len(values), bool)
    evidence = (finding.evidence or {}) if finding is not None else {}
    work = len(values) ** 2 * max(1, values[0].size)
    if evidence.get("near_share", 1.0) > 0 and work <= NN_WORK and values.dtype.kind == "f":
        kept = np.flatnonzero(~exact & finite)
        near[kept[near_copies(values[kept])]] = True
    drop = exact | near
    if not drop.any():
        raise NotApplicable("the training split holds no exact or near copies to drop")
    keep = np.flatnonzero(~drop)
    what = f"{int(exact.sum())} exact" + (f" and {int(near.sum())} near" if near.any() else "") + " copies"
    snippet = (
        "_, first = np.unique(X_train.reshape(len(X_train), -1), axis=0, return_index=True)   # exact copies\n"
        "keep = np.sort(first)\n"
        "X_train, y_train = X_train[keep], y_train[keep]   # one row per distinct input"
    )
    return [Candidate("drop-duplicates", f"drop {what} from the training split ({len(values)} -> {len(keep)} rows)",
                      _keep_train_rows(setup, keep), snippet, judged_by="cleared")]


# -- D108 / G604: drop validation rows copied from training -------------------------------------
def _leak_snippet(leaked: int, rows: int, drop: str) -> str:
    return (
        f"# Your reported validation metric was inflated: {leaked} of {rows} validation rows ({leaked / rows:.0%})\n"
        "# are copies of training rows, so part of the score measured memory, not generalisation.\n"
        + drop +
        "# Better, split by the source of each row (patient, user, file, session, time) so copies stay on one side:\n"
        "from sklearn.model_selection import GroupShuffleSplit\n"
        "train_idx, val_idx = next(GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(X, y, groups=groups))"
    )


def drop_leaked_validation(setup: Setup, finding: Finding) -> list[Candidate]:
    """Keep only the validation rows that are not exact or near copies of training rows (the audit's D108 test).

    Training is unchanged, so the candidate's validation metric is the honest one: it is not
    comparable with the baseline's, which was scored partly on memorised rows. The candidate
    is judged on whether the leak is gone (``judged_by="cleared"``), not on its score. When
    fewer than ``MIN_VAL_SAMPLES`` validation rows would be left (validation drawn from the
    training rows themselves), the copies go from training instead and validation stays whole.
    """
    if setup.val_loader is None:
        raise NotApplicable("there is no validation split")
    train_x, val_x = split_identities(setup, "train"), split_identities(setup, "val")
    if train_x.shape[1:] != val_x.shape[1:]:
        raise NotApplicable("training and validation inputs have different shapes")
    exact, near = cross_split_copies(train_x, val_x)
    leaked = exact | near
    if not leaked.any():
        raise NotApplicable("no validation row is an exact or near copy of a training row")
    keep = np.flatnonzero(~leaked)
    what = f"{int(exact.sum())} exact" + (f" and {int(near.sum())} near" if near.any() else "") + " copies"
    if len(keep) >= MIN_VAL_SAMPLES:
        snippet = _leak_snippet(int(leaked.sum()), len(leaked), (
            "train_rows = {row.tobytes() for row in X_train.reshape(len(X_train), -1)}\n"
            "keep = np.array([row.tobytes() not in train_rows for row in X_val.reshape(len(X_val), -1)])\n"
            "X_val, y_val = X_val[keep], y_val[keep]   # drop exact cross-split copies (near copies: NearestNeighbors)\n"))
        val = rebuild_loader(setup.val_loader, subset(setup.val_loader.dataset, keep))
        return [Candidate("drop-leaked-validation",
                          f"score on the {len(keep)} validation rows that are not copies of training rows "
                          f"(drop {what}, {leaked.mean():.0%} of {len(leaked)})",
                          derive(setup, val=val), snippet, loss_comparable=False, metric_comparable=False, judged_by="cleared")]
    exact_t, near_t = cross_split_copies(val_x, train_x)  # the same test, validation as the reference
    copies = exact_t | near_t
    if copies.all():
        raise NotApplicable(f"every training row is a copy of a validation row ({len(copies)} rows): split the data again")
    snippet = _leak_snippet(int(leaked.sum()), len(leaked), (
        "val_rows = {row.tobytes() for row in X_val.reshape(len(X_val), -1)}\n"
        "keep = np.array([row.tobytes() not in val_rows for row in X_train.reshape(len(X_train), -1)])\n"
        "X_train, y_train = X_train[keep], y_train[keep]   # hold the validation rows out of training\n"))
    return [Candidate("drop-leaked-validation",
                      f"hold the validation rows out of training: drop the {int(copies.sum())} training rows that copy one "
                      f"({len(copies)} -> {int((~copies).sum())}; only {len(keep)} of {len(leaked)} validation rows are not copies)",
                      _keep_train_rows(setup, np.flatnonzero(~copies)), snippet,
                      loss_comparable=False, metric_comparable=False, judged_by="cleared")]


# -- D110: drop suspect labels -----------------------------------------------------------------
def out_of_fold_probabilities(x: np.ndarray, codes: np.ndarray, seed: int, folds: int = LABEL_FOLDS) -> np.ndarray:
    """Out-of-fold class probabilities (rows x classes, ``codes`` = 0..K-1) from the label probe's two probes,
    logistic regression and 15 nearest neighbours (the latter when the neighbour search is affordable),
    whichever agrees with more of the given labels."""
    flat = x.reshape(len(x), -1).astype(np.float64)
    folds = int(min(folds, np.bincount(codes).min()))
    if folds < 2:
        raise NotApplicable("a class has a single training row; out-of-fold probabilities need two")
    held, _ = _best_fold_probabilities(flat, codes, int(codes.max()) + 1, folds, seed)
    return held


def _best_fold_probabilities(x: np.ndarray, codes: np.ndarray, classes: int, folds: int, seed: int,
                             other: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Out-of-fold probabilities of the rows ``x`` (labelled ``codes``, 0..classes-1) and, for ``other`` rows, the
    fold probes' probabilities, from whichever of the label probe's two probes (logistic regression; 15 nearest
    neighbours when the neighbour search is affordable) agrees with more of ``codes`` out of fold."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    probes = [LogisticRegression(max_iter=200, tol=1e-3)]
    if len(x) ** 2 * min(x.shape[1], MAX_DIMS) <= NN_WORK:
        probes.append(KNeighborsClassifier(n_neighbors=min(15, len(x) // 4)))
    scored = (other, np.zeros(len(other), int)) if other is not None else None
    best, best_accuracy = (None, None), -1.0
    for estimator in probes:
        held, on_other = fold_probabilities(estimator, x, codes, np.arange(classes), folds, seed, scored)
        accuracy = float(np.mean(held.argmax(axis=1) == codes))
        if accuracy > best_accuracy:
            best, best_accuracy = (held, on_other), accuracy
    return best


def confident_label_issues(proba: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Rows whose given label is off the diagonal of the confident joint (Northcutt et al., 2021).

    Class j's threshold is the mean probability of j over the rows labelled j (its self-confidence,
    which a probe trained on noisy labels lowers along with the noise). A row is an issue when its
    given label's probability is below that label's threshold while another class reaches its own:
    the probe is confident, by the class's own standard, that the row belongs elsewhere. Unlike a
    fixed cut-off this also finds one-way flips, whose rate the probe learns.
    """
    classes = proba.shape[1]
    thresholds = np.array([proba[codes == j, j].mean() if np.any(codes == j) else 1.0 for j in range(classes)])
    below = proba[np.arange(len(codes)), codes] < thresholds[codes]
    return below & (proba >= thresholds).any(axis=1)  # the given label is below its threshold, so another class reached its own


def drop_suspect_labels(setup: Setup, finding: Finding) -> list[Candidate]:
    """Drop training rows whose given label the out-of-fold probes contradict (see :func:`confident_label_issues`); for
    a D110 read from probes fitted on the validation labels, the rows those probes contradict."""
    if setup.task not in ("binary", "multiclass"):
        raise NotApplicable(f"the task is {setup.task}; suspect labels are found for single-label classification")
    try:
        x, y = split_rows(setup, "train")
        values, targets = x.detach().cpu().numpy(), y.detach().cpu().numpy()
    except NotApplicable:  # dict samples (a Trainer's input_ids and masks): the rows the audit reads, and the targets
        values, targets = split_identities_and_targets(setup, "train")
        if targets is None:
            raise NotApplicable("the train batches hold no target tensors")
    if values.dtype.kind in "iu" and values.ndim == 2 and embeds_tokens(setup.model):
        values, _ = token_features(values)  # token ids are names: the label probe's own bag of tokens and pairs
    labels = class_labels(targets, setup.task)
    if labels is None or len(labels) != len(values) or values.dtype.kind != "f":
        raise NotApplicable("the inputs are not floating-point rows with one class label each")
    if not np.isfinite(values.reshape(len(values), -1)).all():
        raise NotApplicable("some training inputs are not finite; impute them first")
    classes, codes = np.unique(labels, return_inverse=True)
    # D110 read from probes fitted on the validation labels: the training labels' own probes learned the wrong mapping
    by_validation = finding is not None and bool((finding.evidence or {}).get("validation_mapping_disagreement"))
    proba = (validation_probabilities(setup, values, classes) if by_validation
             else out_of_fold_probabilities(values, codes, setup.seed))
    suspect = confident_label_issues(proba, codes)
    whose = "probes fitted on the validation labels" if by_validation else "out-of-fold probes"
    if not suspect.any():
        raise NotApplicable(f"the {whose} confidently contradict no training label")
    if suspect.mean() > MAX_SUSPECT_SHARE:
        raise NotApplicable(f"the probes contradict {suspect.mean():.0%} of the labels: too many to drop")
    keep = np.flatnonzero(~suspect)
    fitted = ("proba = LogisticRegression(max_iter=200).fit(X_val, y_val).predict_proba(X_train)   # clean labels\n"
              if by_validation else
              "from sklearn.model_selection import cross_val_predict\n"
              "proba = cross_val_predict(LogisticRegression(max_iter=200), X_train, y_train, cv=5, "
              "method='predict_proba')\n")
    snippet = (
        "from sklearn.linear_model import LogisticRegression\n" + fitted +
        "threshold = np.array([proba[y_train == j, j].mean() for j in range(proba.shape[1])])   # per-class self-confidence\n"
        "below = proba[np.arange(len(y_train)), y_train] < threshold[y_train]\n"
        "suspect = below & (proba >= threshold).any(axis=1)   # another class is confident: review these labels\n"
        "X_train, y_train = X_train[~suspect], y_train[~suspect]   # or correct them (cleanlab does this too)"
    )
    return [Candidate("drop-suspect-labels",
                      f"drop the {int(suspect.sum())} training rows ({suspect.mean():.1%}) whose label the {whose} "
                      "confidently contradict", _keep_train_rows(setup, keep), snippet)]


def validation_probabilities(setup: Setup, values: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Class probabilities of the training rows ``values`` (columns: ``classes``) from fold probes fitted on the
    validation split's labels, the better agreeing of the label probe's two on held-out validation rows: where D110
    found a block of training labels under another mapping, probes fitted on the mixed training labels learn it."""
    try:
        x_val, y_val = split_rows(setup, "val")
    except NotApplicable:
        raise NotApplicable("the validation split is not rows of tensors the probes can read") from None
    val_labels = class_labels(y_val.detach().cpu().numpy(), setup.task)
    flat_val = x_val.detach().cpu().numpy().reshape(len(x_val), -1).astype(np.float64)
    if val_labels is None or len(val_labels) != len(flat_val) or flat_val.shape[1] != values[0].size:
        raise NotApplicable("the validation split does not hold one class label per row of the training inputs' width")
    known = np.isin(val_labels, classes)
    flat_val, val_codes = flat_val[known], np.searchsorted(classes, val_labels[known])
    folds = int(min(LABEL_FOLDS, np.bincount(val_codes, minlength=len(classes)).min()))
    if folds < 2:
        raise NotApplicable("a class has fewer than two validation rows; fold probes need two")
    _, on_train = _best_fold_probabilities(flat_val, val_codes, len(classes), folds, setup.seed,
                                           values.reshape(len(values), -1).astype(np.float64))
    return on_train
