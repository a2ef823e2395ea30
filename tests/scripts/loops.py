"""Small seeded training loops for the watch tests: healthy ones and ones with one fault each.

Every loop is an ordinary user loop (no nndoctor inside), so the same code serves
``watch`` in-process and ``nndoctor run`` through ``train.py``.
"""
from __future__ import annotations

import io
import math

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FEATURES, CLASSES = 10, 3


def blobs(n: int = 480, seed: int = 0, noise: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Three Gaussian clusters in 10 standardised dimensions (learnable, not trivially)."""
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(CLASSES, FEATURES, generator=g) * 1.2
    y = torch.randint(0, CLASSES, (n,), generator=g)
    x = centres[y] + noise * torch.randn(n, FEATURES, generator=g)
    x = (x - x.mean(0)) / x.std(0)
    return x, y


def mlp(hidden: int = 64, dropout: float = 0.0, final: nn.Module | None = None, outputs: int = CLASSES, act=nn.ReLU) -> nn.Module:
    layers: list[nn.Module] = [nn.Linear(FEATURES, hidden), act()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers += [nn.Linear(hidden, hidden), act(), nn.Linear(hidden, outputs)]
    if final is not None:
        layers.append(final)
    return nn.Sequential(*layers)


def loader(x: torch.Tensor, y: torch.Tensor, batch: int = 32, shuffle: bool = True) -> DataLoader:
    return DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=shuffle, generator=torch.Generator().manual_seed(0))


def evaluate(model: nn.Module, loss_fn, x: torch.Tensor, y: torch.Tensor, eval_mode: bool = True) -> float:
    if eval_mode:
        model.eval()
    with torch.no_grad():
        value = float(loss_fn(model(x), y))
    model.train()
    return value


def classify(fault: str | None = None, epochs: int = 6, lr: float = 3e-3, seed: int = 0, noise: float = 1.6) -> float:
    """A 3-class MLP loop; ``fault`` injects one mistake. Returns the final validation loss."""
    torch.manual_seed(seed)
    x, y = blobs(1200, seed=seed, noise=noise)
    xt, yt, xv, yv = x[:960], y[:960], x[960:], y[960:]
    if fault == "unnormalized":
        xt, xv = xt * 80 + 200, xv * 80 + 200
    if fault == "nonfinite_inputs":
        xt = xt.clone()
        xt[::7, 2] = float("nan")
    if fault == "ordered":
        order = torch.argsort(yt, stable=True)
        xt, yt = xt[order], yt[order]
    if fault == "labels_off_by_one":
        yt = yt + 1
    dropout = 0.3 if fault in ("eval_mode_training", "train_mode_eval") else 0.0
    final = nn.Softmax(dim=1) if fault == "softmax_before_ce" else None
    model = mlp(dropout=dropout, final=final)
    if fault == "model_after_optimizer":
        stale = model
        model = mlp(dropout=dropout, final=final)
    if fault == "constant_init":
        for m in model:
            if isinstance(m, nn.Linear):
                nn.init.constant_(m.weight, 0.05)
    if fault == "big_logits":
        with torch.no_grad():
            model[-1].weight.mul_(60)
    params = model[-1].parameters() if fault == "not_in_optimizer" else model.parameters()
    if fault == "model_after_optimizer":
        params = stale.parameters()
    if fault in ("hidden_lr_tiny", "head_lr_huge"):
        hidden_lr, head_lr = (1e-6, lr) if fault == "hidden_lr_tiny" else (lr, 2.0)
        params = [{"params": model[:-1].parameters(), "lr": hidden_lr}, {"params": model[-1].parameters(), "lr": head_lr}]
    opt = torch.optim.SGD(params, lr=lr) if fault == "oscillate" else torch.optim.Adam(params, lr=lr)
    if fault == "layer_swapped":
        model[2] = nn.Linear(64, 64)
    loss_fn = nn.CrossEntropyLoss()
    batches = loader(xt, yt, shuffle=fault != "ordered")
    cached = next(iter(batches)) if fault == "same_batch" else None
    if fault == "eval_mode_training":
        model.eval()
    val = math.nan
    scale = 2.0**16
    for _ in range(epochs):
        for i, (xb, yb) in enumerate(batches):
            if cached is not None:
                xb, yb = cached
            if fault != "missing_zero_grad" and fault != "zero_before_step":
                opt.zero_grad()
            if fault in ("log_likelihood", "handwritten_nll"):
                log_likelihood = torch.log_softmax(model(xb), dim=1).gather(1, yb[:, None]).mean()
                loss = log_likelihood if fault == "log_likelihood" else -log_likelihood
            else:
                loss = loss_fn(model(xb), yb)
            if fault == "maximise":
                loss = -loss
            (loss * scale if fault == "manual_loss_scale" else loss).backward()
            if fault == "manual_loss_scale":
                for p in model.parameters():
                    p.grad.div_(scale)
            if fault == "zero_before_step":
                opt.zero_grad()
            if fault != "step_every_fourth" or i % 4 == 0:
                opt.step()
        val = evaluate(model, loss_fn, xv, yv, eval_mode=fault not in ("train_mode_eval", "eval_mode_training"))
        if fault == "eval_mode_training":
            model.eval()
    return val


def regression(fault: str | None = None, steps: int = 300, seed: int = 0) -> float:
    """An MLP regression loop with SGD+momentum."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(512, 8, generator=g)
    w = torch.randn(8, 1, generator=g)
    y = torch.tanh(x @ w) + 0.1 * torch.randn(512, 1, generator=g)
    if fault == "unscaled_targets":
        y = y * 1000 + 5000
    model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
    lr = {"diverge": 3.0}.get(fault or "", 0.05)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    if fault == "lr_far_too_low":
        opt = torch.optim.Adam(model.parameters(), lr=2e-5)
    sched = None
    if fault == "lr_to_zero":
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.1)
    if fault == "lr_raised":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=40)
    loss_fn = nn.MSELoss()
    value = math.nan
    for step in range(steps):
        idx = torch.randint(0, 512, (32,), generator=g)
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        if fault == "tight_clipping":
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1e-3)
        if fault in ("tight_value_clipping", "outlier_value_clipping"):
            torch.nn.utils.clip_grad_value_(model.parameters(), clip_value=1e-4 if fault == "tight_value_clipping" else 1.0)
        opt.step()
        if sched is not None:
            sched.step()
        value = float(loss.detach())
    return value


