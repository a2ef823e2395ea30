"""Handwritten digit scans (8x8) with a small ResNet-style CNN in PyTorch Lightning.
The stem is the standard ResNet stem, so the same model class can be reused on larger scans."""
import lightning as L
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class BasicBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + x)


class TinyResNet(L.LightningModule):
    def __init__(self, width=16, n_classes=10, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.stem = nn.Sequential(
            nn.Conv2d(1, width, kernel_size=7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(width), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.blocks = nn.Sequential(BasicBlock(width), BasicBlock(width))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, n_classes)
        self.history = []

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(self.pool(x), 1))

    def training_step(self, batch, _):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_epoch=True)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        logits = self(x)
        loss = F.cross_entropy(logits, y)
        acc = (logits.argmax(1) == y).float().mean()
        self.log_dict({"val_loss": loss, "val_acc": acc})
        self.history.append((loss.item(), acc.item()))

    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return [opt], [sched]


def loaders():
    d = load_digits()
    X = torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1)
    X = (X - 0.3) / 0.4
    y = torch.tensor(d.target)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=1, stratify=y)
    return (DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True),
            DataLoader(TensorDataset(Xva, yva), batch_size=512))


if __name__ == "__main__":
    L.seed_everything(0, verbose=False)
    train_dl, val_dl = loaders()
    model = TinyResNet()
    trainer = L.Trainer(max_epochs=12, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, deterministic=True)
    trainer.fit(model, train_dl, val_dl)
    vl, va = model.history[-1]
    print(f"final val_loss {vl:.4f} val_acc {va:.4f}")
