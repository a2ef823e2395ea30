"""Loan default prediction at application time from the bank's loan ledger export.
Plain PyTorch loop, MLP on standardised tabular columns, StepLR schedule."""
import numpy as np
import torch
from torch import nn

torch.manual_seed(2)
rng = np.random.default_rng(2)

COLUMNS = ["income_k", "loan_k", "term_months", "age", "credit_lines", "utilisation",
           "late_payments_2y", "years_employed", "collections_contacted"]
FEATURES = COLUMNS                                   # everything in the export


def ledger(n):
    income = rng.lognormal(3.9, 0.45, n)
    loan = rng.lognormal(2.8, 0.6, n)
    term = rng.choice([12, 24, 36, 60], n)
    age = rng.integers(19, 75, n)
    lines = rng.poisson(4, n)
    util = rng.beta(2, 3, n)
    late = rng.poisson(0.6, n)
    employed = np.minimum(rng.exponential(6, n), age - 18)
    z = (1.6 * np.log(loan / income) + 2.2 * util + 0.55 * late - 0.06 * employed
         + 0.012 * term - 0.015 * (age - 40) + rng.normal(0, 1.0, n))
    default = (z > np.quantile(z, 0.68)).astype(np.int64)
    # filled in by the collections team months after the loan was granted
    contacted = np.where(rng.random(n) < 0.96, default, 1 - default)
    cols = dict(income_k=income, loan_k=loan, term_months=term, age=age, credit_lines=lines,
                utilisation=util, late_payments_2y=late, years_employed=employed,
                collections_contacted=contacted)
    return cols, default


def matrix(cols):
    return np.column_stack([cols[c] for c in FEATURES]).astype(np.float32)


train_cols, y_train = ledger(3000)
val_cols, y_val = ledger(1000)
new_cols, y_new = ledger(1000)              # new applications: nobody has been contacted yet
new_cols["collections_contacted"] = np.zeros_like(new_cols["collections_contacted"])

X_train, X_val, X_new = matrix(train_cols), matrix(val_cols), matrix(new_cols)
mu, sd = X_train.mean(0), X_train.std(0)
X_train, X_val, X_new = [torch.from_numpy((a - mu) / sd) for a in (X_train, X_val, X_new)]
y_train, y_val, y_new = map(torch.from_numpy, (y_train, y_val, y_new))

model = nn.Sequential(nn.Linear(len(FEATURES), 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                      nn.Linear(32, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=8, gamma=0.3)
loss_fn = nn.CrossEntropyLoss()


def accuracy(X, y):
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(1) == y).float().mean().item()


for epoch in range(20):
    model.train()
    perm = torch.randperm(len(X_train))
    for i in range(0, len(perm), 64):
        idx = perm[i:i + 64]
        optimizer.zero_grad()
        loss = loss_fn(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
    scheduler.step()
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1} train_acc {accuracy(X_train, y_train):.4f} "
              f"val_acc {accuracy(X_val, y_val):.4f}")

print(f"final val_acc {accuracy(X_val, y_val):.4f} "
      f"new_applications_acc {accuracy(X_new, y_new):.4f}")
