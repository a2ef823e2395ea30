"""Multi-label topic tagger for short news items (bag-of-words -> 12 topic tags)."""
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import f1_score

SEED = 5
VOCAB, N_TAGS, DOC_LEN = 400, 12, 30


def synth_corpus(n_docs, rng, background, tag_words, tag_rate):
    X = np.zeros((n_docs, VOCAB), dtype=np.float32)
    Y = (rng.random((n_docs, N_TAGS)) < tag_rate).astype(np.float32)
    for d in range(n_docs):
        words = list(rng.choice(VOCAB, size=DOC_LEN, p=background))
        for t in np.flatnonzero(Y[d]):
            words += list(rng.choice(tag_words[t], size=rng.integers(3, 7)))
        np.add.at(X[d], words, 1.0)
    return X, Y


def make_data():
    rng = np.random.default_rng(SEED)
    tag_words = [rng.choice(VOCAB, size=8, replace=False) for _ in range(N_TAGS)]
    tag_rate = rng.uniform(0.04, 0.12, size=N_TAGS)
    background = rng.dirichlet(np.full(VOCAB, 0.3))
    X_tr, Y_tr = synth_corpus(3000, rng, background, tag_words, tag_rate)
    X_va, Y_va = synth_corpus(800, rng, background, tag_words, tag_rate)
    df = (X_tr > 0).mean(0)
    idf = np.log((1 + len(X_tr)) / (1 + df * len(X_tr))) + 1.0
    tfidf = lambda X: (np.log1p(X) * idf) / np.linalg.norm(np.log1p(X) * idf, axis=1, keepdims=True)
    return tfidf(X_tr).astype(np.float32), Y_tr, tfidf(X_va).astype(np.float32), Y_va


def build_scheduler(optimizer, epochs, steps_per_epoch, max_lr):
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=max_lr, epochs=epochs,
                                               steps_per_epoch=steps_per_epoch, pct_start=0.2)


class Tagger(nn.Module):
    def __init__(self, vocab, n_tags, hidden=128):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(vocab, hidden), nn.ReLU(), nn.Dropout(0.2))
        self.head = nn.Linear(hidden, n_tags)

    def forward(self, x):
        return self.head(self.encoder(x))


def main():
    torch.manual_seed(SEED)
    X_tr, Y_tr, X_va, Y_va = make_data()
    train_dl = DataLoader(TensorDataset(torch.tensor(X_tr), torch.tensor(Y_tr)), batch_size=64, shuffle=True)
    X_va_t, Y_va_t = torch.tensor(X_va), torch.tensor(Y_va)

    model = Tagger(VOCAB, N_TAGS)
    prior = torch.tensor(Y_tr.mean(0)).clamp(1e-3, 1 - 1e-3)
    with torch.no_grad():
        model.head.bias.copy_(torch.log(prior / (1 - prior)))

    epochs = 8
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = build_scheduler(optimizer, epochs, len(train_dl), max_lr=3e-3)
    criterion = nn.BCEWithLogitsLoss()

    for epoch in range(epochs):
        model.train()
        running = 0.0
        for xb, yb in train_dl:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item() * len(xb)
        model.eval()
        with torch.no_grad():
            logits = model(X_va_t)
            val_loss = criterion(logits, Y_va_t).item()
        print(f"epoch {epoch + 1}: train_loss={running / len(X_tr):.4f} val_loss={val_loss:.4f}")

    pred = (torch.sigmoid(logits) > 0.5).numpy()
    print(f"final val_loss={val_loss:.4f} micro_f1={f1_score(Y_va, pred, average='micro'):.4f} "
          f"macro_f1={f1_score(Y_va, pred, average='macro', zero_division=0):.4f}")


if __name__ == "__main__":
    main()
