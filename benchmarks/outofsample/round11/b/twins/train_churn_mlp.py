"""Subscriber churn model: 24 usage/billing aggregates -> churned within 90 days.

Hold out a test set first, split the rest into train/validation, early-stop on the validation
loss, keep the best checkpoint and report it on the test set.
"""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score
from torch.utils.data import DataLoader, TensorDataset

SEED = 2024


def load_accounts():
    X, y = make_classification(
        n_samples=3600, n_features=24, n_informative=10, n_redundant=6, n_clusters_per_class=3,
        class_sep=0.7, weights=[0.6, 0.4], random_state=SEED,
    )
    return X.astype(np.float32), y.astype(np.int64)


def evaluate(model, loader):
    model.eval()
    losses, scores, labels = [], [], []
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb).squeeze(1)
            losses.append(nn.functional.binary_cross_entropy_with_logits(logits, yb.float(), reduction="sum"))
            scores.append(torch.sigmoid(logits))
            labels.append(yb)
    scores, labels = torch.cat(scores).numpy(), torch.cat(labels).numpy()
    return float(sum(losses)) / len(labels), roc_auc_score(labels, scores), float(((scores > 0.5) == labels).mean())


def main():
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    X, y = load_accounts()

    X_test, y_test = X[3000:], y[3000:]
    X_dev, y_dev = X[:3000], y[:3000]

    perm = rng.permutation(len(X_dev))
    n_val = len(X_dev) // 5
    val_idx, train_idx = perm[:n_val], perm[n_val:]

    mu, sd = X_dev[train_idx].mean(0), X_dev[train_idx].std(0)
    norm = lambda a: torch.from_numpy((a - mu) / sd)
    train_ds = TensorDataset(norm(X_dev[train_idx]), torch.from_numpy(y_dev[train_idx]))
    val_ds = TensorDataset(norm(X_dev[val_idx]), torch.from_numpy(y_dev[val_idx]))
    test_ds = TensorDataset(norm(X_test), torch.from_numpy(y_test))
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=512)
    test_loader = DataLoader(test_ds, batch_size=512)

    model = nn.Sequential(
        nn.Linear(24, 256), nn.ReLU(),
        nn.Linear(256, 256), nn.ReLU(),
        nn.Linear(256, 1),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.BCEWithLogitsLoss()

    ckpt = os.path.join(tempfile.mkdtemp(), "churn_best.pt")
    best, patience, stale = float("inf"), 6, 0
    for epoch in range(1, 41):
        model.train()
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = criterion(model(xb).squeeze(1), yb.float())
            loss.backward()
            opt.step()
        val_loss, val_auc, _ = evaluate(model, val_loader)
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d}  val loss {val_loss:.4f}  val AUC {val_auc:.4f}")
        if val_loss < best:
            best, stale = val_loss, 0
            torch.save(model, ckpt)
        else:
            stale += 1
            if stale >= patience:
                print(f"early stop at epoch {epoch}")
                break

    model = torch.load(ckpt, weights_only=False)
    test_loss, test_auc, test_acc = evaluate(model, test_loader)
    print(f"best val loss {best:.4f}")
    print(f"test loss {test_loss:.4f}  test AUC {test_auc:.4f}  test acc {test_acc:.4f}")


if __name__ == "__main__":
    main()
