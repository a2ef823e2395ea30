"""Network-flow intrusion classification (benign, scan, brute force, DoS, exfiltration).

Flows are heavily imbalanced (benign ~82%, exfiltration ~1%). We train with inverse-sqrt
class weights and light label smoothing, pick the epoch by validation macro-F1 (early
stopping with patience) and report balanced metrics. Evaluation sums the per-sample loss
over the split and divides once at the end.
"""
import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.preprocessing import StandardScaler

torch.manual_seed(9)
rng = np.random.default_rng(9)
CLASSES = ["benign", "scan", "bruteforce", "dos", "exfil"]
shares = np.array([0.82, 0.08, 0.05, 0.04, 0.01])
n = 12000
y = rng.choice(5, size=n, p=shares)

duration = rng.lognormal(np.array([1.0, -2.0, 0.5, -1.0, 2.5])[y], 0.8)
pkts = rng.lognormal(np.array([3.0, 0.5, 2.0, 5.0, 4.5])[y], 0.7)
bytes_per_pkt = rng.lognormal(np.array([6.0, 4.0, 4.8, 4.2, 7.0])[y], 0.4)
dst_ports = rng.poisson(np.array([1.5, 40.0, 1.2, 1.1, 1.3])[y])
syn_ratio = rng.beta(np.array([2, 9, 4, 8, 2])[y], np.array([8, 2, 6, 3, 8])[y])
fail_logins = rng.poisson(np.array([0.05, 0.1, 6.0, 0.1, 0.2])[y])
night = rng.random(n) < np.array([0.2, 0.5, 0.5, 0.4, 0.7])[y]
X = np.column_stack([
    np.log(duration), np.log(pkts), np.log(bytes_per_pkt), np.log1p(dst_ports),
    syn_ratio, np.log1p(fail_logins), night.astype(float),
]).astype(np.float32)

idx = rng.permutation(n)
tr, va, te = idx[:8000], idx[8000:10000], idx[10000:]
scaler = StandardScaler().fit(X[tr][:, :6])
X[:, :6] = scaler.transform(X[:, :6])
X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)

counts = np.bincount(y[tr], minlength=5)
weights = torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32)
weights = weights / weights.mean()
print("train counts", dict(zip(CLASSES, counts.tolist())), "weights", [round(w, 2) for w in weights.tolist()])

model = nn.Sequential(
    nn.Linear(X.shape[1], 96), nn.BatchNorm1d(96), nn.ReLU(),
    nn.Linear(96, 96), nn.BatchNorm1d(96), nn.ReLU(), nn.Dropout(0.1),
    nn.Linear(96, 5),
)
criterion = nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05)
eval_criterion = nn.CrossEntropyLoss(reduction="sum")
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
loader = DataLoader(TensorDataset(X_t[tr], y_t[tr]), batch_size=128, shuffle=True)


def evaluate(rows):
    model.eval()
    total, preds = 0.0, []
    with torch.no_grad():
        for i in range(0, len(rows), 512):
            b = rows[i:i + 512]
            out = model(X_t[b])
            total += eval_criterion(out, y_t[b]).item()
            preds.append(out.argmax(1))
    pred = torch.cat(preds).numpy()
    return total / len(rows), f1_score(y[rows], pred, average="macro"), balanced_accuracy_score(y[rows], pred)


best_f1, best_state, patience, bad = -1.0, None, 4, 0
for epoch in range(1, 31):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        criterion(model(xb), yb).backward()
        optimizer.step()
    val_loss, val_f1, val_bal = evaluate(va)
    print(f"epoch {epoch:2d} val loss {val_loss:.4f} macro-F1 {val_f1:.4f} balanced acc {val_bal:.4f}")
    if val_f1 > best_f1 + 1e-4:
        best_f1, best_state, bad = val_f1, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch}")
            break

model.load_state_dict(best_state)
test_loss, test_f1, test_bal = evaluate(te)
print(f"final test loss {test_loss:.4f}  macro-F1 {test_f1:.4f}  balanced acc {test_bal:.4f}")
