"""Forecast a marathoner's time over the last 26.2 km from the first 16 km.

Input: GPS-watch stream resampled to 100 m segments (pace, heart rate, cadence,
grade) for the first 16 km -> 160 steps.  Target: minutes for the remaining 26.2 km.
A single-layer Elman RNN reads the stream; the last hidden state goes to a linear head.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

SEQ_LEN = 160


def simulate_runners(n=1000, seed=21):
    rng = np.random.default_rng(seed)
    t = np.arange(SEQ_LEN) / SEQ_LEN
    course = 1.5 * np.sin(2 * np.pi * 3 * t) + 0.8 * np.sin(2 * np.pi * 7 * t + 1.0)   # grade %, same course
    base = rng.normal(5.0, 0.6, n)[:, None]                 # min/km goal pace
    fitness = rng.normal(0, 1, n)[:, None]
    early_push = rng.normal(0, 0.15, n)[:, None]            # going out too fast
    drift = np.clip(0.25 - 0.1 * fitness + 1.5 * early_push, 0, None) * t[None] ** 2
    pace = base - early_push * (1 - t[None]) + drift + 0.03 * course[None] + rng.normal(0, 0.08, (n, SEQ_LEN))
    hr = 150 + 12 * (5.0 - base) + 25 * drift - 3 * fitness + 1.2 * course[None] + rng.normal(0, 2.5, (n, SEQ_LEN))
    cadence = 172 - 6 * (pace - 5) - 8 * drift + rng.normal(0, 2, (n, SEQ_LEN))
    grade = np.repeat(course[None], n, 0) + rng.normal(0, 0.2, (n, SEQ_LEN))
    wall = np.clip(0.6 * drift[:, -1] + 2.0 * early_push[:, 0] - 0.15 * fitness[:, 0], 0, None)
    remaining = 26.2 * (base[:, 0] + 0.35 * drift[:, -1] + wall) + rng.normal(0, 1.5, n)
    X = np.stack([pace, hr, cadence, grade], -1).astype(np.float32)
    return X, remaining.astype(np.float32)


class SplitRNN(nn.Module):
    def __init__(self, n_in=4, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(n_in, hidden, batch_first=True, nonlinearity="tanh")
        self.head = nn.Linear(hidden, 1)
        for name, p in self.rnn.named_parameters():
            if "weight_ih" in name:
                nn.init.xavier_uniform_(p)
            elif "weight_hh" in name:
                nn.init.orthogonal_(p)
            else:
                nn.init.zeros_(p)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1]).squeeze(-1)


def main():
    torch.manual_seed(5)
    X, y = simulate_runners()
    n_tr = 800
    mu = X[:n_tr].reshape(-1, 4).mean(0)
    sd = X[:n_tr].reshape(-1, 4).std(0)
    y_mu, y_sd = y[:n_tr].mean(), y[:n_tr].std()
    Xn = torch.from_numpy((X - mu) / sd)
    yn = torch.from_numpy((y - y_mu) / y_sd)

    train_dl = DataLoader(TensorDataset(Xn[:n_tr], yn[:n_tr]), batch_size=32, shuffle=True)
    val_X, val_y = Xn[n_tr:], yn[n_tr:]

    model = SplitRNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=6, gamma=0.5)
    loss_fn = nn.MSELoss()

    for epoch in range(1, 17):
        model.train()
        tot = 0.0
        for xb, yb in train_dl:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            tot += loss.item() * len(xb)
        sched.step()
        model.eval()
        with torch.no_grad():
            val_mse = loss_fn(model(val_X), val_y).item()
        if epoch % 4 == 0:
            print(f"epoch {epoch:2d} lr {sched.get_last_lr()[0]:.1e} train {tot / n_tr:.4f} val {val_mse:.4f}")

    mae_min = (model(val_X).detach() - val_y).abs().mean().item() * float(y_sd)
    print(f"final val MSE (std units) {val_mse:.4f}, MAE {mae_min:.2f} min over the last 26.2 km")


if __name__ == "__main__":
    main()
