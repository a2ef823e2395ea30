import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Block(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 24, 3, padding=1, bias=False), nn.BatchNorm2d(24), nn.ReLU())
        self.layer1 = Block(24)
        self.layer2 = Block(24)
        self.fc = nn.Linear(24, 10)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def train(model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
    print(f"Train Epoch: {epoch}\tLoss: {loss.item():.6f}")


def test(model, loader):
    model.eval()
    preds, targets = [], []
    with torch.no_grad():
        for data, target in loader:
            preds.append(model(data).argmax(dim=1))
            targets.append(target)
    return balanced_accuracy_score(torch.cat(targets).numpy(), torch.cat(preds).numpy())


def main():
    digits = load_digits()
    images = digits.images.astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(images, digits.target, test_size=0.25, random_state=1, stratify=digits.target)
    mean, std = X_train.mean(), X_train.std()
    train_set = TensorDataset(torch.tensor((X_train - mean) / std).unsqueeze(1), torch.tensor(y_train))
    test_set = TensorDataset(torch.tensor((X_test - mean) / std).unsqueeze(1), torch.tensor(y_test))
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=128)

    model = Net()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, 7):
        train(model, train_loader, optimizer, epoch)
        print(f"Test set: balanced accuracy {test(model, test_loader):.4f}")

    print(f"final_val_metric={test(model, test_loader):.4f}")


if __name__ == "__main__":
    main()
