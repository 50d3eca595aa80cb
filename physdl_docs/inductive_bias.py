"""Inductive bias of coordinate networks: ReLU against sine (SIREN).

Taught in lesson 3.8 (docs/training/inductive-bias.md).

A coordinate network maps a coordinate ``x`` to a signal value ``f(x)``.
Which function it returns between and beyond the samples is decided by its
architecture and initialisation, not by the data:

- A ReLU MLP is piecewise linear, so beyond its last kink it continues along
  a straight line: the slope far from the data is constant and the second
  difference is zero (Xu et al. 2021).
- Trained by gradient descent, a ReLU MLP learns the low frequencies of a
  target first and the high ones much later (spectral bias, Rahaman et al.
  2019).
- A sine network (SIREN, Sitzmann et al. 2020) computes
  ``h^l = sin(omega0 (W^l h^{l-1} + b^l))`` with ``omega0 = 30``, first-layer
  weights ``U(-1/n, 1/n)`` and later weights ``U(-sqrt(6/n)/omega0,
  sqrt(6/n)/omega0)``. It fits high frequencies within a few hundred steps.
  With PyTorch's default ``U(-1/sqrt(n), 1/sqrt(n))`` weights the same
  network memorises the samples and is wrong between them.

The networks are lesson 2.2's `physdl_docs.backprop.MLP` with a ReLU and a
sine activation added and float32 forward passes (numpy's float32 ``sin`` is
vectorised, its float64 one is not); the backward pass is 2.2's delta rule.
Training is full-batch Adam, written out in `adam_step`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
)
from physdl_docs.backprop import ACTIVATIONS, MLP

__all__ = [
    "CoordinateMLP",
    "History",
    "adam_step",
    "derivatives",
    "fit_adam",
    "frequency_residuals",
    "learning_steps",
    "mse_gradients",
    "psnr",
    "sum_of_sines",
    "weight_bounds",
]

#: SIREN's frequency factor (Sitzmann et al. 2020).
OMEGA0 = 30.0
INITS = ("siren", "he", "default")
HIDDEN = ("relu", "sine", "tanh")


def weight_bounds(sizes: list[int], init: str = "siren",
                  omega0: float = OMEGA0) -> list[float]:
    r"""Half-widths ``c_l`` of the uniform weight laws ``U(-c_l, c_l)``.

    Parameters
    ----------
    sizes : list of int
        Layer widths ``[n_in, n_hidden..., n_out]``.
    init : {"siren", "he", "default"}, default "siren"
        ``"siren"``: ``1/n`` in the first layer, ``sqrt(6/n)/omega0`` after;
        ``"he"``: ``sqrt(6/n)`` (variance ``2/n``); ``"default"``:
        ``1/sqrt(n)``, what ``torch.nn.Linear`` draws.
    omega0 : float, default 30
        SIREN's frequency factor.

    Returns
    -------
    list of float
        One bound per layer, ``n`` being that layer's fan-in.

    Notes
    -----
    .. math:: c_1 = \frac{1}{n_0},\qquad c_l = \frac{1}{\omega_0}
              \sqrt{\frac{6}{n_{l-1}}}\quad (l \ge 2)

    References
    ----------
    `sitzmann2020`, `he2015`

    Examples
    --------
    >>> [round(c, 4) for c in weight_bounds([1, 64, 64, 1])]
    [1.0, 0.0102, 0.0102]
    """
    sizes = [check_int(n, "sizes", minimum=1) for n in sizes]
    _check_choice(init, "init", INITS)
    omega0 = check_float(omega0, "omega0", 0.0, strict=True)
    fans = sizes[:-1]
    if init == "siren":
        return [1.0 / fans[0]] + [math.sqrt(6.0 / n) / omega0 for n in fans[1:]]
    if init == "he":
        return [math.sqrt(6.0 / n) for n in fans]
    return [1.0 / math.sqrt(n) for n in fans]


class CoordinateMLP(MLP):
    r"""Lesson 2.2's MLP with ReLU or sine hidden layers and a linear output.

    Parameters
    ----------
    sizes : list of int
        Layer widths ``[n_in, n_hidden..., n_out]``.
    activation : {"relu", "sine", "tanh"}, default "relu"
        Hidden activation; ``"sine"`` is ``sin(omega0 z)``.
    init : {"siren", "he", "default"}, optional
        Weight law (see `weight_bounds`); default ``"siren"`` for sine,
        ``"he"`` for ReLU and ``"default"`` for tanh. Biases are
        ``U(-1/sqrt(n), 1/sqrt(n))`` as in ``torch.nn.Linear``.
    omega0 : float, default 30
        Frequency factor of the sine layers.
    rng : int, numpy.random.Generator or None
        Seed of the initial weights.

    Attributes
    ----------
    weights, biases : lists of float32 ndarray
        ``W^l`` of shape ``(n_l, n_{l-1})`` and ``b^l`` of shape ``(n_l,)``.

    Notes
    -----
    .. math:: h^l = \sin\big(\omega_0 (W^l h^{l-1} + b^l)\big),\qquad
              f(x) = W^L h^{L-1} + b^L

    References
    ----------
    `sitzmann2020`, `rumelhart1986`

    Examples
    --------
    >>> net = CoordinateMLP([1, 8, 1], activation="sine", rng=0)
    >>> net
    CoordinateMLP(sizes=[1, 8, 1], activation='sine', init='siren')
    >>> net.predict(np.zeros((3, 1))).shape
    (3, 1)
    """

    def __init__(self, sizes: list[int], activation: str = "relu",
                 init: str | None = None, omega0: float = OMEGA0,
                 rng: RngLike = None) -> None:
        rng = as_rng(rng)
        super().__init__(sizes, hidden="tanh", output="identity", rng=rng)
        _check_choice(activation, "activation", HIDDEN)
        if init is None:
            init = {"relu": "he", "sine": "siren", "tanh": "default"}[activation]
        self.hidden, self.init = activation, init
        self.omega0 = check_float(omega0, "omega0", 0.0, strict=True)
        bounds = weight_bounds(self.sizes, init, self.omega0)
        # W^l ~ U(-c_l, c_l): [n_out, n_in]; b^l ~ U(-1/sqrt(n_in), 1/sqrt(n_in))
        self.weights, self.biases = [], []
        for c, n_in, n_out in zip(bounds, self.sizes[:-1], self.sizes[1:]):
            W = rng.uniform(-c, c, size=(n_out, n_in))
            b = rng.uniform(-1.0, 1.0, size=n_out) / math.sqrt(n_in)
            self.weights.append(W.astype(np.float32))
            self.biases.append(b.astype(np.float32))

    def __repr__(self) -> str:
        return (f"CoordinateMLP(sizes={self.sizes}, activation={self.hidden!r}, "
                f"init={self.init!r})")

    def _check(self, X: object, y: object = None):
        X = check_array(X, "X", shape=(None, self.sizes[0]), dtype=np.float32)
        if y is not None:
            y = check_array(y, "y", shape=(X.shape[0], self.sizes[-1]))
        return X, y

    def _phi(self, l: int):
        if l == len(self.weights):
            return ACTIVATIONS["identity"]
        if self.hidden == "relu":
            # ReLU and its derivative 1[z > 0] (0 at the kink, as in torch)
            return (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(z.dtype))
        if self.hidden == "tanh":
            return ACTIVATIONS["tanh"]
        w0 = np.float32(self.omega0)
        # phi(z) = sin(omega0 z), phi'(z) = omega0 cos(omega0 z)
        return (lambda z: np.sin(w0 * z), lambda z: w0 * np.cos(w0 * z))


def adam_step(params: list[np.ndarray], grads: list[np.ndarray],
              m: list[np.ndarray], v: list[np.ndarray], t: int, lr: float,
              betas: tuple[float, float] = (0.9, 0.999),
              eps: float = 1e-8) -> None:
    r"""One Adam update, in place on ``params``, ``m`` and ``v``.

    Parameters
    ----------
    params, grads, m, v : lists of ndarray (or of torch tensors)
        Parameters, their gradients, and the first and second moment
        estimates (start at zero), matched by position. Torch tensors work
        too (lesson 3.9 uses it so); update them under ``torch.no_grad()``.
    t : int
        Step number, starting at 1 (for the bias correction).
    lr : float
        Learning rate.
    betas, eps : decay rates and the denominator's offset.

    Notes
    -----
    .. math:: m \leftarrow \beta_1 m + (1-\beta_1) g,\quad
              v \leftarrow \beta_2 v + (1-\beta_2) g^2,\quad
              \theta \leftarrow \theta - \eta\,
              \frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)} + \epsilon}

    Equal to ``torch.optim.Adam`` step by step (unit test).

    References
    ----------
    `kingma2015`

    Examples
    --------
    >>> p, g = [np.array([1.0])], [np.array([0.5])]
    >>> m, v = [np.zeros(1)], [np.zeros(1)]
    >>> adam_step(p, g, m, v, t=1, lr=0.1)
    >>> print(f"{p[0][0]:.4f}")  # the first step has length lr
    0.9000
    """
    b1, b2 = betas
    for p, g, mi, vi in zip(params, grads, m, v):
        mi *= b1
        mi += (1 - b1) * g
        vi *= b2
        vi += (1 - b2) * g * g
        p -= lr * (mi / (1 - b1**t)) / ((vi / (1 - b2**t)) ** 0.5 + eps)


def mse_gradients(net: CoordinateMLP, X: np.ndarray, y: np.ndarray
                  ) -> tuple[float, list[np.ndarray]]:
    r"""Mean squared error and its gradient, by lesson 2.2's backward pass.

    Parameters
    ----------
    net : CoordinateMLP
    X : array_like of shape (n_samples, n_in)
    y : array_like of shape (n_samples, n_out)

    Returns
    -------
    mse : float
    grads : list of ndarray
        ``dMSE/dW^1..dMSE/dW^L`` then ``dMSE/db^1..dMSE/db^L``, in the order
        of ``net.weights + net.biases``.

    Notes
    -----
    The backward pass of `physdl_docs.backprop.MLP` differentiates
    :math:`E = \frac12 \sum (f - y)^2`; the mean squared error over the
    :math:`N d` outputs is :math:`2E/(Nd)`, so every gradient is scaled by
    :math:`2/(Nd)`.

    Examples
    --------
    >>> net = CoordinateMLP([1, 4, 1], rng=0)
    >>> mse, grads = mse_gradients(net, [[0.5]], [[1.0]])
    >>> [g.shape for g in grads]
    [(4, 1), (1, 4), (4,), (1,)]
    """
    _check_net(net)
    X, y = net._check(X, y)
    mse, grads, _ = _mse_step(net, X, y)
    return mse, grads


def _mse_step(net: CoordinateMLP, X: np.ndarray, y: np.ndarray):
    """(MSE, its gradients, the output) for checked float arrays."""
    zs, acts = net.forward(X)
    grad_W, grad_b = net.backward(zs, acts, y)
    scale = 2.0 / y.size  # d MSE / d E with E = 1/2 sum (f - y)^2
    mse = float(np.mean((acts[-1] - y) ** 2))
    return mse, [scale * g for g in grad_W + grad_b], acts[-1]


@dataclass
class History:
    """Training record of `fit_adam`.

    ``loss[t]`` is the mean squared error before step ``t``; ``outputs[r]``
    the network's (first) output on the training inputs before step
    ``steps[r]``, of shape ``(n_records, n_samples)``.
    """

    loss: np.ndarray
    steps: np.ndarray
    outputs: np.ndarray

    def __repr__(self) -> str:
        return f"History(steps={len(self.loss)}, final_loss={self.loss[-1]:.3g})"


def fit_adam(net: CoordinateMLP, X: np.ndarray, y: np.ndarray,
             steps: int = 300, lr: float = 1e-3,
             record_every: int = 0) -> History:
    r"""Full-batch Adam on the mean squared error.

    Parameters
    ----------
    net : CoordinateMLP
        Trained in place.
    X : array_like of shape (n_samples, n_in)
    y : array_like of shape (n_samples, n_out)
    steps : int, default 300
    lr : float, default 1e-3
    record_every : int, default 0
        Keep the outputs every that many steps (0: never).

    Returns
    -------
    History

    Notes
    -----
    Each step takes the gradients of `mse_gradients` and one `adam_step`.

    Examples
    --------
    >>> net = CoordinateMLP([1, 16, 1], rng=0)
    >>> x = np.linspace(-1, 1, 20)[:, None]
    >>> h = fit_adam(net, x, x**2, steps=200, lr=1e-2)
    >>> bool(h.loss[-1] < 0.01 * h.loss[0])
    True
    """
    _check_net(net)
    X, y = net._check(X, y)
    steps = check_int(steps, "steps", minimum=1)
    lr = check_float(lr, "lr", 0.0, strict=True)
    record_every = check_int(record_every, "record_every", minimum=0)
    params = net.weights + net.biases
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    loss, outputs, recorded = np.empty(steps), [], []
    for t in range(1, steps + 1):
        loss[t - 1], grads, f = _mse_step(net, X, y)
        if record_every and (t - 1) % record_every == 0:
            outputs.append(f[:, 0])
            recorded.append(t - 1)
        adam_step(params, grads, m, v, t, lr)
    if not np.all(np.isfinite(loss)):
        warnings.warn("training diverged: the loss is not finite",
                      RuntimeWarning, stacklevel=2)
    outputs = np.array(outputs, dtype=np.float32).reshape(len(recorded), len(X))
    return History(loss, np.array(recorded, dtype=int), outputs)


def derivatives(net: CoordinateMLP, x: np.ndarray,
                h: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Central first and second differences of a 1-D network.

    Parameters
    ----------
    net : CoordinateMLP
        With one input and one output.
    x : array_like of shape (n,)
        Points.
    h : float, default 1
        Step; both are exact for a function that is linear on ``[x-h, x+h]``.

    Returns
    -------
    slope, curvature : ndarray of shape (n,)

    Notes
    -----
    .. math:: f' \approx \frac{f(x+h) - f(x-h)}{2h},\qquad
              f'' \approx \frac{f(x+h) - 2f(x) + f(x-h)}{h^2}

    Examples
    --------
    >>> net = CoordinateMLP([1, 4, 1], rng=0)
    >>> slope, curv = derivatives(net, [1e4, 2e4])
    >>> bool(abs(slope[0] - slope[1]) < 1e-3 * abs(slope[0]))
    True
    """
    _check_net(net)
    x = check_array(x, "x", ndim=1)
    h = check_float(h, "h", 0.0, strict=True)
    if net.sizes[0] != 1 or net.sizes[-1] != 1:
        raise ValueError(f"net must map 1 input to 1 output, got sizes {net.sizes}")
    # f at x - h, x, x + h in float64 arithmetic after the float32 network
    f = [net.predict((x + s * h)[:, None])[:, 0].astype(np.float64)
         for s in (-1, 0, 1)]
    return (f[2] - f[0]) / (2 * h), (f[2] - 2 * f[1] + f[0]) / h**2


