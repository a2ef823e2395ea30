"""Subscriber churn: aggregate each customer's event log into features, fit a small MLP.

Hand-written SGD updates (no torch.optim).
"""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score
from torch import nn


def simulate(n_customers=2500, seed=5):
    rng = np.random.default_rng(seed)
    cust_ids = rng.choice(900_000, n_customers, replace=False) + 100_000
    engagement = rng.normal(0, 1, n_customers)
    friction = rng.gamma(2.0, 0.5, n_customers)
    logit = -0.8 - 1.6 * engagement + 0.9 * (friction - 1.0)
    churned = rng.binomial(1, 1 / (1 + np.exp(-logit)))

    n_events = 1 + rng.poisson(np.exp(2.2 + 0.5 * engagement))
    owner = np.repeat(np.arange(n_customers), n_events)
    day = rng.uniform(0, 90, owner.size) ** (1 / (1 + 0.3 * np.exp(-engagement[owner])))
    amount = rng.lognormal(2.5 + 0.3 * engagement[owner], 0.6)
    support = rng.binomial(1, np.clip(0.05 * friction[owner], 0, 1))
    order = np.argsort(day)                                                  # event log, time order
    events = {"customer_id": cust_ids[owner][order], "day": day[order],
              "amount": amount[order], "support": support[order]}
    return cust_ids, churned, events


def customer_features(events):
    ids, inv = np.unique(events["customer_id"], return_inverse=True)
    n = np.bincount(inv)
    spend = np.bincount(inv, events["amount"])
    last = np.full(ids.size, -np.inf)
    np.maximum.at(last, inv, events["day"])
    tickets = np.bincount(inv, events["support"])
    feats = np.stack([np.log1p(n), np.log1p(spend), np.log1p(spend / n),
                      90 - last, np.log1p(tickets), tickets / n], 1)
    return ids, feats


def main():
    torch.manual_seed(0)
    cust_ids, churned, events = simulate()
    ids, X = customer_features(events)
    y = churned[np.argsort(cust_ids)].astype(np.float32)

    rng = np.random.default_rng(0)
    perm = rng.permutation(len(ids))
    tr, va = perm[:2000], perm[2000:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = ((X - mu) / sd).astype(np.float32)
    X_tr, y_tr = torch.from_numpy(X[tr]), torch.from_numpy(y[tr])
    X_va, y_va = torch.from_numpy(X[va]), torch.from_numpy(y[va])

    model = nn.Sequential(nn.Linear(X.shape[1], 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
    lr, bs = 0.1, 32
    for epoch in range(30):
        order = torch.randperm(len(X_tr))
        for i in range(0, len(order), bs):
            idx = order[i:i + bs]
            loss = F.binary_cross_entropy_with_logits(model(X_tr[idx]).squeeze(1), y_tr[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
        if (epoch + 1) % 5 == 0:
            with torch.no_grad():
                va_logit = model(X_va).squeeze(1)
                va_loss = F.binary_cross_entropy_with_logits(va_logit, y_va, reduction="sum").item() / len(y_va)
            auc = roc_auc_score(y_va.numpy(), va_logit.numpy())
            print(f"epoch {epoch + 1} train_loss {loss.item():.4f} val_loss {va_loss:.4f} val_auc {auc:.4f}")
    print(f"final val_auc {auc:.4f} val_loss {va_loss:.4f}")


if __name__ == "__main__":
    main()
