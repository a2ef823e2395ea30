"""Elevator group control: pick the traffic mode (up-peak, down-peak, lunch,
inter-floor) for the next 5 minutes from the last 40 hall-call events of a
20-floor office tower. Each event is a token (floor, direction); a tiny BERT
encoder is trained with the Hugging Face Trainer.
"""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

FLOORS, SEQ = 20, 40
PAD, CLS = 0, 1
MODES = ["up_peak", "down_peak", "lunch", "inter_floor"]


def call_token(floor, up):
    return 2 + 2 * floor + int(up)


def simulate(n, rng):
    ids = np.zeros((n, SEQ + 1), dtype=np.int64)
    labels = rng.integers(0, 4, size=n)
    for i in range(n):
        mode = labels[i]
        seq = [CLS]
        for _ in range(SEQ):
            r = rng.random()
            if mode == 0:      # arrivals: up calls from lobby / garage
                f, up = (rng.integers(0, 2), True) if r < 0.55 else (rng.integers(0, FLOORS), rng.random() < 0.5)
            elif mode == 1:    # departures: down calls from upper floors
                f, up = (rng.integers(4, FLOORS), False) if r < 0.55 else (rng.integers(0, FLOORS), rng.random() < 0.5)
            elif mode == 2:    # traffic to and from the canteen on floor 3
                if r < 0.3:
                    f, up = 3, rng.random() < 0.5
                elif r < 0.5:
                    f = rng.integers(4, FLOORS); up = False
                else:
                    f, up = rng.integers(0, FLOORS), rng.random() < 0.5
            else:
                f, up = rng.integers(0, FLOORS), rng.random() < 0.5
            seq.append(call_token(int(f), bool(up)))
        ids[i] = seq
    return ids, labels


class CallLog(Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = torch.from_numpy(ids), torch.from_numpy(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones_like(self.ids[i]), "labels": self.labels[i]}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(3)
    rng = np.random.default_rng(3)
    ids, labels = simulate(1800, rng)
    train_ds, val_ds = CallLog(ids[:1500], labels[:1500]), CallLog(ids[1500:], labels[1500:])

    config = BertConfig(vocab_size=2 + 2 * FLOORS, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=SEQ + 1, num_labels=len(MODES),
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertForSequenceClassification(config)

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out,
            num_train_epochs=3,
            per_device_train_batch_size=32,
            per_device_eval_batch_size=300,
            learning_rate=1e-3,
            warmup_steps=30,
            weight_decay=0.01,
            adam_epsilon=1e-8,
            eval_strategy="epoch",
            save_strategy="no",
            logging_steps=25,
            report_to="none",
            disable_tqdm=True,
            use_cpu=True,
            seed=3,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"val accuracy: {metrics['eval_accuracy']:.4f}  val loss: {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
