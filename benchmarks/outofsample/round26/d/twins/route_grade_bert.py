"""Climbing-gym route grading: predict the grade band of a newly set route from its hold sequence.

Each route is logged by the setters as a sequence of holds (hold type x reach bucket) plus a wall-angle
token. A small BERT-style encoder is trained from scratch with the Hugging Face Trainer.
"""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

SEED = 7
set_seed(SEED)
rng = np.random.default_rng(SEED)

HOLD_TYPES = ["jug", "edge", "crimp", "sloper", "pinch", "pocket", "volume"]
HOLD_DIFF = np.array([0.0, 0.6, 1.4, 1.1, 1.0, 1.3, 0.2])
N_REACH = 5
ANGLES = [0, 10, 20, 30, 40]          # degrees overhang
PAD, CLS = 0, 1
ANGLE_BASE = 2
HOLD_BASE = ANGLE_BASE + len(ANGLES)
VOCAB = HOLD_BASE + len(HOLD_TYPES) * N_REACH
MAX_LEN = 24
N_GRADES = 5


def make_routes(n):
    seqs, scores = [], []
    for _ in range(n):
        angle = rng.integers(len(ANGLES))
        n_holds = rng.integers(10, MAX_LEN - 2)
        style = rng.dirichlet(np.ones(len(HOLD_TYPES)) * 0.7)
        types = rng.choice(len(HOLD_TYPES), size=n_holds, p=style)
        reach = np.clip(rng.poisson(1.2 + 0.3 * angle, size=n_holds), 0, N_REACH - 1)
        # hard moves: a small hold after a long reach
        crux = np.sum(HOLD_DIFF[types[1:]] * (reach[1:] >= 3))
        score = (HOLD_DIFF[types] * (1 + 0.35 * reach)).mean() * 3.0 + 0.45 * angle + 0.25 * crux
        score += rng.normal(0, 0.35)
        tokens = [CLS, ANGLE_BASE + angle] + list(HOLD_BASE + types * N_REACH + reach)
        seqs.append(tokens)
        scores.append(score)
    scores = np.array(scores)
    return seqs, scores


seqs, scores = make_routes(3000)
cuts = np.quantile(scores[:2400], [0.2, 0.4, 0.6, 0.8])
grades = np.digitize(scores, cuts)


class RouteDataset(Dataset):
    def __init__(self, seqs, labels):
        self.seqs, self.labels = seqs, labels

    def __len__(self):
        return len(self.seqs)

    def __getitem__(self, i):
        ids = self.seqs[i][:MAX_LEN]
        mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
        ids = ids + [PAD] * (MAX_LEN - len(ids))
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(int(self.labels[i]))}


train_ds = RouteDataset(seqs[:2400], grades[:2400])
val_ds = RouteDataset(seqs[2400:], grades[2400:])

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=N_GRADES,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, pad_token_id=PAD)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    p = logits.argmax(-1)
    acc = (p == labels).mean()
    off_by_one = (np.abs(p - labels) <= 1).mean()
    return {"accuracy": acc, "within_one": off_by_one}


BATCH = 64
EPOCHS = 6
steps_per_epoch = int(np.ceil(len(train_ds) / BATCH))
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.96 ** (1 / steps_per_epoch))

with tempfile.TemporaryDirectory() as out:
    args = TrainingArguments(output_dir=out, per_device_train_batch_size=BATCH, per_device_eval_batch_size=256,
                             num_train_epochs=EPOCHS, eval_strategy="epoch", save_strategy="no",
                             logging_steps=25, report_to="none", seed=SEED, use_cpu=True,
                             disable_tqdm=True, dataloader_num_workers=0)
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics, optimizers=(optimizer, scheduler))
    trainer.train()
    metrics = trainer.evaluate()

print(f"final val accuracy {metrics['eval_accuracy']:.4f} within-one {metrics['eval_within_one']:.4f} "
      f"loss {metrics['eval_loss']:.4f}")
