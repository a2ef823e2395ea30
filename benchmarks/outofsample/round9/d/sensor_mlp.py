"""Fault-type classifier for a bank of process sensors (synthetic plant data)."""
import argparse

import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def get_data(seed):
    X, y = make_classification(n_samples=8000, n_features=32, n_informative=14, n_redundant=6,
                               n_classes=5, n_clusters_per_class=2, class_sep=1.2, random_state=seed)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
    to_t = lambda a, b: TensorDataset(torch.tensor(a, dtype=torch.float32), torch.tensor(b))
    return to_t(X_tr, y_tr), to_t(X_te, y_te)


class Net(nn.Module):
    def __init__(self, n_in, n_out, hidden=(256, 256, 128)):
        super().__init__()
        layers, d = [], n_in
        for h in hidden:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        layers.append(nn.Linear(d, n_out))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def init_weights(m):
    if isinstance(m, nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)
        m.weight.data.fill_(0.01)


def train(model, loader, optimizer, loss_fn):
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    return total / len(loader.dataset)


@torch.no_grad()
def evaluate(model, loader, loss_fn):
    model.eval()
    loss, correct = 0.0, 0
    for xb, yb in loader:
        out = model(xb)
        loss += loss_fn(out, yb).item() * len(xb)
        correct += (out.argmax(1) == yb).sum().item()
    n = len(loader.dataset)
    return loss / n, correct / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    train_ds, test_ds = get_data(args.seed)
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    test_loader = DataLoader(test_ds, batch_size=256)

    model = Net(32, 5)
    model.apply(init_weights)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.3)

    for epoch in range(1, args.epochs + 1):
        tr_loss = train(model, train_loader, optimizer, loss_fn)
        te_loss, te_acc = evaluate(model, test_loader, loss_fn)
        scheduler.step()
        if epoch % 5 == 0 or epoch == 1:
            print(f"epoch {epoch:3d}  train_loss {tr_loss:.4f}  test_loss {te_loss:.4f}  test_acc {te_acc:.4f}")
    print(f"final test_acc {te_acc:.4f}")


if __name__ == "__main__":
    main()
