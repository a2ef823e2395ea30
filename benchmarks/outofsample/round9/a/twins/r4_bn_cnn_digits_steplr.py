"""Small BatchNorm CNN on the 8x8 digit scans with light shift augmentation.

SGD + momentum + weight decay, the learning rate halved every 4 epochs
(StepLR), the model saved whole at the end.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)

digits = load_digits()
X = (digits.images.astype(np.float32) / 16.0 - 0.5) / 0.5
X_tr, X_te, y_tr, y_te = train_test_split(X, digits.target, test_size=0.3,
                                          random_state=1, stratify=digits.target)
train_ds = torch.utils.data.TensorDataset(torch.tensor(X_tr).unsqueeze(1), torch.tensor(y_tr))
test_ds = torch.utils.data.TensorDataset(torch.tensor(X_te).unsqueeze(1), torch.tensor(y_te))
train_loader = torch.utils.data.DataLoader(train_ds, batch_size=32, shuffle=True)
test_loader = torch.utils.data.DataLoader(test_ds, batch_size=256)


def random_shift(x, max_shift=1):
    dx, dy = np.random.randint(-max_shift, max_shift + 1, size=2)
    return torch.roll(x, shifts=(int(dy), int(dx)), dims=(2, 3))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn3 = nn.BatchNorm2d(64)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        x = F.relu(self.bn3(self.conv3(x)))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def train(model, loader, optimizer, scheduler, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        data = random_shift(data)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch:2d}  last loss {loss.item():.4f}  lr {optimizer.param_groups[0]['lr']:.2e}")


def test(model, loader):
    model.eval()
    correct, total_loss = 0, 0.0
    with torch.no_grad():
        for data, target in loader:
            out = model(data)
            total_loss += F.cross_entropy(out, target, reduction="sum").item()
            correct += (out.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    return total_loss / n, correct / n


np.random.seed(0)
model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)
for epoch in range(1, 13):
    train(model, train_loader, optimizer, scheduler, epoch)
    scheduler.step()
test_loss, test_acc = test(model, test_loader)
torch.save(model, "/tmp/bn_cnn_digits.pt")
print(f"final test_loss={test_loss:.4f} test_acc={test_acc:.4f}")
