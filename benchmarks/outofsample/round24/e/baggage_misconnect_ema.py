"""Airport baggage routing: probability that a transfer bag misses its
onward flight, from the connection plan and the inbound flight's state.

Origin airports (2,400 of them), airlines and the hub's transfer gates are
embedded; numeric features are standardised. Positives are ~12%, so the output
bias starts at the log-odds of the base rate. Micro-batches of 32 are
accumulated 4 at a time (the sorter's feed job gives small chunks) and an EMA
copy of the weights (copy.deepcopy) is what gets evaluated and shipped.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import average_precision_score, roc_auc_score
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(12)
rng = np.random.default_rng(12)

N_ORIGIN, N_AIRLINE, N_GATE, N = 2400, 40, 64, 30000
origin = np.minimum(rng.zipf(1.4, N) - 1, N_ORIGIN - 1)
airline = rng.integers(0, N_AIRLINE, N)
gate_in = rng.integers(0, N_GATE, N)
gate_out = rng.integers(0, N_GATE, N)
sched_conn = rng.uniform(35, 180, N)                        # planned minutes
inbound_delay = np.where(rng.random(N) < 0.7, rng.normal(0, 5, N), rng.exponential(35, N))
bags = rng.poisson(2.2, N) + 1
hour = rng.uniform(5, 23, N)
late_bags_origin = rng.normal(0, 0.7, N_ORIGIN)           # poor tagging/handling at some origins
airline_ground = rng.normal(0, 0.4, N_AIRLINE)
gate_dist = np.abs(gate_in // 8 - gate_out // 8)           # terminal piers apart

slack = sched_conn - np.clip(inbound_delay, -10, None) - 12 * gate_dist - 20
peak = np.exp(-((hour - 8) / 1.5) ** 2) + np.exp(-((hour - 18) / 1.5) ** 2)
logit = (-3.8 - 0.07 * slack + 1.2 * peak + late_bags_origin[origin] + airline_ground[airline]
         + 0.15 * np.log(bags) + 2.0 * (slack < 0))
y = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(np.float32)

num = np.stack([sched_conn, inbound_delay, np.log(bags), np.sin(2 * np.pi * hour / 24),
                np.cos(2 * np.pi * hour / 24)], 1).astype(np.float32)
cats = np.stack([origin, airline, gate_in, gate_out], 1).astype(np.int64)

perm = rng.permutation(N)
tr, va = perm[:24000], perm[24000:]
mu, sd = num[tr].mean(0), num[tr].std(0)
num = (num - mu) / sd


def ds(ids):
    return TensorDataset(torch.from_numpy(num[ids]), torch.from_numpy(cats[ids]), torch.from_numpy(y[ids]))


train_loader = DataLoader(ds(tr), batch_size=32, shuffle=True)
val_loader = DataLoader(ds(va), batch_size=1024)


class MisconnectNet(nn.Module):
    def __init__(self, n_num):
        super().__init__()
        self.origin = nn.Embedding(N_ORIGIN, 16)
        self.airline = nn.Embedding(N_AIRLINE, 4)
        self.gate = nn.Embedding(N_GATE, 6)  # shared between inbound and outbound gate
        d = n_num + 16 + 4 + 12
        self.mlp = nn.Sequential(nn.Linear(d, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x_num, x_cat):
        h = torch.cat([x_num, self.origin(x_cat[:, 0]), self.airline(x_cat[:, 1]),
                       self.gate(x_cat[:, 2]), self.gate(x_cat[:, 3])], 1)
        return self.mlp(h).squeeze(1)


model = MisconnectNet(num.shape[1])
base_rate = y[tr].mean()
with torch.no_grad():
    model.mlp[-1].bias.fill_(float(np.log(base_rate / (1 - base_rate))))
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)

criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
accum, epochs, decay = 4, 6, 0.995
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.7)


def evaluate(net):
    net.eval()
    ps, ts = [], []
    with torch.no_grad():
        for xn, xc, yb in val_loader:
            ps.append(torch.sigmoid(net(xn, xc)))
            ts.append(yb)
    p, t = torch.cat(ps).numpy(), torch.cat(ts).numpy()
    return roc_auc_score(t, p), average_precision_score(t, p)


print(f"misconnect rate {base_rate:.3f}")
for epoch in range(epochs):
    model.train()
    optimizer.zero_grad()
    for i, (xn, xc, yb) in enumerate(train_loader):
        loss = criterion(model(xn, xc), yb) / accum
        loss.backward()
        if (i + 1) % accum == 0 or i + 1 == len(train_loader):
            optimizer.step()
            optimizer.zero_grad()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    scheduler.step()
    auc, ap = evaluate(model)
    auc_e, ap_e = evaluate(ema)
    print(f"epoch {epoch + 1}  model AUC {auc:.3f} AP {ap:.3f}   EMA AUC {auc_e:.3f} AP {ap_e:.3f}")
print(f"EMA val ROC-AUC {auc_e:.3f}  average precision {ap_e:.3f} (base rate {y[va].mean():.3f})")
