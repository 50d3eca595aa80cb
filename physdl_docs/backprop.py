"""Backpropagation in a small multilayer perceptron, written out by hand.

Taught in lesson 2.2. For a batch ``a^0 = X`` (one row per sample),

    z^l = a^{l-1} W^l^T + b^l,    a^l = phi_l(z^l),     l = 1..L,
    E = 1/2 sum_n ||a^L_n - y_n||^2,

and the delta rule carries the error back, one ``delta`` per layer:

    delta^L = (a^L - y) * phi_L'(z^L),
    delta^l = (delta^{l+1} W^{l+1}) * phi_l'(z^l),
    dE/dW^l = delta^l^T a^{l-1},    dE/db^l = sum_n delta^l_n.

`sigmoid` is the package's one logistic function; other lessons import it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np

from physdl_docs._validation import RngLike, as_rng, check_array, check_float, check_int

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "XOR_X",
    "XOR_Y",
    "finite_difference_gradients",
    "sigmoid",
    "squared_error",
]

#: The four XOR inputs and targets.
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-z))``, without overflow.

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.

    Returns
    -------
    ndarray of the shape of ``z``, values in [0, 1].

    Notes
    -----
    .. math:: \\sigma(z) = \\frac{1}{1 + e^{-z}} = \\tfrac12 (1 + \\tanh(z/2))

    References: `rumelhart1986`

    Examples
    --------
    >>> float(sigmoid(0.0))
    0.5
    """
    return _sigmoid(check_array(z, "z"))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # sigma(z) = (1 + tanh(z / 2)) / 2 never overflows
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _sigmoid_prime(z: np.ndarray) -> np.ndarray:
    s = _sigmoid(z)
    return s * (1.0 - s)  # sigma' = sigma (1 - sigma)


#: name -> (phi, phi'), both evaluated at the pre-activation z.
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "sigmoid": (_sigmoid, _sigmoid_prime),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "identity": (lambda z: z, np.ones_like),
}


def squared_error(a: np.ndarray, y: np.ndarray) -> float:
    """Half the summed squared error, ``E = 1/2 sum_n ||a_n - y_n||^2``.

    Parameters
    ----------
    a, y : array_like of shape (n_samples, n_out)
        Network outputs and targets.

    Returns
    -------
    float
        ``E``; its gradient with respect to ``a`` is ``a - y``.

    References: `rumelhart1986` (their equation 2)

    Examples
    --------
    >>> squared_error([[1.0], [0.0]], [[0.0], [0.0]])
    0.5
    """
    a = check_array(a, "a", ndim=2)
    y = check_array(y, "y", shape=a.shape)
    return float(0.5 * np.sum((a - y) ** 2))


