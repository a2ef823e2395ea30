"""Gearbox condition monitoring: classify 2-channel accelerometer snippets
(80 samples at 2 kHz, after the decimation the edge box does) into healthy,
chipped tooth, bearing wear and shaft misalignment, with a small GRU."""
import argparse
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["healthy", "chipped_tooth", "bearing_wear", "misalignment"]


def synth_snippets(n, rng, length=80):
    t = np.arange(length) / 2000.0
    y = rng.integers(0, len(CLASSES), n)
    x = np.zeros((n, length, 2), dtype=np.float32)
    for i in range(n):
        f_mesh = rng.uniform(180, 220)
        phase = rng.uniform(0, 2 * np.pi)
        base = np.sin(2 * np.pi * f_mesh * t + phase)
        ch0, ch1 = base.copy(), 0.6 * np.sin(2 * np.pi * f_mesh * t + phase + 0.4)
        if y[i] == 1:    # one impact per revolution
            period = rng.integers(18, 24)
            start = rng.integers(0, period)
            ch0[start::period] += rng.uniform(1.2, 2.2)
        elif y[i] == 2:  # raised broadband floor on the bearing side
            ch1 += rng.normal(0, 0.6, length)
        elif y[i] == 3:  # strong 2x component, mostly axial
            ch1 += 0.7 * np.sin(2 * np.pi * 2 * f_mesh * t + phase)
        x[i, :, 0] = ch0 + rng.normal(0, 0.4, length)
        x[i, :, 1] = ch1 + rng.normal(0, 0.4, length)
    return torch.tensor(x), torch.tensor(y)


class SnippetGRU(nn.Module):
    def __init__(self, n_channels=2, hidden=64, n_classes=len(CLASSES)):
        super().__init__()
        self.inp = nn.Linear(n_channels, hidden)
        self.gru = nn.GRU(hidden, hidden, num_layers=1)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x):
        # x: (batch, time, channels); the GRU takes (time, batch, features)
        h = torch.tanh(self.inp(x))
        h = h.transpose(0, 1)
        out, _ = self.gru(h)
        return self.head(out[-1])


def train(args, model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += nn.functional.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(dim=1) == target).sum().item()
    n = len(loader.dataset)
    print(f"Test set: Average loss: {test_loss / n:.4f}, Accuracy: {correct}/{n} ({100. * correct / n:.1f}%)")
    return correct / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    x_tr, y_tr = synth_snippets(3000, rng)
    x_te, y_te = synth_snippets(800, rng)
    train_loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True)
    test_loader = DataLoader(TensorDataset(x_te, y_te), batch_size=200)
    model = SnippetGRU()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.7)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        acc = test(model, test_loader)
        scheduler.step()
    print(f"final test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
