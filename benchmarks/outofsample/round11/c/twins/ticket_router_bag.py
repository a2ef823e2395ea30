"""Route customer-support tickets to one of five queues from their token ids.

In the style of the PyTorch text-classification tutorial: variable-length token lists are
concatenated with offsets and pooled by an EmbeddingBag, followed by a small tanh MLP.
Tickets are synthetic: Zipfian background vocabulary plus queue-specific terms.
"""
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

torch.manual_seed(21)
np.random.seed(21)
torch.set_num_threads(1)

VOCAB, N_QUEUES = 3000, 5


def make_tickets(n, rng):
    ranks = np.arange(1, VOCAB + 1)
    background = 1.0 / ranks ** 1.05
    background /= background.sum()
    topical = []
    for q in range(N_QUEUES):
        words = rng.choice(np.arange(200, VOCAB), size=60, replace=False)
        p = np.zeros(VOCAB)
        p[words] = rng.dirichlet(np.ones(60))
        topical.append(p)
    docs, labels = [], []
    for _ in range(n):
        q = rng.integers(N_QUEUES)
        length = rng.integers(80, 320)
        mix = 0.88 * background + 0.12 * topical[q]
        docs.append(rng.choice(VOCAB, size=length, p=mix))
        labels.append(q)
    return docs, np.array(labels)


rng = np.random.default_rng(21)
docs, labels = make_tickets(3500, rng)
train_data = list(zip(labels[:2800], docs[:2800]))
valid_data = list(zip(labels[2800:], docs[2800:]))


def collate_batch(batch):
    label_list, text_list, offsets = [], [], [0]
    for label, toks in batch:
        label_list.append(int(label))
        t = torch.as_tensor(toks, dtype=torch.int64)
        text_list.append(t)
        offsets.append(t.size(0))
    labels_t = torch.tensor(label_list, dtype=torch.int64)
    offsets_t = torch.tensor(offsets[:-1]).cumsum(dim=0)
    return labels_t, torch.cat(text_list), offsets_t


class TicketClassifier(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden, num_class):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode="mean")
        self.hidden = nn.Linear(embed_dim, hidden)
        self.act = nn.Tanh()
        self.fc = nn.Linear(hidden, num_class)

    def forward(self, text, offsets):
        return self.fc(self.act(self.hidden(self.embedding(text, offsets))))


model = TicketClassifier(VOCAB, 64, 64, N_QUEUES)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 3, gamma=0.3)

train_dataloader = DataLoader(train_data, batch_size=32, shuffle=True, collate_fn=collate_batch)
valid_dataloader = DataLoader(valid_data, batch_size=256, shuffle=False, collate_fn=collate_batch)


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
    total_acc, total_count = 0, 0
    with torch.no_grad():
        for label, text, offsets in dataloader:
            predicted_label = model(text, offsets)
            total_acc += (predicted_label.argmax(1) == label).sum().item()
            total_count += label.size(0)
    return total_acc / total_count


EPOCHS = 8
for epoch in range(1, EPOCHS + 1):
    t0 = time.time()
    train_acc = train(train_dataloader)
    accu_val = evaluate(valid_dataloader)
    scheduler.step()
    print(f"| end of epoch {epoch:2d} | time {time.time() - t0:5.2f}s | "
          f"train acc {train_acc:.3f} | valid accuracy {accu_val:8.3f}")

print(f"final valid accuracy {accu_val:.4f}")
