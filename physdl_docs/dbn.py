"""Greedy layer-wise pretraining: a stack of RBMs (a deep belief net).

Taught in lesson 1.4 (docs/physics/dbn.md).

Hinton, Osindero & Teh (2006) trained a deep generative model one layer at a
time: fit an RBM to the data, then treat its hidden probabilities
p(h1 = 1 | v) as the data of the next RBM, and so on,

    x_0 = v,   x_l = p(h_l = 1 | x_{l-1}) = sigma(x_{l-1} W_l + b_l).

Each layer is trained with contrastive divergence on its own; no gradient
flows between layers. The stack's upward pass ``transform`` gives features
that can initialise a deep network or feed a simple classifier. (The full
generative DBN also turns the lower layers into top-down directed
connections and fine-tunes them; that part is not implemented here.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from physdl_docs._validation import RngLike, as_rng, check_array, check_int
from physdl_docs.rbm import RBM, binarized_digits


def _check_layer_sizes(layer_sizes: object) -> tuple[int, ...]:
    if not isinstance(layer_sizes, Sequence) or isinstance(layer_sizes, str):
        raise TypeError(
            "layer_sizes must be a sequence of ints, "
            f"got {type(layer_sizes).__name__}"
        )
    if len(layer_sizes) == 0:
        raise ValueError("layer_sizes must contain at least one layer")
    return tuple(check_int(n, f"layer_sizes[{i}]", 1)
                 for i, n in enumerate(layer_sizes))


class DBN:
    """A stack of Bernoulli RBMs trained greedily, one layer at a time.

    Taught in lesson 1.4 (docs/physics/dbn.md).

    Parameters
    ----------
    layer_sizes : sequence of int, default=(64, 32)
        Hidden units of each RBM, from the bottom (next to the data) up.
    learning_rate, batch_size, n_iter, k, persistent
        Passed to every `physdl_docs.rbm.RBM` (see there).
    random_state : int, numpy Generator or None, default=None
        Seed; one generator is made from it and shared by all layers.

    Attributes
    ----------
    rbms_ : list of RBM
        The trained layers; ``rbms_[l]`` was fitted on the hidden
        probabilities of ``rbms_[l - 1]`` (``rbms_[0]`` on the data).

    Notes
    -----
    Layer ``l`` sees :math:`x_{l-1}` and passes up
    :math:`x_l = \\sigma(x_{l-1} W_l + b_l)`.

    References
    ----------
    G. E. Hinton, S. Osindero, Y.-W. Teh (2006), *Neural Computation* 18(7),
    1527-1554.
    G. E. Hinton, R. R. Salakhutdinov (2006), *Science* 313(5786), 504-507.

    Examples
    --------
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
        """Train the RBMs bottom-up, each on the layer below's output.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Training data in [0, 1]. Not modified.

        Returns
        -------
        self : DBN
            The fitted stack, with the layers in ``rbms_``.
        """
        rng = as_rng(self.random_state, "random_state")
        x = X
        self.rbms_ = []
        for n_hidden in self.layer_sizes:
            rbm = RBM(n_hidden, self.learning_rate, self.batch_size,
                      self.n_iter, self.k, self.persistent, random_state=rng)
            # x_l = p(h_l = 1 | x_{l-1}) is the next layer's data
            x = rbm.fit(x).transform(x)
            self.rbms_.append(rbm)
        return self

    def transform_layers(self, X: np.ndarray) -> list[np.ndarray]:
        """The upward pass x_1, ..., x_L through every layer.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Visible vectors in [0, 1].

        Returns
        -------
        list of ndarray
            Layer ``l`` gives an ndarray of shape (n_samples, layer_sizes[l]).
        """
        if not hasattr(self, "rbms_"):
            raise ValueError("this DBN is not fitted yet: call fit(X) first")
        out, x = [], X
        for rbm in self.rbms_:
            x = rbm.transform(x)
            out.append(x)
        return out

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Top-layer features x_L = p(h_L = 1 | x_{L-1}).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Visible vectors in [0, 1].

        Returns
        -------
        ndarray of shape (n_samples, layer_sizes[-1])
        """
        return self.transform_layers(X)[-1]


def linear_probe(F_train: np.ndarray, y_train: np.ndarray,
                 F_test: np.ndarray, y_test: np.ndarray, n_labels: int,
                 n_repeats: int = 5, rng: RngLike = None) -> float:
    """Mean test accuracy of logistic regression trained on few labels.

    Parameters
    ----------
    F_train : ndarray of shape (n_train, n_features)
        Training features (pixels, PCA scores or DBN features).
    y_train : ndarray of shape (n_train,)
        Training labels; only ``n_labels`` of them are used.
    F_test : ndarray of shape (n_test, n_features)
        Test features.
    y_test : ndarray of shape (n_test,)
        Test labels.
    n_labels : int
        Size of the random labelled subset (1 to n_train).
    n_repeats : int, default=5
        Number of random subsets to average over.
    rng : int, numpy Generator or None, default=None
        Seed for the subsets; with the same seed every feature set gets the
        same subsets.

    Returns
    -------
    float
        Accuracy on ``(F_test, y_test)``, averaged over the repeats.

    Examples
    --------
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
    y_train = check_array(y_train, "y_train", shape=(len(F_train),))
    y_test = check_array(y_test, "y_test", shape=(len(F_test),))
    n_labels = check_int(n_labels, "n_labels", 1)
    if n_labels > len(y_train):
        raise ValueError(
            f"n_labels must be <= {len(y_train)} (training set size), "
            f"got {n_labels}"
        )
    n_repeats = check_int(n_repeats, "n_repeats", 1)
    rng = as_rng(rng)
    scores = []
    # these fits are tiny: one BLAS thread avoids oversubscribing the CPU
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(n_repeats):
            idx = rng.permutation(len(y_train))[:n_labels]
            clf = LogisticRegression(max_iter=2000)
            clf.fit(F_train[idx], y_train[idx])
            scores.append(clf.score(F_test, y_test))
    return float(np.mean(scores))
