"""Session-level anomaly detection on service logs: each session is the
sequence of its log-template ids (Drain-style parsing upstream). A GRU reads
the 100-event session; anomalies are rare (about 8%), so the loss is
class-weighted. Lightning with gradient clipping and early stopping."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L
from lightning.pytorch.callbacks import EarlyStopping

N_TEMPLATES = 40
SESSION_LEN = 100
FAILOVER = [31, 7, 7, 18]  # lease lost -> retry -> retry -> replica promoted


def traffic_model(rng):
    # normal traffic: a sparse random Markov chain over templates
    return rng.dirichlet(np.full(N_TEMPLATES, 0.15), N_TEMPLATES)


def sample_sessions(trans, n, rng, anomaly_rate=0.08):
    x = np.empty((n, SESSION_LEN), dtype=np.int64)
    y = (rng.random(n) < anomaly_rate).astype(np.int64)
    cum = trans.cumsum(1)
    for i in range(n):
        s = rng.integers(N_TEMPLATES)
        for t in range(SESSION_LEN):
            x[i, t] = s
            s = min(np.searchsorted(cum[s], rng.random()), N_TEMPLATES - 1)
        # the templates of a failover also show up alone in healthy sessions
        for _ in range(rng.integers(0, 4)):
            pos = rng.integers(0, SESSION_LEN)
            x[i, pos] = rng.choice(FAILOVER)
        if rng.random() < 0.3:  # a single retry that recovered is normal
            pos = rng.integers(0, SESSION_LEN - 3)
            x[i, pos:pos + 3] = [31, 7, 18]
        if y[i]:
            pos = rng.integers(10, SESSION_LEN - len(FAILOVER))
            x[i, pos:pos + len(FAILOVER)] = FAILOVER
            if rng.random() < 0.3:  # the logger interleaves another request's line
                x[i, pos + rng.integers(1, 4)] = rng.integers(N_TEMPLATES)
    return torch.tensor(x), torch.tensor(y)


class SessionGRU(L.LightningModule):
    def __init__(self, class_weight, emb=16, hidden=48, lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.emb = nn.Embedding(N_TEMPLATES, emb)
        self.gru = nn.GRU(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 2)
        self.loss = nn.CrossEntropyLoss(weight=torch.tensor(class_weight, dtype=torch.float32))

    def forward(self, x):
        h, _ = self.gru(self.emb(x))
        return self.out(h.max(dim=1).values)

    def training_step(self, batch, _):
        x, y = batch
        loss = self.loss(self(x), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        pred = self(x).argmax(1)
        self.log("val_loss", self.loss(self(x), y))
        self.log("val_tp", ((pred == 1) & (y == 1)).float().sum(), reduce_fx="sum")
        self.log("val_fp", ((pred == 1) & (y == 0)).float().sum(), reduce_fx="sum")
        self.log("val_fn", ((pred == 0) & (y == 1)).float().sum(), reduce_fx="sum")

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(21, verbose=False)
    rng = np.random.default_rng(21)
    trans = traffic_model(rng)
    x_tr, y_tr = sample_sessions(trans, 2000, rng)
    x_va, y_va = sample_sessions(trans, 800, rng)
    share = y_tr.float().mean().item()
    class_weight = [0.5 / (1 - share), 0.5 / share]

    train_dl = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(x_va, y_va), batch_size=400)
    model = SessionGRU(class_weight)
    trainer = L.Trainer(max_epochs=10, gradient_clip_val=1.0, accelerator="cpu", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False,
                        callbacks=[EarlyStopping("val_loss", patience=3, mode="min")])
    trainer.fit(model, train_dl, val_dl)
    m = trainer.callback_metrics
    tp, fp, fn = m["val_tp"].item(), m["val_fp"].item(), m["val_fn"].item()
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    print(f"epochs {trainer.current_epoch} val anomaly precision {precision:.3f} recall {recall:.3f} f1 {f1:.3f}")


if __name__ == "__main__":
    main()
