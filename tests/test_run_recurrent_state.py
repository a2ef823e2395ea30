"""`nndoctor run`'s exam on recurrent loops that carry a state: ``output, hidden = model(data, hidden)``.

PyTorch's word-language-model example batches a token stream by hand (time-major, ``(T, B)``),
passes the LSTM's ``(h, c)`` back in each step and flattens the output inside ``forward``. The
exam feeds such a model its recorded batches as ``B`` sequences with a zero state, as
``init_hidden`` does; checked here against the loop's own first loss.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nndoctor import Severity
from nndoctor.combine import examine
from nndoctor.look.predict import MATRIX_CLASSES, Outputs, summarise
from nndoctor.watch.capture import SetupCapture

VOCAB = 50


def token_stream(n: int = 6000, seed: int = 0) -> torch.Tensor:
    """Tokens where 70% follow a fixed successor of their predecessor: learnable, not trivial."""
    g = torch.Generator().manual_seed(seed)
    successor = torch.randperm(VOCAB, generator=g)
    out = torch.empty(n, dtype=torch.long)
    out[0] = 0
    noise = torch.randint(0, VOCAB, (n,), generator=g)
    keep = torch.rand(n, generator=g) < 0.7
    for i in range(1, n):
        out[i] = successor[out[i - 1]] if keep[i] else noise[i]
    return out


class WordLM(nn.Module):
    """The example's RNNModel: embedding, LSTM (time-major), decoder, flattened log-probabilities."""

    def __init__(self, log_probs: bool = True, batch_first: bool = False, cell: str = "LSTM") -> None:
        super().__init__()
        self.encoder = nn.Embedding(VOCAB, 32)
        self.rnn = getattr(nn, cell)(32, 48, num_layers=2, batch_first=batch_first)
        self.decoder = nn.Linear(48, VOCAB)
        self.log_probs = log_probs
        self.cell = cell

    def forward(self, data: torch.Tensor, hidden):
        output, hidden = self.rnn(self.encoder(data), hidden)
        decoded = self.decoder(output).view(-1, VOCAB)
        return (F.log_softmax(decoded, dim=1) if self.log_probs else decoded), hidden

    def init_hidden(self, batch: int):
        weight = next(self.parameters())
        zeros = weight.new_zeros(2, batch, 48)
        return (zeros, weight.new_zeros(2, batch, 48)) if self.cell == "LSTM" else zeros


def repackage(hidden):
    return hidden.detach() if isinstance(hidden, torch.Tensor) else tuple(repackage(h) for h in hidden)


