"""Road-surface condition from 28x28 grey patches of a survey vehicle's downward camera.

Classes: smooth asphalt, longitudinal crack, alligator cracking, pothole, loose gravel.
Structure follows the PyTorch MNIST example (Adadelta + StepLR, train()/test()).
"""
import argparse
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["smooth", "long_crack", "alligator", "pothole", "gravel"]


def survey_patches(n, rng):
    yy, xx = np.mgrid[0:28, 0:28].astype(np.float32)
    imgs = np.empty((n, 28, 28), np.float32)
    labels = rng.integers(0, len(CLASSES), n)
    for i, c in enumerate(labels):
        base = 0.45 + 0.08 * rng.standard_normal() + 0.09 * rng.standard_normal((28, 28))
        base += 0.04 * np.sin(xx / rng.uniform(3, 8) + rng.uniform(0, 6))       # tyre polish
        if c == 1:
            x0, slope = rng.uniform(6, 22), rng.uniform(-0.25, 0.25)
            d = np.abs(xx - (x0 + slope * (yy - 14)) + 1.2 * np.sin(yy / 3 + rng.uniform(0, 6)))
            base -= 0.22 * np.exp(-d ** 2 / 0.7)
        elif c == 2:
            for _ in range(rng.integers(5, 9)):
                a, b = rng.uniform(0, np.pi), rng.uniform(-14, 14)
                d = np.abs((xx - 14) * np.cos(a) + (yy - 14) * np.sin(a) - b)
                base -= 0.15 * np.exp(-d ** 2 / 0.5) * (rng.random((28, 28)) > 0.25)
        elif c == 3:
            cx, cy = rng.uniform(8, 20, 2)
            rx, ry = rng.uniform(4, 8, 2)
            r = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
            base -= 0.22 * (r < 1) * (0.7 + 0.3 * rng.random((28, 28)))
            base += 0.09 * ((r > 1) & (r < 1.4))
        elif c == 4:
            stones = rng.random((28, 28)) < 0.12
            base += 0.25 * stones * rng.uniform(-1, 1, (28, 28))
            base = 0.5 * base + 0.125 * (np.roll(base, 1, 0) + np.roll(base, -1, 0) + np.roll(base, 1, 1) + np.roll(base, -1, 1))
        shade = 1 + 0.25 * rng.uniform(-1, 1) * (xx / 27 - 0.5)                 # low sun
        imgs[i] = np.clip(base * shade, 0, 1)
    return imgs, labels


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1)
        self.conv2 = nn.Conv2d(16, 32, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(32 * 5 * 5, 96)
        self.fc2 = nn.Linear(96, len(CLASSES))

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(x, 2)
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def train(args, model, train_loader, optimizer, scheduler, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        scheduler.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, test_loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            correct += output.argmax(dim=1).eq(target).sum().item()
    test_loss /= len(test_loader.dataset)
    acc = correct / len(test_loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(test_loader.dataset)} ({100 * acc:.1f}%)")
    return acc


def main():
    parser = argparse.ArgumentParser(description="road surface patches")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--test-batch-size", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x_tr, y_tr = survey_patches(2400, rng)
    x_te, y_te = survey_patches(600, rng)
    mean, std = x_tr.mean(), x_tr.std()
    to_t = lambda x: torch.tensor((x[:, None] - mean) / std)
    train_loader = DataLoader(TensorDataset(to_t(x_tr), torch.tensor(y_tr)), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(to_t(x_te), torch.tensor(y_te)), batch_size=args.test_batch_size)

    model = Net()
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, scheduler, epoch)
        acc = test(model, test_loader)
    print(f"final test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
