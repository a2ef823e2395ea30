"""Small Transformer encoder sequence classifier: AdamW, cosine schedule with warm-up, label smoothing,
variable-length sequences with a padding mask."""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from transformers import get_cosine_schedule_with_warmup

PAD = 0
VOCAB = 200


class PatternDataset(Dataset):
    """Class = which of 4 'keyword' groups occurs most often in the sequence."""

    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        groups = np.arange(4 * 10).reshape(4, 10) + 1
        self.items = []
        for _ in range(n):
            length = rng.integers(8, 24)
            seq = rng.integers(41, VOCAB, size=length)
            label = rng.integers(4)
            n_kw = rng.integers(2, 5)
            pos = rng.choice(length, size=n_kw, replace=False)
            seq[pos] = rng.choice(groups[label], size=n_kw)
            other = rng.integers(4)
            if other != label and length > n_kw + 1:
                free = np.setdiff1d(np.arange(length), pos)
                seq[rng.choice(free)] = rng.choice(groups[other])
            self.items.append((torch.tensor(seq), int(label)))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate(batch):
    seqs, labels = zip(*batch)
    padded = nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=PAD)
    return padded, torch.tensor(labels)


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=64):
        super().__init__()
        pe = torch.zeros(max_len, d_model)
        position = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div)
        pe[:, 1::2] = torch.cos(position * div)
        self.register_buffer("pe", pe)

    def forward(self, x):
        return x + self.pe[: x.size(1)]


class Classifier(nn.Module):
    def __init__(self, d_model=64, nhead=4, layers=2, n_classes=4):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d_model, padding_idx=PAD)
        self.pos = PositionalEncoding(d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=128, dropout=0.1, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, n_classes)

    def forward(self, tokens):
        mask = tokens == PAD
        h = self.encoder(self.pos(self.embed(tokens) * math.sqrt(self.embed.embedding_dim)), src_key_padding_mask=mask)
        keep = (~mask).unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1)
        return self.head(self.norm(pooled))


@torch.no_grad()
def accuracy(model, loader):
    model.eval()
    correct = total = 0
    for x, y in loader:
        correct += (model(x).argmax(-1) == y).sum().item()
        total += len(y)
    return correct / total


def main():
    torch.manual_seed(42)
    train_loader = DataLoader(PatternDataset(3000, 0), batch_size=64, shuffle=True, collate_fn=collate)
    val_loader = DataLoader(PatternDataset(600, 1), batch_size=256, collate_fn=collate)
    model = Classifier()
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "embed" not in n]
    no_decay = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "embed" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=1e-3, betas=(0.9, 0.98))
    epochs = 6
    total = epochs * len(train_loader)
    scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps=total // 10, num_training_steps=total)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    for epoch in range(epochs):
        model.train()
        running = 0.0
        for step, (x, y) in enumerate(train_loader):
            loss = criterion(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            running += loss.item()
        print(f"epoch {epoch + 1}: train loss {running / len(train_loader):.4f}  val acc {accuracy(model, val_loader):.3f}  lr {scheduler.get_last_lr()[0]:.2e}")
    print(f"final_val_metric={accuracy(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
