"""Hot-spring reservoir temperature from water chemistry (a learned geothermometer).

Inputs are log-concentrations of the dissolved species a field chemist measures at
the vent (SiO2, Na, K, Ca, Mg, Li, B, Cl, HCO3, SO4) plus vent temperature and pH.
Target: reservoir temperature in degC from well logs, standardised with the
training mean/std.  The MLP uses a memory-efficient Swish (as in EfficientNet
ports) because the same block runs on a low-memory field tablet.
"""
import numpy as np
import torch
from torch import nn

import nndoctor


def synth_springs(n=2400, seed=3):
    rng = np.random.default_rng(seed)
    t_res = rng.uniform(60, 300, n)                       # reservoir temperature, degC
    mixing = rng.beta(2, 5, n)                            # dilution by shallow groundwater
    cooling = rng.uniform(0, 1, n)
    # quartz and Na-K-Ca style equilibria, perturbed by mixing and re-equilibration
    log_sio2 = 5.19 - 1309 / (t_res + 273.15) + np.log10(1 - 0.8 * mixing) + rng.normal(0, 0.05, n)
    log_nak = 1.483 - 1217 / (t_res + 273.15) * (1 - 0.15 * cooling) + rng.normal(0, 0.06, n)
    log_na = rng.normal(2.6, 0.4, n) + np.log10(1 - 0.7 * mixing)
    log_k = log_na + log_nak
    log_ca = rng.normal(1.3, 0.35, n) + 0.4 * mixing
    log_mg = rng.normal(-0.5, 0.5, n) + 1.2 * mixing - 0.004 * (t_res - 150)
    log_li = 0.7 * log_na - 1.6 + 0.002 * t_res + rng.normal(0, 0.1, n)
    log_b = rng.normal(0.8, 0.3, n) + 0.001 * t_res
    log_cl = log_na + rng.normal(0.15, 0.1, n)
    log_hco3 = rng.normal(2.2, 0.3, n) + 0.5 * mixing
    log_so4 = rng.normal(1.8, 0.4, n)
    t_vent = 100 - 60 * mixing - 20 * cooling + rng.normal(0, 4, n)
    ph = 7.0 + 1.2 * mixing - 0.004 * (t_res - 150) + rng.normal(0, 0.2, n)
    X = np.column_stack([log_sio2, log_na, log_k, log_ca, log_mg, log_li, log_b,
                         log_cl, log_hco3, log_so4, t_vent, ph])
    y = t_res + rng.normal(0, 5, n)
    return X.astype(np.float32), y.astype(np.float32)


class SwishImplementation(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i * torch.sigmoid(i)
        ctx.save_for_backward(i)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        i, = ctx.saved_tensors
        sigmoid_i = torch.sigmoid(i)
        return grad_output * sigmoid_i + i * sigmoid_i * (1 - sigmoid_i)


class MemoryEfficientSwish(nn.Module):
    def forward(self, x):
        return SwishImplementation.apply(x)


def make_model(d_in):
    return nn.Sequential(
        nn.Linear(d_in, 128), MemoryEfficientSwish(),
        nn.Linear(128, 128), MemoryEfficientSwish(),
        nn.Linear(128, 64), MemoryEfficientSwish(),
        nn.Linear(64, 1),
    )


class Column(nn.Module):
    """(N, 1) head output -> (N,) prediction."""
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x).squeeze(-1)


def setup():
    torch.manual_seed(0)
    X, y = synth_springs()
    idx = np.random.default_rng(0).permutation(len(X))
    tr, va = idx[:1900], idx[1900:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    Xs = (X - mu) / sd
    ys = (y - y_mu) / y_sd
    model = Column(make_model(X.shape[1]))
    return nndoctor.Setup(
        model=model,
        train=(torch.tensor(Xs[tr]), torch.tensor(ys[tr])),
        val=(torch.tensor(Xs[va]), torch.tensor(ys[va])),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-4),
        batch_size=64,
    )
