"""Route support tickets to one of 6 queues from their token ids (bag of embeddings).
Tickets are synthesised: each queue has its own keyword vocabulary mixed into generic text."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

VOCAB, MAXLEN, QUEUES = 3000, 40, 6


def synth_tickets(n, rng):
    keywords = np.arange(1, 1 + QUEUES * 40).reshape(QUEUES, 40)  # queue-specific ids
    ids = np.zeros((n, MAXLEN), dtype=np.int64)
    y = rng.integers(0, QUEUES, size=n)
    for i in range(n):
        L = rng.integers(12, MAXLEN + 1)
        toks = rng.integers(QUEUES * 40 + 1, VOCAB, size=L)
        k = rng.integers(2, 5)
        pos = rng.choice(L, size=k, replace=False)
        # keywords of the right queue, sometimes one from a neighbouring queue
        toks[pos] = rng.choice(keywords[y[i]], size=k)
        if rng.random() < 0.3:
            toks[rng.integers(L)] = rng.choice(keywords[(y[i] + 1) % QUEUES])
        ids[i, :L] = toks
    return torch.from_numpy(ids), torch.from_numpy(y)


class BagClassifier(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, dim, padding_idx=0)
        self.mlp = nn.Sequential(nn.Linear(dim, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, QUEUES))

    def forward(self, ids):
        mask = (ids != 0).unsqueeze(-1).float()
        pooled = (self.emb(ids) * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.mlp(pooled)


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    loss, correct, n = 0.0, 0, 0
    for ids, y in loader:
        logits = model(ids)
        loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(-1) == y).sum().item()
        n += len(y)
    model.train()
    return loss / n, correct / n


def main():
    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    ids, y = synth_tickets(4000, rng)
    # rows come out of the generator in random order already
    train_ds = TensorDataset(ids[:3200], y[:3200])
    val_ds = TensorDataset(ids[3200:], y[3200:])
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=False, drop_last=True)
    val_loader = DataLoader(val_ds, batch_size=400)

    model = BagClassifier()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)

    total_steps, log_every = 600, 100
    model.train()
    it = iter(train_loader)
    for step in range(1, total_steps + 1):
        try:
            batch_ids, batch_y = next(it)
        except StopIteration:
            it = iter(train_loader)
            batch_ids, batch_y = next(it)
        loss = F.cross_entropy(model(batch_ids), batch_y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % log_every == 0:
            vl, va = evaluate(model, val_loader)
            print(f"step {step:4d}  train_loss {loss.item():.4f}  val_loss {vl:.4f}  val_acc {va:.4f}")
    vl, va = evaluate(model, val_loader)
    print(f"final val_loss {vl:.4f} val_acc {va:.4f}")


if __name__ == "__main__":
    main()
