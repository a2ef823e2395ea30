"""Colony state from hive-microphone spectrograms (queenright / queenless / pre-swarm).

32 mel-ish bands x 40 frames of log energy per clip from in-hive microphones.
Structured like the PyTorch MNIST example: log_softmax + nll_loss, StepLR,
a summed test loss. Training clips get augmentation (random gain, circular
time shift, one frequency mask) because each hive's microphone sits at a
different depth; so the training loss runs above the clean validation loss.
"""
import argparse

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

BANDS, FRAMES = 32, 40
CLASSES = ["queenright", "queenless", "pre_swarm"]


def synth_clips(n, rng):
    f = np.arange(BANDS)[:, None]
    t = np.arange(FRAMES)[None, :]
    y = rng.integers(0, 3, n)
    X = np.empty((n, BANDS, FRAMES), dtype=np.float32)
    for i in range(n):
        hum_centre = rng.normal(9.0, 1.2)
        hum = 2.2 * np.exp(-0.5 * ((f - hum_centre) / 2.0) ** 2)
        harm = 0.9 * np.exp(-0.5 * ((f - 2 * hum_centre) / 2.5) ** 2)
        spec = hum + harm + 0.4 * np.exp(-f / 6.0) + np.zeros((1, FRAMES))
        if y[i] == 1:                                   # queenless roar: broader, louder, unsteady
            spec = spec + 0.55 * np.exp(-0.5 * ((f - hum_centre - 4) / 3.0) ** 2) \
                * (1 + 0.5 * np.sin(t / rng.uniform(2, 5) + rng.uniform(0, 6)))
        elif y[i] == 2:                                 # piping: short tonal bursts in upper bands
            band = rng.integers(19, 25)
            for _ in range(rng.integers(1, 4)):
                start = rng.integers(0, FRAMES - 6)
                length = rng.integers(2, 6)
                spec[band - 1:band + 2, start:start + length] += rng.uniform(0.6, 1.4)
        wind = rng.gamma(1.0, 0.5) * np.exp(-f / 3.0) * (1 + 0.6 * rng.standard_normal((1, FRAMES)))
        spec = spec + wind + rng.normal(0, 0.35, (BANDS, FRAMES))
        X[i] = np.log1p(np.clip(spec, 0, None) * rng.lognormal(0, 0.25))
    return X, y


class Clips(Dataset):
    def __init__(self, X, y, augment=False, seed=0):
        self.X, self.y, self.augment = torch.from_numpy(X), torch.from_numpy(y), augment
        self.g = torch.Generator().manual_seed(seed)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        if self.augment:
            x = x + 0.15 * torch.randn(1, generator=self.g)
            x = torch.roll(x, int(torch.randint(0, FRAMES, (1,), generator=self.g)), dims=1)
            f0 = int(torch.randint(0, BANDS - 3, (1,), generator=self.g))
            x = x.clone()
            x[f0:f0 + 3] = x.mean()
        return x, self.y[i]


class HiveNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(BANDS, 48, 5, padding=2)
        self.bn1 = nn.BatchNorm1d(48)
        self.conv2 = nn.Conv1d(48, 48, 5, padding=2)
        self.bn2 = nn.BatchNorm1d(48)
        self.dropout = nn.Dropout(0.3)
        self.fc = nn.Linear(96, len(CLASSES))

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = torch.cat([x.mean(-1), x.amax(-1)], dim=1)
        x = self.fc(self.dropout(x))
        return F.log_softmax(x, dim=1)


def train(args, model, train_loader, optimizer, epoch):
    model.train()
    total, n = 0.0, 0
    for data, target in train_loader:
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(target)
        n += len(target)
    return total / n


def test(model, test_loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            correct += output.argmax(dim=1).eq(target).sum().item()
    n = len(test_loader.dataset)
    return test_loss / n, correct / n


def main():
    parser = argparse.ArgumentParser(description="hive state CNN")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--gamma", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    rng = np.random.default_rng(args.seed)
    X, y = synth_clips(2000, rng)
    train_ds = Clips(X[:1600], y[:1600], augment=True, seed=args.seed)
    val_ds = Clips(X[1600:], y[1600:])
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=200)

    model = HiveNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        tr_loss = train(args, model, train_loader, optimizer, epoch)
        val_loss, val_acc = test(model, val_loader)
        scheduler.step()
        print(f"epoch {epoch:2d}  train nll {tr_loss:.4f}  val nll {val_loss:.4f}  val acc {val_acc:.4f}")
    print(f"final val accuracy {val_acc:.4f}  val nll {val_loss:.4f}")


if __name__ == "__main__":
    main()
