"""Character-level CNN that flags phishing URLs.

The URL corpus is synthesised from templates (legit sites, their paths and query strings,
and the usual phishing tricks: look-alike hosts, raw IPs, '@' redirects, long subdomain
chains, credential keywords). Parameters are updated by hand, the way the char-RNN
tutorial does it.
"""
import random
import string

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 7
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

BRANDS = ["paypal", "amazon", "netflix", "apple", "microsoft", "chase", "wellsfargo", "dropbox",
          "linkedin", "github", "adobe", "dhl", "fedex", "ebay", "spotify", "outlook"]
TLDS = [".com", ".net", ".org", ".io", ".co.uk", ".de"]
BAD_TLDS = [".xyz", ".top", ".info", ".ru", ".tk", ".cn", ".com"]
WORDS = ["account", "help", "docs", "blog", "store", "news", "support", "about", "careers",
         "products", "pricing", "search", "img", "static", "api", "v2", "en-us", "download"]
HOSTING = ["sites.google.com", "forms.office.com", "storage.googleapis.com", "docs.google.com",
           "firebasestorage.googleapis.com", "github.io", "web.app", "notion.site"]
LURES = ["login", "verify", "secure", "update", "signin", "confirm", "billing", "unlock",
         "webscr", "auth", "wallet", "reset"]


def rand_token(n):
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def legit_url():
    brand = random.choice(BRANDS)
    host = random.choice(["www.", "", "mail.", "help.", "developer."]) + brand + random.choice(TLDS)
    if random.random() < 0.2:        # small businesses, CDNs and shorteners
        host = rand_token(random.randint(4, 10)) + random.choice(TLDS + [".info", ".xyz"])
    path = "/".join(random.choice(WORDS) for _ in range(random.randint(0, 3)))
    url = random.choice(["https://", "https://", "http://"]) + host + ("/" + path if path else "")
    if random.random() < 0.12:       # shared documents and forms on hosting services
        url = "https://" + random.choice(HOSTING) + "/" + rand_token(random.randint(8, 20)) + "/" + \
            random.choice(WORDS + [brand])
    if random.random() < 0.3:
        url += "?id=" + rand_token(random.randint(4, 10))
    if random.random() < 0.25:
        url += "/" + random.choice(LURES)
    return url


def phishing_url():
    brand = random.choice(BRANDS)
    trick = random.randrange(7)
    if trick == 0:       # look-alike host
        b = brand.replace("o", "0", 1) if "o" in brand else brand + "s"
        host = b + "-" + random.choice(LURES) + random.choice(BAD_TLDS)
    elif trick == 1:     # raw IP
        host = ".".join(str(random.randint(1, 254)) for _ in range(4))
    elif trick == 2:     # brand buried in a subdomain chain
        host = brand + random.choice(TLDS).replace(".", "-") + "." + rand_token(6) + "." + \
            random.choice(LURES) + random.choice(BAD_TLDS)
    elif trick == 3:     # '@' redirect
        host = brand + random.choice(TLDS) + "@" + rand_token(8) + random.choice(BAD_TLDS)
    elif trick == 4:     # throwaway host, kit in the path
        host = rand_token(random.randint(5, 9)) + random.choice(BAD_TLDS)
    else:                # compromised small-business site
        host = "www." + rand_token(random.randint(5, 10)) + random.choice(TLDS)
    path = "/".join([random.choice(WORDS + LURES) for _ in range(random.randint(1, 3))])
    if trick == 5:
        path = random.choice(["wp-content", "wp-includes", "images", "css"]) + "/" + path
    if trick == 4:
        path = brand + "/" + random.choice(LURES) + "/" + path
    url = random.choice(["http://", "https://", "http://"]) + host + "/" + path
    if trick == 6:       # kit on a hosting service
        url = "https://" + random.choice(HOSTING) + "/" + rand_token(random.randint(8, 20)) + "/" + \
            random.choice(WORDS + [brand] + LURES[:3])
    if random.random() < 0.5:
        url += random.choice([".php", ".html", "/index.php"])
    if random.random() < 0.4:
        url += "?session=" + rand_token(random.randint(12, 24))
    return url


MAXLEN = 96
VOCAB = {c: i + 1 for i, c in enumerate(string.ascii_lowercase + string.digits + ":/.-_?=&@%")}


def encode(url):
    ids = [VOCAB.get(c, len(VOCAB) + 1) for c in url.lower()[:MAXLEN]]
    return ids + [0] * (MAXLEN - len(ids))


def make_split(n):
    urls, labels = [], []
    for _ in range(n):
        y = int(random.random() < 0.4)
        urls.append(phishing_url() if y else legit_url())
        labels.append(y)
    return torch.tensor([encode(u) for u in urls]), torch.tensor(labels)


class CharCNN(nn.Module):
    def __init__(self, n_chars, emb=24, channels=64):
        super().__init__()
        self.emb = nn.Embedding(n_chars, emb, padding_idx=0)
        self.conv3 = nn.Conv1d(emb, channels, 3, padding=1)
        self.conv5 = nn.Conv1d(emb, channels, 5, padding=2)
        self.fc = nn.Linear(2 * channels, 32)
        self.out = nn.Linear(32, 2)

    def forward(self, x):
        h = self.emb(x).transpose(1, 2)
        a = F.relu(self.conv3(h)).amax(dim=2)
        b = F.relu(self.conv5(h)).amax(dim=2)
        return self.out(F.relu(self.fc(torch.cat([a, b], dim=1))))


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main():
    x_train, y_train = make_split(3000)
    x_val, y_val = make_split(1000)
    model = CharCNN(len(VOCAB) + 2)
    criterion = nn.CrossEntropyLoss()
    lr, batch_size, epochs = 0.05, 32, 5

    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x_train))
        total = 0.0
        for i in range(0, len(perm), batch_size):
            idx = perm[i:i + batch_size]
            output = model(x_train[idx])
            loss = criterion(output, y_train[idx])
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
            total += loss.item() * len(idx)
        model.eval()
        print(f"epoch {epoch + 1}  train loss {total / len(x_train):.4f}  "
              f"val acc {accuracy(model, x_val, y_val):.4f}")

    print(f"final val accuracy {accuracy(model, x_val, y_val):.4f}")


if __name__ == "__main__":
    main()
