"""Bidirectional GRU that classifies noisy multichannel sensor sequences by the
motif (one of 5 waveform shapes) hidden at a random position."""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(3)
rng = np.random.default_rng(3)

SEQ_LEN, CHANNELS, N_CLASSES = 48, 3, 5


def motif(kind, length=16):
    t = np.linspace(0, 1, length)
    return {
        0: np.sin(2 * np.pi * t),
        1: np.sign(np.sin(2 * np.pi * 2 * t)),
        2: 2 * t - 1,
        3: np.exp(-((t - 0.5) ** 2) / 0.01) * 2 - 0.5,
        4: np.sin(2 * np.pi * 3 * t) * t,
    }[kind]


class SensorSequences(Dataset):
    def __init__(self, n):
        self.x = np.empty((n, SEQ_LEN, CHANNELS), dtype=np.float32)
        self.y = rng.integers(0, N_CLASSES, size=n)
        for i, k in enumerate(self.y):
            walk = np.cumsum(rng.normal(0, 0.15, size=(SEQ_LEN, CHANNELS)), axis=0)
            x = walk - walk.mean(0) + rng.normal(0, 0.3, size=(SEQ_LEN, CHANNELS))
            pos = rng.integers(0, SEQ_LEN - 16)
            ch = rng.integers(0, CHANNELS)
            x[pos:pos + 16, ch] += 1.5 * motif(int(k))
            self.x[i] = x

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return torch.from_numpy(self.x[i]), int(self.y[i])


class GRUClassifier(nn.Module):
    def __init__(self, hidden=40):
        super().__init__()
        self.proj = nn.Linear(CHANNELS, hidden)
        self.gru = nn.GRU(hidden, hidden, num_layers=2, batch_first=True, bidirectional=True,
                          dropout=0.1)
        self.head = nn.Sequential(nn.LayerNorm(4 * hidden), nn.Linear(4 * hidden, N_CLASSES))

    def forward(self, x):
        h, _ = self.gru(torch.relu(self.proj(x)))
        pooled = torch.cat([h.mean(1), h.amax(1)], dim=-1)
        return self.head(pooled)


def run_epoch_eval(model, loader, criterion):
    model.eval()
    n, loss_sum, correct = 0, 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss_sum += criterion(out, y).item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
            n += len(y)
    return loss_sum / n, correct / n


def main():
    train_loader = DataLoader(SensorSequences(1600), batch_size=64, shuffle=True)
    val_loader = DataLoader(SensorSequences(500), batch_size=200)

    model = GRUClassifier()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)

    for epoch in range(1, 9):
        model.train()
        total = 0.0
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            total += loss.item() * len(y)
        optimizer.step()
        scheduler.step()
        val_loss, val_acc = run_epoch_eval(model, val_loader, criterion)
        print(f"epoch {epoch}: train_loss={total / len(train_loader.dataset):.4f} "
              f"val_loss={val_loss:.4f} val_acc={val_acc:.4f} lr={scheduler.get_last_lr()[0]:.2e}")

    print(f"final val_acc={val_acc:.4f} val_loss={val_loss:.4f}")


if __name__ == "__main__":
    main()
