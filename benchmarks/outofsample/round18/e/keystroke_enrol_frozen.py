"""Keystroke-dynamics user identification with few-shot enrolment.

Every user types the same 11-key passphrase; a sample is 31 timings (hold times, down-down
and up-down latencies), used as log-seconds. An encoder is pre-trained to tell 48
background users apart. New users then enrol with only 8 samples each: the encoder is
frozen (requires_grad off, kept in eval mode) and only a fresh cosine head is trained,
then everything is fine-tuned briefly at a small LR, as is usual when the new data are few.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

N_KEYS = 11
N_FEAT = N_KEYS + 2 * (N_KEYS - 1)


def make_users(n_users, rng):
    base_hold = rng.lognormal(np.log(0.09), 0.05, N_KEYS)
    base_dd = rng.lognormal(np.log(0.2), 0.25, N_KEYS - 1)
    users = []
    for _ in range(n_users):
        speed = rng.lognormal(0, 0.2)
        hold = base_hold * rng.lognormal(0, 0.14, N_KEYS)
        dd = base_dd * speed * rng.lognormal(0, 0.17, N_KEYS - 1)
        users.append((hold, dd, rng.uniform(0.07, 0.15)))
    return users


def type_passphrase(user, reps, rng):
    hold, dd, jitter = user
    fatigue = rng.lognormal(0, 0.08, (reps, 1))
    h = hold * rng.lognormal(0, jitter, (reps, N_KEYS)) * fatigue
    d = dd * rng.lognormal(0, jitter * 1.5, (reps, N_KEYS - 1)) * fatigue
    ud = d - h[:, :-1]
    feats = np.concatenate([np.log(h), np.log(d), np.sign(ud) * np.log1p(np.abs(ud) * 100)], 1)
    return feats.astype(np.float32)


class Encoder(nn.Module):
    def __init__(self, d_in, d_emb=64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, 128), nn.LayerNorm(128), nn.GELU(), nn.Dropout(0.1),
            nn.Linear(128, 128), nn.LayerNorm(128), nn.GELU(),
            nn.Linear(128, d_emb),
        )

    def forward(self, x):
        return F.normalize(self.net(x), dim=-1)


class CosineHead(nn.Module):
    def __init__(self, d_emb, n_classes, scale=16.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_classes, d_emb) * 0.01)
        self.scale = scale

    def forward(self, z):
        return self.scale * z @ F.normalize(self.weight, dim=-1).T


def run_epochs(modules, params, x, y, epochs, lr, batch=64, train_encoder=True):
    enc, head = modules
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
    for _ in range(epochs):
        enc.train(train_encoder)
        head.train()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            loss = F.cross_entropy(head(enc(x[idx])), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return loss.item()


@torch.no_grad()
def accuracy(enc, head, x, y):
    enc.eval()
    head.eval()
    return (head(enc(x)).argmax(1) == y).float().mean().item()


def main():
    torch.manual_seed(17)
    rng = np.random.default_rng(17)
    users = make_users(64, rng)
    bg_users, new_users = users[:48], users[48:]

    bg_x = np.concatenate([type_passphrase(u, 60, rng) for u in bg_users])
    bg_y = np.repeat(np.arange(len(bg_users)), 60)
    mu, sd = bg_x.mean(0), bg_x.std(0)
    norm = lambda a: torch.from_numpy((a - mu) / sd)

    perm = rng.permutation(len(bg_x))
    cut = int(0.85 * len(bg_x))
    xb_tr, yb_tr = norm(bg_x[perm[:cut]]), torch.from_numpy(bg_y[perm[:cut]])
    xb_va, yb_va = norm(bg_x[perm[cut:]]), torch.from_numpy(bg_y[perm[cut:]])

    enc = Encoder(N_FEAT)
    bg_head = CosineHead(64, len(bg_users))
    loss = run_epochs((enc, bg_head), list(enc.parameters()) + list(bg_head.parameters()),
                      xb_tr, yb_tr, epochs=15, lr=2e-3)
    print(f"pre-training: last loss {loss:.3f}, held-out background acc "
          f"{accuracy(enc, bg_head, xb_va, yb_va):.3f} ({len(bg_users)} users)")

    shots = 8
    enrol = [type_passphrase(u, shots, rng) for u in new_users]
    probe = [type_passphrase(u, 80, rng) for u in new_users]
    xe = norm(np.concatenate(enrol))
    ye = torch.from_numpy(np.repeat(np.arange(len(new_users)), shots))
    xp = norm(np.concatenate(probe))
    yp = torch.from_numpy(np.repeat(np.arange(len(new_users)), 80))

    enc.requires_grad_(False)
    head = CosineHead(64, len(new_users))
    with torch.no_grad():
        enc.eval()
        z = enc(xe)
        head.weight.copy_(torch.stack([z[ye == k].mean(0) for k in range(len(new_users))]))
    print(f"enrolment, prototype head: probe acc {accuracy(enc, head, xp, yp):.3f}")
    run_epochs((enc, head), list(head.parameters()), xe, ye, epochs=15, lr=5e-3, batch=32, train_encoder=False)
    print(f"enrolment, frozen encoder + trained head: probe acc {accuracy(enc, head, xp, yp):.3f}")

    enc.requires_grad_(True)
    run_epochs((enc, head), list(enc.parameters()) + list(head.parameters()), xe, ye,
               epochs=10, lr=5e-5, batch=32)
    print(f"after light fine-tune: probe acc {accuracy(enc, head, xp, yp):.3f} "
          f"({len(new_users)} new users, {shots} samples each, chance {1 / len(new_users):.3f})")


if __name__ == "__main__":
    main()
