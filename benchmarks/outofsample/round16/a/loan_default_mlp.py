"""Credit-risk scoring: predict 12-month default from an applicant snapshot table."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

COLUMNS = ["applicant_id", "annual_income", "debt_to_income", "credit_utilization",
           "late_payments_24m", "account_age_months", "loan_amount", "interest_rate",
           "employment_years", "open_accounts", "defaulted"]


def build_snapshot(n, rng):
    income = rng.lognormal(10.8, 0.45, n)
    dti = np.clip(rng.normal(0.32, 0.12, n), 0.01, 0.9)
    util = np.clip(rng.beta(2, 3, n), 0, 1)
    late = rng.poisson(0.6, n)
    age = rng.gamma(3.0, 30.0, n)
    amount = rng.lognormal(9.3, 0.6, n)
    rate = np.clip(0.06 + 0.1 * util + 0.02 * late + rng.normal(0, 0.02, n), 0.03, 0.3)
    emp = rng.exponential(6.0, n)
    opened = rng.poisson(5, n)
    z = (-1.3 + 2.6 * (dti - 0.32) / 0.12 + 14.0 * (util - 0.4) ** 2 + 1.2 * late
         - 1.8 * np.log(income / 50000) + 1.0 * np.log(amount / 11000) - 0.015 * age
         + 20.0 * (rate - 0.12) - 0.12 * emp)
    p = 1 / (1 + np.exp(-z))
    y = (rng.random(n) < p).astype(np.float64)
    ids = np.arange(100000, 100000 + n)
    return np.column_stack([ids, income, dti, util, late, age, amount, rate, emp, opened, y])


class Scorer(nn.Module):
    def __init__(self, d_in):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, 64), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(64, 32), nn.ReLU(),
            nn.Linear(32, 1),
        )

    def forward(self, x):
        return self.net(x).squeeze(-1)


def evaluate(model, loader, loss_fn):
    model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total += loss_fn(logits, yb).item()
            correct += ((logits > 0).float() == yb).sum().item()
            n += len(yb)
    return total / n, correct / n


def main():
    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    table = build_snapshot(4000, rng)
    rng.shuffle(table)

    X = table[:, 1:]
    y = table[:, -1]
    n_train = 3200
    mu, sd = X[:n_train].mean(0), X[:n_train].std(0)
    X = (X - mu) / sd

    Xt = torch.tensor(X, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.float32)
    train_ds = TensorDataset(Xt[:n_train], yt[:n_train])
    val_ds = TensorDataset(Xt[n_train:], yt[n_train:])
    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)

    model = Scorer(X.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-5)
    loss_fn = nn.BCEWithLogitsLoss()
    sum_loss = nn.BCEWithLogitsLoss(reduction="sum")

    for epoch in range(1, 16):
        model.train()
        running, seen = 0.0, 0
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            running += loss.item() * len(yb)
            seen += len(yb)
        val_loss, val_acc = evaluate(model, val_loader, sum_loss)
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d} train_loss {running / seen:.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

    torch.save(model, "/tmp/loan_default_scorer.pt")
    _, train_acc = evaluate(model, DataLoader(train_ds, batch_size=256), sum_loss)
    print(f"final train_acc {train_acc:.4f} val_acc {val_acc:.4f} (default rate {y.mean():.3f})")


if __name__ == "__main__":
    main()
