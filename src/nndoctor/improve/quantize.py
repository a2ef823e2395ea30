"""Dynamic int8 quantisation of Linear/LSTM/GRU layers (and 8-bit Embedding tables) for CPU inference.

Weights are stored as int8, activations are quantised on the fly per batch
(``torch.ao.quantization.quantize_dynamic``). Embedding tables, which dominate text models,
are stored as 8-bit rows with a float scale per row (weight-only: a lookup has no activations
to quantise), the qconfig torch provides for them. In torch 2.13 this API still works but warns
that PyTorch's quantisation is moving to ``torchao``; those warnings are collected as notes,
not shown to the user as errors. The quantised model runs on CPU only.
"""
from __future__ import annotations

import copy
import warnings

from torch import nn

QUANTIZABLE = (nn.Linear, nn.LSTM, nn.GRU, nn.Embedding)

SNIPPET = """\
import torch
from torch.ao.quantization import (default_dynamic_qconfig, float_qparams_weight_only_qconfig,
                                   quantize_dynamic)   # torchao.quantization in newer stacks

spec = {torch.nn.Linear: default_dynamic_qconfig, torch.nn.LSTM: default_dynamic_qconfig,
        torch.nn.GRU: default_dynamic_qconfig, torch.nn.Embedding: float_qparams_weight_only_qconfig}
model_int8 = quantize_dynamic(model.cpu().eval(), spec)
torch.save(model_int8.state_dict(), "model_int8.pt")  # CPU inference only
"""


def quantizable(model: nn.Module) -> bool:
    return any(isinstance(m, QUANTIZABLE) for m in model.modules())


def quantized(model: nn.Module) -> tuple[nn.Module, list[str]]:
    """An int8 dynamically quantised CPU copy of ``model`` and the warnings torch raised doing it."""
    work = copy.deepcopy(model).cpu().eval()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from torch.ao.quantization import (
            default_dynamic_qconfig,
            float_qparams_weight_only_qconfig,
            quantize_dynamic,
        )

        spec = {kind: default_dynamic_qconfig for kind in QUANTIZABLE}
        spec[nn.Embedding] = float_qparams_weight_only_qconfig
        result = quantize_dynamic(work, spec)
    notes = sorted({str(w.message).strip().splitlines()[0][:200] for w in caught})
    return result, notes
