"""Beekeeping-smoker fuel identification from a cheap smoke sensor, teacher -> student.

A bench rig burns fuels (hessian, pine needles, rotten wood, cardboard, dried grass, cotton
waste) in a smoker and records 12 readings: gas-sensor channels (VOC, CO, PM proxy), the
smoke temperature, burn duration and colour ratios. Stage 1 trains a wide teacher with dropout;
stage 2 freezes it (eval mode, no gradients) and distils it into a small student that fits
on the handheld meter's microcontroller, using Hinton's loss: KL at temperature 4 scaled by
T^2 plus 0.3 x cross-entropy on the hard labels.
"""
import copy
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification

torch.manual_seed(8)
np.random.seed(8)
torch.set_num_threads(1)
FUELS = ["hessian", "pine_needles", "rotten_wood", "cardboard", "dried_grass", "cotton_waste"]

X, y = make_classification(n_samples=4000, n_features=12, n_informative=9, n_redundant=2, n_classes=6,
                           n_clusters_per_class=2, class_sep=1.3, flip_y=0.02, random_state=8)
# sensors report in their own units: ppm, ppm, ug/m3, degC, s, ratios
scales = np.array([180, 35, 900, 60, 240, 1, 1, 1, 55, 12, 3, 0.5])
offsets = np.array([400, 20, 1500, 110, 600, 0.3, 0.4, 0.3, 200, 40, 10, 1.0])
X = X * scales + offsets
tr, va, te = np.split(np.random.permutation(len(X)), [2800, 3400])
mu, sd = X[tr].mean(0), X[tr].std(0)
T = lambda ix: (torch.tensor((X[ix] - mu) / sd, dtype=torch.float32), torch.tensor(y[ix]))
(xtr, ytr), (xva, yva), (xte, yte) = T(tr), T(va), T(te)
loader = DataLoader(TensorDataset(xtr, ytr), batch_size=64, shuffle=True)


def mlp(widths, p):
    layers = []
    for a, b in zip(widths[:-2], widths[1:-1]):
        layers += [nn.Linear(a, b), nn.ReLU(), nn.Dropout(p)]
    return nn.Sequential(*layers, nn.Linear(widths[-2], widths[-1]))


@torch.no_grad()
def acc(m, x, yy):
    m.eval()
    return (m(x).argmax(1) == yy).float().mean().item()


def fit(model, loss_fn, epochs, lr, tag):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    best, best_state = -1, None
    for ep in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model, xb, yb)
            loss.backward()
            opt.step()
        sched.step()
        a = acc(model, xva, yva)
        if a > best:
            best, best_state = a, copy.deepcopy(model.state_dict())
        if ep % 5 == 4:
            print(f"[{tag}] epoch {ep + 1:2d} loss {loss.item():.3f} val_acc {a:.3f}")
    model.load_state_dict(best_state)
    return model


# stage 1: teacher
teacher = mlp([12, 256, 256, 6], p=0.3)
teacher = fit(teacher, lambda m, xb, yb: F.cross_entropy(m(xb), yb), epochs=25, lr=1e-3, tag="teacher")
teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)

# stage 2: student distilled from the frozen teacher
Tmp, alpha = 4.0, 0.3


def distill_loss(student, xb, yb):
    s = student(xb)
    with torch.no_grad():
        t = teacher(xb)
    kd = F.kl_div(F.log_softmax(s / Tmp, 1), F.softmax(t / Tmp, 1), reduction="batchmean") * Tmp ** 2
    return (1 - alpha) * kd + alpha * F.cross_entropy(s, yb)


student = mlp([12, 24, 6], p=0.0)
student = fit(student, distill_loss, epochs=30, lr=3e-3, tag="student")

torch.manual_seed(8)
baseline = fit(mlp([12, 24, 6], p=0.0), lambda m, xb, yb: F.cross_entropy(m(xb), yb), epochs=30, lr=3e-3, tag="student-alone")
print(f"test_acc teacher {acc(teacher, xte, yte):.3f} | student (distilled, {sum(p.numel() for p in student.parameters())} params) "
      f"{acc(student, xte, yte):.3f} | same student trained alone {acc(baseline, xte, yte):.3f}")
