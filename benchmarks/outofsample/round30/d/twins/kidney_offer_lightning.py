"""Organ-donor logistics: will a deceased-donor kidney offer end in a transplant at this centre?

One row per offer from the regional allocation log. Trained with PyTorch Lightning.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning.pytorch as pl
from torch.utils.data import DataLoader, TensorDataset

pl.seed_everything(11, verbose=False)
rng = np.random.default_rng(11)

N = 3200
donor_age = rng.normal(45, 14, N).clip(2, 80)
kdpi = np.clip(donor_age / 80 + rng.normal(0, 0.15, N), 0, 1)
creat = rng.lognormal(0.1, 0.45, N)
offer_cit = rng.gamma(3.0, 3.5, N)                     # hours of cold ischaemia at offer
distance = rng.lognormal(5.0, 0.8, N)                  # km to the centre
hla_mm = rng.integers(0, 7, N).astype(float)
recip_wait = rng.gamma(2.0, 1.4, N)                    # years on the list
pra = rng.beta(0.7, 2.0, N)                            # panel-reactive antibodies
sequence_no = rng.geometric(0.08, N).astype(float)     # position on the match run
biopsy_glom = rng.beta(2, 18, N)                       # share of sclerosed glomeruli
logit = (3.4 - 3.0 * kdpi - 0.09 * offer_cit - 0.35 * np.log(distance / 150)
         - 0.22 * hla_mm + 0.45 * recip_wait - 0.8 * pra - 0.02 * sequence_no
         - 6.0 * biopsy_glom - 0.4 * (creat - 1.2))
accepted = (rng.random(N) < 1 / (1 + np.exp(-1.8 * logit))).astype(np.float32)

transport_h = distance / 70 + rng.gamma(2.0, 0.5, N)
total_cit = np.where(accepted == 1, offer_cit + transport_h + rng.gamma(2.0, 1.5, N), np.nan)

columns = {
    "donor_age": donor_age, "kdpi": kdpi, "creatinine": creat, "offer_cit_h": offer_cit,
    "log_distance": np.log(distance), "hla_mismatch": hla_mm, "recipient_wait_y": recip_wait,
    "pra": pra, "sequence_no": np.log1p(sequence_no), "biopsy_glom": biopsy_glom,
    "total_cit_h": total_cit,
}
FEATURES = ["donor_age", "kdpi", "creatinine", "offer_cit_h", "log_distance", "hla_mismatch",
            "recipient_wait_y", "pra", "sequence_no", "biopsy_glom"]
X = np.column_stack([np.nan_to_num(columns[c], nan=0.0) for c in FEATURES]).astype(np.float32)
y = accepted

perm = rng.permutation(N)
tr, va = perm[:2500], perm[2500:]
mu, sd = X[tr].mean(0), X[tr].std(0)
Xn = (X - mu) / sd

train_dl = DataLoader(TensorDataset(torch.from_numpy(Xn[tr]), torch.from_numpy(y[tr])),
                      batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(Xn[va]), torch.from_numpy(y[va])), batch_size=256)


class OfferModel(pl.LightningModule):
    def __init__(self, n_in, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, 64), nn.GELU(), nn.Dropout(0.1),
                                 nn.Linear(64, 32), nn.GELU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, t = batch
        loss = F.binary_cross_entropy_with_logits(self(x), t)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, t = batch
        logits = self(x)
        self.log("val_loss", F.binary_cross_entropy_with_logits(logits, t), prog_bar=True)
        self.log("val_acc", ((logits > 0).float() == t).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-3)


model = OfferModel(len(FEATURES))
trainer = pl.Trainer(max_epochs=15, accelerator="cpu", devices=1, logger=False,
                     enable_checkpointing=False, enable_progress_bar=False,
                     enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)
m = trainer.callback_metrics
print(f"final train_loss {m['train_loss']:.4f}  val_loss {m['val_loss']:.4f}  val_acc {m['val_acc']:.3f}")
