import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def backbone():
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten())


def pretrain(features, images, labels, steps=150):
    head = nn.Linear(128, 5)
    model = nn.Sequential(features, head)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loader = DataLoader(TensorDataset(images, labels), batch_size=32, shuffle=True)
    step = 0
    while step < steps:
        for xb, yb in loader:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            optimizer.step()
            step += 1
    return features


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    digits = load_digits()
    images = torch.tensor(digits.images[:, None] / 16.0, dtype=torch.float32)
    labels = torch.tensor(digits.target)
    first_half = labels < 5
    features = pretrain(backbone(), images[first_half], labels[first_half])
    for p in features.parameters():
        p.requires_grad_(False)

    X_train, X_val, y_train, y_val = train_test_split(images, labels, test_size=0.25, random_state=0, stratify=labels)
    model = nn.Sequential(features, nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)

    for epoch in range(6):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f}")

    with torch.no_grad():
        pred = model(X_val).argmax(dim=1).numpy()
    print(f"final_val_metric={balanced_accuracy_score(y_val.numpy(), pred):.4f}")


if __name__ == "__main__":
    main()
