"""fix's training remedies: regularisation (G601), capacity (G602), smaller batches (D114).

Each is trialled the way ``nndoctor fix`` does (same seeds, same budget, :func:`nndoctor.fix.api._judge`)
on a broken setup, where it must be verified, and on a healthy one, where it must not be.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.datasets import make_circles, make_classification
from torch import nn

import nndoctor
from nndoctor.findings import Finding
from nndoctor.fix.api import _judge
from nndoctor.fix.candidate import Candidate
from nndoctor.fix.model_remedies import linear_path
from nndoctor.fix.training_remedies import add_capacity, higher_lr_if_falling, regularise, smaller_batches
from nndoctor.fix.transforms import NotApplicable
from nndoctor.fix.trials import baseline_candidate, paired_baseline_steps, run_trial
from nndoctor.fix.verdict import compare_on_loss

from conftest import blobs, mlp
from test_fix import one_thread  # noqa: F401  (autouse: tiny models train faster on one thread)

ADAM = lambda p: torch.optim.Adam(p, lr=1e-3)
SEEDS = (0, 1, 2)


def trial(setup: nndoctor.Setup, candidate: Candidate, steps: int):
    """fix's comparison of one candidate with the unchanged setup (paired baseline included)."""
    base = baseline_candidate(setup)
    before = [run_trial(base, setup, s, paired_baseline_steps(candidate, setup, steps)) for s in SEEDS]
    after = [run_trial(candidate, setup, s, steps) for s in SEEDS]
    return _judge(candidate, before, after)


def finding(code: str, **evidence) -> Finding:
    return Finding(code, "warning", "", evidence=evidence)


