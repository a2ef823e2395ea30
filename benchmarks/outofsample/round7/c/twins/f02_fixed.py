"""Digit recognition on sklearn's 8x8 scans, in the style of the PyTorch MNIST example.

A wide two-hidden-layer MLP whose hidden biases start negative so that only a few units
fire per input ("sparse start", as in k-sparse / winner-take-all nets).
"""
import argparse
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import CosineAnnealingLR
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class SparseMLP(nn.Module):
    def __init__(self, hidden=256, sparse_bias=0.0):
        super().__init__()
        self.fc1 = nn.Linear(64, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, 10)
        for layer in (self.fc1, self.fc2):
            nn.init.constant_(layer.bias, sparse_bias)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return F.log_softmax(self.fc3(x), dim=1)


def train(args, model, loader, optimizer, scheduler, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
        scheduler.step()
        if batch_idx % args.log_interval == 0 and epoch % 5 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            correct += output.argmax(dim=1).eq(target).sum().item()
    test_loss /= len(loader.dataset)
    return test_loss, correct / len(loader.dataset)


def main():
    parser = argparse.ArgumentParser(description="8x8 digits MLP")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    digits = load_digits()
    X = digits.data.astype(np.float32) / 16.0
    X_tr, X_te, y_tr, y_te = train_test_split(X, digits.target, test_size=0.3, random_state=args.seed)
    mean, std = X_tr.mean(0), X_tr.std(0) + 1e-3
    X_tr, X_te = (X_tr - mean) / std, (X_te - mean) / std
    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(X_te), torch.from_numpy(y_te)), batch_size=256)

    model = SparseMLP()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-2)
    scheduler = CosineAnnealingLR(optimizer, T_max=args.epochs * len(train_loader))
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, scheduler, epoch)
        test_loss, acc = test(model, test_loader)
        print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {acc:.4f}")
    print(f"final test_acc {acc:.4f}")


if __name__ == "__main__":
    main()
