"""Rolling-bearing fault diagnosis from accelerometer snippets with a 1-D CNN.

Five conditions: healthy, inner-race, outer-race and ball defects, shaft misalignment.
Each sample is 1024 points of acceleration (about 85 ms at 12 kHz) at a shaft speed that
varies by +-10% around 1750 rpm.  The recipe is the usual one for small vibration sets:
a WDCNN-style BatchNorm CNN (wide first kernel), dropout 0.5 before the classifier, cross-entropy with label smoothing 0.1,
SGD with Nesterov momentum and weight decay under a one-cycle LR schedule (stepped per batch).
"""
import numpy as np
import torch
from torch import nn

import nndoctor

FS, N = 12000, 1024
CONDITIONS = ["healthy", "inner_race", "outer_race", "ball", "misalignment"]


def snippet(cond, rng):
    t = np.arange(N) / FS
    f_shaft = 1750 / 60 * rng.uniform(0.9, 1.1)
    x = 0.3 * np.sin(2 * np.pi * f_shaft * t + rng.uniform(0, 6.3))
    x += 0.1 * np.sin(2 * np.pi * 2 * f_shaft * t + rng.uniform(0, 6.3))
    fault_rate = {1: 5.4, 2: 3.6, 3: 4.7}.get(cond)                   # x shaft frequency
    if fault_rate:
        f_res = rng.uniform(2800, 3400)
        period = 1 / (fault_rate * f_shaft)
        t0 = rng.uniform(0, period)
        amp = rng.uniform(0.6, 1.2)
        for ti in np.arange(t0, t[-1], period):
            tau = t - ti
            m = tau >= 0
            a = amp * (1 + 0.6 * np.sin(2 * np.pi * f_shaft * ti)) if cond == 1 else amp
            if cond == 3:
                a *= rng.uniform(0.4, 1.0)
            x[m] += a * np.exp(-tau[m] * 900) * np.sin(2 * np.pi * f_res * tau[m])
    if cond == 4:
        x += rng.uniform(0.35, 0.6) * np.sin(2 * np.pi * 2 * f_shaft * t + rng.uniform(0, 6.3))
        x += 0.15 * np.sin(2 * np.pi * 3 * f_shaft * t)
    x += rng.normal(0, 0.35, N)
    return x.astype(np.float32)


def make_set(n, rng):
    y = rng.integers(0, len(CONDITIONS), n)
    return np.stack([snippet(c, rng) for c in y])[:, None, :], y


class BearingCNN(nn.Module):
    def __init__(self, n_classes=len(CONDITIONS)):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 64, stride=8, padding=28), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 3, padding=1), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 3, padding=1), nn.BatchNorm1d(64), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(64, 64, 3, padding=1), nn.BatchNorm1d(64), nn.ReLU(),
            nn.AdaptiveAvgPool1d(1), nn.Flatten())
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(64, n_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def build():
    rng = np.random.default_rng(2024)
    torch.manual_seed(2024)
    X_tr, y_tr = make_set(2000, rng)
    X_va, y_va = make_set(500, rng)
    scale = X_tr.std()                                   # one global scale: keep relative levels
    X_tr, X_va = X_tr / scale, X_va / scale
    return dict(
        model=BearingCNN(),
        train=(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
        val=(torch.from_numpy(X_va), torch.from_numpy(y_va)),
        loss=nn.CrossEntropyLoss(label_smoothing=0.1),
        optimizer=lambda params: torch.optim.SGD(params, lr=0.02, momentum=0.9, nesterov=True,
                                                 weight_decay=5e-4),
        scheduler=lambda opt, steps: torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=0.05, total_steps=steps, pct_start=0.25),
        batch_size=64,
    )


def setup():
    return nndoctor.Setup(**build())


if __name__ == "__main__":
    parts = build()
    model, loss_fn = parts["model"], parts["loss"]
    (Xtr, ytr), (Xva, yva) = parts["train"], parts["val"]
    epochs = 12
    batches_per_epoch = -(-len(ytr) // parts["batch_size"])
    opt = parts["optimizer"](model.parameters())
    sched = parts["scheduler"](opt, epochs * batches_per_epoch)
    for epoch in range(epochs):
        model.train()
        for b in torch.randperm(len(ytr)).split(parts["batch_size"]):
            opt.zero_grad()
            loss = loss_fn(model(Xtr[b]), ytr[b])
            loss.backward()
            opt.step()
            sched.step()
        model.eval()
        with torch.no_grad():
            acc = (model(Xva).argmax(1) == yva).float().mean().item()
        print(f"epoch {epoch + 1} train_loss {loss.item():.4f} val_acc {acc:.4f}")
    print(f"final val acc={acc:.4f}")
