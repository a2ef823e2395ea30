"""fix's data remedies (one-hot codes, stratified re-split, duplicates, suspect labels), each checked
against an independent calculation, verified by equal-budget trials on a broken setup and left
unverified on a healthy one."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import blobs, mlp
from torch import nn

import nndoctor
from nndoctor.findings import Finding, Severity
from nndoctor.fix.data_remedies import (
    drop_duplicates,
    drop_suspect_labels,
    one_hot_codes,
    split_rows,
    stratified_resplit,
)
from nndoctor.fix.transforms import NotApplicable
from nndoctor.fix.trials import baseline_candidate, run_trial
from nndoctor.fix.verdict import Comparison, compare

ADAM = lambda p: torch.optim.Adam(p, lr=2e-3)
SEEDS = (0, 1, 2)


def _setup(x, y, model, loss=None, cut: int | None = None) -> nndoctor.Setup:
    cut = int(len(x) * 0.8) if cut is None else cut
    return nndoctor.Setup(model=model, train=(x[:cut], y[:cut]), val=(x[cut:], y[cut:]),
                          loss=loss or nn.CrossEntropyLoss(), optimizer=ADAM, batch_size=32).resolve()


def _trial(setup: nndoctor.Setup, candidate, steps: int = 300) -> Comparison:
    """The verdict of ``candidate`` against the unchanged setup, same seeds and steps (as fix runs it)."""
    base = [run_trial(baseline_candidate(setup), setup, s, steps).metric for s in SEEDS]
    after = [run_trial(candidate, setup, s, steps).metric for s in SEEDS]
    return compare(base, after)


def _finding(code: str, **evidence) -> Finding:
    return Finding(code, Severity.WARNING, "test", evidence=evidence)


# -- D112 -------------------------------------------------------------------------------------
def _sales(effect: str, n: int = 1500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two continuous columns and a 12-level code column (standardised); the code's effect is
    unordered ('category') or linear in the code ('ordinal')."""
    rng = np.random.default_rng(seed)
    code = rng.integers(0, 12, n)
    price, season = rng.uniform(5, 50, n), rng.uniform(0, 1, n)
    by_code = np.sin(code * 2.4) * 3.0 if effect == "category" else 0.3 * code
    y = by_code - 0.08 * price + np.cos(season * 6.28) + 0.3 * rng.standard_normal(n)
    x = np.column_stack([price, code, season])
    x = (x - x.mean(0)) / x.std(0)
    return x.astype(np.float32), ((y - y.mean()) / y.std()).astype(np.float32)


def _regressor(inputs: int) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(inputs, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1), nn.Flatten(0))


def test_category_codes_are_one_hot_encoded_as_sklearn_does_and_the_first_layer_widened() -> None:
    from sklearn.preprocessing import OneHotEncoder

    x, y = _sales("category")
    setup = _setup(x, y, _regressor(3), loss=nn.MSELoss())
    before = {k: v.clone() for k, v in setup.model.state_dict().items()}
    (candidate,) = one_hot_codes(setup, _finding("D112", columns=[1], levels={1: 12}))
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(x[:1200, [1]])
    for split, rows in (("train", x[:1200]), ("val", x[1200:])):
        expected = np.hstack([rows[:, [0, 2]], encoder.transform(rows[:, [1]])])
        encoded = split_rows(candidate.setup, split)[0].numpy()
        np.testing.assert_array_equal(encoded, expected.astype(np.float32))
    first = candidate.setup.model[0]
    assert first.in_features == 14 and candidate.setup.model[2] is not setup.model[2]
    torch.testing.assert_close(candidate.setup.model[2].weight, setup.model[2].weight)  # the rest is the user's model
    assert all(torch.equal(before[k], v) for k, v in setup.model.state_dict().items())  # the user's model is unchanged
    assert setup.model[0].in_features == 3 and split_rows(setup, "train")[0].shape[1] == 3
    verdict = _trial(setup, candidate)
    assert verdict.verified, verdict.reason


def test_one_hot_encoding_of_an_ordinal_column_is_not_verified() -> None:
    x, y = _sales("ordinal")
    setup = _setup(x, y, _regressor(3), loss=nn.MSELoss())
    (candidate,) = one_hot_codes(setup, _finding("D112", columns=[1], levels={1: 12}))
    verdict = _trial(setup, candidate)
    assert not verdict.verified, verdict.reason


