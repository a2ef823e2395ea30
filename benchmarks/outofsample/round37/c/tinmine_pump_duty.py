"""Cornish beam-engine pump duty regimes at a tin mine.

Each row is one hour of engine telemetry (stroke rate, water head, beam load, steam
pressure, coal feed, ...). The label is the duty regime the engineman logged for that hour.
A small MLP under Lightning, evaluated on a held-out quarter.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

REGIMES = ["idle", "dewatering", "steady", "flood", "surge"]


def make_telemetry(n=2400, seed=11):
    rng = np.random.default_rng(seed)
    regime = rng.choice(len(REGIMES), size=n, p=[0.15, 0.25, 0.3, 0.18, 0.12])
    base_rate = np.array([1.0, 6.5, 5.0, 9.0, 11.0])[regime]
    stroke_rate = np.clip(base_rate + rng.normal(0, 0.9, n), 0.2, None)
    head_m = np.array([40, 120, 95, 150, 110])[regime] + rng.normal(0, 18, n)
    beam_load = 0.03 * head_m * stroke_rate + rng.normal(0, 2.0, n)
    steam_psi = 20 + 3.5 * stroke_rate + rng.normal(0, 4, n)
    coal_kg = 2.0 * steam_psi + 0.5 * beam_load + rng.normal(0, 6, n)
    adit_flow = np.array([0.2, 1.0, 0.8, 2.6, 1.4])[regime] + rng.normal(0, 0.25, n)
    valve_lag = np.array([0.9, 0.4, 0.5, 0.3, 0.15])[regime] + rng.normal(0, 0.08, n)
    vib_rms = 0.1 * stroke_rate ** 1.3 + rng.gamma(2.0, 0.15, n)
    X = np.column_stack([stroke_rate, head_m, beam_load, steam_psi, coal_kg,
                         adit_flow, valve_lag, vib_rms]).astype(np.float32)
    return X, regime.astype(np.int64)


class DutyClassifier(L.LightningModule):
    def __init__(self, n_in, n_out, hidden=64, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, n_out),
        )
        self.loss_fn = nn.CrossEntropyLoss()

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
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(0, verbose=False)
    X, y = make_telemetry()
    X_tr, X_va = train_test_split(X, test_size=0.25, random_state=7)
    y_tr, y_va = train_test_split(y, test_size=0.25, random_state=7, stratify=y)
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_va = scaler.transform(X_tr).astype(np.float32), scaler.transform(X_va).astype(np.float32)

    train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                          batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)),
                        batch_size=256)

    model = DutyClassifier(X.shape[1], len(REGIMES))
    trainer = L.Trainer(max_epochs=15, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(X_va)).argmax(1).numpy()
    acc = (pred == y_va).mean()
    print(f"val_accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
