"""From the perceptron to the multilayer perceptron: XOR and universal approximation.

Taught in lesson 2.1 (docs/history/perceptron.md).

- **Why one layer fails.** A threshold unit on features ``phi(x)`` separates
  the labels ``y = ±1`` only if some ``(w, b)`` makes every
  ``y_i (w . phi(x_i) + b)`` positive. If the signed sum
  ``sum_i y_i (phi(x_i), 1)`` is zero (`signed_sum`), those numbers add up
  to zero for every ``(w, b)``, so they cannot all be positive: XOR on the
  raw inputs, and parity on `hypercube` points with `monomial_features` of
  too low an order (Minsky & Papert's result), are not linearly separable.
- **The rule cycles.** On such data the perceptron rule (0.2's
  `physdl_docs.functions.Perceptron`) never stops; `weight_path` records its
  weights after every epoch.
- **Rosenblatt's random association layer.** `association_layer` computes
  fixed random threshold units that each see ``fan_in`` inputs; the
  perceptron rule trains only the layer after them.
- **A trained hidden layer.** `fit_many` trains many copies of 2.2's
  `physdl_docs.backprop.MLP` (one per seed) at once; `solved` says which
  ones classify every sample correctly.
- **Universal approximation.** `ShallowNet` is a network with one hidden
  layer; `relu_interpolant` and `sigmoid_staircase` build one of width ``n``
  that approximates a given 1-D function on ``[a, b]``, `random_feature_fit`
  fits the output layer on random hidden units, and `sup_error` measures the
  largest error on a fine grid.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
    check_spins,
)
from physdl_docs.activations import relu
from physdl_docs.backprop import ACTIVATIONS, MLP, sigmoid
from physdl_docs.functions import Perceptron, least_squares

__all__ = [
    "HIDDEN_ACTIVATIONS",
    "ShallowNet",
    "association_layer",
    "fit_many",
    "hypercube",
    "monomial_features",
    "random_feature_fit",
    "relu_interpolant",
    "sigmoid_staircase",
    "signed_sum",
    "solved",
    "sup_error",
    "weight_path",
]


# ------------------------------------------------- why one layer fails
def signed_sum(F: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sum of the label-signed augmented feature vectors, ``sum_i y_i (F_i, 1)``.

    Parameters
    ----------
    F : array_like of shape (n_samples, n_features)
        Features ``phi(x_i)``, one row per sample (raw inputs are features
        too).
    y : array_like of shape (n_samples,)
        Labels, ±1.

    Returns
    -------
    ndarray of shape (n_features + 1,)
        The sum; its last entry is ``sum_i y_i`` (the bias column).

    Notes
    -----
    For every ``(w, b)`` the margins ``m_i = y_i (w . F_i + b)`` add up to

    .. math:: \\sum_i m_i = (\\mathbf{w}, b) \\cdot
              \\sum_i y_i (\\mathbf{F}_i, 1).

    If the signed sum is the zero vector, the margins sum to zero, so they
    cannot all be positive: no threshold unit on these features classifies
    every sample correctly. (Weighted sums with non-negative weights give
    the general certificate, by Gordan's theorem; equal weights suffice for
    XOR and parity.)

    References
    ----------
    `minsky1969`

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> signed_sum(X, [-1, 1, 1, -1])  # XOR: zero, hence inseparable
    array([0., 0., 0.])
    """
    F = check_array(F, "F", ndim=2)
    y = check_spins(y, "y", shape=(F.shape[0],))
    F1 = np.column_stack([F, np.ones(len(F))])  # (F_i, 1): [n_samples, d + 1]
    # sum_i y_i (F_i, 1)
    return y @ F1


def hypercube(n: int) -> np.ndarray:
    """All ``2**n`` points of ``{-1, +1}^n``, in lexicographic order.

    Parameters
    ----------
    n : int
        Dimension, ``1 <= n <= 16``.

    Returns
    -------
    ndarray of shape (2**n, n)
        Rows ``(-1, ..., -1), (-1, ..., -1, +1), ..., (+1, ..., +1)``.

    Notes
    -----
    The parity of a point is the product of its coordinates,

    .. math:: \\operatorname{parity}(\\mathbf{x}) = \\prod_{j=1}^n x_j .

    References
    ----------
    `minsky1969`

    Examples
    --------
    >>> hypercube(2).tolist()
    [[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]]
    """
    n = check_int(n, "n", minimum=1)
    if n > 16:
        raise ValueError(f"n must be <= 16, got {n}")
    return np.array(list(itertools.product([-1.0, 1.0], repeat=n)))


