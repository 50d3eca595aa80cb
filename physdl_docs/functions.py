"""A neural network is a function: linear maps, least squares, the perceptron.

Taught in lesson 0.2.

- **Linear maps.** ``f(a x + b y) = a f(x) + b f(y)``: a matrix keeps the
  origin fixed and sends an evenly spaced grid to straight, parallel, evenly
  spaced lines. `linearity_defect` / `is_linear` test this numerically;
  `transform_grid` maps a grid so that its bending can be measured
  (`max_second_difference`) and drawn.
- **Regression.** `least_squares` fits ``y ~ X w + b`` by minimising the
  squared error.
- **Classification.** `Perceptron` (Rosenblatt 1958) learns a linear decision
  rule ``sign(w . x + b)``; on data separable with margin ``gamma`` it makes
  at most ``(R / gamma)^2`` mistakes (`novikoff_bound`), and on XOR it never
  stops making them.
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
    check_spins,
)

__all__ = [
    "Perceptron",
    "is_linear",
    "least_squares",
    "linearity_defect",
    "max_second_difference",
    "novikoff_bound",
    "separable_data",
    "transform_grid",
]

#: A map from vectors of shape (dim,) to vectors (or scalars).
VectorMap = Callable[[np.ndarray], np.ndarray]


# ------------------------------------------------------------ linear maps
def _check_map(f: object) -> VectorMap:
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    return f  # type: ignore[return-value]


def linearity_defect(
    f: VectorMap, dim: int, rng: RngLike = None, n_trials: int = 20
) -> float:
    """Largest violation of linearity found at random inputs.

    Parameters
    ----------
    f : callable
        Map taking an array of shape ``(dim,)`` to an array (or a number).
    dim : int
        Input dimension, ``>= 1``.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator for the random test vectors and scalars.
    n_trials : int, default 20
        Number of random ``(x, y, a, b)`` to try.

    Returns
    -------
    float
        ``max(|f(0)|, max |f(a x + b y) - a f(x) - b f(y)|)``, relative to the
        size of the outputs; 0 up to rounding for a linear map.

    Notes
    -----
    A map is linear when it preserves every linear combination:

    .. math:: f(a\\mathbf{x} + b\\mathbf{y}) = a f(\\mathbf{x}) + b f(\\mathbf{y})

    (``a = b = 0`` gives ``f(0) = 0``).

    Examples
    --------
    >>> A = np.array([[2.0, 1.0], [0.0, 1.0]])
    >>> linearity_defect(lambda x: A @ x, dim=2, rng=0) < 1e-12
    True
    """
    f = _check_map(f)
    dim = check_int(dim, "dim", minimum=1)
    n_trials = check_int(n_trials, "n_trials", minimum=1)
    rng = as_rng(rng)
    # f(0) = 0
    worst = float(np.max(np.abs(np.asarray(f(np.zeros(dim)), dtype=float))))
    for _ in range(n_trials):
        x, y = rng.normal(size=(2, dim))  # x, y: [dim]
        a, b = rng.normal(size=2)
        fx, fy = np.asarray(f(x), float), np.asarray(f(y), float)
        # f(a x + b y) - (a f(x) + b f(y))
        gap = np.asarray(f(a * x + b * y), float) - (a * fx + b * fy)
        scale = 1.0 + np.max(np.abs([a * fx, b * fy]))
        worst = max(worst, float(np.max(np.abs(gap)) / scale))
    return worst


def is_linear(
    f: VectorMap, dim: int, rng: RngLike = None, tol: float = 1e-9
) -> bool:
    """Numerical test of ``f(a x + b y) = a f(x) + b f(y)``.

    Parameters
    ----------
    f : callable
        Map taking an array of shape ``(dim,)``.
    dim : int
        Input dimension, ``>= 1``.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator for the test points.
    tol : float, default 1e-9
        Largest relative defect still counted as rounding error.

    Returns
    -------
    bool
        True if `linearity_defect` is at most ``tol``.

    Notes
    -----
    A random test can only refute linearity; passing it is evidence, not
    proof. The tested identity is

    .. math:: f(a\\mathbf{x} + b\\mathbf{y}) = a f(\\mathbf{x}) + b f(\\mathbf{y})

    Examples
    --------
    >>> is_linear(np.tanh, dim=3, rng=0)
    False
    """
    tol = check_float(tol, "tol", minimum=0.0)
    return bool(linearity_defect(f, dim, rng) <= tol)


def transform_grid(f: VectorMap, lim: float = 1.0, n: int = 11) -> np.ndarray:
    """Image under ``f`` of an evenly spaced ``n x n`` grid of the plane.

    Parameters
    ----------
    f : callable
        Map from shape ``(2,)`` to shape ``(2,)``.
    lim : float, default 1.0
        The grid covers ``[-lim, lim]^2``, ``lim > 0``.
    n : int, default 11
        Grid points per side, ``>= 2``.

    Returns
    -------
    ndarray of shape (n, n, 2)
        ``out[i, j] = f((x_j, y_i))``: row ``i`` is the image of the
        horizontal line ``y = y_i``, column ``j`` of the vertical line
        ``x = x_j``.

    Notes
    -----
    The grid nodes are

    .. math:: (x_j, y_i) = \\left(-\\ell + \\tfrac{2\\ell j}{n-1},
              -\\ell + \\tfrac{2\\ell i}{n-1}\\right)

    Examples
    --------
    >>> transform_grid(lambda p: 2 * p, lim=1.0, n=3)[0]
    array([[-2., -2.],
           [ 0., -2.],
           [ 2., -2.]])
    """
    f = _check_map(f)
    lim = check_float(lim, "lim", minimum=0.0, strict=True)
    n = check_int(n, "n", minimum=2)
    t = np.linspace(-lim, lim, n)
    xx, yy = np.meshgrid(t, t)  # xx, yy: [n, n]
    points = np.stack([xx, yy], axis=-1).reshape(-1, 2)  # [n * n, 2]
    out = np.array([np.asarray(f(p), dtype=float) for p in points])
    if out.shape != (n * n, 2):
        raise ValueError(
            f"f must map a point of shape (2,) to shape (2,), "
            f"got shape {out.shape[1:]}"
        )
    return out.reshape(n, n, 2)


def max_second_difference(grid: np.ndarray) -> float:
    """How far a mapped grid is from straight, parallel, evenly spaced lines.

    Parameters
    ----------
    grid : array_like of shape (n, m, 2)
        Mapped grid nodes, e.g. from `transform_grid`; ``n, m >= 2``.

    Returns
    -------
    float
        The largest second difference along the rows, along the columns and
        across both (the mixed difference); 0 exactly when every row and
        column is a straight line of evenly spaced points and neighbouring
        lines are shifted copies of each other, i.e. when the map is affine
        on the grid.

    Notes
    -----
    With ``P_ij`` the node in row ``i``, column ``j``:

    .. math:: \\Delta_{ii} P = P_{i+1,j} - 2P_{ij} + P_{i-1,j},\\quad
              \\Delta_{ij} P = P_{i+1,j+1} - P_{i+1,j} - P_{i,j+1} + P_{ij}

    Examples
    --------
    >>> grid = transform_grid(lambda p: p + 1.0, n=5)
    >>> max_second_difference(grid)
    0.0
    """
    P = check_array(grid, "grid", ndim=3)
    if P.shape[0] < 2 or P.shape[1] < 2 or P.shape[2] != 2:
        raise ValueError(f"grid must have shape (n, m, 2) with n, m >= 2, "
                         f"got {P.shape}")
    worst = 0.0
    for axis in (0, 1):  # bending or uneven spacing along i, then along j
        if P.shape[axis] >= 3:
            worst = max(worst, float(np.abs(np.diff(P, 2, axis=axis)).max()))
    # mixed difference: lines that fan out instead of staying parallel
    mixed = np.diff(np.diff(P, axis=0), axis=1)
    return max(worst, float(np.abs(mixed).max()))


# ------------------------------------------------------------- regression
def least_squares(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Fit ``y ~ X w + b`` by least squares.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        Inputs, one sample per row (not modified).
    y : array_like of shape (n_samples,)
        Real-valued targets.

    Returns
    -------
    w : ndarray of shape (n_features,)
        Weights.
    b : float
        Intercept.

    Notes
    -----
    With the design matrix ``A = [X, 1]`` the fit minimises the squared
    error; when ``A`` has full column rank the minimiser is unique,

    .. math:: \\min_{w, b} \\sum_i (y_i - \\mathbf{w}\\cdot\\mathbf{x}_i - b)^2,
              \\qquad (\\mathbf{w}, b) = (A^\\top A)^{-1} A^\\top \\mathbf{y}

    References: `hastie2009`

    Examples
    --------
    >>> w, b = least_squares([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    >>> print(np.round(w, 6), round(b, 6))
    [2.] 1.0
    """
    X = check_array(X, "X", ndim=2)
    y = check_array(y, "y", shape=(X.shape[0],))
    if X.shape[0] == 0:
        raise ValueError("X must have at least one sample")
    A = np.column_stack([X, np.ones(len(X))])  # A: [n_samples, n_features + 1]
    theta = np.linalg.lstsq(A, y, rcond=None)[0]  # theta = (w, b)
    return theta[:-1], float(theta[-1])