def test_one_hot_needs_flagged_code_columns() -> None:
    x, y = _sales("category")
    setup = _setup(x, y, _regressor(3), loss=nn.MSELoss())
    with pytest.raises(NotApplicable):
        one_hot_codes(setup, _finding("D112", blocks=[[0, 1]]))


# -- D109 -------------------------------------------------------------------------------------
def test_resplit_keeps_sizes_and_rows_and_matches_class_shares() -> None:
    x, y = blobs(n=600)
    order = np.argsort(y, kind="stable")  # validation: the last class only
    setup = _setup(x[order], y[order], mlp(10, 3))
    (candidate,) = stratified_resplit(setup, _finding("D109"))
    (x_train, y_train), (x_val, y_val) = split_rows(candidate.setup, "train"), split_rows(candidate.setup, "val")
    assert (len(y_train), len(y_val)) == (480, 120)
    pooled = np.concatenate([x_train.numpy(), x_val.numpy()])
    np.testing.assert_array_equal(np.sort(pooled, axis=0), np.sort(x, axis=0))  # the same rows, each once
    shares = np.bincount(y, minlength=3) / len(y)
    for labels in (y_train.numpy(), y_val.numpy()):
        np.testing.assert_allclose(np.bincount(labels, minlength=3) / len(labels), shares, atol=1 / len(labels))
    assert np.bincount(split_rows(setup, "val")[1].numpy(), minlength=3).tolist() == [0, 0, 120]  # the user's split stays


def test_resplit_of_a_target_sorted_regression_is_verified() -> None:
    x, y = _sales("ordinal")
    order = np.argsort(y)  # validation: the highest targets, outside the training range
    setup = _setup(x[order], y[order], _regressor(3), loss=nn.MSELoss())
    (candidate,) = stratified_resplit(setup, _finding("D109"))
    y_train, y_val = split_rows(candidate.setup, "train")[1].numpy(), split_rows(candidate.setup, "val")[1].numpy()
    deciles = np.quantile(y, np.linspace(0, 1, 11)[1:-1])
    np.testing.assert_allclose(np.bincount(np.digitize(y_val, deciles), minlength=10) / len(y_val), 0.1, atol=0.01)
    assert abs(np.median(y_train) - np.median(y_val)) < 0.1
    verdict = _trial(setup, candidate)
    assert verdict.verified, verdict.reason


# -- D107 -------------------------------------------------------------------------------------
def test_exact_and_near_copies_are_dropped_from_training_only() -> None:
    x, y = blobs(n=800)
    rng = np.random.default_rng(1)
    copies = rng.choice(500, 120, replace=False)
    near = rng.choice(np.setdiff1d(np.arange(500), copies), 40, replace=False)
    train_x = np.concatenate([x[:500], x[copies], x[near] + 1e-4 * rng.standard_normal((40, 10)).astype(np.float32)])
    train_y = np.concatenate([y[:500], y[copies], y[near]])
    setup = nndoctor.Setup(model=mlp(10, 3), train=(train_x, train_y), val=(x[500:], y[500:]), loss=nn.CrossEntropyLoss(),
                           optimizer=ADAM, batch_size=32).resolve()
    (candidate,) = drop_duplicates(setup, _finding("D107", near_share=0.1))
    kept = split_rows(candidate.setup, "train")[0].numpy()
    assert "120 exact and 40 near" in candidate.title, candidate.title
    np.testing.assert_array_equal(kept, x[:500])  # the first of each copy stays, in order
    assert len(split_rows(candidate.setup, "val")[0]) == 300 and len(split_rows(setup, "train")[0]) == 660


