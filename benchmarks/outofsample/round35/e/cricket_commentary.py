"""Cricket ball-by-ball commentary: classify each delivery's outcome from the text.

A small BERT (built from a config, no download) under the Hugging Face Trainer, with the
usual fine-tuning recipe: linear warm-up then linear decay, label smoothing, weight decay
and the Trainer's default gradient-norm clipping.
"""
import random

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

SEED = 17
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

LABELS = ["dot", "runs", "boundary", "wicket", "extra"]
BOWLERS = ["Anand", "Brook", "Cole", "Dar", "Evans", "Fyfe", "Gill", "Hart"]
BATTERS = ["Ives", "Jai", "Khan", "Lowe", "Mir", "Nash", "Oke", "Pugh"]
LENGTHS = ["full", "short", "good length", "back of a length", "yorker", "half-volley", "bouncer"]
LINES = ["outside off", "on the pads", "at the stumps", "wide of off", "down leg"]
SHOTS = ["drives", "cuts", "pulls", "flicks", "defends", "leaves", "nudges", "sweeps", "edges"]
PLACES = ["to cover", "to point", "to midwicket", "to fine leg", "to mid-on", "to third man", "to gully"]
OUTCOME = {
    "dot": ["straight to the fielder , no run", "beaten , no run", "well stopped , dot ball", "no run , tight"],
    "runs": ["they run two", "quick single", "they come back for three", "easy single taken", "two more"],
    "boundary": ["races away for four", "that is six !", "beats the fielder , four", "over the rope for six"],
    "wicket": ["and he is out , caught", "bowled him !", "lbw , given out", "run out , direct hit", "taken at slip , out"],
    "extra": ["called wide", "no ball , free hit", "leg byes , one", "byes , they scamper one"],
}
FILLER = ["lovely", "shot", "from", "the", "end", "crowd", "loving", "it", "pressure", "building", "over", "ball"]


def delivery(label):
    words = [random.choice(BOWLERS), "to", random.choice(BATTERS), ",", random.choice(LENGTHS),
             random.choice(LINES), ",", random.choice(SHOTS), random.choice(PLACES), ","]
    if random.random() < 0.12:                        # the feed cut to the replay before the outcome
        words += ["and", "we", "go", "to", "the", "replay"]
    else:
        words += random.choice(OUTCOME[LABELS[label]]).split()
    if random.random() < 0.5:
        words += random.sample(FILLER, random.randint(1, 4))
    if random.random() < 0.2 and label != 3:          # commentators love a near-miss
        words += ["nearly", "out", "there"]
    return " ".join(words).replace("good length", "good_length").replace("back of a length", "back_of_a_length")


n = 3000
y = np.random.choice(len(LABELS), size=n, p=[0.38, 0.3, 0.14, 0.08, 0.1])
texts = [delivery(l) for l in y]
vocab = {"[PAD]": 0, "[CLS]": 1, "[SEP]": 2, "[UNK]": 3}
for t in texts[:2400]:
    for w in t.split():
        vocab.setdefault(w, len(vocab))
MAXLEN = 32


def encode(t):
    ids = [1] + [vocab.get(w, 3) for w in t.split()][: MAXLEN - 2] + [2]
    mask = [1] * len(ids) + [0] * (MAXLEN - len(ids))
    return ids + [0] * (MAXLEN - len(ids)), mask


class Commentary(torch.utils.data.Dataset):
    def __init__(self, texts, labels):
        enc = [encode(t) for t in texts]
        self.ids = torch.tensor([e[0] for e in enc])
        self.mask = torch.tensor([e[1] for e in enc])
        self.labels = torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


train_ds = Commentary(texts[:2400], y[:2400])
val_ds = Commentary(texts[2400:], y[2400:])

config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=len(LABELS))
model = BertForSequenceClassification(config)


def compute_metrics(p):
    preds = p.predictions.argmax(-1)
    recalls = [(preds[p.label_ids == c] == c).mean() for c in range(len(LABELS))]
    return {"accuracy": float((preds == p.label_ids).mean()), "balanced_accuracy": float(np.mean(recalls))}


args = TrainingArguments(
    output_dir="/tmp/cricket_bert", num_train_epochs=8, per_device_train_batch_size=32,
    per_device_eval_batch_size=128, learning_rate=1e-3, warmup_steps=0.1, lr_scheduler_type="linear",
    weight_decay=0.01, label_smoothing_factor=0.1, eval_strategy="epoch", logging_steps=25,
    save_strategy="no", report_to="none", use_cpu=True, seed=SEED, disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds, compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"FINAL val accuracy {metrics['eval_accuracy']:.3f}, balanced accuracy {metrics['eval_balanced_accuracy']:.3f} (majority {np.mean(y[2400:] == 0):.3f})")
