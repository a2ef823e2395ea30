"""Risk-tier classification: the tier of a measurement vector is set by its distance from the
population centre (Gaussian quantile shells, 4 tiers, 6 features). MLP with a plain PyTorch loop."""
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_gaussian_quantiles
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
X, y = make_gaussian_quantiles(n_samples=4000, n_features=6, n_classes=4, random_state=3)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=0)
to_t = lambda a, dt: torch.tensor(a, dtype=dt)
train_loader = DataLoader(TensorDataset(to_t(X_tr, torch.float32), to_t(y_tr, torch.long)), batch_size=64, shuffle=True)
test_loader = DataLoader(TensorDataset(to_t(X_te, torch.float32), to_t(y_te, torch.long)), batch_size=512)


class TierNet(nn.Module):
    def __init__(self, d_in=6, hidden=128, n_out=4):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, hidden // 2)
        self.out = nn.Linear(hidden // 2, n_out)
        self.act = nn.GELU()

    def forward(self, x):
        h = self.fc1(x)
        h = self.fc2(h)
        h = self.fc3(h)
        return self.out(h)


model = TierNet()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
loss_fn = nn.CrossEntropyLoss()


def evaluate(loader):
    model.eval()
    tot, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            tot += loss_fn(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return tot / n, correct / n


for epoch in range(1, 21):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
    if epoch % 5 == 0:
        tr_loss, tr_acc = evaluate(train_loader)
        te_loss, te_acc = evaluate(test_loader)
        print(f"epoch {epoch:2d} train_loss {tr_loss:.4f} train_acc {tr_acc:.3f} test_loss {te_loss:.4f} test_acc {te_acc:.3f}")

print(f"final test_loss {te_loss:.4f} test_acc {te_acc:.4f}")
