"""Plain training of a spec's setup (no nndoctor probes): epochs of minibatch SGD with its own optimizer, then val metrics."""
import importlib.util
import sys
import time

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset


def as_dataset(d):
    if isinstance(d, Dataset):
        return d
    X, y = d
    return TensorDataset(torch.as_tensor(X), torch.as_tensor(y))


def main(path, epochs, time_cap=40.0):
    torch.set_num_threads(1)
    sp = importlib.util.spec_from_file_location("spec", path)
    mod = importlib.util.module_from_spec(sp)
    sp.loader.exec_module(mod)
    import types
    mod.nndoctor = types.SimpleNamespace(Setup=lambda **kw: types.SimpleNamespace(**kw))  # capture the spec's arguments only
    s = mod.setup()
    model, loss_fn = s.model, s.loss
    train = as_dataset(s.train)
    val = as_dataset(s.val)
    opt = s.optimizer(model.parameters())
    g = torch.Generator().manual_seed(0)
    dl = DataLoader(train, batch_size=s.batch_size, shuffle=True, generator=g)
    vl = DataLoader(val, batch_size=256)

    def evaluate(loader):
        model.eval()
        tot, n, correct, ys, ps = 0.0, 0, 0, [], []
        with torch.no_grad():
            for x, y in loader:
                out = model(x)
                tot += float(loss_fn(out, y)) * len(x)
                n += len(x)
                if out.dim() == 2 and out.shape[1] > 1 and y.dim() == 1:
                    correct += int((out.argmax(1) == y).sum())
                elif out.dim() == 2 and out.shape[1] == 1 and isinstance(loss_fn, torch.nn.BCEWithLogitsLoss):
                    correct += int(((out > 0).float() == y).sum())
                ys.append(y.reshape(len(x), -1).float()); ps.append(out.reshape(len(x), -1).float())
        model.train()
        y, p = torch.cat(ys), torch.cat(ps)
        extra = ""
        if correct:
            extra = f"acc {correct / n:.3f}"
        elif y.shape == p.shape:
            r2 = 1 - float(((y - p) ** 2).sum()) / float(((y - y.mean(0)) ** 2).sum())
            extra = f"R2 {r2:.3f}"
        return tot / n, extra

    t0 = time.time()
    l0 = evaluate(vl)
    print(f"init: val loss {l0[0]:.4f} {l0[1]}")
    for ep in range(epochs):
        for x, y in dl:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        if ep % max(1, epochs // 5) == 0 or ep == epochs - 1:
            tr, va = evaluate(DataLoader(train, batch_size=256)), evaluate(vl)
            print(f"epoch {ep + 1}: train loss {tr[0]:.4f} {tr[1]} | val loss {va[0]:.4f} {va[1]} ({time.time() - t0:.0f}s)")
        if time.time() - t0 > time_cap:
            print("time cap")
            break


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20)
