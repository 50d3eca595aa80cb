"""Restricted Boltzmann machines trained by contrastive divergence.

Taught in lesson 1.3 (docs/physics/rbm.md).

A Bernoulli RBM couples binary visible units ``v`` (pixels) to binary hidden
units ``h`` (features) through the energy

    E(v, h) = -a.v - b.h - v.W h,        p(v, h) = exp(-E(v, h)) / Z.

There are no visible-visible or hidden-hidden couplings (the graph is
bipartite), so given one layer the units of the other are independent and a
whole layer is sampled at once (block Gibbs sampling):

    p(h_j = 1 | v) = sigma(b_j + (v W)_j),   p(v_i = 1 | h) = sigma(a_i + (W h)_i).

Training follows the log-likelihood gradient <v_i h_j>_data - <v_i h_j>_model,
with the model term estimated by a short Gibbs chain: k steps started at the
data (CD-k, Hinton 2002) or a chain carried over from one minibatch to the
next (persistent CD, Tieleman 2008). There is no backpropagation anywhere.

Names follow scikit-learn's ``BernoulliRBM``: ``components_`` is ``W.T``, of
shape (n_components, n_features); ``intercept_visible_`` is ``a`` and
``intercept_hidden_`` is ``b``.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from scipy.special import expit, logsumexp

from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_binary,
    check_float,
    check_int,
)

#: Largest hidden layer for which ``log_partition`` enumerates 2**n states.
MAX_EXACT_HIDDEN = 20


def binarized_digits(threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Return scikit-learn's 8x8 digits as binary pixels and their labels.

    Parameters
    ----------
    threshold : float, default=0.5
        A pixel is 1 where its grey level / 16 exceeds ``threshold``.

    Returns
    -------
    X : ndarray of shape (1797, 64)
        Pixels in {0, 1} (float64).
    y : ndarray of shape (1797,)
        Digit labels 0-9.

    Examples
    --------
    >>> X, y = binarized_digits()
    >>> X.shape, np.unique(X).tolist()
    ((1797, 64), [0.0, 1.0])
    """
    from sklearn.datasets import load_digits

    threshold = check_float(threshold, "threshold", minimum=0.0, maximum=1.0)
    digits = load_digits()
    return (digits.data / 16 > threshold).astype(np.float64), digits.target


def _check_visible(x: object, name: str, n_features: int | None = None,
                   bits: bool = False) -> np.ndarray:
    """A C-contiguous float array of shape (n_samples, n_features) in [0, 1]."""
    v = check_binary(x, name, ndim=2)
    if n_features is not None and v.shape[1] != n_features:
        raise ValueError(
            f"{name} must have {n_features} columns (features), got {v.shape[1]}"
        )
    if bits and np.any((v != 0) & (v != 1)):
        raise ValueError(f"{name} must contain only 0 and 1")
    return np.ascontiguousarray(v)


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|), stable for any x."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _sigmoid_affine(x: np.ndarray, W: np.ndarray, c: np.ndarray,
                    out: np.ndarray) -> np.ndarray:
    """out = sigma(x W + c), computed in place."""
    np.matmul(x, W, out=out)
    out += c
    return expit(out, out=out)


def _sample(p: np.ndarray, rng: np.random.Generator, out: np.ndarray,
            u: np.ndarray) -> np.ndarray:
    """out = 1[u < p] with u ~ U(0, 1): one Bernoulli draw per unit."""
    rng.random(out=u)
    return np.less(u, p, out=out)


