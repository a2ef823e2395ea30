"""Bearing-fault classifier on raw accelerometer windows (1D CNN, memory-efficient Swish).

Four machine states: healthy, inner-race, outer-race and ball defect. Each window is 256
samples of shaft rotation plus defect impulses at the characteristic frequency and noise.
"""
import os
import tempfile
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(3)
rng = np.random.default_rng(3)

FS, WIN = 2048.0, 256
DEFECT_HZ = {0: None, 1: 162.0, 2: 107.0, 3: 141.0}


def make_windows(n_per_class):
    t = np.arange(WIN) / FS
    X, y = [], []
    for cls, f_def in DEFECT_HZ.items():
        for _ in range(n_per_class):
            f_shaft = rng.uniform(28, 32)
            sig = 0.6 * np.sin(2 * np.pi * f_shaft * t + rng.uniform(0, 2 * np.pi))
            if f_def is not None:
                period = int(FS / f_def)
                start = rng.integers(0, period)
                impulses = np.zeros(WIN)
                impulses[start::period] = rng.uniform(0.8, 1.2)
                ring = np.exp(-np.arange(24) / 4.0) * np.sin(2 * np.pi * 600 * np.arange(24) / FS)
                sig += np.convolve(impulses, ring, mode="same") * 1.5
            sig += rng.normal(0, 0.35, WIN)
            X.append(sig)
            y.append(cls)
    X = np.asarray(X, dtype=np.float32)[:, None, :]
    return torch.tensor(X), torch.tensor(y)


class SwishImplementation(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        ctx.save_for_backward(i)
        return i * torch.sigmoid(i)

    @staticmethod
    def backward(ctx, grad_output):
        i = ctx.saved_tensors[0]
        sigmoid_i = torch.sigmoid(i)
        return grad_output * sigmoid_i * (1 + i * (1 - sigmoid_i))


class MemoryEfficientSwish(nn.Module):
    def forward(self, x):
        return SwishImplementation.apply(x)


class VibrationNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, kernel_size=9, padding=4)
        self.conv2 = nn.Conv1d(16, 32, kernel_size=7, padding=3)
        self.conv3 = nn.Conv1d(32, 32, kernel_size=5, padding=2)
        self.act = MemoryEfficientSwish()
        self.fc = nn.Linear(32, n_classes)

    def forward(self, x):
        x = F.max_pool1d(self.act(self.conv1(x)), 2)
        x = F.max_pool1d(self.act(self.conv2(x)), 2)
        x = self.act(self.conv3(x))
        return self.fc(x.mean(dim=2))


def train(model, device, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
    return loss.item()


def test(model, device, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data.to(device))
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += output.argmax(dim=1).eq(target).sum().item()
    n = len(loader.dataset)
    return test_loss / n, correct / n


def main():
    device = torch.device("cpu")
    X_tr, y_tr = make_windows(150)
    X_te, y_te = make_windows(60)
    train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_tr, y_tr),
                                               batch_size=32, shuffle=True)
    test_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_te, y_te),
                                              batch_size=200)
    model = VibrationNet().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    ckpt = os.path.join(tempfile.mkdtemp(), "vibration_best.pt")
    best_acc = -1.0
    for epoch in range(1, 13):
        train_loss = train(model, device, train_loader, optimizer, epoch)
        test_loss, acc = test(model, device, test_loader)
        if acc > best_acc:
            best_acc = acc
            torch.save(model, ckpt)
        if epoch % 3 == 0:
            print(f"epoch {epoch}: train_loss={train_loss:.4f} test_loss={test_loss:.4f} acc={acc:.4f}")
    best = torch.load(ckpt, weights_only=False)
    test_loss, acc = test(best, device, test_loader)
    print(f"final test_loss={test_loss:.4f} test_acc={acc:.4f}")


if __name__ == "__main__":
    main()
