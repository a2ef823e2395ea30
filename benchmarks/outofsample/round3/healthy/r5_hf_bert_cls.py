import random
import numpy as np, torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

random.seed(0); np.random.seed(0); torch.manual_seed(0); set_seed(0)
VOCAB, SEQ = 200, 24
POS_TOK, NEG_TOK = set(range(10, 20)), set(range(20, 30))

def make(n, rng):
    rows = []
    for _ in range(n):
        ids = rng.integers(30, VOCAB, SEQ)
        label = int(rng.integers(2))
        kp = min(rng.poisson(2.5 if label else 1.0), 8)
        kn = min(rng.poisson(1.0 if label else 2.5), 8)
        pos = rng.choice(np.arange(1, SEQ), size=kp + kn, replace=False)
        ids[pos[:kp]] = rng.choice(list(POS_TOK), size=kp)
        ids[pos[kp:]] = rng.choice(list(NEG_TOK), size=kn)
        ids[0] = 1
        rows.append({"input_ids": torch.tensor(ids), "attention_mask": torch.ones(SEQ, dtype=torch.long),
                     "labels": torch.tensor(label)})
    return rows

class ListDS(torch.utils.data.Dataset):
    def __init__(self, rows): self.rows = rows
    def __len__(self): return len(self.rows)
    def __getitem__(self, i): return self.rows[i]

rng = np.random.default_rng(0)
train, val = ListDS(make(1500, rng)), ListDS(make(300, rng))
cfg = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                 intermediate_size=128, max_position_embeddings=SEQ, num_labels=2)
model = BertForSequenceClassification(cfg)

def metrics(p):
    return {"accuracy": float((p.predictions.argmax(-1) == p.label_ids).mean())}

args = TrainingArguments(output_dir="/tmp/oos3_bert", per_device_train_batch_size=32, per_device_eval_batch_size=64,
                         num_train_epochs=4, learning_rate=5e-4, warmup_steps=20, weight_decay=0.01,
                         eval_strategy="epoch", save_strategy="no", logging_steps=10, report_to=[],
                         use_cpu=True, seed=0, disable_tqdm=True)
trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=val, compute_metrics=metrics)
trainer.train()
res = trainer.evaluate()
print(f"final eval_accuracy {res['eval_accuracy']:.4f} eval_loss {res['eval_loss']:.4f}")
