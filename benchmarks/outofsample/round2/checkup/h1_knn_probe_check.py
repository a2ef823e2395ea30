"""h1: do train and validation follow one input-to-label mapping? 15-NN / logistic regression on flattened sequences."""
import importlib.util
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
sp = importlib.util.spec_from_file_location("m", "h1_gru_channel_sequences.py"); m = importlib.util.module_from_spec(sp); sp.loader.exec_module(m)
Xt, yt = m.channel_sequences(2000, 30, 101); Xv, yv = m.channel_sequences(500, 30, 102)
Xt, Xv = Xt.reshape(2000, -1), Xv.reshape(500, -1)
k = KNeighborsClassifier(15)
print("15-NN 5-fold CV on train", cross_val_score(k, Xt, yt, cv=5).mean(), "| fitted on all train, scored on val", k.fit(Xt, yt).score(Xv, yv))
p = cross_val_predict(LogisticRegression(max_iter=2000), Xt, yt, cv=5, method="predict_proba")
print("logistic regression 5-fold CV acc", (p.argmax(1) == yt).mean(), "| rows with p(label) < 0.05:", (p[np.arange(2000), yt] < 0.05).sum())
