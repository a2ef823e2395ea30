"""Grade natural cork planks (A1..A5) from the boiling-yard measurements.

Each grade arrives as its own lot export from the yard; the last fifth of every lot
(most recent planks) is held out for validation.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

FEATURES = ["thickness_mm", "porosity_pct", "pore_density", "max_pore_mm", "fissure_len_mm",
            "moisture_pct", "density_kg_m3", "colour_L", "colour_b", "boil_loss_pct",
            "green_streak", "belly_ratio"]


def make_lot(grade, n, rng):
    # grade 0 = best; quality drifts smoothly with grade, lots overlap
    g = grade / 4.0
    base = np.array([38 - 6 * g, 3 + 9 * g, 40 + 60 * g, 1.0 + 2.5 * g, 4 + 20 * g,
                     9 + 2 * g, 190 + 40 * g, 70 - 12 * g, 22 + 5 * g, 5 + 3 * g,
                     0.05 + 0.3 * g, 0.2 + 0.15 * g])
    scale = 0.6 * np.array([5, 3.0, 18, 0.9, 8, 1.5, 18, 6, 3, 1.5, 0.12, 0.06])
    X = base + scale * rng.standard_normal((n, len(FEATURES)))
    return X.astype(np.float32), np.full(n, grade, dtype=np.int64)


def load_yard(seed=0):
    rng = np.random.default_rng(seed)
    tr_x, tr_y, va_x, va_y = [], [], [], []
    for grade in range(5):
        X, y = make_lot(grade, int(rng.integers(420, 520)), rng)
        cut = int(0.8 * len(X))
        tr_x.append(X[:cut]); tr_y.append(y[:cut])
        va_x.append(X[cut:]); va_y.append(y[cut:])
    return (np.concatenate(tr_x), np.concatenate(tr_y),
            np.concatenate(va_x), np.concatenate(va_y))


class GradeNet(nn.Module):
    def __init__(self, n_in, n_out=5):
        super().__init__()
        self.fc1 = nn.Linear(n_in, 64)
        self.fc2 = nn.Linear(64, 64)
        self.drop = nn.Dropout(0.1)
        self.fc3 = nn.Linear(64, n_out)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.drop(F.relu(self.fc2(x)))
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
        if batch_idx % args.log_interval == 0 and epoch % 5 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]"
                  f"\tLoss: {loss.item():.4f}")


def test(model, device, test_loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            pred = output.argmax(dim=1)
            correct += pred.eq(target).sum().item()
    n = len(test_loader.dataset)
    return test_loss / n, correct / n


def main():
    parser = argparse.ArgumentParser(description="cork plank grading")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=40)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cpu")

    Xtr, ytr, Xva, yva = load_yard(seed=args.seed)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    train_ds = TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr))
    val_ds = TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=False)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = GradeNet(Xtr.shape[1]).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        val_loss, val_acc = test(model, device, val_loader)
        if epoch % 5 == 0:
            print(f"epoch {epoch}: val loss {val_loss:.4f}, val acc {val_acc:.3f}")

    val_loss, val_acc = test(model, device, val_loader)
    print(f"final val_loss={val_loss:.4f} val_acc={val_acc:.4f}")


if __name__ == "__main__":
    main()
