"""Next-season scouting rating (0-100) of football players from this season's per-90 stats.

Plain loop with a hand-written SGD update (momentum and decoupled weight decay kept in our
own buffers), step decay of the learning rate, and an evaluation that sums squared errors
over the whole validation set before dividing by its size.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(13)
np.random.seed(13)
torch.set_num_threads(1)

rng = np.random.default_rng(13)
n = 5000
pos = rng.choice(4, n, p=[0.1, 0.35, 0.35, 0.2])          # GK, DEF, MID, FWD
age = rng.uniform(17, 37, n)
minutes = rng.uniform(300, 3400, n)
goals = rng.gamma(1.2, 0.12, n) * np.array([0.02, 0.3, 1.0, 2.6])[pos]
assists = rng.gamma(1.3, 0.08, n) * np.array([0.05, 0.6, 1.4, 1.3])[pos]
passes = rng.normal(np.array([28, 45, 55, 30])[pos], 8, n)
pass_acc = np.clip(rng.normal(np.array([70, 80, 84, 74])[pos], 5, n), 45, 97)
tackles = rng.gamma(2.0, np.array([0.1, 1.1, 0.9, 0.35])[pos], n)
saves = np.where(pos == 0, rng.gamma(3.0, 1.0, n), 0.0)
talent = rng.normal(0, 1, n)
form = np.select([pos == 0, pos == 1, pos == 2, pos == 3],
                 [0.8 * (saves - 3), 1.2 * (tackles - 2.2) + 0.05 * (pass_acc - 80),
                  0.6 * goals + 0.8 * assists + 0.04 * (passes - 55) + 0.06 * (pass_acc - 84),
                  2.2 * goals + 0.9 * assists])
ageing = -0.012 * (age - 27.5) ** 2 + 0.15 * (age < 23) * (23 - age)   # still improving when young
rating = 62 + 6 * np.tanh(form) + 4 * ageing + 3 * talent * (minutes / 3400) + 1.5 * np.log(minutes / 1000)
rating = np.clip(rating + rng.normal(0, 1.5, n), 30, 95)

cont = np.column_stack([age, np.log(minutes), goals, assists, passes, pass_acc, tackles, saves])
onehot = np.eye(4)[pos]
perm = rng.permutation(n)
tr, va = perm[:4000], perm[4000:]
c_mu, c_sd = cont[tr].mean(0), cont[tr].std(0)
X = np.hstack([(cont - c_mu) / c_sd, onehot]).astype(np.float32)   # one-hot position left as 0/1
r_mu, r_sd = rating[tr].mean(), rating[tr].std()
y = ((rating - r_mu) / r_sd).astype(np.float32)

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])), batch_size=50, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=500)

model = nn.Sequential(nn.Linear(12, 64), nn.Tanh(), nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 1))
for m in model:
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)

lr, momentum, wd = 0.05, 0.9, 1e-4
velocity = [torch.zeros_like(p) for p in model.parameters()]


def evaluate():
    model.eval()
    sse = 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            sse += F.mse_loss(model(xb).squeeze(1), yb, reduction="sum").item()
    return sse / len(val_loader.dataset)


for epoch in range(1, 41):
    if epoch in (20, 32):
        lr *= 0.3
    model.train()
    for xb, yb in train_loader:
        loss = F.mse_loss(model(xb).squeeze(1), yb)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(momentum).add_(p.grad)
                p -= lr * v
                p -= lr * wd * p
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  lr {lr:.4f}  val mse (z) {evaluate():.4f}")

rmse = np.sqrt(evaluate()) * r_sd
print(f"final: val RMSE {rmse:.2f} rating points (std of ratings {r_sd:.2f}), R2 {1 - evaluate():.3f}")
