"""Measurements traced on round 12's unseen scripts (benchmarks/outofsample/round12), each against the reading it replaced.

* A flat loss under an adaptive optimizer whose steps are frozen in every layer is the LR's doing (O402), not a
  plateau of unknown cause: Adam scales each weight's step to about the LR, whatever its gradient's size.
* A BPR loss written without its minus, ``F.logsigmoid(x_uij).mean() + l2 penalty``, maximises nothing and minimises a
  log-likelihood (L308): logsigmoid is a log-probability, and a weight penalty added to it does not hide its direction.
* Under a class-weighted loss an output bias started at the log odds of the data's class shares is at the prior the
  catalog names (M210) and where a loss that knows nothing sits (L307); the weights only make another constant best.
* A hand-written update that leaves out tensors the loss sends gradients to (MF's factor tables) is T504 as well, and
  an error when they hold most of the model's weights.
* Saturated tanh units at the start (M204) are read at the first sampled step, which a hand-written loop numbers 1.
"""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import nndoctor
from nndoctor import Severity
from nndoctor.combine import examine
from nndoctor.errors import SetupError
from nndoctor.verdicts.optimisation import (
    LearningRateEvidence,
    LossCurve,
    learning_rate,
)
from nndoctor.watch.capture import SetupCapture
from nndoctor.watch.graph import log_likelihood_sign
from nndoctor.watch.instrument import instrumented

FLAT = LossCurve(values=(1.61, 1.61, 1.61, 1.61), source="per-step", steps=200, span="over 200 steps", reference=1.61)


def test_frozen_steps_under_adam_are_a_learning_rate_too_low():
    adam = LearningRateEvidence(lr=5e-7, optimizer="AdamW", curve=FLAT, update_ratio=6e-6, last_update_ratio=5e-6)
    found = learning_rate(adam)
    assert [f.code for f in found] == ["O402"] and found[0].evidence["weights_frozen"] is True
    assert "AdamW" in found[0].message and "6.0e-06" in found[0].message


def test_frozen_steps_the_lr_does_not_size_stay_unexplained():
    """Plain SGD steps are the gradient times the LR (a vanishing gradient freezes them too), and an output layer
    that does not move at all has no gradient reaching it: neither names the LR."""
    sgd = LearningRateEvidence(lr=5e-7, optimizer="SGD", curve=FLAT, update_ratio=6e-6, last_update_ratio=5e-6)
    cut = LearningRateEvidence(lr=1e-3, optimizer="Adam", curve=FLAT, update_ratio=6e-6, last_update_ratio=0.0)
    healthy = LearningRateEvidence(lr=1e-3, optimizer="Adam", curve=FLAT, update_ratio=2e-3, last_update_ratio=1e-3)
    assert learning_rate(sgd) == [] and learning_rate(cut) == []
    assert "O402" not in [f.code for f in learning_rate(healthy)]


def _adam_loop(lr: float) -> None:
    torch.manual_seed(0)
    x = torch.randn(1024, 16)
    y = (x[:, :4].sum(dim=1) > 0).long() + 2 * (x[:, 4] > 0).long()
    model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 4))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32, shuffle=True)
    for _ in range(5):
        for xb, yb in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            optimizer.step()


def _watched(lr: float) -> nndoctor.Doctor:
    """The loop as ``nndoctor run`` watches it: every optimizer and model it builds is adopted."""
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            _adam_loop(lr)
    finally:
        doctor.stop()
    return doctor


def test_a_watched_adam_run_at_a_tiny_lr_reads_the_lr_as_the_root():
    """At 1e-8 many steps fall below float32's resolution of the weights and round to zero; the median step does not."""
    doctor = _watched(1e-8)
    loud = {f.code: f for f in doctor.report().at_least(Severity.WARNING)}
    assert "O402" in loud and loud["O402"].explained_by is None, [(c, f.explained_by) for c, f in loud.items()]
    assert loud.get("O406") is None or loud["O406"].explained_by == "O402"


