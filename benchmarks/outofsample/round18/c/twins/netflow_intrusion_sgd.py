"""Flow-level intrusion detection (5 traffic classes) from per-capture CSV-like tables.

Each capture session was recorded for one traffic type; the first 80% of every capture
(by time) trains, the last 20% validates. Features are the usual NetFlow aggregates;
heavy-tailed counters are log1p'd and everything is standardised with training stats.
The MLP is updated by hand (plain SGD, no optimizer object).
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import f1_score

torch.manual_seed(0)
rng = np.random.default_rng(0)

CLASSES = ["benign", "dos", "portscan", "bruteforce", "exfil"]
FEATS = ["duration", "fwd_pkts", "bwd_pkts", "fwd_bytes", "bwd_bytes", "pkt_len_mean",
         "pkt_len_std", "iat_mean", "iat_std", "syn_ratio", "rst_ratio", "psh_ratio",
         "dst_port_entropy", "flows_per_src", "unique_dst", "payload_entropy"]


def capture(kind, n):
    """One capture session of a single traffic type (rows in time order)."""
    t = np.linspace(0, 1, n)
    drift = 0.15 * np.sin(2 * np.pi * t)[:, None]
    base = {
        "benign":     [1.5, 2.5, 2.3, 7.0, 8.0, 5.5, 1.0, 0.5, 0.8, .05, .02, .30, 1.0, 0.5, 1.0, 6.5],
        "dos":        [0.3, 4.0, 0.5, 8.5, 2.0, 4.0, 0.3, -2.0, 0.2, .60, .05, .05, 0.3, 3.0, 0.3, 3.0],
        "portscan":   [0.1, 0.8, 0.6, 3.5, 3.0, 3.9, 0.2, -1.0, 0.5, .55, .45, .02, 4.0, 2.5, 3.5, 1.0],
        "bruteforce": [0.9, 2.0, 2.0, 6.0, 6.3, 5.0, 0.4, 0.0, 0.3, .12, .08, .40, 0.2, 2.2, 0.2, 5.0],
        "exfil":      [2.5, 3.2, 1.5, 9.8, 5.0, 6.7, 0.6, 0.8, 1.2, .04, .01, .55, 0.6, 0.6, 0.5, 7.7],
    }[kind]
    base = np.array(base)
    spread = np.abs(base) * 0.35 + 0.25
    z = base + spread * rng.standard_normal((n, len(FEATS))) + drift * spread
    cols = {}
    for j, f in enumerate(FEATS):
        v = z[:, j]
        if f in ("fwd_pkts", "bwd_pkts", "fwd_bytes", "bwd_bytes", "flows_per_src", "unique_dst"):
            v = np.expm1(np.clip(v, 0, None))             # raw counters, heavy tailed
        elif f.endswith("ratio"):
            v = np.clip(v, 0, 1)
        elif f in ("duration", "iat_mean", "iat_std"):
            v = np.exp(v)                                  # seconds
        cols[f] = v
    return np.column_stack([cols[f] for f in FEATS])


sizes = {"benign": 1500, "dos": 1100, "portscan": 900, "bruteforce": 700, "exfil": 600}
X_tr, y_tr, X_va, y_va = [], [], [], []
for c, kind in enumerate(CLASSES):
    rows = capture(kind, sizes[kind])
    cut = int(0.8 * len(rows))
    X_tr.append(rows[:cut]); y_tr.append(np.full(cut, c))
    X_va.append(rows[cut:]); y_va.append(np.full(len(rows) - cut, c))
X_tr, y_tr = np.concatenate(X_tr), np.concatenate(y_tr)
X_va, y_va = np.concatenate(X_va), np.concatenate(y_va)

counters = [FEATS.index(f) for f in ("fwd_pkts", "bwd_pkts", "fwd_bytes", "bwd_bytes",
                                     "flows_per_src", "unique_dst", "duration", "iat_mean", "iat_std")]
X_tr[:, counters] = np.log1p(X_tr[:, counters])
X_va[:, counters] = np.log1p(X_va[:, counters])
mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

train_ds = TensorDataset(torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr))
val_x, val_y = torch.tensor(X_va, dtype=torch.float32), torch.tensor(y_va)
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Linear(len(FEATS), 128), nn.ReLU(),
    nn.Linear(128, 64), nn.ReLU(),
    nn.Linear(64, len(CLASSES)),
)
lr = 0.05

for epoch in range(12):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        loss = F.cross_entropy(model(xb), yb)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        total += loss.item() * len(yb)
    model.eval()
    with torch.no_grad():
        logits = model(val_x)
        val_loss = F.cross_entropy(logits, val_y).item()
        pred = logits.argmax(1).numpy()
    print(f"epoch {epoch:2d} train_loss {total / len(train_ds):.4f} val_loss {val_loss:.4f} "
          f"val_acc {(pred == y_va).mean():.4f}")

print(f"final val macro-F1 {f1_score(y_va, pred, average='macro'):.4f} acc {(pred == y_va).mean():.4f}")
