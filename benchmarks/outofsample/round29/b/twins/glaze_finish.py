"""Predict the fired surface of a stoneware glaze (matte / satin / gloss / crawled)
from its unity-molecular-formula oxides and the firing log of the kiln controller."""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

OXIDES = ["SiO2", "Al2O3", "B2O3", "CaO", "MgO", "K2O", "Na2O", "ZnO", "TiO2"]
FIRING = ["peak_temp_c", "soak_s", "cool_rate_c_per_h"]


def make_batch_records(n, rng):
    si = rng.normal(3.2, 0.55, n).clip(1.6, 5.0)
    al = rng.normal(0.34, 0.07, n).clip(0.15, 0.6)
    b = rng.gamma(2.0, 0.06, n)
    ca = rng.normal(0.55, 0.10, n).clip(0.2, 0.9)
    mg = rng.gamma(2.0, 0.06, n)
    k = rng.normal(0.12, 0.03, n).clip(0.02, 0.3)
    na = rng.normal(0.09, 0.03, n).clip(0.0, 0.25)
    zn = rng.gamma(1.5, 0.04, n)
    ti = rng.gamma(1.2, 0.025, n)
    peak = rng.normal(1228.0, 14.0, n)
    soak = rng.gamma(3.0, 360.0, n)
    cool = rng.normal(110.0, 45.0, n).clip(15, 260)
    X = np.stack([si, al, b, ca, mg, k, na, zn, ti, peak, soak, cool], 1)

    ratio = si / al
    flux = k + na + 0.6 * b
    gloss_score = 0.9 * (ratio - 9.4) + 6.0 * (flux - 0.26) - 14.0 * (mg - 0.12) \
        + 0.010 * (peak - 1228) + 0.004 * (cool - 110)
    crawl_score = 18.0 * (mg - 0.12) + 22.0 * (zn - 0.06) - 1.2 * (al - 0.34) / 0.07
    y = np.where(gloss_score > 1.2, 2, np.where(gloss_score > -0.9, 1, 0))
    y = np.where(crawl_score > 2.3, 3, y)
    flip = rng.random(n) < 0.03
    y[flip] = rng.integers(0, 4, flip.sum())
    return X.astype(np.float32), y.astype(np.int64)


class GlazeNet(nn.Module):
    def __init__(self, d_in, n_cls, width=96):
        super().__init__()
        self.fc1 = nn.Linear(d_in, width)
        self.fc2 = nn.Linear(width, width)
        self.out = nn.Linear(width, n_cls)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.drop(F.relu(self.fc2(x)))
        return self.out(x)


def train(model, loader, opt, epoch):
    model.train()
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    return loss.item()


@torch.no_grad()
def test(model, loader):
    model.eval()
    correct, total, loss = 0, 0, 0.0
    for xb, yb in loader:
        out = model(xb)
        loss += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
        total += len(yb)
    return loss / total, correct / total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    X, y = make_batch_records(4000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:3200], idx[3200:]

    mu, sd = X[tr].mean(0), X[tr].std(0)
    Xs = (X - mu) / sd

    train_ds = TensorDataset(torch.from_numpy(Xs[tr]), torch.from_numpy(y[tr]))
    val_ds = TensorDataset(torch.from_numpy(Xs[va]), torch.from_numpy(y[va]))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = GlazeNet(X.shape[1], 4)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)

    for epoch in range(1, args.epochs + 1):
        tl = train(model, train_loader, opt, epoch)
        vl, acc = test(model, val_loader)
        sched.step()
        if epoch % 5 == 0:
            print(f"epoch {epoch:3d}  train_loss {tl:.4f}  val_loss {vl:.4f}  val_acc {acc:.4f}")

    vl, acc = test(model, val_loader)
    print(f"final val_acc {acc:.4f}")


if __name__ == "__main__":
    main()
