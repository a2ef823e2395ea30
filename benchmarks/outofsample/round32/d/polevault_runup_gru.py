"""Athletics coaching: predict a pole-vault attempt's outcome from the run-up IMU trace.

A shoe-mounted IMU logs 3-axis acceleration at 40 Hz over the last 2.5 s of the approach
(100 samples). Outcomes: 0 clearance, 1 bar knocked (rhythm stalls in the final strides),
2 run-through / aborted plant. A GRU reads the whole trace; gradients are clipped as
routine insurance and the model we evaluate is an exponential moving average of the
weights (a deepcopy updated after every step).
"""
import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

T, FS = 100, 40.0


def approach_traces(n, rng):
    outcome = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    t = np.arange(T) / FS
    X = np.empty((n, T, 3), dtype=np.float32)
    for i in range(n):
        f0 = rng.normal(4.2, 0.25)                                # stride frequency, Hz
        ramp = rng.normal(0.35, 0.08)
        if outcome[i] == 1:
            ramp = rng.normal(0.05, 0.08)                          # rhythm stalls
        freq = f0 + ramp * t
        phase = 2 * np.pi * np.cumsum(freq) / FS + rng.uniform(0, 2 * np.pi)
        amp = np.ones(T) * rng.normal(1.0, 0.12)
        if outcome[i] == 2:
            stop = rng.integers(65, 92)
            amp[stop:] *= np.linspace(1.0, 0.3, T - stop)          # deceleration into the box
        X[i, :, 0] = amp * np.sin(phase)
        X[i, :, 1] = 0.5 * amp * np.sin(2 * phase + 0.4)
        X[i, :, 2] = 0.3 * np.cos(phase) + 0.1 * t
    X += rng.normal(0, 0.25, X.shape).astype(np.float32)
    return X, outcome.astype(np.int64)


class RunupGRU(nn.Module):
    def __init__(self, n_in=3, hidden=48, n_out=3):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.LayerNorm(hidden), nn.Linear(hidden, n_out))

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out.mean(dim=1) + out[:, -1])


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    loss_sum, correct, n = 0.0, 0, 0
    for xb, yb in loader:
        logits = model(xb)
        loss_sum += nn.functional.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
        n += len(yb)
    return loss_sum / n, correct / n


def main():
    torch.manual_seed(42)
    rng = np.random.default_rng(42)
    X, y = approach_traces(1500, rng)
    Xtr, ytr, Xva, yva = X[:1200], y[:1200], X[1200:], y[1200:]
    scale = Xtr.reshape(-1, 3).std(0)
    Xtr, Xva = Xtr / scale, Xva / scale

    train_loader = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.tensor(Xva), torch.tensor(yva)), batch_size=150)

    model = RunupGRU()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(1, 17):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(0.98).add_(pm, alpha=0.02)
        if epoch % 2 == 0:
            vl, va = evaluate(ema, val_loader)
            print(f"epoch {epoch:2d}  train loss {loss.item():.3f}  EMA val loss {vl:.3f}  acc {va:.3f}")

    vl, va = evaluate(ema, val_loader)
    print(f"final EMA val accuracy {va:.4f}  val loss {vl:.4f}")


if __name__ == "__main__":
    main()