def wide_data(n: int = 300, seed: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Few samples, many features, a little label noise: a 512-unit MLP memorises it."""
    x, y = make_classification(n_samples=n, n_features=100, n_informative=8, n_redundant=0, class_sep=1.0, flip_y=0.05,
                               random_state=seed)
    x = (x - x.mean(0)) / x.std(0)
    return x.astype(np.float32), y.astype(np.int64)


def healthy() -> nndoctor.Setup:
    from conftest import blobs

    x, y = blobs()
    return nndoctor.Setup(model=mlp(10, 3), train=(x[:480], y[:480]), val=(x[480:], y[480:]), loss=nn.CrossEntropyLoss(),
                          optimizer=ADAM, batch_size=32).resolve()


# -- G601 --------------------------------------------------------------------------------------
def test_weight_decay_verified_on_an_overfitting_setup():
    x, y = wide_data()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(100, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 2))
    setup = nndoctor.Setup(model=model, train=(x[:150], y[:150]), val=(x[150:], y[150:]), loss=nn.CrossEntropyLoss(),
                           optimizer=ADAM, batch_size=16).resolve()
    weights = {k: v.clone() for k, v in setup.model.state_dict().items()}
    decay = next(c for c in regularise(setup, finding("G601")) if c.remedy == "weight-decay")
    verdict = trial(setup, decay, 200)
    assert verdict.verified, verdict
    assert "validation loss" in verdict.reason
    assert all(torch.equal(weights[k], v) for k, v in setup.model.state_dict().items())


def test_regularisation_is_not_verified_on_a_healthy_setup():
    setup = healthy()
    for candidate in regularise(setup, finding("G601")):
        verdict = trial(setup, candidate, 150)
        assert not verdict.verified, (candidate.remedy, verdict)


def test_loss_judged_remedy_needs_a_lower_loss_and_no_worse_metric():
    better_loss = compare_on_loss([1.0, 1.1, 0.9], [0.6, 0.7, 0.6], [0.75, 0.75, 0.74], [0.76, 0.74, 0.75])
    assert better_loss.verified, better_loss
    worse_metric = compare_on_loss([1.0, 1.1, 0.9], [0.6, 0.7, 0.6], [0.75, 0.75, 0.74], [0.70, 0.71, 0.69])
    assert not worse_metric.verified and "metric got worse" in worse_metric.reason
    tie = compare_on_loss([1.0, 1.0, 1.0], [0.999, 1.0, 0.998], [0.7] * 3, [0.7] * 3)
    assert not tie.verified


# -- G602 --------------------------------------------------------------------------------------
def circles() -> tuple[np.ndarray, np.ndarray]:
    x, y = make_circles(n_samples=800, noise=0.08, factor=0.5, random_state=0)
    return (x / 0.6).astype(np.float32), y.astype(np.float32)


def test_a_hidden_layer_verified_when_the_model_is_one_linear_map():
    x, y = circles()
    torch.manual_seed(0)
    setup = nndoctor.Setup(model=nn.Sequential(nn.Linear(2, 1), nn.Flatten(0)), train=(x[:600], y[:600]), val=(x[600:], y[600:]),
                           loss=nn.BCEWithLogitsLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), batch_size=32).resolve()
    (candidate,) = add_capacity(setup, finding("G602"))
    assert candidate.remedy == "add-hidden-layer"
    verdict = trial(setup, candidate, 200)
    assert verdict.verified and verdict.gain > 0.3, verdict


def test_a_relu_between_stacked_linear_layers_is_verified():
    x, y = circles()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 32), nn.Linear(32, 32), nn.Linear(32, 1), nn.Flatten(0))
    setup = nndoctor.Setup(model=model, train=(x[:600], y[:600]), val=(x[600:], y[600:]), loss=nn.BCEWithLogitsLoss(),
                           optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), batch_size=32).resolve()
    (candidate,) = add_capacity(setup, finding("G602"))
    assert candidate.remedy == "add-nonlinearity"
    assert trial(setup, candidate, 200).verified


class Swish(nn.Module):
    """An activation torch does not name, as Hugging Face's ``GELUActivation`` or a user's own."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.sigmoid(x)


def test_an_activation_torch_does_not_name_is_not_taken_for_a_missing_one():
    x, y = circles()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 32), Swish(), nn.Linear(32, 32), nn.Dropout(0.1), nn.Linear(32, 1), nn.Flatten(0))
    setup = nndoctor.Setup(model=model, train=(x[:600], y[:600]), val=(x[600:], y[600:]), loss=nn.BCEWithLogitsLoss(),
                           optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), batch_size=32).resolve()
    (candidate,) = add_capacity(setup, finding("G602"))
    assert candidate.remedy == "add-nonlinearity" and candidate.title.startswith("a ReLU after 2:")  # only the dropout pair


