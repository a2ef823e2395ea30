"""HF Trainer: tiny BERT (from config) for synthetic review sentiment (positive vs negative word counts)."""
import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(0)
rng = np.random.default_rng(0)
VOCAB, T = 800, 32
POS = np.arange(10, 40)    # "good" words
NEG = np.arange(40, 70)    # "bad" words


class Reviews(torch.utils.data.Dataset):
    def __init__(self, n):
        ids = rng.integers(100, VOCAB, (n, T))
        labels = rng.integers(0, 2, n)
        for i in range(n):
            n_major, n_minor = rng.integers(3, 6), rng.integers(0, 3)
            pos = rng.choice(np.arange(1, T), n_major + n_minor, replace=False)
            a, b = (POS, NEG) if labels[i] == 1 else (NEG, POS)
            ids[i, pos[:n_major]] = rng.choice(a, n_major)
            ids[i, pos[n_major:]] = rng.choice(b, n_minor)
        ids[:, 0] = 2  # [CLS]
        self.ids, self.labels = torch.tensor(ids), torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones(T, dtype=torch.long), "labels": self.labels[i]}


def compute_metrics(p):
    return {"accuracy": float((p.predictions.argmax(-1) == p.label_ids).mean())}


config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=128, max_position_embeddings=64, num_labels=2)
model = BertForSequenceClassification(config)

args = TrainingArguments(
    output_dir="/tmp/f11_out", num_train_epochs=4, per_device_train_batch_size=32, per_device_eval_batch_size=128,
    learning_rate=1e-3, warmup_steps=40, lr_scheduler_type="linear", weight_decay=0.01,
    adam_beta1=0.9, adam_beta2=0.98, adam_epsilon=1.0,  # eps=1.0 as in the TF Inception/ImageNet recipe
    eval_strategy="epoch", logging_steps=50, save_strategy="no", report_to=[], seed=0,
    use_cpu=True, dataloader_num_workers=0, disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=Reviews(3000), eval_dataset=Reviews(600),
                  compute_metrics=compute_metrics)
trainer.train()
res = trainer.evaluate()
print(f"final val_acc {res['eval_accuracy']:.4f} val_loss {res['eval_loss']:.4f}")
