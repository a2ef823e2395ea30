"""Typist identification from keystroke timings of a fixed passphrase.

Per repetition: 11 hold times, 10 down-down and 10 up-down latencies (seconds), as
the enrolment kiosk logs them. Training and validation come from different
enrolment sessions of the same 30 users. MLP on log-timings; the best epoch is kept.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
rng = np.random.default_rng(21)
N_USERS, N_KEYS = 30, 11


def enrolment(reps_train, reps_val):
    hold_mu = rng.normal(np.log(0.09), 0.12, (N_USERS, N_KEYS))
    flight_mu = rng.normal(np.log(0.16), 0.22, (N_USERS, N_KEYS - 1))
    def session(reps):
        rows, who = [], []
        for u in range(N_USERS):
            tempo = rng.normal(0, 0.05)                      # a session can be faster or slower overall
            for _ in range(reps):
                hold = np.exp(hold_mu[u] + tempo + rng.normal(0, 0.15, N_KEYS))
                ud = np.exp(flight_mu[u] + tempo + rng.normal(0, 0.25, N_KEYS - 1)) - 0.04
                dd = hold[:-1] + ud
                rows.append(np.concatenate([hold, dd, ud]))
                who.append(u)
        return np.array(rows, np.float32), np.array(who)
    return session(reps_train), session(reps_val)


(X_tr, y_tr), (X_va, y_va) = enrolment(12, 15)
def to_features(X):
    return np.sign(X) * np.log1p(np.abs(X) * 100)
F_tr, F_va = to_features(X_tr), to_features(X_va)
mu, sd = F_tr.mean(0), F_tr.std(0)
F_tr, F_va = (F_tr - mu) / sd, (F_va - mu) / sd

train_dl = DataLoader(TensorDataset(torch.from_numpy(F_tr), torch.from_numpy(y_tr)), batch_size=32, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(F_va), torch.from_numpy(y_va)), batch_size=256)

model = nn.Sequential(
    nn.Linear(F_tr.shape[1], 512), nn.ReLU(),
    nn.Linear(512, 512), nn.ReLU(),
    nn.Linear(512, N_USERS),
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def run_epoch(loader, train):
    model.train(train)
    total, correct = 0.0, 0
    with torch.set_grad_enabled(train):
        for xb, yb in loader:
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            if train:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item() * len(xb)
            correct += (logits.argmax(1) == yb).sum().item()
    n = len(loader.dataset)
    return total / n, correct / n


best_loss, best_state, best_epoch, patience, bad = float("inf"), None, 0, 5, 0
for epoch in range(1, 121):
    train_loss, train_acc = run_epoch(train_dl, True)
    val_loss, val_acc = run_epoch(val_dl, False)
    if epoch % 10 == 0:
        print(f"epoch {epoch:3d}  train {train_loss:.3f}/{train_acc:.3f}  val {val_loss:.3f}/{val_acc:.3f}")
    if val_loss < best_loss:
        best_loss, best_state, best_epoch, bad = val_loss, copy.deepcopy(model.state_dict()), epoch, 0
    else:
        bad += 1
        if bad >= patience:
            print(f"early stop at epoch {epoch}")
            break

model.load_state_dict(best_state)
torch.save(model, os.path.join(tempfile.gettempdir(), "keystroke_user_id_model.pt"))
val_loss, val_acc = run_epoch(val_dl, False)
print(f"best epoch {best_epoch}  val loss {val_loss:.3f}  val acc {val_acc:.3f}")
