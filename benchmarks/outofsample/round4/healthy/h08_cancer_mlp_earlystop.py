"""Breast-cancer diagnosis with an MLP (dropout, Adam weight decay).  Validation loss is
accumulated with reduction='sum' and divided by the number of samples.  Early stopping:
the best model is saved whole with torch.save(model) and loaded back at the end."""
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)


def evaluate(model, loader):
    model.eval()
    crit = nn.BCEWithLogitsLoss(reduction="sum")
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x).squeeze(1)
            total += crit(logits, y).item()
            correct += ((logits > 0).float() == y).sum().item()
            n += len(y)
    return total / n, correct / n


def main():
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_va = scaler.transform(X_tr), scaler.transform(X_va)
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    train_loader = DataLoader(TensorDataset(to_t(X_tr), to_t(y_tr)), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(to_t(X_va), to_t(y_va)), batch_size=64)

    model = nn.Sequential(
        nn.Linear(30, 64), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(32, 1),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    criterion = nn.BCEWithLogitsLoss()

    ckpt = os.path.join(tempfile.mkdtemp(), "best_model.pt")
    best, bad_epochs, patience = float("inf"), 0, 8
    for epoch in range(200):
        model.train()
        for x, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x).squeeze(1), yb)
            loss.backward()
            optimizer.step()
        val_loss, val_acc = evaluate(model, val_loader)
        print(f"epoch {epoch:3d} train_loss {loss.item():.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")
        if val_loss < best - 1e-4:
            best, bad_epochs = val_loss, 0
            torch.save(model, ckpt)
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                print(f"early stopping at epoch {epoch}")
                break

    model = torch.load(ckpt, weights_only=False)
    val_loss, val_acc = evaluate(model, val_loader)
    print(f"final (best checkpoint) val_loss {val_loss:.4f} val_acc {val_acc:.4f}")


if __name__ == "__main__":
    main()
