"""Who is speaking? Role of a call-centre transcript turn (agent / customer / IVR prompt /
supervisor barge-in) from its tokens, with a pooled-embedding classifier trained by the
Hugging Face Trainer. Transcripts are simulated from role-specific word distributions over a
shared Zipf vocabulary (ids come from a tokenizer upstream; 0 is padding).
"""
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import Trainer, TrainingArguments, set_seed

set_seed(3)
rng = np.random.default_rng(3)

ROLES = ["agent", "customer", "ivr", "supervisor"]
VOCAB, MAX_LEN = 3000, 160


def simulate_turns(n):
    base = 1.0 / np.arange(1, VOCAB) ** 1.05
    base /= base.sum()
    role_words = [rng.choice(np.arange(200, VOCAB), 120, replace=False) + 0 for _ in ROLES]
    # roles share part of their characteristic words (agents and supervisors overlap most)
    role_words[3][:50] = role_words[0][:50]
    role_words[2][:20] = role_words[0][20:40]
    shares = [0.12, 0.10, 0.16, 0.10]
    prior = np.array([0.38, 0.42, 0.1, 0.1])
    labels = rng.choice(len(ROLES), n, p=prior)
    ids, masks = np.zeros((n, MAX_LEN), np.int64), np.zeros((n, MAX_LEN), np.int64)
    for i, r in enumerate(labels):
        length = int(np.clip(rng.lognormal(4.3 if r != 2 else 3.9, 0.35), 12, MAX_LEN))
        from_role = rng.random(length) < shares[r]
        tok = rng.choice(np.arange(1, VOCAB), length, p=base)
        tok[from_role] = rng.choice(role_words[r], from_role.sum())
        ids[i, :length], masks[i, :length] = tok, 1
    return ids, masks, labels


class TurnDataset(torch.utils.data.Dataset):
    def __init__(self, ids, masks, labels):
        self.ids, self.masks, self.labels = ids, masks, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.from_numpy(self.ids[i]),
                "attention_mask": torch.from_numpy(self.masks[i]),
                "labels": torch.tensor(self.labels[i])}


class TurnClassifier(nn.Module):
    def __init__(self, vocab_size, dim=96, hidden=128, n_labels=len(ROLES)):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.proj = nn.Linear(dim, hidden)
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(hidden, n_labels)

    def forward(self, input_ids, attention_mask, labels=None):
        mask = attention_mask.unsqueeze(-1).float()
        pooled = (self.embed(input_ids) * mask).sum(1) / mask.sum(1).clamp(min=1)
        h = torch.tanh(self.proj(pooled))
        logits = self.classifier(self.dropout(h))
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return {"loss": loss, "logits": logits}


def compute_metrics(pred):
    logits, labels = pred
    yhat = logits.argmax(-1)
    recalls = [(yhat[labels == c] == c).mean() for c in range(len(ROLES))]
    return {"accuracy": float((yhat == labels).mean()), "balanced_accuracy": float(np.mean(recalls))}


ids, masks, labels = simulate_turns(5000)
train_ds = TurnDataset(ids[:4000], masks[:4000], labels[:4000])
eval_ds = TurnDataset(ids[4000:], masks[4000:], labels[4000:])

with tempfile.TemporaryDirectory() as out_dir:
    args = TrainingArguments(
        output_dir=out_dir,
        num_train_epochs=4,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=250,
        learning_rate=2e-3,
        weight_decay=0.01,
        warmup_steps=50,
        lr_scheduler_type="linear",
        eval_strategy="epoch",
        save_strategy="no",
        logging_strategy="epoch",
        report_to=[],
        use_cpu=True,
        seed=3,
        disable_tqdm=True,
        log_level="error",
    )
    trainer = Trainer(model=TurnClassifier(VOCAB), args=args, train_dataset=train_ds,
                      eval_dataset=eval_ds, compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()

print(f"final eval_loss {metrics['eval_loss']:.4f} eval_acc {metrics['eval_accuracy']:.4f} "
      f"eval_balanced_acc {metrics['eval_balanced_accuracy']:.4f}")
