"""Pull-out capacity of draw-bored oak peg joints in green-oak timber frames.

Regresses the peak withdrawal force (N) measured on a test rig from the joint geometry
and the timber condition, so the framer can pick peg diameter and draw-bore offset.
"""
import argparse
import math
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SPECIES = ["oak", "ash", "robinia"]


def make_rig_log(n, rng):
    peg_d = rng.uniform(16, 28, n)                    # mm
    offset = rng.uniform(0.0, 4.0, n)                 # draw-bore offset, mm
    density = rng.normal(690, 55, n)                  # kg/m^3
    moisture = rng.uniform(12, 32, n)                 # % MC
    edge = rng.uniform(40, 95, n)                     # mm to the tenon end
    tenon_t = rng.choice([38.0, 44.0, 50.0], n)       # mm
    species = rng.integers(0, 3, n)
    sp_gain = np.array([1.0, 0.86, 1.12])[species]
    shear = peg_d ** 1.6 * (density / 690) ** 1.3 * sp_gain
    bore = 1.0 + 0.55 * offset - 0.085 * offset ** 2
    wet = 1.0 - 0.013 * (moisture - 12)
    split = 1.0 / (1.0 + np.exp(-(edge - 2.4 * peg_d) / 9.0))
    force = 55.0 * shear * bore * wet * (0.45 + 0.55 * split) * (tenon_t / 44.0) ** 0.5
    force *= rng.lognormal(0.0, 0.05, n)
    X = np.column_stack([peg_d, offset, density, moisture, edge, tenon_t, np.eye(3)[species]])
    return X.astype(np.float32), force.astype(np.float32)


class PegNet(nn.Module):
    def __init__(self, d_in, width=96):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, width), nn.SiLU(),
            nn.Linear(width, width), nn.SiLU(),
            nn.Linear(width, 1),
        )

    def forward(self, x):
        return self.body(x).squeeze(-1)


def evaluate(model, loader, y_mu, y_sd):
    model.eval()
    sse, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            pred = model(xb) * y_sd + y_mu
            sse += ((pred - yb) ** 2).sum().item()
            n += len(yb)
    return sse, n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()

    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    X, y = make_rig_log(2400, rng)
    idx = rng.permutation(len(X))
    tr, te = idx[:1900], idx[1900:]

    cont = slice(0, 6)
    x_mu, x_sd = X[tr, cont].mean(0), X[tr, cont].std(0)
    X[:, cont] = (X[:, cont] - x_mu) / x_sd
    y_mu, y_sd = float(y[tr].mean()), float(y[tr].std())

    train_ds = TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy((y[tr] - y_mu) / y_sd))
    test_ds = TensorDataset(torch.from_numpy(X[te]), torch.from_numpy(y[te]))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_ds, batch_size=256)

    model = PegNet(X.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=args.epochs * len(train_loader))
    loss_fn = nn.MSELoss()

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item() * len(yb)
        if epoch % 10 == 0:
            sse, n = evaluate(model, test_loader, y_mu, y_sd)
            print(f"epoch {epoch:3d}  train_mse {running / len(train_ds):.4g}  test_rmse {math.sqrt(sse / n):.1f} N")

    sse, n = evaluate(model, test_loader, y_mu, y_sd)
    var = float(((y[te] - y[te].mean()) ** 2).sum())
    print(f"final test_rmse {math.sqrt(sse / n):.1f} N  R2 {1 - sse / var:.4f}")
    torch.save(model.state_dict(), os.path.join(tempfile.gettempdir(), "peg_joint_pullout.pt"))


if __name__ == "__main__":
    main()
