"""Cinema attendance per screening (tickets sold) for a multiplex chain.

Counts are modelled with a log-link Poisson loss: cinema and film embeddings
plus calendar features feed a small network that outputs the log rate. The
update is written out by hand (SGD with momentum and step decay, no optimizer
object), and the output bias starts at the log of the mean count.
"""
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(21)
rng = np.random.default_rng(21)

N_CINEMA, N_FILM, N = 350, 1400, 40000
cinema_size = rng.normal(0, 0.5, N_CINEMA)
film_pull = rng.normal(0, 0.8, N_FILM)
film_family = rng.random(N_FILM) < 0.25
cinema = rng.integers(0, N_CINEMA, N)
film = (rng.zipf(1.3, N) - 1) % N_FILM                 # blockbusters get most screenings
weekday = rng.integers(0, 7, N)
hour = rng.choice([11, 13, 15, 17, 19, 20, 21, 22], N)
weeks_out = rng.integers(0, 10, N)
holiday = (rng.random(N) < 0.06).astype(np.float32)

weekend = weekday >= 5
evening = np.exp(-((hour - 20) / 2.5) ** 2)
afternoon = np.exp(-((hour - 14) / 2.0) ** 2)
log_rate = (2.6 + cinema_size[cinema] + film_pull[film] - 0.22 * weeks_out + 0.35 * weekend
            + 0.9 * evening + film_family[film] * (1.1 * afternoon * (weekend | (holiday > 0)) - 0.6 * (hour >= 21))
            + 0.3 * holiday)
tickets = rng.poisson(np.exp(log_rate)).astype(np.float32)

dense = np.stack([
    np.sin(2 * np.pi * weekday / 7), np.cos(2 * np.pi * weekday / 7), weekend.astype(np.float32),
    (hour - 17) / 3.5, weeks_out / 3.0 - 1.5, holiday,
], 1).astype(np.float32)

perm = rng.permutation(N)
tr, te = perm[:32000], perm[32000:]
t = lambda a, ids: torch.from_numpy(a[ids])


class AttendanceModel(nn.Module):
    def __init__(self, n_dense, dim=12):
        super().__init__()
        self.cinema = nn.Embedding(N_CINEMA, dim)
        self.film = nn.Embedding(N_FILM, dim)
        for emb in (self.cinema, self.film):
            nn.init.normal_(emb.weight, std=0.05)
        self.mlp = nn.Sequential(nn.Linear(2 * dim + n_dense, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, c, f, x):
        h = torch.cat([self.cinema(c), self.film(f), x], 1)
        return self.mlp(h).squeeze(1)


model = AttendanceModel(dense.shape[1])
with torch.no_grad():
    model.mlp[-1].bias.fill_(float(np.log(tickets[tr].mean())))
loss_fn = nn.PoissonNLLLoss(log_input=True, full=False)

lr, momentum, wd = 0.01, 0.9, 1e-5
velocity = [torch.zeros_like(p) for p in model.parameters()]
bs = 256
c_tr, f_tr, x_tr, y_tr = t(cinema, tr), t(film, tr), t(dense, tr), t(tickets, tr)


def deviance(y, mu):
    y, mu = y.double(), mu.double()
    term = torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(y))
    return 2 * (term - (y - mu)).sum().item()


for epoch in range(12):
    if epoch in (8, 11):
        lr *= 0.3
    model.train()
    order = torch.randperm(len(tr))
    total = 0.0
    for i in range(0, len(tr), bs):
        b = order[i:i + bs]
        loss = loss_fn(model(c_tr[b], f_tr[b], x_tr[b]), y_tr[b])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(momentum).add_(p.grad + wd * p)
                p -= lr * v
        total += loss.item() * len(b)
    model.eval()
    with torch.no_grad():
        mu_te = model(t(cinema, te), t(film, te), t(dense, te)).exp()
    y_te = t(tickets, te)
    d_model = deviance(y_te, mu_te)
    d_null = deviance(y_te, torch.full_like(y_te, tickets[tr].mean()))
    print(f"epoch {epoch + 1:2d} lr {lr:.4f} train poisson nll {total / len(tr):.3f}  test deviance explained {1 - d_model / d_null:.3f}")

mae = (mu_te - y_te).abs().mean().item()
print(f"test deviance explained {1 - d_model / d_null:.3f}  MAE {mae:.2f} tickets (mean {y_te.mean():.1f})")
