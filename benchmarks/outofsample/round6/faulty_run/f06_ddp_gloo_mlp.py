"""Data-parallel training on CPU: 2 processes (gloo backend) started with
torch.multiprocessing.spawn, DistributedDataParallel, DistributedSampler.
Rank 0 evaluates and prints the result."""
import os

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

WORLD_SIZE = 2
EPOCHS = 12


def build_datasets():
    X, y = make_classification(n_samples=3000, n_features=32, n_informative=20, n_redundant=4,
                               n_classes=10, n_clusters_per_class=2, class_sep=1.1,
                               flip_y=0.03, random_state=5)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=5, stratify=y)
    sc = StandardScaler().fit(X_tr)
    f = lambda a: torch.tensor(sc.transform(a), dtype=torch.float32)
    return TensorDataset(f(X_tr), torch.tensor(y_tr)), TensorDataset(f(X_va), torch.tensor(y_va))


def make_model():
    return nn.Sequential(
        nn.Linear(32, 256), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(256, 256), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(256, 10))


def worker(rank, world_size):
    torch.set_num_threads(1)
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29517")
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    torch.manual_seed(0)  # same init on every rank (DDP also broadcasts rank 0's weights)

    train_ds, val_ds = build_datasets()
    sampler = DistributedSampler(train_ds, num_replicas=world_size, rank=rank, shuffle=True,
                                 seed=0)
    loader = DataLoader(train_ds, batch_size=32, sampler=sampler)

    model = make_model()
    ddp_model = DDP(model)
    optimizer = torch.optim.SGD(ddp_model.parameters(), lr=0.05, momentum=0.9,
                                weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(EPOCHS):
        sampler.set_epoch(epoch)
        ddp_model.train()
        running = torch.zeros(2)
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += torch.tensor([loss.item() * len(yb), len(yb)])
        scheduler.step()
        dist.all_reduce(running)
        if rank == 0:
            model.eval()
            with torch.no_grad():
                out = model(val_ds.tensors[0])
                val_loss = criterion(out, val_ds.tensors[1]).item()
                val_acc = (out.argmax(1) == val_ds.tensors[1]).float().mean().item()
            print(f"epoch {epoch + 1:2d} train_loss {running[0] / running[1]:.4f} "
                  f"val_loss {val_loss:.4f} val_acc {val_acc:.4f}", flush=True)

    if rank == 0:
        print(f"final val_acc={val_acc:.4f} val_loss={val_loss:.4f}", flush=True)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    mp.spawn(worker, args=(WORLD_SIZE,), nprocs=WORLD_SIZE, join=True)
