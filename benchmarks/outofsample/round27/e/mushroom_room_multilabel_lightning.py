"""Mushroom farm: from a grow room's climate log summary and its batch metadata
(substrate supplier, strain, room — sparse one-hot columns), predict which problems
the pickers will flag on the next flush: green mould, cobweb, bacterial blotch,
dry bubble, low yield.  Several can co-occur, so it is multi-label with one logit
each; rare problems get a positive weight in BCEWithLogitsLoss.  LightningModule with
AdamW and cosine decay; macro average precision on the validation rooms.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader
import lightning.pytorch as pl
from sklearn.metrics import average_precision_score, f1_score

pl.seed_everything(5, verbose=False)
rng = np.random.default_rng(5)
PROBLEMS = ["green_mould", "cobweb", "blotch", "dry_bubble", "low_yield"]
N_SUP, N_STRAIN, N_ROOM = 12, 6, 10


def farm_records(n):
    sup = rng.integers(0, N_SUP, n)
    strain = rng.integers(0, N_STRAIN, n)
    room = rng.integers(0, N_ROOM, n)
    co2 = rng.normal(1100, 250, n)            # ppm during pinning
    rh = rng.normal(88, 3.5, n)                # relative humidity %
    temp = rng.normal(17.5, 1.2, n)            # air temperature C
    casing = rng.normal(45, 6, n)              # casing depth mm
    day = rng.uniform(14, 24, n)               # days from casing to first flush
    sup_risk = rng.normal(0, 1, N_SUP)
    room_risk = rng.normal(0, 0.8, N_ROOM)
    strain_yield = rng.normal(0, 0.7, N_STRAIN)
    z = lambda v: (v - v.mean()) / v.std()
    logits = np.column_stack([
        -3.0 + 2.0 * sup_risk[sup] + 1.3 * z(temp),                       # green mould
        -2.6 + 1.8 * z(rh) + 0.8 * room_risk[room],                       # cobweb
        -3.2 + 1.5 * np.clip(z(rh), 0, None) ** 2 + 0.7 * room_risk[room],  # blotch
        -3.3 + 2.2 * room_risk[room] + 1.0 * z(casing),                   # dry bubble
        -1.2 + 1.1 * z(co2) - 0.8 * strain_yield[strain] - 0.7 * z(day),  # low yield
    ])
    Y = (rng.random(logits.shape) < 1 / (1 + np.exp(-logits))).astype(np.float32)
    cont = np.column_stack([co2, rh, temp, casing, day])
    onehot = np.hstack([np.eye(N_SUP)[sup], np.eye(N_STRAIN)[strain], np.eye(N_ROOM)[room]])
    return cont, onehot, Y


class RoomRiskModel(pl.LightningModule):
    def __init__(self, d_in, n_out, pos_weight, lr=3e-3, epochs=15):
        super().__init__()
        self.save_hyperparameters(ignore=["pos_weight"])
        self.net = nn.Sequential(nn.Linear(d_in, 128), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, n_out))
        self.loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
        self.val_scores, self.val_targets = [], []

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss_fn(logits, y))
        self.val_scores.append(torch.sigmoid(logits))
        self.val_targets.append(y)

    def on_validation_epoch_end(self):
        s = torch.cat(self.val_scores).numpy()
        t = torch.cat(self.val_targets).numpy()
        self.log("val_macro_ap", float(average_precision_score(t, s, average="macro")))
        self.last_scores, self.last_targets = s, t
        self.val_scores.clear()
        self.val_targets.clear()

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-3)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


def main():
    cont, onehot, Y = farm_records(5000)
    idx = rng.permutation(len(Y))
    tr, va = idx[:4000], idx[4000:]
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.hstack([(cont - mu) / sd, onehot]).astype(np.float32)
    prev = Y[tr].mean(0)
    print("label prevalence:", {k: round(float(v), 3) for k, v in zip(PROBLEMS, prev)})
    pos_weight = torch.tensor(np.sqrt((1 - prev) / prev), dtype=torch.float32)

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(Y[va])), batch_size=500)

    epochs = 15
    model = RoomRiskModel(X.shape[1], Y.shape[1], pos_weight, epochs=epochs)
    trainer = pl.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False,
                         enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)

    s, t = model.last_scores, model.last_targets
    per = average_precision_score(t, s, average=None)
    print("per-label AP:", {k: round(float(v), 3) for k, v in zip(PROBLEMS, per)})
    print(f"final val macro AP {per.mean():.4f}  micro F1@0.5 {f1_score(t, s > 0.5, average='micro'):.4f} "
          f"(prevalence baseline AP {t.mean(0).mean():.4f})")


if __name__ == "__main__":
    main()
