"""Bags of tokens fed as a flat stream with offsets (PyTorch's text-classification tutorial) reach the exam."""
from __future__ import annotations

import contextlib
import io

import pytest
import torch
from torch import nn

from nndoctor.setup import concat_inputs, padded_to_one_width
from nndoctor.watch.bags import PAD, bag_layout, pack_bags, unpack_bags
from nndoctor.watch.capture import ExamModel
from nndoctor.watch.run import run_script


def test_packed_rows_feed_the_model_exactly_the_bags_it_was_fed() -> None:
    torch.manual_seed(0)
    bag = nn.EmbeddingBag(50, 6, mode="mean")
    tokens = torch.tensor([3, 7, 7, 1, 9, 4, 4, 4, 0])
    offsets = torch.tensor([0, 3, 3, 5])  # the second document is empty
    rows = pack_bags(tokens, offsets)
    assert rows.shape == (4, 4) and rows[1].eq(PAD).all() and rows[2].tolist() == [1, 9, PAD, PAD]
    # independent: each document's mean embedding row, computed by hand (an empty bag is zeros)
    ends = [3, 3, 5, 9]
    expected = torch.stack([bag.weight[tokens[s:e]].mean(0) if e > s else torch.zeros(6)
                            for s, e in zip(offsets.tolist(), ends)])
    assert torch.allclose(bag(tokens, offsets), expected, atol=1e-6)

    class Offsets(nn.Module):  # the offsets first, as some forwards take them
        def __init__(self) -> None:
            super().__init__()
            self.bag = bag

        def forward(self, offsets: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
            return self.bag(text, offsets)

    assert torch.allclose(ExamModel(Offsets(), bags=(1, 0))(rows), expected, atol=1e-6)
    flat, starts = unpack_bags(rows)
    assert flat.tolist() == tokens.tolist() and starts.tolist() == offsets.tolist()


def test_a_flat_stream_and_its_offsets_are_told_apart_from_other_pairs() -> None:
    tokens, offsets = torch.tensor([5, 2, 8, 8, 1]), torch.tensor([0, 2])
    assert bag_layout(tokens, offsets) == (0, 1)
    assert bag_layout(offsets, tokens) == (1, 0)
    assert bag_layout(tokens, torch.tensor([1, 2])) is None  # the first bag must start at 0
    assert bag_layout(tokens, torch.tensor([0, 3, 2])) is None  # offsets never decrease
    assert bag_layout(tokens, torch.tensor([0, 9])) is None  # and stay within the stream
    assert bag_layout(tokens.float(), offsets) is None


def test_batches_padded_per_batch_join_only_with_the_padding_the_model_drops() -> None:
    first = torch.tensor([[4, 5, 0], [6, 0, 0], [7, 8, 9]])
    second = torch.tensor([[1, 2, 3, 4, 0], [5, 0, 0, 0, 0]])
    with pytest.raises(RuntimeError):  # a GRU reading the extra padding would compute something else: no guess
        concat_inputs([first, second])
    joined = concat_inputs([first, second], padding=0)
    assert joined.shape == (5, 5) and joined[:3, 3:].eq(0).all() and joined[3:].tolist() == second.tolist()
    arrays = padded_to_one_width([first.numpy(), second.numpy()], 0)  # the data audit's sample, as arrays
    assert [a.shape for a in arrays] == [(3, 5), (2, 5)] and arrays[0][0].tolist() == [4, 5, 0, 0, 0]
    # documents of one length leave no padding column; the declared padding joins them all the same
    full = torch.tensor([[1, 2, 3, 4, 5], [6, 7, 8, 9, 1]])
    assert padded_to_one_width([first, full], PAD)[0].tolist()[0] == [4, 5, 0, PAD, PAD]
    assert padded_to_one_width([first, first], PAD) == [first, first]  # one width: nothing to pad
    assert padded_to_one_width([first.float(), second.float()], 0)[0].shape == (3, 3)  # floats: not token rows
    assert padded_to_one_width([first, second], None) == [first, second]  # no declared padding: left alone


TUTORIAL = '''
import torch
from torch import nn
from torch.utils.data import DataLoader
from torch.utils.data.dataset import random_split

torch.manual_seed(0)
VOCAB, CLASSES = 2000, 4
g = torch.Generator().manual_seed(1)
topic_words = torch.randint(0, VOCAB, (CLASSES, 40), generator=g)


def make_doc(label):
    n = int(torch.randint(8, 40, (1,), generator=g))
    picks = topic_words[label][torch.randint(0, 40, (max(2, n // 4),), generator=g)]
    return label, torch.cat([torch.randint(0, VOCAB, (n,), generator=g), picks])


data = [make_doc(int(torch.randint(0, CLASSES, (1,), generator=g))) for _ in range(3000)]


def collate_batch(batch):
    label_list, text_list, offsets = [], [], [0]
    for _label, _text in batch:
        label_list.append(_label)
        text_list.append(_text)
        offsets.append(_text.size(0))
    label_list = torch.tensor(label_list, dtype=torch.int64)
    offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
    return label_list, torch.cat(text_list), offsets


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.fc = nn.Linear(embed_dim, num_class)
        self.embedding.weight.data.uniform_(-0.5, 0.5)
        self.fc.weight.data.uniform_(-0.5, 0.5)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        return self.fc(self.embedding(text, offsets))


model = TextClassificationModel(VOCAB, 64, CLASSES)
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=5)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)
train_ds, valid_ds = random_split(data, [2400, 600], generator=torch.Generator().manual_seed(2))
NOISE = {noise}
noisy = torch.rand(len(train_ds), generator=g) < NOISE
train_ds = [((int(torch.randint(0, CLASSES, (1,), generator=g)) if noisy[i] else y), t)
            for i, (y, t) in enumerate(train_ds)]
train_dataloader = DataLoader(train_ds, batch_size=64, shuffle=True, collate_fn=collate_batch)
valid_dataloader = DataLoader(valid_ds, batch_size=64, shuffle=False, collate_fn=collate_batch)

total_accu = None
for epoch in range(1, 9):
    model.train()
    for idx, (label, text, offsets) in enumerate(train_dataloader):
        optimizer.zero_grad()
        loss = criterion(model(text, offsets), label)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        optimizer.step()
    model.eval()
    total_acc, total_count = 0, 0
    with torch.no_grad():
        for idx, (label, text, offsets) in enumerate(valid_dataloader):
            total_acc += (model(text, offsets).argmax(1) == label).sum().item()
            total_count += label.size(0)
    accu_val = total_acc / total_count
    if total_accu is not None and total_accu > accu_val:
        scheduler.step()
    else:
        total_accu = accu_val
print(f"valid accuracy {{accu_val:.3f}}")
'''


@pytest.mark.parametrize("noise", [0.0, 0.4])
def test_the_text_classification_tutorials_loop_gets_the_exam(tmp_path, noise):
    script = tmp_path / "train.py"
    script.write_text(TUTORIAL.format(noise=noise))
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        report = run_script(str(script), alerts=False).report
    assert float(printed.getvalue().split("valid accuracy")[-1]) > 0.9  # it trained
    exam = report.extra["exam"]
    assert exam["capture"]["captured"] and "D110" in exam["exam_codes"]
    notes = exam.get("skipped_checks", []) + report.extra["limitations"]
    assert not any("cannot cut batches" in note for note in notes)
    assert exam["look"]["predictions"]["samples"] == 600  # the validation documents, pooled across batches
    codes = [f.code for f in report.findings]
    assert ("D110" in codes) == (noise > 0)  # wrong training labels, read from the documents' tokens


HAND_LOOP = TUTORIAL.replace(
    "    for idx, (label, text, offsets) in enumerate(train_dataloader):\n",
    "    order = torch.randperm(len(train_ds))\n"
    "    for start in range(0, len(order), 64):\n"
    "        label, text, offsets = collate_batch([train_ds[int(i)] for i in order[start:start + 64]])\n")


@pytest.mark.parametrize("noise", [0.0, 0.4])
def test_a_hand_written_loop_feeding_bags_without_a_dataloader_gets_the_exam(tmp_path, noise):
    # round 33's c/lifeboat_launch_bags: the stream and offsets built per step by hand; the loop sample keeps one
    # padded row per bag (each once: the second epoch's bags, padded to another width, are known again)
    assert "train_dataloader)" not in HAND_LOOP.split("for epoch")[1]
    script = tmp_path / "train.py"
    script.write_text(HAND_LOOP.format(noise=noise))
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        report = run_script(str(script), alerts=False).report
    assert float(printed.getvalue().split("valid accuracy")[-1]) > 0.9
    exam = report.extra["exam"]
    assert exam["capture"]["captured"] and "D110" in exam["exam_codes"]
    notes = exam.get("skipped_checks", []) + report.extra["limitations"]
    assert not any("cannot cut batches" in note for note in notes)
    codes = [f.code for f in report.findings if f.severity.value != "info"]
    assert ("D110" in codes) == (noise > 0) and "D107" not in codes
