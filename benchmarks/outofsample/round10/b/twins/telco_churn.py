"""90-day churn model for a mobile operator: usage aggregates + tariff plan embedding."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import roc_auc_score

N_PLANS = 12


def crm_export(n, rng):
    """Customer master data in signup order."""
    ids = rng.choice(10**6, size=n, replace=False)
    plan = rng.integers(0, N_PLANS, n)
    tenure = rng.exponential(20, n)
    return {"customer_id": ids, "plan": plan, "tenure_m": tenure}


def usage_table(crm, rng):
    """Monthly usage aggregated per customer (rows come back sorted by customer_id)."""
    n = len(crm["customer_id"])
    plan_price = np.linspace(10, 65, N_PLANS)[crm["plan"]]
    minutes = rng.gamma(2.0, 120, n)
    data_gb = rng.gamma(1.5, 3.0, n) * (1 + plan_price / 40)
    dropped = rng.poisson(1 + minutes / 200)
    support = rng.poisson(0.3 + 0.02 * dropped ** 2)
    topups = rng.poisson(2, n) * (crm["plan"] < 4)
    churn_logit = (-1.0 + 0.55 * support + 0.12 * dropped - 0.05 * crm["tenure_m"]
                   + 0.03 * (plan_price - 35) - 0.08 * data_gb + 0.9 * (crm["plan"] % 3 == 0))
    churned = (rng.random(n) < 1 / (1 + np.exp(-churn_logit))).astype(np.float32)
    order = np.argsort(crm["customer_id"])
    feats = np.column_stack([np.log1p(minutes), np.log1p(data_gb), dropped, support, topups,
                             np.log1p(crm["tenure_m"])]).astype(np.float32)
    return {"customer_id": crm["customer_id"][order], "features": feats[order],
            "plan": crm["plan"][order]}, churned


class ChurnNet(nn.Module):
    def __init__(self, n_num, n_plans, emb=6):
        super().__init__()
        self.plan_emb = nn.Embedding(n_plans, emb)
        self.mlp = nn.Sequential(nn.Linear(n_num + emb, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                                 nn.Linear(32, 1))

    def forward(self, x_num, plan):
        return self.mlp(torch.cat([x_num, self.plan_emb(plan)], dim=1)).squeeze(1)


def main():
    torch.manual_seed(21)
    rng = np.random.default_rng(21)
    crm = crm_export(5000, rng)
    usage, churn_flag = usage_table(crm, rng)
    crm["churned"] = churn_flag

    X = usage["features"]
    plan = usage["plan"]
    y = crm["churned"][np.argsort(crm["customer_id"])]

    n_tr = 4000
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    tr = TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(plan[:n_tr]), torch.from_numpy(y[:n_tr]))
    va = TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(plan[n_tr:]), torch.from_numpy(y[n_tr:]))
    train_loader = DataLoader(tr, batch_size=128, shuffle=True)
    val_loader = DataLoader(va, batch_size=1000)

    model = ChurnNet(X.shape[1], N_PLANS)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-5)
    crit = nn.BCEWithLogitsLoss()
    for epoch in range(8):
        model.train()
        for xb, pb, yb in train_loader:
            opt.zero_grad()
            crit(model(xb, pb), yb).backward()
            opt.step()
        model.eval()
        scores, labels, vloss = [], [], 0.0
        with torch.no_grad():
            for xb, pb, yb in val_loader:
                s = model(xb, pb)
                vloss += crit(s, yb).item() * len(yb)
                scores.append(s)
                labels.append(yb)
        auc = roc_auc_score(torch.cat(labels).numpy(), torch.cat(scores).numpy())
        if epoch % 2 == 1:
            print(f"epoch {epoch + 1} val_loss {vloss / len(va):.4f} val_auc {auc:.4f}")
    print(f"final val_auc {auc:.4f}")


if __name__ == "__main__":
    main()
