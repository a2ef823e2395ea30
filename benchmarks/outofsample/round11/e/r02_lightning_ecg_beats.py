"""Heartbeat classification (normal / PVC / APB / fusion) with a 1-D CNN in Lightning.

Beats are 128-sample windows centred on the R peak.  Normal beats dominate (about 82%),
so the loss is class-weighted (inverse square root of the class frequency), model
selection uses macro-F1 on the validation beats, and training stops early when macro-F1
stops improving; the best checkpoint is restored for the final numbers.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import train_test_split

CLASSES = ["N", "PVC", "APB", "fusion"]
SHARES = [0.82, 0.10, 0.05, 0.03]
T = 128


def bump(t, centre, width, height):
    return height * np.exp(-0.5 * ((t - centre) / width) ** 2)


def synth_beats(n, rng):
    t = np.arange(T, dtype=np.float64)
    y = rng.choice(len(CLASSES), size=n, p=SHARES)
    X = np.empty((n, T), dtype=np.float32)
    for i, c in enumerate(y):
        amp = rng.normal(1.0, 0.12)
        qrs_w = rng.normal(3.0, 0.3)
        p_pos, p_h, p_w = 40 + rng.normal(0, 2), 0.15, 4.0
        t_pos, t_h = 90 + rng.normal(0, 3), 0.3
        if c == 1:                                    # PVC: wide bizarre QRS, no P, inverted T
            qrs_w *= 2.3
            p_h = 0.0
            t_h = -0.4
        elif c == 2:                                  # APB: early, inverted P wave
            p_pos -= 7
            p_h = -0.12
        elif c == 3:                                  # fusion: between normal and PVC
            qrs_w *= 1.35
            p_h = 0.07
            t_h = -0.05
        sig = (bump(t, p_pos, p_w, p_h) + bump(t, 58, 1.5, -0.1 * amp)
               + bump(t, 64, qrs_w, amp) + bump(t, 70, 1.8, -0.2 * amp)
               + bump(t, t_pos, 8.0, t_h))
        wander = 0.1 * np.sin(2 * np.pi * (t / T) * rng.uniform(0.2, 0.8) + rng.uniform(0, 6.3))
        X[i] = sig + wander + rng.normal(0, 0.08, T)
    return X, y


class BeatCNN(L.LightningModule):
    def __init__(self, class_weights, lr=3e-3):
        super().__init__()
        self.save_hyperparameters(ignore=["class_weights"])
        self.register_buffer("class_weights", class_weights)
        self.net = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 3, padding=1), nn.BatchNorm1d(32), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(32, len(CLASSES)))
        self._val_pred, self._val_true = [], []

    def forward(self, x):
        return self.net(x.unsqueeze(1))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y, weight=self.class_weights)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y, weight=self.class_weights))
        self._val_pred.append(logits.argmax(1).cpu())
        self._val_true.append(y.cpu())

    def on_validation_epoch_end(self):
        pred = torch.cat(self._val_pred).numpy()
        true = torch.cat(self._val_true).numpy()
        self._val_pred.clear()
        self._val_true.clear()
        self.log("val_macro_f1", f1_score(true, pred, average="macro"))
        self.log("val_bal_acc", balanced_accuracy_score(true, pred))

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", factor=0.5, patience=2)
        return {"optimizer": opt,
                "lr_scheduler": {"scheduler": sched, "monitor": "val_macro_f1"}}


def main():
    L.seed_everything(7, workers=True)
    rng = np.random.default_rng(7)
    X, y = synth_beats(3200, rng)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=7)
    mu, sd = X_tr.mean(), X_tr.std()
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    counts = np.bincount(y_tr, minlength=len(CLASSES))
    weights = torch.tensor((counts.sum() / (len(CLASSES) * counts)) ** 0.5, dtype=torch.float32)
    print("train class counts", dict(zip(CLASSES, counts.tolist())),
          "weights", [round(w, 2) for w in weights.tolist()])

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)),
                            batch_size=256)

    model = BeatCNN(weights)
    ckpt = ModelCheckpoint(dirpath="/tmp/r02_ecg_ckpt", monitor="val_macro_f1", mode="max",
                           save_top_k=1, enable_version_counter=False)
    stop = EarlyStopping(monitor="val_macro_f1", mode="max", patience=4)
    trainer = L.Trainer(max_epochs=25, callbacks=[ckpt, stop], accelerator="cpu", devices=1,
                        logger=False, enable_progress_bar=False, enable_model_summary=False,
                        deterministic=True)
    trainer.fit(model, train_loader, val_loader)
    print(f"stopped after epoch {trainer.current_epoch}, best epoch checkpoint {ckpt.best_model_path}")
    res = trainer.validate(model, val_loader, ckpt_path="best", verbose=False)[0]
    print(f"final val macro_f1={res['val_macro_f1']:.4f} balanced_acc={res['val_bal_acc']:.4f} "
          f"val_loss={res['val_loss']:.4f}")


if __name__ == "__main__":
    main()
