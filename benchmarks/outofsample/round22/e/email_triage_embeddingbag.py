"""Triage of a shared operations mailbox: fyi / action-required / meeting / urgent-escalation.

Follows the structure of the PyTorch text-classification tutorial: variable-length token lists are
concatenated with offsets into an EmbeddingBag; Adagrad (per-word step sizes suit rare cue words in
a bag-of-words model), StepLR. The classes are imbalanced, so the loss is class-weighted (inverse
square-root frequency), and evaluation sums the per-mail losses and divides once by the count.
"""
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

torch.manual_seed(8)
rng = np.random.default_rng(8)

VOCAB = 4000
CLASSES = ["fyi", "action_required", "meeting", "urgent_escalation"]
PRIORS = np.array([0.66, 0.18, 0.11, 0.05])
# background: a Zipf-like distribution over the vocabulary; each class boosts its own cue words
background = 1.0 / np.arange(1, VOCAB + 1) ** 1.05
background /= background.sum()
cues = [rng.choice(np.arange(200, VOCAB), 40, replace=False) for _ in CLASSES]
shared_cues = rng.choice(np.arange(200, VOCAB), 30, replace=False)  # "please", "asap", "team", ...


def mail(label):
    n = int(rng.integers(15, 140))
    p = background.copy()
    p[cues[label]] += 0.08 / 40
    p[shared_cues] += 0.05 / 30
    p /= p.sum()
    toks = rng.choice(VOCAB, n, p=p)
    return toks.tolist()


def corpus(n):
    ys = rng.choice(len(CLASSES), n, p=PRIORS)
    return [(int(y), mail(y)) for y in ys]


train_data = corpus(4000)
val_data = corpus(1200)


def collate_batch(batch):
    labels, texts, offsets = [], [], [0]
    for y, toks in batch:
        labels.append(y)
        t = torch.tensor(toks, dtype=torch.int64)
        texts.append(t)
        offsets.append(t.size(0))
    offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
    return torch.tensor(labels), torch.cat(texts), offsets


class TriageModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean")
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        return self.fc(self.embedding(text, offsets))


counts = np.bincount([y for y, _ in train_data], minlength=len(CLASSES))
weights = torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32)
weights /= weights.mean()

EPOCHS, LR, BATCH_SIZE = 6, 0.1, 64
model = TriageModel(VOCAB, 64, len(CLASSES))
criterion = nn.CrossEntropyLoss(weight=weights)
optimizer = torch.optim.Adagrad(model.parameters(), lr=LR)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.3)
train_dataloader = DataLoader(train_data, batch_size=BATCH_SIZE, shuffle=True, collate_fn=collate_batch)
valid_dataloader = DataLoader(val_data, batch_size=256, shuffle=False, collate_fn=collate_batch)


def train(dataloader):
    model.train()
    total_acc, total_count = 0, 0
    for label, text, offsets in dataloader:
        optimizer.zero_grad()
        predicted_label = model(text, offsets)
        loss = criterion(predicted_label, label)
        loss.backward()
        optimizer.step()
        total_acc += (predicted_label.argmax(1) == label).sum().item()
        total_count += label.size(0)
    return total_acc / total_count


def evaluate(dataloader):
    model.eval()
    loss_sum, n = 0.0, 0
    preds, golds = [], []
    with torch.no_grad():
        for label, text, offsets in dataloader:
            logits = model(text, offsets)
            loss_sum += F.cross_entropy(logits, label, reduction="sum").item()
            n += label.size(0)
            preds.append(logits.argmax(1))
            golds.append(label)
    preds, golds = torch.cat(preds), torch.cat(golds)
    recalls = [((preds == c) & (golds == c)).sum().item() / max((golds == c).sum().item(), 1)
               for c in range(len(CLASSES))]
    f1s = []
    for c in range(len(CLASSES)):
        tp = ((preds == c) & (golds == c)).sum().item()
        prec = tp / max((preds == c).sum().item(), 1)
        rec = recalls[c]
        f1s.append(0.0 if tp == 0 else 2 * prec * rec / (prec + rec))
    return loss_sum / n, float(np.mean(f1s)), recalls


for epoch in range(1, EPOCHS + 1):
    t0 = time.time()
    train_acc = train(train_dataloader)
    val_loss, macro_f1, _ = evaluate(valid_dataloader)
    scheduler.step()
    print(f"| epoch {epoch:2d} | {time.time() - t0:4.1f}s | train acc {train_acc:.3f} | val loss {val_loss:.4f} "
          f"| val macro-F1 {macro_f1:.3f} | lr {scheduler.get_last_lr()[0]:.3f}")

val_loss, macro_f1, recalls = evaluate(valid_dataloader)
print("per-class recall " + " ".join(f"{c}={r:.2f}" for c, r in zip(CLASSES, recalls)))
print(f"final val_loss {val_loss:.4f} val_macro_F1 {macro_f1:.4f}")