def psnr(prediction: np.ndarray, target: np.ndarray) -> float:
    r"""Peak signal-to-noise ratio in dB, the peak being the target's range.

    Parameters
    ----------
    prediction, target : array_like of the same shape

    Returns
    -------
    float
        ``inf`` (with a warning) for an exact fit.

    Notes
    -----
    .. math:: \mathrm{PSNR} = 10 \log_{10}
              \frac{(\max y - \min y)^2}{\mathrm{MSE}}

    Examples
    --------
    >>> y = np.array([-1.0, 1.0])
    >>> print(f"{psnr(y + 0.1, y):.1f}")  # 10 log10(4 / 0.01)
    26.0
    """
    target = check_array(target, "target")
    prediction = check_array(prediction, "prediction", shape=target.shape)
    span = float(target.max() - target.min()) if target.size else 0.0
    if span == 0.0:
        raise ValueError("target must not be constant (its range is the peak)")
    mse = float(np.mean((prediction - target) ** 2))
    if mse == 0.0:
        warnings.warn("prediction equals target: PSNR is infinite",
                      RuntimeWarning, stacklevel=2)
        return math.inf
    return 10.0 * math.log10(span**2 / mse)


def sum_of_sines(x: np.ndarray, freqs: list[int],
                 rng: RngLike = None) -> np.ndarray:
    r"""A sum of unit sines with ``k`` periods on ``[-1, 1)`` each.

    Parameters
    ----------
    x : array_like
        Points.
    freqs : list of int
        Frequencies ``k`` (periods per interval of length 2).
    rng : int, numpy.random.Generator or None
        Seed of the random phases ``phi_k ~ U(0, 2 pi)``.

    Returns
    -------
    ndarray of the shape of ``x``

    Notes
    -----
    .. math:: y(x) = \sum_k \sin(\pi k x + \varphi_k)

    On the grid ``x_j = -1 + 2j/N`` the term ``k`` is exactly bin ``k`` of
    the discrete Fourier transform, with amplitude ``N/2``.

    Examples
    --------
    >>> x = np.linspace(-1, 1, 16, endpoint=False)
    >>> y = sum_of_sines(x, [1, 3], rng=0)
    >>> np.round(np.abs(np.fft.rfft(y))[:4], 6).tolist()
    [0.0, 8.0, 0.0, 8.0]
    """
    x = check_array(x, "x")
    freqs = [check_int(k, "freqs", minimum=1) for k in freqs]
    phases = as_rng(rng).uniform(0.0, 2 * np.pi, size=len(freqs))
    return sum(np.sin(np.pi * k * x + p) for k, p in zip(freqs, phases))


