"""Cell-state annotation by transfer: an encoder pretrained on a reference atlas (8 cell types)
is frozen and a new linear head is fitted for a smaller study with 4 activation states."""
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

GENES, LATENT = 120, 10


def simulate(n, labeler, rng, loading):
    z = rng.normal(size=(n, LATENT))
    counts = rng.poisson(np.exp(0.5 * z @ loading + 1.0))
    X = np.log1p(counts).astype(np.float32)
    return X, labeler(z)


class CellClassifier(nn.Module):
    def __init__(self, n_genes, n_types):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(n_genes, 256), nn.LayerNorm(256), nn.GELU(), nn.Dropout(0.1),
            nn.Linear(256, 64), nn.LayerNorm(64), nn.GELU())
        self.head = nn.Linear(64, n_types)

    def forward(self, x):
        return self.head(self.encoder(x))


def fit(model, loader, optimizer, epochs):
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
        print(f"  epoch {epoch} train_loss {total / len(loader.dataset):.4f}")


@torch.no_grad()
def accuracy(model, X, y):
    model.eval()
    return (model(X).argmax(1) == y).float().mean().item()


def main():
    torch.manual_seed(21)
    torch.set_num_threads(1)
    rng = np.random.default_rng(21)
    loading = rng.normal(0, 0.6, size=(LATENT, GENES)) * (rng.random((LATENT, GENES)) < 0.3)
    centers = rng.normal(size=(8, LATENT)) * 1.5
    atlas_types = lambda z: ((z[:, None, :] - centers) ** 2).sum(-1).argmin(1)
    state_centers = centers[[0, 2, 5, 7]] + rng.normal(0, 0.7, size=(4, LATENT))
    study_states = lambda z: ((z[:, None, :] - state_centers) ** 2).sum(-1).argmin(1)

    # reference atlas pretraining
    Xa, ya = simulate(4000, atlas_types, rng, loading)
    mu, sd = Xa.mean(0), Xa.std(0) + 1e-6
    norm = lambda X: torch.from_numpy((X - mu) / sd)
    atlas = DataLoader(TensorDataset(norm(Xa), torch.from_numpy(ya)), batch_size=128, shuffle=True)
    ref = CellClassifier(GENES, 8)
    print("pretraining on atlas")
    fit(ref, atlas, torch.optim.AdamW(ref.parameters(), lr=2e-3, weight_decay=1e-2), epochs=5)
    ckpt = os.path.join(tempfile.mkdtemp(), "atlas_model.pt")
    torch.save(ref, ckpt)

    # new study: few labelled cells
    Xs, ys = simulate(900, study_states, rng, loading)
    Xs_tr, ys_tr, Xs_va, ys_va = norm(Xs[:600]), torch.from_numpy(ys[:600]), norm(Xs[600:]), torch.from_numpy(ys[600:])
    study = DataLoader(TensorDataset(Xs_tr, ys_tr), batch_size=32, shuffle=True)

    model = torch.load(ckpt, weights_only=False)
    for p in model.encoder.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    model.head = nn.Linear(model.head.in_features, 4)
    print("fitting study head")
    fit(model, study, optimizer, epochs=15)
    print(f"final val_acc={accuracy(model, Xs_va, ys_va):.4f} train_acc={accuracy(model, Xs_tr, ys_tr):.4f}")


if __name__ == "__main__":
    main()