class ParallelProjections(nn.Module):
    """Self-attention's shape: query, key and value all read the same states (called one after another, none
    feeding the next), then a softmax mixes them and an output layer reads the mix."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Linear(2, 16)
        self.query, self.key, self.value, self.out = nn.Linear(16, 16), nn.Linear(16, 16), nn.Linear(16, 16), nn.Linear(16, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.tanh(self.embed(x)).unsqueeze(1).expand(-1, 4, -1)
        weights = torch.softmax(self.query(h) @ self.key(h).transpose(1, 2), dim=-1)
        return self.out((weights @ self.value(h)).mean(1)).squeeze(-1)


def test_layers_that_run_one_after_another_without_feeding_each_other_are_no_stack():
    from nndoctor.fix.transforms import feeding_pairs

    x, y = circles()
    model = ParallelProjections()
    fed = feeding_pairs(model, torch.as_tensor(x[:8]))
    assert not {("query", "key"), ("key", "value"), ("value", "out")} & fed  # independent of the remedy: who feeds whom
    stack = nn.Sequential(nn.Linear(2, 32), nn.Linear(32, 32), nn.Linear(32, 1), nn.Flatten(0))
    assert {("0", "1"), ("1", "2"), ("2", "3")} <= feeding_pairs(stack, torch.as_tensor(x[:8]))
    setup = nndoctor.Setup(model=model, train=(x[:600], y[:600]), loss=nn.BCEWithLogitsLoss(), batch_size=32).resolve()
    with pytest.raises(NotApplicable):  # no ReLU after the query, no widened key: nothing here is a stack
        add_capacity(setup, finding("G602"))


def test_widening_a_healthy_model_is_not_verified():
    setup = healthy()
    (candidate,) = add_capacity(setup, finding("G602"))
    assert candidate.remedy == "widen-hidden"
    x, _ = candidate.setup.first_batch()
    widths = [m.out_features for m in candidate.setup.model.modules() if isinstance(m, nn.Linear)]
    assert widths == [256, 256, 3] and candidate.setup.model(x).shape == (32, 3)
    assert not trial(setup, candidate, 150).verified


def test_a_higher_lr_is_tried_only_while_the_train_loss_was_falling():
    setup = healthy()
    with pytest.raises(NotApplicable):
        higher_lr_if_falling(setup, finding("G602", still_falling=False))
    (candidate, *_) = higher_lr_if_falling(setup, finding("G602", still_falling=True, suggested_lr=1e-2))
    assert candidate.setup.make_optimizer(candidate.setup.fresh_model()).param_groups[0]["lr"] == pytest.approx(1e-2)


# -- G606 --------------------------------------------------------------------------------------
class FirstColumns(nn.Module):
    """An MLP whose forward reads only the first ``keep`` input columns."""

    def __init__(self, keep: int, classes: int = 3) -> None:
        super().__init__()
        self.keep, self.net = keep, nn.Sequential(nn.Linear(keep, 32), nn.ReLU(), nn.Linear(32, classes))

    def forward(self, x):
        return self.net(x[:, : self.keep])


def test_a_linear_path_starts_as_the_users_model_and_is_verified_when_the_network_drops_columns():
    x, y = blobs(n=900)
    torch.manual_seed(0)
    blind = nndoctor.Setup(model=FirstColumns(1), train=(x[:700], y[:700]), val=(x[700:], y[700:]),
                           loss=nn.CrossEntropyLoss(), optimizer=ADAM, batch_size=32).resolve()
    (candidate,) = linear_path(blind, finding("G606"))
    sample = torch.as_tensor(x[:50])
    with torch.no_grad():
        assert torch.equal(candidate.setup.model(sample), blind.model(sample))  # zero at init: the user's model
    verdict = trial(blind, candidate, 200)
    assert verdict.verified and verdict.gain > 0.1, verdict
    torch.manual_seed(0)
    seeing = nndoctor.Setup(model=FirstColumns(10), train=(x[:700], y[:700]), val=(x[700:], y[700:]),
                            loss=nn.CrossEntropyLoss(), optimizer=ADAM, batch_size=32).resolve()
    (same,) = linear_path(seeing, finding("G606"))
    assert not trial(seeing, same, 200).verified  # a network that reads every column gains nothing from the path


def test_a_linear_path_needs_floating_point_inputs():
    tokens = torch.randint(0, 50, (200, 12))
    model = nn.Sequential(nn.Embedding(50, 8), nn.Flatten(), nn.Linear(96, 2))
    setup = nndoctor.Setup(model=model, train=(tokens[:150], torch.randint(0, 2, (150,))), val=(tokens[150:], torch.randint(0, 2, (50,))),
                           loss=nn.CrossEntropyLoss(), optimizer=ADAM).resolve()
    with pytest.raises(NotApplicable):
        linear_path(setup, finding("G606"))


# -- D114 --------------------------------------------------------------------------------------
def test_smaller_batches_verified_at_the_same_epochs_when_the_batch_swallows_the_dataset():
    from conftest import blobs

    x, y = blobs(n=800, features=10, classes=3)
    setup = nndoctor.Setup(model=mlp(10, 3), train=(x[:600], y[:600]), val=(x[600:], y[600:]), loss=nn.CrossEntropyLoss(),
                           optimizer=lambda p: torch.optim.SGD(p, lr=0.01), batch_size=512).resolve()
    (candidate,) = smaller_batches(setup, finding("D114"))
    assert candidate.equal_samples and candidate.setup.train_loader.batch_size == 32
    assert setup.train_loader.batch_size == 512
    assert paired_baseline_steps(candidate, setup, 160) == 10  # 160 x 32 samples = 10 x 512
    verdict = trial(setup, candidate, 160)
    assert verdict.verified, verdict


def test_a_loader_built_from_a_batch_sampler_keeps_its_batch_and_shuffle_when_rebuilt():
    """accelerate's loaders (what Hugging Face's Trainer iterates) batch through a BatchSampler over a
    random sampler: the loader's own batch_size is None and its sampler sequential."""
    from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset

    from conftest import blobs
    from nndoctor.fix.transforms import is_shuffled, rebuild_loader

    x, y = blobs(n=800, features=10, classes=3)
    train_set = TensorDataset(torch.as_tensor(x[:600]), torch.as_tensor(y[:600]))
    loader = DataLoader(train_set, batch_sampler=BatchSampler(RandomSampler(train_set), 512, drop_last=False))
    assert loader.batch_size is None
    setup = nndoctor.Setup(model=mlp(10, 3), train=loader, val=(x[600:], y[600:]), loss=nn.CrossEntropyLoss(),
                           optimizer=lambda p: torch.optim.SGD(p, lr=0.01)).resolve()
    rebuilt = rebuild_loader(setup.train_loader)
    assert rebuilt.batch_size == 512 and is_shuffled(rebuilt)
    (candidate,) = smaller_batches(setup, finding("D114"))
    assert candidate.setup.train_loader.batch_size == 32 and is_shuffled(candidate.setup.train_loader)
    assert paired_baseline_steps(candidate, setup, 160) == 10


