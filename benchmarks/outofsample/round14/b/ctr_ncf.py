"""Neural collaborative filtering for "will this user like this item" (binary feedback).

GMF + MLP towers over user/item embeddings (He et al. 2017 style), trained with
BCE on logged (user, item, liked) triples. Reports validation AUC and log-loss.
"""
import argparse
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score
from torch.utils.data import DataLoader, TensorDataset


def make_interactions(n_users=300, n_items=200, n_obs=40000, k=6, seed=0):
    rng = np.random.default_rng(seed)
    U = rng.normal(0, 1, (n_users, k)) / np.sqrt(k) * 1.6
    V = rng.normal(0, 1, (n_items, k)) / np.sqrt(k) * 1.6
    bu = rng.normal(0, 0.5, n_users)
    bi = rng.normal(0, 0.7, n_items)
    users = rng.integers(0, n_users, n_obs)
    # popular items are shown more often
    pop = np.exp(bi) / np.exp(bi).sum()
    items = rng.choice(n_items, n_obs, p=pop)
    logit = (U[users] * V[items]).sum(1) * 2.0 + bu[users] + bi[items] - 0.3
    liked = (rng.random(n_obs) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    return users, items, liked


class NCF(nn.Module):
    def __init__(self, n_users, n_items, d_gmf=8, d_mlp=16):
        super().__init__()
        self.user_gmf = nn.Embedding(n_users, d_gmf)
        self.item_gmf = nn.Embedding(n_items, d_gmf)
        self.user_mlp = nn.Embedding(n_users, d_mlp)
        self.item_mlp = nn.Embedding(n_items, d_mlp)
        for e in (self.user_gmf, self.item_gmf, self.user_mlp, self.item_mlp):
            nn.init.normal_(e.weight, std=0.05)
        self.mlp = nn.Sequential(
            nn.Linear(2 * d_mlp, 64), nn.ReLU(),
            nn.Linear(64, 32), nn.ReLU(),
        )
        self.out = nn.Linear(d_gmf + 32, 1)

    def forward(self, u, i):
        g = self.user_gmf(u) * self.item_gmf(i)
        m = self.mlp(torch.cat([self.user_mlp(u), self.item_mlp(i)], dim=1))
        return self.out(torch.cat([g, m], dim=1)).squeeze(1)


def evaluate(model, loader):
    model.eval()
    total, n, scores, labels = 0.0, 0, [], []
    with torch.no_grad():
        for u, i, y in loader:
            logits = model(u, i)
            total += F.binary_cross_entropy_with_logits(logits, y, reduction="sum").item()
            n += len(y)
            scores.append(logits)
            labels.append(y)
    scores = torch.cat(scores).numpy()
    labels = torch.cat(labels).numpy()
    return total / n, roc_auc_score(labels, scores)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--emb-lr", type=float, default=2e-6)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    users, items, liked = make_interactions(seed=args.seed)
    n_users, n_items = users.max() + 1, items.max() + 1
    perm = np.random.permutation(len(liked))
    cut = int(0.8 * len(perm))
    tr, va = perm[:cut], perm[cut:]

    def ds(idx):
        return TensorDataset(torch.as_tensor(users[idx]), torch.as_tensor(items[idx]),
                             torch.as_tensor(liked[idx]))

    train_loader = DataLoader(ds(tr), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(ds(va), batch_size=1024)

    model = NCF(n_users, n_items)
    emb_params = [p for n, p in model.named_parameters() if n.startswith(("user_", "item_"))]
    dense_params = [p for n, p in model.named_parameters() if not n.startswith(("user_", "item_"))]
    optimizer = torch.optim.Adam([
        {"params": emb_params, "lr": args.emb_lr},
        {"params": dense_params, "lr": args.lr, "weight_decay": 1e-5},
    ])
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)

    t0 = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for u, i, y in train_loader:
            optimizer.zero_grad()
            loss = F.binary_cross_entropy_with_logits(model(u, i), y)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(y)
        scheduler.step()
        val_loss, val_auc = evaluate(model, val_loader)
        print(f"epoch {epoch:2d} train_loss {running / len(tr):.4f} "
              f"val_loss {val_loss:.4f} val_auc {val_auc:.4f}")
    print(f"final val_auc {val_auc:.4f} val_logloss {val_loss:.4f} ({time.time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
