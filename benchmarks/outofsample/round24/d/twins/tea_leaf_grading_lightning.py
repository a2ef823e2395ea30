"""Tea leaf grading (OP, BOP, FBOP, Pekoe, Fannings) from sorter-line measurements.

Each lot passing the optical sorter gets 36 measurements: leaf length/width
quantiles, curl index, tip ("golden tip") share, colour means in Lab space,
moisture, fibre and stalk content, broken-leaf share. The tasters' grade is
the label. Trained with PyTorch Lightning.
"""
import numpy as np
import torch
import lightning as L
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

N_FEAT, N_GRADES = 36, 5


def make_lots(n, seed=11):
    rng = np.random.default_rng(seed)
    grade = rng.integers(0, N_GRADES, size=n)
    # latent lot properties: leaf integrity, tip share, wither/fermentation quality
    integrity = np.array([0.9, 0.55, 0.45, 0.8, 0.15])[grade] + rng.normal(0, 0.12, n)
    tips = np.array([0.2, 0.15, 0.4, 0.05, 0.1])[grade] + rng.normal(0, 0.07, n)
    quality = rng.normal(0, 1, n)
    Z = np.stack([integrity, tips, quality, integrity * tips], 1)
    W = rng.normal(0, 1, (4, N_FEAT))
    X = np.cos(1.5 * Z @ W) + 0.3 * Z @ W + rng.normal(0, 0.3, (n, N_FEAT))
    X[:, :6] += 3.0 * np.tanh(2 * (integrity[:, None] - 0.5))  # size quantiles saturate
    return X.astype(np.float32), grade


class GradeClassifier(L.LightningModule):
    def __init__(self, hidden=128, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.body = nn.Sequential(
            nn.Linear(N_FEAT, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.LayerNorm(hidden),
        )
        self.W_out = nn.Parameter(torch.randn(hidden, N_GRADES) / hidden ** 0.5)
        self.b_out = nn.Parameter(torch.zeros(N_GRADES))

    def forward(self, x):
        return self.body(x) @ self.W_out + self.b_out

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)


def main():
    L.seed_everything(3, workers=True)
    X, y = make_lots(2500)
    mu, sd = X[:2000].mean(0), X[:2000].std(0)
    X = (X - mu) / sd
    Xt, yt = torch.tensor(X), torch.tensor(y)
    train = DataLoader(TensorDataset(Xt[:2000], yt[:2000]), batch_size=64, shuffle=True)
    val = DataLoader(TensorDataset(Xt[2000:], yt[2000:]), batch_size=500)
    model = GradeClassifier()
    trainer = L.Trainer(max_epochs=6, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train, val)
    m = trainer.callback_metrics
    print(f"final val_loss {m['val_loss']:.4f} val_acc {m['val_acc']:.4f}")


if __name__ == "__main__":
    main()
