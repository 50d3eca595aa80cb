"""Sparsity, inductive bias and the No Free Lunch theorem.

Taught in lesson 1.8.

Three small experiments, one message: a learner generalises only through
assumptions about the target that the data alone do not give it.

- Sparse codes. A signal y = D a made of a few atoms (columns of D) is
  recovered from fewer measurements than atoms by the L1-penalised least
  squares problem, solved with ISTA. The L2 (ridge) penalty fits y as well
  but spreads the code over every atom: its code is a linear function of y,
  shrunk along the singular directions of D, and no entry is exactly zero.
- No Free Lunch. Averaged uniformly over all boolean functions on a finite
  domain, every learner has off-training-set accuracy exactly 1/2. A prior
  exp(-beta E(f)) favouring smooth targets (an Ising energy on the
  hypercube) makes nearest neighbour win and its opposite lose.
- Pure noise. A flexible model fits randomly relabelled data perfectly, yet
  its test accuracy stays at chance.

References: `tibshirani1996`, `daubechies2004`, `hastie2009`, `wolpert1996`,
`zhang2017`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
)

__all__ = [
    "boolean_functions",
    "cube_energy",
    "fit_with_corrupted_labels",
    "ista",
    "lasso_objective",
    "majority_vote",
    "make_sparse_problem",
    "nearest_neighbour",
    "off_training_set_accuracy",
    "opposite",
    "ridge",
    "soft_threshold",
]

#: A learner maps (X_train, y_train, X_test) to 0/1 predictions on X_test.
Learner = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _check_integers(x: object, name: str, **kw) -> np.ndarray:
    """An integer-valued array (floats such as 2.0 allowed, 2.5 refused)."""
    a = check_array(x, name, **kw)
    if np.any(a != np.round(a)):
        raise ValueError(f"{name} must hold integers, got {a[a != np.round(a)][0]:g}")
    return a.astype(int)


# ------------------------------------------------------------ sparse codes
def soft_threshold(x: np.ndarray, t: float) -> np.ndarray:
    """Soft thresholding S_t(x) = sign(x) max(|x| - t, 0), the prox of t |x|.

    Entries with |x| <= t become exactly 0; the rest move towards 0 by t.

    References: `daubechies2004`.

    Examples
    --------
    >>> soft_threshold([-2.0, -0.5, 0.3, 1.5], 1.0).tolist()
    [-1.0, 0.0, 0.0, 0.5]
    """
    x = check_array(x, "x")
    t = check_float(t, "t", minimum=0.0)
    # S_t(x) = sign(x) max(|x| - t, 0); "+ 0.0" turns -0.0 into 0.0
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0) + 0.0


def _check_problem(D, y, a=None):
    """Validate D: [m, n], y: [m] and optionally a: [n]."""
    D = check_array(D, "D", ndim=2)
    if D.size == 0:
        raise ValueError(f"D must not be empty, got shape {D.shape}")
    y = check_array(y, "y", shape=(D.shape[0],))
    if a is None:
        return D, y
    return D, y, check_array(a, "a", shape=(D.shape[1],))


def _objective(D, y, a, lam) -> float:
    # F(a) = 1/2 ||y - D a||^2 + lambda ||a||_1
    r = y - D @ a
    return float(0.5 * r @ r + lam * np.abs(a).sum())


def lasso_objective(D: np.ndarray, y: np.ndarray, a: np.ndarray,
                    lam: float) -> float:
    """F(a) = 1/2 ||y - D a||^2 + lam ||a||_1 for D: [m, n], y: [m], a: [n].

    References: `tibshirani1996`.

    Examples
    --------
    >>> print(lasso_objective(np.eye(2), [1.0, 0.0], [1.0, 0.0], 0.5))
    0.5
    """
    D, y, a = _check_problem(D, y, a)
    return _objective(D, y, a, check_float(lam, "lam", minimum=0.0))


def ista(D: np.ndarray, y: np.ndarray, lam: float, n_iter: int = 500,
         history: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Sparse code by ISTA (iterative soft thresholding), from a = 0.

    Parameters
    ----------
    D : array_like of shape (n_features, n_atoms)
    y : array_like of shape (n_features,)
    lam : float
        L1 weight (>= 0).
    n_iter : int, default 500
    history : bool, default False
        Also return F(a) at the start and after every iteration.

    Returns
    -------
    a : ndarray of shape (n_atoms,)
    objective : ndarray of shape (n_iter + 1,), only if `history`
        Non-increasing, since the step is 1 / L.

    Notes
    -----
    a <- S_{lam/L}(a + D^T (y - D a) / L), L = ||D||_2^2.

    References: `daubechies2004`, `beck2009`.

    Examples
    --------
    >>> ista(np.eye(3), [3.0, 0.2, -1.0], lam=0.5).tolist()
    [2.5, 0.0, -0.5]
    """
    D, y = _check_problem(D, y)
    lam = check_float(lam, "lam", minimum=0.0)
    n_iter = check_int(n_iter, "n_iter", minimum=0)
    if not isinstance(history, bool):
        raise TypeError(f"history must be a bool, got {type(history).__name__}")
    # L: Lipschitz constant of the gradient of 1/2 ||y - D a||^2
    L = max(np.linalg.norm(D, 2) ** 2, np.finfo(float).tiny)
    a = np.zeros(D.shape[1])  # a: [n_atoms]
    F = [_objective(D, y, a, lam)]
    for _ in range(n_iter):
        # a <- S_{lam/L}(a + D^T (y - D a) / L)
        z = a + D.T @ (y - D @ a) / L
        a = np.sign(z) * np.maximum(np.abs(z) - lam / L, 0.0)
        if history:
            F.append(_objective(D, y, a, lam))
    return (a, np.array(F)) if history else a


