"""Racing-pigeon finishing band from loft records, with PyTorch Lightning.

Two club exports are joined: the loft register (one row per ring number: age,
weight, training tosses, loft altitude and the race's distance/wind for that
loft) and the race results sheet (ring number, velocity band from the club's
timing clocks: 0 = slow third, 1 = middle, 2 = fast third).  The model helps
the fancier decide which birds to basket for the next race.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


FEATURES = ["age_years", "weight_g", "training_tosses", "days_since_race",
            "loft_altitude_m", "distance_km", "headwind_ms", "moult_score"]


def club_exports(n=3000, seed=5):
    """Returns the loft register and the results sheet as dicts of columns."""
    rng = np.random.default_rng(seed)
    loft = {
        "ring": rng.choice(np.arange(100000, 999999), n, replace=False),
        "age_years": rng.gamma(2.0, 1.2, n).clip(0.5, 9),
        "weight_g": rng.normal(470, 35, n),
        "training_tosses": rng.poisson(14, n),
        "days_since_race": rng.integers(6, 30, n),
        "loft_altitude_m": rng.gamma(2.0, 90, n),
        "distance_km": rng.uniform(120, 520, n),
        "headwind_ms": rng.normal(1.0, 3.0, n),
        "moult_score": rng.integers(0, 6, n),
    }
    velocity = (1350
                + 55 * np.log1p(loft["training_tosses"])
                - 25 * (loft["age_years"] - 3.0) ** 2
                - 0.55 * (loft["weight_g"] - 470)
                - 38 * loft["headwind_ms"] * loft["distance_km"] / 320
                - 0.25 * loft["distance_km"]
                - 28 * loft["moult_score"]
                - 10 * np.abs(loft["days_since_race"] - 14)
                - 0.12 * loft["loft_altitude_m"]
                + rng.normal(0, 45, n))
    band = np.digitize(velocity, np.quantile(velocity, [1 / 3, 2 / 3]))
    by_clock = np.argsort(-velocity)                   # the sheet lists birds as they were clocked
    results = {"ring": loft["ring"][by_clock], "velocity_band": band[by_clock],
               "clock_velocity": velocity[by_clock].round(1)}
    return loft, results


class BandClassifier(L.LightningModule):
    def __init__(self, d_in, n_classes=3, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(d_in, 64), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(64, 64), nn.ReLU(),
            nn.Linear(64, n_classes),
        )

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
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(0, verbose=False)
    loft, results = club_exports()
    loft_order = np.argsort(loft["ring"])
    results_order = np.argsort(results["ring"])
    features = np.column_stack([loft[c] for c in FEATURES]).astype(np.float32)[loft_order]
    labels = results["velocity_band"][loft_order]

    X_tr, X_va, y_tr, y_va = train_test_split(features, labels, test_size=0.2,
                                              stratify=labels, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    to_ds = lambda X, y: TensorDataset(torch.tensor(scaler.transform(X), dtype=torch.float32),
                                       torch.tensor(y, dtype=torch.long))
    train_loader = DataLoader(to_ds(X_tr, y_tr), batch_size=64, shuffle=True)
    val_loader = DataLoader(to_ds(X_va, y_va), batch_size=256)

    model = BandClassifier(features.shape[1])
    trainer = L.Trainer(max_epochs=15, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)
    m = trainer.validate(model, val_loader, verbose=False)[0]
    print(f"final val_loss {m['val_loss']:.4f} val_acc {m['val_acc']:.4f}")


if __name__ == "__main__":
    main()