def frequency_residuals(outputs: np.ndarray, y: np.ndarray,
                        freqs: list[int]) -> np.ndarray:
    """Relative amplitude of each target frequency still missing.

    Parameters
    ----------
    outputs : array_like of shape (n_records, N)
        Network outputs on a periodic grid (``History.outputs``).
    y : array_like of shape (N,)
        The target on the same grid.
    freqs : list of int
        Fourier bins to follow.

    Returns
    -------
    ndarray of shape (n_records, n_freqs)
        ``|FFT(y - f)_k| / |FFT(y)_k|``: 1 when nothing of frequency ``k``
        is learned, 0 when it is fitted.

    Examples
    --------
    >>> x = np.linspace(-1, 1, 16, endpoint=False)
    >>> y = sum_of_sines(x, [1, 3], rng=0)
    >>> f = sum_of_sines(x, [1], rng=0)  # the same phase for k = 1
    >>> np.round(frequency_residuals([0 * y, f], y, [1, 3]), 6).tolist()
    [[1.0, 1.0], [0.0, 1.0]]
    """
    y = check_array(y, "y", ndim=1)
    outputs = check_array(outputs, "outputs", shape=(None, y.size))
    freqs = [check_int(k, "freqs", minimum=0) for k in freqs]
    if max(freqs) > y.size // 2:
        raise ValueError(f"freqs must be <= N/2 = {y.size // 2}, got {max(freqs)}")
    target = np.abs(np.fft.rfft(y))[freqs]
    if np.any(target < 1e-12 * y.size):
        raise ValueError("y has no amplitude at one of freqs")
    return np.abs(np.fft.rfft(y - outputs, axis=1))[:, freqs] / target