def ridge(D: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Ridge (L2-penalised) code, from the SVD of D.

    Parameters
    ----------
    D : array_like of shape (n_features, n_atoms)
    y : array_like of shape (n_features,)
    lam : float
        L2 weight (>= 0); 0 gives the minimum-norm least-squares code.

    Returns
    -------
    ndarray of shape (n_atoms,)
        argmin_a 1/2 ||y - D a||^2 + lam/2 ||a||^2.

    Notes
    -----
    With D = U diag(s) V^T, a = V diag(s / (s^2 + lam)) U^T y: the least-
    squares code shrunk by s^2 / (s^2 + lam) along each singular direction.
    Only for orthonormal D (all s = 1) is that one factor 1 / (1 + lam) for
    every coefficient. Singular values below rounding count as 0, so the
    code stays finite however small lam is.

    References: `hastie2009` (section 3.4.1).

    Examples
    --------
    >>> ridge(np.eye(2), [2.0, 0.0], lam=1.0).tolist()
    [1.0, 0.0]
    """
    D, y = _check_problem(D, y)
    lam = check_float(lam, "lam", minimum=0.0)
    U, s, Vt = np.linalg.svd(D, full_matrices=False)
    # singular values below max(m, n) eps s_max are rounding: drop them
    keep = s > max(D.shape) * np.finfo(float).eps * s[0] if s.size else s > 0
    # a = V diag(s / (s^2 + lam)) U^T y
    gain = np.where(keep, s / np.where(keep, s**2 + lam, 1.0), 0.0)
    return Vt.T @ (gain * (U.T @ y))


def make_sparse_problem(n_features: int = 40, n_atoms: int = 100,
                        n_nonzero: int = 5, noise: float = 0.01,
                        rng: RngLike = None
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random unit-norm dictionary D, a sparse code a and y = D a + noise.

    The n_nonzero entries of a have size 1 to 2 and a random sign.

    References: `donoho2006`.

    Examples
    --------
    >>> D, a, y = make_sparse_problem(rng=0)
    >>> D.shape, int((a != 0).sum()), y.shape
    ((40, 100), 5, (40,))
    """
    m = check_int(n_features, "n_features", minimum=1)
    n = check_int(n_atoms, "n_atoms", minimum=1)
    k = check_int(n_nonzero, "n_nonzero", minimum=0)
    if k > n:
        raise ValueError(f"n_nonzero must be <= n_atoms={n}, got {k}")
    noise = check_float(noise, "noise", minimum=0.0)
    rng = as_rng(rng)
    D = rng.standard_normal((m, n))
    D /= np.linalg.norm(D, axis=0)  # unit-norm atoms
    a = np.zeros(n)
    support = rng.choice(n, size=k, replace=False)
    a[support] = rng.choice([-1.0, 1.0], size=k) * rng.uniform(1, 2, size=k)
    return D, a, D @ a + noise * rng.standard_normal(m)


# ----------------------------------------------------------- No Free Lunch
def boolean_functions(n_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """All 2^n inputs of n bits and all 2^(2^n) boolean functions on them.

    Returns X: [2^n, n_bits] (row i is i in binary) and F: [2^(2^n), 2^n]
    with F[j, i] = f_j(X[i]); n_bits from 1 to 4 (65,536 functions).

    References: `wolpert1996`.

    Examples
    --------
    >>> X, F = boolean_functions(2)
    >>> X.shape, F.shape
    ((4, 2), (16, 4))
    """
    n = check_int(n_bits, "n_bits", minimum=1)
    if n > 4:
        raise ValueError(f"n_bits must be <= 4, got {n}")
    N = 2**n
    X = (np.arange(N)[:, None] >> np.arange(n)[::-1]) & 1  # X: [N, n_bits]
    F = (np.arange(2**N)[:, None] >> np.arange(N)) & 1  # F: [2^N, N]
    return X, F


def cube_energy(F: np.ndarray, X: np.ndarray) -> np.ndarray:
    """E(f): the number of hypercube edges along which f changes value.

    An Ising energy of f read as spins on the cube (up to a constant); 0 for
    constant functions. F: [n_functions, n_inputs] of 0/1, X: [n_inputs,
    n_bits] of 0/1.

    Examples
    --------
    >>> X, F = boolean_functions(1)
    >>> cube_energy(F, X).tolist()
    [0, 1, 1, 0]
    """
    X = _check_integers(X, "X", ndim=2)
    F = _check_integers(F, "F", shape=(None, X.shape[0]))
    for a, name in ((X, "X"), (F, "F")):
        if np.any((a != 0) & (a != 1)):
            raise ValueError(f"{name} must hold only 0 and 1")
    # edges: pairs (i, j), i < j, at Hamming distance 1
    d = np.abs(X[:, None, :] - X[None, :, :]).sum(-1)
    i, j = np.nonzero(np.triu(d == 1))
    return (F[:, i] != F[:, j]).sum(axis=1)


def off_training_set_accuracy(learner: Learner, n_bits: int, train: list[int],
                              beta: float = 0.0) -> float:
    """Accuracy off the training set, averaged over all target functions.

    Parameters
    ----------
    learner : callable
        learner(X_train, y_train, X_test) -> one 0/1 prediction per test row.
    n_bits : int
        Input length (1 to 4).
    train : list of int
        Distinct indices of the training inputs (rows of `boolean_functions`),
        leaving at least one input for testing.
    beta : float, default 0.0
        Prior weight exp(-beta E(f)) per target; 0 is the uniform average of
        the No Free Lunch theorem.

    Returns
    -------
    float
        The weighted mean fraction of test inputs predicted right; exactly
        1/2 for every learner when beta = 0.

    References: `wolpert1996`.

    Examples
    --------
    >>> print(off_training_set_accuracy(majority_vote, 2, [0, 1]))
    0.5
    """
    if not callable(learner):
        raise TypeError(f"learner must be callable, got {type(learner).__name__}")
    X, F = boolean_functions(n_bits)
    train = _check_integers(train, "train", ndim=1)
    if (train.size == 0 or len(set(train.tolist())) != train.size
            or train.min() < 0 or train.max() >= len(X) or train.size == len(X)):
        raise ValueError(f"train must hold distinct indices in [0, {len(X)}) "
                         f"leaving at least one test input, got {train.tolist()}")
    beta = check_float(beta, "beta")
    test = np.setdiff1d(np.arange(len(X)), train)
    # hits[f] = number of test inputs x with h_f(x) == f(x)  (integers)
    hits = np.array([np.sum(_predict(learner, X[train], f[train], X[test])
                            == f[test]) for f in F])
    # w(f) = exp(-beta E(f)); at beta = 0 all w = 1 and the sum is exact
    E = cube_energy(F, X)
    w = np.exp(-beta * (E - (E.min() if beta >= 0 else E.max())))
    return float(w @ hits / (w.sum() * len(test)))


def _predict(learner, X_train, y_train, X_test) -> np.ndarray:
    """The learner's predictions, checked: one 0/1 value per test input."""
    p = np.asarray(learner(X_train, y_train, X_test))
    if p.shape != (len(X_test),) or not np.all((p == 0) | (p == 1)):
        raise ValueError(f"learner must return one 0/1 prediction per test "
                         f"input, shape ({len(X_test)},); got shape {p.shape} "
                         f"with values {np.unique(p)[:4].tolist()}")
    return p


def nearest_neighbour(X_train: np.ndarray, y_train: np.ndarray,
                      X_test: np.ndarray) -> np.ndarray:
    """1-nearest-neighbour in Hamming distance (first in order on ties).

    Examples
    --------
    >>> nearest_neighbour(np.array([[0, 0], [1, 1]]), np.array([0, 1]),
    ...                   np.array([[1, 0], [0, 1], [1, 1]])).tolist()
    [0, 0, 1]
    """
    # d[t, i] = Hamming distance between test t and train i
    d = np.abs(X_test[:, None, :] - X_train[None, :, :]).sum(-1)
    return y_train[np.argmin(d, axis=1)]


def majority_vote(X_train: np.ndarray, y_train: np.ndarray,
                  X_test: np.ndarray) -> np.ndarray:
    """Predict the most common training label everywhere (0 on ties)."""
    label = int(2 * np.sum(y_train) > len(y_train))
    return np.full(len(X_test), label)


def opposite(learner: Learner) -> Learner:
    """The anti-learner: predict the opposite of what `learner` predicts."""
    if not callable(learner):
        raise TypeError(f"learner must be callable, got {type(learner).__name__}")

    def anti(X_train, y_train, X_test):
        return 1 - learner(X_train, y_train, X_test)

    anti.__name__ = f"opposite({getattr(learner, '__name__', 'learner')})"
    return anti


# ------------------------------------------------------------- pure noise
def fit_with_corrupted_labels(model, X: np.ndarray, y: np.ndarray,
                              fraction: float, test_fraction: float = 0.5,
                              rng: RngLike = None):
    """Fit a classifier on partly random training labels; test on clean ones.

    Parameters
    ----------
    model : scikit-learn classifier
        Cloned before fitting; the argument is not changed.
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
        Integer class labels.
    fraction : float
        Probability in [0, 1] that a training label is replaced by a class
        drawn uniformly at random; 1 is pure noise.
    test_fraction : float, default 0.5
        Share of samples held out (strictly between 0 and 1).
    rng : None, int or numpy.random.Generator
        For the split and the corruption.

    Returns
    -------
    fitted, train_accuracy, test_accuracy
        The fitted clone, its accuracy on the (corrupted) labels it was
        fitted to, and on the held-out inputs with their true labels.

    References: `zhang2017`.

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> X = np.arange(20.0)[:, None]; y = (X[:, 0] > 9).astype(int)
    >>> _, tr, te = fit_with_corrupted_labels(
    ...     KNeighborsClassifier(1), X, y, 0.0, rng=0)
    >>> print(tr, te)
    1.0 0.9
    """
    from sklearn.base import clone

    X = check_array(X, "X", ndim=2)
    y = _check_integers(y, "y", shape=(X.shape[0],))
    p = check_float(fraction, "fraction", minimum=0.0, maximum=1.0)
    q = check_float(test_fraction, "test_fraction", minimum=0.0, maximum=1.0,
                    strict=True)
    if not hasattr(model, "fit") or not hasattr(model, "score"):
        raise TypeError(f"model must be a scikit-learn classifier, got "
                        f"{type(model).__name__}")
    rng = as_rng(rng)
    n = len(y)
    n_test = round(q * n)
    if not 0 < n_test < n:
        raise ValueError(f"test_fraction={q} leaves an empty split of {n}")
    order = rng.permutation(n)
    tr, te = order[n_test:], order[:n_test]
    # with probability p a training label becomes a uniform random class
    y_tr = y[tr].copy()
    noisy = rng.random(len(tr)) < p
    y_tr[noisy] = rng.choice(np.unique(y), size=int(noisy.sum()))
    fitted = clone(model).fit(X[tr], y_tr)
    return (fitted, float(fitted.score(X[tr], y_tr)),
            float(fitted.score(X[te], y[te])))
