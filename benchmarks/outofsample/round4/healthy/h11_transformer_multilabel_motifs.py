"""Multi-label sequence tagging: token sequences (vocab 200, length 24) may contain any of
6 two-token motifs; the target is the 6-bit vector of motifs present.  Transformer encoder
with learned positions and mean pooling, BCEWithLogitsLoss, AdamW, gradient accumulation
over 4 micro-batches, gradient-norm clipping, linear warm-up then cosine decay."""
import math

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

VOCAB, SEQ, N_MOTIFS = 200, 24, 6


def make_data(n, rng, motifs):
    X = rng.integers(N_MOTIFS * 2, VOCAB, size=(n, SEQ))
    Y = np.zeros((n, N_MOTIFS), dtype=np.float32)
    for i in range(n):
        present = rng.random(N_MOTIFS) < 0.3
        starts = rng.choice(np.arange(0, SEQ - 1, 2), size=present.sum(), replace=False)
        for k, s in zip(np.flatnonzero(present), starts):
            X[i, s:s + 2] = motifs[k]
            Y[i, k] = 1.0
        # decoys: the motif's tokens in the wrong order
        if rng.random() < 0.5:
            k = rng.integers(N_MOTIFS)
            if not present[k]:
                free = [s for s in range(0, SEQ - 1, 2) if s not in starts]
                s = rng.choice(free)
                X[i, s:s + 2] = motifs[k][::-1]
    return torch.tensor(X), torch.tensor(Y)


class MotifTagger(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Parameter(torch.zeros(1, SEQ, d))
        nn.init.normal_(self.pos, std=0.02)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=128, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, N_MOTIFS)

    def forward(self, x):
        h = self.encoder(self.tok(x) + self.pos)
        return self.head(self.norm(h.mean(1)))


def main():
    rng = np.random.default_rng(0)
    motifs = [np.array([2 * k, 2 * k + 1]) for k in range(N_MOTIFS)]
    Xtr, Ytr = make_data(4000, rng, motifs)
    Xva, Yva = make_data(800, rng, motifs)
    loader = DataLoader(TensorDataset(Xtr, Ytr), batch_size=16, shuffle=True)

    model = MotifTagger()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    accum = 4
    warmup = 30
    epochs = 6
    total = epochs * len(loader) // accum
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, 0.5 * (1 + math.cos(math.pi * min(s, total) / total))))
    criterion = nn.BCEWithLogitsLoss()

    for epoch in range(epochs):
        model.train()
        optimizer.zero_grad()
        running = 0.0
        for i, (x, y) in enumerate(loader):
            loss = criterion(model(x), y) / accum
            loss.backward()
            running += loss.item() * accum * len(y)
            if (i + 1) % accum == 0 or i + 1 == len(loader):
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
        model.eval()
        with torch.no_grad():
            logits = model(Xva)
            val_loss = criterion(logits, Yva).item()
            pred = (logits > 0).float()
            tp = (pred * Yva).sum()
            f1 = (2 * tp / (pred.sum() + Yva.sum())).item()
            exact = (pred == Yva).all(1).float().mean().item()
        print(f"epoch {epoch} train_loss {running / len(Xtr):.4f} val_loss {val_loss:.4f} "
              f"micro_f1 {f1:.4f} exact_match {exact:.4f}")
    print(f"final val micro_f1 {f1:.4f} exact_match {exact:.4f}")


if __name__ == "__main__":
    main()
