"""Segment damp patches in low-resolution thermal scans of plastered walls.

Survey camera exports 24x24 frames (deg C) and the inspectors' masks as 8-bit PNGs.
Small fully-convolutional net, trained with Lightning.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(7, verbose=False)
torch.set_num_threads(1)

H = W = 24


def make_survey(n, rng):
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    frames = np.empty((n, H, W), np.float32)
    masks = np.zeros((n, H, W), np.uint8)
    for i in range(n):
        # room-side wall: base temperature with a vertical gradient (warm ceiling) and a radiator glow
        base = rng.uniform(15.0, 21.0)
        img = base + rng.uniform(0.0, 1.5) * (1 - yy / H)
        rx = rng.uniform(0, W)
        img += rng.uniform(0, 2.0) * np.exp(-((xx - rx) ** 2) / 30.0 - ((yy - H) ** 2) / 20.0)
        m = np.zeros((H, W), bool)
        for _ in range(rng.integers(0, 3)):
            cx, cy = rng.uniform(3, W - 3), rng.uniform(8, H - 1)   # rising damp sits low
            ax, ay = rng.uniform(2, 6), rng.uniform(1.5, 4)
            blob = ((xx - cx) / ax) ** 2 + ((yy - cy) / ay) ** 2 < 1.0
            img -= 1.6 * blob * rng.uniform(0.7, 1.2)              # evaporative cooling
            m |= blob
        img += rng.normal(0, 0.35, size=img.shape)
        frames[i] = img
        masks[i] = m.astype(np.uint8) * 255                       # as read back from the PNG
    return frames, masks


rng = np.random.default_rng(7)
frames, masks = make_survey(900, rng)
n_tr = 700
mu, sd = frames[:n_tr].mean(), frames[:n_tr].std()
x = torch.from_numpy((frames - mu) / sd).unsqueeze(1)
y = torch.from_numpy(masks).float().div(255.0).unsqueeze(1)

train_ds = TensorDataset(x[:n_tr], y[:n_tr])
val_ds = TensorDataset(x[n_tr:], y[n_tr:])


class DampNet(L.LightningModule):
    def __init__(self, ch=16, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.body = nn.Sequential(
            nn.Conv2d(1, ch, 3, padding=1), nn.ReLU(),
            nn.Conv2d(ch, ch, 3, padding=2, dilation=2), nn.ReLU(),
            nn.Conv2d(ch, ch, 3, padding=1), nn.ReLU(),
            nn.Conv2d(ch, 1, 1),
        )

    def forward(self, x):
        # subtract the frame's median so the net sees relative temperature
        x = x - x.flatten(1).median(dim=1).values.view(-1, 1, 1, 1)
        return self.body(x)

    def training_step(self, batch, batch_idx):
        xb, mb = batch
        loss = F.binary_cross_entropy_with_logits(self(xb), mb)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        xb, mb = batch
        logits = self(xb)
        pred = logits > 0
        truth = mb > 0
        inter = (pred & truth).sum().float()
        union = (pred | truth).sum().float()
        self.log("val_iou", inter / union.clamp_min(1), reduce_fx="mean")

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


model = DampNet()
trainer = L.Trainer(max_epochs=8, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, DataLoader(train_ds, batch_size=32, shuffle=True), DataLoader(val_ds, batch_size=100))

model.eval()
with torch.no_grad():
    pred = model(val_ds.tensors[0]) > 0
    truth = val_ds.tensors[1] > 0
    iou = ((pred & truth).sum() / (pred | truth).sum()).item()
    pix = (pred == truth).float().mean().item()
print(f"final val IoU {iou:.3f}  pixel acc {pix:.3f}")
