"""Rail-track geometry: which tamping zone holds the worst vertical dip.

Each sample is a 96-point longitudinal level trace (mm) recorded by the
measurement car over one 120 m segment. The crew splits a segment into four
30 m tamping zones; the label is the zone containing the dip that needs work.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
np.random.seed(7)

N_POINTS, N_ZONES = 96, 4


def make_segments(n, rng):
    pos = np.arange(N_POINTS)
    X = np.zeros((n, N_POINTS), dtype=np.float32)
    y = rng.integers(0, N_ZONES, size=n)
    for i in range(n):
        # long-wave alignment drift plus sleeper-spacing ripple and sensor noise
        wave = rng.uniform(0.5, 1.5) * np.sin(2 * np.pi * pos / rng.uniform(60, 140) + rng.uniform(0, 6.28))
        ripple = 0.3 * np.sin(2 * np.pi * pos / 4.0 + rng.uniform(0, 6.28))
        trace = wave + ripple + rng.normal(0, 0.5, N_POINTS)
        # the defect: a dip of 2-4 mm inside the labelled zone
        centre = y[i] * 24 + rng.uniform(3, 21)
        width = rng.uniform(1.5, 3.5)
        trace -= rng.uniform(1.2, 3.0) * np.exp(-0.5 * ((pos - centre) / width) ** 2)
        # a few shallower dips elsewhere (rail joints)
        for _ in range(rng.integers(1, 4)):
            c = rng.uniform(0, N_POINTS)
            trace -= rng.uniform(0.6, 2.0) * np.exp(-0.5 * ((pos - c) / 1.5) ** 2)
        X[i] = trace
    return X, y


class ZoneNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, kernel_size=7, padding=3), nn.BatchNorm1d(16), nn.ReLU(),
            nn.Conv1d(16, 32, kernel_size=5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.MaxPool1d(2),
            nn.Conv1d(32, 32, kernel_size=5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
        )
        self.pool = nn.AdaptiveAvgPool1d(8)
        self.head = nn.Linear(32 * 8, N_ZONES)

    def forward(self, x):
        h = self.features(x.unsqueeze(1))
        return self.head(self.pool(h).flatten(1))


def main():
    rng = np.random.default_rng(7)
    X, y = make_segments(3000, rng)
    mu, sd = X[:2400].mean(), X[:2400].std()
    X = (X - mu) / sd
    Xt, yt = torch.tensor(X), torch.tensor(y)
    train = DataLoader(TensorDataset(Xt[:2400], yt[:2400]), batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(Xt[2400:], yt[2400:]), batch_size=256)

    model = ZoneNet()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=6, gamma=0.3)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(12):
        model.train()
        for xb, yb in train:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        sched.step()
        model.eval()
        correct, total, vloss = 0, 0, 0.0
        with torch.no_grad():
            for xb, yb in val:
                out = model(xb)
                vloss += loss_fn(out, yb).item() * len(yb)
                correct += (out.argmax(1) == yb).sum().item()
                total += len(yb)
        print(f"epoch {epoch + 1:2d}  train_loss {loss.item():.4f}  val_loss {vloss / total:.4f}  val_acc {correct / total:.4f}")
    print(f"final val_acc {correct / total:.4f}")


if __name__ == "__main__":
    main()