def monomial_features(X: np.ndarray, order: int) -> np.ndarray:
    """Products of at most ``order`` distinct input coordinates.

    Parameters
    ----------
    X : array_like of shape (n_samples, n)
        Inputs, usually ±1 points from `hypercube`.
    order : int
        Largest number of coordinates in one product, ``1 <= order <= n``.

    Returns
    -------
    ndarray of shape (n_samples, n_monomials)
        One column ``prod_{j in S} x_j`` per subset ``S`` with
        ``1 <= |S| <= order``, by size and then lexicographically;
        ``n_monomials = sum_{k=1}^{order} C(n, k)``.

    Notes
    -----
    Each column depends on at most ``order`` inputs, like Minsky and
    Papert's partial predicates of bounded support. On ``{-1, +1}^n`` the
    parity is orthogonal to every product of fewer than ``n`` coordinates,

    .. math:: \\sum_{\\mathbf{x}} \\prod_{j=1}^n x_j \\prod_{j \\in S} x_j = 0
              \\quad (|S| < n),

    so `signed_sum` of parity on features of order ``< n`` is zero.

    References
    ----------
    `minsky1969`

    Examples
    --------
    >>> monomial_features(hypercube(2), order=2).tolist()[0]
    [-1.0, -1.0, 1.0]
    """
    X = check_array(X, "X", ndim=2)
    n = X.shape[1]
    order = check_int(order, "order", minimum=1)
    if order > n:
        raise ValueError(f"order must be <= the number of inputs {n}, got {order}")
    subsets = [S for k in range(1, order + 1)
               for S in itertools.combinations(range(n), k)]
    # column S: prod_{j in S} x_j
    return np.column_stack([np.prod(X[:, list(S)], axis=1) for S in subsets])


# ------------------------------------------------------- the rule cycles
def weight_path(X: np.ndarray, y: np.ndarray, n_epochs: int,
                rng: RngLike = None) -> np.ndarray:
    """Weights and bias of 0.2's `Perceptron` after each of ``n_epochs`` epochs.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        Inputs.
    y : array_like of shape (n_samples,)
        Labels, ±1.
    n_epochs : int
        Number of epochs to record, ``>= 1``.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator; one seed is drawn from it for the visiting order.

    Returns
    -------
    ndarray of shape (n_epochs, n_features + 1)
        Row ``k`` is ``(w, b)`` after epoch ``k + 1``. If the rule converges
        earlier, the later rows repeat the final weights.

    Notes
    -----
    Each row comes from a fresh ``Perceptron(max_epochs=k + 1)`` with the
    same seed, so it visits the samples in the same orders: the rows are the
    states of one run of the rule (cost quadratic in ``n_epochs``). Each
    mistake on sample ``i`` applies

    .. math:: (\\mathbf{w}, b) \\leftarrow (\\mathbf{w}, b) + \\eta\\, y_i
              (\\mathbf{x}_i, 1).

    References
    ----------
    `rosenblatt1958`

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> weight_path(X, [-1, -1, -1, 1], n_epochs=8, rng=0)[-1].tolist()  # AND
    [2.0, 3.0, -4.0]
    """
    X = check_array(X, "X", ndim=2)
    n_epochs = check_int(n_epochs, "n_epochs", minimum=1)
    seed = int(as_rng(rng).integers(2**63))
    path = np.empty((n_epochs, X.shape[1] + 1))
    for k in range(n_epochs):
        p = Perceptron(X.shape[1], max_epochs=k + 1, rng=seed).fit(X, y)
        path[k] = np.append(p.weights_, p.bias_)  # (w, b) after epoch k + 1
    return path


