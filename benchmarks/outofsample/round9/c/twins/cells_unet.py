"""Per-pixel segmentation of synthetic microscopy tiles with a two-level U-Net.

Each 32x32 tile shows round nuclei (class 1) and striated fibre patches (class 2) on a noisy,
unevenly lit background (class 0). Metric: mean IoU over the three classes on held-out tiles.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 3
torch.manual_seed(SEED)
np.random.seed(SEED)


def make_tiles(n, size=32, rng=None):
    rng = rng or np.random.default_rng(SEED)
    yy, xx = np.mgrid[:size, :size]
    imgs = np.zeros((n, 1, size, size), np.float32)
    masks = np.zeros((n, size, size), np.int64)
    for i in range(n):
        light = 0.4 * np.sin(xx / rng.uniform(6, 14) + rng.uniform(0, 6)) * np.cos(yy / rng.uniform(6, 14))
        img = light + rng.normal(0, 0.45, (size, size))
        m = np.zeros((size, size), np.int64)
        for _ in range(rng.integers(1, 3)):
            h, w = rng.integers(6, 13, 2)
            r0, c0 = rng.integers(0, size - h), rng.integers(0, size - w)
            patch = np.zeros((size, size), bool)
            patch[r0:r0 + h, c0:c0 + w] = True
            stripes = np.where(((xx + yy) // 2) % 2 == 0, 1.0, -0.6)
            img[patch] += stripes[patch]
            m[patch] = 2
        for _ in range(rng.integers(1, 4)):
            r = rng.uniform(2.5, 5.5)
            cy, cx = rng.uniform(r, size - r, 2)
            disk = (yy - cy) ** 2 + (xx - cx) ** 2 <= r ** 2
            img[disk] = light[disk] + 1.2 + rng.normal(0, 0.45, disk.sum())
            m[disk] = 1
        imgs[i, 0] = img
        masks[i] = m
    return torch.from_numpy(imgs), torch.from_numpy(masks)


def conv_block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    def __init__(self, n_classes=3, base=16):
        super().__init__()
        self.enc1 = conv_block(1, base)
        self.enc2 = conv_block(base, 2 * base)
        self.up = nn.ConvTranspose2d(2 * base, base, 2, stride=2)
        self.dec = conv_block(2 * base, base)
        self.head = nn.Conv2d(base, n_classes, 1)
        self._init_weights()

    def _init_weights(self):
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
        nn.init.normal_(self.head.weight, std=self.head.in_channels ** -0.5)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        d = self.dec(torch.cat([self.up(e2), e1], dim=1))
        return self.head(d)


def mean_iou(pred, target, n_classes=3):
    ious = []
    for c in range(n_classes):
        inter = ((pred == c) & (target == c)).sum().item()
        union = ((pred == c) | (target == c)).sum().item()
        if union:
            ious.append(inter / union)
    return float(np.mean(ious))


rng = np.random.default_rng(SEED)
x_train, m_train = make_tiles(512, rng=rng)
x_val, m_val = make_tiles(160, rng=rng)
mu, sd = x_train.mean(), x_train.std()
x_train, x_val = (x_train - mu) / sd, (x_val - mu) / sd

model = UNet()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
epochs, bs = 6, 16
steps = epochs * (len(x_train) // bs)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=steps)

for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(x_train))
    running = 0.0
    for k in range(len(x_train) // bs):
        idx = perm[k * bs:(k + 1) * bs]
        logits = model(x_train[idx])
        loss = F.cross_entropy(logits, m_train[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        running += loss.item()
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(x_val[i:i + 80]).argmax(1) for i in range(0, len(x_val), 80)])
    print(f"epoch {epoch + 1}: train loss {running / (len(x_train) // bs):.4f}  val mIoU {mean_iou(pred, m_val):.4f}")

print(f"final val mIoU: {mean_iou(pred, m_val):.4f}")
