"""Per-layer fault flags for a farm of FDM 3D printers, from the controller's telemetry summary
of each printed layer (hotend/bed temperature error, extruder motor current, layer time, laser
z-height error, filament diameter, fan duty, and four acoustic band energies). Most layers
are fine; under-extrusion, layer shifts, over-extrusion and clogs are rare.

Written in the style of the PyTorch examples (argparse, train()/test()). Imbalance is handled
with class weights in the loss (inverse square-root frequency) plus mild label smoothing, and
scored by balanced accuracy and macro-F1, not plain accuracy. ReduceLROnPlateau on val loss.
"""
import argparse

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score, f1_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["ok", "under_extrusion", "layer_shift", "over_extrusion", "clog"]


def synth(n, rng):
    y = rng.choice(5, n, p=[0.86, 0.06, 0.035, 0.03, 0.015])
    hotend_err = rng.normal(0, 1.5, n)
    bed_err = rng.normal(0, 1.0, n)
    motor_i = rng.normal(0.60, 0.04, n)
    motor_i_sd = rng.gamma(4, 0.005, n)
    layer_time = rng.lognormal(3.2, 0.35, n)
    z_err = rng.normal(0, 0.012, n)
    fil_d = rng.normal(1.75, 0.015, n)
    fan = rng.uniform(0.3, 1.0, n)
    acoustic = rng.lognormal(0, 0.3, (n, 4))
    m = y == 1                                   # under-extrusion: thin filament, cold hotend, low current
    fil_d[m] -= rng.uniform(0.02, 0.06, m.sum()); hotend_err[m] -= rng.uniform(1, 5, m.sum())
    motor_i[m] -= rng.uniform(0.03, 0.10, m.sum())
    m = y == 2                                   # layer shift: z error and a knock in the low band
    z_err[m] += rng.choice([-1, 1], m.sum()) * rng.uniform(0.03, 0.09, m.sum())
    acoustic[m, 0] *= rng.uniform(1.6, 3.0, m.sum())
    m = y == 3                                   # over-extrusion: thick filament, high current
    fil_d[m] += rng.uniform(0.02, 0.06, m.sum()); motor_i[m] += rng.uniform(0.03, 0.10, m.sum())
    m = y == 4                                   # clog: current ripple, grinding in high bands
    motor_i_sd[m] += rng.uniform(0.02, 0.06, m.sum()); acoustic[m, 2:] *= rng.uniform(1.6, 2.8, (m.sum(), 2))
    X = np.column_stack([hotend_err, bed_err, motor_i, motor_i_sd, np.log(layer_time), z_err, fil_d, fan,
                         np.log(acoustic)])
    return X.astype(np.float32), y


def train(model, loader, opt, loss_fn, epoch, log_every):
    model.train()
    for i, (x, y) in enumerate(loader):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        if i % log_every == 0 and epoch % 5 == 0:
            print(f"Train Epoch: {epoch} [{i * len(x)}/{len(loader.dataset)}]\tLoss: {loss.item():.4f}")


def test(model, loader, loss_fn):
    model.eval()
    preds, ys, tot = [], [], 0.0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            tot += loss_fn(out, y).item() * len(y)
            preds.append(out.argmax(1)); ys.append(y)
    p, t = torch.cat(preds).numpy(), torch.cat(ys).numpy()
    return tot / len(t), balanced_accuracy_score(t, p), f1_score(t, p, average="macro"), (p == t).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--seed", type=int, default=4)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    Xtr, ytr = synth(8000, rng)
    Xva, yva = synth(2000, rng)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=1000)

    counts = np.bincount(ytr, minlength=5)
    w = 1.0 / np.sqrt(counts / counts.sum())
    w = torch.tensor(w / w.mean(), dtype=torch.float32)
    print("class counts", counts.tolist(), "weights", [round(v, 2) for v in w.tolist()])
    loss_fn = nn.CrossEntropyLoss(weight=w, label_smoothing=0.05)

    model = nn.Sequential(nn.Linear(Xtr.shape[1], 96), nn.LayerNorm(96), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(96, 96), nn.LayerNorm(96), nn.ReLU(), nn.Linear(96, 5))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=3)
    for epoch in range(1, args.epochs + 1):
        train(model, train_loader, opt, loss_fn, epoch, log_every=30)
        vl, bacc, mf1, acc = test(model, val_loader, loss_fn)
        sched.step(vl)
        if epoch % 5 == 0:
            print(f"Val epoch {epoch}: loss {vl:.4f} balanced_acc {bacc:.3f} macro_f1 {mf1:.3f} acc {acc:.3f} "
                  f"lr {opt.param_groups[0]['lr']:.1e}")
    print(f"final val balanced_acc {bacc:.4f} macro_f1 {mf1:.4f} (plain acc {acc:.4f}; all-'ok' would be {np.mean(yva == 0):.4f})")


if __name__ == "__main__":
    main()