def association_layer(X: np.ndarray, n_units: int, fan_in: int | None = None,
                      rng: RngLike = None) -> np.ndarray:
    """Fixed random threshold units, Rosenblatt's association (A) units.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_inputs)
        Inputs (the sensory points).
    n_units : int
        Number of association units, ``>= 1``.
    fan_in : int or None, default None
        How many inputs each unit sees, ``1 <= fan_in <= n_inputs``
        (None: all of them). Each unit picks its inputs at random.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator for the connections and thresholds.

    Returns
    -------
    ndarray of shape (n_samples, n_units)
        Unit outputs, 1 (fires) or 0.

    Notes
    -----
    Unit ``k`` fires when a random weighted sum of its inputs ``S_k``
    exceeds a random threshold; connections and thresholds never learn:

    .. math:: a_k(\\mathbf{x}) = \\Big[\\sum_{j \\in S_k} v_{kj} x_j
              > \\theta_k\\Big], \\qquad v_{kj}, \\theta_k \\sim
              \\mathcal{N}(0, 1).

    With ``fan_in = 1`` each unit is a function of one input, so on binary
    inputs it is affine in that input, and the layer adds nothing a single
    threshold unit could not do.

    References
    ----------
    `rosenblatt1958`, `minsky1969`

    Examples
    --------
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> association_layer(X, n_units=3, rng=0).shape
    (4, 3)
    """
    X = check_array(X, "X", ndim=2)
    n_inputs = X.shape[1]
    n_units = check_int(n_units, "n_units", minimum=1)
    fan_in = n_inputs if fan_in is None else check_int(fan_in, "fan_in", minimum=1)
    if fan_in > n_inputs:
        raise ValueError(f"fan_in must be <= the number of inputs {n_inputs}, got {fan_in}")
    rng = as_rng(rng)
    V = np.zeros((n_units, n_inputs))  # V: [n_units, n_inputs], fan_in nonzeros a row
    for k in range(n_units):
        S = rng.choice(n_inputs, size=fan_in, replace=False)
        V[k, S] = rng.normal(size=fan_in)
    theta = rng.normal(size=n_units)
    # a_k = [sum_j v_kj x_j > theta_k]
    return (X @ V.T > theta).astype(float)


# ------------------------------------------------- a trained hidden layer
def fit_many(sizes: Sequence[int], X: np.ndarray, y: np.ndarray,
             seeds: Sequence[int], *, hidden: str = "tanh",
             output: str = "sigmoid", lr: float = 0.5,
             n_epochs: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Train one `MLP` per seed, all at once, by full-batch gradient descent.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths ``[n_in, n_hidden..., n_out]``, as for `MLP`.
    X : array_like of shape (n_samples, n_in)
        Inputs, shared by all networks.
    y : array_like of shape (n_samples, n_out)
        Targets.
    seeds : sequence of int
        One network per seed, initialised as ``MLP(sizes, rng=seed)``.
    hidden, output : str
        Activations, as for `MLP`.
    lr : float, default 0.5
        Learning rate ``eta > 0``.
    n_epochs : int, default 2000
        Gradient steps.

    Returns
    -------
    outputs : ndarray of shape (n_seeds, n_samples, n_out)
        Each network's output after training.
    losses : ndarray of shape (n_epochs, n_seeds)
        The error ``E`` before each step.

    Notes
    -----
    Network ``s`` follows exactly the steps of ``MLP(sizes, rng=s).fit``:
    the delta rule of 2.2 with a leading batch-of-networks axis,

    .. math:: \\delta^l = \\big(W^{l+1\\top} \\delta^{l+1}\\big) \\odot
              \\phi'(z^l), \\qquad W^l \\leftarrow W^l - \\eta\\,
              \\delta^l a^{l-1\\top}.

    References
    ----------
    `rumelhart1986`

    Examples
    --------
    >>> from physdl_docs.backprop import XOR_X, XOR_Y
    >>> out, E = fit_many([2, 3, 1], XOR_X, XOR_Y, seeds=[0, 1], n_epochs=10)
    >>> out.shape, E.shape
    ((2, 4, 1), (10, 2))
    """
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or not seeds:
        raise TypeError(f"seeds must be a non-empty sequence of ints, got {seeds!r}")
    nets = [MLP(sizes, hidden=hidden, output=output, rng=check_int(s, "seeds"))
            for s in seeds]
    X, y = nets[0]._check(X, y)
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    n_epochs = check_int(n_epochs, "n_epochs", minimum=1)
    L = len(nets[0].weights)
    # W^l: [n_seeds, n_out_l, n_in_l]; b^l: [n_seeds, 1, n_out_l]
    Ws = [np.stack([net.weights[l] for net in nets]) for l in range(L)]
    bs = [np.stack([net.biases[l] for net in nets])[:, None, :] for l in range(L)]
    phis = [ACTIVATIONS[hidden]] * (L - 1) + [ACTIVATIONS[output]]
    losses = np.empty((n_epochs, len(nets)))
    for epoch in range(n_epochs):
        acts, zs = _forward_many(Ws, bs, phis, X)
        residual = acts[-1] - y  # a^L - y: [n_seeds, n_samples, n_out]
        losses[epoch] = 0.5 * np.sum(residual**2, axis=(1, 2))
        delta = residual * phis[-1][1](zs[-1])  # delta^L
        for l in range(L - 1, -1, -1):
            grad_W = delta.transpose(0, 2, 1) @ acts[l]  # delta^lT a^{l-1}
            grad_b = delta.sum(axis=1, keepdims=True)
            if l > 0:  # delta^{l-1} = (delta^l W^l) * phi'(z^{l-1})
                delta = (delta @ Ws[l]) * phis[l - 1][1](zs[l - 1])
            Ws[l] -= lr * grad_W
            bs[l] -= lr * grad_b
    return _forward_many(Ws, bs, phis, X)[0][-1], losses


def _forward_many(Ws: list, bs: list, phis: list,
                  X: np.ndarray) -> tuple[list, list]:
    """Activations ``[a^0..a^L]`` and pre-activations ``[z^1..z^L]``."""
    acts, zs = [np.broadcast_to(X, (len(Ws[0]),) + X.shape)], []
    for W, b, (phi, _) in zip(Ws, bs, phis):
        z = acts[-1] @ W.transpose(0, 2, 1) + b  # z^l = a^{l-1} W^lT + b^l
        zs.append(z)
        acts.append(phi(z))
    return acts, zs


def solved(outputs: np.ndarray, y: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Which networks put every output on the correct side of ``threshold``.

    Parameters
    ----------
    outputs : array_like of shape (n_nets, n_samples, n_out)
        Outputs, e.g. from `fit_many`.
    y : array_like of shape (n_samples, n_out)
        Targets; a target counts as positive if it exceeds ``threshold``.
    threshold : float, default 0.5
        Decision threshold.

    Returns
    -------
    ndarray of bool, shape (n_nets,)
        True where the network makes no classification error.

    Notes
    -----
    Network ``s`` solves the task when

    .. math:: [a^L_{s,i} > \\tfrac12] = [y_i > \\tfrac12] \\quad
              \\text{for every sample } i.

    References
    ----------
    `rumelhart1986`

    Examples
    --------
    >>> solved([[[0.1], [0.9]], [[0.6], [0.9]]], [[0.0], [1.0]]).tolist()
    [True, False]
    """
    y = check_array(y, "y", ndim=2)
    outputs = check_array(outputs, "outputs", shape=(None,) + y.shape)
    threshold = check_float(threshold, "threshold")
    return np.all((outputs > threshold) == (y > threshold), axis=(1, 2))


# ------------------------------------------------ universal approximation
#: Hidden activations a `ShallowNet` may use; "square" is a polynomial.
HIDDEN_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "square": np.square,
}


