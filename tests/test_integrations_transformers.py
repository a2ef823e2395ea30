"""DoctorCallback inside a real Hugging Face Trainer: tiny models built from configs, CPU, no downloads."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch
from torch.utils.data import Dataset

os.environ["HF_HUB_OFFLINE"] = "1"
transformers = pytest.importorskip("transformers")
pytest.importorskip("accelerate")
from nndoctor.integrations.transformers import DoctorCallback  # noqa: E402

SEQ = 12


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models run fastest on one thread; several oversubscribe a shared CI machine (10x slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class Tokens(Dataset):
    """Random token sequences; the label is whether one token (``position``) is in the lower half of the vocabulary.

    ``shuffled`` permutes the labels against the sequences: nothing is learnable (D111).
    """

    def __init__(self, n: int, seed: int, position: int, shuffled: bool = False) -> None:
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(3, 100, (n, SEQ), generator=g)
        self.labels = (self.ids[:, position] < 50).long()
        if shuffled:
            self.labels = self.labels[torch.randperm(n, generator=g)]

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"input_ids": self.ids[i], "attention_mask": torch.ones(SEQ, dtype=torch.long), "labels": self.labels[i]}


def bert() -> torch.nn.Module:
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=64, max_position_embeddings=16, num_labels=2)
    return transformers.BertForSequenceClassification(config)


def gpt2() -> torch.nn.Module:
    torch.manual_seed(0)
    config = transformers.GPT2Config(vocab_size=100, n_embd=32, n_layer=2, n_head=2, n_positions=16, num_labels=2,
                                     pad_token_id=0, bos_token_id=1, eos_token_id=2)
    return transformers.GPT2ForSequenceClassification(config)


def train(model: torch.nn.Module, train_set: Dataset, val_set: Dataset, tmp_path: Path, epochs: int, lr: float,
          callback: DoctorCallback | None, attach: bool = False, batch_size: int = 16, eval_steps: int = 10) -> transformers.Trainer:
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path / "out"), learning_rate=lr, num_train_epochs=epochs, per_device_train_batch_size=batch_size,
        per_device_eval_batch_size=128, eval_strategy="steps", eval_steps=eval_steps, logging_steps=10, save_strategy="no",
        report_to=[], use_cpu=True, seed=0, disable_tqdm=True, lr_scheduler_type="constant",
    )
    trainer = transformers.Trainer(model=model, args=args, train_dataset=train_set, eval_dataset=val_set,
                                   callbacks=None if attach else [callback])
    return trainer


def warning_codes(report) -> set[str]:
    return {f.code for f in report.at_least("warning")}


def test_shuffled_labels_are_reported(tmp_path: Path) -> None:
    callback = DoctorCallback(json=tmp_path / "doctor.json", print_report=False)
    # 32 samples, 10 epochs of 4 steps: the model memorises the permuted labels while validation stays at chance
    train(bert(), Tokens(32, 0, 0, shuffled=True), Tokens(64, 1, 0, shuffled=True), tmp_path, 10, 5e-3, callback,
          batch_size=8, eval_steps=8).train()
    report = callback.report
    assert report.findings[0].code == "D111", report.verdict()
    saved = json.loads((tmp_path / "doctor.json").read_text())
    assert saved["findings"][0]["code"] == "D111"
    assert report.telemetry["steps"] == 40
    assert len(report.telemetry["logged"]["val_loss"]) == 5  # the Trainer's eval_loss, every 8 steps
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())  # nothing saved


def test_healthy_gpt2_stays_silent(tmp_path: Path) -> None:
    callback = DoctorCallback(print_report=False)
    train(gpt2(), Tokens(160, 0, SEQ - 1), Tokens(128, 1, SEQ - 1), tmp_path, 4, 3e-3, callback).train()
    assert warning_codes(callback.report) == set(), callback.report.verdict()
    assert callback.report.telemetry["steps"] == 40
    assert callback.report.telemetry["counters"].get("step_without_backward", 0) == 0


@pytest.fixture(scope="module")
def healthy_bert_report(tmp_path_factory: pytest.TempPathFactory):
    callback = DoctorCallback(print_report=False)
    train(bert(), Tokens(160, 0, 0), Tokens(128, 1, 0), tmp_path_factory.mktemp("bert"), 4, 3e-3, callback).train()
    return callback.report


def test_healthy_bert_stays_silent_apart_from_o404(healthy_bert_report) -> None:
    assert warning_codes(healthy_bert_report) - {"O404"} == set(), healthy_bert_report.verdict()
    assert healthy_bert_report.telemetry["val_loss"][-1] < 0.5  # it did learn: ln 2 = 0.69 is chance


def test_healthy_bert_has_no_vanishing_gradient_alarm(healthy_bert_report) -> None:
    assert "O404" not in warning_codes(healthy_bert_report)


def test_attach_reports_and_unhooks_when_train_raises(tmp_path: Path) -> None:
    backward = torch.autograd.backward
    model = gpt2()
    calls = []

    def explode(module, args):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("boom in forward 5")

    model.register_forward_pre_hook(explode)
    trainer = train(model, Tokens(160, 0, SEQ - 1), Tokens(64, 1, SEQ - 1), tmp_path, 1, 3e-3, None, attach=True)
    callback = DoctorCallback.attach(trainer, json=tmp_path / "crash.json", print_report=False)
    with pytest.raises(RuntimeError, match="boom in forward 5"):
        trainer.train()
    assert torch.autograd.backward is backward
    assert list(model._forward_pre_hooks.values()) == [explode]
    assert json.loads((tmp_path / "crash.json").read_text())["exception"] == "RuntimeError: boom in forward 5"
    assert callback.report.telemetry["steps"] == 4
