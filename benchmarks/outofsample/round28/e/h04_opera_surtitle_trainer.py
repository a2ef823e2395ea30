"""Opera surtitles: tag each surtitle cue (tokenised libretto line, vocabulary 1,200) with the
act it belongs to (recitative / aria / chorus / spoken dialogue) using a small BERT encoder
trained from scratch with the Hugging Face Trainer (linear warm-up then decay, weight decay).
"""
import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(21)
rng = np.random.default_rng(21)
V, L, N_CLS = 1200, 24, 4
PAD, CLS = 0, 1

# each cue type draws words from its own register plus shared function words
shared = rng.choice(np.arange(2, V), 150, replace=False)
register = [rng.choice(np.arange(2, V), 120, replace=False) for _ in range(N_CLS)]


def cue(label):
    n = rng.integers(8, L - 1)
    own = rng.random(n) < 0.35
    toks = np.where(own, rng.choice(register[label], n), rng.choice(shared, n))
    if label == 1:                      # arias repeat their phrase
        k = n // 2
        toks[k:2 * k] = toks[:k]
    ids = np.full(L, PAD); ids[0] = CLS; ids[1:n + 1] = toks
    return ids


class Cues(torch.utils.data.Dataset):
    def __init__(self, n):
        self.y = rng.integers(0, N_CLS, n)
        self.ids = np.stack([cue(l) for l in self.y])

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        ids = torch.tensor(self.ids[i])
        return {"input_ids": ids, "attention_mask": (ids != PAD).long(), "labels": torch.tensor(self.y[i])}


train_ds, val_ds = Cues(2000), Cues(500)
config = BertConfig(vocab_size=V, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=L, num_labels=N_CLS,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(p):
    return {"accuracy": float((p.predictions.argmax(-1) == p.label_ids).mean())}


args = TrainingArguments(output_dir="/tmp/opera_surtitle_out", num_train_epochs=6, per_device_train_batch_size=32,
                         per_device_eval_batch_size=250, learning_rate=1e-3, warmup_steps=40,
                         lr_scheduler_type="linear", weight_decay=0.01, eval_strategy="epoch",
                         logging_steps=25, save_strategy="no", report_to=[], seed=21,
                         disable_tqdm=True, use_cpu=True)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds, compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val accuracy {metrics['eval_accuracy']:.3f}  val loss {metrics['eval_loss']:.4f}")
