"""Contact-centre transcripts: label each diarised turn as agent, customer or IVR prompt.

A small BERT (from config, no download) on the already-tokenised turns, trained with the
HF Trainer: warm-up then linear decay, label smoothing, decoupled weight decay.
"""
import tempfile

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(13)
rng = np.random.default_rng(13)

PAD, CLS, SEP = 0, 1, 2
VOCAB = 700
MAX_LEN = 32
LABELS = ["agent", "customer", "ivr"]

# token id ranges of a toy word-piece vocabulary
shared = np.arange(3, 400)               # function words, numbers, product names
agent_words = np.arange(400, 500)        # "let me check", "is there anything else", ...
customer_words = np.arange(500, 600)     # "I was charged", "my order", ...
ivr_words = np.arange(600, 700)          # "press one", "please hold", ...
own = [agent_words, customer_words, ivr_words]
zipf = 1.0 / np.arange(1, len(shared) + 1) ** 0.9
zipf /= zipf.sum()


def make_turn(label):
    if label == 2:
        length = rng.integers(6, 16)
        p_own = 0.45
    else:
        length = rng.integers(4, MAX_LEN - 2)
        p_own = 0.18
    toks = []
    for _ in range(length):
        r = rng.random()
        if r < p_own:
            toks.append(rng.choice(own[label]))
        elif r < p_own + 0.06:              # words that leak from the other speaker's style
            toks.append(rng.choice(own[rng.integers(0, 3)]))
        else:
            toks.append(rng.choice(shared, p=zipf))
    ids = [CLS] + toks + [SEP]
    mask = [1] * len(ids)
    ids += [PAD] * (MAX_LEN - len(ids))
    mask += [0] * (MAX_LEN - len(mask))
    return ids, mask


class TurnDataset(torch.utils.data.Dataset):
    def __init__(self, n):
        self.labels = rng.choice(3, size=n, p=[0.45, 0.42, 0.13])
        turns = [make_turn(c) for c in self.labels]
        self.ids = torch.tensor([t[0] for t in turns])
        self.mask = torch.tensor([t[1] for t in turns])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i],
                "labels": torch.tensor(int(self.labels[i]))}


train_ds, eval_ds = TurnDataset(2200), TurnDataset(800)

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=3,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    yhat = logits.argmax(-1)
    recalls = [(yhat[labels == c] == c).mean() for c in range(3)]
    return {"accuracy": float((yhat == labels).mean()), "balanced_acc": float(np.mean(recalls))}


with tempfile.TemporaryDirectory() as out_dir:
    args = TrainingArguments(
        output_dir=out_dir,
        num_train_epochs=5,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=1e-3,
        warmup_steps=0.1,
        lr_scheduler_type="linear",
        weight_decay=0.01,
        label_smoothing_factor=0.1,
        eval_strategy="epoch",
        logging_strategy="epoch",
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=13,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()

print(f"FINAL eval_accuracy {metrics['eval_accuracy']:.4f} balanced_acc {metrics['eval_balanced_acc']:.4f} "
      f"eval_loss {metrics['eval_loss']:.4f}")
