"""Classify the binding structure of rare books from conservators' condition notes.

Notes are short free-text lines written at intake ("spine leather flaking, joints split,
raised bands, marbled pastedowns ..."). A small BERT trained from scratch with the
Hugging Face Trainer maps a note to one of six binding structures; label smoothing,
warm-up then linear decay.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

STRUCTURES = ["limp vellum", "quarter leather", "full calf", "publisher's cloth",
              "coptic sewn", "adhesive bound"]
GENERIC = ("spine boards corner corners edge edges text block leaf leaves page pages sewing "
           "thread worn rubbed soiled faded foxed stained minor light heavy some slight "
           "loss losses tear tears small large front rear upper lower head tail fore "
           "intact sound tight loose good fair poor condition previous repair repairs "
           "label shelf mark ownership inscription bookplate paper title gilt tooling "
           "endpapers pastedown pastedowns flyleaf flyleaves clean dusty insect damage "
           "water tidemark mould cockled slightly partly mostly with and of at to").split()
SPECIFIC = {
    0: "vellum yapp ties laced limp overlapping cockled translucent alum tawed stays".split(),
    1: "quarter marbled sides paper-covered leather spine raised bands red rot powdery".split(),
    2: "calf full panelled blind tooled raised bands red rot joints split hinges".split(),
    3: "cloth publisher's case casing stamped mull blocked bookcloth grain faded sunned".split(),
    4: "coptic chain stitch exposed kettle stitches stations unsupported flat opening".split(),
    5: "adhesive glue perfect pages dropping brittle spine cracked guillotined hotmelt".split(),
}
MAX_LEN = 40


def notes(n, rng):
    ys, texts = rng.integers(0, len(STRUCTURES), size=n), []
    for y in ys:
        words = []
        for _ in range(rng.integers(10, 34)):
            r = rng.random()
            if r < 0.30:
                words.append(rng.choice(SPECIFIC[y]))
            elif r < 0.40:
                words.append(rng.choice(SPECIFIC[rng.integers(0, len(STRUCTURES))]))
            else:
                words.append(rng.choice(GENERIC))
        texts.append(" ".join(words))
    return texts, ys


class NoteDataset(Dataset):
    def __init__(self, texts, labels, vocab):
        self.items = []
        for t, y in zip(texts, labels):
            ids = [2] + [vocab.get(w, 1) for w in t.split()][: MAX_LEN - 2] + [3]
            mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
            ids = ids + [0] * (MAX_LEN - len(ids))
            self.items.append({"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                               "labels": torch.tensor(int(y))})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def compute_metrics(pred):
    logits, labels = pred
    yhat = logits.argmax(-1)
    f1 = []
    for c in range(len(STRUCTURES)):
        tp = ((yhat == c) & (labels == c)).sum()
        prec, rec = tp / max(1, (yhat == c).sum()), tp / max(1, (labels == c).sum())
        f1.append(0.0 if tp == 0 else 2 * prec * rec / (prec + rec))
    return {"accuracy": float((yhat == labels).mean()), "macro_f1": float(np.mean(f1))}


def main():
    rng = np.random.default_rng(1455)
    tr_texts, tr_y = notes(1200, rng)
    va_texts, va_y = notes(400, rng)
    words = sorted({w for t in tr_texts for w in t.split()})
    vocab = {w: i + 4 for i, w in enumerate(words)}          # 0 pad, 1 unk, 2 cls, 3 sep
    train_ds, val_ds = NoteDataset(tr_texts, tr_y, vocab), NoteDataset(va_texts, va_y, vocab)

    config = BertConfig(vocab_size=len(vocab) + 4, hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128,
                        max_position_embeddings=MAX_LEN, num_labels=len(STRUCTURES))
    torch.manual_seed(1455)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/binding_notes_trainer", num_train_epochs=5,
        per_device_train_batch_size=32, per_device_eval_batch_size=128,
        learning_rate=2e-3, warmup_steps=20, lr_scheduler_type="linear", weight_decay=0.01,
        label_smoothing_factor=0.1, max_grad_norm=10.0, eval_strategy="epoch", save_strategy="no",
        logging_steps=25, report_to=[], seed=1455, use_cpu=True, disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    m = trainer.evaluate()
    print(f"val accuracy {m['eval_accuracy']:.3f}  macro-F1 {m['eval_macro_f1']:.3f}")


if __name__ == "__main__":
    main()
