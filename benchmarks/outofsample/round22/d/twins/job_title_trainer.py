"""Normalise free-text job titles from applicant profiles to a canonical role taxonomy.

Titles are lower-cased and split on whitespace; the vocabulary is built from the training
split. A 2-layer BERT trained from scratch (no hub download), mean-pooled, with a linear head,
fitted with the Hugging Face Trainer. The same encoder later builds a lookup index of titles.
"""
import random
import tempfile

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed
from transformers.modeling_outputs import SequenceClassifierOutput

set_seed(21)
rnd = random.Random(21)

ROLES = {
    "software_engineer": [["software", "engineer"], ["software", "developer"], ["swe"], ["programmer"], ["application", "developer"]],
    "backend_engineer": [["backend", "engineer"], ["back-end", "developer"], ["server", "side", "developer"], ["api", "engineer"]],
    "frontend_engineer": [["frontend", "engineer"], ["front-end", "developer"], ["ui", "developer"], ["web", "developer"]],
    "data_scientist": [["data", "scientist"], ["ml", "scientist"], ["machine", "learning", "scientist"], ["applied", "scientist"]],
    "data_engineer": [["data", "engineer"], ["etl", "developer"], ["data", "platform", "engineer"], ["big", "data", "engineer"]],
    "data_analyst": [["data", "analyst"], ["bi", "analyst"], ["business", "intelligence", "analyst"], ["reporting", "analyst"]],
    "product_manager": [["product", "manager"], ["product", "owner"], ["pm"], ["product", "lead"]],
    "project_manager": [["project", "manager"], ["delivery", "manager"], ["program", "manager"], ["project", "coordinator"]],
    "devops_engineer": [["devops", "engineer"], ["site", "reliability", "engineer"], ["sre"], ["platform", "engineer"], ["infrastructure", "engineer"]],
    "qa_engineer": [["qa", "engineer"], ["test", "engineer"], ["quality", "assurance", "analyst"], ["sdet"], ["test", "automation", "engineer"]],
    "ux_designer": [["ux", "designer"], ["product", "designer"], ["interaction", "designer"], ["ui/ux", "designer"]],
    "security_engineer": [["security", "engineer"], ["security", "analyst"], ["appsec", "engineer"], ["cyber", "security", "specialist"]],
}
SENIORITY = [[], [], ["senior"], ["sr."], ["junior"], ["jr."], ["lead"], ["principal"], ["staff"], ["associate"]]
SUFFIX = [[], [], [], ["ii"], ["iii"], ["i"], ["(contract)"], ["-", "remote"], ["(m/f/d)"], ["intern"]]
TEAMS = [[], [], [], ["payments"], ["growth"], ["mobile"], ["cloud"], ["emea"], ["core"], ["search"], ["risk"]]
LABELS = sorted(ROLES)
GENERIC = {"software_engineer": ["engineer", "developer"], "backend_engineer": ["developer", "engineer"],
           "frontend_engineer": ["developer"], "data_scientist": ["scientist"], "data_engineer": ["engineer"],
           "data_analyst": ["analyst"], "product_manager": ["manager"], "project_manager": ["manager"],
           "devops_engineer": ["engineer"], "qa_engineer": ["engineer", "analyst"], "ux_designer": ["designer"],
           "security_engineer": ["analyst", "engineer"]}


def make_title(role):
    core = rnd.choice(ROLES[role])
    if rnd.random() < 0.12:                       # profiles that only say "engineer" etc.
        core = [rnd.choice(GENERIC[role])]
    words = rnd.choice(SENIORITY) + core + rnd.choice(SUFFIX)
    team = rnd.choice(TEAMS)
    if team:
        words = (team + words) if rnd.random() < 0.5 else (words + [","] + team)
    if rnd.random() < 0.15:
        words = words[:]
        i = rnd.randrange(len(words))
        words[i] = words[i][:-1] if len(words[i]) > 3 else words[i]   # typos
    return words


class TitleData(torch.utils.data.Dataset):
    def __init__(self, titles, labels, vocab, max_len=12):
        self.items = []
        for words, lab in zip(titles, labels):
            ids = [vocab.get(w, 1) for w in words][: max_len - 1]
            ids = [2] + ids                                   # [CLS]
            mask = [1] * len(ids) + [0] * (max_len - len(ids))
            ids = ids + [0] * (max_len - len(ids))
            self.items.append({"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                               "labels": torch.tensor(lab)})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


class TitleNormaliser(nn.Module):
    def __init__(self, config, n_labels):
        super().__init__()
        self.bert = BertModel(config, add_pooling_layer=False)
        self.drop = nn.Dropout(0.1)
        self.cls = nn.Linear(config.hidden_size, n_labels)

    def embed(self, input_ids, attention_mask):
        h = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        return (h * m).sum(1) / m.sum(1)

    def forward(self, input_ids, attention_mask, labels=None):
        z = self.embed(input_ids, attention_mask)
        logits = self.cls(self.drop(z))
        loss = F.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


def accuracy(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


def main():
    data = [(make_title(r), LABELS.index(r)) for r in LABELS for _ in range(220)]
    rnd.shuffle(data)
    train_rows, val_rows = data[:2200], data[2200:]
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2}
    for words, _ in train_rows:
        for w in words:
            vocab.setdefault(w, len(vocab))
    train_ds = TitleData(*zip(*train_rows), vocab)
    val_ds = TitleData(*zip(*val_rows), vocab)

    config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=16)
    model = TitleNormaliser(config, len(LABELS))
    args = TrainingArguments(
        output_dir=tempfile.mkdtemp(), num_train_epochs=4, per_device_train_batch_size=32,
        per_device_eval_batch_size=128, learning_rate=1e-3, warmup_steps=30, weight_decay=0.01,
        lr_scheduler_type="linear", eval_strategy="epoch", save_strategy="no", logging_steps=25,
        report_to=[], seed=21, use_cpu=True, disable_tqdm=True, dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=accuracy)
    trainer.train()
    metrics = trainer.evaluate()

    # lookup index for the recruiter search box
    model.eval()
    ids = torch.stack([val_ds[i]["input_ids"] for i in range(len(val_ds))])
    mask = torch.stack([val_ds[i]["attention_mask"] for i in range(len(val_ds))])
    with torch.no_grad():
        index = F.normalize(model.embed(ids, mask), dim=-1)
    print(f"index {tuple(index.shape)}")
    print(f"final eval_accuracy {metrics['eval_accuracy']:.4f} eval_loss {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
