"""Colony status from beekeepers' inspection notes.

Short free-text notes from hive inspections are tokenised and classified into the status the
inspector filed (queenright / queenless / swarm preparation / brood disease), in the style of
PyTorch's text-classification tutorial (EmbeddingBag over a flat token stream with offsets).
Notes are generated from a seeded vocabulary model.
"""
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

STATUSES = ["queenright", "queenless", "swarm_prep", "brood_disease"]

COMMON = ("frames brood honey stores pollen bees calm inspected super box added removed "
          "checked weather warm cool light nectar flow syrup feeder entrance reduced drawn comb "
          "foundation varroa count mites board sticky low moderate smoke gentle lid strap "
          "apiary north south east west row hive colony cluster workers drones capped uncapped "
          "larvae eggs cells frame seven eight nine ten eleven spots sealed open patchy good "
          "fair weak strong heavy light propolis wax moths beetles none seen today again").split()
KEYS = {
    0: "queen seen marked laying eggs tidy pattern solid brood young larvae calm temper "
       "productive settled good_laying".split(),
    1: "no_eggs no_queen roaring queenless laying_workers emergency cells drone_brood "
       "multiple_eggs agitated no_young_larvae test_frame".split(),
    2: "swarm cells charged queen_cups backfilled crowded congested bearding clipped "
       "split nuc artificial_swarm demaree".split(),
    3: "sunken cappings perforated ropey sour smell chalk mummies sacbrood pepperpot "
       "discoloured larvae lateral_flow sample sent inspector".split(),
}


def build_vocab():
    words = sorted(set(COMMON) | {w for ks in KEYS.values() for w in ks})
    return {w: i + 1 for i, w in enumerate(words)}     # 0 = <unk>


def make_notes(n, rng):
    shares = np.array([0.46, 0.17, 0.22, 0.15])
    labels = rng.choice(4, size=n, p=shares)
    notes = []
    for lab in labels:
        length = rng.integers(10, 36)
        n_key = rng.binomial(length, 0.16)
        words = list(rng.choice(COMMON, length - n_key))
        # keywords of the filed status, plus some cross-talk from other statuses
        for _ in range(n_key):
            src = lab if rng.random() < 0.72 else rng.integers(0, 4)
            words.append(rng.choice(KEYS[src]))
        rng.shuffle(words)
        notes.append(" ".join(words))
    return notes, labels


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        embedded = self.embedding(text, offsets)
        return self.fc(embedded)


def main():
    torch.manual_seed(11)
    rng = np.random.default_rng(11)
    vocab = build_vocab()
    notes, labels = make_notes(4000, rng)
    data = list(zip(labels.tolist(), notes))
    train_data, valid_data, test_data = data[:2800], data[2800:3400], data[3400:]

    def text_pipeline(s):
        return [vocab.get(w, 0) for w in s.split()]

    def collate_batch(batch):
        label_list, text_list, offsets = [], [], [0]
        for _label, _text in batch:
            label_list.append(_label)
            processed_text = torch.tensor(text_pipeline(_text), dtype=torch.int64)
            text_list.append(processed_text)
            offsets.append(processed_text.size(0))
        label_list = torch.tensor(label_list, dtype=torch.int64)
        offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
        text_list = torch.cat(text_list)
        return label_list, text_list, offsets

    BATCH_SIZE = 32
    EPOCHS = 8
    LR = 2.0

    model = TextClassificationModel(len(vocab) + 1, 48, len(STATUSES))
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.7)

    train_dataloader = DataLoader(train_data, batch_size=BATCH_SIZE, shuffle=True,
                                  collate_fn=collate_batch)
    valid_dataloader = DataLoader(valid_data, batch_size=BATCH_SIZE, shuffle=False,
                                  collate_fn=collate_batch)
    test_dataloader = DataLoader(test_data, batch_size=BATCH_SIZE, shuffle=False,
                                 collate_fn=collate_batch)

    def train(dataloader, epoch):
        model.train()
        total_acc, total_count = 0, 0
        log_interval = 40
        start_time = time.time()
        for idx, (label, text, offsets) in enumerate(dataloader):
            optimizer.zero_grad()
            predicted_label = model(text, offsets)
            loss = criterion(predicted_label, label)
            loss.backward()
            optimizer.step()
            total_acc += (predicted_label.argmax(1) == label).sum().item()
            total_count += label.size(0)
            if idx % log_interval == 0 and idx > 0:
                elapsed = time.time() - start_time
                print(f"| epoch {epoch:3d} | {idx:5d}/{len(dataloader):5d} batches "
                      f"| accuracy {total_acc / total_count:8.3f} | loss {loss.item():8.3f}")
                total_acc, total_count = 0, 0
                start_time = time.time()

    def evaluate(dataloader):
        model.eval()
        total_acc, total_count = 0, 0
        with torch.no_grad():
            for idx, (label, text, offsets) in enumerate(dataloader):
                predicted_label = model(text, offsets)
                total_acc += (predicted_label.argmax(1) == label).sum().item()
                total_count += label.size(0)
        return total_acc / total_count

    total_accu = None
    for epoch in range(1, EPOCHS + 1):
        epoch_start_time = time.time()
        train(train_dataloader, epoch)
        accu_val = evaluate(valid_dataloader)
        if total_accu is not None and total_accu > accu_val:
            scheduler.step()
        else:
            total_accu = accu_val
        print("-" * 59)
        print(f"| end of epoch {epoch:3d} | time: {time.time() - epoch_start_time:5.2f}s | "
              f"valid accuracy {accu_val:8.3f} ")
        print("-" * 59)

    print(f"test accuracy {evaluate(test_dataloader):8.3f}")


if __name__ == "__main__":
    main()
