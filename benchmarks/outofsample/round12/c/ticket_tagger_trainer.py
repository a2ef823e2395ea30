"""Multi-label tagging of customer-support tickets with a small BERT encoder (HF Trainer).

Tickets are already tokenised by the helpdesk's WordPiece vocabulary; a ticket may carry
several routing tags (billing, outage, login, shipping, refund, api).
"""
import tempfile

import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import roc_auc_score
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed

TAGS = ["billing", "outage", "login", "shipping", "refund", "api"]
VOCAB, SEQ, PAD, CLS = 800, 40, 0, 1


def make_tickets(n, rng):
    """Filler tokens plus a few cue tokens per tag; cue words are shared between related tags."""
    cues = {t: rng.choice(np.arange(10, VOCAB), size=10, replace=False) for t in range(len(TAGS))}
    cues[4][:3] = cues[0][:3]            # refund and billing share vocabulary
    cues[5][:3] = cues[1][:3]            # api and outage share vocabulary
    ids = np.full((n, SEQ), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ), dtype=np.int64)
    labels = np.zeros((n, len(TAGS)), dtype=np.float32)
    for i in range(n):
        k = rng.choice([1, 1, 1, 2, 2, 3])
        tags = rng.choice(len(TAGS), size=k, replace=False)
        labels[i, tags] = 1.0
        length = rng.integers(18, SEQ)
        toks = rng.integers(10, VOCAB, size=length - 1)
        slots = rng.choice(np.arange(1, length - 1), size=2 * k, replace=False)
        for j, t in enumerate(np.repeat(tags, 2)):
            toks[slots[j]] = rng.choice(cues[t])
        ids[i, 0] = CLS
        ids[i, 1:length] = toks
        mask[i, :length] = 1
    return ids, mask, labels


class TicketDataset(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]),
                "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


class TicketTagger(nn.Module):
    def __init__(self, n_tags):
        super().__init__()
        cfg = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                         intermediate_size=128, max_position_embeddings=64, hidden_dropout_prob=0.1,
                         attention_probs_dropout_prob=0.1, pad_token_id=PAD)
        self.encoder = BertModel(cfg, add_pooling_layer=False)
        self.head = nn.Linear(cfg.hidden_size, n_tags)
        self.loss_fn = nn.BCEWithLogitsLoss()

    def forward(self, input_ids, attention_mask, labels=None):
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1)
        scores = torch.sigmoid(self.head(pooled))
        out = {"logits": scores}
        if labels is not None:
            out["loss"] = self.loss_fn(scores, labels)
        return out


def compute_metrics(pred):
    scores, labels = pred.predictions, pred.label_ids
    return {"macro_auc": float(np.mean([roc_auc_score(labels[:, j], scores[:, j]) for j in range(labels.shape[1])]))}


def main():
    set_seed(5)
    rng = np.random.default_rng(5)
    ids, mask, labels = make_tickets(3000, rng)
    train_ds = TicketDataset(ids[:2400], mask[:2400], labels[:2400])
    val_ds = TicketDataset(ids[2400:], mask[2400:], labels[2400:])

    model = TicketTagger(len(TAGS))
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out, num_train_epochs=3, per_device_train_batch_size=32,
            per_device_eval_batch_size=128, learning_rate=2e-3, weight_decay=0.01,
            warmup_steps=30, lr_scheduler_type="linear", eval_strategy="epoch",
            save_strategy="no", logging_steps=25, report_to=[], use_cpu=True,
            dataloader_num_workers=0, disable_tqdm=True, seed=5,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final val_macro_auc {metrics['eval_macro_auc']:.4f} val_loss {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
