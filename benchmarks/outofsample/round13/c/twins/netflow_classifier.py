"""Classify network flows (NetFlow v9 aggregates) into traffic classes.

Usage: python netflow_classifier.py [--epochs N] [--lr LR] [--batch-size B]
"""
import argparse
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification

TRAFFIC = ["web", "bulk", "interactive", "streaming", "p2p", "scan"]


class FlowNet(nn.Module):
    def __init__(self, n_in, n_out, hidden=256):
        super().__init__()
        self.fc1 = nn.Linear(n_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, n_out)

    def forward(self, x):
        x = F.gelu(self.fc1(x))
        x = F.gelu(self.fc2(x))
        return self.fc3(x)


def load_flows(seed):
    X, y = make_classification(n_samples=5500, n_features=30, n_informative=18, n_redundant=6,
                               n_classes=len(TRAFFIC), n_clusters_per_class=2, class_sep=1.0, random_state=seed)
    # byte/packet counts arrive log-scaled from the collector; standardise with training stats
    X = X.astype(np.float32)
    return X[:4500], y[:4500], X[4500:], y[4500:]


def train(args, model, loader, optimizer, epoch):
    model.train()
    total, n = 0.0, 0
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(target)
        n += len(target)
    return total / n


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(dim=1) == target).sum().item()
    n = len(loader.dataset)
    return test_loss / n, correct / n


def main():
    parser = argparse.ArgumentParser(description="NetFlow traffic classifier")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--test-batch-size", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    Xtr, ytr, Xte, yte = load_flows(seed=7)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(Xte), torch.from_numpy(yte)),
                             batch_size=args.test_batch_size)

    model = FlowNet(Xtr.shape[1], len(TRAFFIC))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    t0 = time.time()
    for epoch in range(1, args.epochs + 1):
        tr_loss = train(args, model, train_loader, optimizer, epoch)
        te_loss, te_acc = test(model, test_loader)
        print(f"Epoch {epoch}: train loss {tr_loss:.4f}  test loss {te_loss:.4f}  test acc {te_acc:.4f}")
    print(f"final: test acc {te_acc:.4f} test loss {te_loss:.4f} ({time.time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
