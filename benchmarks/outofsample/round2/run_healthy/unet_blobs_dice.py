import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

SEED = 11
np.random.seed(SEED)
torch.manual_seed(SEED)

H = W = 32


class BlobDataset(Dataset):
    def __init__(self, n, seed):
        g = np.random.default_rng(seed)
        yy, xx = np.mgrid[0:H, 0:W]
        self.imgs = np.zeros((n, 1, H, W), np.float32)
        self.masks = np.zeros((n, 1, H, W), np.float32)
        for i in range(n):
            m = np.zeros((H, W), bool)
            for _ in range(g.integers(1, 4)):
                cx, cy = g.uniform(4, W - 4, 2)
                a, b = g.uniform(2, 6, 2)
                th = g.uniform(0, np.pi)
                dx, dy = xx - cx, yy - cy
                u = dx * np.cos(th) + dy * np.sin(th)
                v = -dx * np.sin(th) + dy * np.cos(th)
                m |= (u / a) ** 2 + (v / b) ** 2 <= 1
            bg = 0.3 * np.sin(xx / g.uniform(3, 8) + g.uniform(0, 6)) * np.cos(yy / g.uniform(3, 8))
            img = bg + 0.9 * m + g.normal(0, 0.25, (H, W))
            self.imgs[i, 0] = img
            self.masks[i, 0] = m

    def __len__(self):
        return len(self.imgs)

    def __getitem__(self, i):
        return torch.from_numpy(self.imgs[i]), torch.from_numpy(self.masks[i])


def conv_block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.GroupNorm(4, cout), nn.SiLU(),
        nn.Conv2d(cout, cout, 3, padding=1), nn.GroupNorm(4, cout), nn.SiLU(),
    )


class TinyUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.d1 = conv_block(1, 16)
        self.d2 = conv_block(16, 32)
        self.mid = conv_block(32, 64)
        self.up2 = nn.ConvTranspose2d(64, 32, 2, stride=2)
        self.u2 = conv_block(64, 32)
        self.up1 = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.u1 = conv_block(32, 16)
        self.out = nn.Conv2d(16, 1, 1)

    def forward(self, x):
        s1 = self.d1(x)
        s2 = self.d2(F.max_pool2d(s1, 2))
        m = self.mid(F.max_pool2d(s2, 2))
        x = self.u2(torch.cat([self.up2(m), s2], 1))
        x = self.u1(torch.cat([self.up1(x), s1], 1))
        return self.out(x)


def soft_dice_loss(logits, target, eps=1.0):
    p = torch.sigmoid(logits)
    inter = (p * target).sum((1, 2, 3))
    denom = p.sum((1, 2, 3)) + target.sum((1, 2, 3))
    return 1 - ((2 * inter + eps) / (denom + eps)).mean()


train_dl = DataLoader(BlobDataset(1200, 1), batch_size=32, shuffle=True)
val_dl = DataLoader(BlobDataset(200, 2), batch_size=100)

model = TinyUNet()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
bce = nn.BCEWithLogitsLoss()

for epoch in range(6):
    model.train()
    for img, mask in train_dl:
        logits = model(img)
        loss = bce(logits, mask) + soft_dice_loss(logits, mask)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    inter = union = 0.0
    with torch.no_grad():
        for img, mask in val_dl:
            pred = (model(img) > 0).float()
            inter += (pred * mask).sum().item()
            union += ((pred + mask) > 0).float().sum().item()
    print(f"epoch {epoch} last_batch_loss {loss.item():.4f} val_IoU {inter / union:.4f}")

print(f"final val IoU {inter / union:.4f}")
