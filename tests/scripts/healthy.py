"""Healthy loops that do unusual things on purpose; watch must stay silent on each."""
from __future__ import annotations

import torch
from torch import nn

from loops import blobs, loader, mlp


def _data(n: int = 960):
    x, y = blobs(n + 240, noise=1.6)
    return x[:n], y[:n], x[n:], y[n:]


def grad_accumulation(epochs: int = 6) -> None:
    """zero_grad and step every k=4 micro-batches."""
    torch.manual_seed(0)
    xt, yt, xv, yv = _data()
    model, loss_fn = mlp(), nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(epochs):
        for i, (xb, yb) in enumerate(loader(xt, yt, batch=8)):
            (loss_fn(model(xb), yb) / 4).backward()
            if i % 4 == 3:
                opt.step()
                opt.zero_grad()


def frozen_params(epochs: int = 6) -> None:
    """The first layer is frozen (requires_grad False) and left out of the optimizer."""
    torch.manual_seed(0)
    xt, yt, _, _ = _data()
    model, loss_fn = mlp(), nn.CrossEntropyLoss()
    for p in model[0].parameters():
        p.requires_grad_(False)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    for _ in range(epochs):
        for xb, yb in loader(xt, yt):
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()


def amp_grad_scaler(epochs: int = 6) -> None:
    """GradScaler scales the loss (huge scaled gradients, skipped inf steps while it calibrates)."""
    torch.manual_seed(0)
    xt, yt, _, _ = _data()
    model, loss_fn = mlp(), nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0**40)
    for _ in range(epochs):
        for xb, yb in loader(xt, yt):
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = loss_fn(model(xb), yb)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()


def gan(steps: int = 300) -> None:
    """Two models, two optimizers, detached fakes for the discriminator step."""
    torch.manual_seed(0)
    real_data = torch.randn(2048, 2) * 0.5 + torch.tensor([2.0, -1.0])
    g = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 2))
    d = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
    opt_g = torch.optim.Adam(g.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=1e-3, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    for step in range(steps):
        real = real_data[torch.randint(0, 2048, (64,))]
        fake = g(torch.randn(64, 4))
        opt_d.zero_grad()
        loss_d = bce(d(real), torch.ones(64, 1)) + bce(d(fake.detach()), torch.zeros(64, 1))
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        loss_g = bce(d(fake), torch.ones(64, 1))
        loss_g.backward()
        opt_g.step()


def warmup_schedule(epochs: int = 8) -> None:
    """Linear warm-up per batch for 50 steps, then cosine decay per epoch."""
    torch.manual_seed(0)
    xt, yt, xv, yv = _data()
    model, loss_fn = mlp(), nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.01, total_iters=50)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    step = 0
    for _ in range(epochs):
        for xb, yb in loader(xt, yt):
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
            step += 1
            if step <= 50:
                warm.step()
        cosine.step()
        model.eval()
        with torch.no_grad():
            loss_fn(model(xv), yv)
        model.train()


def sensible_clipping(epochs: int = 6) -> None:
    """clip_grad_norm_ at 1.0: bites on the rare outliers only."""
    torch.manual_seed(0)
    xt, yt, _, _ = _data()
    model, loss_fn = mlp(), nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(epochs):
        for xb, yb in loader(xt, yt):
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            opt.step()


def compiled(epochs: int = 3) -> None:
    """torch.compile'd model (eager backend: cheap on CPU, same wrapper and hooks behaviour)."""
    torch.manual_seed(0)
    xt, yt, _, _ = _data(480)
    model, loss_fn = mlp(), nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    fast = torch.compile(model, backend="eager")
    for _ in range(epochs):
        for xb, yb in loader(xt, yt):
            opt.zero_grad()
            loss_fn(fast(xb), yb).backward()
            opt.step()


def data_parallel(epochs: int = 6) -> None:
    """nn.DataParallel: a pass-through wrapper on CPU; on a CUDA machine the model sits on its first GPU."""
    torch.manual_seed(0)
    xt, yt, _, _ = _data()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model, loss_fn = nn.DataParallel(mlp().to(device)), nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(epochs):
        for xb, yb in loader(xt, yt):
            opt.zero_grad()
            out = model(xb)
            loss_fn(out, yb.to(out.device)).backward()
            opt.step()


class GRUClassifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(1, 32, batch_first=True)
        self.head = nn.Linear(32, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.gru(x)[0][:, -1])


def gru_sequences(epochs: int = 8) -> None:
    """A GRU tells rising from falling noisy sequences."""
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 2, (512,), generator=g)
    t = torch.linspace(-1, 1, 16)
    x = ((2 * y.float() - 1)[:, None] * t[None, :] + 0.8 * torch.randn(512, 16, generator=g))[..., None]
    model, loss_fn = GRUClassifier(), nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(epochs):
        for xb, yb in loader(x, y):
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()


def cnn_images(epochs: int = 8) -> None:
    """A small CNN with BatchNorm on 8x8 digit scans scaled to [-1, 1], with eval passes."""
    from sklearn.datasets import load_digits

    torch.manual_seed(0)
    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32)[:, None] / 8.0 - 1.0
    y = torch.tensor(digits.target)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Dropout(0.2), nn.Linear(16 * 16, 10))
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    for _ in range(epochs):
        model.train()
        for xb, yb in loader(x[:1400], y[:1400]):
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            loss_fn(model(x[1400:]), y[1400:])


def input_batchnorm(epochs: int = 6, eval_mode: bool = False) -> None:
    """Raw measurements (offset 200, scale 80) standardised by a BatchNorm1d input layer.

    ``eval_mode=True`` is the broken twin: an eval-mode check before the loop freezes that
    BatchNorm at its init statistics, so the raw scale reaches the first Linear.
    """
    torch.manual_seed(0)
    xt, yt, _, _ = _data()
    xt = xt * 80 + 200
    model, loss_fn = nn.Sequential(nn.BatchNorm1d(xt.shape[1]), mlp()), nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    if eval_mode:
        model.eval()
    for _ in range(epochs):
        for xb, yb in loader(xt, yt):
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()


def warmup_from_zero(epochs: int = 8) -> None:
    """Hugging Face-style linear warm-up that starts at LR 0, then linear decay, stepped per batch."""
    torch.manual_seed(0)
    xt, yt, xv, yv = _data()
    model, loss_fn = mlp(), nn.CrossEntropyLoss()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    total, warm = epochs * 30, 40
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / warm if s < warm else max(0.0, (total - s) / (total - warm)))
    for _ in range(epochs):
        for xb, yb in loader(xt, yt):
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
            schedule.step()


HEALTHY = {
    "grad_accumulation": grad_accumulation, "frozen_params": frozen_params, "amp_grad_scaler": amp_grad_scaler,
    "gan": gan, "warmup_schedule": warmup_schedule, "sensible_clipping": sensible_clipping, "compiled": compiled,
    "data_parallel": data_parallel, "gru_sequences": gru_sequences, "cnn_images": cnn_images,
    "input_batchnorm": input_batchnorm, "warmup_from_zero": warmup_from_zero,
}