class RBM:
    """Bernoulli restricted Boltzmann machine trained with CD-k or PCD.

    Taught in lesson 1.3 (docs/physics/rbm.md).

    Parameters
    ----------
    n_components : int, default=64
        Number of binary hidden units.
    learning_rate : float, default=0.1
        Step size of the parameter updates (> 0).
    batch_size : int, default=10
        Examples per minibatch; also the number of persistent chains.
    n_iter : int, default=10
        Passes (epochs) over the training data; 0 only initialises.
    k : int, default=1
        Gibbs steps per update (the k of CD-k).
    persistent : bool, default=False
        If True, keep the negative Gibbs chains between minibatches (PCD);
        otherwise restart them at the data (CD-k).
    random_state : int, numpy Generator or None, default=None
        Seed for the initial weights, the Gibbs chains and the bit flips of
        ``score_samples``.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Weights ``W.T``.
    intercept_hidden_ : ndarray of shape (n_components,)
        Hidden biases ``b``.
    intercept_visible_ : ndarray of shape (n_features,)
        Visible biases ``a``.
    h_chain_ : ndarray of shape (batch_size, n_components)
        State of the persistent chains (used when ``persistent=True``).

    Notes
    -----
    One update with a minibatch ``v0`` and chain states ``(v, h)`` is

    .. math:: \\Delta W = \\varepsilon\\,\\big(\\langle v_0\\, p(h|v_0)^\\top
              \\rangle - \\langle v\\, p(h|v)^\\top\\rangle\\big).

    References
    ----------
    P. Smolensky (1986), in *Parallel Distributed Processing* vol. 1, MIT Press.
    G. E. Hinton (2002), *Neural Computation* 14(8), 1771-1800.
    T. Tieleman (2008), *ICML*, 1064-1071.

    Examples
    --------
    >>> X, _ = binarized_digits()
    >>> rbm = RBM(n_components=16, n_iter=2, random_state=0).fit(X)
    >>> rbm.transform(X[:3]).shape
    (3, 16)
    """

    def __init__(self, n_components: int = 64, learning_rate: float = 0.1,
                 batch_size: int = 10, n_iter: int = 10, k: int = 1,
                 persistent: bool = False, random_state: RngLike = None) -> None:
        self.n_components = check_int(n_components, "n_components", 1)
        self.learning_rate = check_float(learning_rate, "learning_rate",
                                         minimum=0.0, strict=True)
        self.batch_size = check_int(batch_size, "batch_size", 1)
        self.n_iter = check_int(n_iter, "n_iter", 0)
        self.k = check_int(k, "k", 1)
        if not isinstance(persistent, (bool, np.bool_)):
            raise TypeError(
                f"persistent must be a bool, got {type(persistent).__name__}"
            )
        self.persistent = bool(persistent)
        as_rng(random_state, "random_state")  # type check only
        self.random_state = random_state

    def __repr__(self) -> str:
        return (f"RBM(n_components={self.n_components}, k={self.k}, "
                f"persistent={self.persistent})")

    # ------------------------------------------------------------ training
    def fit(self, X: np.ndarray) -> RBM:
        """Train with CD-k (or PCD-k) for ``n_iter`` epochs.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Training data in [0, 1] (binary pixels or probabilities). Not
            modified. Minibatches are taken in order, as in scikit-learn.

        Returns
        -------
        self : RBM
            The fitted model; parameters are re-initialised on every call.
        """
        X = _check_visible(X, "X")
        rng = as_rng(self.random_state, "random_state")
        (n_samples, n_features), H = X.shape, self.n_components
        # W_ij ~ N(0, 0.01^2); a = b = 0
        W = rng.normal(0.0, 0.01, size=(n_features, H))
        self.components_ = np.ascontiguousarray(W.T)
        self.intercept_visible_ = np.zeros(n_features)
        self.intercept_hidden_ = np.zeros(H)
        self.h_chain_ = np.zeros((self.batch_size, H))
        self._rng = rng
        buf = self._buffers(n_features)
        B = self.batch_size
        for _ in range(self.n_iter):
            for start in range(0, n_samples, B):
                self._update(X[start:start + B], rng, buf)
        return self

    def _buffers(self, n_features: int) -> SimpleNamespace:
        """Work arrays reused by every minibatch (rows = batch_size)."""
        B, H, D = self.batch_size, self.n_components, n_features
        return SimpleNamespace(
            ph0=np.empty((B, H)), h=np.empty((B, H)), ph=np.empty((B, H)),
            v=np.empty((B, D)), uh=np.empty((B, H)), uv=np.empty((B, D)),
            dW=np.empty((H, D)),
        )

    def _update(self, v0: np.ndarray, rng: np.random.Generator,
                buf: SimpleNamespace) -> None:
        """One CD-k / PCD-k parameter update from the minibatch ``v0``."""
        Wt = self.components_                    # W.T: [n_hidden, n_visible]
        a, b = self.intercept_visible_, self.intercept_hidden_
        m = v0.shape[0]
        # positive phase: p(h=1|v0) = sigma(v0 W + b)      [m, n_hidden]
        ph0 = _sigmoid_affine(v0, Wt.T, b, buf.ph0[:m])
        # chain start: h ~ p(h|v0) (CD) or the persistent chains (PCD)
        if self.persistent:
            h = self.h_chain_
        else:
            h = _sample(ph0, rng, buf.h[:m], buf.uh[:m])
        n = h.shape[0]
        v, ph, uh, uv = buf.v[:n], buf.ph[:n], buf.uh[:n], buf.uv[:n]
        for step in range(self.k):
            # v ~ p(v|h) = sigma(h W.T + a), then p(h=1|v) = sigma(v W + b)
            _sample(_sigmoid_affine(h, Wt, a, v), rng, v, uv)
            _sigmoid_affine(v, Wt.T, b, ph)
            if self.persistent or step < self.k - 1:
                _sample(ph, rng, h, uh)
        lr = self.learning_rate
        # dW.T = lr (p(h|v0).T v0 / m - p(h|v).T v / n)
        np.matmul(ph0.T, v0, out=buf.dW)
        buf.dW *= lr / m
        Wt += buf.dW
        np.matmul(ph.T, v, out=buf.dW)
        buf.dW *= lr / n
        Wt -= buf.dW
        # da = lr (<v0> - <v>),  db = lr (<p(h|v0)> - <p(h|v)>)
        a += (lr / m) * v0.sum(axis=0) - (lr / n) * v.sum(axis=0)
        b += (lr / m) * ph0.sum(axis=0) - (lr / n) * ph.sum(axis=0)

    # ----------------------------------------------------------- inference
    def _check_fitted(self) -> None:
        if not hasattr(self, "components_"):
            raise ValueError("this RBM is not fitted yet: call fit(X) first")

    def _visible(self, X: object, name: str, bits: bool = False) -> np.ndarray:
        self._check_fitted()
        return _check_visible(X, name, self.components_.shape[1], bits)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Hidden probabilities p(h=1|v), the RBM's features of ``X``.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Visible vectors in [0, 1].

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        v = self._visible(X, "X")
        # p(h=1|v) = sigma(v W + b)
        return expit(v @ self.components_.T + self.intercept_hidden_)

    def gibbs(self, v: np.ndarray) -> np.ndarray:
        """One block-Gibbs step: draw h ~ p(h|v), then v' ~ p(v|h).

        Uses the generator created by ``fit``, so repeated calls continue one
        random stream.

        Parameters
        ----------
        v : array_like of shape (n_samples, n_features)
            Visible states in [0, 1] to start from.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            The new visible states, 0.0 or 1.0.
        """
        v = self._visible(v, "v")
        Wt, rng = self.components_, self._rng
        # h ~ p(h|v) = sigma(v W + b);  v' ~ p(v|h) = sigma(h W.T + a)
        ph = expit(v @ Wt.T + self.intercept_hidden_)
        h = (rng.random(ph.shape) < ph).astype(np.float64)
        pv = expit(h @ Wt + self.intercept_visible_)
        return (rng.random(pv.shape) < pv).astype(np.float64)

    def free_energy(self, v: np.ndarray) -> np.ndarray:
        """Free energy F(v) = -log sum_h exp(-E(v, h)), so p(v) = exp(-F)/Z.

        Parameters
        ----------
        v : array_like of shape (n_samples, n_features)
            Visible vectors in [0, 1].

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        v = self._visible(v, "v")
        return self._free_energy(v)

    def _free_energy(self, v: np.ndarray) -> np.ndarray:
        # F(v) = -a.v - sum_j softplus(b_j + (v W)_j)
        x = v @ self.components_.T + self.intercept_hidden_
        return -(v @ self.intercept_visible_) - _softplus(x).sum(axis=1)

    # ---------------------------------------------------------- likelihood
    def score_samples(self, X: np.ndarray,
                      flip: np.ndarray | None = None) -> np.ndarray:
        """One-flip pseudo-log-likelihood estimate, defined as in scikit-learn.

        The score is ``n_features * log sigma(F(v~) - F(v))`` where ``v~`` is
        ``v`` with bit ``i`` flipped; its mean over ``i`` is
        `pseudo_log_likelihood`.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Binary visible vectors (only 0 and 1).
        flip : array_like of int, shape (n_samples,), optional
            The bit to flip in each sample. By default drawn uniformly with a
            generator made from ``random_state`` (the same flips on every
            call for an int seed).

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        v = self._visible(X, "X", bits=True)
        n_samples, n_features = v.shape
        if flip is None:
            rng = as_rng(self.random_state, "random_state")
            flip = rng.integers(0, n_features, size=n_samples)
        flip = check_array(flip, "flip", shape=(n_samples,), dtype=np.int64)
        if np.any((flip < 0) | (flip >= n_features)):
            raise ValueError(f"flip must contain indices in [0, {n_features})")
        rows = np.arange(n_samples)
        v_flip = v.copy()
        v_flip[rows, flip] = 1.0 - v_flip[rows, flip]
        # log sigma(x) = -softplus(-x),  x = F(v~) - F(v)
        dF = self._free_energy(v_flip) - self._free_energy(v)
        return -n_features * _softplus(-dF)

    def pseudo_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        """Exact pseudo-log-likelihood sum_i log p(v_i | v_-i), all bits flipped.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Binary visible vectors (only 0 and 1).

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        v = self._visible(X, "X", bits=True)
        Wt, a = self.components_, self.intercept_visible_
        x = v @ Wt.T + self.intercept_hidden_        # [n_samples, n_hidden]
        sp_x = _softplus(x).sum(axis=1)
        total = np.zeros(v.shape[0])
        for i in range(v.shape[1]):
            d = 1.0 - 2.0 * v[:, i]                  # +1 turns 0->1, -1 1->0
            # F(v~) - F(v) = -a_i d - sum_j [sp(x_j + d W_ij) - sp(x_j)]
            x_i = x + d[:, None] * Wt[:, i]
            dF = -a[i] * d - _softplus(x_i).sum(axis=1) + sp_x
            total -= _softplus(-dF)
        return total

    def log_partition(self) -> float:
        """Exact log Z, summing over all 2**n_components hidden states.

        The visible units are summed out analytically:
        log Z = logsumexp_h [ b.h + sum_i softplus(a_i + (W h)_i) ].

        Returns
        -------
        float

        Raises
        ------
        ValueError
            If ``n_components > 20`` (over a million hidden states).
        """
        self._check_fitted()
        H = self.n_components
        if H > MAX_EXACT_HIDDEN:
            raise ValueError(
                f"n_components must be <= {MAX_EXACT_HIDDEN} to enumerate "
                f"2**n_components hidden states exactly, got {H}"
            )
        bits = np.arange(H)
        parts = []
        for start in range(0, 2**H, 4096):
            idx = np.arange(start, min(start + 4096, 2**H))
            h = ((idx[:, None] >> bits) & 1).astype(np.float64)  # [n_states, H]
            x = h @ self.components_ + self.intercept_visible_
            parts.append(logsumexp(h @ self.intercept_hidden_
                                   + _softplus(x).sum(axis=1)))
        return float(logsumexp(parts))

    def log_likelihood(self, X: np.ndarray) -> np.ndarray:
        """Exact log-likelihood log p(v) = -F(v) - log Z, in nats.

        Only for small models (``n_components <= 20``), see
        `log_partition`.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Binary visible vectors (only 0 and 1).

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        v = self._visible(X, "X", bits=True)
        return -self._free_energy(v) - self.log_partition()
