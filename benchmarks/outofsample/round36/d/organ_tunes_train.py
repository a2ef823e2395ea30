"""Dance genre of barrel-organ tunes from their punched note rolls.

A restorer's archive of barrel-organ / book-organ tunes, transcribed as note events
(pitch class x duration). Four dance genres: waltz, polka, march, mazurka. We fine-tune
a tiny BERT-style encoder trained from scratch with the Hugging Face Trainer and a mean-pooled
classification head.
"""
import math

import numpy as np
import torch
from torch import nn
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed
from transformers.modeling_outputs import SequenceClassifierOutput

GENRES = ["waltz", "polka", "march", "mazurka"]
N_PITCH, N_DUR = 12, 4            # pitch classes x {8th, quarter, dotted quarter, half}
PAD, CLS, BAR = 0, 1, 2
OFFSET = 3
VOCAB = OFFSET + N_PITCH * N_DUR
MAX_LEN = 48


def genre_chains(rng):
    """Per-genre Markov statistics: pitch transitions and bar rhythm patterns."""
    chains = []
    rhythms = {
        0: [[1, 1, 1], [3, 0], [1, 1, 1], [2, 0, 0]],          # waltz: 3/4, long-short
        1: [[0, 0, 1], [0, 0, 0, 0], [1, 1], [0, 0, 1]],       # polka: 2/4, quick pairs
        2: [[1, 1, 1, 1], [2, 1, 1], [1, 0, 0, 1, 1], [3, 1]], # march: 4/4 steady
        3: [[2, 0, 1], [0, 0, 1, 1], [1, 2], [2, 0, 1]],       # mazurka: 3/4, dotted first beat
    }
    for g in range(4):
        T = rng.dirichlet(np.full(N_PITCH, 0.4), size=N_PITCH)
        chains.append((T, rhythms[g]))
    return chains


def make_tunes(n, chains, rng):
    ids = np.zeros((n, MAX_LEN), dtype=np.int64)
    mask = np.zeros((n, MAX_LEN), dtype=np.int64)
    y = rng.integers(0, 4, n)
    for i in range(n):
        T, rh = chains[y[i]]
        # transcription noise: some bars borrowed from other dances
        p = int(rng.integers(N_PITCH))
        seq = [CLS]
        n_bars = int(rng.integers(5, 11))
        for _ in range(n_bars):
            pattern = rh[rng.integers(len(rh))] if rng.random() > 0.35 else chains[rng.integers(4)][1][rng.integers(4)]
            for d in pattern:
                p = int(rng.choice(N_PITCH, p=T[p])) if rng.random() > 0.3 else int(rng.integers(N_PITCH))
                seq.append(OFFSET + p * N_DUR + d)
            seq.append(BAR)
        seq = seq[:MAX_LEN]
        ids[i, :len(seq)] = seq
        mask[i, :len(seq)] = 1
    return ids, mask, y


class TuneSet(torch.utils.data.Dataset):
    def __init__(self, ids, mask, y):
        self.ids, self.mask, self.y = torch.tensor(ids), torch.tensor(mask), torch.tensor(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.y[i]}


class TuneClassifier(nn.Module):
    def __init__(self, config, n_classes):
        super().__init__()
        self.encoder = BertModel(config, add_pooling_layer=False)
        self.norm = nn.LayerNorm(config.hidden_size)
        self.classifier = nn.Linear(config.hidden_size, n_classes)
        nn.init.normal_(self.classifier.weight, std=config.hidden_size ** 0.5)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, input_ids, attention_mask, labels=None):
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).float()
        pooled = self.norm((h * m).sum(1) / m.sum(1))
        logits = self.classifier(pooled)
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(7)
    rng = np.random.default_rng(7)
    chains = genre_chains(rng)
    train = TuneSet(*make_tunes(1600, chains, rng))
    val = TuneSet(*make_tunes(500, chains, rng))

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=1, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAX_LEN, pad_token_id=PAD)
    model = TuneClassifier(config, len(GENRES))

    args = TrainingArguments(
        output_dir="/tmp/organ_tunes_out",
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        num_train_epochs=2,
        learning_rate=1e-3,
        warmup_steps=20,
        weight_decay=0.01,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=25,
        report_to="none",
        use_cpu=True,
        seed=7,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=val,
                      compute_metrics=compute_metrics)
    trainer.train()
    res = trainer.evaluate()
    print(f"final val_loss {res['eval_loss']:.4f} val_acc {res['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
