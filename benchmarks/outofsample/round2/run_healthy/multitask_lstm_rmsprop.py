import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
rng = np.random.default_rng(8)

T = 60
N = 5000


def make_signals(n):
    t = np.arange(T)[None, :]
    kind = rng.integers(0, 4, n)
    freq = rng.uniform(0.05, 0.25, n)[:, None]
    amp = rng.uniform(0.5, 2.0, n)[:, None]
    phase = rng.uniform(0, 2 * np.pi, n)[:, None]
    base = np.where(kind[:, None] == 0, np.sin(2 * np.pi * freq * t + phase),
           np.where(kind[:, None] == 1, np.sign(np.sin(2 * np.pi * freq * t + phase)),
           np.where(kind[:, None] == 2, 2 * ((freq * t + phase / (2 * np.pi)) % 1) - 1,
                    np.abs(2 * ((freq * t + phase / (2 * np.pi)) % 1) - 1) * 2 - 1)))
    x = amp * base + rng.normal(0, 0.2, (n, T))
    x2 = np.gradient(x, axis=1)
    feats = np.stack([x, x2], -1).astype(np.float32)
    return feats, kind.astype(np.int64), freq[:, 0].astype(np.float32)


X, kind, freq = make_signals(N)
freq_mu, freq_sd = freq[:4000].mean(), freq[:4000].std()
freq_z = (freq - freq_mu) / freq_sd
tr = TensorDataset(torch.from_numpy(X[:4000]), torch.from_numpy(kind[:4000]), torch.from_numpy(freq_z[:4000]))
va = TensorDataset(torch.from_numpy(X[4000:]), torch.from_numpy(kind[4000:]), torch.from_numpy(freq_z[4000:]))
train_dl = DataLoader(tr, batch_size=64, shuffle=True)
val_dl = DataLoader(va, batch_size=250)


class TwoHeadLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(2, 64, num_layers=2, batch_first=True, dropout=0.1)
        self.cls = nn.Linear(64, 4)
        self.reg = nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 1))

    def forward(self, x):
        out, _ = self.lstm(x)
        h = out.mean(1)
        return self.cls(h), self.reg(h).squeeze(1)


model = TwoHeadLSTM()
opt = torch.optim.RMSprop(model.parameters(), lr=2e-3, alpha=0.9)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
ce = nn.CrossEntropyLoss()
mse = nn.MSELoss()

for epoch in range(10):
    model.train()
    for xb, kb, fb in train_dl:
        logits, fpred = model(xb)
        loss = ce(logits, kb) + 0.5 * mse(fpred, fb)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 2.0)
        opt.step()
    sched.step()
    model.eval()
    ce_sum = se_sum = correct = 0.0
    with torch.no_grad():
        for xb, kb, fb in val_dl:
            logits, fpred = model(xb)
            ce_sum += nn.functional.cross_entropy(logits, kb, reduction="sum").item()
            se_sum += nn.functional.mse_loss(fpred, fb, reduction="sum").item()
            correct += (logits.argmax(1) == kb).sum().item()
    n = len(va)
    val_mse = se_sum / n
    print(f"epoch {epoch} val_ce_sum {ce_sum:.1f} val_sse {se_sum:.1f} val_acc {correct / n:.3f} val_mse(z) {val_mse:.4f}")

rmse_hz = (se_sum / n) ** 0.5 * freq_sd
print(f"final val waveform accuracy {correct / n:.3f}, frequency RMSE {rmse_hz:.4f} cycles/step (freq std {freq_sd:.4f})")
