"""Hospital length of stay (extra nights after the first) as a count, Poisson regression net.

Admission records: age, number of comorbidities, an acuity score at triage, prior admissions
in the last year, weekend admission, and three categorical fields (admission route,
diagnosis group of 24, ward of 9) through embeddings. Stays are over-dispersed with a long
tail. Poisson NLL on the log rate, output bias started at the log of the mean stay, early
stopping on validation deviance with the best weights restored, LR cut on plateau.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
rng = np.random.default_rng(8)

N = 6000
route = rng.choice(3, N, p=[0.55, 0.35, 0.10])            # emergency, elective, transfer
dx = rng.integers(0, 24, N)
ward = (dx * 7 + rng.integers(0, 3, N)) % 9
age = np.clip(rng.normal(62, 18, N), 18, 99)
comorb = rng.poisson(1.0 + age / 40)
acuity = rng.normal(0, 1, N) + 0.4 * (route == 0)
prior = rng.poisson(0.3 + 0.2 * comorb)
weekend = (rng.random(N) < 2 / 7).astype(float)
dx_effect = rng.normal(0, 0.45, 24)
ward_effect = rng.normal(0, 0.2, 9)
log_rate = (0.9 + dx_effect[dx] + ward_effect[ward] + 0.012 * (age - 60) + 0.12 * comorb
            + 0.35 * np.tanh(acuity) + 0.1 * prior + 0.15 * weekend - 0.3 * (route == 1) + 0.25 * (route == 2))
rate = np.exp(log_rate) * rng.gamma(2.0, 0.5, N)             # over-dispersion: negative binomial stays
stay = rng.poisson(rate).astype(np.float32)

num = np.stack([age, comorb, acuity, prior, weekend], 1).astype(np.float32)
cat = np.stack([route, dx, ward], 1).astype(np.int64)
idx = rng.permutation(N)
tr, va, te = idx[:4200], idx[4200:5100], idx[5100:]
mu, sd = num[tr].mean(0), num[tr].std(0)
mu[4], sd[4] = 0.0, 1.0                                      # binary flag stays 0/1
num = (num - mu) / sd


def loader(rows, shuffle):
    ds = TensorDataset(torch.from_numpy(num[rows]), torch.from_numpy(cat[rows]), torch.from_numpy(stay[rows]))
    return DataLoader(ds, batch_size=128, shuffle=shuffle)


train_loader, val_loader, test_loader = loader(tr, True), loader(va, False), loader(te, False)


class StayNet(nn.Module):
    def __init__(self, cardinalities=(3, 24, 9), dims=(2, 6, 4), n_num=5, hidden=64):
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(c, d) for c, d in zip(cardinalities, dims))
        self.mlp = nn.Sequential(nn.Linear(n_num + sum(dims), hidden), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x_num, x_cat):
        e = [emb(x_cat[:, i]) for i, emb in enumerate(self.embs)]
        return self.mlp(torch.cat([x_num] + e, 1)).squeeze(1)      # log rate


model = StayNet()
with torch.no_grad():
    model.mlp[-1].bias.fill_(float(np.log(stay[tr].mean())))
criterion = nn.PoissonNLLLoss(log_input=True, full=False)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)


def deviance(y, mu_hat):
    y, mu_hat = np.asarray(y, np.float64), np.asarray(mu_hat, np.float64)
    term = np.where(y > 0, y * np.log(np.maximum(y, 1e-12) / mu_hat), 0.0)
    return 2 * np.mean(term - (y - mu_hat))


@torch.no_grad()
def predict(dl):
    model.eval()
    preds, ys = [], []
    for xn, xc, y in dl:
        preds.append(model(xn, xc).exp())
        ys.append(y)
    return torch.cat(preds).numpy(), torch.cat(ys).numpy()


best, best_state, bad, patience = float("inf"), None, 0, 5
for epoch in range(40):
    model.train()
    for xn, xc, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xn, xc), y)
        loss.backward()
        optimizer.step()
    p, y = predict(val_loader)
    dev = deviance(y, p)
    scheduler.step(dev)
    print(f"epoch {epoch + 1:2d}  train loss {loss.item():.4f}  val deviance {dev:.4f}")
    if dev < best - 1e-4:
        best, bad = dev, 0
        best_state = {k: v.clone() for k, v in model.state_dict().items()}
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch + 1}")
            break

model.load_state_dict(best_state)
p, y = predict(test_loader)
null_dev = deviance(y, np.full_like(y, stay[tr].mean()))
print(f"test MAE {np.abs(p - y).mean():.3f} nights  deviance {deviance(y, p):.4f} (constant rate {null_dev:.4f})  "
      f"explained deviance {1 - deviance(y, p) / null_dev:.3f}")
