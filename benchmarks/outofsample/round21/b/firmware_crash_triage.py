"""Root-cause triage for firmware crash dumps.

Each crash report carries counts of the log events seen in the 60 s before the
crash, plus uptime, free heap and supply voltage at the time of the crash.
The triage team's export gives the root cause per crash_id. We learn to
pre-triage new crashes into five causes.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
torch.set_num_threads(1)

CAUSES = ["watchdog", "out_of_memory", "null_deref", "stack_overflow", "brownout"]
N_EVENTS = 36
_rng = np.random.default_rng(17)
_profiles = _rng.gamma(0.6, 1.0, (len(CAUSES), N_EVENTS)) * 3.0
_crash_dtype = [("crash_id", "i8"), ("events", "f4", N_EVENTS), ("uptime_h", "f4"),
                ("free_heap_kb", "f4"), ("vbat", "f4")]


def _simulate(n, rng):
    cause = rng.choice(len(CAUSES), n, p=[0.3, 0.22, 0.2, 0.16, 0.12])
    rec = np.zeros(n, dtype=_crash_dtype)
    rec["crash_id"] = rng.choice(10**9, n, replace=False)
    base = rng.gamma(2.0, 0.8, (n, N_EVENTS))
    rec["events"] = rng.poisson(base + _profiles[cause] * rng.uniform(0.3, 1.2, (n, 1)))
    rec["uptime_h"] = rng.lognormal(3.0 + 0.6 * (cause == 1), 1.0)
    rec["free_heap_kb"] = np.clip(rng.normal(180 - 110 * (cause == 1) - 40 * (cause == 3), 45), 2, None)
    rec["vbat"] = rng.normal(3.7 - 0.35 * (cause == 4), 0.15)
    return rec, cause


def load_crash_reports():
    rec, cause = _simulate(2400, np.random.default_rng(1))
    queue = np.random.default_rng(2).permutation(len(rec))        # triage queue order
    triage = np.zeros(len(rec), dtype=[("crash_id", "i8"), ("cause", "i8")])
    triage["crash_id"], triage["cause"] = rec["crash_id"][queue], cause[queue]
    return rec, triage


def load_audited_reports():
    rec, cause = _simulate(600, np.random.default_rng(3))
    return rec, cause


def featurize(rec):
    return np.column_stack([np.log1p(rec["events"]), np.log(rec["uptime_h"]),
                            rec["free_heap_kb"] / 100.0, rec["vbat"]]).astype(np.float32)


crashes, triage = load_crash_reports()
crashes = np.sort(crashes, order="crash_id")
X = featurize(crashes)
y = triage["cause"]

perm = np.random.default_rng(0).permutation(len(X))
tr, va = perm[:1900], perm[1900:]
mu, sd = X[tr].mean(0), X[tr].std(0)
audit_rec, audit_y = load_audited_reports()


def dataset(Xa, ya):
    return TensorDataset(torch.from_numpy((Xa - mu) / sd), torch.from_numpy(ya).long())


train_loader = DataLoader(dataset(X[tr], y[tr]), batch_size=64, shuffle=True)
val_loader = DataLoader(dataset(X[va], y[va]), batch_size=500)
audit_loader = DataLoader(dataset(featurize(audit_rec), audit_y), batch_size=500)


class TriageNet(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.fc1 = nn.Linear(n_in, 128)
        self.fc2 = nn.Linear(128, 64)
        self.drop = nn.Dropout(0.2)
        self.out = nn.Linear(64, n_out)

    def forward(self, x):
        x = self.drop(F.relu(self.fc1(x)))
        x = F.relu(self.fc2(x))
        return self.out(x)


def test(model, loader):
    model.eval()
    total_loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            total_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
            n += len(target)
    return total_loss / n, correct / n


model = TriageNet(X.shape[1], len(CAUSES))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
for epoch in range(1, 13):
    model.train()
    for data, target in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
    if epoch % 3 == 0:
        val_loss, val_acc = test(model, val_loader)
        print(f"epoch {epoch:2d}  train_loss {loss.item():.4f}  val_loss {val_loss:.4f}  val_acc {val_acc:.3f}")

path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "crash_triage_model.pt")
torch.save(model, path)
model = torch.load(path, weights_only=False)
val_loss, val_acc = test(model, val_loader)
audit_loss, audit_acc = test(model, audit_loader)
print(f"final  val_acc {val_acc:.3f}  audit_acc {audit_acc:.3f}")
