"""CPC section of patent abstracts from wordpiece ids (small BERT, Hugging Face Trainer).

Abstracts arrive already tokenised (ids from the office's 1,200-piece vocabulary, CLS=1,
SEP=2, PAD=0) and truncated to 48 pieces. Four sections: A (human necessities),
C (chemistry), G (physics), H (electricity); C/G and G/H share much of their vocabulary.
A 2-layer BERT trained from scratch with warm-up, linear decay and label smoothing
(section assignments of borderline abstracts are themselves noisy).
"""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

VOCAB = 1200
MAX_LEN = 48
SECTIONS = ["A", "C", "G", "H"]


def abstracts(n, seed):
    rng = np.random.default_rng(seed)
    generic = np.arange(10, 500)                         # claim boilerplate, function words
    zipf = 1.0 / np.arange(1, len(generic) + 1) ** 1.1
    zipf /= zipf.sum()
    topical = {                                          # overlapping topical ranges
        0: np.arange(500, 680),                          # A
        1: np.arange(640, 860),                          # C (overlaps A: pharma)
        2: np.arange(820, 1060),                         # G (overlaps C: measurement)
        3: np.arange(1000, 1200),                        # H (overlaps G: signal processing)
    }
    ids, labels = [], []
    for _ in range(n):
        c = rng.integers(4)
        length = rng.integers(18, MAX_LEN - 2)
        share = rng.uniform(0.2, 0.45)                 # how technical the abstract is
        n_top = rng.binomial(length, share)
        toks = np.concatenate([
            rng.choice(generic, length - n_top, p=zipf),
            rng.choice(topical[c], n_top),
        ])
        rng.shuffle(toks)
        if rng.random() < 0.05:                         # examiner reassignment
            c = rng.integers(4)
        ids.append(np.concatenate([[1], toks, [2]]))
        labels.append(c)
    return ids, np.array(labels)


class Abstracts(Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = ids, labels

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        x = np.zeros(MAX_LEN, dtype=np.int64)
        m = np.zeros(MAX_LEN, dtype=np.int64)
        x[:len(self.ids[i])] = self.ids[i]
        m[:len(self.ids[i])] = 1
        return {"input_ids": torch.from_numpy(x), "attention_mask": torch.from_numpy(m),
                "labels": torch.tensor(int(self.labels[i]))}


def main():
    set_seed(3)
    tr_ids, tr_y = abstracts(2400, seed=3)
    va_ids, va_y = abstracts(800, seed=4)
    cfg = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=4,
                     hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, pad_token_id=0)
    model = BertForSequenceClassification(cfg)

    def metrics(p):
        pred = p.predictions.argmax(-1)
        return {"accuracy": float((pred == p.label_ids).mean())}

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out,
            num_train_epochs=3,
            per_device_train_batch_size=32,
            per_device_eval_batch_size=128,
            learning_rate=1e-3,
            warmup_steps=23,
            lr_scheduler_type="linear",
            weight_decay=0.01,
            label_smoothing_factor=0.1,
            eval_strategy="epoch",
            logging_steps=25,
            save_strategy="no",
            report_to="none",
            disable_tqdm=True,
            use_cpu=True,
            seed=3,
        )
        trainer = Trainer(model=model, args=args, train_dataset=Abstracts(tr_ids, tr_y),
                          eval_dataset=Abstracts(va_ids, va_y), compute_metrics=metrics)
        trainer.train()
        res = trainer.evaluate()
    print(f"final val accuracy {res['eval_accuracy']:.4f}  val loss (smoothed CE) {res['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
