"""Loan default model on an application-time feature table (MLP baseline for the scorecard)."""
import numpy as np
import torch
from torch import nn
from sklearn.metrics import roc_auc_score

COLUMNS = ["annual_income", "loan_amount", "dti", "revol_util", "emp_years",
           "open_accounts", "int_rate", "delinq_2y", "term_months"]


def make_applications(n, seed):
    rng = np.random.default_rng(seed)
    income = rng.lognormal(11.0, 0.45, n)
    loan = np.clip(rng.lognormal(9.4, 0.6, n), 1000, 40000)
    dti = np.clip(rng.beta(2.2, 6.0, n) * 0.9 + loan / income * 0.15, 0, 0.95)
    util = rng.beta(2.0, 2.5, n)
    emp = np.minimum(rng.exponential(6.0, n), 40).round()
    accts = rng.poisson(9, n)
    term = rng.choice([36, 60], n, p=[0.7, 0.3])
    rate = 0.05 + 0.12 * util + 0.15 * dti + 0.02 * (term == 60) + rng.normal(0, 0.015, n)
    delinq = rng.poisson(0.05 + 1.2 * dti * util, n)
    logit = (-2.2 + 5.5 * (dti - 0.25) + 3.0 * (util - 0.45) + 22.0 * (rate - 0.14)
             + 0.8 * delinq - 0.03 * emp - 0.35 * np.log(income / 60000)
             + 2.5 * np.sin(8 * util) * (dti > 0.3))
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    X = np.column_stack([income, loan, dti, util, emp, accts, rate, delinq, term]).astype(np.float32)
    return X, y


class Scorer(nn.Module):
    def __init__(self, d_in):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(d_in, 64), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(64, 32), nn.ReLU(),
            nn.Linear(32, 1),
        )

    def forward(self, x):
        return self.body(x).squeeze(-1)


def main():
    torch.manual_seed(11)
    X, y = make_applications(6000, seed=11)
    X_train, y_train = X[:4800], y[:4800]
    X_val, y_val = X[4800:], y[4800:]

    scale = np.abs(X_train).max(axis=0)
    X_train, X_val = X_train / scale, X_val / scale

    Xt, yt = torch.from_numpy(X_train), torch.from_numpy(y_train)
    Xv, yv = torch.from_numpy(X_val), torch.from_numpy(y_val)

    model = Scorer(Xt.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    loss_fn = nn.BCEWithLogitsLoss()
    bs = 64
    for epoch in range(25):
        model.train()
        perm = torch.randperm(len(Xt))
        total = 0.0
        for i in range(0, len(Xt), bs):
            idx = perm[i:i + bs]
            opt.zero_grad()
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        model.eval()
        with torch.no_grad():
            logits = model(Xv)
            vloss = loss_fn(logits, yv).item()
        if epoch % 5 == 4:
            auc = roc_auc_score(y_val, logits.numpy())
            print(f"epoch {epoch + 1:2d} train_loss {total / len(Xt):.4f} val_loss {vloss:.4f} val_auc {auc:.4f}")
    print(f"final val_auc {roc_auc_score(y_val, logits.numpy()):.4f} (default rate {y_val.mean():.3f})")


if __name__ == "__main__":
    main()
