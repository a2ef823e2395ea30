"""Podcast episode topic tagging from transcript token windows.

A small BERT-style encoder trained from scratch with the Hugging Face Trainer on
40-token transcript windows (ASR word ids), twelve show topics; short warm-up, then
the Trainer's default linear decay.
"""
import tempfile

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed

torch.set_num_threads(1)
set_seed(5)

TOPICS = ["true_crime", "personal_finance", "football", "consumer_tech", "wellness", "comedy",
          "history", "parenting", "gaming", "politics", "food", "travel"]
VOCAB, SEQ, PAD, CLS = 800, 40, 0, 1
N_SPECIAL = 2


def make_windows(n, rng):
    n_topic = len(TOPICS)
    general = np.arange(N_SPECIAL + n_topic * 30, VOCAB)
    zipf = 1.0 / np.arange(1, len(general) + 1) ** 1.05
    zipf /= zipf.sum()
    topic_words = [np.arange(N_SPECIAL + t * 30, N_SPECIAL + (t + 1) * 30) for t in range(n_topic)]
    y = rng.integers(0, n_topic, n)
    ids = np.zeros((n, SEQ), dtype=np.int64)
    mask = np.zeros((n, SEQ), dtype=np.int64)
    for i in range(n):
        length = rng.integers(20, SEQ)
        toks = rng.choice(general, size=length - 1, p=zipf)
        share = rng.uniform(0.06, 0.18)
        k = rng.binomial(length - 1, share)
        pos = rng.choice(length - 1, size=k, replace=False)
        # shows drift into neighbouring topics: a third of topical words come from another topic
        src = np.where(rng.random(k) < 0.25, rng.integers(0, n_topic, k), y[i])
        toks[pos] = [rng.choice(topic_words[s]) for s in src]
        ids[i, 0] = CLS
        ids[i, 1:length] = toks
        mask[i, :length] = 1
    return ids, mask, y


class WindowSet(torch.utils.data.Dataset):
    def __init__(self, ids, mask, y):
        self.ids, self.mask, self.y = torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.y[i]}


class TopicTagger(nn.Module):
    def __init__(self, n_labels):
        super().__init__()
        cfg = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=1, num_attention_heads=4,
                         intermediate_size=128, max_position_embeddings=SEQ, pad_token_id=PAD,
                         hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
        self.encoder = BertModel(cfg, add_pooling_layer=False)
        self.classifier = nn.Sequential(
            nn.Dropout(0.1),
            nn.Linear(cfg.hidden_size, n_labels),
            nn.Softmax(dim=-1),
        )

    def forward(self, input_ids, attention_mask, labels=None):
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1)
        logits = self.classifier(pooled)
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return {"loss": loss, "logits": logits}


def compute_metrics(pred):
    logits, labels = pred
    yhat = logits.argmax(-1)
    acc = float((yhat == labels).mean())
    f1s = []
    for c in range(len(TOPICS)):
        tp = np.sum((yhat == c) & (labels == c))
        prec = tp / max(np.sum(yhat == c), 1)
        rec = tp / max(np.sum(labels == c), 1)
        f1s.append(0.0 if tp == 0 else 2 * prec * rec / (prec + rec))
    return {"accuracy": acc, "macro_f1": float(np.mean(f1s))}


rng = np.random.default_rng(5)
ids, mask, y = make_windows(3000, rng)
train_ds = WindowSet(ids[:2400], mask[:2400], y[:2400])
val_ds = WindowSet(ids[2400:], mask[2400:], y[2400:])

args = TrainingArguments(
    output_dir=tempfile.mkdtemp(prefix="podcast_topics_"),
    per_device_train_batch_size=32,
    per_device_eval_batch_size=200,
    num_train_epochs=4,
    learning_rate=2e-3,
    weight_decay=0.01,
    warmup_steps=30,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=25,
    report_to="none",
    use_cpu=True,
    seed=5,
    dataloader_num_workers=0,
    disable_tqdm=True,
)

trainer = Trainer(model=TopicTagger(len(TOPICS)), args=args, train_dataset=train_ds,
                  eval_dataset=val_ds, compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val accuracy {metrics['eval_accuracy']:.4f}  macro-F1 {metrics['eval_macro_f1']:.4f}  "
      f"val loss {metrics['eval_loss']:.4f}")
