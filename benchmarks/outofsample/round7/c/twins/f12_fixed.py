"""Review sentiment with a Kim-style text CNN, trained with SGD + momentum and linear LR decay.

Synthetic reviews: filler words, polar words (some intensified by "very", some negated by
"not"); label = sign of the summed polarity.  Convolutions of width 2-4 see the
"not great" / "very bad" n-grams.  Logits are divided by the temperature shared with the
team's distillation setup.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

NOT, VERY = 1, 2
POS = list(range(3, 23)); NEG = list(range(23, 43)); FILLER = list(range(43, 200))
VOCAB, MAX_TOK = 200, 40


def make_reviews(n, seed):
    rng = np.random.default_rng(seed)
    docs, labels = [], []
    while len(docs) < n:
        toks, score = [], 0.0
        for _ in range(rng.integers(8, 24)):
            if rng.random() < 0.35:
                surface = 1 if rng.random() < 0.5 else -1
                negated, strong = rng.random() < 0.25, rng.random() < 0.2
                if negated: toks.append(NOT)
                if strong: toks.append(VERY)
                toks.append(int(rng.choice(POS if surface > 0 else NEG)))
                score += (-surface if negated else surface) * (2.0 if strong else 1.0)
            else:
                toks.append(int(rng.choice(FILLER)))
        if score != 0:
            docs.append(toks); labels.append(int(score > 0))
    return docs, np.array(labels)


def pad(docs):
    out = np.zeros((len(docs), MAX_TOK), dtype=np.int64)   # 0 = padding
    for i, d in enumerate(docs):
        d = d[:MAX_TOK]
        out[i, :len(d)] = d
    return torch.from_numpy(out)


class TextCNN(nn.Module):
    """Kim (2014)-style CNN: embeddings -> parallel 1-D convolutions -> max over time -> linear."""
    def __init__(self, vocab=VOCAB, dim=48, filters=64, widths=(2, 3, 4), n_classes=2, temperature=1.0):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, padding_idx=0)
        self.convs = nn.ModuleList(nn.Conv1d(dim, filters, w) for w in widths)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(filters * len(widths), n_classes)
        self.temperature = temperature

    def forward(self, ids):
        e = self.emb(ids).transpose(1, 2)                      # (batch, dim, time)
        h = torch.cat([F.relu(conv(e)).amax(dim=2) for conv in self.convs], dim=1)
        return self.fc(self.drop(h)) / self.temperature


def main(epochs=6, lr0=0.02, batch_size=32, seed=0):
    torch.manual_seed(seed)
    tr_docs, y_tr = make_reviews(6000, seed)
    te_docs, y_te = make_reviews(1500, seed + 1)
    X_tr, X_te = pad(tr_docs), pad(te_docs)
    y_tr, y_te = torch.from_numpy(y_tr), torch.from_numpy(y_te)

    model = TextCNN()
    opt = torch.optim.SGD(model.parameters(), lr=lr0, momentum=0.9)
    total = epochs * ((len(X_tr) + batch_size - 1) // batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1.0 - step / total)
    for epoch in range(epochs):
        model.train(); perm = torch.randperm(len(X_tr)); running = 0.0
        for i in range(0, len(X_tr), batch_size):
            idx = perm[i:i + batch_size]
            loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx])
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
            running += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            logits = model(X_te)
            acc = (logits.argmax(1) == y_te).float().mean().item()
            te_loss = F.cross_entropy(logits, y_te).item()
        print(f"epoch {epoch + 1} train_loss {running / len(X_tr):.4f} test_loss {te_loss:.4f} test_acc {acc:.4f}")
    print(f"final test_acc {acc:.4f}")


if __name__ == "__main__":
    main()
