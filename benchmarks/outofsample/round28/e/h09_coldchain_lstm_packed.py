"""Cold-chain trucks: estimate the remaining shelf life (days) of a chilled load at delivery
from the reefer log of the trip. Trips have different lengths (20-80 readings), so the LSTM
reads packed padded sequences; targets are standardised, early stopping keeps the best epoch.
"""
import copy
import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

torch.manual_seed(23)
rng = np.random.default_rng(23)


def trip():
    n = int(rng.integers(20, 81))
    ambient = rng.uniform(5, 35) + rng.normal(0, 1, n)
    door = (rng.random(n) < rng.uniform(0.02, 0.12)).astype(float)
    setpoint = rng.choice([2.0, 4.0])
    supply = setpoint + rng.normal(0, 0.3, n)
    ret = supply + 0.5 + 1.5 * np.convolve(door, [1, 0.6, 0.3], "same") + 0.02 * (ambient - 20) + rng.normal(0, 0.2, n)
    # quality loss follows an Arrhenius-like rate in the product temperature, summed over the trip
    rate = np.exp(0.12 * (ret - 4.0))
    life = 14.0 - 0.08 * rate.sum() + rng.normal(0, 0.3)
    hours = np.arange(n) * 0.5                     # readings every 30 min
    feats = np.stack([ret, supply, door, ambient / 10, hours], 1)
    return torch.tensor(feats, dtype=torch.float32), float(life)


trips = [trip() for _ in range(1500)]
seqs, y = [t[0] for t in trips], torch.tensor([t[1] for t in trips], dtype=torch.float32)
tr_idx, va_idx = list(range(1200)), list(range(1200, 1500))
cat = torch.cat([seqs[i] for i in tr_idx])
fm, fs = cat.mean(0), cat.std(0)
ym, ysd = y[tr_idx].mean(), y[tr_idx].std()
seqs = [(s - fm) / fs for s in seqs]


def batch(ids):
    xs = [seqs[i] for i in ids]
    lens = torch.tensor([len(s) for s in xs])
    return pad_sequence(xs, batch_first=True), lens, (y[ids] - ym) / ysd


class ReeferLSTM(nn.Module):
    def __init__(self, d_in=5, hidden=48):
        super().__init__()
        self.lstm = nn.LSTM(d_in, hidden, num_layers=2, batch_first=True, dropout=0.1)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        return self.head(h[-1]).squeeze(-1)


model = ReeferLSTM()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
loss_fn = nn.MSELoss()
xv, lv, yv = batch(va_idx)
best, best_state, bad_epochs = float("inf"), None, 0

for epoch in range(25):
    model.train()
    order = torch.randperm(len(tr_idx)).tolist()
    for i in range(0, len(order), 32):
        xb, lb, yb = batch([tr_idx[j] for j in order[i:i + 32]])
        opt.zero_grad()
        loss = loss_fn(model(xb, lb), yb)
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        vloss = loss_fn(model(xv, lv), yv).item()
    sched.step(vloss)
    rmse = vloss ** 0.5 * ysd.item()
    print(f"epoch {epoch + 1:2d} val mse {vloss:.4f} (rmse {rmse:.2f} days)")
    if vloss < best - 1e-4:
        best, best_state, bad_epochs = vloss, copy.deepcopy(model.state_dict()), 0
    else:
        bad_epochs += 1
        if bad_epochs >= 5:
            break

model.load_state_dict(best_state)
print(f"final val RMSE {best ** 0.5 * ysd.item():.2f} days (target std {y[va_idx].std():.2f})")
