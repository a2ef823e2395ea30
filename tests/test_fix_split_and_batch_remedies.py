"""fix's remedies for leaked validation rows (D108, G604) and batch mixing (M207): each builder checked
against an independent calculation on a broken setup, not applicable on a healthy one, the user's
objects left as they were, and ``nndoctor.fix`` verifying the remedy end to end (judged by the
finding's own check: ``judged_by="cleared"``)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import blobs, mlp
from sklearn.neighbors import NearestNeighbors
from torch import nn

import nndoctor
from nndoctor.findings import Finding, Severity
from nndoctor.fix.batch_remedies import (
    batch_first_rnn,
    mixing_cleared,
    per_sample_normalisation,
)
from nndoctor.fix.data_remedies import drop_leaked_validation, split_rows
from nndoctor.fix.remedies import remedies_for
from nndoctor.fix.transforms import NotApplicable

ADAM = lambda p: torch.optim.Adam(p, lr=3e-3)


def _finding(code: str) -> Finding:
    return Finding(code, Severity.WARNING, "test", evidence={})


# -- D108 / G604 ---------------------------------------------------------------------------------
def _leaky(exact: int = 30, near: int = 30, fresh: int = 60, seed: int = 0) -> tuple[nndoctor.Setup, np.ndarray, np.ndarray]:
    """480 training rows; validation = ``exact`` copies of training rows, ``near`` copies with 1e-4 noise, ``fresh`` new rows."""
    x, y = blobs(n=480 + fresh, seed=seed)
    rng = np.random.default_rng(seed)
    x_train, y_train = x[:480], y[:480]
    picked = rng.choice(480, exact + near, replace=False)
    copied = x_train[picked].copy()
    copied[exact:] += rng.normal(0, 1e-4, copied[exact:].shape).astype(np.float32)
    x_val = np.concatenate([copied, x[480:]])
    y_val = np.concatenate([y_train[picked], y[480:]])
    order = rng.permutation(len(x_val))
    setup = nndoctor.Setup(model=mlp(10, 3), train=(x_train, y_train), val=(x_val[order], y_val[order]),
                           loss=nn.CrossEntropyLoss(), optimizer=ADAM, batch_size=32).resolve()
    return setup, x_train, x_val[order]


def _independent_copies(reference: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Rows that equal a reference row (numpy unique on the bytes) or lie within 1e-2 of one (sklearn, standardised)."""
    known = {r.tobytes() for r in reference}
    exact = np.array([r.tobytes() in known for r in rows])
    mean, std = reference.mean(0), reference.std(0)
    distance = NearestNeighbors(n_neighbors=1).fit((reference - mean) / std).kneighbors((rows - mean) / std)[0][:, 0]
    return exact | (distance < 1e-2)


def test_drop_leaked_validation_keeps_exactly_the_rows_that_are_not_copies():
    setup, x_train, x_val = _leaky()
    before = [t.clone() for t in setup.val_loader.dataset.tensors]
    (candidate,) = drop_leaked_validation(setup, _finding("D108"))
    kept, _ = split_rows(candidate.setup, "val")
    expected = x_val[~_independent_copies(x_train, x_val)]
    assert len(expected) == 60
    assert np.array_equal(kept.numpy(), expected)
    assert split_rows(candidate.setup, "train")[0].shape[0] == 480  # training unchanged
    assert candidate.judged_by == "cleared" and not candidate.metric_comparable and not candidate.loss_comparable
    assert "inflated" in candidate.snippet and "GroupShuffleSplit" in candidate.snippet
    assert all(torch.equal(a, b) for a, b in zip(before, setup.val_loader.dataset.tensors))  # the user's data as it was
    # a suspicious validation score (G604) with such copies behind it gets the same remedy
    (for_g604,) = drop_leaked_validation(setup, _finding("G604"))
    assert np.array_equal(split_rows(for_g604.setup, "val")[0].numpy(), expected)


def test_validation_drawn_from_training_holds_its_rows_out_of_training_instead():
    x, y = blobs(n=300)
    held = np.arange(0, 300, 5)
    setup = nndoctor.Setup(model=mlp(10, 3), train=(x, y), val=(x[held], y[held]), loss=nn.CrossEntropyLoss(),
                           optimizer=ADAM, batch_size=32).resolve()
    (candidate,) = drop_leaked_validation(setup, _finding("D108"))
    kept, _ = split_rows(candidate.setup, "train")
    assert np.array_equal(kept.numpy(), x[~_independent_copies(x[held], x)])
    assert len(kept) == 240 and len(split_rows(candidate.setup, "val")[0]) == 60