class ShallowNet:
    """A network with one hidden layer and a linear output.

    Parameters
    ----------
    W : array_like of shape (width, n_in)
        Hidden weights.
    b : array_like of shape (width,)
        Hidden biases.
    c : array_like of shape (width,)
        Output weights.
    d : float
        Output bias.
    activation : {"relu", "sigmoid", "tanh", "square"}, default "relu"
        Hidden activation ``sigma``.

    Notes
    -----
    The functions of the universal approximation theorems,

    .. math:: g(\\mathbf{x}) = \\sum_{k=1}^{n} c_k\\,
              \\sigma(\\mathbf{w}_k \\cdot \\mathbf{x} + b_k) + d .

    References
    ----------
    `cybenko1989`, `hornik1991`, `leshno1993`

    Examples
    --------
    >>> net = ShallowNet([[1.0], [1.0]], [0.0, -1.0], [1.0, -1.0], 0.0)
    >>> net
    ShallowNet(width=2, n_in=1, activation='relu')
    >>> net(np.array([-1.0, 0.5, 2.0])).tolist()  # clip(x, 0, 1)
    [0.0, 0.5, 1.0]
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, c: np.ndarray, d: float,
                 activation: str = "relu") -> None:
        self.W = check_array(W, "W", ndim=2)
        width = self.W.shape[0]
        self.b = check_array(b, "b", shape=(width,))
        self.c = check_array(c, "c", shape=(width,))
        self.d = check_float(d, "d")
        if activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"activation must be one of {list(HIDDEN_ACTIVATIONS)}, "
                             f"got {activation!r}")
        self.activation = activation

    @property
    def width(self) -> int:
        """Number of hidden units."""
        return self.W.shape[0]

    def __repr__(self) -> str:
        return (f"ShallowNet(width={self.width}, n_in={self.W.shape[1]}, "
                f"activation={self.activation!r})")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Outputs ``g(x)``, shape (n_samples,); ``x`` of shape (n_samples,) for
        one input, else (n_samples, n_in)."""
        x = check_array(x, "x", ndim=(1, 2))
        X = x[:, None] if x.ndim == 1 else x  # X: [n_samples, n_in]
        if X.shape[1] != self.W.shape[1]:
            raise ValueError(f"x must have {self.W.shape[1]} input(s) per sample, "
                             f"got shape {x.shape}")
        sigma = HIDDEN_ACTIVATIONS[self.activation]
        # g(x) = sum_k c_k sigma(w_k . x + b_k) + d
        return sigma(X @ self.W.T + self.b) @ self.c + self.d


