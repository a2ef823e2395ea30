"""Major or minor?  Mode of a song from its chord chart, with a tiny BERT and the HF Trainer.

The charts come from a community songbook export: each row holds the chord
symbols of a song's verse (absolute chords, any key) and the catalog's "mode"
column (1 = major, 2 = minor).  Relative keys share almost all their chords, so
the model has to pick up the tonic from where progressions start, land and
linger, and from the raised leading-tone chord in minor.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

NOTES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
QUALITIES = ["", "m", "dim"]
VOCAB = ["[PAD]", "[CLS]"] + [n + q for n in NOTES for q in QUALITIES]
TOK = {c: i for i, c in enumerate(VOCAB)}
MAX_LEN = 18

# scale degree -> (semitones above tonic, quality index)
MAJOR = {1: (0, 0), 2: (2, 1), 3: (4, 1), 4: (5, 0), 5: (7, 0), 6: (9, 1), 7: (11, 2)}
MINOR = {1: (0, 1), 2: (2, 2), 3: (3, 0), 4: (5, 1), 5: (7, 0), 6: (8, 0), 7: (10, 0)}
# common-practice transition tendencies between degrees (same table for both modes)
NEXT = {1: [4, 5, 6, 2, 3], 2: [5, 7, 4], 3: [6, 4], 4: [5, 1, 2, 7], 5: [1, 6, 4], 6: [2, 4, 5], 7: [1, 3]}


def write_songbook(n, rng):
    rows = []
    for _ in range(n):
        mode = int(rng.integers(1, 3))
        table = MAJOR if mode == 1 else MINOR
        tonic = int(rng.integers(12))
        deg, chords = 1, []
        for _ in range(int(rng.integers(6, MAX_LEN - 5))):
            semis, q = table[deg]
            if mode == 2 and deg == 5 and rng.random() < 0.7:
                q = 1                                      # natural-minor v
            if rng.random() < 0.2:                         # borrowed from the parallel key
                semis, q = (MINOR if mode == 1 else MAJOR)[deg]
            chords.append(NOTES[(tonic + semis) % 12] + QUALITIES[q])
            deg = int(rng.choice(NEXT[deg]))
        if rng.random() < 0.35:
            chords[-1] = NOTES[tonic] + QUALITIES[table[1][1]]
        rows.append({"chords": chords, "mode": mode})
    return rows


class ChartDataset(Dataset):
    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        row = self.rows[i]
        ids = [TOK["[CLS]"]] + [TOK[c] for c in row["chords"]]
        mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
        ids = ids + [TOK["[PAD]"]] * (MAX_LEN - len(ids))
        return {
            "input_ids": torch.tensor(ids),
            "attention_mask": torch.tensor(mask),
            "labels": torch.tensor([float(row["mode"])]),
        }


def main():
    set_seed(0)
    rng = np.random.default_rng(2024)
    rows = write_songbook(2600, rng)
    train_rows, val_rows = rows[:2000], rows[2000:]
    val_minor = np.array([r["mode"] == 2 for r in val_rows])

    config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128,
                        max_position_embeddings=MAX_LEN, num_labels=1,
                        problem_type="multi_label_classification")
    model = BertForSequenceClassification(config)

    def compute_metrics(eval_pred):
        logits = np.asarray(eval_pred.predictions).reshape(-1)
        pred_minor = logits > 0
        tpr = (pred_minor & val_minor).sum() / val_minor.sum()
        tnr = (~pred_minor & ~val_minor).sum() / (~val_minor).sum()
        return {"accuracy": float((pred_minor == val_minor).mean()), "balanced_accuracy": float((tpr + tnr) / 2)}

    args = TrainingArguments(
        output_dir="/tmp/chord_mode_trainer",
        num_train_epochs=3,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=200,
        learning_rate=1e-3,
        warmup_steps=20,
        weight_decay=0.01,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=25,
        report_to=[],
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=ChartDataset(train_rows),
                      eval_dataset=ChartDataset(val_rows), compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final val accuracy {metrics['eval_accuracy']:.4f} balanced_accuracy {metrics['eval_balanced_accuracy']:.4f}")


if __name__ == "__main__":
    main()
