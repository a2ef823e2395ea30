"""Organ-donor logistics: route coordination messages to the right desk.

Messages between procurement coordinators, transplant centres and couriers are tokenised into
ids (a 600-word operational vocabulary); labels are the desk that must act: 0 transport,
1 crossmatch/lab, 2 consent/family, 3 theatre scheduling, 4 records/other.
A small BERT encoder (from config, no pre-trained weights) with a mean-pooled head, trained with
the Hugging Face Trainer.
"""
import os
import warnings

import numpy as np
import torch
from torch import nn
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed
from transformers.modeling_outputs import SequenceClassifierOutput

warnings.filterwarnings("ignore")
os.environ["TOKENIZERS_PARALLELISM"] = "false"
set_seed(5)

V, SEQ, C = 600, 32, 5
PAD, CLS = 0, 1


def make_messages(n, rng):
    # each desk has its own key terms; most tokens are shared operational chatter
    desk_terms = [rng.choice(np.arange(10, V), 25, replace=False) for _ in range(C)]
    shared = np.arange(10, V)
    ids = np.zeros((n, SEQ), dtype=np.int64)
    mask = np.zeros((n, SEQ), dtype=np.int64)
    labels = rng.integers(0, C, n)
    for i in range(n):
        length = rng.integers(12, SEQ)
        toks = rng.choice(shared, length - 1)
        k = rng.integers(2, 5)
        pos = rng.choice(np.arange(1, length - 1), k, replace=False)
        toks[pos] = rng.choice(desk_terms[labels[i]], k)
        if rng.random() < 0.3:  # forwarded threads quote another desk's terms
            j = rng.integers(0, C)
            toks[rng.integers(0, length - 1)] = rng.choice(desk_terms[j])
        ids[i, 0] = CLS
        ids[i, 1:length] = toks
        mask[i, :length] = 1
    return ids, mask, labels


class MessageSet(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = map(torch.as_tensor, (ids, mask, labels))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


class DeskRouter(nn.Module):
    def __init__(self, config, n_labels):
        super().__init__()
        self.encoder = BertModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.head = nn.Linear(config.hidden_size, n_labels)
        nn.init.normal_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, input_ids, attention_mask, labels=None):
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1)
        logits = self.head(self.dropout(pooled))
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


rng = np.random.default_rng(5)
ids, mask, labels = make_messages(2000, rng)
train_ds = MessageSet(ids[:1600], mask[:1600], labels[:1600])
eval_ds = MessageSet(ids[1600:], mask[1600:], labels[1600:])

config = BertConfig(vocab_size=V, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=SEQ, pad_token_id=PAD)
model = DeskRouter(config, C)


def compute_metrics(p):
    return {"accuracy": float((p.predictions.argmax(-1) == p.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/donor_logistics_trainer_out", num_train_epochs=10, per_device_train_batch_size=32,
    per_device_eval_batch_size=128, learning_rate=1e-3, weight_decay=0.01, warmup_steps=20,
    eval_strategy="epoch", logging_steps=25, save_strategy="no", report_to=[], seed=5,
    use_cpu=True, disable_tqdm=True, dataloader_num_workers=0,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                  compute_metrics=compute_metrics)
trainer.train()
res = trainer.evaluate()
print(f"final eval_loss {res['eval_loss']:.4f}  eval_accuracy {res['eval_accuracy']:.4f}")
