"""Restricted Boltzmann machines: contrastive divergence and likelihoods.

A Bernoulli RBM couples binary visible units ``v`` to binary hidden units
``h`` through the energy

    E(v, h) = -a·v - b·h - v·W h,        p(v, h) = exp(-E(v, h)) / Z.

The graph is bipartite, so given one layer the units of the other are
independent and a whole layer is sampled at once (block Gibbs sampling):
``p(h_j = 1 | v) = σ(b_j + (vW)_j)``, ``p(v_i = 1 | h) = σ(a_i + (W h)_i)``.
Training follows ``<v_i h_j>_data - <v_i h_j>_model`` with the model term
from a short Gibbs chain: CD-k or persistent CD. No backpropagation.
``log Z`` is exact by enumerating the hidden states (few hidden units) or
estimated by annealed importance sampling (any size).

Names follow scikit-learn's ``BernoulliRBM``: ``components_`` is ``W.T``
(n_components, n_features), ``intercept_visible_`` is ``a``,
``intercept_hidden_`` is ``b``.

Taught in lesson 1.3.
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
    """scikit-learn's 8×8 digits as binary pixels ``(1797, 64)`` and labels.

    A pixel is 1 where its grey level / 16 exceeds ``threshold``.

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
    """A C-contiguous float array (n_samples, n_features) in [0, 1]."""
    v = check_binary(x, name, ndim=2)
    if n_features is not None and v.shape[1] != n_features:
        raise ValueError(f"{name} must have {n_features} columns (features), "
                         f"got {v.shape[1]}")
    if bits and np.any((v != 0) & (v != 1)):
        raise ValueError(f"{name} must contain only 0 and 1")
    return np.ascontiguousarray(v)


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x), stable for any x."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _sigmoid_affine(x, W, c, out):
    """out = σ(x W + c), in place."""
    np.matmul(x, W, out=out)
    out += c
    return expit(out, out=out)


def _sample(p, rng, out, u):
    """out = 1[u < p], u ~ U(0, 1): one Bernoulli draw per unit."""
    rng.random(out=u)
    return np.less(u, p, out=out)


