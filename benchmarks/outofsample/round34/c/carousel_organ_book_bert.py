"""Carousel (fairground) organ books: tell the dance from a stretch of punched card.

Book scans are decoded upstream into event tokens: a bass note, an accompaniment chord,
a melody note (three registers, 12 pitch classes each), a rest, and a bar line. A small
BERT trained from scratch (BertConfig, no download) classifies a 32-token stretch as
waltz, march, polka, galop or schottische. Linear warm-up then decay, label smoothing
and weight decay, via the Hugging Face Trainer.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)

DANCES = ["waltz", "march", "polka", "galop", "schottische"]
PAD, CLS, BAR, REST = 0, 1, 2, 3
BASS, CHORD, MEL = 4, 16, 28          # 12 pitch classes each
VOCAB = 40
SEQ = 32

# one bar of each dance as a sequence of event kinds (B bass, C chord, M melody, R rest)
BARS = {
    0: ["BCC", "BCM", "MCC", "BCR"],               # 3/4: oom-pah-pah
    1: ["BMBM", "BRBM", "BMBR", "BRBR"],            # 2/4 march: bass on 1 and 3, melody between
    2: ["BCMC", "BCRC", "MCBC", "RCMC"],            # polka: off-beat chords
    3: ["MMMM", "MMMB", "MMRM", "RMMM"],            # galop: running melody
    4: ["BMRC", "BRMC", "BMMC", "RMMC"],            # schottische: dotted, chord on 4
}


def stretch(dance, rng):
    key = rng.integers(12)
    toks = [CLS]
    while len(toks) < SEQ + 8:
        for kind in BARS[dance][rng.integers(4)]:
            if rng.random() < 0.08:                 # worn holes / ornaments
                kind = "BCMR"[rng.integers(4)]
            if kind == "R":
                toks.append(REST)
            else:
                base = {"B": BASS, "C": CHORD, "M": MEL}[kind]
                toks.append(base + (key + rng.choice([0, 4, 7, 2, 9])) % 12)
        toks.append(BAR)
    start = rng.integers(1, 6)                      # a stretch starts anywhere in the bar
    body = toks[start:start + SEQ - 1]
    return [CLS] + body


class OrganBookDataset(Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.labels = rng.integers(0, len(DANCES), n)
        self.ids = torch.tensor([stretch(int(d), rng) for d in self.labels])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones(SEQ, dtype=torch.long),
                "labels": int(self.labels[i])}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(13)
    train_ds, val_ds = OrganBookDataset(1500, seed=1), OrganBookDataset(400, seed=2)
    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=SEQ, num_labels=len(DANCES),
                        pad_token_id=PAD)
    model = BertForSequenceClassification(config)
    args = TrainingArguments(
        output_dir="/tmp/organ_book_bert", num_train_epochs=6, per_device_train_batch_size=32,
        per_device_eval_batch_size=128, learning_rate=2e-3, warmup_steps=30,
        lr_scheduler_type="linear", weight_decay=0.01, label_smoothing_factor=0.1,
        eval_strategy="epoch", logging_steps=25, save_strategy="no", report_to=[],
        seed=13, use_cpu=True, disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"FINAL eval_loss {metrics['eval_loss']:.4f} eval_accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
