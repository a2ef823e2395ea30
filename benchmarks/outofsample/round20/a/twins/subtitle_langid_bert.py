"""Language ID for subtitle lines (character level) with a small BERT and the HF Trainer.

Lines come from six closely related languages that share an alphabet; each line is
encoded as characters with a leading [CLS], padded to a fixed length.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)

ALPHABET = list("abcdefghijklmnopqrstuvwxyz '")
PAD_ID, CLS_ID, UNK_ID = 0, 1, 2
CHAR2ID = {c: i + 3 for i, c in enumerate(ALPHABET)}
MAX_LEN = 32
N_LANG = 6


def make_languages(rng):
    k = len(ALPHABET)
    base = rng.dirichlet(np.full(k, 0.8), size=k)
    langs = []
    for _ in range(N_LANG):
        own = rng.dirichlet(np.full(k, 0.25), size=k)
        letters = rng.dirichlet(np.full(k, 1.5))
        trans = (0.45 * base + 0.55 * own) * letters
        langs.append(trans / trans.sum(1, keepdims=True))
    return langs


def sample_line(trans, rng):
    n = int(rng.integers(8, 28))
    c = int(rng.integers(len(ALPHABET)))
    out = [c]
    cum = np.cumsum(trans, axis=1)
    for u in rng.random(n - 1):
        c = min(int(np.searchsorted(cum[c], u)), len(ALPHABET) - 1)
        out.append(c)
    return "".join(ALPHABET[i] for i in out)


def encode(line):
    ids = np.full(MAX_LEN, PAD_ID, dtype=np.int64)
    toks = [CLS_ID] + [CHAR2ID.get(ch, UNK_ID) for ch in line[: MAX_LEN - 1]]
    ids[: len(toks)] = toks
    attention_mask = (ids != PAD_ID).astype(np.int64)
    return ids, attention_mask


class SubtitleLines(Dataset):
    def __init__(self, lines, labels):
        enc = [encode(s) for s in lines]
        self.ids = torch.tensor(np.stack([e[0] for e in enc]))
        self.mask = torch.tensor(np.stack([e[1] for e in enc]))
        self.labels = torch.tensor(labels, dtype=torch.long)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(11)
    rng = np.random.default_rng(11)
    langs = make_languages(rng)
    labels = rng.integers(0, N_LANG, 3000)
    lines = [sample_line(langs[l], rng) for l in labels]
    train_ds = SubtitleLines(lines[:2400], labels[:2400])
    val_ds = SubtitleLines(lines[2400:], labels[2400:])

    config = BertConfig(vocab_size=len(ALPHABET) + 3, hidden_size=64, num_hidden_layers=1,
                        num_attention_heads=4, intermediate_size=128,
                        max_position_embeddings=MAX_LEN, num_labels=N_LANG,
                        pad_token_id=PAD_ID)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/subtitle_langid_bert",
        num_train_epochs=5,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=2e-3,
        warmup_steps=30,
        weight_decay=0.01,
        eval_strategy="epoch",
        logging_steps=20,
        save_strategy="no",
        report_to=[],
        disable_tqdm=True,
        use_cpu=True,
        seed=11,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final val_loss {metrics['eval_loss']:.4f}  val_accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
