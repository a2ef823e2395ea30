"""Small CNN with BatchNorm + dropout on the 8x8 sklearn digits."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
X = digits.images.astype("float32") / 16.0
X = (X - 0.5) / 0.5
y = digits.target
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
train_ds = TensorDataset(torch.tensor(Xtr).unsqueeze(1), torch.tensor(ytr))
val_ds = TensorDataset(torch.tensor(Xva).unsqueeze(1), torch.tensor(yva))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(64)
        self.drop = nn.Dropout(0.5)
        self.fc1 = nn.Linear(64 * 4 * 4, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = torch.flatten(x, 1)
        x = self.drop(F.relu(self.fc1(x)))
        return self.fc2(x)


def train(model, loader, optimizer, epoch):
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()


def evaluate(model, loader):
    model.eval()
    correct, total_loss = 0, 0.0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            total_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    return total_loss / n, correct / n


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=6, gamma=0.3)

model.train()
for epoch in range(1, 16):
    train(model, train_loader, optimizer, epoch)
    val_loss, val_acc = evaluate(model, val_loader)
    scheduler.step()
    print(f"epoch {epoch} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

print(f"final val_acc {val_acc:.4f}")
