"""`nndoctor run`'s exam on loops that index tensors instead of iterating a DataLoader.

The exam's data is then the first batches the loop fed the model (copies, one epoch at
most, bounded); its verdicts must match the same rows given through a DataLoader.
"""
from __future__ import annotations

import gc
import weakref

import torch
import torch.nn.functional as F
from torch.nn.modules import module as module_hooks
from torch.utils.data import DataLoader, TensorDataset

from nndoctor import Severity
from nndoctor.combine import examine
from nndoctor.watch.capture import SetupCapture
from tests.test_run_capture import digits, mlp, train_classifier, watched


def indexing_loop(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, epochs: int = 1, batch: int = 32) -> None:
    """word_language_model's get_batch style: index the tensors with a shuffled order, no DataLoader."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            xb, yb = x[idx], y[idx]
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()


def exam_of(loop) -> tuple[object, SetupCapture]:
    with SetupCapture() as capture:
        loop()
    return examine(capture), capture


def test_shuffled_labels_in_an_indexing_loop_are_d111_as_through_a_dataloader():
    x, y = digits(shuffle_labels=True)
    x, y = x[:600], y[:600]
    report, capture = exam_of(lambda: indexing_loop(mlp(), x, y, epochs=2))
    assert "D111" in {f.code for f in report.at_least(Severity.ERROR)}, report.verdict()
    assert capture.sample.rows == 600 and len(capture.sample.batches) == 19  # the second epoch re-feeds rows: the sample stops at one
    assert any("first 19 batches (600 samples)" in s for s in report.skipped)
    # independent: the same rows through a DataLoader get the same verdict
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    _, exam, _, _ = watched(lambda: train_classifier(mlp(), loader, None))
    assert "D111" in {f.code for f in exam.at_least(Severity.ERROR)}


def test_a_healthy_indexing_loop_gets_no_warning_and_the_sample_stops_at_the_epoch():
    x, y = digits()
    report, capture = exam_of(lambda: indexing_loop(mlp(), x[:1400], y[:1400], epochs=3))
    assert not report.failures
    assert {f.code for f in report.at_least(Severity.WARNING)} == set(), report.verdict()
    assert capture.sample.rows == 1024 and len(capture.sample.batches) == 32  # the batch bound, within the first epoch


def test_the_sample_is_bounded_and_holds_copies_only():
    x, y = digits()
    model = mlp()
    kept = []

    def loop() -> None:
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        for start in range(0, 1792, 64):
            xb, yb = x[start:start + 64].clone(), y[start:start + 64].clone()
            kept.append((weakref.ref(xb), weakref.ref(yb)))
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()

    hooks_before = len(module_hooks._global_forward_pre_hooks)
    with SetupCapture() as capture:
        loop()
        gc.collect()
        assert all(a() is None and b() is None for a, b in kept[:-1])  # the user's batches are not kept alive
    assert len(module_hooks._global_forward_pre_hooks) == hooks_before
    assert capture.sample.rows == 1792 and len(capture.sample.batches) == 28
    recorded = torch.cat([b[0][0] for b in capture.sample.batches])
    assert torch.equal(recorded, x[:1792])
    assert recorded.untyped_storage().data_ptr() != x.untyped_storage().data_ptr()
    assert capture.train_loader.batch_size == 64


def test_a_loop_in_class_order_judges_no_class_shares_or_batch_count_on_its_first_batches():
    gen = torch.Generator().manual_seed(0)
    y = torch.arange(3).repeat_interleave(1200)  # sorted by class: the first 1024 rows are all class 0
    x = torch.randn(len(y), 64, generator=gen) + torch.randn(3, 64, generator=gen)[y]

    def loop() -> None:
        model = mlp()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        for start in range(0, len(x), 32):
            optimizer.zero_grad()
            F.cross_entropy(model(x[start:start + 32]), y[start:start + 32]).backward()
            optimizer.step()

    report, capture = exam_of(loop)
    assert capture.sample.rows == 1024 and set(capture.train_loader.dataset.tensors[1].tolist()) == {0}
    assert "D106" not in report.codes and "D109" not in report.codes and "D114" not in report.codes


def test_recording_the_loop_changes_nothing_it_trains():
    x, y = digits()

    def trained(capture: bool) -> tuple[torch.Tensor, torch.Tensor]:
        torch.manual_seed(3)
        model = mlp()
        if capture:
            with SetupCapture() as cap:
                indexing_loop(model, x[:800], y[:800], epochs=2)
            assert cap.sample.rows == 800
        else:
            indexing_loop(model, x[:800], y[:800], epochs=2)
        return torch.cat([p.detach().reshape(-1) for p in model.parameters()]), torch.rand(3)

    (plain, rng_plain), (watched_params, rng_watched) = trained(False), trained(True)
    assert torch.equal(plain, watched_params) and torch.equal(rng_plain, rng_watched)
