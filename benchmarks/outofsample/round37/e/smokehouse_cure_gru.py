"""Smokehouse cure outcome from a full batch log.

Each batch of sides is logged once a minute for 2 h (chamber temperature, relative humidity,
smoke density). The cure is graded afterwards: under-cured / on-spec / over-cured. The grade
depends on the heat dose accumulated over the whole run, so a GRU reads the entire log.
"""
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
np.random.seed(7)
torch.set_num_threads(1)

T = 120


def make_logs(n, rng):
    t = np.arange(T) / 60.0
    setpoint = rng.uniform(58, 78, size=(n, 1))
    ramp = rng.uniform(0.4, 1.6, size=(n, 1))
    temp = setpoint * (1 - np.exp(-t[None, :] / ramp)) + 15 * np.exp(-t[None, :] / ramp)
    # door openings: short temperature dips at random times
    for i in range(n):
        for _ in range(rng.integers(0, 4)):
            s = rng.integers(10, T - 15)
            temp[i, s:s + rng.integers(3, 12)] -= rng.uniform(5, 15)
    temp += rng.normal(0, 1.2, size=temp.shape)
    rh = 70 - 0.4 * (temp - 40) + rng.normal(0, 3, size=temp.shape) + rng.uniform(-8, 8, size=(n, 1))
    smoke = np.clip(rng.uniform(0.2, 1.0, size=(n, 1)) + 0.15 * np.sin(t[None, :] * rng.uniform(1, 4, size=(n, 1)))
                    + rng.normal(0, 0.05, size=temp.shape), 0, None)
    dose = (np.clip(temp - 55, 0, None) * (1.0 - 0.004 * (rh - 60))).sum(1) / 60.0
    x = np.stack([temp, rh, smoke], axis=-1).astype(np.float32)
    return x, dose


rng = np.random.default_rng(7)
X, dose = make_logs(1200, rng)
lo, hi = np.quantile(dose[:800], [0.3, 0.7])
y = np.digitize(dose, [lo, hi]).astype(np.int64)

Xtr, ytr = X[:800], y[:800]
Xva, yva = X[800:1000], y[800:1000]
Xte, yte = X[1000:], y[1000:]
mu = Xtr.reshape(-1, 3).mean(0)
sd = Xtr.reshape(-1, 3).std(0)
norm = lambda a: torch.from_numpy((a - mu) / sd)

train_loader = DataLoader(TensorDataset(norm(Xtr), torch.from_numpy(ytr)), batch_size=50, shuffle=True)
val = (norm(Xva), torch.from_numpy(yva))
test = (norm(Xte), torch.from_numpy(yte))


class CureNet(nn.Module):
    def __init__(self, n_in=3, hidden=40, n_cls=3):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(2 * hidden, 32), nn.ReLU(), nn.Linear(32, n_cls))

    def forward(self, x):
        out, h = self.gru(x)
        feats = torch.cat([h[-1], out.mean(1)], dim=1)
        return self.head(feats)


model = CureNet()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)


def evaluate(m, data):
    m.eval()
    with torch.no_grad():
        logits = m(data[0])
        return criterion(logits, data[1]).item(), (logits.argmax(1) == data[1]).float().mean().item()


best, best_state, bad = float("inf"), None, 0
for epoch in range(1, 19):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
    vloss, vacc = evaluate(model, val)
    scheduler.step(vloss)
    print(f"epoch {epoch:2d}  train_loss {loss.item():.4f}  val_loss {vloss:.4f}  val_acc {vacc:.3f}")
    if vloss < best - 1e-4:
        best, best_state, bad = vloss, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad >= 5:
            print("early stopping")
            break

model.load_state_dict(best_state)
tloss, tacc = evaluate(model, test)
print(f"test_loss {tloss:.4f}  test_acc {tacc:.3f}")
