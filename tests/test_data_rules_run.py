"""D111 and D115 as causes: token inputs are probed as tokens, and the curve symptoms rank under the data fact.

A script that trains on unpaired labels or on class-sorted batches shows a flat loss, large
steps and an unfitted training set (O406, O401, G602); the data finding is why, so it ranks
first and the symptoms carry ``explained_by``. A loss that turned non-finite keeps the LR the cause.
"""
from __future__ import annotations

import numpy as np
import torch
from data_fixtures import raised, run_data_checks
from torch import nn

import nndoctor
from nndoctor import Finding, Severity
from nndoctor.combine import merge
from nndoctor.diagnosis import rank
from nndoctor.probes.label_probe import token_features
from nndoctor.report import Report


# -- token inputs ---------------------------------------------------------------------------
def topic_tokens(n: int = 600, length: int = 24, vocab: int = 400, topics: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Documents whose topic decides a third of their tokens (each topic owns its own slice of the vocabulary)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, topics, size=n)
    x = rng.integers(0, vocab, size=(n, length))
    own = vocab // topics
    topical = rng.random((n, length)) < 1 / 3
    x[topical] = (y[:, None] * own + rng.integers(0, own, size=(n, length)))[topical]
    return x.astype(np.int64), y.astype(np.int64)


class BagOfTokens(nn.Module):
    def __init__(self, vocab: int = 400, classes: int = 4) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.embed = nn.EmbeddingBag(vocab, 16, mode="mean")
        self.head = nn.Linear(16, classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(tokens))


def token_setup(x: np.ndarray, y: np.ndarray, model: nn.Module | None = None) -> nndoctor.Setup:
    return nndoctor.Setup(model=model or BagOfTokens(), train=(x, y), loss=nn.CrossEntropyLoss(), batch_size=32)


def test_d111_fires_on_token_documents_whose_labels_are_permuted():
    x, y = topic_tokens()
    findings = run_data_checks(token_setup(x, np.random.default_rng(1).permutation(y)), "D110", "D111")
    assert "D111" in raised(findings, "error")


def test_d111_silent_on_token_documents_with_their_own_labels():
    x, y = topic_tokens()
    assert raised(run_data_checks(token_setup(x, y), "D110", "D111"), "info") == set()


def test_d110_reads_token_training_labels_that_disagree_with_a_clean_validation_split():
    x, y = topic_tokens(n=1600)
    x_val, y_val = topic_tokens(n=600, seed=9)
    sheet = np.array([1, 2, 3, 0])  # a batch of rows delivered against another label sheet: every class renamed
    relabelled = y.copy()
    relabelled[:480] = sheet[y[:480]]

    def split(labels: np.ndarray) -> nndoctor.Setup:
        return nndoctor.Setup(model=BagOfTokens(), train=(x, labels), val=(x_val, y_val), loss=nn.CrossEntropyLoss(),
                              batch_size=32)

    (finding,) = [f for f in run_data_checks(split(relabelled), "D110") if f.code == "D110"]
    assert finding.evidence["validation_disagreement"] and finding.evidence["val_scores"]["logistic regression"] > \
        finding.evidence["scores"]["logistic regression"] + 0.1
    assert "D110" not in raised(run_data_checks(split(y), "D110"), "info")


def test_d110_clean_token_labels_from_few_training_rows_read_like_a_large_validation_split():
    # the bag of tokens is fitted on both splits: fitted on 100 training rows alone, an SVD of 99 components spans each
    # training row's own terms (unseen by the fold probe) and drops a validation row's, so validation read easier
    x, y = topic_tokens(n=100, length=48, topics=5, seed=1)
    x_val, y_val = topic_tokens(n=500, length=48, topics=5, seed=2)
    setup = nndoctor.Setup(model=BagOfTokens(classes=5), train=(x, y), val=(x_val, y_val), loss=nn.CrossEntropyLoss(),
                           batch_size=32)
    assert "D110" not in raised(run_data_checks(setup, "D110"), "info")


def test_integer_inputs_without_an_embedding_are_not_probed():
    x, y = topic_tokens()

    class Casts(nn.Module):  # reads the integers as magnitudes: not token ids, so no bag-of-tokens probe
        def __init__(self) -> None:
            super().__init__()
            self.linear = nn.Linear(x.shape[1], 4)

        def forward(self, t: torch.Tensor) -> torch.Tensor:
            return self.linear(t.float())

    permuted = np.random.default_rng(1).permutation(y)
    assert "D111" not in raised(run_data_checks(token_setup(x, permuted, Casts()), "D111"), "info")


def test_token_features_map_validation_rows_like_training_rows_and_drop_terms_seen_once():
    x, _ = topic_tokens(n=120, length=10, vocab=30)
    features, val = token_features(x, np.vstack([x[:5], np.full((1, 10), 10_000)]))
    assert np.allclose(val[:5], features[:5], atol=1e-8)  # the same fitted vocabulary, weights and SVD
    assert np.allclose(val[5], 0.0)  # a row of a token no training row holds carries nothing


# -- ranking: the data fact first ------------------------------------------------------------
def _f(code: str, severity: str, **evidence) -> Finding:
    return Finding(code, Severity(severity), f"{code} finding", evidence=dict(evidence))


def curve_symptoms(**o401) -> list[Finding]:
    return [_f("O401", "error", **o401), _f("O406", "error", max_change=0.07), _f("G602", "warning", final_train_loss=1.38)]


def test_unpaired_labels_explain_the_lr_read_from_a_flat_loss():
    ordered = rank([*curve_symptoms(step_size_only=True), _f("D111", "error")])
    assert ordered[0].code == "D111"
    links = {f.code: f.explained_by for f in ordered}
    assert links["O401"] == "D111" and links["D111"] is None and links["O406"] in ("D111", "G602", "O401")


def test_ordered_batches_explain_plateau_and_underfit_and_take_their_severity():
    ordered = rank([*curve_symptoms(step_size_only=True), _f("D115", "warning")])
    assert ordered[0].code == "D115" and ordered[0].severity is Severity.ERROR
    assert {f.code for f in ordered if f.explained_by} == {"O401", "O406", "G602"}


def test_a_loss_that_ended_above_its_start_is_explained_by_unpaired_labels():
    ordered = rank([_f("O401", "error", initial_loss=0.29, final_loss=0.43), _f("D111", "error")])
    assert ordered[0].code == "D111" and ordered[1].explained_by == "D111"


def test_a_non_finite_loss_or_an_lr_probe_keeps_the_lr_the_cause():
    for evidence in ({"nonfinite": True, "step": 12}, {"step_size_only": False, "final_loss": 9.0},
                     {"single_batch": {"user_lr_loss": 2.0}, "step_size_only": True}):
        for data in ("D111", "D115"):
            ordered = rank([_f("O401", "error", **evidence), _f(data, "error")])
            assert {f.code: f.explained_by for f in ordered}["O401"] is None, (evidence, data)


def test_merge_relinks_watch_symptoms_to_the_exams_data_finding():
    watch = Report(mode="watch", findings=rank(curve_symptoms(step_size_only=True)))
    assert {f.code: f.explained_by for f in watch.findings}["O406"] == "O401"  # the watch alone blames the LR
    run = merge(watch, Report(mode="checkup", findings=[_f("D111", "error")]))
    assert run.findings[0].code == "D111"
    assert all(f.explained_by is not None for f in run.findings if f.code != "D111")
    assert {f.code: f.explained_by for f in watch.findings}["O406"] == "O401"  # the inputs are left as they were
