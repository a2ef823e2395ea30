"""Tabular classifier trained under bfloat16 autocast on CPU, with an EMA copy of the weights
(copy.deepcopy + lerp) that is evaluated and saved whole with torch.save."""
import copy
import os
import tempfile

import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch import nn


class ResidualBlock(nn.Module):
    def __init__(self, width, p=0.1):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.ff = nn.Sequential(nn.Linear(width, 2 * width), nn.GELU(), nn.Dropout(p), nn.Linear(2 * width, width))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class TabNet(nn.Module):
    def __init__(self, d_in, width=96, depth=3, n_classes=5):
        super().__init__()
        self.stem = nn.Linear(d_in, width)
        self.blocks = nn.Sequential(*[ResidualBlock(width) for _ in range(depth)])
        self.out = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, n_classes))

    def forward(self, x):
        return self.out(self.blocks(self.stem(x)))


@torch.no_grad()
def ema_update(ema, model, decay):
    for e, p in zip(ema.parameters(), model.parameters()):
        e.lerp_(p, 1.0 - decay)
    for e, b in zip(ema.buffers(), model.buffers()):
        e.copy_(b)


@torch.no_grad()
def evaluate(model, X, y):
    model.eval()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = model(X)
    return (logits.float().argmax(1) == y).float().mean().item(), F.cross_entropy(logits.float(), y).item()


def main():
    torch.manual_seed(3)
    X, y = make_classification(n_samples=6000, n_features=30, n_informative=18, n_redundant=6, n_classes=5,
                               n_clusters_per_class=2, class_sep=1.2, flip_y=0.02, random_state=3)
    scaler = StandardScaler().fit(X[:5000])
    X = torch.tensor(scaler.transform(X), dtype=torch.float32)
    y = torch.tensor(y)
    X_tr, y_tr, X_va, y_va = X[:5000], y[:5000], X[5000:], y[5000:]

    model = TabNet(30)
    ema = copy.deepcopy(model).eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.05)
    epochs, bs = 12, 128
    steps = epochs * ((len(X_tr) + bs - 1) // bs)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.2)
    step = 0
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(X_tr))
        total = 0.0
        for i in range(0, len(X_tr), bs):
            idx = order[i:i + bs]
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(X_tr[idx])
                loss = F.cross_entropy(logits, y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            ema_update(ema, model, decay=min(0.995, (1 + step) / (10 + step)))
            total += loss.item() * len(idx)
        acc, vloss = evaluate(model, X_va, y_va)
        ema_acc, _ = evaluate(ema, X_va, y_va)
        print(f"epoch {epoch:2d} train {total / len(X_tr):.4f} val loss {vloss:.4f} acc {acc:.3f} ema acc {ema_acc:.3f}")

    path = os.path.join(tempfile.mkdtemp(), "ema_model.pt")
    torch.save(ema, path)
    restored = torch.load(path, weights_only=False)
    final_acc, _ = evaluate(restored, X_va, y_va)
    print(f"final_val_metric={final_acc:.4f}")


if __name__ == "__main__":
    main()
