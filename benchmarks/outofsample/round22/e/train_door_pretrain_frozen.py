"""Fault class of metro train doors from the door motor's current profile during one closing cycle.

Only a few hundred cycles have a maintenance label (normal, obstruction, worn rollers, track
misalignment), but depots log thousands of unlabelled cycles. So: (1) pretrain a convolutional
autoencoder on all unlabelled cycles with its own optimizer, (2) freeze the encoder and fit a small
classifier head on the labelled cycles with a second optimizer, early stopping on validation loss and
restoring the best head.
"""
import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(9)
rng = np.random.default_rng(9)
T = 128
CLASSES = ["normal", "obstruction", "worn_rollers", "track_misalignment"]


def cycle(label):
    t = np.linspace(0, 1, T)
    speed = rng.normal(1, 0.07)
    inrush = 2.5 * np.exp(-t / 0.03)
    run = 0.9 + 0.1 * np.sin(2 * np.pi * t * 3 * speed)
    end = 1.2 * (t > 0.85 / speed) * np.exp(-(t - 0.85 / speed) / 0.05).clip(0, 1)
    i = inrush + run + end
    if label == 1:  # obstruction: current spike partway, then reopen
        t0 = rng.uniform(0.35, 0.7)
        i += 0.9 * np.exp(-((t - t0) / 0.015) ** 2) + 0.25 * (t > t0 + 0.03) * (t < t0 + 0.1)
    elif label == 2:  # worn rollers: higher, rippled running current
        i += 0.1 + 0.08 * np.sin(2 * np.pi * t * rng.uniform(18, 24))
    elif label == 3:  # misaligned track: friction grows along the stroke
        i += rng.uniform(0.2, 0.4) * t ** 2
    i *= rng.normal(1, 0.05)  # supply voltage variation
    return (i + rng.normal(0, 0.06, T)).astype(np.float32)


def labelled(n):
    y = rng.choice(4, n, p=[0.55, 0.15, 0.15, 0.15])
    return np.stack([cycle(c) for c in y]), y


# unlabelled log: mostly healthy cycles with the occasional fault, as in service
unl = np.stack([cycle(rng.choice(4, p=[0.8, 0.07, 0.07, 0.06])) for _ in range(2500)])
Xl, yl = labelled(360)
Xte, yte = labelled(600)
MU, SD = unl.mean(), unl.std()
norm = lambda a: torch.from_numpy((a - MU) / SD).unsqueeze(1)
U, Xl, Xte = norm(unl), norm(Xl), norm(Xte)
yl, yte = torch.from_numpy(yl), torch.from_numpy(yte)
Xtr, ytr, Xva, yva = Xl[:240], yl[:240], Xl[240:], yl[240:]

encoder = nn.Sequential(
    nn.Conv1d(1, 16, 7, stride=2, padding=3), nn.ReLU(),
    nn.Conv1d(16, 32, 5, stride=2, padding=2), nn.ReLU(),
    nn.Conv1d(32, 32, 5, stride=2, padding=2), nn.ReLU(),  # (N, 32, 16)
)
decoder = nn.Sequential(
    nn.ConvTranspose1d(32, 32, 4, stride=2, padding=1), nn.ReLU(),
    nn.ConvTranspose1d(32, 16, 4, stride=2, padding=1), nn.ReLU(),
    nn.ConvTranspose1d(16, 1, 4, stride=2, padding=1),
)

# stage 1: reconstruction pretraining on unlabelled cycles
ae_opt = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=2e-3)
for epoch in range(8):
    perm = torch.randperm(len(U))
    total = 0.0
    for i in range(0, len(U), 64):
        xb = U[perm[i:i + 64]]
        ae_opt.zero_grad()
        loss = F.mse_loss(decoder(encoder(xb)), xb)
        loss.backward()
        ae_opt.step()
        total += loss.item() * len(xb)
    print(f"pretrain epoch {epoch + 1} recon_mse {total / len(U):.4f}")

# stage 2: frozen encoder, train the head only
encoder.requires_grad_(False)
encoder.eval()
head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 16, 64), nn.ReLU(), nn.Linear(64, 4))
clf_opt = torch.optim.AdamW(head.parameters(), lr=3e-3, weight_decay=1e-3)


def classify(x):
    with torch.no_grad():
        z = encoder(x)
    return head(z)


def evaluate(x, y):
    head.eval()
    with torch.no_grad():
        logits = classify(x)
    return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


best, best_state, patience, bad = float("inf"), None, 6, 0
for epoch in range(60):
    head.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = perm[i:i + 32]
        clf_opt.zero_grad()
        loss = F.cross_entropy(classify(Xtr[idx]), ytr[idx])
        loss.backward()
        clf_opt.step()
    val_loss, val_acc = evaluate(Xva, yva)
    if val_loss < best - 1e-4:
        best, best_state, bad = val_loss, copy.deepcopy(head.state_dict()), 0
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch + 1}")
            break
    if epoch % 5 == 0:
        print(f"head epoch {epoch + 1:2d} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

head.load_state_dict(best_state)
test_loss, test_acc = evaluate(Xte, yte)
print(f"final best_val_loss {best:.4f} test_loss {test_loss:.4f} test_acc {test_acc:.4f}")
