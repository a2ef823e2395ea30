"""Keyword spotting on MFCC frames: a small CNN over (coeff x frame) patches.

Follows the layout of the official PyTorch MNIST example (train/test functions,
Adadelta + StepLR). The clips are synthesised: each keyword is a sequence of
formant-like ridges on a 32-band mel scale, with speaker pitch/tempo variation,
background noise and random onset, then log-compressed and DCT'd to 13 MFCCs.
"""
import argparse
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy.fft import dct
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

KEYWORDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
N_MEL, N_FRAMES, N_MFCC = 32, 48, 13


def synth_clips(n_per_class, rng):
    # a keyword = 3 syllable-ish segments, each with two formant tracks (start->end band)
    protos = []
    for _ in KEYWORDS:
        segs = []
        for _ in range(3):
            f1 = rng.uniform(3, 14, size=2)
            f2 = rng.uniform(14, 29, size=2)
            segs.append((f1, f2, rng.uniform(0.6, 1.4)))
        protos.append(segs)
    bands = np.arange(N_MEL)[:, None]
    X, y = [], []
    for c, segs in enumerate(protos):
        for _ in range(n_per_class):
            warp = rng.normal(1.0, 0.06)             # speaker vocal tract length
            tempo = rng.uniform(0.8, 1.2)
            onset = rng.integers(0, 12)
            spec = rng.gamma(2.0, 0.02, size=(N_MEL, N_FRAMES))
            t0 = onset
            for f1, f2, dur in segs:
                L = max(3, int(round(10 * dur * tempo)))
                for k in range(L):
                    t = t0 + k
                    if t >= N_FRAMES:
                        break
                    a = k / max(L - 1, 1)
                    for (fa, fb), w in ((f1, 1.0), (f2, 0.6)):
                        fc = (fa + (fb - fa) * a) * warp
                        spec[:, t] += w * np.exp(-0.5 * ((bands[:, 0] - fc) / 1.3) ** 2)
                t0 += L + rng.integers(0, 3)
            spec *= rng.lognormal(0, 0.3)          # loudness
            mf = dct(np.log(spec + 1e-3), axis=0, norm="ortho")[:N_MFCC]
            X.append(mf.astype(np.float32))
            y.append(c)
    return np.stack(X), np.array(y)


class Net(nn.Module):
    def __init__(self, n_classes=len(KEYWORDS)):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1, padding=1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(64 * 3 * 12, 128)
        self.fc2 = nn.Linear(128, n_classes)

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


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    acc = correct / len(test_loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(test_loader.dataset)} ({100. * acc:.1f}%)")
    return acc


def main():
    parser = argparse.ArgumentParser(description="KWS MFCC CNN")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--test-batch-size", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=10)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    device = torch.device("cpu")

    X, y = synth_clips(180, rng)
    perm = rng.permutation(len(y))
    X, y = X[perm], y[perm]
    n_tr = int(0.8 * len(y))
    mu = X[:n_tr].mean(axis=(0, 2), keepdims=True)
    sd = X[:n_tr].std(axis=(0, 2), keepdims=True)
    X = (X - mu) / sd
    Xt = torch.from_numpy(X).unsqueeze(1)
    yt = torch.from_numpy(y).long()
    train_loader = DataLoader(TensorDataset(Xt[:n_tr], yt[:n_tr]), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(Xt[n_tr:], yt[n_tr:]), batch_size=args.test_batch_size)

    model = Net().to(device)
    optimizer = torch.optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        acc = test(model, device, test_loader)
        scheduler.step()
    print(f"final test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