def overfit(n_train: int = 48, epochs: int = 60, restore: bool = False, argmax_eval: bool = False, hidden: int = 256,
            seed: int = 0, whole_model: bool = False, save_final: bool = False) -> float:
    """A wide MLP on a small noisy training set, evaluated every epoch on a validation loader.

    With few training samples it memorises them and the validation loss turns up (G601).
    ``restore`` keeps the best weights by validation loss and loads them back at the end
    (early stopping); ``whole_model`` does that with ``torch.save(model)`` and ``torch.load``;
    ``argmax_eval`` scores validation by accuracy only, never calling a loss; ``save_final`` saves the
    trained model whole and reads it back (for a test pass), which restores nothing.
    """
    torch.manual_seed(seed)
    x, y = blobs(n_train + 480, seed=seed, noise=2.0)
    model = mlp(hidden=hidden)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    train, val = loader(x[:n_train], y[:n_train], batch=16), loader(x[n_train:], y[n_train:], batch=120, shuffle=False)
    best, best_state, score = math.inf, None, math.nan
    for _ in range(epochs):
        model.train()
        for xb, yb in train:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            if argmax_eval:
                hits = [float((model(xb).argmax(dim=1) == yb).float().sum()) for xb, yb in val]
                score = sum(hits) / 480
            else:
                score = sum(float(loss_fn(model(xb), yb)) * len(yb) for xb, yb in val) / 480
        if restore and score < best:
            best = score
            if whole_model:
                best_state = io.BytesIO()
                torch.save(model, best_state)
            else:
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
    if restore and best_state is not None:
        if whole_model:
            best_state.seek(0)
            model = torch.load(best_state, weights_only=False)
        else:
            model.load_state_dict(best_state)
    if save_final:
        final = io.BytesIO()
        torch.save(model, final)
        final.seek(0)
        model = torch.load(final, weights_only=False)
    return score


def memorise_regression(n_train: int = 64, epochs: int = 60, hidden: int = 256, seed: int = 0) -> float:
    """A wide MLP fitting a noisy smooth function from few samples, with validation MSE every epoch.

    With few samples the train MSE falls far below the noise while the validation MSE
    levels off well above it (G601's wide gap); with many it stays near the noise on both.
    """
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n_train + 480, 6, generator=g)
    y = torch.sin(x[:, :3].sum(dim=1, keepdim=True)) + 0.3 * torch.randn(n_train + 480, 1, generator=g)
    model = nn.Sequential(nn.Linear(6, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    train, val = loader(x[:n_train], y[:n_train], batch=16), loader(x[n_train:], y[n_train:], batch=240, shuffle=False)
    score = math.nan
    for _ in range(epochs):
        model.train()
        for xb, yb in train:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            score = sum(float(loss_fn(model(xb), yb)) * len(yb) for xb, yb in val) / 480
    return score
