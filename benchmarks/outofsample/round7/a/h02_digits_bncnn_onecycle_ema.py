"""Small BatchNorm CNN on the scikit-learn 8x8 digit scans.

OneCycleLR (stepped per batch), SGD with Nesterov momentum, light random-shift
augmentation, and an exponential moving average of the weights kept in a
copy.deepcopy of the network. The EMA model is evaluated and saved whole with
torch.save at the end.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

digits = load_digits()
X = (digits.images / 16.0).astype(np.float32)[:, None]  # (N, 1, 8, 8) in [0, 1]
y = digits.target.astype(np.int64)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=64, shuffle=True, drop_last=True)
test_loader = DataLoader(TensorDataset(torch.from_numpy(X_te), torch.from_numpy(y_te)), batch_size=256)


def conv_bn(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class DigitNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(1, 32), conv_bn(32, 32), nn.MaxPool2d(2),   # 4x4
            conv_bn(32, 64), conv_bn(64, 64), nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, n_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def random_shift(x, max_shift=1):
    # pad-and-crop jitter, one offset per batch
    dx, dy = np.random.randint(-max_shift, max_shift + 1, size=2)
    x = F.pad(x, (max_shift,) * 4)
    return x[:, :, max_shift + dy:max_shift + dy + 8, max_shift + dx:max_shift + dx + 8]


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(net):
    net.eval()
    correct, loss = 0, 0.0
    for xb, yb in test_loader:
        out = net(xb)
        loss += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
    n = len(test_loader.dataset)
    return loss / n, correct / n


model = DigitNet()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)

epochs = 12
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.2, epochs=epochs,
                                                steps_per_epoch=len(train_loader), pct_start=0.25)

for epoch in range(epochs):
    model.train()
    tot, nb = 0.0, 0
    for xb, yb in train_loader:
        xb = random_shift(xb)
        loss = F.cross_entropy(model(xb), yb, label_smoothing=0.05)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        ema_update(ema, model, decay=0.98)
        tot += loss.item()
        nb += 1
    vl, va = evaluate(model)
    el, ea = evaluate(ema)
    print(f"epoch {epoch + 1:2d} lr {scheduler.get_last_lr()[0]:.4f} train {tot / nb:.4f} "
          f"| model val {vl:.4f} acc {va:.4f} | ema val {el:.4f} acc {ea:.4f}")

out_dir = tempfile.mkdtemp(prefix="digits_ckpt_")
path = os.path.join(out_dir, "digitnet_ema.pt")
torch.save(ema, path)
restored = torch.load(path, weights_only=False)
rl, ra = evaluate(restored)
print(f"saved EMA model to {path}")
print(f"final test_acc={ra:.4f} test_loss={rl:.4f}")
