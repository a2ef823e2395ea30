"""Customer churn prediction (tabular MLP), written like the official PyTorch examples.

The export has numeric usage columns plus one-hot encoded categorical columns (plan, region).
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

PLANS = ["basic", "plus", "family", "legacy"]        # "legacy" was discontinued in 2021
REGIONS = ["north", "south", "east", "west"]


def load_export(n, rng):
    tenure = rng.gamma(2.0, 12.0, n)
    monthly = rng.normal(45, 15, n).clip(5)
    calls = rng.poisson(2.0, n)
    data_gb = rng.lognormal(1.5, 0.8, n)
    plan = rng.choice(3, n, p=[0.5, 0.3, 0.2])          # no customer is on "legacy" any more
    region = rng.choice(4, n)
    logit = (-0.06 * tenure + 0.04 * (monthly - 45) + 0.5 * calls - 0.3 * np.log(data_gb)
             + np.array([0.6, -0.2, -0.8])[plan] + np.array([0.0, 0.3, -0.3, 0.0])[region] - 0.2)
    churn = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    onehot_plan = np.eye(len(PLANS))[plan]
    onehot_region = np.eye(len(REGIONS))[region]
    X = np.column_stack([tenure, monthly, calls, data_gb, onehot_plan, onehot_region])
    return X.astype(np.float32), churn


class Net(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.fc1 = nn.Linear(n_in, 64)
        self.fc2 = nn.Linear(64, 64)
        self.dropout = nn.Dropout(0.2)
        self.fc3 = nn.Linear(64, 2)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.dropout(F.relu(self.fc2(x)))
        return self.fc3(x)


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, device, test_loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += output.argmax(dim=1).eq(target).sum().item()
    n = len(test_loader.dataset)
    print(f"Test set: Average loss: {test_loss / n:.4f}, Accuracy: {correct}/{n} ({100. * correct / n:.1f}%)")
    return test_loss / n, correct / n


def main():
    parser = argparse.ArgumentParser(description="churn MLP")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    device = torch.device("cpu")

    X, y = load_export(3000, rng)
    n_train = 2400
    mean = X[:n_train].mean(axis=0)
    std = X[:n_train].std(axis=0)
    X = (X - mean) / std

    train_ds = TensorDataset(torch.from_numpy(X[:n_train]), torch.from_numpy(y[:n_train]))
    test_ds = TensorDataset(torch.from_numpy(X[n_train:]), torch.from_numpy(y[n_train:]))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_ds, batch_size=256)

    model = Net(X.shape[1]).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        loss, acc = test(model, device, test_loader)
    print(f"final test_loss {loss:.4f} test_acc {acc:.4f}")


if __name__ == "__main__":
    main()