def learning_steps(residuals: np.ndarray, steps: np.ndarray,
                   threshold: float = 0.1) -> np.ndarray:
    """First recorded step at which each residual is below ``threshold``.

    Parameters
    ----------
    residuals : array_like of shape (n_records, n_freqs)
        From `frequency_residuals`.
    steps : array_like of shape (n_records,)
        The step of each record (``History.steps``).
    threshold : float, default 0.1

    Returns
    -------
    ndarray of shape (n_freqs,)
        Steps, ``nan`` where the residual never fell below the threshold.

    Examples
    --------
    >>> learning_steps([[1.0, 1.0], [0.05, 0.5], [0.0, 0.01]], [0, 10, 20])
    array([10., 20.])
    """
    residuals = check_array(residuals, "residuals", ndim=2)
    steps = check_array(steps, "steps", shape=(residuals.shape[0],))
    threshold = check_float(threshold, "threshold", 0.0, strict=True)
    below = residuals < threshold
    first = np.argmax(below, axis=0)
    return np.where(below.any(axis=0), steps[first], np.nan)


def _check_choice(value: object, name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")
    return value


def _check_net(net: object) -> None:
    if not isinstance(net, CoordinateMLP):
        raise TypeError(f"net must be a CoordinateMLP, got {type(net).__name__}")