class _Tickets(torch.utils.data.Dataset):
    """Token rows as a Hugging Face dataset gives them: one dict per row, the label among the inputs."""

    def __init__(self, ids: np.ndarray, labels: np.ndarray) -> None:
        self.ids, self.labels = torch.as_tensor(ids), torch.as_tensor(labels)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"input_ids": self.ids[i], "attention_mask": (self.ids[i] > 0).long(), "labels": self.labels[i]}


class _BagOfTokens(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed, self.head = nn.EmbeddingBag(500, 16, mode="sum"), nn.Linear(16, 4)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(input_ids, per_sample_weights=attention_mask.float()))


def test_validation_rows_in_dict_batches_are_held_out_of_training_by_their_token_ids():
    """A split line that draws validation from the training rows, with dict batches (input_ids, mask, labels)."""
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 500, size=(300, 12))
    labels = rng.integers(0, 4, size=300)
    held = np.arange(240, 300)  # the last 60 rows, which training keeps too
    setup = nndoctor.Setup(model=_BagOfTokens(), train=torch.utils.data.DataLoader(_Tickets(ids, labels), batch_size=32),
                           val=torch.utils.data.DataLoader(_Tickets(ids[held], labels[held]), batch_size=32),
                           loss=nn.CrossEntropyLoss(), optimizer=ADAM).resolve()
    with pytest.raises(NotApplicable):
        split_rows(setup, "train")  # the inputs are a dict, not one tensor
    (candidate,) = drop_leaked_validation(setup, _finding("D108"))
    kept = np.stack([candidate.setup.train_loader.dataset[i]["input_ids"].numpy()
                     for i in range(len(candidate.setup.train_loader.dataset))])
    known = {row.tobytes() for row in ids[held]}
    assert np.array_equal(kept, ids[[row.tobytes() not in known for row in ids]])
    assert len(kept) == 240 and len(candidate.setup.val_loader.dataset) == 60


def test_suspect_labels_in_dict_samples_are_dropped_by_their_token_rows():
    """A Trainer-style dataset (dict samples) whose labels are wrong on some rows: the rows the probes contradict go."""
    from nndoctor.fix.data_remedies import drop_suspect_labels

    rng = np.random.default_rng(0)
    n = 1000
    y = rng.integers(0, 4, n)
    own = rng.random((n, 24)) < 0.5  # half of each row's tokens come from its topic's 100-id block
    ids = np.where(own, 1 + y[:, None] * 100 + rng.integers(0, 100, (n, 24)), rng.integers(1, 500, (n, 24)))
    noisy = y.copy()
    flipped = rng.choice(n, 150, replace=False)
    noisy[flipped] = (y[flipped] + 1) % 4
    setup = nndoctor.Setup(model=_BagOfTokens(), train=torch.utils.data.DataLoader(_Tickets(ids, noisy), batch_size=32),
                           loss=nn.CrossEntropyLoss(), optimizer=ADAM).resolve()
    (candidate,) = drop_suspect_labels(setup, _finding("D110"))
    kept = {candidate.setup.train_loader.dataset[i]["input_ids"].numpy().tobytes()
            for i in range(len(candidate.setup.train_loader.dataset))}
    dropped = np.array([i for i in range(n) if ids[i].tobytes() not in kept])
    caught = np.isin(dropped, flipped)  # independently of the probe: the rows whose label was changed
    assert caught.mean() >= 0.8 and caught.sum() >= 0.5 * len(flipped), (caught.mean(), caught.sum())


def test_drop_leaked_validation_is_not_applicable_without_copies():
    x, y = blobs(n=600)
    setup = nndoctor.Setup(model=mlp(10, 3), train=(x[:480], y[:480]), val=(x[480:], y[480:]),
                           loss=nn.CrossEntropyLoss(), optimizer=ADAM, batch_size=32).resolve()
    with pytest.raises(NotApplicable):
        drop_leaked_validation(setup, _finding("G604"))


