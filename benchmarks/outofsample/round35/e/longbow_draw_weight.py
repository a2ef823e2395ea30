"""Bowyer's shop: predict a longbow's draw weight (lbs at 28") from the tillered stave.

The shop has years of yew bows on record but only a few dozen of its new ash bows. The
network is pre-trained on yew, then fine-tuned on ash with the first layer frozen and a small
learning rate, so the little ash data adjusts the model rather than overwriting it.
"""
import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)


def staves(n, wood):
    length = rng.normal(72, 2.5, n)                 # inches nock to nock
    width = rng.normal(1.25, 0.12, n)               # at the fades
    thick = rng.normal(0.85, 0.07, n)               # belly-to-back at mid-limb
    taper = rng.uniform(0.45, 0.7, n)               # tip width / fade width
    ring_count = rng.integers(8, 40, n)             # growth rings per inch
    moisture = rng.normal(10, 1.5, n)               # %
    E = (1.0 if wood == "yew" else 0.86) + (0.004 if wood == "yew" else 0.007) * (ring_count - 20)
    stiffness = E * width * thick ** 3 * (0.6 + 0.6 * taper) / (length / 72) ** 3
    draw = 58 * stiffness * (1 - 0.025 * (moisture - 10)) + rng.normal(0, 1.8, n)
    X = np.stack([length, width, thick, taper, ring_count, moisture], 1).astype(np.float32)
    return X, draw.astype(np.float32)


X_yew, y_yew = staves(4000, "yew")
X_ash, y_ash = staves(260, "ash")
ash_tr, ash_te = np.arange(100), np.arange(100, 260)

x_mu, x_sd = X_yew.mean(0), X_yew.std(0)
y_mu, y_sd = y_yew.mean(), y_yew.std()
tx = lambda a: torch.from_numpy((a - x_mu) / x_sd)
ty = lambda a: torch.from_numpy((a - y_mu) / y_sd)


def make_net():
    return nn.Sequential(nn.Linear(6, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))


def fit(net, loader, opt, epochs, loss_fn=nn.MSELoss()):
    for _ in range(epochs):
        net.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(net(xb).squeeze(1), yb).backward()
            opt.step()


@torch.no_grad()
def rmse_lbs(net, X, y):
    net.eval()
    pred = net(tx(X)).squeeze(1) * y_sd + y_mu
    return torch.sqrt(((pred - torch.from_numpy(y)) ** 2).mean()).item()


# 1) pre-train on the yew archive
net = make_net()
opt = torch.optim.Adam(net.parameters(), lr=2e-3)
yew_loader = DataLoader(TensorDataset(tx(X_yew[:3600]), ty(y_yew[:3600])), batch_size=128, shuffle=True)
fit(net, yew_loader, opt, epochs=25)
print(f"yew hold-out RMSE {rmse_lbs(net, X_yew[3600:], y_yew[3600:]):.2f} lbs")
print(f"ash test RMSE with the yew model as is: {rmse_lbs(net, X_ash[ash_te], y_ash[ash_te]):.2f} lbs")

# 2) fine-tune on the few ash bows: freeze the input layer, small LR
ash_loader = DataLoader(TensorDataset(tx(X_ash[ash_tr]), ty(y_ash[ash_tr])), batch_size=16, shuffle=True)
tuned = copy.deepcopy(net)
for p in tuned[0].parameters():
    p.requires_grad_(False)
opt_ft = torch.optim.AdamW([p for p in tuned.parameters() if p.requires_grad], lr=1e-4, weight_decay=0.0)
for rnd in range(3):
    fit(tuned, ash_loader, opt_ft, epochs=20)
    print(f"fine-tune round {rnd}: ash train RMSE {rmse_lbs(tuned, X_ash[ash_tr], y_ash[ash_tr]):.2f}, "
          f"test RMSE {rmse_lbs(tuned, X_ash[ash_te], y_ash[ash_te]):.2f} lbs")

# 3) reference: the same network trained from scratch on the ash bows alone
scratch = make_net()
fit(scratch, ash_loader, torch.optim.Adam(scratch.parameters(), lr=2e-3), epochs=160)
print(f"ash test RMSE, trained on ash only: {rmse_lbs(scratch, X_ash[ash_te], y_ash[ash_te]):.2f} lbs")
print(f"FINAL ash test RMSE after fine-tuning {rmse_lbs(tuned, X_ash[ash_te], y_ash[ash_te]):.2f} lbs "
      f"(std of ash draw weights {y_ash[ash_te].std():.2f} lbs)")
