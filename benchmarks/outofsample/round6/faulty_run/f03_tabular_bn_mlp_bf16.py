"""Tabular classifier: MLP with BatchNorm and dropout, bf16 autocast on CPU,
AdamW + cosine schedule, best-epoch checkpointing on validation accuracy."""
import copy
import math

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import QuantileTransformer
from torch.utils.data import DataLoader, TensorDataset

SEED = 11
EPOCHS = 15
torch.manual_seed(SEED)
np.random.seed(SEED)


def make_data():
    X, y = make_classification(n_samples=8000, n_features=30, n_informative=18, n_redundant=6,
                               n_repeated=0, n_classes=6, n_clusters_per_class=3, class_sep=1.0,
                               weights=None, flip_y=0.02, random_state=SEED)
    X_tr, X_tmp, y_tr, y_tmp = train_test_split(X, y, test_size=0.3, random_state=SEED)
    X_va, X_te, y_va, y_te = train_test_split(X_tmp, y_tmp, test_size=0.5, random_state=SEED)
    qt = QuantileTransformer(output_distribution="normal", n_quantiles=500,
                             random_state=SEED).fit(X_tr)
    out = []
    for X_, y_ in ((X_tr, y_tr), (X_va, y_va), (X_te, y_te)):
        out.append(TensorDataset(torch.tensor(qt.transform(X_), dtype=torch.float32),
                                 torch.tensor(y_)))
    return out


def mlp(d_in, n_classes, hidden=(256, 256, 128), p=0.3):
    layers, d = [], d_in
    for h in hidden:
        layers += [nn.Linear(d, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Dropout(p)]
        d = h
    layers.append(nn.Linear(d, n_classes))
    return nn.Sequential(*layers)


def evaluate(model, loader):
    total, correct, loss_sum = 0, 0, 0.0
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for xb, yb in loader:
            logits = model(xb).float()
            loss_sum += nn.functional.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(-1) == yb).sum().item()
            total += len(yb)
    return loss_sum / total, correct / total


def main():
    train_ds, val_ds, test_ds = make_data()
    train_loader = DataLoader(train_ds, batch_size=128, shuffle=True, drop_last=True)
    val_loader = DataLoader(val_ds, batch_size=64)
    test_loader = DataLoader(test_ds, batch_size=64)

    model = mlp(30, 6)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    total_steps = EPOCHS * len(train_loader)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, total_steps) / total_steps)))
    crit = nn.CrossEntropyLoss()

    best_acc, best_state = -1.0, None
    for epoch in range(EPOCHS):
        model.train()
        tr_loss = 0.0
        for xb, yb in train_loader:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = crit(model(xb).float(), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tr_loss += loss.item()
        val_loss, val_acc = evaluate(model, val_loader)
        if val_acc > best_acc:
            best_acc, best_state = val_acc, copy.deepcopy(model.state_dict())
        print(f"[{epoch + 1:02d}] train {tr_loss / len(train_loader):.4f} | "
              f"val loss {val_loss:.4f} acc {val_acc:.4f}")

    model.load_state_dict(best_state)
    test_loss, test_acc = evaluate(model, test_loader)
    print(f"final test_acc={test_acc:.4f} test_loss={test_loss:.4f} best_val_acc={best_acc:.4f}")


if __name__ == "__main__":
    main()
