"""Urushi lacquer: predict hours until a coat is touch-dry from the drying-room log.

Cure time has a long right tail (a cold, dry cabinet can stall a coat for days), so the
model is fit with a Huber loss on robustly scaled targets and judged by median absolute error.
"""
import argparse
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_log(n, rng):
    temp = rng.normal(24, 3.5, n)              # deg C in the muro cabinet
    rh = rng.uniform(55, 90, n)                # relative humidity %
    coat_um = rng.gamma(4.0, 8.0, n)           # coat thickness, microns
    pigment = rng.uniform(0, 0.3, n)           # pigment load fraction
    age_days = rng.exponential(60, n)          # age of the raw lacquer batch
    layer = rng.integers(1, 12, n).astype(float)
    # laccase is happiest near 25 C and 75-85 % RH
    activity = np.exp(-((temp - 25) / 6) ** 2) * np.exp(-((rh - 80) / 12) ** 2)
    log_hours = (1.2 + 0.035 * coat_um - 1.6 * activity + 1.1 * pigment
                 + 0.004 * age_days + 0.03 * layer)
    noise = rng.standard_t(df=2.5, size=n) * 0.25
    hours = np.exp(log_hours + noise)
    X = np.stack([temp, rh, coat_um, pigment, age_days, layer], 1)
    return X.astype(np.float32), hours.astype(np.float32)


class CureNet(nn.Module):
    def __init__(self, d_in, width=96):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, width), nn.SiLU(),
            nn.Linear(width, width), nn.SiLU(),
            nn.Linear(width, 1),
        )

    def forward(self, x):
        return self.body(x).squeeze(-1)


def train(model, loader, opt, sched, loss_fn, epoch, log_every):
    model.train()
    for i, (x, y) in enumerate(loader):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
        if i % log_every == 0:
            print(f"epoch {epoch} [{i * len(x)}/{len(loader.dataset)}] huber {loss.item():.4f} lr {sched.get_last_lr()[0]:.2e}")


@torch.no_grad()
def evaluate(model, loader, loss_fn, y_center, y_scale):
    model.eval()
    losses, abs_err = [], []
    for x, y in loader:
        pred = model(x)
        losses.append(loss_fn(pred, y).item() * len(x))
        hours_pred = torch.exp(pred * y_scale + y_center)
        hours_true = torch.exp(y * y_scale + y_center)
        abs_err.append((hours_pred - hours_true).abs())
    abs_err = torch.cat(abs_err)
    return sum(losses) / len(loader.dataset), abs_err.median().item()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    X, hours = make_log(3000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:2400], idx[2400:]

    mu, sd = X[tr].mean(0), X[tr].std(0)
    Xs = (X - mu) / sd
    # log-hours, then median/IQR scaling: the tail should not set the scale
    logy = np.log(hours)
    y_center = float(np.median(logy[tr]))
    q75, q25 = np.percentile(logy[tr], [75, 25])
    y_scale = float(q75 - q25)
    ys = (logy - y_center) / y_scale

    train_ds = TensorDataset(torch.from_numpy(Xs[tr]), torch.from_numpy(ys[tr]))
    val_ds = TensorDataset(torch.from_numpy(Xs[va]), torch.from_numpy(ys[va]))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = CureNet(X.shape[1])
    loss_fn = nn.HuberLoss(delta=1.0)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    total = args.epochs * len(train_loader)
    warm = int(0.06 * total)

    def lr_lambda(step):
        if step < warm:
            return (step + 1) / warm
        t = (step - warm) / max(1, total - warm)
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * t))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)

    base_mae = float(np.median(np.abs(hours[va] - np.median(hours[tr]))))
    for epoch in range(1, args.epochs + 1):
        train(model, train_loader, opt, sched, loss_fn, epoch, log_every=100)
        val_loss, val_mae = evaluate(model, val_loader, loss_fn, y_center, y_scale)
        print(f"epoch {epoch}: val huber {val_loss:.4f}  median abs err {val_mae:.2f} h")
    print(f"FINAL val median abs error {val_mae:.2f} h (predict-the-median baseline {base_mae:.2f} h)")


if __name__ == "__main__":
    main()
