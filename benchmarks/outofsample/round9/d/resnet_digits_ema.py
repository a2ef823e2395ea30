"""Tiny ResNet on upsampled digit scans: OneCycle, EMA weights kept by deepcopy, whole-model save."""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
np.random.seed(3)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = nn.Sequential()
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.short(x))


class ResNetSmall(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        self.layer1 = BasicBlock(16, 16)
        self.layer2 = BasicBlock(16, 32, stride=2)
        self.layer3 = BasicBlock(32, 64, stride=2)
        self.fc = nn.Linear(64, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        for m in self.modules():
            if isinstance(m, BasicBlock):
                nn.init.zeros_(m.bn2.weight)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.stem(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


d = load_digits()
X = torch.from_numpy(d.images.astype(np.float32) / 16.0).unsqueeze(1)
X = F.interpolate(X, size=16, mode="bilinear", align_corners=False)
X = (X - X.mean()) / X.std()
idx_tr, idx_te = train_test_split(np.arange(len(X)), test_size=0.2, random_state=3, stratify=d.target)
y = torch.from_numpy(d.target)
train_loader = DataLoader(TensorDataset(X[idx_tr], y[idx_tr]), batch_size=64, shuffle=True)
test_loader = DataLoader(TensorDataset(X[idx_te], y[idx_te]), batch_size=128)

model = ResNetSmall()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
EPOCHS, DECAY = 10, 0.9
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=EPOCHS,
                                                steps_per_epoch=len(train_loader))


@torch.no_grad()
def update_ema(ema_model, model, decay):
    for e, p in zip(ema_model.parameters(), model.parameters()):
        e.mul_(decay).add_(p.detach(), alpha=1 - decay)
    for e, b in zip(ema_model.buffers(), model.buffers()):
        if b.dtype.is_floating_point:
            e.mul_(decay).add_(b, alpha=1 - decay)
        else:
            e.copy_(b)


@torch.no_grad()
def evaluate(net):
    net.eval()
    loss_sum, correct = 0.0, 0
    for xb, yb in test_loader:
        out = net(xb)
        loss_sum += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
    n = len(test_loader.dataset)
    return loss_sum / n, correct / n


for epoch in range(EPOCHS):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb, label_smoothing=0.05)
        loss.backward()
        optimizer.step()
        scheduler.step()
        update_ema(ema, model, DECAY)
    tl, ta = evaluate(model)
    el, ea = evaluate(ema)
    print(f"epoch {epoch + 1} train_loss {loss.item():.4f} test_loss {tl:.4f} test_acc {ta:.4f} "
          f"ema_loss {el:.4f} ema_acc {ea:.4f}")

path = os.path.join(tempfile.mkdtemp(), "resnet_ema.pt")
torch.save(ema, path)
restored = torch.load(path, weights_only=False)
loss, acc = evaluate(restored)
print(f"final ema test_loss {loss:.4f} test_acc {acc:.4f}")
