"""Triage level (five levels, non-urgent to resuscitation) for an emergency veterinary clinic.

Intake nurses record vitals, capillary refill, mucous-membrane colour, pain score, species and
presenting complaint; the model suggests a triage level that the nurse confirms.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 11
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

SPECIES = ["dog", "cat", "rabbit", "ferret"]
COMPLAINTS = ["trauma", "vomiting", "dyspnoea", "seizure", "toxin", "lameness", "urinary", "wound"]
MM_COLOURS = ["pink", "pale", "grey", "cyanotic", "injected"]


def simulate(n):
    sp = rng.choice(len(SPECIES), n, p=[0.55, 0.33, 0.08, 0.04])
    comp = rng.integers(0, len(COMPLAINTS), n)
    sev = rng.normal(0, 1, n) + np.array([0.6, -0.3, 1.0, 0.8, 0.5, -0.9, 0.2, -0.4])[comp]
    base_hr = np.array([100, 170, 200, 220])[sp]
    hr = base_hr * (1 + 0.18 * sev + rng.normal(0, 0.12, n))
    rr = np.array([24, 30, 45, 35])[sp] * (1 + 0.25 * np.maximum(sev, 0) + rng.normal(0, 0.2, n))
    temp = 38.6 + 0.5 * rng.normal(size=n) - 0.6 * np.maximum(sev - 1, 0)
    crt = np.clip(1.5 + 0.7 * np.maximum(sev, 0) + rng.normal(0, 0.4, n), 0.5, 6)
    mm_p = np.stack([np.exp(-1.2 * sev), np.exp(0.5 * sev - 0.5), np.exp(sev - 1.5),
                     np.exp(1.2 * sev - 2.5), np.full(n, 0.3)], 1)
    mm = np.array([rng.choice(5, p=p / p.sum()) for p in mm_p])
    pain = np.clip(np.round(3 + 1.5 * sev + rng.normal(0, 1.2, n)), 0, 10)
    age = rng.gamma(2.0, 3.0, n)
    wt = np.exp(np.array([3.0, 1.4, 0.6, 0.2])[sp] + rng.normal(0, 0.35, n))
    risk = sev + 0.15 * (age > 10) + 0.3 * (mm >= 2) + rng.normal(0, 0.45, n)
    level = np.digitize(risk, [-0.9, -0.1, 0.7, 1.6])   # 0 = non-urgent ... 4 = resuscitation
    hr_rel = hr / base_hr
    num = np.column_stack([hr_rel, rr, temp, crt, pain, np.log1p(age), np.log(wt)])
    onehots = np.column_stack([np.eye(len(SPECIES))[sp], np.eye(len(COMPLAINTS))[comp],
                               np.eye(len(MM_COLOURS))[mm]])
    return num.astype(np.float32), onehots.astype(np.float32), level.astype(np.int64)


num, cat, y = simulate(6000)
n_tr = 4800
mu, sd = num[:n_tr].mean(0), num[:n_tr].std(0)
X = np.concatenate([(num - mu) / sd, cat], axis=1).astype(np.float32)
train_ds = TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr]))
val_ds = TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:]))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256)


class TriageNet(nn.Module):
    def __init__(self, n_in, n_levels=5, width=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, width), nn.ReLU(), nn.Dropout(0.2),
                                  nn.Linear(width, width), nn.ReLU())
        self.head = nn.Linear(width, n_levels)

    def forward(self, x):
        h = self.body(x)
        return self.head(h)


def train(model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % 25 == 0 and epoch % 5 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, loader):
    model.eval()
    test_loss, correct, within_one = 0.0, 0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1)
            correct += pred.eq(target).sum().item()
            within_one += ((pred - target).abs() <= 1).sum().item()
    n = len(loader.dataset)
    return test_loss / n, correct / n, within_one / n


model = TriageNet(X.shape[1])
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(1, 16):
    train(model, train_loader, optimizer, epoch)
    val_loss, acc, w1 = test(model, val_loader)
    if epoch % 5 == 0:
        print(f"Val set: Average loss: {val_loss:.4f}, Accuracy: {acc:.4f}, within one level: {w1:.4f}")

print(f"final val_acc={acc:.4f} within_one={w1:.4f}")
