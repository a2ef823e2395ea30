"""Predict pump failures within the next 48 h from aggregated sensor windows.

About 6% of windows precede a failure. Written in the style of the PyTorch examples
(argparse, train()/test() functions, DataLoader).
"""
import argparse
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import roc_auc_score, average_precision_score


def make_windows(n, rng):
    # 12 aggregated channels: mean/std/max of vibration, temperature, pressure, current
    base = rng.normal(size=(n, 12))
    wear = rng.gamma(2.0, 1.0, size=n)
    base[:, 0] += 0.6 * wear
    base[:, 1] += 0.4 * wear
    base[:, 4] += 0.3 * wear
    score = (0.9 * base[:, 0] * base[:, 1] + 1.1 * np.maximum(base[:, 4], 0)
             - 0.8 * base[:, 7] + 0.7 * base[:, 2] ** 2 + 0.5 * wear - 10.0)
    y = (score + rng.logistic(size=n) * 0.5 > 0).astype(np.float32)
    return base.astype(np.float32), y


def train(args, model, loader, optimizer, loss_fn, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data).squeeze(1)
        loss = loss_fn(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0 and epoch % 5 == 1:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.5f}")


def test(model, loader, loss_fn):
    model.eval()
    scores, targets, total = [], [], 0.0
    with torch.no_grad():
        for data, target in loader:
            out = model(data).squeeze(1)
            total += loss_fn(out, target).item() * len(data)
            scores.append(torch.sigmoid(out))
            targets.append(target)
    s, t = torch.cat(scores).numpy(), torch.cat(targets).numpy()
    return total / len(loader.dataset), roc_auc_score(t, s), average_precision_score(t, s)


def main():
    parser = argparse.ArgumentParser(description="pump failure classifier")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--hidden", type=int, default=96)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    X, y = make_windows(9000, rng)
    X_tr, y_tr, X_te, y_te = X[:7000], y[:7000], X[7000:], y[7000:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_te = (X_tr - mu) / sd, (X_te - mu) / sd
    print(f"positive share: train {y_tr.mean():.3f}  test {y_te.mean():.3f}")

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(X_te), torch.from_numpy(y_te)),
                             batch_size=512)

    model = nn.Sequential(
        nn.Linear(12, args.hidden), nn.ReLU(),
        nn.Linear(args.hidden, args.hidden), nn.ReLU(),
        nn.Linear(args.hidden, args.hidden // 2), nn.ReLU(),
        nn.Linear(args.hidden // 2, 1),
    )
    prior = float(y_tr.mean())
    for m in model[-1:]:
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.bias, math.log(prior / (1 - prior)))

    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, loss_fn, epoch)
        if epoch % 2 == 0:
            loss, auc, ap = test(model, test_loader, loss_fn)
            print(f"Test set: epoch {epoch} loss {loss:.4f}  ROC-AUC {auc:.4f}  AP {ap:.4f}")
    loss, auc, ap = test(model, test_loader, loss_fn)
    print(f"final test loss {loss:.4f}  ROC-AUC {auc:.4f}  average precision {ap:.4f}")


if __name__ == "__main__":
    main()
