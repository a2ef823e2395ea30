"""Float-glass furnace: classify the melt condition from a snapshot of plant sensors.

Classes: 0 stable, 1 foaming, 2 cold crown, 3 seed/stone risk, 4 batch-line drift.
24 sensor channels (crown/bottom thermocouples, regenerator temperatures, furnace
pressure, pull rate, cullet ratio, batch moisture, O2 in flue gas, ...).
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_CLASSES, N_SENS = 5, 24


def make_plant(n, seed):
    rng = np.random.default_rng(seed)
    # correlated plant state: a few latent drivers mixed into 24 sensors
    mix = rng.normal(0, 1, (6, N_SENS))
    y = rng.choice(N_CLASSES, n, p=[0.36, 0.16, 0.16, 0.16, 0.16])
    z = rng.normal(0, 1, (n, 6))
    z[y == 1, 0] += 2.0; z[y == 1, 1] -= 1.4             # foaming: pressure up, O2 down
    z[y == 2, 2] -= 2.2                                   # cold crown
    z[y == 3, 3] += 1.8; z[y == 3, 2] += 0.9              # stones: hot bottom, high cullet
    z[y == 4, 4] += 2.0 * np.sign(rng.normal(size=(y == 4).sum()))  # drift either way
    z[:, 5] = np.tanh(z[:, 0] * z[:, 3])                  # interaction channel
    X = z @ mix + rng.normal(0, 0.6, (n, N_SENS))
    X = X * rng.uniform(0.5, 3.0, N_SENS) + rng.uniform(-2, 2, N_SENS)
    return X.astype(np.float32), y


class StateNet(nn.Module):
    def __init__(self, d_in, width=128, p_drop=0.5):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(p_drop),
            nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(p_drop),
        )
        self.out = nn.Linear(width, N_CLASSES)

    def forward(self, x):
        return self.out(self.body(x))


def evaluate(model, loader):
    correct, total_loss, n = 0, 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total_loss += nn.functional.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return total_loss / n, correct / n


def main():
    torch.manual_seed(7)
    X, y = make_plant(3000, seed=7)
    Xtr, ytr, Xva, yva, Xte, yte = X[:2000], y[:2000], X[2000:2500], y[2000:2500], X[2500:], y[2500:]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    f = lambda a: torch.tensor((a - mu) / sd)
    train = DataLoader(TensorDataset(f(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(f(Xva), torch.tensor(yva)), batch_size=16)
    test = DataLoader(TensorDataset(f(Xte), torch.tensor(yte)), batch_size=16)

    model = StateNet(N_SENS)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    best = -1.0
    for epoch in range(1, 31):
        model.train()
        for xb, yb in train:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        vl, va = evaluate(model, val)
        if va > best:
            best = va
            torch.save(model, "/tmp/glass_furnace_best.pt")
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d}  val loss {vl:.4f}  val acc {va:.3f}")
    model = torch.load("/tmp/glass_furnace_best.pt", weights_only=False)
    tl, ta = evaluate(model, test)
    print(f"test loss {tl:.4f}  test accuracy {ta:.4f} (best val acc {best:.3f})")


if __name__ == "__main__":
    main()
