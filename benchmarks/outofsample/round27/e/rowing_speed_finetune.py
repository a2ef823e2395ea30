"""Rowing telemetry: estimate boat speed (m/s) from a 4.8 s window of the hull's surge
acceleration.  A 1D CNN is pre-trained on the club's logged eights, then a copy is
fine-tuned for a newly rigged coxless four with only a few dozen pieces of GPS-checked
data: the stem block stays frozen (kept in eval mode so its BatchNorm statistics are
not rewritten by the tiny set), the middle block is nudged with a small SGD learning
rate and the regression head is re-fitted with Adam — two optimizers, stepped together.
"""
import copy
import math
import numpy as np
import torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(37)
rng = np.random.default_rng(37)
FS, T = 25, 120


def pieces(n, boat):
    rate = rng.uniform(18, 38, n)                  # strokes per minute
    drive = rng.uniform(0.6, 1.4, n)               # drive power proxy
    check = rng.uniform(0.2, 0.9, n)               # deceleration at the catch
    t = np.arange(T) / FS
    X = np.empty((n, 1, T), np.float32)
    for i in range(n):
        ph = (t * rate[i] / 60 + rng.uniform()) % 1.0
        a = drive[i] * 3.0 * np.exp(-((ph - 0.18) ** 2) / 0.006) - check[i] * 4.0 * np.exp(-((ph - 0.97) ** 2) / 0.0015)
        a -= 0.8 * (ph > 0.35) * (ph < 0.9) * drive[i]
        X[i, 0] = a + rng.normal(0, 0.35, T)
    if boat == "eight":
        speed = 3.2 + 0.055 * (rate - 18) + 0.9 * (drive - 1) - 0.55 * check
    else:   # lighter, shorter four: slower base, different check penalty
        speed = 2.85 + 0.05 * (rate - 18) + 1.1 * (drive - 1) - 0.9 * check
    return X, (speed + rng.normal(0, 0.05, n)).astype(np.float32)


class SurgeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2))
        self.mid = nn.Sequential(nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.AdaptiveAvgPool1d(1))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.head(self.mid(self.stem(x))).squeeze(-1)


def mae(model, X, y):
    model.eval()
    with torch.no_grad():
        return (model(X) - y).abs().mean().item()


def main():
    Xs, ys = pieces(2000, "eight")
    sx = Xs.std()
    Xs = torch.from_numpy(Xs / sx)
    ys = torch.from_numpy(ys)
    Xt, yt = pieces(360, "four")
    Xt, yt = torch.from_numpy(Xt / sx), torch.from_numpy(yt)
    Xft, yft, Xte, yte = Xt[:60], yt[:60], Xt[60:], yt[60:]

    # pre-training on the club's eights
    base = SurgeNet()
    with torch.no_grad():
        base.head[-1].bias.fill_(ys[:1700].mean().item())   # start at the mean speed
    opt = torch.optim.Adam(base.parameters(), lr=3e-3)
    loader = DataLoader(TensorDataset(Xs[:1700], ys[:1700]), batch_size=64, shuffle=True)
    for epoch in range(12):
        base.train()
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.mse_loss(base(xb), yb).backward()
            opt.step()
    print(f"pre-trained: eights val MAE {mae(base, Xs[1700:], ys[1700:]):.4f} m/s, "
          f"four test MAE before fine-tuning {mae(base, Xte, yte):.4f} m/s")

    # fine-tune a copy for the four
    model = copy.deepcopy(base)
    for p in model.stem.parameters():
        p.requires_grad = False
    opt_mid = torch.optim.SGD(model.mid.parameters(), lr=1e-3, momentum=0.9)
    opt_head = torch.optim.Adam(model.head.parameters(), lr=2e-3)
    ft_loader = DataLoader(TensorDataset(Xft, yft), batch_size=16, shuffle=True)
    for epoch in range(40):
        model.train()
        model.stem.eval()
        for xb, yb in ft_loader:
            opt_mid.zero_grad()
            opt_head.zero_grad()
            loss = nn.functional.mse_loss(model(xb), yb)
            loss.backward()
            opt_mid.step()
            opt_head.step()
        if (epoch + 1) % 10 == 0:
            print(f"fine-tune epoch {epoch + 1} train_loss {loss.item():.5f} four test MAE {mae(model, Xte, yte):.4f}")
    print(f"final four test MAE {mae(model, Xte, yte):.4f} m/s (mean-speed baseline {(yte - yft.mean()).abs().mean():.4f})")


if __name__ == "__main__":
    main()
