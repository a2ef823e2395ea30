"""Dog-sled race telemetry: classify the team's state over the last checkpoint leg.

Sled-mounted logger, one row every 10 s over a 20-minute window: GPS speed,
gangline tension and gait cadence.  The musher's checkpoint notes give the
label: fresh, steady, tiring, or a dog favouring a leg.  A GRU reads the whole
window; an EMA copy of the weights (deepcopy) is kept, saved whole with
torch.save and reloaded to score the held-out legs.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
np.random.seed(8)

STATES = ["fresh", "steady", "tiring", "favouring_leg"]
T = 120


def leg_window(state, rng):
    t = np.arange(T) / T
    grade = np.cumsum(rng.normal(0, 0.08, T))                      # terrain
    base_speed = rng.uniform(14, 19)                               # km/h
    if state == 0:
        speed = base_speed + 1.5 - 1.0 * t
    elif state == 1:
        speed = base_speed + 0 * t
    elif state == 2:
        speed = base_speed - 4.5 * t ** 1.5
    else:
        speed = base_speed - 1.2 + 0 * t
    speed = speed - 0.8 * grade + rng.normal(0, 0.6, T)
    tension = 0.3 * speed + 1.5 * grade + rng.normal(0, 0.5, T)    # kN-ish
    cadence = 2.2 + 0.05 * speed + rng.normal(0, 0.05, T)          # strides/s
    if state == 3:  # lame dog: irregular cadence bursts in the back half
        bursts = (rng.random(T) < 0.18) & (t > rng.uniform(0.2, 0.6))
        cadence = cadence + bursts * rng.normal(0, 0.5, T)
    if state == 2:
        tension = tension - 1.0 * t
    return np.stack([speed, tension, cadence], 1)


def make_legs(n, rng):
    y = rng.integers(0, len(STATES), n)
    X = np.stack([leg_window(k, rng) for k in y]).astype(np.float32)
    return X, y


class TeamGRU(nn.Module):
    def __init__(self, n_in=3, hidden=32, n_out=len(STATES)):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(2 * hidden, n_out)

    def forward(self, x):
        out, h = self.gru(x)
        return self.head(torch.cat([h[-1], out.mean(1)], -1))


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    crit = nn.CrossEntropyLoss(reduction="sum")
    total, correct, n = 0.0, 0, 0
    for xb, yb in loader:
        logits = model(xb)
        total += crit(logits, yb).item()
        correct += (logits.argmax(-1) == yb).sum().item()
        n += len(yb)
    return total / n, correct / n


def main():
    rng = np.random.default_rng(8)
    X, y = make_legs(1100, rng)
    Xtr, ytr, Xva, yva = X[:850], y[:850], X[850:], y[850:]
    mu, sd = Xtr.reshape(-1, 3).mean(0), Xtr.reshape(-1, 3).std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=50,
                              shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=125)

    model = TeamGRU()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.05)

    for epoch in range(1, 21):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(0.95).add_(pm, alpha=0.05)
        if epoch % 5 == 0:
            vl, va = evaluate(ema, val_loader)
            print(f"epoch {epoch:2d}  last_batch_loss {loss.item():.4f}  ema_val_loss {vl:.4f}  ema_val_acc {va:.3f}")

    path = os.path.join(tempfile.mkdtemp(), "sled_team_ema.pt")
    torch.save(ema, path)
    scorer = torch.load(path, weights_only=False)
    vl, va = evaluate(scorer, val_loader)
    print(f"final: ema val_loss {vl:.4f}  val_acc {va:.4f}")


if __name__ == "__main__":
    main()
