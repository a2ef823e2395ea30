"""ED triage: acuity band (routine / urgent / emergent) from the nurse's intake note.

Notes are already tokenised by the hospital's wordpiece vocabulary (ids only,
no text leaves the trust). A text CNN (bigram and trigram filters, max and sum
pooling) reads the note; training uses AdamW, label smoothing, gradient clipping
and a linear warm-up followed by cosine decay, stepped every batch.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 31
VOCAB = 400
MAX_LEN = 32
PAD, CLS_DENIES = 0, 1
# token id ranges: 2-19 modifiers, 20-44 low-acuity findings, 45-59 urgent, 60-69 emergent, rest filler
LOW, URG, EMERG = range(20, 45), range(45, 60), range(60, 70)


def write_notes(n, rng):
    ids = np.zeros((n, MAX_LEN), dtype=np.int64)
    y = np.empty(n, dtype=np.int64)
    for i in range(n):
        toks, score = [], 0.0
        for _ in range(rng.integers(2, 6)):
            toks += list(rng.integers(70, VOCAB, size=rng.integers(1, 4)))
            kind = rng.choice(3, p=[0.55, 0.3, 0.15])
            if rng.random() < 0.3:
                toks.append(CLS_DENIES)
            else:
                score += [0.3, 1.6, 4.0][kind]
            toks.append(int(rng.choice([LOW, URG, EMERG][kind])))
        toks += list(rng.integers(70, VOCAB, size=rng.integers(0, 3)))
        score += rng.normal(0, 0.3)
        y[i] = 0 if score < 1.5 else (1 if score < 3.6 else 2)
        toks = toks[:MAX_LEN]
        ids[i, :len(toks)] = toks
    return ids, y


class NoteCNN(nn.Module):
    def __init__(self, d=48, channels=96, n_classes=3):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d, padding_idx=PAD)
        self.convs = nn.ModuleList([nn.Conv1d(d, channels, k) for k in (2, 3)])
        self.drop = nn.Dropout(0.2)
        self.head = nn.Linear(4 * channels, n_classes)

    def forward(self, ids):
        e = self.tok(ids).transpose(1, 2)                    # (B, d, T)
        feats = []
        for conv in self.convs:
            h = torch.relu(conv(e))                          # (B, C, T-k+1)
            feats += [h.amax(2), h.sum(2) / MAX_LEN]         # strongest cue and how much is said
        return self.head(self.drop(torch.cat(feats, 1)))


def warmup_cosine(total, warmup):
    def f(step):
        if step < warmup:
            return (step + 1) / warmup
        t = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1 + math.cos(math.pi * t))
    return f


def main():
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    X, y = write_notes(3200, rng)
    X_tr, y_tr, X_va, y_va = X[:2600], y[:2600], X[2600:], y[2600:]
    print("acuity shares:", np.round(np.bincount(y, minlength=3) / len(y), 3))

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=256)

    model = NoteCNN()
    epochs = 7
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    total = epochs * len(train_loader)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(total, warmup=total // 10))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)

    for epoch in range(epochs):
        model.train()
        for ids, yb in train_loader:
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(ids), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for ids, yb in val_loader:
                correct += (model(ids).argmax(1) == yb).sum().item()
        print(f"epoch {epoch}  lr {sched.get_last_lr()[0]:.2e}  loss {loss.item():.3f}  "
              f"val_acc {correct / len(y_va):.4f}")
    print(f"final val_acc={correct / len(y_va):.4f}")


if __name__ == "__main__":
    main()
