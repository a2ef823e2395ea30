import tempfile

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from transformers import Trainer, TrainingArguments

from benchmarks.faults.casedata import wave_sequences


class WaveClassifier(nn.Module):
    def __init__(self, hidden=48, classes=5):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.classifier = nn.Linear(hidden, classes)
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, series, labels=None):
        _, h = self.gru(series)
        logits = self.classifier(h[-1])
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = self.loss_fn(logits, labels)
        return out


class Waves(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.X, self.y = torch.tensor(X), torch.tensor(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"series": self.X[i], "labels": self.y[i]}


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = wave_sequences(n=1000, length=24, classes=5, seed=11)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=11, stratify=y)
    model = WaveClassifier()

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(output_dir=out, num_train_epochs=12, per_device_train_batch_size=32, learning_rate=5e-3,
                                 max_grad_norm=1.0, logging_steps=50, save_strategy="no", report_to=[], use_cpu=True, seed=0,
                                 disable_tqdm=True, remove_unused_columns=False)
        trainer = Trainer(model=model, args=args, train_dataset=Waves(X_train, y_train))
        trainer.train()
        logits = trainer.predict(Waves(X_val, y_val)).predictions
    print(f"final_val_metric={balanced_accuracy_score(y_val, logits.argmax(axis=1)):.4f}")


if __name__ == "__main__":
    main()