def test_leak_codes_list_the_remedy():
    assert "drop-leaked-validation" in [r.name for r in remedies_for("D108")]
    assert "drop-leaked-validation" in [r.name for r in remedies_for("G604")]
    assert {"batch-first-rnn", "per-sample-normalisation"} <= {r.name for r in remedies_for("M207")}


# -- M207 ----------------------------------------------------------------------------------------
class GRUClassifier(nn.Module):
    def __init__(self, batch_first: bool) -> None:
        super().__init__()
        self.rnn = nn.GRU(1, 16, batch_first=batch_first)
        self.out = nn.Linear(16, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return self.out(out[:, -1])


class AttentionPool(nn.Module):
    """Scores time steps and pools them; ``dim`` is the softmax's (0 mixes the batch)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim
        self.rnn = nn.GRU(1, 16, batch_first=True)
        self.score = nn.Linear(16, 1)
        self.head = nn.Linear(16, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        weights = torch.softmax(self.score(out).squeeze(-1), dim=self.dim)
        return self.head((weights.unsqueeze(-1) * out).sum(dim=1))


class CentredMLP(nn.Module):
    """Normalises each feature over the batch (dim 0) before an MLP."""

    def __init__(self) -> None:
        super().__init__()
        self.net = mlp(10, 3, hidden=16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = nn.functional.normalize(x, dim=0)
        return self.net(x - x.mean(dim=0))


def _waves(n: int = 320, length: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    t = np.arange(length)
    x = np.sin(t[None, :] * (0.4 + 0.5 * y[:, None]) + rng.uniform(0, 6.3, (n, 1))) + 0.1 * rng.standard_normal((n, length))
    return x[..., None].astype(np.float32), y.astype(np.int64)


def _sequence_setup(model: nn.Module) -> nndoctor.Setup:
    x, y = _waves()
    return nndoctor.Setup(model=model, train=(x[:256], y[:256]), val=(x[256:], y[256:]), loss=nn.CrossEntropyLoss(),
                          optimizer=ADAM, batch_size=32).resolve()


def _mixes(model: nn.Module, x: torch.Tensor) -> float:
    """Independent of the M207 probe: largest change of a sample's output between its batch and running alone."""
    model.eval()
    with torch.no_grad():
        together = model(x)
        alone = torch.cat([model(x[i:i + 1]) for i in range(len(x))])
    return float((together - alone).abs().max())


def test_batch_first_rnn_fixes_a_gru_fed_batch_first():
    torch.manual_seed(0)
    user = GRUClassifier(batch_first=False)
    setup = _sequence_setup(user)
    state = {k: v.clone() for k, v in user.state_dict().items()}
    rng = torch.get_rng_state()
    (candidate,) = batch_first_rnn(setup, _finding("M207"))
    assert torch.equal(rng, torch.get_rng_state())
    x, _ = setup.first_batch("train")
    fixed = candidate.setup.fresh_model()
    assert fixed.rnn.batch_first and _mixes(fixed, x) < 1e-5
    assert _mixes(setup.fresh_model(), x) > 1e-3
    assert mixing_cleared(candidate.setup) and not mixing_cleared(setup)
    assert candidate.judged_by == "cleared" and candidate.metric_comparable
    assert "batch_first=True" in candidate.snippet
    # the user's model and its weights are as they were
    assert not user.rnn.batch_first and all(torch.equal(v, user.state_dict()[k]) for k, v in state.items())


class TokenGRU(nn.Module):
    """A Hugging Face style model: keyword inputs, a dict of logits (and the loss when given labels)."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(50, 16)
        self.gru = nn.GRU(16, 16)
        self.head = nn.Linear(16, 2)

    def forward(self, input_ids: torch.Tensor, labels: torch.Tensor | None = None) -> dict:
        hidden, _ = self.gru(self.embed(input_ids))
        logits = self.head(hidden.max(dim=1).values)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(logits, labels)
        return out


class _Messages(torch.utils.data.Dataset):
    def __init__(self, n: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.ids = torch.as_tensor(rng.integers(3, 50, size=(n, 12)))
        self.labels = torch.as_tensor(rng.integers(0, 2, size=n))

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> dict:
        return {"input_ids": self.ids[i], "labels": self.labels[i]}


def test_batch_first_rnn_reaches_a_gru_under_dict_inputs():
    from torch.utils.data import DataLoader

    torch.manual_seed(0)
    setup = nndoctor.Setup(model=TokenGRU(), train=DataLoader(_Messages(256, 0), batch_size=32),
                           val=DataLoader(_Messages(64, 1), batch_size=64), loss=nn.CrossEntropyLoss(), optimizer=ADAM)
    (candidate,) = batch_first_rnn(setup, _finding("M207"))
    assert candidate.setup.fresh_model().gru.batch_first
    assert mixing_cleared(candidate.setup) and not mixing_cleared(setup)
    assert "nn.GRU(16, 16, batch_first=True)" in candidate.snippet


@pytest.mark.parametrize("model", [AttentionPool(dim=0), CentredMLP()], ids=["softmax-dim0", "normalize-mean-dim0"])
def test_per_sample_normalisation_moves_batch_reductions_to_the_last_dim(model):
    setup = _sequence_setup(model) if isinstance(model, AttentionPool) else _tabular(model)
    candidates = per_sample_normalisation(setup, _finding("M207"))
    x, _ = setup.first_batch("train")
    assert _mixes(setup.fresh_model(), x) > 1e-3
    for candidate in candidates:
        assert _mixes(candidate.setup.fresh_model(), x) < 1e-5
        assert mixing_cleared(candidate.setup)
    assert "dim=-1" in candidates[0].snippet and "line" in candidates[0].snippet
    # an F.normalize over the batch may also simply go (the trials decide); a softmax is only moved
    assert len(candidates) == (2 if isinstance(model, CentredMLP) else 1)
    assert all("remove `x = nn.functional.normalize(x, dim=0)`" in c.snippet for c in candidates[1:])
    assert type(setup.model) is type(model) and _mixes(model, x) > 1e-3  # the user's model still as written


def test_the_rewritten_softmax_is_the_one_over_time():
    """The fixed attention pool computes what the user's model computes with softmax over dim 1."""
    torch.manual_seed(0)
    setup = _sequence_setup(AttentionPool(dim=0))
    (candidate,) = per_sample_normalisation(setup, _finding("M207"))
    x, _ = setup.first_batch("train")
    intended = setup.fresh_model()
    intended.dim = 1
    fixed = candidate.setup.fresh_model().eval()
    with torch.no_grad():
        assert torch.allclose(fixed(x), intended.eval()(x), atol=1e-6)


def _tabular(model: nn.Module) -> nndoctor.Setup:
    x, y = blobs(n=400)
    return nndoctor.Setup(model=model, train=(x[:320], y[:320]), val=(x[320:], y[320:]), loss=nn.CrossEntropyLoss(),
                          optimizer=ADAM, batch_size=32).resolve()


@pytest.mark.parametrize("remedy", [batch_first_rnn, per_sample_normalisation])
def test_healthy_models_get_no_batch_remedy(remedy):
    torch.manual_seed(0)
    for setup in (_sequence_setup(GRUClassifier(batch_first=True)), _sequence_setup(AttentionPool(dim=1)), _tabular(mlp(10, 3))):
        with pytest.raises(NotApplicable):
            remedy(setup, _finding("M207"))


# -- end to end --------------------------------------------------------------------------------------
def _fixed(setup: nndoctor.Setup, code: str) -> dict:
    report = nndoctor.fix(setup, budget=300, seeds=2, steps=60)
    (result,) = [r for r in report.extra["fix"]["results"] if r["code"] == code]
    return result


def test_fix_verifies_dropping_leaked_validation_rows_by_the_audit():
    setup, _, _ = _leaky(exact=60, near=0, fresh=60)
    result = _fixed(setup, "D108")
    assert result["status"] == "verified", result
    assert result["remedy"]["remedy"] == "drop-leaked-validation" and result["remedy"]["gain"] is None


class BatchNormalisedInputs(nn.Module):
    """Scales each input column to unit norm over the batch: every output depends on the whole batch."""

    def __init__(self) -> None:
        super().__init__()
        self.net = mlp(10, 3, hidden=32)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(nn.functional.normalize(x, dim=0))


def test_fix_verifies_per_sample_normalisation_for_a_normalize_over_the_batch():
    result = _fixed(_tabular(BatchNormalisedInputs()), "M207")
    assert result["status"] == "verified", result
    assert result["remedy"]["remedy"] == "per-sample-normalisation"
    assert {t["title"].rsplit(": ", 1)[-1] for t in result["tried"]} == {
        "over the last dim instead of the batch", "remove the normalize over the batch"}
