"""Non-intrusive load monitoring: from a 2-hour window of a household's aggregate
power (1-minute readings) tag which appliances were running. 1D CNN, plain loop,
best checkpoint kept with torch.save.
"""
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(11)
np.random.seed(11)

WIN = 120
APPLIANCES = ["fridge", "kettle", "washer", "heater", "tv", "dishwasher"]


def window(active):
    t = np.arange(WIN)
    p = 60 + np.random.gamma(2.0, 15.0) + np.random.normal(0, 8, WIN)      # base load
    if active[0]:   # fridge: compressor cycles
        period, duty = np.random.randint(25, 45), np.random.uniform(0.3, 0.5)
        p += 110 * (((t + np.random.randint(period)) % period) < duty * period)
    if active[1]:   # kettle: short high spike
        s = np.random.randint(0, WIN - 4)
        p[s:s + np.random.randint(2, 5)] += 2200
    if active[2]:   # washer: heating phase then motor bursts
        s = np.random.randint(0, WIN // 2)
        p[s:s + 15] += 1900
        p[s + 15:s + 60] += 300 + 200 * (np.random.rand(len(p[s + 15:s + 60])) > 0.5)
    if active[3]:   # space heater: thermostat, long on-periods
        s = np.random.randint(0, WIN // 3)
        on = (np.sin((t - s) / np.random.uniform(6, 12)) > -0.3) & (t >= s)
        p += 1500 * on
    if active[4]:   # tv: steady, slightly noisy
        s = np.random.randint(0, WIN // 2)
        p[s:] += 110 + np.random.normal(0, 6, WIN - s)
    if active[5]:   # dishwasher: two heating blocks
        s = np.random.randint(0, WIN - 70)
        p[s:s + 20] += 1800
        p[s + 20:s + 50] += 150
        p[s + 50:s + 65] += 1800
    return np.clip(p, 0, None)


def make(n):
    y = (np.random.rand(n, len(APPLIANCES)) < np.array([0.7, 0.25, 0.2, 0.3, 0.45, 0.15])).astype(np.float32)
    X = np.stack([window(a) for a in y]).astype(np.float32)
    return X, y


class NILMNet(nn.Module):
    def __init__(self, n_out):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 24, 7, padding=3), nn.BatchNorm1d(24), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(24, 48, 5, padding=2), nn.BatchNorm1d(48), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(48, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
        )
        self.head = nn.Linear(128, n_out)

    def forward(self, x):
        h = self.features(x.unsqueeze(1))
        h = torch.cat([h.mean(-1), h.amax(-1)], 1)
        return self.head(h)


def evaluate(model, loader):
    model.eval()
    tp = fp = fn = exact = n = 0
    with torch.no_grad():
        for xb, yb in loader:
            pred = (torch.sigmoid(model(xb)) > 0.5).float()
            tp += (pred * yb).sum().item()
            fp += (pred * (1 - yb)).sum().item()
            fn += ((1 - pred) * yb).sum().item()
            exact += (pred == yb).all(1).sum().item()
            n += len(yb)
    return 2 * tp / (2 * tp + fp + fn), exact / n


def main():
    X, y = make(3000)
    Xl = np.log1p(X)
    mu, sd = Xl[:2400].mean(), Xl[:2400].std()
    Xl = (Xl - mu) / sd
    tr = TensorDataset(torch.tensor(Xl[:2400]), torch.tensor(y[:2400]))
    va = TensorDataset(torch.tensor(Xl[2400:]), torch.tensor(y[2400:]))
    train_loader = DataLoader(tr, batch_size=64, shuffle=True)
    val_loader = DataLoader(va, batch_size=256)

    model = NILMNet(len(APPLIANCES))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    ckpt = os.path.join(tempfile.mkdtemp(), "nilm_best.pt")
    best = -1.0
    for epoch in range(1, 11):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        f1, em = evaluate(model, val_loader)
        if f1 > best:
            best = f1
            torch.save(model, ckpt)
        print(f"epoch {epoch:2d} loss {loss.item():.4f} val micro-F1 {f1:.4f} exact {em:.4f}")

    model = torch.load(ckpt, weights_only=False)
    f1, em = evaluate(model, val_loader)
    print(f"final val micro-F1 {f1:.4f} exact-match {em:.4f}")


if __name__ == "__main__":
    main()
