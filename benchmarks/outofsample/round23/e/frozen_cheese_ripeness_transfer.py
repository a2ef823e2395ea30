"""Ripeness grade (young / medium / mature / extra-mature) of cheese wheels in the cave,
from an electronic-nose reading (64 metal-oxide sensors) plus rind pH, core moisture and
salt. Thousands of wheels have an e-nose reading and a known age from the production log,
but only a few hundred have been graded by the affineur, so:

1. an encoder is pre-trained to predict wheel age (cheap label) on all logged wheels;
2. the encoder is then frozen (requires_grad=False, eval mode, left out of the optimizer)
   and only a small grade head is trained on the graded wheels.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)
rng = np.random.default_rng(17)
D_SENS = 64
mix = rng.normal(0, 1, (4, D_SENS))
sens_gain = rng.uniform(0.5, 2.0, D_SENS)


def wheels(n):
    age = rng.uniform(0, 1, n)                         # 0 = fresh curd, 1 = 30 months
    fat = rng.normal(0, 1, n)
    humid = rng.normal(0, 1, n)
    batch = rng.normal(0, 1, n)
    latent = np.column_stack([2 * np.tanh(3 * (age - 0.5)), fat, humid, batch * 0.5])
    sensors = sens_gain * np.log1p(np.exp(latent @ mix)) + rng.normal(0, 0.8, (n, D_SENS))
    ph = 5.0 + 1.2 * (age - 0.35) ** 2 + 0.05 * humid + rng.normal(0, 0.15, n)
    moisture = 42 - 10 * age + 1.5 * humid + rng.normal(0, 3.0, n)
    salt = 1.6 + 0.3 * rng.normal(0, 1, n)
    grade = np.digitize(age + 0.06 * fat + rng.normal(0, 0.04, n), [0.2, 0.45, 0.75])
    return np.column_stack([sensors, ph, moisture, salt]).astype(np.float32), grade, age.astype(np.float32)


X_log, _, age_log = wheels(8000)
X_lab, y_lab, _ = wheels(900)
X_tr, y_tr, X_va, y_va = X_lab[:300], y_lab[:300], X_lab[300:], y_lab[300:]
mu, sd = X_log.mean(0), X_log.std(0)               # statistics from the logged pool
norm = lambda a: torch.from_numpy((a - mu) / sd)


encoder = nn.Sequential(nn.Linear(X_log.shape[1], 64), nn.ReLU(), nn.Linear(64, 16), nn.ReLU())
age_model = nn.Sequential(encoder, nn.Linear(16, 1))
opt = torch.optim.Adam(age_model.parameters(), lr=2e-3)
log_dl = DataLoader(TensorDataset(norm(X_log), torch.from_numpy((age_log - 0.5) / 0.29)), batch_size=128, shuffle=True)
for epoch in range(10):
    tot = 0.0
    for xb, ab in log_dl:
        loss = F.mse_loss(age_model(xb).squeeze(1), ab)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() * len(xb)
    if epoch % 3 == 2:
        print(f"pretrain epoch {epoch + 1} age_mse(std units) {tot / len(X_log):.4f}")

for p in encoder.parameters():
    p.requires_grad_(False)
encoder.eval()


class GradeHead(nn.Module):
    def __init__(self, encoder, d_code=16, n_cls=4):
        super().__init__()
        self.encoder = encoder
        self.head = nn.Sequential(nn.Linear(d_code, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, n_cls))

    def forward(self, x):
        return self.head(self.encoder(x))


clf = GradeHead(encoder)
opt = torch.optim.Adam(clf.head.parameters(), lr=3e-3, weight_decay=1e-3)
train_dl = DataLoader(TensorDataset(norm(X_tr), torch.from_numpy(y_tr)), batch_size=32, shuffle=True)
Xv, yv = norm(X_va), torch.from_numpy(y_va)
for epoch in range(60):
    clf.head.train()
    for xb, yb in train_dl:
        loss = F.cross_entropy(clf(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 15 == 14:
        clf.head.eval()
        with torch.no_grad():
            out = clf(Xv)
        print(f"head epoch {epoch + 1} train_loss {loss.item():.4f} val_loss {F.cross_entropy(out, yv).item():.4f} "
              f"val_acc {(out.argmax(1) == yv).float().mean().item():.3f}")
clf.head.eval()
with torch.no_grad():
    out = clf(Xv)
acc = (out.argmax(1) == yv).float().mean().item()
within1 = ((out.argmax(1) - yv).abs() <= 1).float().mean().item()
print(f"final val grade accuracy {acc:.4f} (within one grade {within1:.4f}), val_loss {F.cross_entropy(out, yv).item():.4f}")
