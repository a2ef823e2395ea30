"""Tram wheel condition from the wayside wheel-profile station.

Every pass through the depot gate measures flange height/thickness, qR, tread hollowing,
out-of-roundness and a wheel-flat impact peak. Fleet engineering wants a 4-way call:
ok / monitor / reprofile / replace. "replace" is rare, so the loss is class-weighted
(inverse square-root frequency) with a little label smoothing, and training stops early
on validation balanced accuracy with the best weights restored.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import balanced_accuracy_score, confusion_matrix
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["ok", "monitor", "reprofile", "replace"]


def wheel_passes(n, rng):
    km_since_turn = rng.gamma(3.0, 12000, n)
    diameter = rng.uniform(600, 680, n)                # worn wheels are smaller
    curve_share = rng.beta(2, 5, n)                     # share of the route in tight curves
    wear = km_since_turn / 40000 * (1 + 1.5 * curve_share) * rng.lognormal(0, 0.25, n)
    flange_h = 28 + 2.2 * wear + rng.normal(0, 0.5, n)
    flange_t = 30 - 1.8 * wear * (0.5 + curve_share) + rng.normal(0, 0.5, n)
    qr = 10 - 1.1 * wear * curve_share * 2 + rng.normal(0, 0.4, n)
    hollow = 0.6 * wear * (1 - curve_share) + rng.normal(0, 0.15, n)
    oor = rng.gamma(2, 0.08, n) + 0.05 * wear
    flat_peak = rng.gamma(1.5, 20, n) + 120 * rng.binomial(1, 0.05, n)
    severity = (np.maximum(flange_h - 31, 0) * 1.2 + np.maximum(27.5 - flange_t, 0) * 1.5
                + np.maximum(8.5 - qr, 0) * 1.5 + np.maximum(hollow - 1.2, 0) * 2
                + 0.02 * np.maximum(flat_peak - 100, 0) + 0.03 * np.maximum(615 - diameter, 0) * wear)
    severity += rng.normal(0, 0.15, n)
    y = np.digitize(severity, [0.3, 1.8, 7.0])
    X = np.stack([km_since_turn / 1000, diameter, curve_share, flange_h, flange_t, qr, hollow,
                  oor, flat_peak], 1)
    return X.astype(np.float32), y.astype(np.int64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-epochs", type=int, default=60)
    ap.add_argument("--patience", type=int, default=8)
    args = ap.parse_args()

    torch.manual_seed(17)
    rng = np.random.default_rng(17)
    X, y = wheel_passes(5000, rng)
    order = rng.permutation(len(y))
    tr, va = order[:4000], order[4000:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd
    counts = np.bincount(y[tr], minlength=4)
    print("train class counts:", dict(zip(CLASSES, counts.tolist())))

    weights = torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32)
    weights = weights / weights.mean()
    criterion = nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05)

    train_dl = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])), batch_size=64, shuffle=True)
    Xva, yva = torch.from_numpy(X[va]), y[va]

    model = nn.Sequential(nn.Linear(9, 64), nn.BatchNorm1d(64), nn.ReLU(),
                          nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU(),
                          nn.Dropout(0.1), nn.Linear(64, 4))
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, nesterov=True, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=15, gamma=0.3)

    best, best_state, bad = -1.0, None, 0
    for epoch in range(1, args.max_epochs + 1):
        model.train()
        for xb, yb in train_dl:
            opt.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            opt.step()
        sched.step()
        model.eval()
        with torch.no_grad():
            pred = model(Xva).argmax(1).numpy()
        bal = balanced_accuracy_score(yva, pred)
        if bal > best + 1e-4:
            best, bad = bal, 0
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d} loss {loss.item():.4f} val_bal_acc {bal:.4f}")
        if bad >= args.patience:
            print(f"early stop at epoch {epoch}")
            break

    model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        pred = model(Xva).argmax(1).numpy()
    print(confusion_matrix(yva, pred))
    print(f"final val_acc {(pred == yva).mean():.4f} balanced_acc {balanced_accuracy_score(yva, pred):.4f}")


if __name__ == "__main__":
    main()
