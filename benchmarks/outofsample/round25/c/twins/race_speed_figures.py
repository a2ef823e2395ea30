"""Horse-racing form model: predict a runner's standardised speed figure for today's race
from its form line. Plain PyTorch, manual SGD step."""
import math

import numpy as np
import torch
from torch import nn

torch.manual_seed(3)
np.random.seed(3)
torch.set_num_threads(1)

COLS = ["official_rating", "age", "weight_lb", "draw", "field_size", "days_off", "dist_change_f",
        "going_match", "jockey_sr", "trainer_14d_sr", "last1_pos", "last2_pos", "last3_pos",
        "best_fig_12m", "course_winner", "headgear_first"]


def form_book(n, rng):
    rating = rng.normal(72, 14, n)
    age = rng.integers(2, 11, n).astype(float)
    weight = 126 + 0.35 * (rating - 72) + rng.normal(0, 4, n)
    field = rng.integers(5, 21, n).astype(float)
    draw = np.floor(rng.random(n) * field) + 1
    days = rng.gamma(2.0, 18.0, n)
    dist = rng.choice([-4, -2, -1, 0, 0, 0, 1, 2, 4], n).astype(float)
    going = rng.integers(0, 2, n).astype(float)
    jsr = rng.beta(2, 14, n)
    tsr = rng.beta(2, 10, n)
    ability = (rating - 72) / 14 + rng.normal(0, 0.5, n)
    last = np.clip(np.round(field[:, None] * (1 / (1 + np.exp(ability[:, None] + rng.normal(0, 1, (n, 3)))))), 1, None)
    best = 70 + 12 * ability + rng.normal(0, 5, n)
    cw = (rng.random(n) < 0.15).astype(float)
    hg = (rng.random(n) < 0.06).astype(float)
    X = np.column_stack([rating, age, weight, draw, field, days, dist, going, jsr, tsr,
                         last[:, 0], last[:, 1], last[:, 2], best, cw, hg])
    fitness = -((np.log1p(days) - 3.2) ** 2) * 0.6
    age_curve = -0.08 * (age - 5) ** 2
    draw_bias = -0.5 * np.tanh((draw / field - 0.5) * 3) * (field > 12)
    fig = (1.0 * ability + fitness + age_curve + draw_bias + 0.4 * going + 3.0 * (jsr - 0.12)
           + 2.0 * (tsr - 0.17) - 0.15 * np.abs(dist) * (age > 7) + 0.3 * cw + 0.25 * hg * (ability < 0)
           - 0.03 * (weight - 126) + rng.normal(0, 0.35, n))
    return X.astype(np.float32), fig.astype(np.float32)


class FormNet(nn.Module):
    def __init__(self, d_in, width=128, depth=5):
        super().__init__()
        dims = [d_in] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.out = nn.Linear(width, 1)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / m.in_features))
                nn.init.zeros_(m.bias)

    def forward(self, x):
        for layer in self.hidden:
            x = torch.relu(layer(x))
        return self.out(x).squeeze(-1)


def evaluate(model, X, y, bs=1024):
    model.eval()
    sse = 0.0
    with torch.no_grad():
        for i in range(0, len(X), bs):
            sse += ((model(X[i:i + bs]) - y[i:i + bs]) ** 2).sum().item()
    model.train()
    return sse / len(X)


def main():
    rng = np.random.default_rng(3)
    X, y = form_book(9000, rng)
    n_tr = 7200                      # earlier meetings train, later meetings validate
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
    y = (y - y_mu) / y_sd
    Xtr, ytr = torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])
    Xva, yva = torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])

    model = FormNet(X.shape[1])
    lr, bs, epochs = 0.03, 64, 12
    for epoch in range(epochs):
        perm = torch.randperm(n_tr)
        for i in range(0, n_tr, bs):
            idx = perm[i:i + bs]
            loss = nn.functional.mse_loss(model(Xtr[idx]), ytr[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
        if epoch % 3 == 2 or epoch == epochs - 1:
            print(f"epoch {epoch + 1:2d}  train mse {evaluate(model, Xtr, ytr):.4f}  val mse {evaluate(model, Xva, yva):.4f}")

    val_mse = evaluate(model, Xva, yva)
    print(f"final val MSE {val_mse:.4f}  R2 {1 - val_mse / yva.var(unbiased=False).item():.4f}")


if __name__ == "__main__":
    main()
