"""Digits (8x8) classifier: small CNN with BatchNorm, AdamW, label smoothing,
and an exponential moving average of the weights kept in a deepcopy of the model.
The EMA copy is what gets evaluated at the end."""
import copy
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)
random.seed(0)


class Net(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(64)
        self.drop = nn.Dropout(0.25)
        self.fc1 = nn.Linear(64 * 4 * 4, 128)
        self.fc2 = nn.Linear(128, n_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = self.drop(torch.flatten(x, 1))
        x = F.relu(self.fc1(x))
        return self.fc2(x)


@torch.no_grad()
def update_ema(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


def evaluate(model, loader):
    model.eval()
    correct, total, loss = 0, 0, 0.0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss += F.cross_entropy(out, y).item() * len(y)
            correct += (out.argmax(1) == y).sum().item()
            total += len(y)
    return loss / total, correct / total


def main():
    digits = load_digits()
    X = (digits.images / 16.0).astype(np.float32)
    X = (X - 0.3) / 0.4  # roughly centred
    y = digits.target
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    train_ds = TensorDataset(torch.tensor(X_tr).unsqueeze(1), torch.tensor(y_tr))
    val_ds = TensorDataset(torch.tensor(X_va).unsqueeze(1), torch.tensor(y_va))
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = Net()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

    for epoch in range(1, 13):
        model.train()
        running = 0.0
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            update_ema(ema, model, decay=0.98)
            running += loss.item() * len(y)
        val_loss, val_acc = evaluate(model, val_loader)
        ema_loss, ema_acc = evaluate(ema, val_loader)
        print(f"epoch {epoch:2d} train_loss {running / len(train_ds):.4f} "
              f"val_loss {val_loss:.4f} val_acc {val_acc:.4f} ema_val_acc {ema_acc:.4f}")

    _, final_acc = evaluate(ema, val_loader)
    print(f"final val_acc (EMA) {final_acc:.4f}")


if __name__ == "__main__":
    main()
