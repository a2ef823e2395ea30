"""Float-glass furnace: predict the defect class of a ribbon section (ok / seeds / stones / cords / tin)
from furnace sensor summaries over the preceding hour. Lightning, plain MLP."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)

SENSORS = ["crown_temp", "bottom_temp", "throat_temp", "batch_rate", "cullet_ratio", "o2_excess",
           "gas_flow", "bubbler_rate", "pull_rate", "tin_bath_h2", "tin_temp", "ribbon_speed",
           "refiner_temp", "level_dev"]


def make_data(n=4000):
    X = rng.normal(size=(n, len(SENSORS)))
    X[:, 4] = rng.uniform(0.1, 0.4, n) * 10            # cullet share
    score = np.zeros((n, 5))
    score[:, 0] = 1.2
    score[:, 1] = 1.1 * (-X[:, 0]) + 0.8 * X[:, 8] - 0.6 * X[:, 7] + 0.5 * np.abs(X[:, 5])
    score[:, 2] = 0.9 * X[:, 3] - 0.7 * (X[:, 4] - 2.5) + 0.6 * X[:, 8] * X[:, 3]
    score[:, 3] = 1.0 * np.abs(X[:, 1] - X[:, 12]) + 0.5 * X[:, 13] ** 2 - 0.8
    score[:, 4] = 1.2 * X[:, 9] * X[:, 10] - 0.6 + 0.4 * X[:, 11]
    p = np.exp(score * 1.6)
    p /= p.sum(1, keepdims=True)
    y = np.array([rng.choice(5, p=pi) for pi in p])
    return X.astype(np.float32), y


X, y = make_data()
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_tr)
X_tr, X_va = scaler.transform(X_tr).astype(np.float32), scaler.transform(X_va).astype(np.float32)

train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=256)


class DefectClassifier(L.LightningModule):
    def __init__(self, n_in, n_classes=5, hidden=64, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, n_classes),
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
        self.log("val_loss", F.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


model = DefectClassifier(X.shape[1], lr=2e-3)
trainer = L.Trainer(max_epochs=8, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)
m = trainer.callback_metrics
print(f"final val_loss {m['val_loss']:.4f}  val_acc {m['val_acc']:.4f}")
