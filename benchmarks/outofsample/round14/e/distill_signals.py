"""Gearbox condition monitoring: distil a 1-D CNN teacher into an edge-sized
student (about 20x fewer parameters) with Hinton et al.'s soft targets at
temperature 4. The teacher is frozen (eval mode, no grad) while the student trains.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

torch.manual_seed(11)
rng = np.random.default_rng(11)

N_CLASSES, LEN, FS = 6, 128, 128.0
# each condition: shaft harmonic + fault-specific sidebands / impacts
BASE = [12.0, 12.0, 12.0, 19.0, 19.0, 27.0]


def synth(n):
    t = np.arange(LEN) / FS
    y = rng.integers(0, N_CLASSES, n)
    X = np.empty((n, LEN), dtype=np.float32)
    for i, c in enumerate(y):
        f0 = BASE[c] * rng.uniform(0.95, 1.05)
        ph = rng.uniform(0, 2 * np.pi, 3)
        s = np.sin(2 * np.pi * f0 * t + ph[0])
        if c in (1, 4):          # gear mesh sidebands
            s += 0.6 * np.sin(2 * np.pi * (3 * f0) * t + ph[1])
        if c in (2, 5):          # bearing impacts, period jittered
            period = int(FS / rng.uniform(7, 9))
            start = rng.integers(0, period)
            s[start::period] += 2.5
        if c == 5:
            s *= 1 + 0.5 * np.sin(2 * np.pi * 2.0 * t + ph[2])
        s += rng.normal(0, 0.7, LEN)
        X[i] = s
    return X, y


X_tr, y_tr = synth(2400)
X_va, y_va = synth(800)
mu, sd = X_tr.mean(), X_tr.std()
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

tr = TensorDataset(torch.from_numpy(X_tr).unsqueeze(1), torch.from_numpy(y_tr))
loader = DataLoader(tr, batch_size=64, shuffle=True)
Xv, yv = torch.from_numpy(X_va).unsqueeze(1), torch.from_numpy(y_va)


def conv_net(ch, hidden):
    return nn.Sequential(
        nn.Conv1d(1, ch, 9, padding=4), nn.BatchNorm1d(ch), nn.ReLU(), nn.MaxPool1d(2),
        nn.Conv1d(ch, ch, 9, padding=4), nn.BatchNorm1d(ch), nn.ReLU(), nn.MaxPool1d(4),
        nn.Conv1d(ch, ch, 5, padding=2), nn.BatchNorm1d(ch), nn.ReLU(),
        nn.AdaptiveAvgPool1d(1), nn.Flatten(),
        nn.Linear(ch, hidden), nn.ReLU(), nn.Linear(hidden, N_CLASSES),
    )


def accuracy(net):
    net.eval()
    with torch.no_grad():
        return (net(Xv).argmax(1) == yv).float().mean().item()


teacher = conv_net(32, 64)
opt_t = torch.optim.Adam(teacher.parameters(), lr=2e-3)
for epoch in range(8):
    teacher.train()
    for xb, yb in loader:
        opt_t.zero_grad()
        F.cross_entropy(teacher(xb), yb).backward()
        opt_t.step()
print(f"teacher ({sum(p.numel() for p in teacher.parameters())} params) val acc {accuracy(teacher):.4f}")

teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)

T, ALPHA = 4.0, 0.7
student = conv_net(10, 16)
opt_s = torch.optim.Adam(student.parameters(), lr=3e-3)
sched = torch.optim.lr_scheduler.StepLR(opt_s, step_size=5, gamma=0.5)
for epoch in range(12):
    student.train()
    tot = 0.0
    for xb, yb in loader:
        with torch.no_grad():
            soft = F.softmax(teacher(xb) / T, dim=1)
        logits = student(xb)
        kd = F.kl_div(F.log_softmax(logits / T, dim=1), soft, reduction="batchmean") * T * T
        loss = ALPHA * kd + (1 - ALPHA) * F.cross_entropy(logits, yb)
        opt_s.zero_grad()
        loss.backward()
        opt_s.step()
        tot += loss.item()
    sched.step()
    if epoch % 3 == 2 or epoch == 11:
        print(f"student epoch {epoch + 1:2d} loss {tot / len(loader):.4f} val acc {accuracy(student):.4f}")

base = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(np.abs(np.fft.rfft(X_tr, axis=1)), y_tr)
base_acc = base.score(np.abs(np.fft.rfft(X_va, axis=1)), y_va)
print(f"baseline logistic on |FFT|: val acc {base_acc:.4f}  (majority {np.bincount(y_va).max() / len(y_va):.4f})")
print(f"final: student ({sum(p.numel() for p in student.parameters())} params) val acc {accuracy(student):.4f}")
