"""``nndoctor run`` on a Hugging Face ``Trainer`` script: the model is called as ``model(**batch)``.

The Trainer passes the loader's dict batch (``input_ids``, ``attention_mask``, ``labels``) as
keyword arguments, plus ``num_items_in_batch``, and the model computes its own loss. The
capture must recognise that pattern and let the exam feed the batches the same way, with the
``labels`` entry as targets, so data faults such as labels unpaired from their inputs (D111)
are seen in run mode too, and a healthy script stays quiet.
"""
from __future__ import annotations

import tempfile

import numpy as np
import pytest
import torch

import nndoctor
from benchmarks.faults.casedata import token_sequences
from nndoctor import Severity
from nndoctor.combine import examine, merge
from nndoctor.watch.capture import SetupCapture

transformers = pytest.importorskip("transformers")
pytest.importorskip("accelerate")


class TokenDataset(torch.utils.data.Dataset):
    """Hugging Face-style samples: a dict with input_ids (a [CLS]-like 1 first), attention_mask and labels."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        ids = torch.tensor([1, *(self.x[i] + 2)])
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": torch.tensor(int(self.y[i]))}


def trainer_script(permute_labels: bool = False) -> None:
    """A tiny BertForSequenceClassification trained with transformers.Trainer, then evaluated on a held-out split."""
    x, y = token_sequences(n=480, length=10, vocab=12, seed=0)  # labelled by the commonest of three marker tokens
    if permute_labels:  # the fault: labels shuffled apart from their sequences
        y = y.copy()
        y[:400] = y[:400][np.random.default_rng(1).permutation(400)]
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=16, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                     intermediate_size=64, max_position_embeddings=16, num_labels=3)
    model = transformers.BertForSequenceClassification(config)
    with tempfile.TemporaryDirectory() as out:
        args = transformers.TrainingArguments(output_dir=out, num_train_epochs=2, per_device_train_batch_size=32,
                                              per_device_eval_batch_size=80, learning_rate=2e-3, save_strategy="no",
                                              report_to=[], use_cpu=True, seed=0, disable_tqdm=True, logging_steps=5)
        trainer = transformers.Trainer(model=model, args=args, train_dataset=TokenDataset(x[:400], y[:400]))
        trainer.train()
        trainer.predict(TokenDataset(x[400:], y[400:]))


def run_watched(permute_labels: bool):
    with nndoctor.watch(alerts=False) as doctor, SetupCapture() as capture:
        trainer_script(permute_labels)
    exam = examine(capture)
    return exam, merge(doctor.report(), exam), capture


def test_healthy_trainer_script_is_examined_and_quiet():
    exam, run, capture = run_watched(permute_labels=False)
    assert capture.keyword_batch and capture.adapter.label_key == "labels"
    assert capture.loss_known and capture.loss_note.startswith("cross_entropy") and capture.output_pick == "logits"
    assert not any("positional inputs" in s for s in run.skipped), run.skipped
    assert not exam.failures and not run.failures, run.failures
    codes = exam.extra["exam_codes"]
    assert {"D110", "D111", "D113", "M201"} <= set(codes)
    assert capture.val_loader is not None  # trainer.predict's loader is the validation split
    assert not run.at_least(Severity.WARNING), [(f.code, f.message) for f in run.at_least(Severity.WARNING)]


def test_trainer_labels_permuted_apart_from_inputs_are_found():
    exam, run, capture = run_watched(permute_labels=True)
    assert capture.keyword_batch and not exam.failures
    found = {f.code: f for f in run.at_least(Severity.WARNING)}
    assert "D111" in found, [(f.code, f.message) for f in run.findings]
    assert found["D111"].evidence["seen_by"] == "exam"



def test_trainer_with_its_own_compute_loss_is_replayed():
    """A ``Trainer`` subclass whose ``compute_loss`` pops the labels and calls a weighted ``F.cross_entropy``.

    The Trainer's loader prefetches: by the step's forward it has yielded the next batch, whose labels are not the
    ones the loss compared. The capture must pair the loss with the batch the step fed, so the loss is replayed and
    labels shuffled apart from their sequences are found by the exam.
    """

    class WeightedTrainer(transformers.Trainer):
        def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
            labels = inputs.pop("labels")
            outputs = model(**inputs)
            loss = torch.nn.functional.cross_entropy(outputs.logits, labels, weight=torch.tensor([1.0, 1.2, 0.9]))
            return (loss, outputs) if return_outputs else loss

    x, y = token_sequences(n=480, length=10, vocab=12, seed=0)
    y = y.copy()
    y[:400] = y[:400][np.random.default_rng(1).permutation(400)]
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=16, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                     intermediate_size=64, max_position_embeddings=16, num_labels=3)
    model = transformers.BertForSequenceClassification(config)
    with tempfile.TemporaryDirectory() as out, nndoctor.watch(alerts=False) as doctor, SetupCapture() as capture:
        args = transformers.TrainingArguments(output_dir=out, num_train_epochs=2, per_device_train_batch_size=32,
                                              learning_rate=2e-3, save_strategy="no", report_to=[], use_cpu=True,
                                              seed=0, disable_tqdm=True, logging_steps=5)
        WeightedTrainer(model=model, args=args, train_dataset=TokenDataset(x[:400], y[:400])).train()
    exam = examine(capture)
    run = merge(doctor.report(), exam)
    assert capture.keyword_batch and capture.loss_known and capture.adapter.label_key == "labels", capture.skipped
    found = {f.code: f for f in run.at_least(Severity.WARNING)}
    assert "D111" in found and found["D111"].evidence["seen_by"] == "exam", [(f.code, f.message) for f in run.findings]


class KeywordNet(torch.nn.Module):
    """A hand-written model taking its inputs by name, like a Hugging Face one."""

    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))

    def forward(self, pixels: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
        return self.net(pixels * scale)


class DictDigits(torch.utils.data.Dataset):
    def __init__(self, x: torch.Tensor, y: torch.Tensor) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"pixels": self.x[i], "scale": torch.ones(1), "labels": self.y[i]}


@pytest.mark.parametrize("shuffled", [False, True])
def test_hand_written_loop_popping_the_labels_before_model_kwargs(shuffled):
    """``labels = batch.pop("labels"); loss = F.cross_entropy(model(**batch), labels)``: the popped entry is the target."""
    from sklearn.datasets import load_digits

    data = load_digits()
    x, y = torch.tensor(data.data / 16.0, dtype=torch.float32), torch.tensor(data.target)
    if shuffled:
        y = y[torch.randperm(len(y), generator=torch.Generator().manual_seed(1))]
    torch.manual_seed(0)
    model = KeywordNet()
    train = torch.utils.data.DataLoader(DictDigits(x[:600], y[:600]), batch_size=32, shuffle=True)

    def loop() -> None:
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        for _ in range(2):
            for batch in train:
                labels = batch.pop("labels")
                loss = torch.nn.functional.cross_entropy(model(**batch), labels)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

    with nndoctor.watch(alerts=False) as doctor, SetupCapture() as capture:
        loop()
    exam = examine(capture)
    run = merge(doctor.report(), exam)
    assert capture.keyword_batch and capture.loss_known and capture.adapter.label_key == "labels"
    assert not run.failures, run.failures
    warned = {f.code for f in run.at_least(Severity.WARNING)}
    assert ("D111" in warned) is shuffled, [(f.code, f.message) for f in run.at_least(Severity.WARNING)]


class PixelsOnly(DictDigits):
    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"pixels": self.x[i], "labels": self.y[i]}


def test_keywords_that_are_not_the_batch_keep_the_exam_skipped():
    """``model(pixels=..., scale=<made in the loop>)``: the batch is not what the model got, so nothing is examined."""
    x, y = torch.rand(64, 64), torch.randint(0, 10, (64,))
    torch.manual_seed(0)
    model = KeywordNet()
    train = torch.utils.data.DataLoader(PixelsOnly(x, y), batch_size=16)

    def loop() -> None:
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for batch in train:
            loss = torch.nn.functional.cross_entropy(model(pixels=batch["pixels"], scale=torch.ones(1)), batch["labels"])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    with SetupCapture() as capture:
        loop()
    exam = examine(capture)
    assert not capture.keyword_batch and not exam.findings and not exam.failures
    assert any("0 positional inputs" in s for s in exam.skipped), exam.skipped
