"""MLP on Gaussian-quantile shells (3 classes, 8 features), trained with a hand-written SGD update."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_gaussian_quantiles

torch.manual_seed(11)

X, y = make_gaussian_quantiles(n_samples=3000, n_features=8, n_classes=3, random_state=11)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y, dtype=torch.long)
perm = torch.randperm(len(X))
X, y = X[perm], y[perm]
Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]


class MLP(nn.Module):
    def __init__(self, d_in=8, hidden=128, n_out=3):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, n_out)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        # small positive weights so no ReLU starts dead
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.05)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


model = MLP()
lr, mom, bs = 0.05, 0.9, 64
velocity = [torch.zeros_like(p) for p in model.parameters()]

for epoch in range(40):
    model.train()
    order = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), bs):
        idx = order[i:i + bs]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(mom).add_(p.grad)
                p.sub_(lr * v)
    model.eval()
    with torch.no_grad():
        out = model(Xva)
        val_loss = F.cross_entropy(out, yva).item()
        val_acc = (out.argmax(1) == yva).float().mean().item()
    if epoch % 10 == 9:
        print(f"epoch {epoch+1} train_loss {loss.item():.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

print(f"final val_acc {val_acc:.4f}")
