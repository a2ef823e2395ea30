"""Product-category classification from 30 catalogue features with a config-driven MLP written
as a `transformers` PreTrainedModel, so it can be saved/loaded with save_pretrained and trained
with the Hugging Face Trainer."""
import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch import nn
from transformers import PretrainedConfig, PreTrainedModel, Trainer, TrainingArguments, set_seed


class TabularConfig(PretrainedConfig):
    model_type = "tabular-mlp"

    def __init__(self, n_features=30, hidden_sizes=(128, 64), num_labels=7, dropout=0.1,
                 initializer_range=0.02, **kwargs):
        super().__init__(num_labels=num_labels, **kwargs)
        self.n_features = n_features
        self.hidden_sizes = list(hidden_sizes)
        self.dropout = dropout
        self.initializer_range = initializer_range


class TabularMLP(PreTrainedModel):
    config_class = TabularConfig

    def __init__(self, config):
        super().__init__(config)
        layers, d = [], config.n_features
        for h in config.hidden_sizes:
            layers += [nn.Linear(d, h), nn.GELU(), nn.Dropout(config.dropout)]
            d = h
        self.body = nn.Sequential(*layers)
        self.classifier = nn.Linear(d, config.num_labels)
        self.post_init()

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, self.config.initializer_range, 0.0)
            if module.bias is not None:
                nn.init.zeros_(module.bias)

    def forward(self, features, labels=None):
        logits = self.classifier(self.body(features))
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return {"loss": loss, "logits": logits}


class CatalogueDataset(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.X, self.y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


def compute_metrics(p):
    logits, labels = p
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


if __name__ == "__main__":
    set_seed(0)
    X, y = make_classification(n_samples=3000, n_features=30, n_informative=14, n_redundant=6,
                               n_classes=7, n_clusters_per_class=1, class_sep=1.5, random_state=4)
    scaler = StandardScaler().fit(X[:2400])
    X = scaler.transform(X)
    train_ds, eval_ds = CatalogueDataset(X[:2400], y[:2400]), CatalogueDataset(X[2400:], y[2400:])

    model = TabularMLP(TabularConfig())
    args = TrainingArguments(output_dir="/tmp/tabular_mlp_out", per_device_train_batch_size=64,
                             per_device_eval_batch_size=512, num_train_epochs=8, learning_rate=2e-3,
                             lr_scheduler_type="cosine", eval_strategy="epoch", save_strategy="no",
                             logging_steps=40, report_to="none", use_cpu=True, seed=0, disable_tqdm=True)
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    m = trainer.evaluate()
    print(f"final eval_loss {m['eval_loss']:.4f} eval_accuracy {m['eval_accuracy']:.4f}")
