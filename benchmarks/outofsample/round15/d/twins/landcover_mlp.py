"""Land-cover classification of 8 surface types from 40 per-pixel spectral and texture
features (synthetic stand-in for a multispectral tile). Style of the PyTorch MNIST example."""
import argparse
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self, n_in=40, width=128, n_out=8):
        super().__init__()
        self.fc1 = nn.Linear(n_in, width)
        self.fc2 = nn.Linear(width, width)
        self.fc3 = nn.Linear(width, width)
        self.fc4 = nn.Linear(width, n_out)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = F.relu(self.fc3(x))
        return self.fc4(x)


def train(args, model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0 and epoch % 3 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += output.argmax(dim=1).eq(target).sum().item()
    n = len(loader.dataset)
    return test_loss / n, correct / n


def main():
    parser = argparse.ArgumentParser(description="land cover MLP")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--base-lr", type=float, default=0.1, help="LR for a batch of 256 (linear scaling rule)")
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--log-interval", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    X, y = make_classification(n_samples=6000, n_features=40, n_informative=30, n_redundant=5,
                               n_classes=8, n_clusters_per_class=3, class_sep=1.5, random_state=args.seed)
    mean, std = X[:5000].mean(0), X[:5000].std(0)
    X = ((X - mean) / std).astype(np.float32)
    train_ds = TensorDataset(torch.from_numpy(X[:5000]), torch.from_numpy(y[:5000]))
    test_ds = TensorDataset(torch.from_numpy(X[5000:]), torch.from_numpy(y[5000:]))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_ds, batch_size=1000)

    model = Net()
    lr = args.base_lr * args.batch_size / 256
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=args.momentum,
                                weight_decay=args.weight_decay)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        test_loss, acc = test(model, test_loader)
        print(f"Test set: epoch {epoch} average loss {test_loss:.4f}, accuracy {acc:.4f}")
    print(f"final test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
