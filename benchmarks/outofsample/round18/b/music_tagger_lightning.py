"""Multi-label music auto-tagging from MFCC frames, Lightning.

Each clip is 96 frames x 20 MFCCs (about 3 s at a 32 ms hop); 8 tags, several per clip.
Frame-level conv encoder, mean+max pooling over time, linear tag head.
"""
import numpy as np
import torch
import lightning as L
from sklearn.metrics import f1_score, roc_auc_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

TAGS = ["rock", "electronic", "vocal", "guitar", "piano", "drums", "ambient", "fast"]
N_MFCC, N_FRAMES = 20, 96
L.seed_everything(3, verbose=False)


def make_clips(n, rng):
    prior = np.array([0.30, 0.28, 0.45, 0.30, 0.20, 0.50, 0.18, 0.35])
    Y = (rng.random((n, len(TAGS))) < prior).astype(np.float32)
    Y[:, 3] = np.maximum(Y[:, 3], Y[:, 0] * (rng.random(n) < 0.7))        # rock usually has guitar
    Y[:, 6] = Y[:, 6] * (1 - Y[:, 7])                                      # ambient is rarely fast
    sig = rng.normal(0, 1, (len(TAGS), N_MFCC))
    t = np.arange(N_FRAMES)
    X = rng.normal(0, 1.0, (n, N_FRAMES, N_MFCC)).astype(np.float32)
    for i in range(n):
        tempo = rng.uniform(0.25, 0.45) if Y[i, 7] else rng.uniform(0.08, 0.18)
        beat = 0.5 + 0.5 * np.cos(2 * np.pi * tempo * t + rng.uniform(0, 6))
        for k in np.flatnonzero(Y[i]):
            amp = rng.uniform(0.0, 0.3)
            if TAGS[k] in ("drums", "fast"):
                X[i] += amp * beat[:, None] * sig[k]
            elif TAGS[k] == "vocal":
                on = (rng.random(N_FRAMES) < 0.6).astype(float)
                X[i] += amp * on[:, None] * sig[k]
            else:
                X[i] += amp * 0.8 * sig[k]
    return X, Y


class TagModel(L.LightningModule):
    def __init__(self, lr=2e-3):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.Sequential(
            nn.Conv1d(N_MFCC, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
            nn.Conv1d(64, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, len(TAGS)), nn.Sigmoid())
        self.loss_fn = nn.BCEWithLogitsLoss()

    def forward(self, x):
        h = self.encoder(x.transpose(1, 2))
        return self.head(torch.cat([h.mean(-1), h.amax(-1)], 1))

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss_fn(self(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        self.log("val_loss", self.loss_fn(self(x), y), on_epoch=True, prog_bar=False)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


rng = np.random.default_rng(3)
X, Y = make_clips(3000, rng)
X_tr, Y_tr, X_va, Y_va = X[:2400], Y[:2400], X[2400:], Y[2400:]
mu, sd = X_tr.mean((0, 1)), X_tr.std((0, 1))
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd
train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(Y_tr)), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(Y_va)), batch_size=256)

model = TagModel()
trainer = L.Trainer(max_epochs=8, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)

model.eval()
with torch.no_grad():
    probs = torch.sigmoid(model(torch.from_numpy(X_va))).numpy()
pred = (probs > 0.5).astype(int)
print(f"val loss {trainer.callback_metrics['val_loss']:.4f}")
print(f"val micro-F1 {f1_score(Y_va, pred, average='micro'):.3f}  macro-AUC {roc_auc_score(Y_va, probs, average='macro'):.3f}")
