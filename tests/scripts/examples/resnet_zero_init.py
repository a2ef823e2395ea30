"""Residual blocks whose last BatchNorm weight starts at zero (torchvision's zero_init_residual),
on the 8x8 digit images."""
# Written in the style of PyTorch's official examples.
# ruff: noqa: PLR0402

import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset


class BasicBlock(nn.Module):
    def __init__(self, planes):
        super().__init__()
        self.conv1 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + x)


class ResNet(nn.Module):
    def __init__(self, planes=16, blocks=2, num_classes=10, zero_init_residual=True):
        super().__init__()
        self.conv1 = nn.Conv2d(1, planes, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.layer1 = nn.Sequential(*[BasicBlock(planes) for _ in range(blocks)])
        self.avgpool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(planes * 4, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, BasicBlock):
                    nn.init.zeros_(m.bn2.weight)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer1(x)
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


def main():
    parser = argparse.ArgumentParser(description="small zero-init-residual ResNet on digits")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    images = (images - 0.3) / 0.37
    target = torch.tensor(digits.target)
    train_loader = DataLoader(TensorDataset(images[:1400], target[:1400]), batch_size=args.batch_size, shuffle=True)

    model = ResNet()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for data, labels in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(data), labels)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(data)
        model.eval()
        with torch.no_grad():
            out = model(images[1400:])
            acc = (out.argmax(1) == target[1400:]).float().mean().item()
        print(f"epoch {epoch}: train loss {total / 1400:.4f}  test acc {acc:.3f}")
    print(f"final test accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