def _check_target(f: object, a: object, b: object) -> tuple[Callable, float, float]:
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    a = check_float(a, "a")
    b = check_float(b, "b")
    if not a < b:
        raise ValueError(f"a must be < b, got a={a}, b={b}")
    return f, a, b


def _nodes(f: Callable, n: int, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(a, b, n + 1)  # t_k = a + k h, k = 0..n
    fx = check_array(f(t), "f(x)", shape=t.shape)
    return t, fx


def relu_interpolant(f: Callable[[np.ndarray], np.ndarray], n: int,
                     a: float = -1.0, b: float = 1.0) -> ShallowNet:
    """ReLU network of width ``n`` equal to the piecewise-linear interpolant of ``f``.

    Parameters
    ----------
    f : callable
        Target, evaluated elementwise on a 1-D array.
    n : int
        Width = number of intervals, ``>= 1``.
    a, b : float, default -1.0, 1.0
        The interval ``K = [a, b]``.

    Returns
    -------
    ShallowNet
        ``g(x) = f(a) + sum_k c_k relu(x - t_k)`` with knots
        ``t_k = a + k h``, ``h = (b - a) / n``, ``k = 0..n-1``, and ``c_k`` the
        change of slope at ``t_k``; ``g(t_k) = f(t_k)`` at all ``n + 1`` nodes.

    Notes
    -----
    For twice-differentiable ``f`` the interpolation error on ``K`` obeys

    .. math:: \\max_{x \\in K} |f(x) - g(x)| \\le \\frac{h^2}{8}
              \\max_{x \\in K} |f''(x)| .

    References
    ----------
    `leshno1993`

    Examples
    --------
    >>> net = relu_interpolant(np.abs, n=2)
    >>> net(np.array([-1.0, -0.5, 0.0, 1.0])).tolist()
    [1.0, 0.5, 0.0, 1.0]
    """
    f, a, b = _check_target(f, a, b)
    n = check_int(n, "n", minimum=1)
    t, fx = _nodes(f, n, a, b)
    slopes = np.diff(fx) / np.diff(t)  # s_k on [t_k, t_{k+1}]
    # c_0 = s_0, c_k = s_k - s_{k-1}: the kink at t_k
    c = np.concatenate([slopes[:1], np.diff(slopes)])
    return ShallowNet(np.ones((n, 1)), -t[:-1], c, float(fx[0]), "relu")


def sigmoid_staircase(f: Callable[[np.ndarray], np.ndarray], n: int,
                      a: float = -1.0, b: float = 1.0,
                      steepness: float | None = None) -> ShallowNet:
    """Sigmoid network of width ``n``: a smoothed staircase through ``f``'s values.

    Parameters
    ----------
    f : callable
        Target, evaluated elementwise on a 1-D array.
    n : int
        Width = number of steps, ``>= 1``.
    a, b : float, default -1.0, 1.0
        The interval ``K = [a, b]``.
    steepness : float or None, default None
        Slope ``s > 0`` of each sigmoid; None means ``20 / h``.

    Returns
    -------
    ShallowNet
        ``g(x) = f(a) + sum_k (f(t_k) - f(t_{k-1})) sigma(s (x - m_k))``,
        nodes ``t_k = a + k h``, steps at the midpoints ``m_k``.

    Notes
    -----
    The proof idea for sigmoidal units: a steep sigmoid is a step, and steps
    at spacing ``h`` follow a continuous ``f`` to within its variation over
    one step, about ``h max |f'|``; the error falls like ``1/n``:

    .. math:: g(x) = f(a) + \\sum_{k=1}^{n} \\big(f(t_k) - f(t_{k-1})\\big)\\,
              \\sigma\\big(s (x - m_k)\\big)

    References
    ----------
    `cybenko1989`

    Examples
    --------
    >>> net = sigmoid_staircase(np.sign, n=2)  # one real step, at x = 0
    >>> np.round(net(np.array([-1.0, 1.0])), 6).tolist()
    [-1.0, 1.0]
    """
    f, a, b = _check_target(f, a, b)
    n = check_int(n, "n", minimum=1)
    h = (b - a) / n
    s = 20.0 / h if steepness is None else check_float(
        steepness, "steepness", minimum=0.0, strict=True)
    t, fx = _nodes(f, n, a, b)
    m = 0.5 * (t[:-1] + t[1:])  # midpoints m_k
    # sigma(s (x - m_k)) = sigma(s x - s m_k)
    return ShallowNet(np.full((n, 1), s), -s * m, np.diff(fx), float(fx[0]), "sigmoid")


def random_feature_fit(f: Callable[[np.ndarray], np.ndarray], n: int,
                       activation: str = "relu", a: float = -1.0, b: float = 1.0,
                       n_train: int = 401, rng: RngLike = None) -> ShallowNet:
    """Random hidden units, output layer fitted by least squares.

    Parameters
    ----------
    f : callable
        Target, evaluated elementwise on a 1-D array.
    n : int
        Width, ``>= 1``.
    activation : str, default "relu"
        A key of `HIDDEN_ACTIVATIONS`.
    a, b : float, default -1.0, 1.0
        The interval ``K = [a, b]``.
    n_train : int, default 401
        Evenly spaced training points on ``K``, ``>= 2``.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator for the hidden layer.

    Returns
    -------
    ShallowNet
        Hidden unit ``k`` is ``sigma(w_k (x - u_k))`` with ``w_k ~ N(0, 1)``
        and its centre ``u_k ~ U(a, b)``; ``c`` and ``d`` minimise the squared
        error on the training points (0.2's `least_squares`).

    Notes
    -----
    The output layer is linear in ``c``, so its best fit is a least-squares
    problem; the hidden layer is not trained:

    .. math:: \\min_{\\mathbf{c}, d} \\sum_i \\big(f(x_i) - \\textstyle
              \\sum_k c_k \\sigma(w_k (x_i - u_k)) - d\\big)^2

    References
    ----------
    `leshno1993`

    Examples
    --------
    >>> net = random_feature_fit(np.sin, n=5, rng=0)
    >>> net
    ShallowNet(width=5, n_in=1, activation='relu')
    """
    f, a, b = _check_target(f, a, b)
    n = check_int(n, "n", minimum=1)
    n_train = check_int(n_train, "n_train", minimum=2)
    if activation not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(HIDDEN_ACTIVATIONS)}, "
                         f"got {activation!r}")
    rng = as_rng(rng)
    w = rng.normal(size=n)
    u = rng.uniform(a, b, size=n)
    hidden = ShallowNet(w[:, None], -w * u, np.zeros(n), 0.0, activation)
    x = np.linspace(a, b, n_train)
    H = HIDDEN_ACTIVATIONS[activation](x[:, None] @ hidden.W.T + hidden.b)  # [n_train, n]
    c, d = least_squares(H, check_array(f(x), "f(x)", shape=x.shape))
    return ShallowNet(hidden.W, hidden.b, c, d, activation)


