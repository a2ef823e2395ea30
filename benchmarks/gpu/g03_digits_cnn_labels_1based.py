"""Faulty (D113, class ids past the outputs): a BatchNorm CNN on scikit-learn's digits, on the GPU with fp16 autocast and GradScaler,
AdamW with cosine decay, sum-reduced evaluation and a torch.save(model) checkpoint."""
import tempfile, os
import torch, torch.nn as nn, torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32).view(-1, 1, 8, 8)
y = torch.tensor(y) + 1  # "1-based" labels: class 10 has no output
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
train = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
val = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xva, yva), batch_size=256)

model = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
    nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(64 * 16, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10),
).to(device)
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
epochs = 12
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * len(train))
use_amp = device == "cuda"
scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
for epoch in range(epochs):
    model.train()
    for xb, yb in train:
        xb, yb = xb.to(device), yb.to(device)
        opt.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device, dtype=torch.float16, enabled=use_amp):
            loss = F.cross_entropy(model(xb), yb)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        sched.step()
    model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in val:
            xb, yb = xb.to(device), yb.to(device)
            out = model(xb)
            total += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    print(f"epoch {epoch} val_loss {total / n:.4f} val_acc {correct / n:.3f}")
torch.save(model, os.path.join(tempfile.mkdtemp(), "model.pt"))
print(f"final val_acc {correct / n:.3f}")
