"""Route incoming shared-mailbox e-mails to one of eight back-office queues (HF Trainer).

Token ids come from the mailbox's own word-piece vocabulary (here simulated: each queue has
its own topical words, all queues share boilerplate, signatures and reply chains).
A small bag-of-embeddings encoder with a tanh MLP, trained with the Hugging Face Trainer.
"""
import os
import tempfile
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import f1_score
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed
from transformers.utils import logging as hf_logging

warnings.filterwarnings("ignore")
hf_logging.set_verbosity_error()
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

QUEUES = ["billing", "it_access", "hr_leave", "procurement", "facilities", "legal_review", "travel", "security"]
VOCAB, MAX_LEN, PAD = 3000, 64, 0


def synth_mailbox(n, rng):
    topical = {q: rng.choice(np.arange(200, VOCAB), size=60, replace=False) for q in range(len(QUEUES))}
    background = np.arange(1, VOCAB)
    zipf = 1.0 / np.arange(1, VOCAB) ** 1.05
    zipf /= zipf.sum()
    ids, labels = [], []
    for _ in range(n):
        q = int(rng.integers(len(QUEUES)))
        length = int(rng.integers(18, MAX_LEN + 1))
        n_top = max(2, int(length * rng.uniform(0.08, 0.25)))
        toks = rng.choice(background, size=length, p=zipf)
        pos = rng.choice(length, size=n_top, replace=False)
        toks[pos] = rng.choice(topical[q], size=n_top)
        if rng.random() < 0.25:                      # forwarded thread quoting another queue's mail
            other = int(rng.integers(len(QUEUES)))
            pos2 = rng.choice(length, size=max(1, n_top // 2), replace=False)
            toks[pos2] = rng.choice(topical[other], size=len(pos2))
        ids.append(toks)
        labels.append(q)
    return ids, np.array(labels)


class MailDataset(Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = ids, labels

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        toks = self.ids[i][:MAX_LEN]
        input_ids = torch.full((MAX_LEN,), PAD, dtype=torch.long)
        input_ids[: len(toks)] = torch.as_tensor(toks)
        mask = (input_ids != PAD).long()
        return {"input_ids": input_ids, "attention_mask": mask, "labels": torch.tensor(self.labels[i])}


class MailRouter(nn.Module):
    def __init__(self, vocab=VOCAB, dim=64, hidden=128, n_labels=len(QUEUES)):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.norm = nn.LayerNorm(dim)
        self.encoder = nn.Sequential(nn.Linear(dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.dropout = nn.Dropout(0.1)
        self.classifier = nn.Linear(hidden, n_labels)
        self._init_weights()

    def _init_weights(self):
        nn.init.normal_(self.embed.weight, std=0.1)
        with torch.no_grad():
            self.embed.weight[PAD].zero_()
        for m in self.encoder:
            if isinstance(m, nn.Linear):
                nn.init.xavier_normal_(m.weight)
                nn.init.zeros_(m.bias)
        nn.init.normal_(self.classifier.weight, std=0.02)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, input_ids, attention_mask, labels=None):
        e = self.embed(input_ids)
        m = attention_mask.unsqueeze(-1).float()
        pooled = (e * m).sum(1) / m.sum(1).clamp(min=1.0)
        h = self.encoder(self.norm(pooled))
        logits = self.classifier(self.dropout(h))
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return {"loss": loss, "logits": logits}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    return {"accuracy": float((pred == labels).mean()), "macro_f1": f1_score(labels, pred, average="macro")}


def main():
    set_seed(3)
    rng = np.random.default_rng(3)
    ids, labels = synth_mailbox(4800, rng)
    train_ds = MailDataset(ids[:4000], labels[:4000])
    eval_ds = MailDataset(ids[4000:], labels[4000:])

    model = MailRouter()
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out, num_train_epochs=4, per_device_train_batch_size=32, per_device_eval_batch_size=256,
            learning_rate=2e-3, weight_decay=0.01, warmup_steps=30, lr_scheduler_type="linear",
            eval_strategy="epoch", save_strategy="no", logging_steps=50, report_to=[], seed=3,
            use_cpu=True, dataloader_num_workers=0, disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"eval accuracy {metrics['eval_accuracy']:.3f}  macro-F1 {metrics['eval_macro_f1']:.3f}  "
          f"eval loss {metrics['eval_loss']:.3f}")


if __name__ == "__main__":
    main()