class RBM:
    """Bernoulli restricted Boltzmann machine trained with CD-k or PCD.

    Parameters: ``n_components`` hidden units, ``learning_rate`` (> 0),
    ``batch_size`` (also the number of persistent chains), ``n_iter``
    epochs (0 only initialises), ``k`` Gibbs steps per update,
    ``persistent`` (PCD instead of CD-k), ``random_state``. One update with
    a minibatch ``v0`` and chain states ``v`` is
    ``ΔW = ε (<v0 p(h|v0)ᵀ> - <v p(h|v)ᵀ>)``.
    References: `smolensky1986`, `hinton2002`, `tieleman2008`

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
                f"persistent must be a bool, got {type(persistent).__name__}")
        self.persistent = bool(persistent)
        as_rng(random_state, "random_state")  # type check only
        self.random_state = random_state

    def __repr__(self) -> str:
        return (f"RBM(n_components={self.n_components}, k={self.k}, "
                f"persistent={self.persistent})")

    # ------------------------------------------------------------ training
    def fit(self, X: np.ndarray) -> RBM:
        """Train for ``n_iter`` epochs on ``X`` in [0, 1] (re-initialises)."""
        X = _check_visible(X, "X")
        rng = as_rng(self.random_state, "random_state")
        (n_samples, D), H, B = X.shape, self.n_components, self.batch_size
        # W_ij ~ N(0, 0.01²); a = b = 0
        self.components_ = np.ascontiguousarray(rng.normal(0.0, 0.01,
                                                           (D, H)).T)
        self.intercept_visible_ = np.zeros(D)
        self.intercept_hidden_ = np.zeros(H)
        self.h_chain_ = np.zeros((B, H))
        self._rng = rng
        buf = self._buffers(D)
        for _ in range(self.n_iter):
            for start in range(0, n_samples, B):
                self._update(X[start:start + B], rng, buf)
        return self

    def _buffers(self, D: int) -> SimpleNamespace:
        """Work arrays reused by every minibatch (rows = batch_size)."""
        B, H = self.batch_size, self.n_components
        return SimpleNamespace(
            ph0=np.empty((B, H)), h=np.empty((B, H)), ph=np.empty((B, H)),
            v=np.empty((B, D)), uh=np.empty((B, H)), uv=np.empty((B, D)),
            dW=np.empty((H, D)))

    def _update(self, v0, rng, buf) -> None:
        """One CD-k / PCD-k parameter update from the minibatch ``v0``."""
        Wt = self.components_                  # Wᵀ: [n_hidden, n_visible]
        a, b, m = self.intercept_visible_, self.intercept_hidden_, len(v0)
        # positive phase: p(h=1|v0) = σ(v0 W + b): [m, n_hidden]
        ph0 = _sigmoid_affine(v0, Wt.T, b, buf.ph0[:m])
        # chain start: h ~ p(h|v0) (CD) or the persistent chains (PCD)
        h = (self.h_chain_ if self.persistent
             else _sample(ph0, rng, buf.h[:m], buf.uh[:m]))
        n = h.shape[0]
        v, ph, uh, uv = buf.v[:n], buf.ph[:n], buf.uh[:n], buf.uv[:n]
        for step in range(self.k):
            # v ~ σ(h Wᵀ + a), then p(h=1|v) = σ(v W + b)
            _sample(_sigmoid_affine(h, Wt, a, v), rng, v, uv)
            _sigmoid_affine(v, Wt.T, b, ph)
            if self.persistent or step < self.k - 1:
                _sample(ph, rng, h, uh)
        lr = self.learning_rate
        # ΔWᵀ = ε (p(h|v0)ᵀ v0 / m - p(h|v)ᵀ v / n)
        np.matmul(ph0.T, v0, out=buf.dW)
        buf.dW *= lr / m
        Wt += buf.dW
        np.matmul(ph.T, v, out=buf.dW)
        buf.dW *= lr / n
        Wt -= buf.dW
        # Δa = ε (<v0> - <v>),  Δb = ε (<p(h|v0)> - <p(h|v)>)
        a += (lr / m) * v0.sum(axis=0) - (lr / n) * v.sum(axis=0)
        b += (lr / m) * ph0.sum(axis=0) - (lr / n) * ph.sum(axis=0)

    # ----------------------------------------------------------- inference
    def _params(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(Wᵀ, a, b), checked: set by ``fit`` or by hand with matching shapes."""
        names = ("components_", "intercept_visible_", "intercept_hidden_")
        if not all(hasattr(self, n) for n in names):
            raise ValueError("this RBM is not fitted yet: call fit(X) first "
                             "(or set components_, intercept_visible_ and "
                             "intercept_hidden_)")
        Wt = check_array(self.components_, "components_", ndim=2)
        H, D = Wt.shape
        a = check_array(self.intercept_visible_, "intercept_visible_",
                        shape=(D,))
        b = check_array(self.intercept_hidden_, "intercept_hidden_",
                        shape=(H,))
        return Wt, a, b

    def _visible(self, X: object, name: str, bits: bool = False) -> np.ndarray:
        return _check_visible(X, name, self._params()[0].shape[1], bits)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Hidden probabilities ``p(h=1|v) = σ(vW + b)``: (n_samples, n_components)."""
        v = self._visible(X, "X")
        Wt, _, b = self._params()
        return expit(v @ Wt.T + b)

    def gibbs(self, v: np.ndarray) -> np.ndarray:
        """One block-Gibbs step ``h ~ p(h|v)``, ``v' ~ p(v|h)``: new 0/1 states.

        Uses the generator of ``fit`` (or, for parameters set by hand, one
        made from ``random_state`` on first use), so calls continue one stream.
        """
        v = self._visible(v, "v")
        Wt, a, b = self._params()
        if not hasattr(self, "_rng"):
            self._rng = as_rng(self.random_state, "random_state")
        rng = self._rng
        h = (rng.random((len(v), len(b))) < expit(v @ Wt.T + b)) * 1.0
        return (rng.random(v.shape) < expit(h @ Wt + a)) * 1.0

    def free_energy(self, v: np.ndarray) -> np.ndarray:
        """``F(v) = -log Σ_h e^{-E(v,h)}``, so ``p(v) = e^{-F(v)} / Z``."""
        return self._free_energy(self._visible(v, "v"))

    def _free_energy(self, v: np.ndarray) -> np.ndarray:
        # F(v) = -a·v - Σ_j softplus(b_j + (vW)_j)
        Wt, a, b = self._params()
        return -(v @ a) - _softplus(v @ Wt.T + b).sum(axis=1)

    # ---------------------------------------------------------- likelihood
    def score_samples(self, X: np.ndarray,
                      flip: np.ndarray | None = None) -> np.ndarray:
        """One-flip pseudo-log-likelihood ``D log σ(F(ṽ) - F(v))``, as scikit-learn's.

        ``ṽ`` is ``v`` with bit ``flip[n]`` flipped (default: drawn from
        ``random_state``). References: `besag1975`
        """
        v = self._visible(X, "X", bits=True)
        n_samples, D = v.shape
        if flip is None:
            flip = as_rng(self.random_state, "random_state").integers(
                0, D, size=n_samples)
        flip = np.asarray(flip)
        if flip.dtype == bool or not np.issubdtype(flip.dtype, np.integer):
            raise TypeError(f"flip must be an array of ints, got dtype "
                            f"{flip.dtype}")
        if flip.shape != (n_samples,):
            raise ValueError(f"flip must have shape ({n_samples},), "
                             f"got {flip.shape}")
        if np.any((flip < 0) | (flip >= D)):
            raise ValueError(f"flip must contain indices in [0, {D})")
        rows = np.arange(n_samples)
        v_flip = v.copy()
        v_flip[rows, flip] = 1.0 - v_flip[rows, flip]
        # log σ(x) = -softplus(-x),  x = F(ṽ) - F(v)
        dF = self._free_energy(v_flip) - self._free_energy(v)
        return -D * _softplus(-dF)

    def pseudo_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        """Exact pseudo-log-likelihood ``Σ_i log p(v_i | v_-i)``, every bit flipped.

        References: `besag1975`
        """
        v = self._visible(X, "X", bits=True)
        Wt, a, b = self._params()
        x = v @ Wt.T + b                       # [n_samples, n_hidden]
        sp_x = _softplus(x).sum(axis=1)
        total = np.zeros(v.shape[0])
        for i in range(v.shape[1]):
            d = 1.0 - 2.0 * v[:, i]            # +1 turns 0 -> 1, -1 1 -> 0
            # F(ṽ) - F(v) = -a_i d - Σ_j [sp(x_j + d W_ij) - sp(x_j)]
            dF = -a[i] * d - _softplus(x + d[:, None] * Wt[:, i]).sum(1) + sp_x
            total -= _softplus(-dF)
        return total

    def log_partition(self) -> float:
        """Exact ``log Z = logsumexp_h [b·h + Σ_i softplus(a_i + (Wh)_i)]``.

        Sums over all ``2**n_components`` hidden states (at most
        ``MAX_EXACT_HIDDEN``); for larger models use `log_partition_ais`.
        """
        Wt, a, b = self._params()
        H = Wt.shape[0]
        if H > MAX_EXACT_HIDDEN:
            raise ValueError(
                f"n_components must be <= {MAX_EXACT_HIDDEN} to enumerate "
                f"2**n_components hidden states exactly, got {H}; use "
                "log_partition_ais")
        parts = []
        for start in range(0, 2**H, 4096):
            idx = np.arange(start, min(start + 4096, 2**H))
            h = ((idx[:, None] >> np.arange(H)) & 1).astype(float)  # [n, H]
            parts.append(logsumexp(h @ b + _softplus(h @ Wt + a).sum(1)))
        return float(logsumexp(parts))

    def log_partition_ais(self, n_runs: int = 100, n_betas: int = 1000,
                          X: np.ndarray | None = None,
                          rng: RngLike = None) -> tuple[float, float]:
        """``log Z`` by annealed importance sampling, with its standard error.

        Anneals from a base model with no weights (visible biases from the
        pixel frequencies of ``X``, else 0) to this RBM through
        ``p_β(v) ∝ e^{(1-β) a_A·v + β a·v} Π_j (1 + e^{β(b_j + (vW)_j)})``,
        ``β`` from 0 to 1 in ``n_betas`` steps, one Gibbs step per ``β``.
        Each of ``n_runs`` runs has a log-weight
        ``Σ_k log p*_k(v_k) - log p*_{k-1}(v_k)``; ``Z = Z_A · mean(w)``.
        The error is the delta-method standard error of ``log mean(w)``.
        References: `neal2001`, `salakhutdinov2008`

        >>> rbm = RBM(n_components=6, n_iter=2, random_state=0).fit(
        ...     binarized_digits()[0])
        >>> log_Z, err = rbm.log_partition_ais(rng=0)
        >>> bool(abs(log_Z - rbm.log_partition()) < 4 * err)
        True
        """
        Wt, a, b = self._params()
        n_runs = check_int(n_runs, "n_runs", minimum=2)
        n_betas = check_int(n_betas, "n_betas", minimum=2)
        rng = as_rng(rng)
        H, D = Wt.shape
        a_A = np.zeros(D)
        if X is not None:  # base rates of the data (Salakhutdinov & Murray)
            p = self._visible(X, "X").mean(axis=0)
            a_A = np.log(np.clip(p, 1e-3, 1 - 1e-3) / np.clip(1 - p, 1e-3, 1))

        def log_p(v, beta):  # log p*_β(v), hidden units summed out: [n_runs]
            return ((1 - beta) * (v @ a_A) + beta * (v @ a)
                    + _softplus(beta * (v @ Wt.T + b)).sum(axis=1))

        # log Z_A = Σ_i softplus(a_A,i) + H log 2 (β = 0: hidden units free)
        log_Z_A = _softplus(a_A).sum() + H * np.log(2.0)
        v = (rng.random((n_runs, D)) < expit(a_A)) * 1.0   # v_1 ~ p_0
        log_w = np.zeros(n_runs)
        betas = np.linspace(0.0, 1.0, n_betas)
        for beta_prev, beta in zip(betas[:-1], betas[1:]):
            log_w += log_p(v, beta) - log_p(v, beta_prev)
            # one Gibbs step that leaves p_β invariant
            h = rng.random((n_runs, H)) < expit(beta * (v @ Wt.T + b))
            x = (1 - beta) * a_A + beta * (a + h @ Wt)
            v = (rng.random((n_runs, D)) < expit(x)) * 1.0
        # log mean(w) and its delta-method error sd(w) / (mean(w) √n_runs)
        log_mean = logsumexp(log_w) - np.log(n_runs)
        w = np.exp(log_w - log_mean)
        return float(log_Z_A + log_mean), float(w.std(ddof=1) / np.sqrt(n_runs))

    def log_likelihood(self, X: np.ndarray,
                       log_Z: float | None = None) -> np.ndarray:
        """``log p(v) = -F(v) - log Z`` in nats (exact ``log Z`` by default)."""
        v = self._visible(X, "X", bits=True)
        if log_Z is None:
            log_Z = self.log_partition()
        else:
            log_Z = check_float(log_Z, "log_Z")
        return -self._free_energy(v) - log_Z
