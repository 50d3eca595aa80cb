"""Sparsity, inductive bias and the No Free Lunch theorem.

Taught in lesson 1.8 (docs/physics/sparsity.md).

Three small experiments, one message: a learner generalises only through
assumptions about the target that the data alone do not give it.

- **Sparse codes.** A signal ``y = D a`` made of a few atoms (columns of
  ``D``) is recovered from fewer measurements than atoms by the L1-penalised
  least squares problem, solved with ISTA (iterative soft thresholding). The
  L2 (ridge) penalty fits ``y`` just as well but spreads the code over every
  atom: no coefficient is exactly zero.
- **No Free Lunch.** Averaged uniformly over all boolean functions on a
  finite domain, every learner has off-training-set accuracy exactly 1/2.
  Weighting the targets towards smooth ones (an Ising-like prior on the
  hypercube) makes a nearest-neighbour learner win and its opposite lose.
- **Pure noise.** A flexible model fits randomly relabelled data perfectly,
  yet its test accuracy stays at chance: memorising is not learning.
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

#: A learner maps (X_train, y_train, X_test) to predictions on X_test.
Learner = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


# ------------------------------------------------------------ sparse codes
def soft_threshold(x: np.ndarray, t: float) -> np.ndarray:
    """Soft-thresholding operator, the proximal map of ``t * |x|``.

    Parameters
    ----------
    x : array_like
        Input values.
    t : float
        Threshold, ``>= 0``.

    Returns
    -------
    ndarray of the shape of ``x``
        ``x`` moved towards 0 by ``t``; entries with ``|x| <= t`` become 0.

    Notes
    -----
    .. math:: S_t(x) = \\operatorname{sign}(x)\\,\\max(|x| - t, 0)

    References
    ----------
    D. L. Donoho (1995). De-noising by soft-thresholding. *IEEE Trans.
    Inf. Theory* 41(3), 613–627.

    Examples
    --------
    >>> soft_threshold([-2.0, -0.5, 0.3, 1.5], 1.0).tolist()
    [-1.0, 0.0, 0.0, 0.5]
    """
    x = check_array(x, "x")
    t = check_float(t, "t", minimum=0.0)
    # S_t(x) = sign(x) max(|x| - t, 0); "+ 0.0" turns -0.0 into 0.0
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0) + 0.0


def lasso_objective(D: np.ndarray, y: np.ndarray, a: np.ndarray,
                    lam: float) -> float:
    """L1-penalised least squares ``F(a)``.

    Parameters
    ----------
    D : array_like of shape (n_features, n_atoms)
        Dictionary, one atom per column.
    y : array_like of shape (n_features,)
        Signal.
    a : array_like of shape (n_atoms,)
        Code.
    lam : float
        Penalty weight ``lambda >= 0``.

    Returns
    -------
    float
        The objective value.

    Notes
    -----
    .. math:: F(a) = \\tfrac12\\lVert y - Da\\rVert_2^2
              + \\lambda\\lVert a\\rVert_1

    References
    ----------
    R. Tibshirani (1996). Regression shrinkage and selection via the lasso.
    *J. R. Stat. Soc. B* 58(1), 267–288.

    Examples
    --------
    >>> print(lasso_objective(np.eye(2), [1.0, 0.0], [1.0, 0.0], 0.5))
    0.5
    """
    D, y, a = _check_problem(D, y, a)
    lam = check_float(lam, "lam", minimum=0.0)
    return _objective(D, y, a, lam)


def _objective(D, y, a, lam) -> float:
    # F(a) = 1/2 ||y - D a||^2 + lambda ||a||_1
    r = y - D @ a
    return float(0.5 * r @ r + lam * np.abs(a).sum())


def _check_problem(D, y, a=None):
    """Validate ``D: [m, n]``, ``y: [m]`` and optionally ``a: [n]``."""
    D = check_array(D, "D", ndim=2)
    if D.size == 0:
        raise ValueError(f"D must not be empty, got shape {D.shape}")
    y = check_array(y, "y", shape=(D.shape[0],))
    if a is None:
        return D, y
    return D, y, check_array(a, "a", shape=(D.shape[1],))


def ista(
    D: np.ndarray,
    y: np.ndarray,
    lam: float,
    n_iter: int = 500,
    history: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Sparse code by ISTA (iterative soft-thresholding), from ``a = 0``.

    Parameters
    ----------
    D : array_like of shape (n_features, n_atoms)
        Dictionary.
    y : array_like of shape (n_features,)
        Signal.
    lam : float
        L1 weight ``lambda >= 0``.
    n_iter : int, default 500
        Number of iterations (``>= 0``).
    history : bool, default False
        Also return ``F(a)`` after every iteration (and at the start).

    Returns
    -------
    a : ndarray of shape (n_atoms,)
        The code after ``n_iter`` steps.
    objective : ndarray of shape (n_iter + 1,)
        Only if ``history``; non-increasing, since the step is ``1/L``.

    Notes
    -----
    A gradient step on the smooth part, then the proximal map of the L1
    part, with ``L = ||D||_2^2`` (largest squared singular value):

    .. math:: a \\leftarrow S_{\\lambda/L}\\big(a + D^\\top(y - Da)/L\\big)

    References
    ----------
    I. Daubechies, M. Defrise, C. De Mol (2004). An iterative thresholding
    algorithm for linear inverse problems with a sparsity constraint.
    *Comm. Pure Appl. Math.* 57(11), 1413–1457.
    A. Beck, M. Teboulle (2009). A fast iterative shrinkage-thresholding
    algorithm for linear inverse problems. *SIAM J. Imaging Sci.* 2(1),
    183–202.

    Examples
    --------
    >>> ista(np.eye(3), [3.0, 0.2, -1.0], lam=0.5).tolist()
    [2.5, 0.0, -0.5]
    """
    D, y = _check_problem(D, y)
    lam = check_float(lam, "lam", minimum=0.0)
    n_iter = check_int(n_iter, "n_iter", minimum=0)
    # L: Lipschitz constant of the gradient of 1/2 ||y - D a||^2
    L = max(np.linalg.norm(D, 2) ** 2, np.finfo(float).tiny)
    a = np.zeros(D.shape[1])  # a: [n_atoms]
    F = [_objective(D, y, a, lam)]
    for _ in range(n_iter):
        # a <- S_{lambda/L}(a + D^T (y - D a) / L)
        z = a + D.T @ (y - D @ a) / L
        a = np.sign(z) * np.maximum(np.abs(z) - lam / L, 0.0)
        if history:
            F.append(_objective(D, y, a, lam))
    return (a, np.array(F)) if history else a


