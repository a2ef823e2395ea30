"""Hourly inbound call volume per queue for a utility's contact centre (40 queues, 12 weeks).

Counts are modelled directly with a Poisson likelihood on a log link (PoissonNLLLoss with
log_input=True), so the raw counts are the targets and the output bias starts at the log of
the mean count. Queue identity goes through a sparse embedding trained by SparseAdam; the
dense layers use AdamW: two optimizers stepped together. Split by time: the last 2 weeks are
validation. Reported: mean Poisson deviance and MAE against the seasonal-naive forecast
(same hour one week earlier) and a per-queue hour-of-week mean.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
torch.set_num_threads(1)
rng = np.random.default_rng(8)

Q, WEEKS = 40, 12
H = WEEKS * 168
hours = np.arange(H)
how = hours % 168
dow, hod = how // 24, how % 24
queue_scale = rng.lognormal(np.log(8), 0.8, Q)
queue_shape = rng.choice(3, Q)                          # billing / outages / moving house
daily = np.stack([
    np.exp(-((np.arange(24) - 11) ** 2) / 18),
    0.4 + 0.6 * np.exp(-((np.arange(24) - 19) ** 2) / 10),
    np.exp(-((np.arange(24) - 14) ** 2) / 30),
])
weekly = np.array([[1.2, 1.0, 1.0, 1.0, 0.9, 0.4, 0.2],
                   [1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9],
                   [1.0, 1.0, 1.0, 1.1, 1.3, 0.8, 0.3]])
trend = 1 + 0.01 * hours / 168
storms = np.zeros(H)
for start in rng.choice(H - 48, 6, replace=False):
    storms[start:start + rng.integers(6, 30)] = rng.uniform(1.5, 4.0)
bill_cycle = 1 + 0.5 * ((hours // 24) % 30 < 3)           # bills land at the start of a 30-day cycle

rows, counts = [], []
for q in range(Q):
    s = queue_shape[q]
    lam = queue_scale[q] * daily[s][hod] * weekly[s][dow] * trend
    if s == 0:
        lam = lam * bill_cycle
    if s == 1:
        lam = lam * (1 + storms)
    c = rng.poisson(lam * rng.gamma(20, 1 / 20, H))
    counts.append(c)
counts = np.stack(counts)                                 # (Q, H)

def features(h):
    d, k = (h % 168) // 24, h % 24
    return np.column_stack([
        np.sin(2 * np.pi * k / 24), np.cos(2 * np.pi * k / 24),
        np.sin(4 * np.pi * k / 24), np.cos(4 * np.pi * k / 24),
        np.eye(7)[d],
        ((h // 24) % 30 < 3).astype(float),
        (h / 168 - WEEKS / 2) / WEEKS,
    ])

lag_week = np.concatenate([np.full((Q, 168), np.nan), counts[:, :-168]], 1)
valid = hours >= 168
split = (WEEKS - 2) * 168
Fh = features(hours)
qid, hid = np.meshgrid(np.arange(Q), hours, indexing="ij")
qid, hid = qid.ravel(), hid.ravel()
lag = np.log1p(lag_week.ravel())
keep = valid[hid]
tr = keep & (hid < split)
va = keep & (hid >= split)
lag_mu, lag_sd = lag[tr].mean(), lag[tr].std()
Xd = np.column_stack([Fh[hid], (lag - lag_mu) / lag_sd]).astype(np.float32)
y = counts.ravel().astype(np.float32)

def tensors(m):
    return (torch.tensor(qid[m]), torch.tensor(Xd[m]), torch.tensor(y[m]))

train_loader = DataLoader(TensorDataset(*tensors(tr)), batch_size=1024, shuffle=True)
q_va, x_va, y_va = tensors(va)
print(f"{tr.sum()} train rows, {va.sum()} val rows; mean count {y[tr].mean():.2f}, max {y[tr].max():.0f}")


class VolumeModel(nn.Module):
    def __init__(self, n_queues, d_in, emb=12, hidden=64):
        super().__init__()
        self.queue = nn.Embedding(n_queues, emb, sparse=True)
        nn.init.normal_(self.queue.weight, std=0.1)
        self.mlp = nn.Sequential(nn.Linear(d_in + emb, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        with torch.no_grad():
            self.mlp[-1].bias.fill_(float(np.log(y[tr].mean())))

    def forward(self, q, x):
        return self.mlp(torch.cat([self.queue(q), x], 1)).squeeze(1)   # log rate


model = VolumeModel(Q, Xd.shape[1])
sparse_opt = torch.optim.SparseAdam(list(model.queue.parameters()), lr=1e-2)
dense_opt = torch.optim.AdamW(model.mlp.parameters(), lr=2e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.ExponentialLR(dense_opt, gamma=0.85)
loss_fn = nn.PoissonNLLLoss(log_input=True, full=False)


def deviance(mu, yv):
    yv = yv.double(); mu = mu.double()
    term = torch.where(yv > 0, yv * torch.log(yv / mu), torch.zeros_like(yv))
    return (2 * (term - (yv - mu))).mean().item()


for epoch in range(10):
    model.train()
    tot = 0.0
    for qb, xb, yb in train_loader:
        sparse_opt.zero_grad()
        dense_opt.zero_grad()
        loss = loss_fn(model(qb, xb), yb)
        loss.backward()
        sparse_opt.step()
        dense_opt.step()
        tot += loss.item() * len(yb)
    sched.step()
    model.eval()
    with torch.no_grad():
        mu = model(q_va, x_va).exp()
    print(f"epoch {epoch} train poisson nll {tot / tr.sum():.4f} val deviance {deviance(mu, y_va):.4f} "
          f"MAE {(mu - y_va).abs().mean():.3f}")

naive = torch.tensor(np.nan_to_num(lag_week.ravel()[va]), dtype=torch.float32).clamp_min(0.1)
how_mean = np.zeros((Q, 168))
for q in range(Q):
    c = counts[q, 168:split]
    how_mean[q] = c.reshape(-1, 168).mean(0)
hm = torch.tensor(how_mean[qid[va], hid[va] % 168], dtype=torch.float32).clamp_min(0.1)
print(f"baselines: seasonal naive deviance {deviance(naive, y_va):.4f} MAE {(naive - y_va).abs().mean():.3f}; "
      f"queue x hour-of-week mean deviance {deviance(hm, y_va):.4f} MAE {(hm - y_va).abs().mean():.3f}")
print(f"final: val deviance {deviance(mu, y_va):.4f} MAE {(mu - y_va).abs().mean():.3f} calls/hour")
