"""Map free-text job titles from postings onto our canonical occupation list.

Recruiters type titles like "Sr. BI Analyst II (Remote, EMEA)"; the taxonomy team
wants them normalised to one of ~40 canonical occupations.  Bag-of-words model
trained with the Hugging Face Trainer; we report accuracy and macro-F1 on a
held-out slice of postings.
"""
import re
from collections import Counter

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import f1_score
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed

DOMAINS = {
    "data": ["data", "analytics", "bi", "insights", "reporting", "ml"],
    "software": ["software", "backend", "frontend", "fullstack", "java", "python"],
    "cloud": ["cloud", "devops", "platform", "infrastructure", "sre", "aws"],
    "security": ["security", "cyber", "infosec", "soc", "iam", "appsec"],
    "sales": ["sales", "account", "business", "bdr", "territory", "revenue"],
    "marketing": ["marketing", "growth", "brand", "content", "seo", "campaign"],
    "finance": ["finance", "accounting", "fp&a", "payroll", "treasury", "controller"],
    "hr": ["hr", "people", "talent", "recruiting", "learning", "benefits"],
    "supply": ["supply", "logistics", "procurement", "warehouse", "inventory", "sourcing"],
    "product": ["product", "ux", "design", "research", "roadmap", "ui"],
    "support": ["support", "customer", "service", "helpdesk", "success", "care"],
    "legal": ["legal", "compliance", "contracts", "privacy", "regulatory", "counsel"],
}
ROLES = {
    "engineer": ["engineer", "developer", "programmer", "eng", "dev"],
    "analyst": ["analyst", "associate", "specialist", "officer", "coordinator"],
    "manager": ["manager", "lead", "head", "director", "supervisor"],
    "scientist": ["scientist", "researcher", "modeler", "statistician", "quant"],
    "consultant": ["consultant", "advisor", "partner", "representative", "executive"],
}
FILLER = ["senior", "sr", "junior", "jr", "ii", "iii", "i", "principal", "staff", "intern",
          "remote", "hybrid", "onsite", "emea", "apac", "na", "london", "berlin", "austin",
          "contract", "temp", "fixed-term", "urgent", "new", "m/f/d", "global", "team", "of",
          "and", "the", "for", "with", "level", "grade", "band", "2", "3", "night", "shift"]


def make_postings(n=8000, seed=0):
    rng = np.random.default_rng(seed)
    pairs = [(d, r) for d in DOMAINS for r in ROLES]
    order = rng.permutation(len(pairs))[:44]
    occupations = [pairs[i] for i in order]
    prior = rng.dirichlet(np.full(len(occupations), 2.0))
    dom_names = list(DOMAINS)
    titles, labels = [], []
    for k in rng.choice(len(occupations), size=n, p=prior):
        d, r = occupations[k]
        words = []
        if rng.random() > 0.15:
            words += list(rng.choice(DOMAINS[d], rng.integers(1, 3), replace=False))
        if rng.random() > 0.2:
            words.append(str(rng.choice(ROLES[r])))
        if rng.random() < 0.25:   # postings often mention a neighbouring function
            nb = dom_names[(dom_names.index(d) + 1) % len(dom_names)]
            words.append(str(rng.choice(DOMAINS[nb])))
        words += [FILLER[min(int(z) - 1, len(FILLER) - 1)] for z in rng.zipf(1.4, rng.integers(1, 4))]
        if rng.random() < 0.3:
            words.append(f"req{rng.integers(1000, 9999)}")
        rng.shuffle(words)
        titles.append(" ".join(words))
        labels.append(k)
    return titles, np.array(labels), [f"{d}-{r}" for d, r in occupations]


def tokenize(title):
    return re.findall(r"[a-z0-9&/\-]+", title.lower())


class TitleDataset(torch.utils.data.Dataset):
    def __init__(self, titles, labels, vocab, max_len=10):
        self.ids = torch.zeros(len(titles), max_len, dtype=torch.long)
        for i, t in enumerate(titles):
            ids = [vocab.get(w, 1) for w in tokenize(t)][:max_len]
            self.ids[i, :len(ids)] = torch.tensor(ids, dtype=torch.long)
        self.labels = torch.as_tensor(labels, dtype=torch.long)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "labels": self.labels[i]}


class TitleClassifier(nn.Module):
    def __init__(self, vocab_size, num_labels, dim=64, hidden=128):
        super().__init__()
        self.num_labels = num_labels
        self.embed = nn.EmbeddingBag(vocab_size, dim, mode="mean", padding_idx=0)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(0.1),
                                 nn.Linear(hidden, num_labels))

    def forward(self, input_ids, labels=None):
        logits = self.mlp(self.embed(input_ids))
        loss = None
        if labels is not None:
            loss = F.mse_loss(logits, F.one_hot(labels, self.num_labels).float())
        return {"loss": loss, "logits": logits}


def compute_metrics(pred):
    logits, labels = pred
    yhat = logits.argmax(-1)
    return {"accuracy": float((yhat == labels).mean()),
            "macro_f1": float(f1_score(labels, yhat, average="macro"))}


def main():
    set_seed(11)
    titles, labels, names = make_postings()
    n_train = 6400
    counts = Counter(w for t in titles[:n_train] for w in tokenize(t))
    vocab = {w: i + 2 for i, (w, c) in enumerate(counts.most_common()) if c >= 2}   # 0 pad, 1 unk
    train_ds = TitleDataset(titles[:n_train], labels[:n_train], vocab)
    val_ds = TitleDataset(titles[n_train:], labels[n_train:], vocab)

    model = TitleClassifier(len(vocab) + 2, len(names))
    args = TrainingArguments(
        output_dir="/tmp/job_title_normalise",
        per_device_train_batch_size=64,
        per_device_eval_batch_size=512,
        num_train_epochs=5,
        learning_rate=2e-3,
        weight_decay=0.01,
        lr_scheduler_type="linear",
        warmup_steps=25,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=50,
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        seed=11,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    m = trainer.evaluate()
    print(f"final val_accuracy={m['eval_accuracy']:.4f} val_macro_f1={m['eval_macro_f1']:.4f}")


if __name__ == "__main__":
    main()
