"""Optical potato sorter: route each tuber to pack, greening, soft-rot or misshapen bins.

Features from the line's hyperspectral + shape camera. Defects are rare, so the loss is
class-weighted (inverse square-root frequency) with light label smoothing; the model is
saved whole after training and the packhouse scorer reloads it.
"""
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.model_selection import train_test_split


def tuber_features(seed=21):
    X, y = make_classification(n_samples=6000, n_features=20, n_informative=10, n_redundant=4,
                               n_classes=4, n_clusters_per_class=2, weights=[0.80, 0.10, 0.06, 0.04],
                               class_sep=1.3, flip_y=0.01, random_state=seed)
    return X.astype(np.float32), y.astype(np.int64)


def main():
    torch.manual_seed(21)
    X, y = tuber_features()
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=21)
    mean, std = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mean) / std, (X_va - mean) / std

    counts = np.bincount(y_tr, minlength=4)
    weights = torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32)
    weights = weights / weights.mean()
    print("train class counts:", counts.tolist(), " loss weights:", [round(w, 2) for w in weights.tolist()])

    train_loader = DataLoader(TensorDataset(torch.tensor(X_tr), torch.tensor(y_tr)), batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 4))
    criterion = nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    X_va_t = torch.tensor(X_va)
    for epoch in range(1, 26):
        model.train()
        total = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
        if epoch % 5 == 0:
            model.eval()
            with torch.no_grad():
                pred = model(X_va_t).argmax(-1).numpy()
            print(f"epoch {epoch:2d}  train loss {total / len(y_tr):.4f}  "
                  f"val balanced acc {balanced_accuracy_score(y_va, pred):.4f}")

    path = os.path.join(tempfile.mkdtemp(), "sorter.pt")
    torch.save(model, path)
    scorer = torch.load(path, weights_only=False)
    scorer.eval()
    with torch.no_grad():
        pred = scorer(X_va_t).argmax(-1).numpy()
    print("per-bin recall:", [round(float(r), 3) for r in recall_score(y_va, pred, average=None)])
    print(f"reloaded model: val balanced accuracy {balanced_accuracy_score(y_va, pred):.4f}")


if __name__ == "__main__":
    main()
