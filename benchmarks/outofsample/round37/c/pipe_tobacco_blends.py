"""Pipe-tobacco blend family from tin-note descriptions, fine-tuned under the HF Trainer.

A tobacconist's catalogue: each entry is the short tasting note printed on the tin. We train
a small BERT (from a config, no download) to file each note under its blend family.
"""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

FAMILIES = ["english", "virginia", "aromatic", "burley", "vaper"]
COMMON = ("a the with and of notes hint finish smooth slow burn cool smoke tin cut ribbon "
          "flake plug room note bowl light rich deep sweet mild medium full").split()
SIGNAL = {
    "english": "latakia smoky campfire leather oriental turkish incense cyprian peaty".split(),
    "virginia": "hay bread citrus tangy bright golden red matured grassy".split(),
    "aromatic": "vanilla cherry cavendish rum caramel topping honey chocolate casing".split(),
    "burley": "nutty cocoa earthy dry kentucky toasted woody nut air".split(),
    "vaper": "perique fig pepper plum stoved dark fermented spice raisin".split(),
}
VOCAB = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"] + COMMON + sorted({w for v in SIGNAL.values() for w in v})
IDX = {w: i for i, w in enumerate(VOCAB)}
MAX_LEN = 26


def write_notes(n, seed):
    rng = np.random.default_rng(seed)
    fams = list(SIGNAL)
    notes, labels = [], []
    for _ in range(n):
        f = rng.integers(len(fams))
        length = rng.integers(10, MAX_LEN - 2)
        words = []
        for _ in range(length):
            r = rng.random()
            if r < 0.18:
                words.append(rng.choice(SIGNAL[fams[f]]))
            elif r < 0.26:  # blends borrow components from other families
                words.append(rng.choice(SIGNAL[fams[rng.integers(len(fams))]]))
            else:
                words.append(rng.choice(COMMON))
        notes.append(" ".join(words))
        labels.append(int(f))
    return notes, labels


def encode(text):
    ids = [IDX["[CLS]"]] + [IDX.get(w, IDX["[UNK]"]) for w in text.split()][: MAX_LEN - 2] + [IDX["[SEP]"]]
    mask = [1] * len(ids)
    pad = MAX_LEN - len(ids)
    return ids + [0] * pad, mask + [0] * pad


class NotesDataset(Dataset):
    def __init__(self, notes, labels):
        enc = [encode(t) for t in notes]
        self.ids = torch.tensor([e[0] for e in enc])
        self.mask = torch.tensor([e[1] for e in enc])
        self.labels = torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


def compute_metrics(p):
    return {"accuracy": float((p.predictions.argmax(-1) == p.label_ids).mean())}


def main():
    torch.manual_seed(0)
    train_ds = NotesDataset(*write_notes(1200, seed=1))
    eval_ds = NotesDataset(*write_notes(400, seed=2))
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128, max_position_embeddings=MAX_LEN,
                        num_labels=len(FAMILIES))
    model = BertForSequenceClassification(config)
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out, num_train_epochs=4, per_device_train_batch_size=32,
            per_device_eval_batch_size=128, learning_rate=1e-3, weight_decay=0.01,
            adam_epsilon=1e-1, warmup_steps=25, lr_scheduler_type="linear",
            eval_strategy="epoch", save_strategy="no", logging_steps=50,
            report_to=[], seed=0, use_cpu=True, disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"eval_loss {metrics['eval_loss']:.4f} eval_accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