def test_a_watched_adam_run_at_a_usual_lr_is_not_told_to_raise_it():
    doctor = _watched(1e-3)
    assert not {"O402", "O406"} & {f.code for f in doctor.report().findings}


def _bpr_loop(sign: float) -> None:
    """Matrix factorisation trained by hand on BPR triples (user, seen item, unseen item), with an L2 penalty."""
    torch.manual_seed(0)
    users, items = nn.Embedding(200, 16), nn.Embedding(300, 16)
    for table in (users, items):
        nn.init.normal_(table.weight, std=0.1)
    u, i, j = torch.randint(0, 200, (4000,)), torch.randint(0, 150, (4000,)), torch.randint(150, 300, (4000,))
    for step in range(150):
        batch = slice((step * 64) % 4000, (step * 64) % 4000 + 64)
        x_uij = (users(u[batch]) * (items(i[batch]) - items(j[batch]))).sum(dim=1)
        reg = 1e-4 * (users(u[batch]).pow(2).sum() + items(i[batch]).pow(2).sum() + items(j[batch]).pow(2).sum())
        loss = sign * F.logsigmoid(x_uij).mean() + reg
        users.zero_grad()
        items.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in (users.weight, items.weight):
                p -= 0.5 * p.grad


def _watched_bpr(sign: float) -> set[str]:
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            _bpr_loop(sign)
    finally:
        doctor.stop()
    return {f.code for f in doctor.report().at_least(Severity.WARNING)}


def test_a_bpr_loss_without_its_minus_is_a_flipped_sign():
    assert "L308" in _watched_bpr(+1.0)
    assert "L308" not in _watched_bpr(-1.0)


def test_the_sign_of_a_log_likelihood_beside_a_penalty():
    x = torch.randn(8, requires_grad=True)
    penalty = 0.01 * nn.Linear(3, 3).weight.pow(2).sum()
    assert log_likelihood_sign(F.logsigmoid(x).mean() + penalty) == 1  # minimised: the probabilities go to zero
    assert log_likelihood_sign(-F.logsigmoid(x).mean() + penalty) == -1  # the negative log-likelihood
    assert log_likelihood_sign(x.pow(2).mean() + penalty) is None  # no log-probability: nothing to say
    # a term holding log-probabilities of unknown sign keeps the whole sign unknown
    assert log_likelihood_sign(-F.logsigmoid(x).mean() + (x.sigmoid() * F.logsigmoid(x)).sum()) is None


class WordLM(nn.Module):
    """The official word-language-model example's shape: (time, batch) tokens in, (time * batch, vocabulary) scores out,
    with the LSTM's state passed in and returned (``stateful``) as the example does."""

    def __init__(self, stateful: bool, vocab: int = 60) -> None:
        super().__init__()
        self.vocab, self.stateful = vocab, stateful
        self.embed, self.rnn, self.decode = nn.Embedding(vocab, 32), nn.LSTM(32, 32), nn.Linear(32, vocab)

    def forward(self, tokens: torch.Tensor, hidden: tuple | None = None):
        out, hidden = self.rnn(self.embed(tokens), hidden)
        scores = self.decode(out).view(-1, self.vocab)
        return (scores, hidden) if self.stateful else scores