def sup_error(g: Callable[[np.ndarray], np.ndarray],
              f: Callable[[np.ndarray], np.ndarray],
              a: float = -1.0, b: float = 1.0, n_points: int = 4001) -> float:
    """Largest ``|g(x) - f(x)|`` on an evenly spaced grid of ``[a, b]``.

    Parameters
    ----------
    g, f : callable
        Approximation and target, evaluated on a 1-D array.
    a, b : float, default -1.0, 1.0
        The interval.
    n_points : int, default 4001
        Grid points, ``>= 2``.

    Returns
    -------
    float
        The grid estimate of the uniform (sup-norm) error, a lower bound of
        the true sup that is exact at the nodes of a fine enough grid.

    Notes
    -----
    .. math:: \\lVert f - g \\rVert_\\infty = \\max_{x \\in [a, b]} |f(x) - g(x)|

    References
    ----------
    `cybenko1989`

    Examples
    --------
    >>> sup_error(lambda x: x, np.sin, 0.0, 1.0) < 0.16
    True
    """
    if not callable(g):
        raise TypeError(f"g must be callable, got {type(g).__name__}")
    f, a, b = _check_target(f, a, b)
    n_points = check_int(n_points, "n_points", minimum=2)
    x = np.linspace(a, b, n_points)
    gx = check_array(g(x), "g(x)", shape=x.shape)
    fx = check_array(f(x), "f(x)", shape=x.shape)
    return float(np.max(np.abs(gx - fx)))
