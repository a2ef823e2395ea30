import random
import numpy as np, torch
from torch import nn
from sklearn.datasets import make_regression
from sklearn.model_selection import train_test_split

random.seed(0); np.random.seed(0); torch.manual_seed(0)
X, y = make_regression(n_samples=3000, n_features=8, n_informative=6, noise=0.0, random_state=0)
rng = np.random.default_rng(0)
y = y + rng.standard_normal(len(y)) * (5 + 20 * np.abs(X[:, 0]))
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0)
xm, xs = Xtr.mean(0), Xtr.std(0); ym, ys = ytr.mean(), ytr.std()
f = lambda a: torch.tensor(a, dtype=torch.float32)
Xtr, Xva = f((Xtr - xm) / xs), f((Xva - xm) / xs)
ytr, yva = f((ytr - ym) / ys), f((yva - ym) / ys)

class HeteroNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.mu = nn.Linear(64, 1)
        self.logvar = nn.Linear(64, 1)
    def forward(self, x):
        h = self.body(x)
        return self.mu(h).squeeze(-1), self.logvar(h).squeeze(-1).exp()

model = HeteroNet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.GaussianNLLLoss()
for epoch in range(40):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i:i + 64]
        mu, var = model(Xtr[idx])
        loss = crit(mu, ytr[idx], var)
        opt.zero_grad(); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        mu, var = model(Xva)
        nll = crit(mu, yva, var).item()
        r2 = 1 - ((mu - yva) ** 2).mean().item() / yva.var().item()
        cover = ((yva - mu).abs() < 1.96 * var.sqrt()).float().mean().item()
    if epoch % 5 == 4:
        print(f"epoch {epoch} val_nll {nll:.4f} r2 {r2:.3f} coverage95 {cover:.3f}")
print(f"final val_nll {nll:.4f} r2 {r2:.4f} coverage95 {cover:.3f}")
