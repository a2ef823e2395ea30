"""Copperplate / zinc etching: predict the bite outcome of a plate from the bath log.

Each row is one plate pulled from the mordant bath: acid strength (Baume), bath temperature,
bite time, hard-ground thickness, line width of the drawing, agitation (rocks per minute) and the
plate metal.  The printmaker grades the proof as under-bitten, clean, over-bitten or foul-bitten
(acid creeping under a thin ground).  A small Lightning MLP with SGD + step decay.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

L.seed_everything(11, verbose=False)
torch.set_num_threads(1)

CLASSES = ["under", "clean", "over", "foul"]


def make_bath_log(n, rng):
    baume = rng.uniform(28, 45, n)                  # ferric chloride strength
    temp = rng.normal(19, 3.5, n)                   # deg C
    minutes = rng.gamma(4.0, 6.0, n)                # bite time
    ground = rng.lognormal(np.log(12), 0.35, n)     # microns of hard ground
    line_w = rng.uniform(0.05, 0.6, n)              # mm, finest line of the drawing
    rocks = rng.poisson(9, n).astype(float)         # rocks per minute
    metal = rng.integers(0, 2, n)                   # 0 copper, 1 zinc
    speed = np.where(metal == 1, 1.8, 1.0)          # zinc bites faster
    depth = minutes * (baume / 36) ** 1.6 * np.exp(0.06 * (temp - 19)) * speed
    depth = depth / (0.4 + line_w)                  # fine lines bite through sooner
    depth *= rng.lognormal(0, 0.12, n)
    y = np.digitize(np.log(depth), [np.log(22), np.log(70)])   # 0 under, 1 clean, 2 over
    foul_risk = 2.2 * (8 - ground) / 3 + 0.25 * (rocks - 9) + 0.9 * metal + 0.05 * (baume - 36)
    foul = foul_risk + rng.normal(0, 0.6, n) > 1.4
    y = np.where(foul, 3, y)
    cont = np.stack([baume, temp, minutes, ground, line_w, rocks], 1)
    onehot = np.eye(2)[metal]
    return cont.astype(np.float32), onehot.astype(np.float32), y.astype(np.int64)


rng = np.random.default_rng(11)
cont, onehot, y = make_bath_log(3000, rng)
perm = rng.permutation(len(y))
tr, va = perm[:2400], perm[2400:]
mu, sd = cont[tr].mean(0), cont[tr].std(0)
X = np.concatenate([(cont - mu) / sd, onehot], 1).astype(np.float32)

train_dl = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
                      batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])), batch_size=256)


class BiteGrader(L.LightningModule):
    def __init__(self, n_in, n_cls, lr=0.1):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, 64), nn.ReLU(),
            nn.Linear(64, 64), nn.ReLU(),
            nn.Linear(64, n_cls),
        )
        self.loss = nn.CrossEntropyLoss()
        self.val_acc = []

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, t = batch
        loss = self.loss(self(x), t)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, t = batch
        logits = self(x)
        self.log("val_loss", self.loss(logits, t))
        self.log("val_acc", (logits.argmax(1) == t).float().mean())

    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


model = BiteGrader(X.shape[1], len(CLASSES))
trainer = L.Trainer(max_epochs=15, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)

model.eval()
with torch.no_grad():
    pred = model(torch.from_numpy(X[va])).argmax(1).numpy()
acc = (pred == y[va]).mean()
per_cls = [float((pred[y[va] == c] == c).mean()) for c in range(len(CLASSES))]
print(f"final val_acc={acc:.4f} balanced_acc={np.mean(per_cls):.4f} "
      f"lr_end={trainer.optimizers[0].param_groups[0]['lr']:.2e}")