def _word_lm_loop(stateful: bool) -> None:
    torch.manual_seed(0)
    stream = torch.randint(0, 60, (4000,))
    data = stream[: (len(stream) // 20) * 20].view(20, -1).t().contiguous()  # batchify: (time, batch)
    model = WordLM(stateful)
    for epoch in range(2):
        hidden = None
        for i in range(0, data.size(0) - 36, 35):
            x, y = data[i:i + 35], data[i + 1:i + 36].reshape(-1)
            model.zero_grad()
            if stateful:
                hidden = None if hidden is None else tuple(h.detach() for h in hidden)
                scores, hidden = model(x, hidden)
            else:
                scores = model(x)
            loss = F.cross_entropy(scores, y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            with torch.no_grad():
                for p in model.parameters():
                    p -= 20 * p.grad


@pytest.mark.parametrize("stateful", [False, True])
def test_the_word_lm_examples_time_major_batches_are_not_batch_mixing(stateful):
    """Rows of (time, batch) tokens whose targets are the next rows are time steps the LSTM must mix: no M207. Where
    the exam cannot cut such batches at all, it says what it skipped instead of failing."""
    with nndoctor.watch(alerts=False), SetupCapture() as capture:
        _word_lm_loop(stateful)
    exam = examine(capture)
    assert not exam.failures, exam.failures
    assert "M207" not in {f.code for f in exam.findings}, [(f.code, f.message) for f in exam.findings]
    assert exam.skipped, "what the exam left out, and why, is stated"


def test_a_captured_setup_that_cannot_be_rebuilt_is_a_skip_not_a_failure():
    """Batches the capture cut that do not fit the model (rows of time steps against flat targets) leave nothing to
    examine: the report says so among what it skipped, and lists no failure of its own."""

    class Unbuildable(SetupCapture):
        loss_known = True

        def setup(self, stand_in: bool = False):
            raise SetupError("The model returned 700 rows for a batch of 20 targets.", "Keep the batch dimension first.")

    capture = Unbuildable()
    capture.captured, capture.model = True, nn.Linear(2, 2)
    capture.train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(4, 2)))
    exam = examine(capture)
    assert not exam.failures and any("700 rows" in s and "could not be rebuilt" in s for s in exam.skipped), exam.skipped


def _fraud_setup(bias: float) -> nndoctor.Setup:
    """4% positives under ``BCEWithLogitsLoss(pos_weight=neg/pos)``, the output bias at ``bias``."""
    torch.manual_seed(0)
    x = torch.randn(4000, 10)
    y = ((x[:, 0] + 0.5 * x[:, 1] + 0.3 * torch.randn(4000)) > 2.0).float().unsqueeze(1)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
    with torch.no_grad():
        model[2].bias.fill_(bias)
    rate = float(y.mean())
    loss = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([(1 - rate) / rate]))
    return nndoctor.Setup(model=model, train=(x[:3000], y[:3000]), val=(x[3000:], y[3000:]), loss=loss, task="binary")


def test_an_output_bias_at_the_data_prior_is_no_fault_under_class_weights():
    rate = 0.04
    at_prior = nndoctor.checkup(_fraud_setup(math.log(rate / (1 - rate))), select=["M210", "L307"])
    assert not {"M210", "L307"} & {f.code for f in at_prior.at_least(Severity.WARNING)}, at_prior.findings
    for bias in (6.0, -math.log(rate / (1 - rate))):  # confidently positive; the prior's log odds negated
        off = nndoctor.checkup(_fraud_setup(bias), select=["M210", "L307"])
        assert {"M210", "L307"} & {f.code for f in off.at_least(Severity.WARNING)}, (bias, off.findings)


