"""Small all-conv digit recogniser (8x8 scans) trained with a hand-rolled SGD loop."""
import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

torch.manual_seed(1)
np.random.seed(1)

digits = load_digits()
X = digits.images.astype(np.float32) / 16.0
X = (X - 0.5) / 0.5
y = digits.target
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=1, stratify=y)
X_train = torch.from_numpy(X_train).unsqueeze(1)
X_test = torch.from_numpy(X_test).unsqueeze(1)
y_train = torch.from_numpy(y_train)
y_test = torch.from_numpy(y_test)


class ConvNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64 * 2 * 2, 128), nn.ReLU(),
            nn.Linear(128, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def init_params(m):
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.normal_(m.weight, mean=0.0, std=0.02)
        nn.init.zeros_(m.bias)


model = ConvNet()
model.apply(init_params)

epochs, batch_size, base_lr = 12, 32, 0.05
steps_per_epoch = math.ceil(len(X_train) / batch_size)
total_steps = epochs * steps_per_epoch
step = 0
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(X_train))
    running = 0.0
    for i in range(0, len(X_train), batch_size):
        idx = perm[i:i + batch_size]
        lr = 0.5 * base_lr * (1 + math.cos(math.pi * step / total_steps))
        logits = model(X_train[idx])
        loss = F.cross_entropy(logits, y_train[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item()
        step += 1
    model.eval()
    with torch.no_grad():
        test_logits = model(X_test)
        test_loss = F.cross_entropy(test_logits, y_test).item()
        acc = (test_logits.argmax(1) == y_test).float().mean().item()
    print(f"epoch {epoch + 1:2d} lr {lr:.4f} train_loss {running / steps_per_epoch:.4f} "
          f"test_loss {test_loss:.4f} test_acc {acc:.4f}")

print(f"final test_acc {acc:.4f}")