def test_deduplication_is_verified_by_the_audit_when_copies_cost_no_accuracy() -> None:
    x, y = blobs(n=900)
    copies = np.random.default_rng(2).choice(600, 300, replace=False)
    train_x, train_y = np.concatenate([x[:600], x[copies]]), np.concatenate([y[:600], y[copies]])
    torch.manual_seed(0)
    setup = nndoctor.Setup(model=mlp(10, 3), train=(train_x, train_y), val=(x[600:], y[600:]), loss=nn.CrossEntropyLoss(),
                           optimizer=ADAM, batch_size=32)
    section = nndoctor.fix(setup, steps=150).extra["fix"]
    (result,) = [r for r in section["results"] if r["code"] == "D107"]
    assert result["status"] == "verified", result
    assert result["remedy"]["remedy"] == "drop-duplicates" and "check is clear" in result["remedy"]["reason"]


def test_no_copies_no_deduplication() -> None:
    x, y = blobs()
    with pytest.raises(NotApplicable):
        drop_duplicates(_setup(x, y, mlp(10, 3)), _finding("D107", near_share=0.0))


# -- D110 -------------------------------------------------------------------------------------
def test_flipped_labels_are_dropped_and_the_cleaner_training_set_is_verified() -> None:
    x, y = blobs(n=1500, classes=3, seed=3)
    noisy = y.copy()
    rng = np.random.default_rng(0)
    flipped = rng.choice(np.flatnonzero(y[:1200] == 0), 150, replace=False)  # class 0 recorded as class 1
    noisy[flipped] = 1
    setup = _setup(x, noisy, mlp(10, 3), cut=1200)
    (candidate,) = drop_suspect_labels(setup, _finding("D110"))
    kept_x = split_rows(candidate.setup, "train")[0].numpy()
    dropped = np.setdiff1d(np.arange(1200), [int(np.flatnonzero((x[:1200] == row).all(1))[0]) for row in kept_x])
    caught = np.isin(dropped, flipped)
    assert caught.mean() >= 0.8, (caught.mean(), len(dropped))  # the rows dropped are mostly the flipped ones
    assert caught.sum() >= 0.5 * len(flipped)
    verdict = _trial(setup, candidate)
    assert verdict.verified, verdict.reason


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab: int, classes: int) -> None:
        super().__init__()
        self.embed, self.head = nn.EmbeddingBag(vocab, 16), nn.Linear(16, classes)

    def forward(self, tokens):
        return self.head(self.embed(tokens))


def test_suspect_labels_of_token_rows_are_found_through_the_probes_bag_of_tokens() -> None:
    rng = np.random.default_rng(0)
    topics, vocab, n = 4, 400, 1200
    y = rng.integers(0, topics, n)
    own = rng.random((n, 24)) < 0.5  # half of each document's tokens come from its topic's 100-word block
    tokens = np.where(own, y[:, None] * 100 + rng.integers(0, 100, (n, 24)), rng.integers(0, vocab, (n, 24)))
    noisy = y.copy()
    flipped = rng.choice(1000, 150, replace=False)
    noisy[flipped] = (y[flipped] + 1) % topics
    setup = _setup(tokens, noisy, BagOfEmbeddings(vocab, topics), cut=1000)
    (candidate,) = drop_suspect_labels(setup, _finding("D110"))
    kept = {row.tobytes() for row in split_rows(candidate.setup, "train")[0].numpy()}
    dropped = np.array([i for i in range(1000) if tokens[i].tobytes() not in kept])
    caught = np.isin(dropped, flipped)
    assert caught.mean() >= 0.8 and caught.sum() >= 0.5 * len(flipped), (caught.mean(), caught.sum())


def test_clean_labels_get_no_verified_label_remedy() -> None:
    x, y = blobs(n=1500, classes=3, seed=3)
    setup = _setup(x, y, mlp(10, 3), cut=1200)
    try:
        (candidate,) = drop_suspect_labels(setup, _finding("D110"))
    except NotApplicable:
        return
    assert len(split_rows(candidate.setup, "train")[0]) >= 0.95 * 1200
    verdict = _trial(setup, candidate)
    assert not verdict.verified, verdict.reason



def test_the_data_codes_have_their_remedies() -> None:
    from nndoctor.fix.remedies import remedies_for

    names = {code: [r.name for r in remedies_for(code)] for code in ("D107", "D109", "D110", "D112")}
    assert names == {"D107": ["drop-duplicates"], "D109": ["stratified-resplit"], "D110": ["drop-suspect-labels"],
                     "D112": ["one-hot-codes"]}
