"""Predict whether a runner finishes in the first three from its recent form.

Lightning module over a tabular form guide: last five finishing positions, days since
last run, weight carried, draw, jockey/trainer strike rates, going (one-hot) and the
market's implied probability. Binary target: placed (top 3).
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from sklearn.metrics import roc_auc_score

SEED = 11
L.seed_everything(SEED, verbose=False)


def make_form_guide(n_races=700, field=8, rng=None):
    rows, labels = [], []
    for _ in range(n_races):
        ability = rng.normal(0, 1, field)
        going = rng.integers(0, 4)
        going_pref = rng.integers(0, 4, field)
        draw = rng.permutation(field) + 1
        weight = rng.normal(56, 2.5, field)
        jockey = np.clip(rng.beta(2, 12, field) + 0.04 * ability, 0, 1)
        trainer = np.clip(rng.beta(2, 10, field) + 0.03 * ability, 0, 1)
        days = rng.gamma(3.0, 10.0, field)
        form = np.clip(np.round(4.5 - 1.6 * ability[:, None] + rng.normal(0, 2.0, (field, 5))), 1, 12)
        perf = (ability + 0.5 * (going_pref == going) - 0.05 * (weight - 56)
                - 0.03 * draw - 0.004 * np.abs(days - 28) + rng.normal(0, 0.8, field))
        market = np.exp(1.2 * (ability + rng.normal(0, 0.5, field)))
        implied = market / market.sum()
        order = np.argsort(-perf)
        placed = np.zeros(field)
        placed[order[:3]] = 1
        for i in range(field):
            g = np.zeros(4); g[going] = 1
            rows.append(np.concatenate([form[i], [days[i], weight[i], draw[i], jockey[i], trainer[i],
                                                  float(going_pref[i] == going), implied[i]], g]))
            labels.append(placed[i])
    return np.asarray(rows, np.float32), np.asarray(labels, np.float32)


class FormNet(L.LightningModule):
    def __init__(self, n_in, lr=3e-1, weight_decay=1e-4):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(n_in, 128), nn.SiLU(), nn.Dropout(0.1),
            nn.Linear(128, 64), nn.SiLU(),
            nn.Linear(64, 1),
        )
        self.loss_fn = nn.BCEWithLogitsLoss()

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", self.loss_fn(self(x), y), prog_bar=False)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr,
                                weight_decay=self.hparams.weight_decay)


def main():
    rng = np.random.default_rng(SEED)
    X, y = make_form_guide(rng=rng)
    n_train = int(0.8 * len(X))            # races are generated in order; split by race
    Xtr, ytr, Xva, yva = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
    cont = slice(0, 12)                   # scale the numeric columns, leave the one-hot flags
    Xtr[:, cont] = (Xtr[:, cont] - mu[cont]) / sd[cont]
    Xva[:, cont] = (Xva[:, cont] - mu[cont]) / sd[cont]

    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                          batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=512)

    model = FormNet(X.shape[1])
    trainer = L.Trainer(max_epochs=10, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        p = torch.sigmoid(model(torch.from_numpy(Xva))).numpy()
    auc = roc_auc_score(yva, p)
    acc = ((p > 0.5) == yva).mean()
    print(f"val_loss={trainer.callback_metrics['val_loss'].item():.4f} val_auc={auc:.4f} val_acc={acc:.4f}")


if __name__ == "__main__":
    main()
