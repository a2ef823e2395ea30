"""Lightning CNN that classifies 16x16 images of drawn shapes (square, disc, triangle, cross)."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(0, verbose=False)
rng = np.random.default_rng(0)
SIZE = 16


def draw(kind):
    img = np.zeros((SIZE, SIZE), dtype=np.float32)
    r = rng.integers(3, 7); cx, cy = rng.integers(r, SIZE - r, 2)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    if kind == 0:
        img[cy - r:cy + r, cx - r:cx + r] = 1
    elif kind == 1:
        img[(yy - cy) ** 2 + (xx - cx) ** 2 <= r * r] = 1
    elif kind == 2:
        img[(yy >= cy - r) & (yy <= cy + r) & (np.abs(xx - cx) <= (yy - cy + r) / 2)] = 1
    else:
        img[cy - r:cy + r, cx - 1:cx + 1] = 1; img[cy - 1:cy + 1, cx - r:cx + r] = 1
    img += 0.3 * rng.standard_normal(img.shape).astype(np.float32)
    return img


def make_split(n_per_class):
    xs, ys = [], []
    for k in range(4):
        for _ in range(n_per_class):
            xs.append(draw(k)); ys.append(k)
    return torch.tensor(np.stack(xs))[:, None], torch.tensor(ys)


class ShapesCNN(L.LightningModule):
    def __init__(self, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Linear(32 * 4 * 4, 4)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


if __name__ == "__main__":
    Xtr, ytr = make_split(500)
    Xva, yva = make_split(100)
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=50, shuffle=False, num_workers=0)
    val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=200, shuffle=False, num_workers=0)
    trainer = L.Trainer(max_epochs=6, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    model = ShapesCNN()
    trainer.fit(model, train_loader, val_loader)
    res = trainer.validate(model, val_loader, verbose=False)[0]
    print(f"final val_acc {res['val_acc']:.4f} val_loss {res['val_loss']:.4f}")
