"""Read single digits cropped from utility-meter photos (8x8 grey crops, upsampled to 16x16).
Samples are indexed like torchvision's ImageFolder: one folder per digit, files in order."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset
from sklearn.datasets import load_digits

torch.manual_seed(3)
np.random.seed(3)


class MeterCrops(Dataset):
    """Mimics ImageFolder: self.samples is a list of (image, class) built folder by folder."""

    def __init__(self, images, labels, train):
        self.samples = [(images[i], int(c)) for c in range(10) for i in np.flatnonzero(labels == c)]
        self.train = train

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        img, c = self.samples[i]
        x = torch.from_numpy(img).float().view(1, 1, 8, 8) / 16.0
        x = F.interpolate(x, size=16, mode="bilinear", align_corners=False)[0]
        if self.train:                       # small random shift, crops are not perfectly centred
            dx, dy = np.random.randint(-1, 2, size=2)
            x = torch.roll(x, shifts=(int(dy), int(dx)), dims=(1, 2))
        return (x - 0.3) / 0.35, c


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


def train(model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
    print(f"Train Epoch: {epoch}\tLoss: {loss.item():.4f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    return test_loss / n, correct / n


def main():
    digits = load_digits()
    perm = np.random.permutation(len(digits.target))
    tr, te = perm[:1400], perm[1400:]
    train_set = MeterCrops(digits.images[tr], digits.target[tr], train=True)
    test_set = MeterCrops(digits.images[te], digits.target[te], train=False)
    train_loader = DataLoader(train_set, batch_size=32, shuffle=False)
    test_loader = DataLoader(test_set, batch_size=200)
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(1, 7):
        train(model, train_loader, optimizer, epoch)
        loss, acc = test(model, test_loader)
        print(f"Test set: Average loss: {loss:.4f}, Accuracy: {acc:.4f}")
    torch.save(model, "/tmp/meter_digits_cnn.pt")
    print(f"final test_loss {loss:.4f} test_acc {acc:.4f}")


if __name__ == "__main__":
    main()
