"""Lightning: LSTM encoder + linear head; detect which 3-token motif is hidden in a random token sequence.
The encoder is fine-tuned with a smaller learning rate than the head (discriminative LRs)."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(5, verbose=False)
VOCAB, T, N_CLS = 24, 32, 4
MOTIFS = torch.tensor([[3, 7, 1], [7, 3, 1], [1, 7, 3], [3, 1, 7]])  # same tokens, different order


def make_data(n, g):
    x = torch.randint(8, VOCAB, (n, T), generator=g)
    y = torch.randint(0, N_CLS, (n,), generator=g)
    pos = torch.randint(0, T - 3, (n,), generator=g)
    for i in range(n):
        x[i, pos[i]:pos[i] + 3] = MOTIFS[y[i]]
    return x, y


class MotifClassifier(L.LightningModule):
    def __init__(self, emb=32, hidden=64, lr=3e-3, backbone_lr=1e-3, freeze_backbone=False):
        super().__init__()
        self.save_hyperparameters()
        self.encoder = nn.ModuleDict(dict(emb=nn.Embedding(VOCAB, emb), rnn=nn.LSTM(emb, hidden, batch_first=True)))
        self.head = nn.Linear(hidden, N_CLS)

    def encode(self, x):
        out, _ = self.encoder["rnn"](self.encoder["emb"](x))
        return out.max(dim=1).values

    def forward(self, x):
        with torch.no_grad():  # linear-probe mode: keep the backbone fixed
            h = self.encode(x)
        return self.head(h)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(-1) == y).float().mean())

    def configure_optimizers(self):
        if self.hparams.freeze_backbone:
            self.encoder.requires_grad_(False)
        groups = [{"params": self.head.parameters(), "lr": self.hparams.lr}]
        if not self.hparams.freeze_backbone:
            groups.append({"params": self.encoder.parameters(), "lr": self.hparams.backbone_lr})
        return torch.optim.AdamW(groups, weight_decay=0.01)


if __name__ == "__main__":
    g = torch.Generator().manual_seed(5)
    Xtr, ytr = make_data(3000, g)
    Xva, yva = make_data(600, g)
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=300)
    model = MotifClassifier()
    trainer = L.Trainer(max_epochs=8, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)
    res = trainer.validate(model, val_loader, verbose=False)[0]
    print(f"final val_acc {res['val_acc']:.4f} val_loss {res['val_loss']:.4f}")
