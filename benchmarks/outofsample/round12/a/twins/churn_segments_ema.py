"""Telecom customer outcome model: from 14 account/usage features predict one of four
outcomes at renewal (renews, downgrades, churns to competitor, churns and ports number).
MLP with an exponential moving average of the weights (deepcopy), cosine LR schedule,
and the EMA model saved whole for the scoring service."""
import copy

import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 5
torch.manual_seed(SEED)
np.random.seed(SEED)

X, y = make_classification(n_samples=5000, n_features=14, n_informative=9, n_redundant=3,
                           n_classes=4, n_clusters_per_class=3, class_sep=1.2,
                           flip_y=0.02, random_state=SEED)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, stratify=y, random_state=SEED)
scaler = StandardScaler().fit(X_tr)
X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)

train_loader = DataLoader(TensorDataset(torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr)),
                          batch_size=64, shuffle=True)
test_x = torch.tensor(X_te, dtype=torch.float32)
test_y = torch.tensor(y_te)


class OutcomeNet(nn.Module):
    def __init__(self, d_in=14, hidden=128, n_out=4):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden // 2), nn.ReLU(),
        )
        self.out = nn.Linear(hidden // 2, n_out)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.out(self.body(x))


model = OutcomeNet()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)

EPOCHS = 15
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS * len(train_loader))
crit = nn.CrossEntropyLoss()


@torch.no_grad()
def ema_update(decay=0.99):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)


@torch.no_grad()
def accuracy(net):
    net.eval()
    return (net(test_x).argmax(1) == test_y).float().mean().item()


for epoch in range(EPOCHS):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
        sched.step()
        ema_update()
        running += loss.item() * len(yb)
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1}: train_loss {running / len(train_loader.dataset):.4f} "
              f"test_acc {accuracy(model):.4f} ema_acc {accuracy(ema):.4f}")

torch.save(ema, "/tmp/churn_outcome_ema.pt")
print(f"final ema_test_acc={accuracy(ema):.4f} raw_test_acc={accuracy(model):.4f}")
