import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

import nndoctor


class FineTuner(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.AdaptiveAvgPool2d(4),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * 16, classes))

    def freeze_backbone(self):
        for p in self.backbone.parameters():
            p.requires_grad_(False)
        self.backbone.eval()

    def forward(self, x):
        return self.head(self.backbone(x))

    def train(self, mode=True):
        super().train(mode)
        self.backbone.eval()
        return self


def setup():
    digits = load_digits()
    images = (digits.images[:, None] / 16.0 - 0.3) / 0.4
    X_train, X_val, y_train, y_val = train_test_split(images, digits.target, test_size=0.2, random_state=0, stratify=digits.target)

    torch.manual_seed(0)
    model = FineTuner()
    model.freeze_backbone()
    return nndoctor.Setup(
        model=model,
        train=(X_train, y_train),
        val=(X_val, y_val),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam([p for p in params if p.requires_grad], lr=3e-3),
        batch_size=32,
    )
