"""Goat dairy: will a vat of milk set a firm curd for the chèvre line?

Per-vat milk analysis (composition, somatic cells, stage of lactation, herd
group) against the cheesemaker's pass/fail on the rennet coagulation test.
PyTorch Lightning, tabular MLP.
"""
import argparse

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.model_selection import train_test_split
from sklearn.metrics import roc_auc_score
import lightning as L

HERDS = ["saanen", "alpine", "nubian", "toggenburg", "mixed"]


def vat_analyses(n, rng):
    herd = rng.choice(len(HERDS), n)
    fat = rng.normal(3.6, 0.5, n) + np.array([0.0, 0.1, 0.9, 0.0, 0.3])[herd]
    protein = rng.normal(3.2, 0.3, n) + np.array([0.0, 0.05, 0.45, 0.0, 0.2])[herd]
    casein_frac = rng.normal(0.78, 0.03, n)
    ph = rng.normal(6.65, 0.08, n)
    calcium = rng.normal(1.3, 0.12, n)
    log_scc = rng.normal(6.0, 0.4, n)
    dim = rng.uniform(5, 300, n)
    vat_temp = rng.normal(31.5, 1.2, n)
    rennet_ml = rng.normal(22, 3, n)
    hours_stored = rng.gamma(2.0, 10.0, n)
    fatty_acids = 100 * rng.dirichlet(np.linspace(6, 1, 12), n)   # % of total FA, C4:0 .. C18:3
    score = (2.2 * (protein * casein_frac - 2.5) - 6.0 * (ph - 6.65) + 2.0 * (calcium - 1.3)
             - 1.1 * (log_scc - 6.0) + 0.4 * (vat_temp - 31.5) * (vat_temp < 33) - 0.25 * (vat_temp - 33) ** 2
             + 0.06 * (rennet_ml - 22) - 0.025 * (hours_stored - 20) - 0.8 * ((dim < 30) | (dim > 260))
             + 0.3 * np.sin(fat * 2) + 0.08 * (fatty_acids[:, 3] - fatty_acids[:, 3].mean()))
    p = 1 / (1 + np.exp(-2.2 * score))
    firm = (rng.random(n) < p).astype(np.int64)
    cont = np.column_stack([fat, protein, casein_frac, ph, calcium, log_scc, dim, vat_temp, rennet_ml, hours_stored, fatty_acids])
    return cont, herd, firm


class CurdNet(L.LightningModule):
    def __init__(self, n_in, lr=1e-3, weight_decay=1e-2):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, 64), nn.ReLU(), nn.Dropout(0.3),
            nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.3),
            nn.Linear(64, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.binary_cross_entropy_with_logits(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.binary_cross_entropy_with_logits(logits, y), prog_bar=True)
        self.log("val_acc", ((logits > 0).float() == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-steps", type=int, default=500)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()

    L.seed_everything(args.seed, verbose=False)
    rng = np.random.default_rng(args.seed)
    cont, herd, firm = vat_analyses(1800, rng)

    c_tr, c_va, h_tr, h_va, y_tr, y_va = train_test_split(
        cont, herd, firm, test_size=0.2, stratify=firm, random_state=args.seed)
    mu, sd = c_tr.mean(0), c_tr.std(0)

    def encode(c, h):
        return torch.tensor(np.hstack([(c - mu) / sd, np.eye(len(HERDS))[h]]), dtype=torch.float32)

    train_ds = TensorDataset(encode(c_tr, h_tr), torch.tensor(y_tr, dtype=torch.float32))
    val_ds = TensorDataset(encode(c_va, h_va), torch.tensor(y_va, dtype=torch.float32))
    train_dl = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    val_dl = DataLoader(val_ds, batch_size=512)

    model = CurdNet(train_ds.tensors[0].shape[1])
    trainer = L.Trainer(max_steps=args.max_steps, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        logits = model(val_ds.tensors[0])
    yv = val_ds.tensors[1]
    val_loss = F.binary_cross_entropy_with_logits(logits, yv).item()
    acc = ((logits > 0).float() == yv).float().mean().item()
    auc = roc_auc_score(yv.numpy(), logits.numpy())
    print(f"train rows {len(train_ds)}  val rows {len(val_ds)}")
    print(f"final val_loss {val_loss:.4f}  val_acc {acc:.4f}  val_auc {auc:.4f}")


if __name__ == "__main__":
    main()
