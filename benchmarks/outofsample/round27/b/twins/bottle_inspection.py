"""Glass-bottle inspection: classify each bottle as good / seed-stone / check-crack.

The line camera captures every bottle several times as it rotates on the starwheel;
each capture yields a feature row from the vision box (defect cues plus physical
measurements). Labels come from the QA lab, one per bottle. Trained on this week's
captures, model picked by early stopping, then scored on next week's production lot.
"""
import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.model_selection import ShuffleSplit, GroupShuffleSplit

DEFECT_CUES = ["seed_count", "stone_contrast", "check_glint", "wall_dev", "bubble_area", "ovality"]
PHYSICAL = ["height", "weight", "tint_r", "tint_g", "tint_b", "neck_od", "base_knurl", "mould_code_x",
            "mould_code_y", "shoulder_r", "finish_h", "push_up"]


def capture_lot(n_bottles, seed, views=5):
    rng = np.random.default_rng(seed)
    cues = rng.normal(0, 1, (n_bottles, len(DEFECT_CUES)))
    hidden = rng.normal(0, 0.6, n_bottles)                  # what only the lab's cut-and-polish shows
    severity = cues[:, 0] + 0.7 * cues[:, 1] + 0.5 * cues[:, 2] * cues[:, 3] + hidden
    label = np.digitize(severity, [-0.5, 0.7])             # 0 good, 1 seed/stone, 2 check
    physical = rng.normal(0, 1, (n_bottles, len(PHYSICAL)))
    rows, labels, bottle = [], [], []
    for b in range(n_bottles):
        for _ in range(views):
            rows.append(np.concatenate([cues[b] + rng.normal(0, 0.2, len(DEFECT_CUES)),
                                        physical[b] + rng.normal(0, 0.1, len(PHYSICAL))]))
            labels.append(label[b])
            bottle.append(b)
    return np.asarray(rows, np.float32), np.asarray(labels, np.int64), np.asarray(bottle)


def evaluate(model, loader):
    model.eval()
    correct, total, loss = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            loss += nn.functional.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(-1) == yb).sum().item()
            total += len(yb)
    return loss / total, correct / total


def main():
    torch.manual_seed(0)
    X, y, bottle_id = capture_lot(800, seed=1)
    X_next, y_next, _ = capture_lot(200, seed=2)

    splitter = GroupShuffleSplit(n_splits=1, test_size=0.2, random_state=0)
    train_idx, val_idx = next(splitter.split(X, y, groups=bottle_id))

    mean, std = X[train_idx].mean(0), X[train_idx].std(0)
    def to_ds(a, b):
        return TensorDataset(torch.tensor((a - mean) / std), torch.tensor(b))
    train_loader = DataLoader(to_ds(X[train_idx], y[train_idx]), batch_size=64, shuffle=True)
    val_loader = DataLoader(to_ds(X[val_idx], y[val_idx]), batch_size=512)
    next_loader = DataLoader(to_ds(X_next, y_next), batch_size=512)

    model = nn.Sequential(nn.Linear(X.shape[1], 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
    criterion = nn.CrossEntropyLoss()

    best_loss, best_model, patience, bad_epochs = float("inf"), None, 6, 0
    for epoch in range(1, 41):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        val_loss, val_acc = evaluate(model, val_loader)
        if val_loss < best_loss:
            best_loss, best_model, bad_epochs = val_loss, copy.deepcopy(model), 0
        else:
            bad_epochs += 1
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d}  val loss {val_loss:.4f}  val acc {val_acc:.4f}")
        if bad_epochs >= patience:
            print(f"early stop at epoch {epoch}")
            break

    val_loss, val_acc = evaluate(best_model, val_loader)
    next_loss, next_acc = evaluate(best_model, next_loader)
    print(f"selected model: val acc {val_acc:.4f}")
    print(f"next-week lot: loss {next_loss:.4f}  accuracy {next_acc:.4f}")


if __name__ == "__main__":
    main()
