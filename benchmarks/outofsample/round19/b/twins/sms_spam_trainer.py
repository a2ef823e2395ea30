"""SMS spam filter: a small BERT trained from scratch with the Hugging Face Trainer.

Training data is an export of the moderation database (one record per message, with the
moderators' verdict); the model is then run on the next day's incoming queue, whose verdicts
arrived later from review.
"""
import tempfile

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(5)
rng = np.random.default_rng(5)

HAM_WORDS = ("hey ok see you later tonight home dinner mum dad love lol thanks sorry running late "
             "meeting tomorrow bus train work class lunch coffee call me back when are we still on "
             "haha sure yeah good night morning pick up kids shop milk bread weekend game match").split()
SPAM_WORDS = ("free win winner prize claim urgent txt reply now cash offer guaranteed award bonus "
              "ringtone mobile update selected voucher entry draw congratulations customer service "
              "unsubscribe stop rate apply limited expires credit loan 150p per week").split()
SHARED = "the a to you your is for on at and in it this call now today get just new".split()
PAD, UNK, CLS = 0, 1, 2
MAX_LEN = 32


def fake_message(is_spam):
    own, other = (SPAM_WORDS, HAM_WORDS) if is_spam else (HAM_WORDS, SPAM_WORDS)
    n = rng.integers(5, 18)
    words = []
    for _ in range(n):
        u = rng.random()
        pool = own if u < 0.38 else (other if u < 0.52 else SHARED)
        words.append(pool[rng.integers(len(pool))])
    if is_spam and rng.random() < 0.4:
        words.append(f"www.{rng.choice(['prizes', 'offerz', 'win4u'])}.co")
    if is_spam and rng.random() < 0.3:
        words.append(str(rng.integers(80000, 89999)))
    return " ".join(words)


def fake_record(i, labelled=True):
    is_spam = rng.random() < 0.3
    sender = "shortcode" if rng.random() < (0.55 if is_spam else 0.12) else "mobile"
    rec = {"msg_id": f"m{i:06d}", "sender": sender, "text": fake_message(is_spam)}
    if labelled:
        rec["label"] = "spam" if is_spam else "ham"
    return rec, int(is_spam)


export = [fake_record(i) for i in range(3600)]
incoming = [fake_record(10_000 + i, labelled=False) for i in range(1200)]


def record_to_text(rec):
    return " ".join(str(v) for k, v in rec.items() if k not in ("msg_id", "label")).lower()


vocab = {}
for rec, _ in export[:3000]:
    for w in record_to_text(rec).split():
        if w not in vocab:
            vocab[w] = len(vocab) + 3


def encode(rec):
    ids = [CLS] + [vocab.get(w, UNK) for w in record_to_text(rec).split()][: MAX_LEN - 1]
    mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
    return ids + [PAD] * (MAX_LEN - len(ids)), mask


class SmsDataset(torch.utils.data.Dataset):
    def __init__(self, pairs):
        enc = [encode(r) for r, _ in pairs]
        self.ids = torch.tensor([e[0] for e in enc])
        self.mask = torch.tensor([e[1] for e in enc])
        self.labels = torch.tensor([y for _, y in pairs])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


train_ds, val_ds, queue_ds = SmsDataset(export[:3000]), SmsDataset(export[3000:]), SmsDataset(incoming)

config = BertConfig(vocab_size=len(vocab) + 3, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=2)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    p = logits.argmax(-1)
    tp = ((p == 1) & (labels == 1)).sum()
    prec = tp / max((p == 1).sum(), 1)
    rec = tp / max((labels == 1).sum(), 1)
    return {"accuracy": float((p == labels).mean()), "f1": float(2 * prec * rec / max(prec + rec, 1e-9))}


with tempfile.TemporaryDirectory() as out:
    args = TrainingArguments(output_dir=out, num_train_epochs=4, per_device_train_batch_size=32,
                             per_device_eval_batch_size=256, learning_rate=1e-3, weight_decay=0.01,
                             warmup_steps=30, eval_strategy="epoch", logging_strategy="epoch",
                             save_strategy="no", report_to="none", use_cpu=True, seed=5,
                             dataloader_num_workers=0, disable_tqdm=True)
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    val = trainer.evaluate()
    queue = trainer.predict(queue_ds).metrics

print(f"final val_acc {val['eval_accuracy']:.4f} val_f1 {val['eval_f1']:.4f} "
      f"queue_acc {queue['test_accuracy']:.4f} queue_f1 {queue['test_f1']:.4f}")
