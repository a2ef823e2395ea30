"""Decode block-bell messages from a heritage railway's signal-box recorder.

The recorder writes one token per event: a bell beat, a short or long pause, and
"click" events from the line (relay chatter, not beats). Each message is a beat
pattern such as 3-pause-1 ("is line clear for a stopping train?"); the order of the
groups matters (3-1 and 1-3 are different messages). A small BERT trained from scratch
with the Hugging Face Trainer: linear warm-up then decay, label smoothing.
"""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

PAD, CLS, BEAT, SHORT, LONG, CLICK, BOX0 = 0, 1, 2, 3, 4, 5, 6  # BOX0.. box identifiers
N_BOXES = 6
VOCAB = BOX0 + N_BOXES
MAX_LEN = 24
MESSAGES = [(1,), (2,), (3, 1), (1, 3), (2, 2), (4,), (3, 3, 1), (2, 1, 2), (5, 5), (1, 2, 1)]


def record(n, rng):
    ids, labels = [], []
    for _ in range(n):
        lab = int(rng.integers(len(MESSAGES)))
        seq = [CLS, BOX0 + int(rng.integers(N_BOXES))]
        for g, beats in enumerate(MESSAGES[lab]):
            if g:
                seq.append(LONG)
            for b in range(beats):
                if b:
                    seq.append(SHORT)
                if rng.random() > 0.04:  # the pickup misses a light beat now and then
                    seq.append(BEAT)
        # relay clicks land anywhere after the box id; a loud one registers as a beat
        for _ in range(rng.poisson(2.0)):
            tok = BEAT if rng.random() < 0.1 else CLICK
            seq.insert(int(rng.integers(2, len(seq) + 1)), tok)
        seq = seq[:MAX_LEN]
        ids.append(seq + [PAD] * (MAX_LEN - len(seq)))
        labels.append(lab)
    return np.array(ids), np.array(labels)


class BellLog(Dataset):
    def __init__(self, ids, labels):
        self.ids = torch.as_tensor(ids)
        self.labels = torch.as_tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        ids = self.ids[i]
        return {"input_ids": ids, "attention_mask": (ids != PAD).long(), "labels": self.labels[i]}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    rng = np.random.default_rng(17)
    train_ds = BellLog(*record(1600, rng))
    eval_ds = BellLog(*record(500, rng))

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(MESSAGES),
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir=tempfile.mkdtemp(),
        num_train_epochs=8,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=2e-3,
        warmup_steps=40,
        lr_scheduler_type="linear",
        weight_decay=0.01,
        label_smoothing_factor=0.1,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=50,
        report_to=[],
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final: eval accuracy {metrics['eval_accuracy']:.3f}  eval loss {metrics['eval_loss']:.3f}")


if __name__ == "__main__":
    main()
