"""Estate ice houses: drainage condition from a winter of sump and chamber readings.

Surveyors log each ice house's chamber temperature, sump level, seepage rate, meltwater
conductivity, wall dampness and so on. Most houses drain soundly; a few are seeping and
fewer still have a failing drain. Lightning, class-weighted cross-entropy, warm-up then
cosine decay stepped per batch, and routine gradient-norm clipping.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from sklearn.metrics import balanced_accuracy_score

CONDITION = ["sound", "seeping", "failing"]


def survey(n, seed):
    rng = np.random.default_rng(seed)
    cond = rng.choice(3, size=n, p=[0.82, 0.13, 0.05])
    chamber_c = rng.normal(1.5, 0.8, n) + np.array([0.0, 0.9, 2.2])[cond]
    sump_cm = rng.gamma(2, 4, n) + np.array([0, 9, 25])[cond]
    seep_lph = rng.lognormal(0, 0.5, n) * np.array([1, 2.4, 4.5])[cond]
    cond_us = rng.normal(300, 60, n) + np.array([0, 50, 140])[cond]
    damp = rng.beta(2, 5, n) + np.array([0, 0.12, 0.3])[cond]
    depth_m = rng.uniform(3, 9, n)
    straw = rng.uniform(0, 1, n)
    age = rng.uniform(120, 300, n)
    X = np.column_stack([chamber_c, sump_cm, np.log(seep_lph), cond_us, damp, depth_m, straw, age])
    return X.astype(np.float32), cond.astype(np.int64)


class DrainageNet(L.LightningModule):
    def __init__(self, class_weights, total_steps, lr=3e-3, warmup=30):
        super().__init__()
        self.save_hyperparameters(ignore=["class_weights"])
        self.net = nn.Sequential(nn.Linear(8, 64), nn.GELU(), nn.Dropout(0.1),
                                 nn.Linear(64, 64), nn.GELU(), nn.Linear(64, 3))
        self.loss_fn = nn.CrossEntropyLoss(weight=class_weights)

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        self.log("val_loss", self.loss_fn(self(x), y))

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-2)
        warm, total = self.hparams.warmup, self.hparams.total_steps

        def schedule(step):
            if step < warm:
                return (step + 1) / warm
            return 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm)))

        sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def main():
    L.seed_everything(2, verbose=False)
    X, y = survey(3000, seed=8)
    X_tr, y_tr, X_va, y_va = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
    counts = np.bincount(y_tr, minlength=3)
    weights = torch.tensor(len(y_tr) / (3 * counts), dtype=torch.float32)

    train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=300)
    epochs = 12
    model = DrainageNet(weights, total_steps=epochs * len(train_dl))
    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, gradient_clip_val=1.0)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(X_va)).argmax(1).numpy()
    print(f"class shares {np.round(counts / counts.sum(), 3).tolist()}")
    print(f"val accuracy {(pred == y_va).mean():.4f} balanced accuracy {balanced_accuracy_score(y_va, pred):.4f}")


if __name__ == "__main__":
    main()
