import os
import socket
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from benchmarks.faults.casedata import wave_sequences


class WaveClassifier(nn.Module):
    def __init__(self, hidden=32, classes=4):
        super().__init__()
        self.rnn = nn.GRU(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, classes)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.out(h[-1])


def worker(rank, world, accumulation=2):
    dist.init_process_group("gloo", rank=rank, world_size=world, timeout=timedelta(seconds=60))
    torch.set_num_threads(1)
    torch.manual_seed(0)
    X, y = wave_sequences(n=800, length=24, classes=4, seed=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)
    X_train, y_train = torch.tensor(X_train[rank::world]), torch.tensor(y_train[rank::world])

    model = DistributedDataParallel(WaveClassifier())
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(rank)

    for epoch in range(10):
        order = torch.randperm(len(X_train), generator=generator)
        batches = [order[i:i + 16] for i in range(0, len(order) - 15, 16)]
        optimizer.zero_grad()
        for i, idx in enumerate(batches):
            last_micro_batch = (i + 1) % accumulation == 0
            with model.no_sync():
                loss = loss_fn(model(X_train[idx]), y_train[idx]) / accumulation
                loss.backward()
            if last_micro_batch:
                optimizer.step()
                optimizer.zero_grad()
        if rank == 0:
            print(f"epoch {epoch} loss {loss.item():.4f}")

    if rank == 0:
        model.eval()
        with torch.no_grad():
            pred = model(torch.tensor(X_val)).argmax(dim=1).numpy()
        print(f"final_val_metric={balanced_accuracy_score(y_val, pred):.4f}")
    dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(free_port())
    np.random.seed(0)
    mp.start_processes(worker, args=(2,), nprocs=2, join=True, start_method="fork")
