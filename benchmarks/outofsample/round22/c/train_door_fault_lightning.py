"""Predict plug-door faults on regional trains from door-cycle telemetry (Lightning).

Each row summarises one day of a door leaf: opening/closing times, motor current statistics,
obstacle-detection events, lock-switch bounce, vibration, temperature and cycles since the
last service. Label: the leaf raised a fault code within the next 7 days.
"""
import math
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
FEATURES = ["open_s", "close_s", "close_s_p95", "i_peak_a", "i_mean_a", "i_rise_ms", "obstacle_events",
            "lock_bounce_ms", "vib_rms_g", "temp_c", "humidity", "cycles_since_service", "door_age_years",
            "step_extend_s"]


def make_fleet_data(n, rng):
    age = rng.uniform(0, 25, n)
    since = rng.gamma(2.0, 4000, n)
    temp = rng.normal(10, 9, n)
    hum = rng.uniform(30, 95, n)
    wear = 0.03 * age + since / 20000 + rng.normal(0, 0.3, n)
    open_s = 2.8 + 0.25 * wear + rng.normal(0, 0.15, n)
    close_s = 3.1 + 0.35 * wear - 0.01 * temp + rng.normal(0, 0.2, n)
    close_p95 = close_s + np.abs(rng.normal(0.3 + 0.3 * wear, 0.15, n))
    i_peak = 4.0 + 0.6 * wear - 0.03 * temp + rng.normal(0, 0.4, n)
    i_mean = 1.6 + 0.2 * wear + rng.normal(0, 0.15, n)
    i_rise = 120 - 8 * wear + rng.normal(0, 10, n)
    obstacle = rng.poisson(0.4 + 0.5 * np.clip(wear, 0, None))
    bounce = np.abs(rng.normal(2 + 3 * np.clip(wear - 0.8, 0, None), 1.0, n))
    vib = 0.05 + 0.03 * wear + rng.gamma(2, 0.01, n)
    step = 1.2 + 0.1 * wear + 0.004 * np.clip(-temp, 0, None) * hum / 50 + rng.normal(0, 0.08, n)
    risk = (2.5 * np.abs(close_p95 - close_s - 0.6) + 1.2 * obstacle * (bounce > 2.5)
            + 0.01 * np.clip(-temp, 0, None) * hum + 0.02 * np.clip(temp - 22, 0, None) ** 2
            + 1.2 * (step - 1.3) - 2.0)
    y = (risk + rng.logistic(0, 0.6, n) > 0).astype(np.float32)
    X = np.column_stack([open_s, close_s, close_p95, i_peak, i_mean, i_rise, obstacle, bounce, vib, temp,
                         hum, since, age, step]).astype(np.float32)
    return X, y


class DoorFaultModel(L.LightningModule):
    def __init__(self, n_features, pos_rate, hidden=64, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )
        prior_logit = math.log(pos_rate / (1 - pos_rate))
        for m in self.net.modules():
            if isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, prior_logit)

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.binary_cross_entropy_with_logits(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", F.binary_cross_entropy_with_logits(self(x), y), prog_bar=False)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(11, verbose=False)
    rng = np.random.default_rng(11)
    X, y = make_fleet_data(5000, rng)
    X[:, 11] = np.log1p(X[:, 11])
    X_tr, y_tr, X_va, y_va = X[:4000], y[:4000], X[4000:], y[4000:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    train_dl = DataLoader(TensorDataset(torch.tensor(X_tr), torch.tensor(y_tr)), batch_size=128, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.tensor(X_va), torch.tensor(y_va)), batch_size=500)

    model = DoorFaultModel(X.shape[1], pos_rate=float(y_tr.mean()))
    trainer = L.Trainer(max_epochs=10, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        p = torch.sigmoid(model(torch.tensor(X_va))).numpy()
    print(f"positive rate train {y_tr.mean():.3f} val {y_va.mean():.3f}")
    print(f"val ROC-AUC {roc_auc_score(y_va, p):.3f}  balanced acc {balanced_accuracy_score(y_va, p > 0.5):.3f}")


if __name__ == "__main__":
    main()
