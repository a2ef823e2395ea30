import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(0); np.random.seed(0)
X, y = load_digits(return_X_y=True)
X = (X / 8.0 - 1.0).astype(np.float32).reshape(-1, 1, 8, 8)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
train = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=32, shuffle=True)

class SwishFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return s * (1 + x * (1 - s))

class Swish(nn.Module):
    def forward(self, x):
        return SwishFn.apply(x)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), Swish(),
    nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), Swish(), nn.MaxPool2d(2),
    nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), Swish(), nn.AdaptiveAvgPool2d(1),
    nn.Flatten(), nn.Linear(32, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
lossf = nn.CrossEntropyLoss()
for ep in range(12):
    model.train()
    for xb, yb in train:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(torch.tensor(Xva)).argmax(1).numpy() == yva).mean()
    if ep % 3 == 2: print(f"epoch {ep+1} loss {loss.item():.3f} val_acc {acc:.3f}")
print(f"final val_acc {acc:.4f}")
