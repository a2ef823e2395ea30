"""Multi-label tagging of support tickets with a CNN text classifier and the HF Trainer.

Tickets are token-id sequences (the tokenizer ran upstream); each ticket carries one to
three of six routing tags (billing, login, shipping, refund, bug, account).  Multi-label
targets, so the model uses BCE-with-logits per tag (as HF's multi_label_classification heads do),
warm-up then linear decay, and the Trainer's default max_grad_norm=1.0.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed
from transformers.modeling_outputs import SequenceClassifierOutput

SEED = 1234
N_TAGS = 6
VOCAB = 512
PAD, CLS, SEP = 0, 1, 2
FIRST_WORD = 8
MAX_LEN = 32


def make_tickets(n, rng):
    # 10 keyword ids per tag, the rest of the vocabulary is generic text (Zipf distributed)
    keywords = rng.permutation(np.arange(FIRST_WORD, VOCAB))[: N_TAGS * 10].reshape(N_TAGS, 10)
    generic = np.setdiff1d(np.arange(FIRST_WORD, VOCAB), keywords.ravel())
    zipf_p = 1.0 / np.arange(1, len(generic) + 1) ** 1.1
    zipf_p /= zipf_p.sum()
    tag_prior = np.array([0.30, 0.25, 0.20, 0.12, 0.08, 0.05])

    ids = np.full((n, MAX_LEN), PAD, dtype=np.int64)
    mask = np.zeros((n, MAX_LEN), dtype=np.int64)
    labels = np.zeros((n, N_TAGS), dtype=np.float32)
    for i in range(n):
        k = rng.choice([1, 1, 2, 2, 3])
        tags = rng.choice(N_TAGS, size=k, replace=False, p=tag_prior)
        labels[i, tags] = 1.0
        length = rng.integers(12, MAX_LEN - 2)
        body = list(rng.choice(generic, size=length, p=zipf_p))
        for t in tags:
            for kw in rng.choice(keywords[t], size=rng.integers(1, 3), replace=False):
                body[rng.integers(0, length)] = kw
        # a stray keyword of an unrelated tag in 15% of tickets ("my login works, but ...")
        if rng.random() < 0.15:
            other = rng.integers(0, N_TAGS)
            body[rng.integers(0, length)] = rng.choice(keywords[other])
        seq = [CLS] + body + [SEP]
        ids[i, : len(seq)] = seq
        mask[i, : len(seq)] = 1
    return ids, mask, labels


class TicketDataset(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": torch.from_numpy(self.ids[i]),
                "attention_mask": torch.from_numpy(self.mask[i]),
                "labels": torch.from_numpy(self.labels[i])}


class ConvTagger(nn.Module):
    """Kim-style CNN: embeddings, two kernel widths, masked max-pool over time."""

    def __init__(self, vocab, n_tags, dim=64, filters=96):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.convs = nn.ModuleList([nn.Conv1d(dim, filters, k, padding=k // 2) for k in (2, 3)])
        self.dropout = nn.Dropout(0.2)
        self.classifier = nn.Linear(2 * filters, n_tags)
        self.loss_fct = nn.BCEWithLogitsLoss()

    def forward(self, input_ids, attention_mask, labels=None):
        h = self.embed(input_ids).transpose(1, 2)              # (B, dim, T)
        pooled = []
        for conv in self.convs:
            c = torch.relu(conv(h))[:, :, : input_ids.shape[1]]
            c = c.masked_fill(attention_mask[:, None, :] == 0, float("-inf"))
            pooled.append(c.max(dim=2).values)
        logits = self.classifier(self.dropout(torch.cat(pooled, dim=1)))
        loss = self.loss_fct(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = (logits > 0).astype(np.float32)
    tp = (pred * labels).sum()
    fp = (pred * (1 - labels)).sum()
    fn = ((1 - pred) * labels).sum()
    micro_f1 = 2 * tp / (2 * tp + fp + fn)
    exact = (pred == labels).all(axis=1).mean()
    return {"micro_f1": float(micro_f1), "exact_match": float(exact)}


def main():
    set_seed(SEED)
    rng = np.random.default_rng(SEED)
    ids, mask, labels = make_tickets(3000, rng)
    train_ds = TicketDataset(ids[:2400], mask[:2400], labels[:2400])
    val_ds = TicketDataset(ids[2400:], mask[2400:], labels[2400:])

    model = ConvTagger(VOCAB, N_TAGS)

    args = TrainingArguments(
        output_dir="/tmp/r01_ticket_tagging",
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=5e-3,
        weight_decay=0.01,
        num_train_epochs=6,
        warmup_steps=0.1,
        lr_scheduler_type="linear",
        max_grad_norm=1.0,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=25,
        report_to="none",
        use_cpu=True,
        seed=SEED,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final val micro_f1={metrics['eval_micro_f1']:.4f} "
          f"exact_match={metrics['eval_exact_match']:.4f} loss={metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
