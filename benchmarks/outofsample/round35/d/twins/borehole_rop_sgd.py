"""Water-well drilling: predict the rate of penetration (ROP) of a rotary rig from its sensors.

Rows are 1 m drilling intervals from small-diameter water boreholes: weight on bit, rotary speed,
pump flow, mud density, depth, bit hours, and the driller's formation code (clay, sand, chalk,
sandstone, granite).  The target is log ROP, standardised on the training intervals.
A plain MLP trained with a hand-written SGD update (no torch.optim), evaluated with a
summed MSE divided by the number of intervals.
"""
import argparse

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--lr", type=float, default=0.02)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--seed", type=int, default=3)
args = parser.parse_args()

torch.manual_seed(args.seed)
np.random.seed(args.seed)
torch.set_num_threads(1)

FORMATIONS = ["clay", "sand", "chalk", "sandstone", "granite"]
HARDNESS = np.array([0.3, 0.2, 0.6, 1.1, 2.4])


def drill_log(n, rng):
    form = rng.integers(0, 5, n)
    wob = rng.uniform(2, 18, n)              # kN
    rpm = rng.uniform(40, 160, n)
    flow = rng.uniform(150, 600, n)          # l/min
    mud = rng.normal(1.08, 0.04, n)          # sg
    depth = rng.uniform(5, 180, n)           # m
    bit_h = rng.gamma(2.0, 15.0, n)          # hours on the bit
    h = HARDNESS[form]
    log_rop = (np.log(wob) * 0.9 + np.log(rpm) * 0.6 - 1.2 * np.log1p(h * 2)
               + 0.4 * np.tanh((flow - 300) / 150) - 3.0 * (mud - 1.08)
               - 0.004 * depth - 0.012 * bit_h * h - 0.25 * (wob / 10) ** 2 * (h < 0.5))
    log_rop += rng.normal(0, 0.12, n)
    cont = np.stack([wob, rpm, flow, mud, depth, bit_h], 1)
    return cont, form, log_rop


rng = np.random.default_rng(args.seed)
cont, form, log_rop = drill_log(4000, rng)
idx = rng.permutation(len(log_rop))
tr, va = idx[:3200], idx[3200:]

c_mu, c_sd = cont[tr].mean(0), cont[tr].std(0)
y_mu, y_sd = log_rop[tr].mean(), log_rop[tr].std()
X = np.concatenate([(cont - c_mu) / c_sd, np.eye(5)[form]], 1)
Y = (log_rop - y_mu) / y_sd

Xtr, Ytr = torch.tensor(X[tr], dtype=torch.float32), torch.tensor(Y[tr], dtype=torch.float32)
Xva, Yva = torch.tensor(X[va], dtype=torch.float32), torch.tensor(Y[va], dtype=torch.float32)


def mlp(sizes):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


model = mlp([X.shape[1], 96, 96, 48, 1])


def evaluate():
    model.eval()
    sse, n = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(Xva), 500):
            pred = model(Xva[i:i + 500]).squeeze(1)
            sse += F.mse_loss(pred, Yva[i:i + 500], reduction="sum").item()
            n += len(pred)
    model.train()
    mse = sse / n
    return mse, 1 - mse / Yva.var(unbiased=False).item()


for epoch in range(1, args.epochs + 1):
    perm = torch.randperm(len(Xtr))
    lr = args.lr * (0.5 if epoch > 0.75 * args.epochs else 1.0)
    running = 0.0
    for i in range(0, len(Xtr), args.batch_size):
        b = perm[i:i + args.batch_size]
        loss = F.mse_loss(model(Xtr[b]).squeeze(1), Ytr[b])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(b)
    if epoch % 10 == 0 or epoch == 1:
        mse, r2 = evaluate()
        print(f"epoch {epoch:3d}  train_mse {running / len(Xtr):.4f}  val_mse {mse:.4f}  val_r2 {r2:.4f}")

mse, r2 = evaluate()
print(f"final val_mse={mse:.4f} val_r2={r2:.4f}")
