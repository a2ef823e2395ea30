"""Route incoming customer e-mails to the teams that have to act on them.

An e-mail can need several teams at once (a refund request that is also a
complaint about a broken device goes to billing *and* hardware).  Hashed
bag-of-words -> small MLP, trained with Lightning; we report micro/macro F1 of
the per-team decisions on held-out mail.
"""
import lightning as L
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import f1_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

TEAMS = ["billing", "hardware", "shipping", "account", "legal", "retention", "fraud_ops"]
VOCAB = 3000
MAX_WORDS = 60


def synth_mailbox(n, rng, topic_words, background_p):
    """Each team has its own vocabulary; mails mix 1-3 team topics with filler words."""
    base_rate = np.array([0.35, 0.25, 0.30, 0.20, 0.06, 0.12, 0.05])
    Y = (rng.random((n, len(TEAMS))) < base_rate).astype(np.float32)
    empty = Y.sum(1) == 0
    Y[empty, rng.integers(0, len(TEAMS), empty.sum())] = 1.0
    X = np.zeros((n, MAX_WORDS), dtype=np.int64)
    for i in range(n):
        length = rng.integers(20, MAX_WORDS + 1)
        words = list(rng.choice(VOCAB, size=length, p=background_p))
        for t in np.flatnonzero(Y[i]):
            k = rng.integers(2, 6)
            words[:k] = rng.choice(topic_words[t], size=k)
            rng.shuffle(words)
        X[i, :length] = words
    return X, Y


class TriageModel(L.LightningModule):
    def __init__(self, vocab=VOCAB, dim=64, n_labels=len(TEAMS), lr=3e-3):
        super().__init__()
        self.save_hyperparameters()
        self.embed = nn.EmbeddingBag(vocab, dim, mode="sum", padding_idx=0)
        self.head = nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, 128), nn.ReLU(),
                                  nn.Dropout(0.2), nn.Linear(128, n_labels))
        self.val_probs, self.val_targets = [], []

    def forward(self, tokens):
        return self.head(self.embed(tokens))

    def training_step(self, batch, batch_idx):
        tokens, targets = batch
        loss = F.cross_entropy(self(tokens), targets)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        tokens, targets = batch
        logits = self(tokens)
        self.log("val_loss", F.binary_cross_entropy_with_logits(logits, targets))
        self.val_probs.append(torch.sigmoid(logits))
        self.val_targets.append(targets)

    def on_validation_epoch_end(self):
        probs = torch.cat(self.val_probs).numpy()
        targets = torch.cat(self.val_targets).numpy()
        self.val_probs.clear(); self.val_targets.clear()
        pred = probs > 0.5
        self.micro_f1 = f1_score(targets, pred, average="micro", zero_division=0)
        self.macro_f1 = f1_score(targets, pred, average="macro", zero_division=0)
        self.log("val_micro_f1", self.micro_f1)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
        return [opt], [sched]


def main():
    L.seed_everything(3, verbose=False)
    rng = np.random.default_rng(3)
    zipf = 1.0 / np.arange(1, VOCAB + 1) ** 1.05
    zipf[0] = 0.0
    background_p = zipf / zipf.sum()
    topic_words = [rng.choice(np.arange(200, VOCAB), size=40, replace=False) for _ in TEAMS]

    X_tr, Y_tr = synth_mailbox(5000, rng, topic_words, background_p)
    X_va, Y_va = synth_mailbox(1500, rng, topic_words, background_p)
    train_dl = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(Y_tr)),
                          batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(Y_va)), batch_size=500)

    model = TriageModel()
    trainer = L.Trainer(max_epochs=10, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, num_sanity_val_steps=0)
    trainer.fit(model, train_dl, val_dl)
    print(f"final val_micro_f1={model.micro_f1:.4f} val_macro_f1={model.macro_f1:.4f}")


if __name__ == "__main__":
    main()