# --------------------------------------------------------- classification
def separable_data(
    n_samples: int, margin: float = 0.1, rng: RngLike = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Points in the square ``[-1, 1]^2`` labelled by a line, with a gap.

    Parameters
    ----------
    n_samples : int
        Number of points, ``>= 1``.
    margin : float, default 0.1
        Points closer than this to the labelling line are redrawn, ``>= 0``.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        Inputs.
    y : ndarray of shape (n_samples,)
        Labels ``sign(w . x + b)`` in ``{-1, +1}``.
    w : ndarray of shape (2,)
        Unit normal of the labelling line.
    b : float
        Its offset.

    Notes
    -----
    The labelling rule and the gap it leaves:

    .. math:: y_i = \\operatorname{sign}(\\mathbf{w}\\cdot\\mathbf{x}_i + b),
              \\qquad |\\mathbf{w}\\cdot\\mathbf{x}_i + b| \\ge \\text{margin}

    References: `rosenblatt1958`

    Examples
    --------
    >>> X, y, w, b = separable_data(5, rng=0)
    >>> X.shape, sorted(set(y.tolist())) == [-1.0, 1.0]
    ((5, 2), True)
    """
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    margin = check_float(margin, "margin", minimum=0.0, maximum=0.5)
    rng = as_rng(rng)
    angle = rng.uniform(0.0, 2.0 * np.pi)
    w = np.array([np.cos(angle), np.sin(angle)])  # unit normal
    b = float(rng.uniform(-0.2, 0.2))
    X = np.empty((0, 2))
    while len(X) < n_samples:  # rejection sampling outside the gap
        cand = rng.uniform(-1.0, 1.0, size=(2 * n_samples, 2))
        X = np.vstack([X, cand[np.abs(cand @ w + b) >= margin]])
    X = X[:n_samples]
    return X, np.where(X @ w + b > 0, 1.0, -1.0), w, b


def novikoff_bound(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float = 0.0
) -> float:
    """Novikoff's bound ``(R / gamma)^2`` on the perceptron's mistakes.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        Inputs.
    y : array_like of shape (n_samples,)
        Labels, ±1.
    w : array_like of shape (n_features,)
        Weights of any separating hyperplane.
    b : float, default 0.0
        Its bias.

    Returns
    -------
    float
        ``(R / gamma)^2`` with the bias folded in as a constant input 1:
        ``R = max |(x_i, 1)|``, ``gamma = min y_i (w . x_i + b) / |(w, b)|``.

    Notes
    -----
    Any separating ``(w, b)`` gives a valid bound; the one with the largest
    margin gives the smallest. Started from zero, the perceptron makes at
    most

    .. math:: k \\le \\left(\\frac{R}{\\gamma}\\right)^2

    updates in total, for any order of the samples.

    References: `novikoff1962`

    Examples
    --------
    >>> X = np.array([[1.0], [-1.0]])
    >>> round(novikoff_bound(X, [1, -1], w=[1.0]), 6)
    2.0
    """
    X = check_array(X, "X", ndim=2)
    y = check_spins(y, "y", shape=(X.shape[0],))
    w = check_array(w, "w", shape=(X.shape[1],))
    b = check_float(b, "b")
    if not np.any(w) and b == 0.0:
        raise ValueError("w and b must not both be zero: (w, b) = 0 separates nothing")
    # x~ = (x, 1), u = (w, b) / |(w, b)|
    X1 = np.column_stack([X, np.ones(len(X))])  # [n_samples, n_features + 1]
    u = np.append(w, b) / np.linalg.norm(np.append(w, b))
    gamma = float(np.min(y * (X1 @ u)))
    if gamma <= 0:
        raise ValueError("w and b must separate the data: y (w.x + b) > 0")
    R = float(np.max(np.linalg.norm(X1, axis=1)))
    return (R / gamma) ** 2


class Perceptron:
    """Rosenblatt's perceptron with its mistake-driven learning rule.

    Parameters
    ----------
    n_features : int
        Input dimension, ``>= 1``.
    lr : float, default 1.0
        Learning rate, ``> 0``. Started from zero weights it only rescales
        ``w`` and ``b``: the predictions and mistakes do not depend on it.
    max_epochs : int, default 100
        Passes over the data before giving up, ``>= 1``.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator for the order in which each epoch visits samples.

    Attributes
    ----------
    weights_ : ndarray of shape (n_features,)
    bias_ : float
    mistakes_ : ndarray of shape (n_epochs,)
        Updates made in each epoch.
    converged_ : bool
        True if the last epoch made no mistake.

    Notes
    -----
    For each sample with ``y_i (w . x_i + b) <= 0`` (a mistake):

    .. math:: \\mathbf{w} \\leftarrow \\mathbf{w} + \\eta\\, y_i \\mathbf{x}_i,
              \\qquad b \\leftarrow b + \\eta\\, y_i

    References: `rosenblatt1958`

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> p = Perceptron(2, rng=0).fit(X, [-1, -1, -1, 1])  # AND
    >>> p.converged_, p.predict(X).tolist()
    (True, [-1, -1, -1, 1])
    """

    def __init__(
        self,
        n_features: int,
        lr: float = 1.0,
        max_epochs: int = 100,
        rng: RngLike = None,
    ) -> None:
        self.n_features = check_int(n_features, "n_features", minimum=1)
        self.lr = check_float(lr, "lr", minimum=0.0, strict=True)
        self.max_epochs = check_int(max_epochs, "max_epochs", minimum=1)
        self.rng = rng
        self.weights_ = np.zeros(self.n_features)
        self.bias_ = 0.0
        self.mistakes_ = np.zeros(0, dtype=int)
        self.converged_ = False
        self._fitted = False

    def __repr__(self) -> str:
        return (f"Perceptron(n_features={self.n_features}, lr={self.lr}, "
                f"max_epochs={self.max_epochs})")

    def _check_X(self, X: np.ndarray) -> np.ndarray:
        return check_array(X, "X", shape=(None, self.n_features))

    def fit(self, X: np.ndarray, y: np.ndarray) -> Perceptron:
        """Run the learning rule from zero weights; return ``self``.

        ``X`` has shape (n_samples, n_features), ``y`` shape (n_samples,)
        with labels ±1; neither is modified.
        """
        X = self._check_X(X)
        if X.shape[0] == 0:
            raise ValueError("X must have at least one sample")
        y = check_spins(y, "y", shape=(X.shape[0],))
        rng = as_rng(self.rng)
        w, b = np.zeros(self.n_features), 0.0
        mistakes = []
        for _ in range(self.max_epochs):
            n_mistakes = 0
            for i in rng.permutation(len(X)):
                if y[i] * (X[i] @ w + b) <= 0:  # wrong side (or on the line)
                    w += self.lr * y[i] * X[i]  # w <- w + lr y_i x_i
                    b += self.lr * y[i]  # b <- b + lr y_i
                    n_mistakes += 1
            mistakes.append(n_mistakes)
            if n_mistakes == 0:  # a full pass without mistakes: done
                break
        self.weights_, self.bias_ = w, float(b)
        self.mistakes_ = np.array(mistakes)
        self.converged_ = mistakes[-1] == 0
        self._fitted = True
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Score ``w . x + b``, ndarray of shape (n_samples,)."""
        if not self._fitted:
            raise ValueError("this Perceptron is not fitted yet: call fit(X, y) first")
        return self._check_X(X) @ self.weights_ + self.bias_

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Labels ``+1`` where the score is ``> 0``, else ``-1``; call `fit` first."""
        return np.where(self.decision_function(X) > 0, 1, -1)
