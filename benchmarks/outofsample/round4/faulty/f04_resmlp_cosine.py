"""Residual MLP on a synthetic 5-class tabular problem; AdamW with linear warm-up + cosine decay."""
import math
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)

X, y = make_classification(n_samples=4000, n_features=30, n_informative=18, n_redundant=6,
                           n_classes=5, n_clusters_per_class=2, class_sep=1.2, random_state=42)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
sc = StandardScaler().fit(Xtr)
Xtr, Xva = sc.transform(Xtr).astype("float32"), sc.transform(Xva).astype("float32")
train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=512)


class Block(nn.Module):
    def __init__(self, d, p=0.1):
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 2 * d), nn.GELU(), nn.Dropout(p), nn.Linear(2 * d, d))

    def forward(self, x):
        return x + self.net(x)


class ResMLP(nn.Module):
    def __init__(self, d_in, d=128, n_blocks=3, n_out=5):
        super().__init__()
        self.inp = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[Block(d) for _ in range(n_blocks)])
        self.out = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, n_out))

    def forward(self, x):
        return self.out(self.blocks(self.inp(x)))


model = ResMLP(Xtr.shape[1])
EPOCHS = 15
total = EPOCHS * len(train_loader)
warmup = total // 10
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
lr_lambda = lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup)))
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
criterion = nn.CrossEntropyLoss()

for epoch in range(EPOCHS):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(xb), yb)
        loss.backward()
        running += loss.item() * len(yb)
    optimizer.step()
    scheduler.step()

    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in val_loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
    print(f"epoch {epoch+1} train_loss {running/len(Xtr):.4f} val_acc {correct/len(Xva):.4f}")

print(f"final val_acc {correct/len(Xva):.4f}")
