"""Canal-tunnel inspection notes: route each logged note to a defect category.

Inspectors walk the tunnel from the towpath and dictate short notes per ring.
A small BERT trained from scratch on a word vocabulary of the notes, with the
Hugging Face Trainer. Categories: clear, spalling, water ingress, brick loss,
ventilation.
"""
import random

import numpy as np
import torch
from torch import nn
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed
from transformers.modeling_outputs import SequenceClassifierOutput

CATEGORIES = ["clear", "spalling", "water_ingress", "brick_loss", "ventilation"]
MAX_LEN = 24

PLACES = ["crown", "haunch", "invert", "sidewall", "portal", "shaft", "towpath", "soffit", "ring", "arch"]
SIDES = ["north", "south", "east", "west", "offside", "towpath side", "left", "right"]
FILLER = ["noted", "at", "near", "around", "approx", "observed", "in", "on", "the", "ring", "chainage", "m",
          "see", "photo", "from", "boat", "light", "poor", "good", "since", "last", "visit"]
CUES = {
    "clear": ["sound", "no defects", "clean", "dry", "pointing intact", "no change", "satisfactory"],
    "spalling": ["spalled", "flaking", "face loss", "delaminated", "spall", "render loose", "hollow sounding"],
    "water_ingress": ["seepage", "dripping", "wet patch", "calcite", "running water", "leaching", "damp"],
    "brick_loss": ["missing bricks", "brick out", "void", "dropped brick", "bricks fallen", "hole", "loose bricks"],
    "ventilation": ["stale air", "fumes", "shaft blocked", "grille", "airflow", "diesel smell", "fan"],
}


def make_note(label, rng):
    words = [rng.choice(PLACES), rng.choice(SIDES)]
    cues = CUES[CATEGORIES[label]]
    n_cue = rng.choice([1, 1, 2])
    for _ in range(n_cue):
        words += rng.choice(cues).split()
    if rng.random() < 0.5:                        # a second, minor observation from another category
        other = rng.choice([c for c in range(1, len(CATEGORIES)) if c != label])
        words += (["minor"] if rng.random() < 0.7 else []) + rng.choice(CUES[CATEGORIES[other]]).split()
    if label != 0 and rng.random() < 0.2:
        words = ["no"] + rng.choice(CUES["clear"]).split()[:1] + words
    words += [rng.choice(FILLER) for _ in range(rng.randint(2, 8))]
    rng.shuffle(words[:4])
    return words


def build_vocab():
    vocab = {"[PAD]": 0, "[CLS]": 1, "[UNK]": 2}
    for w in PLACES + SIDES + FILLER + ["minor", "no"] + [t for c in CUES.values() for p in c for t in p.split()]:
        for t in w.split():
            vocab.setdefault(t, len(vocab))
    return vocab


class NotesDataset(torch.utils.data.Dataset):
    def __init__(self, n, vocab, seed):
        rng = random.Random(seed)
        self.rows = []
        for _ in range(n):
            label = rng.choices(range(len(CATEGORIES)), weights=[0.3, 0.2, 0.2, 0.15, 0.15])[0]
            ids = [1] + [vocab.get(w, 2) for w in make_note(label, rng)][: MAX_LEN - 1]
            if rng.random() < 0.06:                   # inspector filed it under the wrong heading
                label = rng.randrange(len(CATEGORIES))
            mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
            self.rows.append((ids + [0] * (MAX_LEN - len(ids)), mask, label))

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        ids, mask, label = self.rows[i]
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask), "labels": torch.tensor(label)}


class NoteClassifier(nn.Module):
    def __init__(self, config, num_labels):
        super().__init__()
        self.bert = BertModel(config, add_pooling_layer=False)
        self.head = nn.Sequential(
            nn.Dropout(config.hidden_dropout_prob),
            nn.Linear(config.hidden_size, num_labels),
        )
        self.loss_fct = nn.CrossEntropyLoss()

    def forward(self, input_ids, attention_mask=None, labels=None):
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        logits = self.head(hidden[:, 0])
        loss = self.loss_fct(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    f1s = []
    for c in range(len(CATEGORIES)):
        tp = np.sum((pred == c) & (labels == c))
        prec = tp / max(np.sum(pred == c), 1)
        rec = tp / max(np.sum(labels == c), 1)
        f1s.append(0.0 if tp == 0 else 2 * prec * rec / (prec + rec))
    return {"accuracy": float((pred == labels).mean()), "macro_f1": float(np.mean(f1s))}


def main():
    set_seed(5)
    vocab = build_vocab()
    train_ds = NotesDataset(1500, vocab, seed=1)
    eval_ds = NotesDataset(500, vocab, seed=2)

    config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=128, max_position_embeddings=MAX_LEN, type_vocab_size=1)
    model = NoteClassifier(config, len(CATEGORIES))

    args = TrainingArguments(
        output_dir="/tmp/canal_tunnel_notes",
        num_train_epochs=3,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=1e-3,
        warmup_steps=25,
        weight_decay=0.01,
        eval_strategy="epoch",
        logging_steps=20,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=5,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    m = trainer.evaluate()
    print(f"final eval_loss {m['eval_loss']:.4f}  accuracy {m['eval_accuracy']:.4f}  macro_f1 {m['eval_macro_f1']:.4f}")


if __name__ == "__main__":
    main()
