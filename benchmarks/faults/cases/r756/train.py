import lightning.pytorch as pl
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import ConcatDataset, DataLoader, TensorDataset


class DigitsCNN(pl.LightningModule):
    def __init__(self, max_lr=0.05, epochs=6):
        super().__init__()
        self.save_hyperparameters()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(),
        )
        self.classifier = nn.Linear(32 * 16, 10)

    def forward(self, x):
        return self.classifier(self.features(x))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss, prog_bar=False)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("val_loss", F.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(dim=1) == y).float().mean())

    def configure_optimizers(self):
        optimizer = torch.optim.SGD(self.parameters(), lr=self.hparams.max_lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
        steps = self.trainer.estimated_stepping_batches
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=self.hparams.max_lr, total_steps=steps)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}


def main():
    pl.seed_everything(1)
    digits = load_digits()
    X = digits.images.astype(np.float32)[:, None] / 16.0
    X_train, X_val, y_train, y_val = train_test_split(X, digits.target, test_size=0.2, random_state=14, stratify=digits.target)
    mean, std = X_train.mean(), X_train.std()
    train = ConcatDataset([
        TensorDataset(torch.tensor((X_train[y_train == digit] - mean) / std), torch.tensor(y_train[y_train == digit]))
        for digit in range(10)
    ])
    val = TensorDataset(torch.tensor((X_val - mean) / std), torch.tensor(y_val))

    model = DigitsCNN()
    trainer = pl.Trainer(max_epochs=6, accelerator="cpu", enable_progress_bar=False, logger=False, enable_checkpointing=False,
                         enable_model_summary=False)
    trainer.fit(model, DataLoader(train, batch_size=32), DataLoader(val, batch_size=128))

    model.eval()
    with torch.no_grad():
        pred = model(val.tensors[0]).argmax(dim=1).numpy()
    print(f"final_val_metric={balanced_accuracy_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
