import tempfile

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

from benchmarks.faults.casedata import token_sequences


class Encoded(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.ids = torch.cat([torch.ones(len(X), 1, dtype=torch.long), torch.tensor(X) + 2], dim=1)
        self.y = torch.tensor(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "labels": self.y[i]}


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = token_sequences(n=1200, length=12, vocab=24, seed=9)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=9)
    config = BertConfig(vocab_size=26, hidden_size=48, num_hidden_layers=2, num_attention_heads=4, intermediate_size=96,
                        max_position_embeddings=16, num_labels=3, hidden_dropout_prob=0.1)
    model = BertForSequenceClassification(config)

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(output_dir=out, num_train_epochs=6, per_device_train_batch_size=16, gradient_accumulation_steps=2,
                                 learning_rate=1e-3, max_grad_norm=1.0, label_smoothing_factor=0.1, warmup_steps=20,
                                 logging_steps=50, save_strategy="no", report_to=[], use_cpu=True, seed=0, disable_tqdm=True)
        trainer = Trainer(model=model, args=args, train_dataset=Encoded(X_train, y_train))
        trainer.train()
        output = trainer.predict(Encoded(X_val, y_val))
    print(f"final_val_metric={balanced_accuracy_score(y_val, output.predictions.argmax(axis=1)):.4f}")


if __name__ == "__main__":
    main()
