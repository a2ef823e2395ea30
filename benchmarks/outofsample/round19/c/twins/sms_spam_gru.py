"""SMS spam filter: a GRU over word ids, trained with the HF Trainer."""
import tempfile

import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import accuracy_score, f1_score
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed

SEQ_LEN = 24
PAD = 0
VOCAB = 160
# call-to-action words and what follows them in template spam ("txt STOP", "claim prize", ...)
CUE_A = list(range(1, 13))
CUE_B = list(range(13, 25))
FILLER = np.arange(25, VOCAB)


def make_messages(n, rng):
    ids = np.zeros((n, SEQ_LEN), dtype=np.int64)
    labels = (rng.random(n) < 0.4).astype(np.int64)
    zipf = 1.0 / np.arange(1, len(FILLER) + 1) ** 0.9
    zipf /= zipf.sum()
    for i in range(n):
        length = rng.integers(10, SEQ_LEN + 1)
        msg = list(rng.choice(FILLER, size=length, p=zipf))
        k = rng.integers(0, len(CUE_A))
        a, b = CUE_A[k], CUE_B[k]
        if labels[i] == 1 or rng.random() < 0.02:
            pos = rng.integers(0, length - 1)
            msg[pos], msg[pos + 1] = a, b
        else:
            # the same words occur in ordinary texts, just not as the template phrase
            pa, pb = sorted(rng.choice(length, size=2, replace=False))
            if pb - pa < 2 and pb + 2 < length:
                pb += 2
            elif pb - pa < 2:
                pa = max(pa - 2, 0)
            if rng.random() < 0.5:
                pa, pb = pb, pa
            msg[pa], msg[pb] = a, b
        ids[i, :length] = msg
    return ids, labels


class SmsDataset(Dataset):
    def __init__(self, ids, labels):
        self.ids = torch.from_numpy(ids)
        self.labels = torch.from_numpy(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "labels": self.labels[i]}


class SpamGRU(nn.Module):
    def __init__(self, vocab_size, emb_dim=48, hidden=96, num_labels=2):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, emb_dim, padding_idx=PAD)
        self.rnn = nn.GRU(emb_dim, hidden, num_layers=1, batch_first=True)
        self.drop = nn.Dropout(0.2)
        self.classifier = nn.Linear(hidden, num_labels)
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, input_ids, labels=None):
        out, _ = self.rnn(self.emb(input_ids))
        logits = self.classifier(self.drop(out.max(dim=1).values))
        result = {"logits": logits}
        if labels is not None:
            result["loss"] = self.loss_fn(logits, labels)
        return result


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    return {"accuracy": accuracy_score(labels, pred), "f1": f1_score(labels, pred)}


def main():
    set_seed(11)
    rng = np.random.default_rng(11)
    ids, labels = make_messages(5000, rng)
    train_ds = SmsDataset(ids[:4000], labels[:4000])
    val_ds = SmsDataset(ids[4000:], labels[4000:])

    model = SpamGRU(VOCAB)
    with tempfile.TemporaryDirectory() as out_dir:
        args = TrainingArguments(
            output_dir=out_dir,
            num_train_epochs=6,
            per_device_train_batch_size=32,
            per_device_eval_batch_size=100,
            learning_rate=2e-3,
            weight_decay=0.01,
            warmup_steps=30,
            lr_scheduler_type="linear",
            eval_strategy="epoch",
            save_strategy="no",
            logging_steps=50,
            report_to=[],
            use_cpu=True,
            seed=11,
            disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final val accuracy {metrics['eval_accuracy']:.4f}  F1 {metrics['eval_f1']:.4f}  "
          f"loss {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
