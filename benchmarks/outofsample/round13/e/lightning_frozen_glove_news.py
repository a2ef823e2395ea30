"""News-desk routing with Lightning: documents -> one of 6 desks.

Word vectors are "pretrained" once on an unlabeled corpus (PPMI + truncated SVD over a
co-occurrence window), then loaded into a frozen EmbeddingBag; only the small MLP on top is
trained. bf16 autocast, ReduceLROnPlateau on the validation loss, early stopping.
"""
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from lightning.pytorch.callbacks import EarlyStopping
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore")
SEED = 4
VOCAB, N_DESKS, DOC_LEN, DIM = 2000, 6, 40, 48
L.seed_everything(SEED, verbose=False)
rng = np.random.default_rng(SEED)

# each desk has a topical sub-vocabulary; all desks share function words and a long tail
desk_words = [np.arange(100 + d * 120, 100 + (d + 1) * 120) for d in range(N_DESKS)]
shared = np.concatenate([np.arange(0, 100), np.arange(100 + N_DESKS * 120, VOCAB)])


def sample_docs(n):
    desks = rng.integers(0, N_DESKS, size=n)
    docs = np.empty((n, DOC_LEN), dtype=np.int64)
    for i, d in enumerate(desks):
        topical = rng.random(DOC_LEN) < 0.25
        secondary = rng.integers(0, N_DESKS)
        docs[i] = np.where(topical,
                           np.where(rng.random(DOC_LEN) < 0.7, rng.choice(desk_words[d], DOC_LEN),
                                    rng.choice(desk_words[secondary], DOC_LEN)),
                           rng.choice(shared, DOC_LEN))
    return docs, desks


def pretrain_vectors(corpus, window=5, dim=DIM):
    co = np.zeros((VOCAB, VOCAB), dtype=np.float64)
    for off in range(1, window + 1):
        np.add.at(co, (corpus[:, :-off].ravel(), corpus[:, off:].ravel()), 1.0)
    co = co + co.T
    total = co.sum()
    row = co.sum(1, keepdims=True)
    pmi = np.log(np.maximum(co * total / (row * row.T + 1e-12), 1e-12))
    ppmi = np.maximum(pmi, 0)
    u, s, _ = torch.svd_lowrank(torch.tensor(ppmi, dtype=torch.float32), q=dim + 8, niter=4)
    vecs = u[:, :dim] * s[:dim].sqrt()
    return vecs / (vecs.norm(dim=1, keepdim=True) + 1e-8)


class DeskClassifier(L.LightningModule):
    def __init__(self, vectors, lr=3e-3):
        super().__init__()
        self.save_hyperparameters(ignore=["vectors"])
        self.embed = nn.EmbeddingBag.from_pretrained(vectors, freeze=True, mode="mean")
        self.mlp = nn.Sequential(nn.Linear(DIM, 128), nn.GELU(), nn.Dropout(0.2), nn.Linear(128, N_DESKS))

    def forward(self, docs):
        return self.mlp(self.embed(docs) * 8.0)

    def training_step(self, batch, _):
        docs, y = batch
        loss = F.cross_entropy(self(docs), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, _):
        docs, y = batch
        logits = self(docs)
        self.log("val_loss", F.cross_entropy(logits.float(), y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.Adam(filter(lambda p: p.requires_grad, self.parameters()), lr=self.hparams.lr)
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "monitor": "val_loss"}}


def main():
    unlabeled, _ = sample_docs(5000)
    vectors = pretrain_vectors(unlabeled)
    X_tr, y_tr = sample_docs(1500)
    X_va, y_va = sample_docs(500)
    train_dl = DataLoader(TensorDataset(torch.tensor(X_tr), torch.tensor(y_tr)), batch_size=32, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.tensor(X_va), torch.tensor(y_va)), batch_size=250)

    model = DeskClassifier(vectors)
    trainer = L.Trainer(max_epochs=25, accelerator="cpu", precision="bf16-mixed", logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                        callbacks=[EarlyStopping(monitor="val_loss", patience=3, mode="min")])
    trainer.fit(model, train_dl, val_dl)
    res = trainer.validate(model, val_dl, verbose=False)[0]
    print(f"final: stopped after {trainer.current_epoch} epochs  val accuracy {res['val_acc']:.4f}  "
          f"val loss {res['val_loss']:.4f}")


if __name__ == "__main__":
    main()
