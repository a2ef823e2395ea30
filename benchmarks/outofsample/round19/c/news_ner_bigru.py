"""Named-entity tagging (BIO: PER / ORG / LOC) of lower-cased news sentences with a BiGRU.

Padding positions carry the label -100 and are ignored by the loss; sentences are packed.
Words are dropped to <unk> at 10% during training so unseen names can be tagged from context.
Early stopping on the validation entity-token F1.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import f1_score
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

TAGS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
PAD_ID, UNK_ID = 0, 1
MAX_LEN = 28


class Vocab:
    def __init__(self):
        self.itos = ["<pad>", "<unk>"]
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    def add(self, w):
        if w not in self.stoi:
            self.stoi[w] = len(self.itos)
            self.itos.append(w)
        return self.stoi[w]


def build_corpus(n, rng, vocab):
    first = [f"fn{i}" for i in range(500)]
    last = [f"ln{i}" for i in range(800)]
    org_head = [f"org{i}" for i in range(400)]
    org_tail = ["corp", "group", "bank", "labs", "holdings", "united"]
    places = [f"city{i}" for i in range(400)]
    shared = [f"amb{i}" for i in range(25)]           # words that are both a town and a company
    filler = [f"w{i}" for i in range(400)]
    patterns = [
        ("{PER} joined {ORG} last {F}", None),
        ("{PER} said on {F} that {ORG} would open an office in {LOC}", None),
        ("shares of {ORG} fell after {PER} left", None),
        ("the mayor of {LOC} met {PER} at {F} {F}", None),
        ("{ORG} announced {F} {F} results in {LOC}", None),
        ("{F} {F} in {LOC} was delayed , {PER} told reporters", None),
    ]

    def person():
        toks = [str(rng.choice(first))] + ([str(rng.choice(last))] if rng.random() < 0.8 else [])
        return toks, ["B-PER"] + ["I-PER"] * (len(toks) - 1)

    def org():
        head = str(rng.choice(shared)) if rng.random() < 0.25 else str(rng.choice(org_head))
        toks = [head] + ([str(rng.choice(org_tail))] if rng.random() < 0.5 else [])
        return toks, ["B-ORG"] + ["I-ORG"] * (len(toks) - 1)

    def loc():
        head = str(rng.choice(shared)) if rng.random() < 0.25 else str(rng.choice(places))
        toks = [head] + (["city"] if rng.random() < 0.2 else [])
        return toks, ["B-LOC"] + ["I-LOC"] * (len(toks) - 1)

    sents = []
    for _ in range(n):
        pat, _ = patterns[rng.integers(len(patterns))]
        words, tags = [], []
        for piece in pat.split():
            if piece == "{PER}":
                w, t = person()
            elif piece == "{ORG}":
                w, t = org()
            elif piece == "{LOC}":
                w, t = loc()
            elif piece == "{F}":
                w, t = [str(rng.choice(filler))], ["O"]
            else:
                w, t = [piece], ["O"]
            words += w
            tags += t
        # a few extra filler words before or after the clause
        pre = [str(w) for w in rng.choice(filler, size=rng.integers(0, 4))]
        words, tags = pre + words, ["O"] * len(pre) + tags
        sents.append((words[:MAX_LEN], tags[:MAX_LEN]))
    return sents


def encode(sents, vocab, grow):
    ids = torch.zeros(len(sents), MAX_LEN, dtype=torch.long)
    labels = torch.full((len(sents), MAX_LEN), -100, dtype=torch.long)
    lengths = torch.zeros(len(sents), dtype=torch.long)
    for i, (words, tags) in enumerate(sents):
        for j, (w, t) in enumerate(zip(words, tags)):
            ids[i, j] = vocab.add(w) if grow else vocab.stoi.get(w, UNK_ID)
            labels[i, j] = TAGS.index(t)
        lengths[i] = len(words)
    return ids, labels, lengths


class BiGRUTagger(nn.Module):
    def __init__(self, vocab_size, n_tags, emb_dim=64, hidden=64):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, emb_dim, padding_idx=PAD_ID)
        self.drop = nn.Dropout(0.25)
        self.gru = nn.GRU(emb_dim, hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, n_tags)

    def forward(self, ids, lengths):
        x = self.drop(self.emb(ids))
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        h, _ = self.gru(packed)
        h, _ = pad_packed_sequence(h, batch_first=True, total_length=ids.shape[1])
        return self.out(self.drop(h))


@torch.no_grad()
def entity_f1(model, ids, labels, lengths):
    model.eval()
    pred = model(ids, lengths).argmax(-1)
    mask = labels != -100
    y, p = labels[mask].numpy(), pred[mask].numpy()
    return f1_score(y, p, labels=list(range(1, len(TAGS))), average="micro")


def main():
    torch.manual_seed(9)
    rng = np.random.default_rng(9)
    vocab = Vocab()
    train_ids, train_lab, train_len = encode(build_corpus(3000, rng, vocab), vocab, grow=True)
    val_ids, val_lab, val_len = encode(build_corpus(600, rng, vocab), vocab, grow=False)

    model = BiGRUTagger(len(vocab.itos), len(TAGS))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    criterion = nn.CrossEntropyLoss(ignore_index=-100)
    batch_size, max_epochs, patience = 32, 12, 2
    best_f1, best_state, bad_epochs = -1.0, None, 0

    for epoch in range(max_epochs):
        model.train()
        perm = torch.randperm(len(train_ids))
        for i in range(0, len(perm), batch_size):
            idx = perm[i:i + batch_size]
            ids = train_ids[idx]
            ids = ids.masked_fill((torch.rand(ids.shape) < 0.1) & (ids != PAD_ID), UNK_ID)
            logits = model(ids, train_len[idx])
            loss = criterion(logits.reshape(-1, len(TAGS)), train_lab[idx].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
        f1 = entity_f1(model, val_ids, val_lab, val_len)
        print(f"epoch {epoch + 1:2d}  last batch loss {loss.item():.4f}  val entity F1 {f1:.4f}")
        if f1 > best_f1 + 1e-4:
            best_f1, best_state, bad_epochs = f1, copy.deepcopy(model.state_dict()), 0
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                print(f"early stop after epoch {epoch + 1}")
                break

    model.load_state_dict(best_state)
    print(f"final val entity-token F1 {entity_f1(model, val_ids, val_lab, val_len):.4f}")


if __name__ == "__main__":
    main()
