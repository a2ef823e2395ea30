"""Which parts of a property were damaged in a hail-storm claim (roof, gutters, siding,
windows, vehicle)? Multi-label tabular model in PyTorch Lightning."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from sklearn.metrics import f1_score

L.seed_everything(23, verbose=False)
rng = np.random.default_rng(23)

N = 4000
hail_mm = rng.gamma(3.0, 9.0, N)                    # largest stone reported nearby
gust = rng.gamma(4.0, 6.0, N)                       # km/h
duration = rng.gamma(2.0, 6.0, N)                   # minutes of hail
roof_age = rng.uniform(0, 35, N)
roof_mat = rng.choice(4, N, p=[0.5, 0.2, 0.2, 0.1])  # asphalt, metal, tile, slate
siding_mat = rng.choice(3, N, p=[0.55, 0.3, 0.15])   # vinyl, wood, brick
storeys = rng.choice([1, 2, 3], N, p=[0.4, 0.45, 0.15])
window_share = rng.beta(2, 5, N)
tree_cover = rng.beta(2, 3, N)
car_outside = rng.random(N) < 0.35

sig = lambda z: 1 / (1 + np.exp(-z))
energy = np.log1p(hail_mm) * 2 + 0.03 * gust + 0.04 * duration - 1.0 * tree_cover
p_roof = sig(1.6 * (energy - 7.8) + 0.05 * roof_age + np.array([0.4, -0.6, 0.2, -0.3])[roof_mat])
p_gutter = sig(1.4 * (energy - 7.4) + 0.3 * (storeys - 2))
p_siding = sig(1.3 * (energy - 8.2) + 0.04 * gust + np.array([0.6, 0.2, -2.0])[siding_mat])
p_window = sig(1.2 * (energy - 8.6) + 4.0 * (window_share - 0.3) + 0.05 * gust)
p_vehicle = np.where(car_outside, sig(2.0 * (energy - 7.0)), 0.02)
Y = (rng.random((N, 5)) < np.stack([p_roof, p_gutter, p_siding, p_window, p_vehicle], 1)).astype(np.float32)

num = np.stack([hail_mm, gust, duration, roof_age, storeys, window_share, tree_cover], 1)
X = np.concatenate([num, np.eye(4)[roof_mat], np.eye(3)[siding_mat], car_outside[:, None]], 1).astype(np.float32)

idx = rng.permutation(N)
tr, va = idx[:3200], idx[3200:]
mu, sd = X[tr, :7].mean(0), X[tr, :7].std(0)
X[:, :7] = (X[:, :7] - mu) / sd

train_dl = DataLoader(TensorDataset(torch.tensor(X[tr]), torch.tensor(Y[tr])), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.tensor(X[va]), torch.tensor(Y[va])), batch_size=256)


class DamageModel(L.LightningModule):
    def __init__(self, n_in, n_out=5, hidden=128, lr=2e-3, epochs=15):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_out))
        self.val_probs, self.val_targets = [], []

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.val_probs.append(torch.sigmoid(logits))
        self.val_targets.append(y)

    def on_validation_epoch_end(self):
        probs, targets = torch.cat(self.val_probs), torch.cat(self.val_targets)
        self.val_probs.clear(); self.val_targets.clear()
        pred = (probs > 0.5).int().numpy()
        self.macro_f1 = f1_score(targets.int().numpy(), pred, average="macro", zero_division=0)
        self.micro_f1 = f1_score(targets.int().numpy(), pred, average="micro", zero_division=0)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.epochs)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


model = DamageModel(X.shape[1])
trainer = L.Trainer(max_epochs=15, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)
print("label shares (val):", dict(zip(["roof", "gutter", "siding", "window", "vehicle"], [round(float(s), 3) for s in Y[va].mean(0)])))
print(f"final val macro-F1 {model.macro_f1:.4f} micro-F1 {model.micro_f1:.4f}")
