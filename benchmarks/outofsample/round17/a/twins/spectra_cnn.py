"""Acoustic event tagging on a factory floor: which machine is running, read
from a 128-bin log-magnitude spectrum averaged over one second. 1-D CNN,
SGD with momentum and a step decay."""
import argparse
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

SOURCES = ["compressor", "conveyor", "press", "fan", "grinder", "idle"]


def make_spectra(n, rng, bins=128):
    f = np.arange(bins)
    y = rng.integers(0, len(SOURCES), n)
    fundamentals = [9.0, 11.0, 7.5, 13.0, 16.0, 0.0]
    X = np.empty((n, bins), dtype=np.float32)
    for i in range(n):
        floor = -4.0 + rng.normal(0, 0.3) - 0.01 * f * rng.uniform(0.5, 1.5)
        spec = np.exp(floor)
        f0 = fundamentals[y[i]] * rng.uniform(0.93, 1.07)
        if f0 > 0:
            for k in range(1, 6):
                amp = rng.uniform(0.01, 0.06) / k
                spec = spec + amp * np.exp(-0.5 * ((f - k * f0) / 1.4) ** 2)
        if y[i] == 4:  # grinding adds broadband hiss in the upper bins
            spec = spec + 0.006 * (f > 80)
        spec = spec * rng.lognormal(0, 0.6, bins)
        X[i] = np.log(spec + 1e-4)
    X = (X - X.mean(1, keepdims=True)) / X.std(1, keepdims=True)
    return torch.tensor(X).unsqueeze(1), torch.tensor(y)


class SpecNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, 7, padding=3)
        self.bn1 = nn.BatchNorm1d(16)
        self.conv2 = nn.Conv1d(16, 32, 5, padding=2)
        self.bn2 = nn.BatchNorm1d(32)
        self.conv3 = nn.Conv1d(32, 32, 5, padding=2)
        self.bn3 = nn.BatchNorm1d(32)
        self.fc = nn.Linear(32 * 16, n_classes)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool1d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.max_pool1d(F.relu(self.bn3(self.conv3(x))), 2)
        return self.fc(torch.flatten(x, 1))


def main():
    parser = argparse.ArgumentParser(description="acoustic tagging")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--clip", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    X_tr, y_tr = make_spectra(3000, rng)
    X_te, y_te = make_spectra(1000, rng)
    train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(X_te, y_te), batch_size=500)

    model = SpecNet(len(SOURCES))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum,
                                weight_decay=5e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.3)

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for data, target in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(data), target)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            running += loss.item() * len(data)
        scheduler.step()

        model.eval()
        test_loss, correct = 0.0, 0
        with torch.no_grad():
            for data, target in test_loader:
                output = model(data)
                test_loss += F.cross_entropy(output, target, reduction="sum").item()
                correct += output.argmax(1).eq(target).sum().item()
        n = len(test_loader.dataset)
        print(f"epoch {epoch}: train loss {running / len(train_loader.dataset):.4f} "
              f"test loss {test_loss / n:.4f} test acc {correct / n:.4f}")
    print(f"final test accuracy {correct / n:.4f}")


if __name__ == "__main__":
    main()