def time_major_loop(model: WordLM, stream: torch.Tensor, first_losses: list[float], batch: int = 16, bptt: int = 20) -> None:
    """The example's loop: batchify to (T, B), get_batch windows, NLL on flattened outputs, clipping, manual SGD."""
    data = stream[: len(stream) // batch * batch].view(batch, -1).t().contiguous()
    hidden = model.init_hidden(batch)
    for i in range(0, data.size(0) - 1, bptt):
        seq_len = min(bptt, data.size(0) - 1 - i)
        x, target = data[i:i + seq_len], data[i + 1:i + 1 + seq_len].reshape(-1)
        model.zero_grad()
        hidden = repackage(hidden)
        output, hidden = model(x, hidden)
        loss = F.nll_loss(output, target)
        loss.backward()
        first_losses.append(loss.item())
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        with torch.no_grad():
            for p in model.parameters():
                p.add_(p.grad, alpha=-1.0)


def batch_first_loop(model: WordLM, stream: torch.Tensor, first_losses: list[float], batch: int = 24, length: int = 16) -> None:
    """Windows of the stream as (B, T) rows, a fresh zero state per batch, a smaller last batch, cross-entropy."""
    windows = stream[: len(stream) // (length + 1) * (length + 1)].view(-1, length + 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for start in range(0, len(windows), batch):
        rows = windows[start:start + batch]
        x, target = rows[:, :-1], rows[:, 1:].reshape(-1)
        optimizer.zero_grad()
        output, _ = model(x, model.init_hidden(len(rows)))
        loss = F.cross_entropy(output, target)
        loss.backward()
        first_losses.append(loss.item())
        optimizer.step()


def exam_and_first_loss(model: WordLM, loop) -> tuple[object, SetupCapture, list[float]]:
    losses: list[float] = []
    with SetupCapture() as capture:
        loop(model, token_stream(), losses)
    return examine(capture), capture, losses


def exam_loss_on_first_batch(capture: SetupCapture) -> float:
    setup = capture.setup()
    x, y = setup.first_batch("train")
    setup_model = setup.fresh_model().eval()
    with torch.no_grad():
        return float(setup.loss(setup_model(x), y))


def test_a_time_major_word_lm_is_examined_on_its_sequences_with_a_zero_state():
    torch.manual_seed(0)
    report, capture, losses = exam_and_first_loss(WordLM(), time_major_loop)
    assert not report.failures, report.failures
    assert capture.recurrent is not None and capture.recurrent.time_first
    assert not any("exam needs one" in s or "loss checks skipped" in s for s in report.skipped), report.skipped
    x, y = capture.setup().first_batch("train")
    assert tuple(x.shape) == (16, 20) and tuple(y.shape) == (16, 20)  # B sequences of T tokens, not T rows of B
    # independent: the loop's own first loss (same initial weights, zero state, no dropout)
    assert abs(exam_loss_on_first_batch(capture) - losses[0]) < 1e-5
    # a healthy model: the exam reads no batch mixing (M207) into the time-major layout
    assert {f.code for f in report.at_least(Severity.WARNING)} == set(), report.verdict()


def test_a_batch_first_gru_with_a_smaller_last_batch_gets_its_state_resized():
    torch.manual_seed(1)
    report, capture, losses = exam_and_first_loss(WordLM(log_probs=False, batch_first=True, cell="GRU"), batch_first_loop)
    assert not report.failures, report.failures
    assert capture.recurrent is not None and not capture.recurrent.time_first
    assert abs(exam_loss_on_first_batch(capture) - losses[0]) < 1e-5
    model = capture.setup().fresh_model().eval()
    with torch.no_grad():
        assert tuple(model(torch.zeros(5, 16, dtype=torch.long)).shape)[:2] == (5, 16)  # 5 rows: a zero state for 5


def test_logits_into_nll_in_the_example_loop_is_l303():
    torch.manual_seed(0)
    report, capture, _ = exam_and_first_loss(WordLM(log_probs=False), time_major_loop)
    assert not report.failures
    assert "L303" in {f.code for f in report.at_least(Severity.WARNING)}, report.verdict()


def test_a_vocabulary_sized_confusion_matrix_keeps_the_most_frequent_classes():
    rng = np.random.default_rng(0)
    truth = rng.zipf(1.3, 20_000) % 10_000
    predicted = np.where(rng.random(20_000) < 0.5, truth, rng.integers(0, 10_000, 20_000))
    summary = summarise(Outputs("classes", predicted, truth, None, None, 10_000))
    assert len(summary["labels"]) == MATRIX_CLASSES and len(summary["confusion"]) == MATRIX_CLASSES
    assert "of 10000" in summary["classes_shown"]
    top = int(np.bincount(truth).argmax())
    row = summary["labels"].index(top)
    assert summary["confusion"][row][row] == int(np.sum((truth == top) & (predicted == top)))  # counted by numpy


def test_only_an_all_zero_trailing_input_the_model_returns_anew_is_a_state():
    from nndoctor.watch.capture import recurrent_state

    x = torch.randint(0, VOCAB, (20, 8))
    hidden = (torch.zeros(2, 8, 48), torch.zeros(2, 8, 48))
    output = (torch.randn(160, VOCAB), (torch.randn(2, 8, 48), torch.randn(2, 8, 48)))
    found = recurrent_state((x, hidden), output)
    assert found is not None and found[0] == 1 and found[1].layouts == ((((2, 8, 48), torch.float32),) * 2,)
    keys = torch.randn(4, 10, 16)  # attention(q, k, v) returns (out, weights): out has the keys' shape, but holds data
    assert recurrent_state((torch.randn(4, 10, 16), keys, keys), (torch.randn(4, 10, 16), torch.randn(4, 10, 10))) is None
