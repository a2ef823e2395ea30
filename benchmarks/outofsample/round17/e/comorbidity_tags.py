"""Multi-label comorbidity tagging from intake measurements (Lightning).

Each patient can carry several of six conditions at once, with prevalences from ~3% to
~35%.  The head outputs one logit per condition and is trained with BCEWithLogitsLoss;
rare conditions get a moderate pos_weight (square root of the neg/pos ratio) and the
output bias starts at each condition's log-odds.
"""
import lightning.pytorch as pl
import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import f1_score, roc_auc_score
from torch.utils.data import DataLoader, TensorDataset

pl.seed_everything(3, verbose=False)
rng = np.random.default_rng(3)

CONDITIONS = ["hypertension", "type2_diabetes", "ckd", "cad", "copd", "sleep_apnea"]


def make_cohort(n):
    age = rng.uniform(25, 90, n)
    bmi = rng.normal(28, 5.5, n).clip(16, 55)
    sbp = 105 + 0.45 * age + 0.6 * (bmi - 28) + rng.normal(0, 12, n)
    hba1c = 5.2 + 0.04 * (bmi - 28) + 0.01 * (age - 50) + rng.gamma(2.0, 0.25, n)
    egfr = (115 - 0.8 * age - 0.3 * (sbp - 130) + rng.normal(0, 12, n)).clip(5, 130)
    ldl = rng.normal(125, 30, n)
    smoker = (rng.random(n) < 0.22).astype(float)
    pack_years = smoker * rng.gamma(2.0, 12.0, n)
    neck_cm = 33 + 0.35 * (bmi - 22) + rng.normal(0, 1.8, n)
    male = (rng.random(n) < 0.5).astype(float)

    def draw(logit):
        return (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)

    labels = np.stack([
        draw(-1.0 + 0.15 * (sbp - 140)),
        draw(-4.0 + 5.5 * (hba1c > 6.3) + 0.08 * (bmi - 28)),
        draw(-4.0 + 5.0 * (egfr < 45) + 0.02 * (age - 60)),
        draw(-4.5 + 4.5 * ((age > 60) & (ldl > 140)) + 1.5 * smoker * male),
        draw(-4.5 + 5.0 * ((pack_years > 20) & (age > 50))),
        draw(-4.0 + 5.0 * (neck_cm > (40 - 3 * (1 - male)))),
    ], 1)
    feats = np.stack([age, bmi, sbp, hba1c, egfr, ldl, pack_years, neck_cm], 1)
    flags = np.stack([smoker, male], 1)
    return feats, flags, labels


feats, flags, labels = make_cohort(8000)
tr, va = slice(0, 6400), slice(6400, None)
mu, sd = feats[tr].mean(0), feats[tr].std(0)
X = np.concatenate([(feats - mu) / sd, flags], 1).astype(np.float32)
Y = labels

prevalence = Y[tr].mean(0)
pos_weight = torch.tensor(np.sqrt((1 - prevalence) / prevalence), dtype=torch.float32)


class ComorbidityTagger(pl.LightningModule):
    def __init__(self, n_in, n_out, prior, pos_weight, lr=2e-3):
        super().__init__()
        self.save_hyperparameters(ignore=["prior", "pos_weight"])
        self.net = nn.Sequential(
            nn.Linear(n_in, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(),
            nn.Linear(64, n_out),
        )
        with torch.no_grad():
            p = torch.as_tensor(prior, dtype=torch.float32)
            self.net[-1].bias.copy_(torch.log(p / (1 - p)))
        self.loss_fn = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
        self.val_outputs = []

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", self.loss_fn(logits, y), on_epoch=True)
        self.val_outputs.append((torch.sigmoid(logits), y))

    def on_validation_epoch_end(self):
        probs = torch.cat([p for p, _ in self.val_outputs]).numpy()
        ys = torch.cat([y for _, y in self.val_outputs]).numpy()
        self.val_outputs.clear()
        self.macro_auc = roc_auc_score(ys, probs, average="macro")
        self.micro_f1 = f1_score(ys, probs > 0.5, average="micro", zero_division=0)
        self.log("val_macro_auc", self.macro_auc)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.trainer.max_epochs)
        return {"optimizer": opt, "lr_scheduler": sched}


train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])),
                          batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(Y[va])), batch_size=512)

model = ComorbidityTagger(X.shape[1], Y.shape[1], prevalence, pos_weight)
trainer = pl.Trainer(max_epochs=15, accelerator="cpu", logger=False, enable_checkpointing=False,
                     enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_loader, val_loader)

for name, auc in zip(CONDITIONS, roc_auc_score(Y[va], torch.sigmoid(model.eval()(torch.from_numpy(X[va]))).detach().numpy(), average=None)):
    print(f"  {name:15s} prevalence {Y[va][:, CONDITIONS.index(name)].mean():.3f} auc {auc:.3f}")
print(f"final val_macro_auc {model.macro_auc:.4f} micro_f1 {model.micro_f1:.4f}")
