"""Banking-assistant intent classifier: a 2-layer BERT trained from scratch with
the Hugging Face Trainer (word-level vocabulary, no download). Label smoothing
0.1, linear warm-up over the first 10% of steps, gradient accumulation x2.
Direction matters ("from savings to checking" vs the reverse), which a bag of
words cannot see.
"""
import os
import random
import tempfile

import numpy as np
import torch
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
random.seed(0)
torch.manual_seed(0)

ACC = ["savings", "checking", "brokerage"]
AMT = ["10", "20", "25", "50", "75", "100", "150", "200", "250", "300", "500", "1000",
       "fifty", "a", "some", "the", "all", "my", "that", "extra"]
PRE = ["", "", "", "hi", "hello", "hey", "ok", "um", "bank", "quick question"]
POST = ["", "", "", "thanks", "thank you", "asap", "today", "tomorrow", "now", "pls"]
MOVE = [
    "please move {m} money from {a} to {b}",
    "transfer {m} dollars from my {a} account to {b}",
    "can you send {m} from {a} into {b}",
    "i want {m} money out of {a} and into {b}",
    "put {m} into my {b} account from {a}",
    "{m} from {a} to {b} please",
]
BAL = ["what is my {a} balance", "how much is in {a}", "show the {a} account balance",
       "balance of my {a} account please", "how much money do i have in {a}"]
CARD = {"lost_card": ["i lost my card", "my card is missing", "cannot find my debit card",
                      "card lost somewhere please help"],
        "block_card": ["block my card now", "please freeze the card", "freeze my debit card",
                       "stop my card please"]}
INTENTS = [f"move_{a}_to_{b}" for a in ACC for b in ACC if a != b] + \
          [f"balance_{a}" for a in ACC] + list(CARD)
LABEL = {k: i for i, k in enumerate(INTENTS)}


def sample():
    text, label = _sample()
    return " ".join(f"{random.choice(PRE)} {text} {random.choice(POST)}".split()), label


def _sample():
    r = random.random()
    if r < 0.6:
        a, b = random.sample(ACC, 2)
        return random.choice(MOVE).format(m=random.choice(AMT), a=a, b=b), LABEL[f"move_{a}_to_{b}"]
    if r < 0.85:
        a = random.choice(ACC)
        return random.choice(BAL).format(a=a), LABEL[f"balance_{a}"]
    k = random.choice(list(CARD))
    return random.choice(CARD[k]), LABEL[k]


train_txt = [sample() for _ in range(6000)]
seen = {t for t, _ in train_txt}
val_txt = [r for r in (sample() for _ in range(1200)) if r[0] not in seen][:800]
words = sorted({w for t, _ in train_txt for w in t.split()})
vocab = {"[PAD]": 0, "[CLS]": 1, "[UNK]": 2, **{w: i + 3 for i, w in enumerate(words)}}
MAXLEN = 20


class IntentData(torch.utils.data.Dataset):
    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        text, label = self.rows[i]
        ids = [1] + [vocab.get(w, 2) for w in text.split()][:MAXLEN - 1]
        return {"input_ids": ids, "labels": label}


def pad_collate(features):
    width = max(len(f["input_ids"]) for f in features)
    ids = torch.tensor([f["input_ids"] + [0] * (width - len(f["input_ids"])) for f in features])
    return {"input_ids": ids, "attention_mask": (ids != 0).long(),
            "labels": torch.tensor([f["labels"] for f in features])}


config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=len(INTENTS),
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(p):
    return {"accuracy": float((np.argmax(p.predictions, -1) == p.label_ids).mean())}


out_dir = tempfile.mkdtemp(prefix="intent_")
args = TrainingArguments(
    output_dir=out_dir, num_train_epochs=8, per_device_train_batch_size=32,
    gradient_accumulation_steps=2, per_device_eval_batch_size=256, learning_rate=2e-3,
    weight_decay=0.01, warmup_steps=0.1, lr_scheduler_type="linear", label_smoothing_factor=0.1,
    eval_strategy="epoch", save_strategy="no", logging_strategy="epoch", report_to="none",
    use_cpu=True, seed=0, dataloader_num_workers=0, disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=IntentData(train_txt),
                  eval_dataset=IntentData(val_txt), data_collator=pad_collate,
                  compute_metrics=compute_metrics)
trainer.train()
for rec in trainer.state.log_history:
    if "eval_accuracy" in rec:
        print(f"epoch {rec['epoch']:.0f}: eval loss {rec['eval_loss']:.4f} eval acc {rec['eval_accuracy']:.4f}")
res = trainer.evaluate()

bow = CountVectorizer(ngram_range=(1, 1)).fit([t for t, _ in train_txt])
lr = LogisticRegression(max_iter=2000).fit(bow.transform([t for t, _ in train_txt]), [l for _, l in train_txt])
base = lr.score(bow.transform([t for t, _ in val_txt]), [l for _, l in val_txt])
print(f"baseline bag-of-words logistic: val acc {base:.4f}")
print(f"final: val acc {res['eval_accuracy']:.4f}")
