"""Greedy layer-wise pretraining: a stack of RBMs (a deep belief net).

Fit an RBM to the data, treat its hidden probabilities as the data of the
next RBM, and so on:

    x_0 = v,   x_l = p(h_l = 1 | x_{l-1}) = σ(x_{l-1} W_l + b_l).

Each layer is trained with contrastive divergence on its own; no gradient
flows between layers. The upward pass gives features for a simple
classifier (`linear_probe`). The full generative DBN also turns the lower
layers into top-down directed connections and fine-tunes them; that part
is not implemented here.

Taught in lesson 1.4.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from physdl_docs._validation import RngLike, as_rng, check_array, check_int
from physdl_docs.rbm import RBM, binarized_digits


def _check_layer_sizes(layer_sizes: object) -> tuple[int, ...]:
    if not isinstance(layer_sizes, Sequence) or isinstance(layer_sizes, str):
        raise TypeError("layer_sizes must be a sequence of ints, "
                        f"got {type(layer_sizes).__name__}")
    if len(layer_sizes) == 0:
        raise ValueError("layer_sizes must contain at least one layer")
    return tuple(check_int(n, f"layer_sizes[{i}]", 1)
                 for i, n in enumerate(layer_sizes))


class DBN:
    """A stack of Bernoulli RBMs trained greedily, one layer at a time.

    ``layer_sizes`` lists the hidden units from the bottom up; the other
    hyperparameters go to every `physdl_docs.rbm.RBM`, and one generator
    made from ``random_state`` is shared by all layers. ``rbms_[l]`` is
    fitted on the hidden probabilities of ``rbms_[l - 1]``.
    References: `hinton2006`, `hinton2006science`

    >>> X, _ = binarized_digits()
    >>> dbn = DBN(layer_sizes=(32, 8), n_iter=1, random_state=0).fit(X[:200])
    >>> dbn.transform(X[:5]).shape
    (5, 8)
    """

    def __init__(self, layer_sizes: Sequence[int] = (64, 32),
                 learning_rate: float = 0.1, batch_size: int = 10,
                 n_iter: int = 10, k: int = 1, persistent: bool = False,
                 random_state: RngLike = None) -> None:
        self.layer_sizes = _check_layer_sizes(layer_sizes)
        # validate the shared hyperparameters once, by building one RBM
        RBM(self.layer_sizes[0], learning_rate, batch_size, n_iter, k,
            persistent, random_state)
        self.learning_rate, self.batch_size = learning_rate, batch_size
        self.n_iter, self.k, self.persistent = n_iter, k, persistent
        self.random_state = random_state

    def __repr__(self) -> str:
        return f"DBN(layer_sizes={self.layer_sizes}, n_iter={self.n_iter})"

    def fit(self, X: np.ndarray) -> DBN:
        """Train the RBMs bottom-up, each on the layer below's output."""
        rng = as_rng(self.random_state, "random_state")
        x, self.rbms_ = X, []
        for n_hidden in self.layer_sizes:
            rbm = RBM(n_hidden, self.learning_rate, self.batch_size,
                      self.n_iter, self.k, self.persistent, random_state=rng)
            # x_l = p(h_l = 1 | x_{l-1}) is the next layer's data
            x = rbm.fit(x).transform(x)
            self.rbms_.append(rbm)
        return self

    def transform_layers(self, X: np.ndarray) -> list[np.ndarray]:
        """The upward pass ``[x_1, ..., x_L]``, one array per layer."""
        if not hasattr(self, "rbms_"):
            raise ValueError("this DBN is not fitted yet: call fit(X) first")
        out, x = [], X
        for rbm in self.rbms_:
            x = rbm.transform(x)
            out.append(x)
        return out

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Top-layer features ``x_L``: (n_samples, layer_sizes[-1])."""
        return self.transform_layers(X)[-1]


def _labels(y: object, name: str, n: int) -> np.ndarray:
    """Integer class labels of length ``n`` (integer-valued floats allowed)."""
    y = check_array(y, name, shape=(n,))
    if np.any(y != np.round(y)):
        raise ValueError(f"{name} must hold integer class labels, "
                         f"got {y[y != np.round(y)][0]:g}")
    return y.astype(np.int64)


def linear_probe(F_train: np.ndarray, y_train: np.ndarray,
                 F_test: np.ndarray, y_test: np.ndarray, n_labels: int,
                 n_repeats: int = 5, rng: RngLike = None,
                 error: bool = False) -> float | tuple[float, float]:
    """Test accuracy of logistic regression trained on ``n_labels`` labels.

    Averaged over ``n_repeats`` random labelled subsets (the same subsets
    for every feature set with the same seed); with ``error=True`` also
    returns the standard error of that mean over the subsets.

    >>> X, y = binarized_digits()
    >>> acc = linear_probe(X[:500], y[:500], X[500:], y[500:], n_labels=500,
    ...                    n_repeats=1, rng=0)
    >>> acc > 0.8
    True
    """
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    F_train = check_array(F_train, "F_train", ndim=2)
    F_test = check_array(F_test, "F_test", shape=(None, F_train.shape[1]))
    y_train = _labels(y_train, "y_train", len(F_train))
    y_test = _labels(y_test, "y_test", len(F_test))
    n_labels = check_int(n_labels, "n_labels", 2)
    if n_labels > len(y_train):
        raise ValueError(f"n_labels must be <= {len(y_train)} (training set "
                         f"size), got {n_labels}")
    n_repeats = check_int(n_repeats, "n_repeats", 1)
    if not isinstance(error, bool):
        raise TypeError(f"error must be a bool, got {type(error).__name__}")
    rng = as_rng(rng)
    scores = []
    # these fits are tiny: one BLAS thread avoids oversubscribing the CPU
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(n_repeats):
            idx = rng.permutation(len(y_train))[:n_labels]
            if np.unique(y_train[idx]).size < 2:
                raise ValueError(
                    f"n_labels={n_labels} random labels hold a single class; "
                    "a classifier needs two: use more labels")
            clf = LogisticRegression(max_iter=2000)
            clf.fit(F_train[idx], y_train[idx])
            scores.append(clf.score(F_test, y_test))
    mean = float(np.mean(scores))
    if not error:
        return mean
    sem = float(np.std(scores, ddof=1) / np.sqrt(n_repeats)) if n_repeats > 1 \
        else float("nan")
    return mean, sem