def test_smaller_batches_do_not_apply_to_small_batches_and_other_remedies_keep_their_steps():
    setup = healthy()
    with pytest.raises(NotApplicable):
        smaller_batches(setup, finding("D114"))
    (decay, *_) = regularise(setup, finding("G601"))
    assert paired_baseline_steps(decay, setup, 300) == 300


# -- symptoms' own remedies ----------------------------------------------------------------------
def test_a_symptoms_own_remedies_are_planned_when_the_root_lacks_them():
    """G602 blamed on the LR (O401): fix also tries more capacity, but not the LR remedies again."""
    from nndoctor.fix.api import _symptom_plans
    from nndoctor.report import Report

    setup = healthy()
    root = Finding("O401", "warning", "LR too high")
    symptom = Finding("G602", "warning", "cannot fit", evidence={"still_falling": False}, explained_by="O401")
    info = Finding("G601", "info", "turned up", explained_by="O401")
    plans = _symptom_plans(Report("checkup", [root, symptom, info]), [root], setup)
    assert [p.finding.code for p in plans] == ["G602"]
    assert [c.remedy for c in plans[0].candidates] == ["widen-hidden"]
    assert [n["remedy"] for n in plans[0].not_applicable] == ["higher-learning-rate"]
    # a plateau blamed on the LR gets only its own other remedy (less label smoothing; none here), not the LR again
    (plateau,) = _symptom_plans(Report("checkup", [root, Finding("O406", "warning", "", explained_by="O401")]), [root], setup)
    assert not plateau.candidates and [n["remedy"] for n in plateau.not_applicable] == ["less-label-smoothing"]


def test_fix_verifies_smaller_batches_end_to_end_against_a_baseline_at_equal_samples():
    from conftest import blobs

    x, y = blobs(n=800, features=10, classes=3)
    setup = nndoctor.Setup(model=mlp(10, 3), train=(x[:600], y[:600]), val=(x[600:], y[600:]), loss=nn.CrossEntropyLoss(),
                           optimizer=lambda p: torch.optim.SGD(p, lr=0.01), batch_size=512)
    report = nndoctor.fix(setup, budget=120, steps=160)
    results = {r["code"]: r for r in report.extra["fix"]["results"]}
    assert "D114" in results, report.codes
    chosen = results["D114"]["remedy"]
    assert results["D114"]["status"] == "verified" and chosen["remedy"] == "smaller-batches", results["D114"]
    assert chosen["before"]["steps"] == 10 and chosen["after"]["steps"] == 160  # same samples: 10 x 512 = 160 x 32
