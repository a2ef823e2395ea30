import random
import numpy as np, torch
from torch import nn
import torch.nn.functional as F

random.seed(0); np.random.seed(0); torch.manual_seed(0)

T = 6000
t = np.arange(T)
rng = np.random.default_rng(0)
series = np.sin(2 * np.pi * t / 50) + 0.5 * np.sin(2 * np.pi * t / 13) + 0.1 * rng.standard_normal(T)
series = (series - series[:4000].mean()) / series[:4000].std()
L, H = 64, 8
def windows(a, b):
    xs = np.stack([series[i:i + L] for i in range(a, b - L - H)])
    ys = np.stack([series[i + L:i + L + H] for i in range(a, b - L - H)])
    return torch.tensor(xs, dtype=torch.float32)[:, None], torch.tensor(ys, dtype=torch.float32)
Xtr, ytr = windows(0, 4500)
Xva, yva = windows(4500, T)

class CausalBlock(nn.Module):
    def __init__(self, cin, cout, dil):
        super().__init__()
        self.pad = 2 * dil
        self.conv1 = nn.Conv1d(cin, cout, 3, dilation=dil)
        self.conv2 = nn.Conv1d(cout, cout, 3, dilation=dil)
        self.skip = nn.Conv1d(cin, cout, 1) if cin != cout else nn.Identity()
    def forward(self, x):
        h = F.relu(self.conv1(F.pad(x, (self.pad, 0))))
        h = self.conv2(F.pad(h, (self.pad, 0)))
        return F.relu(h + self.skip(x))

class TCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(CausalBlock(1, 32, 1), CausalBlock(32, 32, 2), CausalBlock(32, 32, 4), CausalBlock(32, 32, 8))
        self.head = nn.Linear(32, H)
    def forward(self, x):
        return self.head(self.blocks(x)[:, :, -1])

model = TCN()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
crit = nn.L1Loss()
l1_lambda = 1e-6
naive = (yva - Xva[:, 0, -1:]).abs().mean().item()
for epoch in range(6):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 64):
        idx = perm[i:i + 64]
        opt.zero_grad()
        loss = crit(model(Xtr[idx]), ytr[idx])
        l1 = sum(p.abs().sum() for n, p in model.named_parameters() if "weight" in n)
        (loss + l1_lambda * l1).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        mae = crit(model(Xva), yva).item()
    print(f"epoch {epoch} val_mae {mae:.4f}")
print(f"final val_mae {mae:.4f} (naive last-value {naive:.4f})")
