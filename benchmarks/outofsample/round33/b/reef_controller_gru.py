"""Reef-aquarium controller logs: which dosing regime is the tank on?

Three days of pH, ORP and temperature at 40-minute resolution (108 steps). Regimes:
0 none, 1 kalkwasser top-off at night, 2 two-part doser pulses, 3 calcium reactor.
A GRU reads the whole log; gradients are clipped as routine insurance and the model
that is scored and saved is an exponential moving average of the weights.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

T = 108


def tank_logs(n, rng):
    t = np.arange(T)
    day = (t % 36) / 36.0
    light = ((day > 0.3) & (day < 0.8)).astype(float)
    y = rng.integers(0, 4, size=n)
    X = np.zeros((n, T, 3), dtype=np.float32)
    for i in range(n):
        ph = 8.1 + 0.12 * np.convolve(light, np.ones(6) / 6, mode="same") + 0.02 * rng.standard_normal(T)
        orp = 380 + 15 * light + 3 * np.cumsum(rng.standard_normal(T)) / np.sqrt(T)
        temp = 25.5 + 0.4 * light + 0.1 * rng.standard_normal(T)
        if y[i] == 1:      # kalk drip when the lights are off lifts night pH
            ph += 0.1 * (1 - light) * rng.uniform(0.6, 1.2)
        elif y[i] == 2:    # doser pulses every few hours, small ORP dips
            period = rng.integers(5, 8)
            phase = rng.integers(period)
            pulses = ((t + phase) % period == 0).astype(float)
            orp -= 9 * np.convolve(pulses, [1.0, 0.6, 0.3], mode="full")[:T]
        elif y[i] == 3:    # CO2-fed reactor drags pH down steadily
            ph -= rng.uniform(0.05, 0.1) + 0.01 * np.sin(t / rng.uniform(5, 9))
        X[i, :, 0] = ph
        X[i, :, 1] = orp
        X[i, :, 2] = temp
    return X, y


class RegimeGRU(nn.Module):
    def __init__(self, n_in=3, hidden=32, n_classes=4):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(2 * hidden, n_classes)

    def forward(self, x):
        out, h = self.gru(x)
        return self.head(torch.cat([h[-1], out.mean(1)], dim=1))


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    loss, correct, n = 0.0, 0, 0
    for xb, yb in loader:
        logits = model(xb)
        loss += F.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
        n += len(yb)
    return loss / n, correct / n


def main():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    X, y = tank_logs(1800, rng)
    n_tr = 1400
    mu, sd = X[:n_tr].mean((0, 1)), X[:n_tr].std((0, 1))
    X = (X - mu) / sd
    tr = TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr]))
    va = TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:]))
    train_loader = DataLoader(tr, batch_size=64, shuffle=True)
    val_loader = DataLoader(va, batch_size=200)

    model = RegimeGRU()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    epochs, decay = 12, 0.95
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)

    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(pm, alpha=1 - decay)
        scheduler.step()
        val_loss, val_acc = evaluate(ema, val_loader)
        print(f"epoch {epoch:2d} train_loss {loss.item():.4f} ema_val_loss {val_loss:.4f} ema_val_acc {val_acc:.3f}")

    path = os.path.join(tempfile.gettempdir(), "reef_regime_gru.pt")
    torch.save(ema, path)
    print(f"final val_accuracy={val_acc:.4f} (EMA model saved to {path})")


if __name__ == "__main__":
    main()
