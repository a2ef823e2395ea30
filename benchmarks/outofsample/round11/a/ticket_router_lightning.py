"""Route customer-support tickets (billing / outage / account / shipping / other) from their
token ids. fastText-style bag of embeddings (mean over the ticket) and a small MLP head,
trained with PyTorch Lightning and SGD.
"""
import numpy as np
import torch
import lightning as L
from torch import nn
from torch.utils.data import DataLoader, Dataset

L.seed_everything(21, verbose=False)

VOCAB, MAX_LEN, PAD = 800, 48, 0
QUEUES = ["billing", "outage", "account", "shipping", "other"]


class Tickets(Dataset):
    """Synthetic tickets: filler words plus a few queue-specific terms, some shared between queues."""

    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        topic_terms = [np.arange(10 + 40 * k, 50 + 40 * k) for k in range(4)]
        self.x = np.zeros((n, MAX_LEN), dtype=np.int64)
        self.lengths = rng.integers(12, MAX_LEN + 1, n)
        self.y = rng.integers(0, len(QUEUES), n)
        for i in range(n):
            length = self.lengths[i]
            toks = rng.integers(200, VOCAB, length)
            if self.y[i] < 4:
                k = rng.integers(3, 7)
                pos = rng.choice(length, k, replace=False)
                toks[pos] = rng.choice(topic_terms[self.y[i]], k)
            # distractors: a term from another queue
            if rng.random() < 0.3:
                other = rng.integers(0, 4)
                toks[rng.integers(length)] = rng.choice(topic_terms[other])
            self.x[i, :length] = toks

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return torch.from_numpy(self.x[i]), int(self.lengths[i]), int(self.y[i])


class Router(L.LightningModule):
    def __init__(self, emb=64, hidden=128, lr=0.5):
        super().__init__()
        self.save_hyperparameters()
        self.emb = nn.Embedding(VOCAB, emb, padding_idx=PAD)
        self.mlp = nn.Sequential(nn.Linear(emb, hidden), nn.ReLU(), nn.Dropout(0.2),
                                 nn.Linear(hidden, len(QUEUES)))

    def forward(self, tokens, lengths):
        summed = self.emb(tokens).sum(dim=1)
        return self.mlp(summed / lengths[:, None].float())

    def training_step(self, batch, batch_idx):
        tokens, lengths, y = batch
        loss = nn.functional.cross_entropy(self(tokens, lengths), y)
        self.log("train_loss", loss, on_step=False, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        tokens, lengths, y = batch
        logits = self(tokens, lengths)
        self.log("val_loss", nn.functional.cross_entropy(logits, y), prog_bar=True)
        self.log("val_acc", (logits.argmax(1) == y).float().mean(), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9)


train_loader = DataLoader(Tickets(3000, seed=1), batch_size=32, shuffle=True)
val_loader = DataLoader(Tickets(600, seed=2), batch_size=200)

model = Router()
trainer = L.Trainer(max_epochs=8, gradient_clip_val=0.01, accelerator="cpu", devices=1,
                    logger=False, enable_checkpointing=False, enable_progress_bar=False,
                    enable_model_summary=False)
trainer.fit(model, train_loader, val_loader)
metrics = trainer.validate(model, val_loader, verbose=False)[0]
print(f"final val loss {metrics['val_loss']:.4f}  val accuracy {metrics['val_acc']:.4f}")
