"""Harbour ship-to-shore cranes: flag each container lift from its 14 spreader/hoist readings as
normal / sway alarm / overload / twistlock fault. Faults are rare (about 85/8/5/2 %), so the
residual MLP (LayerNorm blocks) uses a class-weighted loss, an output bias at the log prior,
and is judged on balanced accuracy. PyTorch Lightning, AdamW + ReduceLROnPlateau.
"""
import warnings
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from sklearn.metrics import balanced_accuracy_score

warnings.filterwarnings("ignore")
L.seed_everything(13, verbose=False)
rng = np.random.default_rng(13)

N, D = 5000, 14
y = rng.choice(4, N, p=[0.85, 0.08, 0.05, 0.02])
X = rng.normal(0, 1, (N, D))
X[:, 0] += np.where(y == 2, 2.5, 0.0)                          # hoist motor current
X[:, 1] += np.where(y == 2, 2.0, 0.0) * np.sign(X[:, 2])        # load cell imbalance
X[y == 1, 3:5] *= 3.0                                            # trolley sway amplitude in x/y
X[y == 1, 9] += 2.0                                              # trolley deceleration
X[y == 3, 6] = -np.sign(X[y == 3, 5]) * (1.0 + np.abs(X[y == 3, 6]))   # lock sensors disagree
X[y == 3, 8] += 3.0                                              # lock pin travel
X[:, 7:] += 0.3 * X[:, :7].sum(1, keepdims=True) / 7           # correlated wind / load channels
X = X.astype(np.float32)

perm = rng.permutation(N)
tr, va = perm[:4000], perm[4000:]
mu, sd = X[tr].mean(0), X[tr].std(0)
Xn = (X - mu) / sd
counts = np.bincount(y[tr], minlength=4)
weights = torch.tensor(counts.sum() / (4 * counts), dtype=torch.float32)
weights = weights / weights.mean()
log_prior = torch.tensor(np.log(counts / counts.sum()), dtype=torch.float32)


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Dropout(0.1), nn.Linear(2 * d, d))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class CraneLiftModel(L.LightningModule):
    def __init__(self, d_in, width=64, n_blocks=3):
        super().__init__()
        self.inp = nn.Linear(d_in, width)
        self.blocks = nn.Sequential(*[Block(width) for _ in range(n_blocks)])
        self.out = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, 4))
        with torch.no_grad():
            self.out[1].bias.copy_(log_prior)
        self.register_buffer("class_w", weights)
        self.val_preds, self.val_true = [], []

    def forward(self, x):
        return self.out(self.blocks(self.inp(x)))

    def training_step(self, batch, _):
        x, t = batch
        loss = F.cross_entropy(self(x), t, weight=self.class_w)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, _):
        x, t = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, t, weight=self.class_w), prog_bar=False)
        self.val_preds.append(logits.argmax(1)); self.val_true.append(t)

    def on_validation_epoch_end(self):
        p, t = torch.cat(self.val_preds).numpy(), torch.cat(self.val_true).numpy()
        self.bal_acc = balanced_accuracy_score(t, p)
        self.val_preds, self.val_true = [], []

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=2e-3, weight_decay=1e-2)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


train_dl = DataLoader(TensorDataset(torch.from_numpy(Xn[tr]), torch.from_numpy(y[tr])), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(Xn[va]), torch.from_numpy(y[va])), batch_size=500)

model = CraneLiftModel(D)
trainer = L.Trainer(max_epochs=15, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)
print(f"final val balanced accuracy {model.bal_acc:.3f}  val loss {trainer.callback_metrics['val_loss']:.4f}")