def ridge(D: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    """Ridge (L2-penalised) code, in closed form.

    Parameters
    ----------
    D : array_like of shape (n_features, n_atoms)
        Dictionary.
    y : array_like of shape (n_features,)
        Signal.
    lam : float
        L2 weight ``lambda > 0``.

    Returns
    -------
    ndarray of shape (n_atoms,)
        The minimiser; generically no entry is exactly zero.

    Notes
    -----
    .. math:: \\hat a = \\arg\\min_a \\tfrac12\\lVert y - Da\\rVert^2
              + \\tfrac{\\lambda}{2}\\lVert a\\rVert^2
              = (D^\\top D + \\lambda I)^{-1} D^\\top y

    References
    ----------
    A. E. Hoerl, R. W. Kennard (1970). Ridge regression: biased estimation
    for nonorthogonal problems. *Technometrics* 12(1), 55–67.

    Examples
    --------
    >>> ridge(np.eye(2), [2.0, 0.0], lam=1.0).tolist()
    [1.0, 0.0]
    """
    D, y = _check_problem(D, y)
    lam = check_float(lam, "lam", minimum=0.0, strict=True)
    # (D^T D + lambda I) a = D^T y
    return np.linalg.solve(D.T @ D + lam * np.eye(D.shape[1]), D.T @ y)


def make_sparse_problem(
    n_features: int = 40,
    n_atoms: int = 100,
    n_nonzero: int = 5,
    noise: float = 0.01,
    rng: RngLike = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random dictionary, a sparse code and the noisy signal it makes.

    Parameters
    ----------
    n_features, n_atoms, n_nonzero : int, default 40, 100, 5
        Signal length, dictionary size, non-zeros in the code.
    noise : float, default 0.01
        Standard deviation of Gaussian noise added to ``y``.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.

    Returns
    -------
    D : ndarray of shape (n_features, n_atoms)
        Gaussian atoms with unit norm.
    a : ndarray of shape (n_atoms,)
        ``n_nonzero`` entries of size 1 to 2 and random sign, the rest 0.
    y : ndarray of shape (n_features,)
        ``D a`` plus noise.

    Notes
    -----
    .. math:: y = D a + \\varepsilon,\\quad \\lVert a\\rVert_0 = k

    References
    ----------
    E. J. Candès, J. Romberg, T. Tao (2006). Robust uncertainty principles.
    *IEEE Trans. Inf. Theory* 52(2), 489–509.

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
    """All inputs of ``n_bits`` bits and all boolean functions on them.

    Parameters
    ----------
    n_bits : int
        Input length, 1 to 4 (4 bits: 65,536 functions).

    Returns
    -------
    X : ndarray of shape (2**n_bits, n_bits)
        Every bit string, row ``i`` is ``i`` in binary.
    F : ndarray of shape (2**2**n_bits, 2**n_bits)
        Row ``j`` is the truth table of function ``j``:
        ``F[j, i] = f_j(X[i])``.

    Notes
    -----
    There are :math:`2^{2^n}` functions :math:`\\{0,1\\}^n \\to \\{0,1\\}`.

    References
    ----------
    D. H. Wolpert (1996). The lack of a priori distinctions between learning
    algorithms. *Neural Computation* 8(7), 1341–1390.

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
    """Number of hypercube edges along which each function changes value.

    Parameters
    ----------
    F : array_like of shape (n_functions, n_inputs)
        Truth tables (0/1).
    X : array_like of shape (n_inputs, n_bits)
        The inputs (bit strings) the columns of ``F`` refer to.

    Returns
    -------
    ndarray of shape (n_functions,)
        An Ising energy of ``f`` seen as spins on the hypercube (up to a
        constant); 0 for constant functions.

    Notes
    -----
    .. math:: E(f) = \\sum_{\\langle x, x'\\rangle} [f(x) \\ne f(x')],
              \\quad d_H(x, x') = 1

    References
    ----------
    D. H. Wolpert (1996). *Neural Computation* 8(7), 1341–1390.

    Examples
    --------
    >>> X, F = boolean_functions(1)
    >>> cube_energy(F, X).tolist()
    [0, 1, 1, 0]
    """
    X = check_array(X, "X", ndim=2)
    F = check_array(F, "F", shape=(None, X.shape[0]))
    # edges: pairs (i, j), i < j, at Hamming distance 1
    d = np.abs(X[:, None, :] - X[None, :, :]).sum(-1)
    i, j = np.nonzero(np.triu(d == 1))
    return (F[:, i] != F[:, j]).sum(axis=1)


def off_training_set_accuracy(
    learner: Learner, n_bits: int, train: list[int], beta: float = 0.0
) -> float:
    """Accuracy off the training set, averaged over all target functions.

    Parameters
    ----------
    learner : callable
        ``learner(X_train, y_train, X_test) -> y_pred`` (0/1 predictions).
    n_bits : int
        Input length (1 to 4).
    train : list of int
        Indices of the training inputs (rows of ``X`` from
        `boolean_functions`), distinct, at least one left for testing.
    beta : float, default 0.0
        Prior weight ``exp(-beta E(f))`` on each target; ``beta = 0`` is the
        uniform average of the No Free Lunch theorem.

    Returns
    -------
    float
        The weighted mean of the fraction of test inputs predicted right.

    Notes
    -----
    For ``beta = 0`` this is exactly 1/2 for every learner:

    .. math:: \\frac{1}{2^{2^n}}\\sum_f \\frac{1}{|T|}\\sum_{x\\in T}
              [h_f(x) = f(x)] = \\frac12

    References
    ----------
    D. H. Wolpert (1996). *Neural Computation* 8(7), 1341–1390.

    Examples
    --------
    >>> print(off_training_set_accuracy(majority_vote, 2, [0, 1]))
    0.5
    """
    if not callable(learner):
        raise TypeError(
            f"learner must be callable, got {type(learner).__name__}"
        )
    X, F = boolean_functions(n_bits)
    train = check_array(train, "train", ndim=1, dtype=int)
    if (train.size == 0 or len(set(train.tolist())) != train.size
            or train.min() < 0 or train.max() >= len(X)
            or train.size == len(X)):
        raise ValueError(
            f"train must hold distinct indices in [0, {len(X)}) leaving "
            f"at least one test input, got {train.tolist()}"
        )
    beta = check_float(beta, "beta")
    test = np.setdiff1d(np.arange(len(X)), train)
    # hits[f] = number of test inputs x with h_f(x) == f(x)  (integers)
    hits = np.array([
        np.sum(learner(X[train], f[train], X[test]) == f[test]) for f in F
    ])
    # w(f) = exp(-beta E(f)); at beta = 0 all w = 1 and the sum is exact
    E = cube_energy(F, X)
    w = np.exp(-beta * (E - E.min()))
    return float(w @ hits / (w.sum() * len(test)))


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
    """The anti-learner: predict the opposite of what ``learner`` predicts."""

    def anti(X_train, y_train, X_test):
        return 1 - learner(X_train, y_train, X_test)

    anti.__name__ = f"opposite({getattr(learner, '__name__', 'learner')})"
    return anti


# ------------------------------------------------------------- pure noise
def fit_with_corrupted_labels(
    model,
    X: np.ndarray,
    y: np.ndarray,
    fraction: float,
    test_fraction: float = 0.5,
    rng: RngLike = None,
):
    """Fit a classifier on partly random training labels; test on clean ones.

    Parameters
    ----------
    model : scikit-learn classifier
        Cloned before fitting; the argument is not changed.
    X : array_like of shape (n_samples, n_features)
        Inputs.
    y : array_like of shape (n_samples,)
        Integer class labels.
    fraction : float
        Probability, in [0, 1], that a training label is replaced by a class
        drawn uniformly at random; 1 means pure noise.
    test_fraction : float, default 0.5
        Share of samples held out (strictly between 0 and 1).
    rng : int, numpy.random.Generator or None, default None
        Seed or generator for the split and the corruption.

    Returns
    -------
    fitted : estimator
        The model fitted on the corrupted training labels.
    train_accuracy : float
        On the (corrupted) labels it was fitted to.
    test_accuracy : float
        On the held-out inputs with their true labels.

    Notes
    -----
    .. math:: \\tilde y_i = \\begin{cases} u_i \\sim \\mathcal U\\{1..K\\}
              & \\text{with prob. } p\\\\ y_i & \\text{otherwise}\\end{cases}

    References
    ----------
    C. Zhang, S. Bengio, M. Hardt, B. Recht, O. Vinyals (2017).
    Understanding deep learning requires rethinking generalization. *ICLR*.

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
    y = check_array(y, "y", shape=(X.shape[0],), dtype=int)
    p = check_float(fraction, "fraction", minimum=0.0, maximum=1.0)
    q = check_float(test_fraction, "test_fraction", minimum=0.0, maximum=1.0,
                    strict=True)
    rng = as_rng(rng)
    n = len(y)
    n_test = round(q * n)
    if not 0 < n_test < n:
        raise ValueError(f"test_fraction={q} leaves an empty split of {n}")
    order = rng.permutation(n)
    tr, te = order[n_test:], order[:n_test]
    classes = np.unique(y)
    # with probability p a training label becomes a uniform random class
    y_tr = y[tr].copy()
    noisy = rng.random(len(tr)) < p
    y_tr[noisy] = rng.choice(classes, size=int(noisy.sum()))
    fitted = clone(model).fit(X[tr], y_tr)
    return (fitted, float(fitted.score(X[tr], y_tr)),
            float(fitted.score(X[te], y[te])))
