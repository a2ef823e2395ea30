"""Surrogate model for a simulator response (Friedman #1 benchmark function),
trained with SGD + cosine decay and finished with stochastic weight averaging
(torch.optim.swa_utils): a constant-ish SWALR phase whose iterates are averaged,
then BatchNorm statistics recomputed for the averaged weights.
"""
import numpy as np
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, SWALR, update_bn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_friedman1
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score

torch.manual_seed(1)

X, y = make_friedman1(n_samples=4000, n_features=10, noise=1.0, random_state=1)
X = (X - 0.5) / 0.2887                       # U(0,1) features -> zero mean, unit variance
n_tr = 3000
y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
yz = (y - y_mu) / y_sd

ds = TensorDataset(torch.tensor(X[:n_tr], dtype=torch.float32),
                   torch.tensor(yz[:n_tr], dtype=torch.float32).unsqueeze(1))
loader = DataLoader(ds, batch_size=64, shuffle=True)
X_val = torch.tensor(X[n_tr:], dtype=torch.float32)
y_val = y[n_tr:]

model = nn.Sequential(
    nn.Linear(10, 128), nn.BatchNorm1d(128), nn.ReLU(),
    nn.Linear(128, 128), nn.BatchNorm1d(128), nn.ReLU(),
    nn.Linear(128, 1),
)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
EPOCHS, SWA_START = 40, 28
cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=SWA_START)
swa_model = AveragedModel(model)
swa_sched = SWALR(opt, swa_lr=0.02, anneal_epochs=3, anneal_strategy="cos")
loss_fn = nn.MSELoss()


def r2_of(net):
    net.eval()
    with torch.no_grad():
        pred = net(X_val).squeeze(1).numpy() * y_sd + y_mu
    return r2_score(y_val, pred)


for epoch in range(EPOCHS):
    model.train()
    tot = 0.0
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        tot += loss.item() * len(xb)
    if epoch >= SWA_START:
        swa_model.update_parameters(model)
        swa_sched.step()
    else:
        cosine.step()
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d} lr {opt.param_groups[0]['lr']:.4f} "
              f"train mse {tot / n_tr:.4f} val R2 {r2_of(model):.4f}")

update_bn(loader, swa_model)
ridge = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(X[:n_tr], y[:n_tr])
print(f"baseline ridge: val R2 {r2_score(y_val, ridge.predict(X[n_tr:])):.4f}")
print(f"last SGD iterate: val R2 {r2_of(model):.4f}")
print(f"final: SWA model val R2 {r2_of(swa_model):.4f}")
