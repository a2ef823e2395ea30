"""Route support tickets to one of 5 queues with a small BERT trained from scratch
through the Hugging Face Trainer. Tickets are synthesised from queue-specific keyword
pools mixed into generic filler text.
"""
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
SEED = 0
VOCAB, SEQ_LEN, N_QUEUES = 3000, 32, 5
set_seed(SEED)


def synth_tickets(n, rng):
    """Each queue owns 40 keyword ids; a ticket holds 3-5 of its queue's keywords,
    1-2 keywords of a random other queue, and filler words."""
    kw = np.arange(10, 10 + 40 * N_QUEUES).reshape(N_QUEUES, 40)
    ids = np.zeros((n, SEQ_LEN), dtype=np.int64)
    mask = np.zeros((n, SEQ_LEN), dtype=np.int64)
    labels = rng.integers(0, N_QUEUES, size=n)
    for i, q in enumerate(labels):
        length = rng.integers(14, SEQ_LEN)
        toks = rng.integers(10 + 40 * N_QUEUES, VOCAB, size=length)
        own = rng.choice(kw[q], size=rng.integers(3, 6))
        other = rng.choice(kw[(q + rng.integers(1, N_QUEUES)) % N_QUEUES], size=rng.integers(1, 3))
        pos = rng.choice(np.arange(1, length), size=len(own) + len(other), replace=False)
        toks[pos] = np.concatenate([own, other])
        toks[0] = 1                                   # [CLS]
        ids[i, :length] = toks
        mask[i, :length] = 1
    return ids, mask, labels


class TicketDataset(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]), "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


class TicketRouter(nn.Module):
    def __init__(self):
        super().__init__()
        cfg = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                         intermediate_size=128, max_position_embeddings=SEQ_LEN, pad_token_id=0)
        self.bert = BertModel(cfg, add_pooling_layer=False)
        self.classifier = nn.Sequential(
            nn.Dropout(0.1),
            nn.Linear(cfg.hidden_size, N_QUEUES),
        )

    def forward(self, input_ids, attention_mask, labels=None):
        h = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state[:, 0]
        logits = self.classifier(h)
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return {"loss": loss, "logits": logits}


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((np.argmax(logits, axis=-1) == labels).mean())}


rng = np.random.default_rng(SEED)
train_ds = TicketDataset(*synth_tickets(2400, rng))
val_ds = TicketDataset(*synth_tickets(600, rng))

with tempfile.TemporaryDirectory() as out:
    args = TrainingArguments(
        output_dir=out, num_train_epochs=3, per_device_train_batch_size=32,
        per_device_eval_batch_size=128, learning_rate=1e-3, warmup_steps=30,
        weight_decay=0.01, eval_strategy="epoch", save_strategy="no", logging_steps=50,
        report_to="none", use_cpu=True, seed=SEED, disable_tqdm=True,
    )
    trainer = Trainer(model=TicketRouter(), args=args, train_dataset=train_ds,
                      eval_dataset=val_ds, compute_metrics=accuracy)
    trainer.train()
    metrics = trainer.evaluate()
print(f"final val_loss {metrics['eval_loss']:.4f} val_accuracy {metrics['eval_accuracy']:.4f}")
