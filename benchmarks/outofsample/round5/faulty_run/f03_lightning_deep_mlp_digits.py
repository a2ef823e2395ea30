"""Deep fully-connected classifier on the digits features, trained with Lightning.

The depth is a config knob; the experiment sweeps it, this is the depth-9 point.
"""
import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

CONFIG = dict(depth=9, width=96, lr=0.05, momentum=0.9, batch_size=64, epochs=12, seed=7)


def make_mlp(n_in, n_out, depth, width):
    layers, d = [], n_in
    for _ in range(depth):
        layers += [nn.Linear(d, width), nn.Sigmoid()]
        d = width
    layers.append(nn.Linear(d, n_out))
    net = nn.Sequential(*layers)
    for m in net.modules():
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight)
            nn.init.zeros_(m.bias)
    return net


class DigitsMLP(L.LightningModule):
    def __init__(self, n_in, n_out, depth, width, lr, momentum):
        super().__init__()
        self.save_hyperparameters()
        self.net = make_mlp(n_in, n_out, depth, width)

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr,
                               momentum=self.hparams.momentum)


def main(cfg=CONFIG):
    L.seed_everything(cfg["seed"], verbose=False)
    X, y = load_digits(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, stratify=y,
                                              random_state=cfg["seed"])
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_va = scaler.transform(X_tr), scaler.transform(X_va)

    def ds(a, b):
        return TensorDataset(torch.tensor(a, dtype=torch.float32), torch.tensor(b))

    train_dl = DataLoader(ds(X_tr, y_tr), batch_size=cfg["batch_size"], shuffle=True)
    val_dl = DataLoader(ds(X_va, y_va), batch_size=256)

    model = DigitsMLP(X.shape[1], 10, cfg["depth"], cfg["width"], cfg["lr"], cfg["momentum"])
    trainer = L.Trainer(max_epochs=cfg["epochs"], accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)
    m = trainer.callback_metrics
    print(f"final train_loss={m['train_loss']:.4f} val_loss={m['val_loss']:.4f} "
          f"val_acc={m['val_acc']:.4f}")


if __name__ == "__main__":
    main()
