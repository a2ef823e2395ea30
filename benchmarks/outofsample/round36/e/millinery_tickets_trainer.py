"""Route hat-blocking workshop job tickets to the right bench.

Tickets are short free-text notes typed at the counter ("felt fedora crown steam reblock 57cm
brim curled ..."). Four benches: reblock, brim repair, trim/band, full new build. A small BERT
(from config, no download) is trained from scratch with the HF Trainer: linear warm-up then
decay, label smoothing, weight decay, grad-norm clipping (Trainer default 1.0).
"""
import os
import random

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
SEED = 7
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

BENCHES = ["reblock", "brim", "trim", "newbuild"]
SHARED = ("please customer says ready by friday urgent hat felt straw panama fedora trilby cloche "
          "boater homburg size cm black grey navy brown cream wool rabbit beaver sinamay kept "
          "wedding race day gift old father grandmother collect phone deposit paid").split()
CUES = {
    "reblock": "reblock steam crown block shape dent pinch teardrop shrunk stretch sizing tight loose".split(),
    "brim": "brim edge curl flange wired cracked flat snap bound binding droop wave".split(),
    "trim": "band ribbon grosgrain feather bow pin trim hatband sweatband lining replace stitch".split(),
    "newbuild": "new build bespoke measure pattern order blank custom design sketch from scratch".split(),
}
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + sorted(set(SHARED) | {w for v in CUES.values() for w in v}
                                                      | {str(s) for s in range(53, 63)})
IDX = {w: i for i, w in enumerate(VOCAB)}
MAXLEN = 28


def make_ticket(label):
    n = random.randint(8, 22)
    words = []
    # most tickets mention two or three cue words of their bench, some also mention another bench's
    n_cue = random.choice([1, 2, 2, 3])
    words += random.sample(CUES[BENCHES[label]], n_cue)
    if random.random() < 0.35:
        other = random.choice([b for b in BENCHES if b != BENCHES[label]])
        words += random.sample(CUES[other], 1)
    words += [str(random.randint(53, 62))] if random.random() < 0.6 else []
    words += random.choices(SHARED, k=max(0, n - len(words)))
    random.shuffle(words)
    return words


def encode(words):
    ids = [IDX["[CLS]"]] + [IDX.get(w, 1) for w in words][: MAXLEN - 2] + [IDX["[SEP]"]]
    att = [1] * len(ids) + [0] * (MAXLEN - len(ids))
    return ids + [0] * (MAXLEN - len(ids)), att


class Tickets(torch.utils.data.Dataset):
    def __init__(self, n, mix):
        self.rows = []
        for _ in range(n):
            label = int(np.random.choice(4, p=mix))
            ids, att = encode(make_ticket(label))
            self.rows.append((ids, att, label))

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        ids, att, label = self.rows[i]
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(att),
                "labels": torch.tensor(label)}


mix = [0.38, 0.27, 0.25, 0.10]
train_ds, val_ds = Tickets(1800, mix), Tickets(450, mix)

config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=4,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    yhat = logits.argmax(-1)
    acc = float((yhat == labels).mean())
    recalls = [float((yhat[labels == c] == c).mean()) for c in range(4)]
    return {"accuracy": acc, "balanced_accuracy": float(np.mean(recalls))}


args = TrainingArguments(
    output_dir="/tmp/millinery_trainer_out",
    num_train_epochs=6,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=1e-3,
    warmup_steps=34,
    lr_scheduler_type="linear",
    weight_decay=0.01,
    label_smoothing_factor=0.1,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=20,
    report_to=[],
    seed=SEED,
    use_cpu=True,
    dataloader_num_workers=0,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
res = trainer.evaluate()
print(f"final val accuracy {res['eval_accuracy']:.3f} balanced {res['eval_balanced_accuracy']:.3f} "
      f"(majority share {max(mix):.2f})")