class MLP:
    """A multilayer perceptron trained by backpropagation (numpy only).

    Parameters
    ----------
    sizes : sequence of int
        Layer widths ``[n_in, n_hidden..., n_out]``, at least two entries.
    hidden : {"sigmoid", "tanh"}, default "tanh"
        Activation of the hidden layers.
    output : {"sigmoid", "tanh", "identity"}, default "sigmoid"
        Activation of the output layer.
    rng : int, numpy.random.Generator or None
        Seed for the initial weights ``W^l ~ N(0, 1/n_in)`` (std
        ``1/sqrt(n_in)``); biases start at 0.

    Attributes
    ----------
    weights : list of ndarray of shape (n_out_l, n_in_l)
        ``W^1..W^L``.
    biases : list of ndarray of shape (n_out_l,)
        ``b^1..b^L``.

    Notes
    -----
    .. math:: \\delta^l = \\big(W^{l+1\\top} \\delta^{l+1}\\big) \\odot
              \\phi'(z^l), \\qquad
              \\frac{\\partial E}{\\partial W^l} = \\delta^l a^{l-1\\top}

    References: `rumelhart1986`

    Examples
    --------
    >>> MLP([2, 3, 1], rng=0)
    MLP(sizes=[2, 3, 1], hidden='tanh', output='sigmoid')
    """

    def __init__(self, sizes: Sequence[int], hidden: str = "tanh",
                 output: str = "sigmoid", rng: RngLike = None) -> None:
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
            raise TypeError(f"sizes must be a sequence of ints, got {type(sizes).__name__}")
        if len(sizes) < 2:
            raise ValueError(f"sizes must have at least 2 entries, got {list(sizes)}")
        self.sizes = [check_int(n, "sizes", minimum=1) for n in sizes]
        for name, value, allowed in (("hidden", hidden, ("sigmoid", "tanh")),
                                     ("output", output, tuple(ACTIVATIONS))):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")
        self.hidden, self.output = hidden, output
        rng = as_rng(rng)
        # W^l ~ N(0, 1/n_in): [n_out, n_in]; b^l = 0: [n_out]
        self.weights = [rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_out, n_in))
                        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]
        self.biases = [np.zeros(n_out) for n_out in self.sizes[1:]]

    def __repr__(self) -> str:
        return f"MLP(sizes={self.sizes}, hidden={self.hidden!r}, output={self.output!r})"

    def _phi(self, l: int) -> tuple[Callable, Callable]:
        """(phi, phi') of layer l = 1..L."""
        return ACTIVATIONS[self.output if l == len(self.weights) else self.hidden]

    def _check(self, X: object, y: object = None) -> tuple[np.ndarray, np.ndarray | None]:
        X = check_array(X, "X", shape=(None, self.sizes[0]))
        if X.shape[0] == 0:
            raise ValueError(f"X must have at least one sample, got shape {X.shape}")
        if y is not None:
            y = check_array(y, "y", shape=(X.shape[0], self.sizes[-1]))
        return X, y

    def forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Forward pass; returns the pre-activations ``[z^1..z^L]`` and the
        activations ``[a^0..a^L]`` (``a^0 = X``), each of shape
        (n_samples, n_l), as the backward pass needs them."""
        a, _ = self._check(X)
        zs, activations = [], [a]
        for l, (W, b) in enumerate(zip(self.weights, self.biases), start=1):
            z = a @ W.T + b  # z^l = a^{l-1} W^lT + b^l: [n_samples, n_l]
            a = self._phi(l)[0](z)  # a^l = phi(z^l)
            zs.append(z)
            activations.append(a)
        return zs, activations

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Network output ``a^L``, ndarray of shape (n_samples, n_out)."""
        return self.forward(X)[1][-1]

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """Squared error ``E = 1/2 sum_n ||a^L_n - y_n||^2`` on ``(X, y)``."""
        X, y = self._check(X, y)
        return squared_error(self.predict(X), y)

    def backward(self, zs: list[np.ndarray], activations: list[np.ndarray],
                 y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Delta rule through a cached forward pass; returns
        ``([dE/dW^1..dE/dW^L], [dE/db^1..dE/db^L])``."""
        y = check_array(y, "y", shape=activations[-1].shape)
        L = len(self.weights)
        grad_W, grad_b = [None] * L, [None] * L
        # delta^L = (a^L - y) * phi_L'(z^L): [n_samples, n_out]
        delta = (activations[-1] - y) * self._phi(L)[1](zs[-1])
        for l in range(L, 0, -1):  # l = L, ..., 1
            # dE/dW^l = delta^lT a^{l-1}, dE/db^l = sum_n delta^l
            grad_W[l - 1] = delta.T @ activations[l - 1]
            grad_b[l - 1] = delta.sum(axis=0)
            if l > 1:  # delta^{l-1} = (delta^l W^l) * phi'(z^{l-1})
                delta = (delta @ self.weights[l - 1]) * self._phi(l - 1)[1](zs[l - 2])
        return grad_W, grad_b

    def gradients(self, X: np.ndarray, y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(dE/dW, dE/db)`` on ``(X, y)``: one forward and one backward pass."""
        X, y = self._check(X, y)
        return self.backward(*self.forward(X), y)

    def fit(self, X: np.ndarray, y: np.ndarray, lr: float = 0.5,
            n_epochs: int = 1000) -> np.ndarray:
        """Full-batch gradient descent ``W^l <- W^l - lr dE/dW^l``.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_in), at least one sample
        y : array_like of shape (n_samples, n_out)
        lr : float, default 0.5
            Learning rate ``eta > 0``.
        n_epochs : int, default 1000
            Number of gradient steps.

        Returns
        -------
        ndarray of shape (n_epochs,)
            The error ``E`` before each step. A ``RuntimeWarning`` says when
            it stops being finite (``lr`` too large); training stops there.
        """
        X, y = self._check(X, y)
        lr = check_float(lr, "lr", minimum=0.0, strict=True)
        n_epochs = check_int(n_epochs, "n_epochs", minimum=1)
        losses = np.full(n_epochs, np.nan)
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(n_epochs):
                zs, activations = self.forward(X)
                losses[epoch] = 0.5 * np.sum((activations[-1] - y) ** 2)
                if not np.isfinite(losses[epoch]):
                    warnings.warn(f"the error diverged at epoch {epoch} "
                                  f"(lr={lr} is too large)", RuntimeWarning,
                                  stacklevel=2)
                    break
                grad_W, grad_b = self.backward(zs, activations, y)
                for W, b, gW, gb in zip(self.weights, self.biases, grad_W, grad_b):
                    W -= lr * gW  # W^l <- W^l - eta dE/dW^l
                    b -= lr * gb
        return losses


def finite_difference_gradients(net: MLP, X: np.ndarray, y: np.ndarray,
                                eps: float = 1e-6) -> list[np.ndarray]:
    """Central finite differences of ``E`` with respect to every weight.

    Parameters
    ----------
    net : MLP
        The network (each weight is nudged and restored).
    X : array_like of shape (n_samples, n_in)
    y : array_like of shape (n_samples, n_out)
    eps : float, default 1e-6
        Step ``h > 0``.

    Returns
    -------
    list of ndarray of shape (n_out_l, n_in_l)
        Approximations of ``dE/dW^l``, error ``O(h^2)``.

    Notes
    -----
    .. math:: \\frac{\\partial E}{\\partial W_{ij}} \\approx
              \\frac{E(W_{ij} + h) - E(W_{ij} - h)}{2h}

    References: `griewank2008`

    Examples
    --------
    >>> net = MLP([2, 2, 1], rng=0)
    >>> [g.shape for g in finite_difference_gradients(net, XOR_X, XOR_Y)]
    [(2, 2), (1, 2)]
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    X, y = net._check(X, y)
    eps = check_float(eps, "eps", minimum=0.0, strict=True)
    grads = []
    for W in net.weights:
        g = np.empty_like(W)
        for idx in np.ndindex(W.shape):
            w0 = W[idx]
            W[idx] = w0 + eps
            e_plus = net.loss(X, y)
            W[idx] = w0 - eps
            e_minus = net.loss(X, y)
            W[idx] = w0  # restore
            g[idx] = (e_plus - e_minus) / (2 * eps)  # (E(w+h) - E(w-h)) / 2h
        grads.append(g)
    return grads
