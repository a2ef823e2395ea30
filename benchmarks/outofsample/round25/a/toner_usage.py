"""Monthly toner consumption (grams) per managed printer, for the supplies auto-replenishment job.

Device model and site type go through embeddings, usage counters through a numeric branch.
A few devices burn far more toner than their page counts explain (leaking cartridges, heavy
graphics), so the loss is Huber on standardised grams. One-cycle LR per batch; clipping kept as
insurance for those rows.
Usage: python toner_usage.py [--epochs 15]
"""
import argparse

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_MODELS, N_SITES = 28, 6


def fleet_months(n, rng, model_eff, site_cov):
    model = rng.integers(0, N_MODELS, n)
    site = rng.integers(0, N_SITES, n)
    pages = rng.lognormal(7.0, 0.9, n)                            # pages / month
    coverage = np.clip(site_cov[site] + rng.normal(0, 1.2, n), 1.0, 25.0)   # % area
    duplex = rng.beta(2, 3, n)
    colour = np.clip(rng.beta(1.5, 5, n) * (model % 3 != 0), 0, 1)
    age_m = rng.integers(1, 72, n)
    grams = pages * coverage / 5.0 * model_eff[model] * 0.012 * (1 + 0.6 * colour) * (1 + 0.004 * age_m)
    grams *= rng.lognormal(0, 0.12, n)
    leak = rng.random(n) < 0.03
    grams[leak] *= rng.uniform(2, 5, leak.sum())
    num = np.column_stack([np.log(pages), coverage, duplex, colour, age_m / 12.0]).astype(np.float32)
    return num, model, site, grams.astype(np.float32)


class TonerNet(nn.Module):
    def __init__(self, n_num):
        super().__init__()
        self.model_emb = nn.Embedding(N_MODELS, 8)
        self.site_emb = nn.Embedding(N_SITES, 3)
        self.mlp = nn.Sequential(nn.Linear(n_num + 11, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                                 nn.Linear(64, 1))

    def forward(self, x_num, x_cat):
        h = torch.cat([x_num, self.model_emb(x_cat[:, 0]), self.site_emb(x_cat[:, 1])], 1)
        return self.mlp(h).squeeze(-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=15)
    args = ap.parse_args()
    torch.manual_seed(21)
    rng = np.random.default_rng(21)
    model_eff = rng.lognormal(0, 0.3, N_MODELS)
    site_cov = rng.uniform(3, 12, N_SITES)

    num, mdl, site, grams = fleet_months(5000, rng, model_eff, site_cov)
    n_tr = 4000
    mu, sd = num[:n_tr].mean(0), num[:n_tr].std(0)
    g_mu, g_sd = grams[:n_tr].mean(), grams[:n_tr].std()
    Xn = torch.from_numpy((num - mu) / sd)
    Xc = torch.from_numpy(np.column_stack([mdl, site])).long()
    y = torch.from_numpy((grams - g_mu) / g_sd)

    train_dl = DataLoader(TensorDataset(Xn[:n_tr], Xc[:n_tr], y[:n_tr]), batch_size=64, shuffle=True)
    model = TonerNet(num.shape[1])
    decay = [p for n, p in model.named_parameters() if n.startswith("mlp") and p.dim() > 1]
    no_decay = [p for n, p in model.named_parameters() if not (n.startswith("mlp") and p.dim() > 1)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 1e-3},
                             {"params": no_decay, "weight_decay": 0.0}], lr=3e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, epochs=args.epochs,
                                                steps_per_epoch=len(train_dl))
    loss_fn = nn.HuberLoss(delta=1.0)

    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for xn, xc, yb in train_dl:
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xn, xc), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            opt.step()
            sched.step()
            total += loss.item() * len(yb)
        model.eval()
        with torch.no_grad():
            pred = model(Xn[n_tr:], Xc[n_tr:]) * g_sd + g_mu
        true = torch.from_numpy(grams[n_tr:])
        mae = (pred - true).abs().mean().item()
        med_ae = (pred - true).abs().median().item()
        if (epoch + 1) % 3 == 0:
            print(f"epoch {epoch + 1:2d}  train_huber {total / n_tr:.4f}  val_MAE {mae:.1f} g  val_medAE {med_ae:.1f} g")
    naive = (true - true.median()).abs().mean().item()
    print(f"final val MAE {mae:.1f} g/month (median-only baseline {naive:.1f} g)")


if __name__ == "__main__":
    main()
