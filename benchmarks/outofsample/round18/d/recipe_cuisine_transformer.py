"""Cuisine tagging of recipes from their ingredient token lists.

A small Transformer encoder (2 layers, d=32) over up to 24 ingredient tokens with a padding
mask and mean pooling; cross-entropy with label smoothing 0.1, AdamW, bf16 autocast for the
forward pass, early stopping on validation loss with the best weights restored.
"""
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

CUISINES = ["italian", "mexican", "indian", "japanese", "greek", "thai", "french"]
VOCAB, MAXLEN, PAD = 420, 24, 0


def recipes(n=2400, seed=9):
    rng = np.random.default_rng(seed)
    common = rng.choice(np.arange(1, VOCAB), 40, replace=False)          # salt, oil, onion, ...
    signature = [rng.choice(np.arange(1, VOCAB), 35, replace=False) for _ in CUISINES]
    tokens = np.full((n, MAXLEN), PAD, dtype=np.int64)
    labels = rng.integers(0, len(CUISINES), n)
    for i, c in enumerate(labels):
        L = rng.integers(5, MAXLEN + 1)
        src = rng.random(L)
        sig_w = rng.dirichlet(np.full(35, 0.5))
        other = rng.integers(0, len(CUISINES))
        toks = np.where(src < 0.35, rng.choice(common, L),
               np.where(src < 0.78, rng.choice(signature[c], L, p=sig_w),
               np.where(src < 0.88, rng.choice(signature[other], L), rng.integers(1, VOCAB, L))))
        tokens[i, :L] = rng.permutation(toks)
    return tokens, labels


class RecipeEncoder(nn.Module):
    def __init__(self, n_classes, d=32, heads=4, layers=2):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d, padding_idx=PAD)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=64, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.cls = nn.Linear(d, n_classes)

    def forward(self, tokens):
        pad = tokens == PAD
        h = self.encoder(self.emb(tokens), src_key_padding_mask=pad)
        keep = (~pad).unsqueeze(-1).float()
        pooled = (h * keep).sum(1) / keep.sum(1).clamp(min=1)
        return self.cls(self.norm(pooled))


def run_epoch(model, loader, criterion, optimizer=None):
    train = optimizer is not None
    model.train(train)
    tot, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(train):
        for tb, yb in loader:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(tb)
            loss = criterion(logits.float(), yb)
            if train:
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
            tot += loss.item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return tot / n, correct / n


def main():
    torch.manual_seed(5)
    tokens, labels = recipes()
    T, Y = torch.from_numpy(tokens), torch.from_numpy(labels)
    n_tr, n_va = 1800, 300
    train_loader = DataLoader(TensorDataset(T[:n_tr], Y[:n_tr]), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(T[n_tr:n_tr + n_va], Y[n_tr:n_tr + n_va]), batch_size=256)
    test_loader = DataLoader(TensorDataset(T[n_tr + n_va:], Y[n_tr + n_va:]), batch_size=256)

    model = RecipeEncoder(len(CUISINES))
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)

    best, best_state, patience, bad = float("inf"), None, 3, 0
    for epoch in range(25):
        tr_loss, tr_acc = run_epoch(model, train_loader, criterion, optimizer)
        va_loss, va_acc = run_epoch(model, val_loader, criterion)
        print(f"epoch {epoch:2d}  train {tr_loss:.4f}/{tr_acc:.3f}  val {va_loss:.4f}/{va_acc:.3f}")
        if va_loss < best - 1e-4:
            best, best_state, bad = va_loss, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad >= patience:
                print(f"early stop at epoch {epoch}")
                break
    model.load_state_dict(best_state)
    te_loss, te_acc = run_epoch(model, test_loader, criterion)
    print(f"test acc {te_acc:.4f}  test loss {te_loss:.4f}  (best val loss {best:.4f})")


if __name__ == "__main__":
    main()
