"""Multi-label attribute tagging for catalogue items from word-count features.

Each item carries several of 12 attributes; features are bag-of-words counts of the
item description (log1p + standardised). Reports macro ROC-AUC on a held-out split.
"""
import argparse

import numpy as np
import torch
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import roc_auc_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Tagger(nn.Module):
    def __init__(self, n_in, n_tags, hidden=128, p=0.2):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden), nn.LayerNorm(hidden), nn.GELU(), nn.Dropout(p),
            nn.Linear(hidden, hidden), nn.LayerNorm(hidden), nn.GELU(), nn.Dropout(p),
        )
        self.head = nn.Linear(hidden, n_tags)

    def forward(self, x):
        return torch.sigmoid(self.head(self.body(x)))


def load_data(seed):
    X, Y = make_multilabel_classification(n_samples=3000, n_features=80, n_classes=12, n_labels=3,
                                          length=60, allow_unlabeled=False, random_state=seed)
    X = np.log1p(X)
    return X.astype(np.float32), Y.astype(np.float32)


def evaluate(model, loader):
    model.eval()
    scores, targets = [], []
    with torch.no_grad():
        for xb, yb in loader:
            scores.append(model(xb))
            targets.append(yb)
    s, t = torch.cat(scores).numpy(), torch.cat(targets).numpy()
    return roc_auc_score(t, s, average="macro")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    X, Y = load_data(args.seed)
    n_train = 2400
    mu, sd = X[:n_train].mean(0), X[:n_train].std(0) + 1e-6
    X = (X - mu) / sd
    train_loader = DataLoader(TensorDataset(torch.from_numpy(X[:n_train]), torch.from_numpy(Y[:n_train])),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X[n_train:]), torch.from_numpy(Y[n_train:])),
                            batch_size=256)

    model = Tagger(X.shape[1], Y.shape[1])
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(xb)
        scheduler.step()
        auc = evaluate(model, val_loader)
        print(f"epoch {epoch:2d}  train_loss {running / n_train:.4f}  val_macro_auc {auc:.4f}")
    print(f"final val_macro_auc={auc:.4f}")


if __name__ == "__main__":
    main()
