"""Material-recovery facility: classify items on the sorting belt into six streams.

Per-item sensor readout: load-cell mass, bounding-box size, colour camera (mean RGB and
saturation), eddy-current response, inductive metal flag, acoustic impact (peak frequency,
decay), air-jet deflection and a transmissive light reading. Streams: PET, HDPE, aluminium,
steel, cardboard, glass. Plain PyTorch loop in the style of the official MNIST example.
"""
import argparse
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

STREAMS = ["PET", "HDPE", "aluminium", "steel", "cardboard", "glass"]


def belt_readings(n, rng):
    # per-stream means for: mass g, size cm, R, G, B, sat, eddy, metal, f_peak kHz, decay ms, deflect, transmit
    means = np.array([
        [25, 20, 150, 170, 180, 0.2, 0.02, 0, 2.1, 12, 0.8, 0.85],
        [45, 18, 200, 200, 195, 0.4, 0.02, 0, 1.6, 18, 0.7, 0.20],
        [15, 12, 185, 185, 190, 0.1, 0.90, 1, 4.5, 40, 0.5, 0.00],
        [60, 10, 120, 120, 125, 0.1, 0.35, 1, 3.8, 65, 0.1, 0.00],
        [80, 35, 160, 130, 90, 0.3, 0.01, 0, 0.8, 5, 0.3, 0.05],
        [300, 22, 90, 140, 100, 0.5, 0.01, 0, 5.5, 30, 0.0, 0.60],
    ])
    spread = np.abs(means) * 0.35 + np.array([5, 3, 25, 25, 25, 0.1, 0.05, 0.1, 0.5, 6, 0.15, 0.15])
    y = rng.integers(0, 6, n)
    X = means[y] + rng.normal(0, 1, (n, means.shape[1])) * spread[y]
    X[:, 7] = (X[:, 7] > 0.5).astype(float)                    # inductive flag is binary
    dirty = rng.random(n) < 0.15                                # labels / residue smear the camera
    X[dirty, 2:5] *= rng.uniform(0.5, 0.8, (dirty.sum(), 1))
    return X.astype(np.float32), y


class Sorter(nn.Module):
    def __init__(self, n_in, n_out, width=128):
        super().__init__()
        self.fc1 = nn.Linear(n_in, width)
        self.fc2 = nn.Linear(width, width)
        self.fc3 = nn.Linear(width, width)
        self.out = nn.Linear(width, n_out)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = F.relu(self.fc3(x))
        return self.out(x)


def train(model, loader, optimizer, epoch, log_interval):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.4f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    return test_loss / n, correct / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--lr", type=float, default=0.03)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    X, y = belt_readings(6000, rng)
    Xtr, ytr, Xte, yte = X[:4800], y[:4800], X[4800:], y[4800:]
    cont = [i for i in range(X.shape[1]) if i != 7]
    mu, sd = Xtr[:, cont].mean(0), Xtr[:, cont].std(0)
    Xtr[:, cont] = (Xtr[:, cont] - mu) / sd
    Xte[:, cont] = (Xte[:, cont] - mu) / sd

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(Xte), torch.from_numpy(yte)), batch_size=1000)

    model = Sorter(X.shape[1], len(STREAMS))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    for epoch in range(1, args.epochs + 1):
        train(model, train_loader, optimizer, epoch, log_interval=40)
        test_loss, acc = test(model, test_loader)
        print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {acc:.4f}")
    print(f"final test_loss={test_loss:.4f} test_acc={acc:.4f}")


if __name__ == "__main__":
    main()
