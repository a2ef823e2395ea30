"""Escalator fault early-warning: predict a reportable fault within 7 days from
daily condition-monitoring aggregates (Lightning)."""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from sklearn.metrics import roc_auc_score, average_precision_score

L.seed_everything(11, verbose=False)
torch.set_num_threads(1)

FEATURES = ["motor_current_a", "current_ripple", "vib_rms_mm_s", "vib_kurtosis", "chain_tension_kn",
            "handrail_slip_pct", "gearbox_temp_c", "ambient_temp_c", "starts_per_hour",
            "passengers_k", "hours_since_service", "comb_plate_alarms"]


def make_data(n, rng):
    current = rng.normal(38, 4, n)
    ripple = rng.gamma(2.0, 0.6, n)
    vib = rng.lognormal(0.6, 0.35, n)
    kurt = rng.gamma(3.0, 1.1, n)
    tension = rng.normal(11, 1.5, n)
    slip = np.abs(rng.normal(0.8, 0.6, n))
    ambient = rng.normal(14, 8, n)
    gear_t = 40 + 0.5 * ambient + 0.35 * current + rng.normal(0, 3, n)
    starts = rng.poisson(18, n).astype(float)
    pax = rng.gamma(4.0, 2.5, n)
    since = rng.uniform(0, 2200, n)
    alarms = rng.poisson(0.4 + 0.002 * since / 10, n).astype(float)
    X = np.column_stack([current, ripple, vib, kurt, tension, slip, gear_t, ambient, starts, pax, since, alarms])
    z = (-4.6 + 1.8 * (vib - 1.9) + 0.5 * (kurt - 3.3) + 2.4 * np.maximum(slip - 1.2, 0)
         + 1.2 * np.tanh((since - 1200) / 400) + 0.12 * (gear_t - 52) * (ripple > 1.6)
         + 0.7 * alarms - 0.6 * (tension - 11) ** 2 / 2.25 + 0.8 * (pax > 14))
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float32)
    return X.astype(np.float32), y


class FaultNet(nn.Module):
    def __init__(self, d_in, hidden=(64, 64), p_drop=0.1, pos_rate=0.5):
        super().__init__()
        layers, d = [], d_in
        for h in hidden:
            layers += [nn.Linear(d, h), nn.ReLU(), nn.Dropout(p_drop)]
            d = h
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(d, 1)
        self.prior_logit = math.log(pos_rate / (1 - pos_rate))
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, nn.Linear):
            nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
            nn.init.constant_(m.bias, self.prior_logit if m is self.head else 0.0)

    def forward(self, x):
        return self.head(self.body(x)).squeeze(-1)


class LitFault(L.LightningModule):
    def __init__(self, d_in, pos_rate, lr=2e-3, epochs=30):
        super().__init__()
        self.save_hyperparameters()
        self.net = FaultNet(d_in, pos_rate=pos_rate)
        self.loss = nn.BCEWithLogitsLoss()

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        self.log("val_loss", self.loss(self(x), y), prog_bar=False)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


def main():
    rng = np.random.default_rng(11)
    X, y = make_data(6000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:4800], idx[4800:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    Xs = (X - mu) / sd
    pos_rate = float(y[tr].mean())

    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xs[tr]), torch.from_numpy(y[tr])), batch_size=128, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(Xs[va]), torch.from_numpy(y[va])), batch_size=512)

    epochs = 20
    model = LitFault(Xs.shape[1], pos_rate, epochs=epochs)
    trainer = L.Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        p = torch.sigmoid(model(torch.from_numpy(Xs[va]))).numpy()
    print(f"positive rate {pos_rate:.3f}")
    print(f"val ROC-AUC {roc_auc_score(y[va], p):.4f}  PR-AUC {average_precision_score(y[va], p):.4f}")


if __name__ == "__main__":
    main()
