"""Tiny Transformer encoder: classify a token sequence by its most frequent 'keyword' token (6 classes).
The model returns class probabilities so the serving code can threshold them directly."""
import math
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
VOCAB, T, N_CLS = 64, 24, 6
KEYWORDS = torch.arange(N_CLS)  # tokens 0..5 are keywords


def make_data(n):
    x = torch.randint(N_CLS, VOCAB, (n, T))
    y = torch.randint(0, N_CLS, (n,))
    for i in range(n):
        k = torch.randint(3, 7, (1,)).item()
        pos = torch.randperm(T)[: k + 4]
        x[i, pos[:k]] = y[i]
        others = KEYWORDS[KEYWORDS != y[i]]
        x[i, pos[k:]] = others[torch.randint(0, N_CLS - 1, (4,))]
    return x, y


class Encoder(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Parameter(torch.randn(1, T, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=128, dropout=0.1, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, layers)
        self.cls = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, N_CLS), nn.Softmax(dim=-1))

    def forward(self, x):
        h = self.enc(self.tok(x) + self.pos)
        return self.cls(h.mean(1))


Xtr, ytr = make_data(4000)
Xva, yva = make_data(800)
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=400)

model = Encoder()
EPOCHS = 8
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS * len(train_loader))
criterion = nn.CrossEntropyLoss()

for epoch in range(EPOCHS):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in val_loader:
            correct += (model(xb).argmax(-1) == yb).sum().item()
    print(f"epoch {epoch+1} train_loss {loss.item():.4f} val_acc {correct/len(Xva):.4f}")

print(f"final val_acc {correct/len(Xva):.4f}")
