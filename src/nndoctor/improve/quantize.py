"""Dynamic int8 quantisation of Linear/LSTM/GRU layers for CPU inference.

Weights are stored as int8, activations are quantised on the fly per batch
(``torch.ao.quantization.quantize_dynamic``). In torch 2.13 this API still works but warns
that PyTorch's quantisation is moving to ``torchao``; those warnings are collected as notes,
not shown to the user as errors. The quantised model runs on CPU only.
"""
from __future__ import annotations

import copy
import warnings

import torch
from torch import nn

QUANTIZABLE = (nn.Linear, nn.LSTM, nn.GRU)

SNIPPET = """\
import torch
from torch.ao.quantization import quantize_dynamic   # torchao.quantization in newer stacks

model_int8 = quantize_dynamic(model.cpu().eval(), {torch.nn.Linear, torch.nn.LSTM, torch.nn.GRU}, dtype=torch.qint8)
torch.save(model_int8.state_dict(), "model_int8.pt")  # CPU inference only
"""


def quantizable(model: nn.Module) -> bool:
    return any(isinstance(m, QUANTIZABLE) for m in model.modules())


def quantized(model: nn.Module) -> tuple[nn.Module, list[str]]:
    """An int8 dynamically quantised CPU copy of ``model`` and the warnings torch raised doing it."""
    from torch.ao.quantization import quantize_dynamic

    work = copy.deepcopy(model).cpu().eval()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = quantize_dynamic(work, set(QUANTIZABLE), dtype=torch.qint8)
    notes = sorted({str(w.message).strip().splitlines()[0][:200] for w in caught})
    return result, notes
