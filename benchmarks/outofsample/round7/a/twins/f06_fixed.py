"""Topic classification of generated support tickets with an EmbeddingBag model,
following the PyTorch text-classification tutorial (offsets + EmbeddingBag,
SGD with a large LR, StepLR that halves the LR every 3 epochs).

Tickets are drawn from a topic model: 4 topics (billing, outage, account, shipping)
over a 3000-word Zipfian vocabulary with shared background words.
"""
import time

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(42)
rng = np.random.default_rng(42)

VOCAB, N_TOPICS = 3000, 4
LABELS = ["billing", "outage", "account", "shipping"]
background = 1.0 / np.arange(1, VOCAB + 1) ** 1.05
background /= background.sum()
topic_dists = []
for k in range(N_TOPICS):
    boost = np.zeros(VOCAB)
    words = rng.choice(np.arange(50, VOCAB), size=120, replace=False)
    boost[words] = rng.gamma(0.6, 1.0, size=120)
    d = 0.8 * background + 0.2 * boost / boost.sum()
    topic_dists.append(d / d.sum())


def make_tickets(n):
    labels = rng.integers(0, N_TOPICS, n)
    docs = [rng.choice(VOCAB, size=rng.integers(15, 60), p=topic_dists[k]) for k in labels]
    return docs, labels


class TicketDataset(Dataset):
    def __init__(self, n):
        self.docs, self.labels = make_tickets(n)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return int(self.labels[i]), self.docs[i]


def collate_batch(batch):
    label_list, text_list, offsets = [], [], [0]
    for label, tokens in batch:
        label_list.append(label)
        t = torch.tensor(tokens, dtype=torch.int64)
        text_list.append(t)
        offsets.append(t.size(0))
    return (torch.tensor(label_list, dtype=torch.int64), torch.cat(text_list),
            torch.tensor(offsets[:-1]).cumsum(dim=0))


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        return self.fc(self.embedding(text, offsets))


EPOCHS, LR, BATCH_SIZE = 10, 5.0, 64
train_dl = DataLoader(TicketDataset(8000), batch_size=BATCH_SIZE, shuffle=True, collate_fn=collate_batch)
valid_dl = DataLoader(TicketDataset(2000), batch_size=BATCH_SIZE, shuffle=False, collate_fn=collate_batch)

model = TextClassificationModel(VOCAB, 64, N_TOPICS)
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=LR)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)


def train(dataloader):
    model.train()
    total_acc, total_count = 0, 0
    for label, text, offsets in dataloader:
        optimizer.zero_grad()
        predicted_label = model(text, offsets)
        loss = criterion(predicted_label, label)
        loss.backward()
        optimizer.step()
        total_acc += (predicted_label.argmax(1) == label).sum().item()
        total_count += label.size(0)
    return total_acc / total_count


def evaluate(dataloader):
    model.eval()
    total_acc, total_count, total_loss = 0, 0, 0.0
    with torch.no_grad():
        for label, text, offsets in dataloader:
            predicted_label = model(text, offsets)
            total_loss += criterion(predicted_label, label).item() * label.size(0)
            total_acc += (predicted_label.argmax(1) == label).sum().item()
            total_count += label.size(0)
    return total_acc / total_count, total_loss / total_count


for epoch in range(1, EPOCHS + 1):
    epoch_start_time = time.time()
    train_acc = train(train_dl)
    accu_val, loss_val = evaluate(valid_dl)
    scheduler.step()
    print("-" * 59)
    print(f"| end of epoch {epoch:3d} | time: {time.time() - epoch_start_time:5.2f}s | lr {scheduler.get_last_lr()[0]:.2e} "
          f"| train acc {train_acc:8.3f} | valid accuracy {accu_val:8.3f} ")
print("-" * 59)
print(f"final val_acc={accu_val:.4f} val_loss={loss_val:.4f}")
