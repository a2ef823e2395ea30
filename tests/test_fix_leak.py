"""fix's remedy for an input column that carries the label (G604): the column is held at its training
mean in both splits, and the remedy is verified by the leak check coming back clear."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import blobs, mlp
from torch import nn

import nndoctor
from nndoctor.findings import Finding, Severity
from nndoctor.fix.data_remedies import split_rows
from nndoctor.fix.leak_remedies import neutralise_leaking_input
from nndoctor.fix.transforms import NotApplicable


def _leaky(n: int = 900) -> tuple[np.ndarray, np.ndarray]:
    """Ten honest columns and an eleventh that is the label plus a little noise."""
    x, y = blobs(n=n)
    follow_up = 3.0 * y + np.random.default_rng(0).normal(0, 0.2, n)
    return np.column_stack([x, (follow_up - follow_up.mean()) / follow_up.std()]).astype(np.float32), y


def _setup(x: np.ndarray, y: np.ndarray) -> nndoctor.Setup:
    torch.manual_seed(0)
    return nndoctor.Setup(model=mlp(x.shape[1], 3), train=(x[:700], y[:700]), val=(x[700:], y[700:]),
                          loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=2e-3), batch_size=32)


def test_the_leaking_column_is_held_at_its_training_mean_and_nothing_else_changes() -> None:
    x, y = _leaky()
    setup = _setup(x, y).resolve()
    before = x.copy()
    (candidate,) = neutralise_leaking_input(setup, Finding("G604", Severity.WARNING, "", evidence={"position": [10], "column": 10}))
    for split, rows in (("train", slice(0, 700)), ("val", slice(700, None))):
        new = split_rows(candidate.setup, split)[0].numpy()
        np.testing.assert_allclose(new[:, 10], x[:700, 10].astype(np.float64).mean(), rtol=1e-5)
        np.testing.assert_array_equal(new[:, :10], x[rows, :10])
    np.testing.assert_array_equal(x, before)  # the user's arrays are untouched
    assert not candidate.metric_comparable and candidate.judged_by == "cleared"


def test_a_gap_between_losses_names_no_column_to_neutralise() -> None:
    x, y = blobs(n=900)
    with pytest.raises(NotApplicable):
        neutralise_leaking_input(_setup(x, y).resolve(), Finding("G604", Severity.WARNING, "", evidence={"val_loss": 0.1}))


def test_fix_verifies_the_remedy_by_the_leak_check_and_reports_the_honest_metric() -> None:
    section = nndoctor.fix(_setup(*_leaky()), steps=150).extra["fix"]
    (result,) = [r for r in section["results"] if r["code"] == "G604"]
    assert result["status"] == "verified", result
    remedy = result["remedy"]
    assert remedy["remedy"] == "neutralise-leaking-input" and "check is clear" in remedy["reason"]
    assert remedy["gain"] is None  # an honest metric is not a worse one: it is not compared


def test_a_setup_without_a_leak_gets_no_leak_remedy() -> None:
    section = nndoctor.fix(_setup(*blobs(n=900)), steps=150).extra["fix"]
    assert not any(r["code"] == "G604" for r in section["results"])


def _reviews_with_their_verdict(n: int = 900) -> tuple[np.ndarray, np.ndarray]:
    """Rows of 20 token ids; a third of each class's words come from its own 40; the label's word (3 or 4) sits at a
    random place in every row, as when an export's verdict field is joined into the text."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    ids = rng.integers(10, 300, (n, 20))
    own = rng.random((n, 20)) < 1 / 3
    ids[own] = (100 + 40 * y[:, None] + rng.integers(0, 40, (n, 20)))[own]
    ids[np.arange(n), rng.integers(0, 20, n)] = 3 + y
    return ids, y


def test_a_word_that_names_the_label_is_replaced_in_both_splits_and_the_leak_check_clears() -> None:
    ids, y = _reviews_with_their_verdict()
    torch.manual_seed(0)
    setup = nndoctor.Setup(model=nn.Sequential(nn.EmbeddingBag(300, 16), nn.Linear(16, 2)),
                           train=(ids[:700], y[:700]), val=(ids[700:], y[700:]), loss=nn.CrossEntropyLoss(),
                           optimizer=lambda p: torch.optim.Adam(p, lr=3e-3), batch_size=32)
    section = nndoctor.fix(setup, steps=150).extra["fix"]
    (result,) = [r for r in section["results"] if r["code"] == "G604"]
    assert result["status"] == "verified", result
    # the class-0 word and the class-1 word each give the class alone: both go, or the check still finds the other
    assert "replace token ids 3, 4" in result["remedy"]["title"] and "check is clear" in result["remedy"]["reason"]