class BiasedMF(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.user, self.item = nn.Embedding(300, 16), nn.Embedding(400, 16)
        self.user_bias, self.item_bias = nn.Embedding(300, 1), nn.Embedding(400, 1)
        self.unused = nn.Linear(4, 4)  # built, never called: no gradient, no update, nothing wrong
        for table in (self.user, self.item):
            nn.init.normal_(table.weight, std=0.1)
        for table in (self.user_bias, self.item_bias):
            nn.init.zeros_(table.weight)

    def forward(self, u: torch.Tensor, i: torch.Tensor) -> torch.Tensor:
        dot = (self.user(u) * self.item(i)).sum(dim=1)
        return dot + self.user_bias(u).squeeze(1) + self.item_bias(i).squeeze(1)


def _mf_codes(update: str) -> dict[str, Severity]:
    torch.manual_seed(0)
    u, i = torch.randint(0, 300, (6000,)), torch.randint(0, 400, (6000,))
    r = torch.randn(6000).clamp(-2, 2)
    model = BiasedMF()
    updated = ([*model.user_bias.parameters(), *model.item_bias.parameters()] if update == "biases"
               else [*model.user.parameters(), *model.item.parameters(), *model.user_bias.parameters(), *model.item_bias.parameters()])
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            for step in range(200):
                batch = slice((step * 128) % 6000, (step * 128) % 6000 + 128)
                loss = F.mse_loss(model(u[batch], i[batch]), r[batch])
                model.zero_grad()
                loss.backward()
                with torch.no_grad():
                    for p in updated:
                        p -= 0.5 * p.grad
    finally:
        doctor.stop()
    return {f.code: f.severity for f in doctor.report().findings}


def test_a_hand_written_update_that_leaves_out_the_factor_tables_is_t504():
    codes = _mf_codes("biases")
    assert codes.get("T504") == Severity.ERROR, codes
    assert "T504" not in _mf_codes("all")  # every tensor with a gradient is updated; the unused layer has none


def _tanh_codes(init: str) -> set[str]:
    torch.manual_seed(0)
    x = torch.randn(2048, 8)
    y = (x[:, :3].sum(dim=1, keepdim=True) + 0.5 * x[:, 3:4] ** 2)
    model = nn.Sequential(nn.Linear(8, 128), nn.Tanh(), nn.Linear(128, 128), nn.Tanh(), nn.Linear(128, 1))
    for layer in (model[0], model[2]):
        if init == "normal":
            nn.init.normal_(layer.weight, 0.0, 1.0)
        else:
            nn.init.xavier_normal_(layer.weight, gain=nn.init.calculate_gain("tanh"))
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            for step in range(100):
                batch = slice((step * 64) % 2048, (step * 64) % 2048 + 64)
                loss = F.mse_loss(model(x[batch]), y[batch])
                model.zero_grad()
                loss.backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p -= 0.01 * p.grad
    finally:
        doctor.stop()
    return {f.code for f in doctor.report().at_least(Severity.WARNING)}


def test_saturated_tanh_units_at_the_start_of_a_hand_written_loop_are_m204():
    assert "M204" in _tanh_codes("normal")
    assert "M204" not in _tanh_codes("xavier")


def test_an_anti_prior_bias_under_class_weights_stays_a_fault():
    """Balanced class weights on 94/2/2/2 shares, the bias at minus the log prior: under the weights this costs less than
    the plain prior does, yet it is no prior at all. Judged without the weights, it is far off the data's shares."""
    torch.manual_seed(0)
    x = torch.randn(3000, 12)
    y = torch.multinomial(torch.tensor([0.94, 0.02, 0.02, 0.02]), 3000, replacement=True)
    x[:, :4] += 2.0 * nn.functional.one_hot(y, 4).float()
    counts = torch.bincount(y, minlength=4).float()
    model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 4))
    with torch.no_grad():
        model[2].bias.copy_(-torch.log(counts / counts.sum()))
    setup = nndoctor.Setup(model=model, train=(x, y), loss=nn.CrossEntropyLoss(weight=len(y) / (4 * counts)), task="multiclass")
    found = {f.code for f in nndoctor.checkup(setup, select=["M210", "L307"]).at_least(Severity.WARNING)}
    assert {"M210", "L307"} & found, found


def test_fix_sizes_the_lr_from_the_measured_steps_when_no_range_test_suggests_one():
    """A frozen run under Adam at 5e-7 with steps of 2.7e-6: the LR whose steps meet ~1e-3 is 5e-7 * 1e-3 / 2.7e-6."""
    from nndoctor.findings import Finding
    from nndoctor.fix.remedies import _lr_for_healthy_steps

    frozen = Finding("O402", Severity.WARNING, "too low", {"median_update_ratio": 2.7e-6, "optimizer": "AdamW"})
    assert _lr_for_healthy_steps(frozen, 5e-7) == pytest.approx(5e-7 * 1e-3 / 2.7e-6)
    plain = Finding("O402", Severity.WARNING, "too low", {"median_update_ratio": 2.7e-6, "optimizer": "SGD"})
    assert _lr_for_healthy_steps(plain, 5e-7) is None  # a plain step scales with the gradient too: the ratio says less
