"""Lightning: a small Transformer encoder that classifies token sequences into 4
"topics" (each topic draws more often from its own slice of a 2000-word vocabulary).
A [CLS] token is prepended and its final state feeds the classifier."""
import lightning as L
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

VOCAB, SEQ_LEN, N_TOPICS = 2000, 31, 4
PAD, CLS = 0, 1


def synth_corpus(n, generator):
    labels = torch.randint(0, N_TOPICS, (n,), generator=generator)
    # background words from the whole vocabulary, plus ~30% topic words
    tokens = torch.randint(2, VOCAB, (n, SEQ_LEN), generator=generator)
    slice_size = (VOCAB - 2) // N_TOPICS
    topic_tok = 2 + labels[:, None] * slice_size + torch.randint(0, slice_size // 8, (n, SEQ_LEN),
                                                                 generator=generator)
    use_topic = torch.rand(n, SEQ_LEN, generator=generator) < 0.3
    tokens = torch.where(use_topic, topic_tok, tokens)
    lengths = torch.randint(16, SEQ_LEN + 1, (n,), generator=generator)
    tokens[torch.arange(SEQ_LEN)[None, :] >= lengths[:, None]] = PAD
    tokens = torch.cat([torch.full((n, 1), CLS), tokens], dim=1)
    return tokens, labels


class TopicClassifier(L.LightningModule):
    def __init__(self, d_model=64, nhead=4, layers=2, lr=1e-3, warmup=50):
        super().__init__()
        self.save_hyperparameters()
        self.embed = nn.Embedding(VOCAB, d_model, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(1, SEQ_LEN + 1, d_model) * 0.02)
        block = nn.TransformerEncoderLayer(d_model, nhead, 4 * d_model, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, N_TOPICS)

    def forward(self, tokens):
        x = self.embed(tokens) + self.pos[:, : tokens.size(1)]
        attn_mask = nn.Transformer.generate_square_subsequent_mask(tokens.size(1))
        x = self.encoder(x, mask=attn_mask, src_key_padding_mask=tokens == PAD)
        return self.head(self.norm(x[:, 0]))

    def _shared(self, batch, stage):
        tokens, y = batch
        logits = self(tokens)
        loss = F.cross_entropy(logits, y)
        acc = (logits.argmax(-1) == y).float().mean()
        self.log(f"{stage}_loss", loss, prog_bar=True, on_epoch=True, on_step=False)
        self.log(f"{stage}_acc", acc, prog_bar=True, on_epoch=True, on_step=False)
        return loss

    def training_step(self, batch, batch_idx):
        return self._shared(batch, "train")

    def validation_step(self, batch, batch_idx):
        self._shared(batch, "val")

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=0.01)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda step: min(1.0, (step + 1) / self.hparams.warmup))
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def main():
    L.seed_everything(42, verbose=False)
    g = torch.Generator().manual_seed(42)
    train = TensorDataset(*synth_corpus(2400, g))
    val = TensorDataset(*synth_corpus(600, g))
    model = TopicClassifier()
    trainer = L.Trainer(max_epochs=5, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False)
    trainer.fit(model, DataLoader(train, batch_size=64, shuffle=True),
                DataLoader(val, batch_size=200))
    m = trainer.callback_metrics
    print(f"final val_acc={m['val_acc'].item():.4f} val_loss={m['val_loss'].item():.4f} "
          f"train_loss={m['train_loss'].item():.4f}")


if __name__ == "__main__":
    main()
