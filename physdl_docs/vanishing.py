"""Vanishing and exploding gradients: products of layer factors.

Taught in lesson 2.3. In a plain network ``h^l = phi(z^l)``,
``z^l = h^{l-1} W^lT``, the backward pass multiplies the gradient
``g^l = dE/dh^l`` by one Jacobian per layer,

    g^{l-1} = (g^l * phi'(z^l)) W^l,

so ``||g^0|| / ||g^L||`` is a product of ``L`` layer factors
``r_l = ||g^{l-1}|| / ||g^l||``. A residual block adds the identity,
``g^{l-1} = g^l + a (g^l * phi'(z^l)) W^l``. In a deep BN-ReLU network at
initialisation the squared weight-gradient norm grows by ``pi / (pi - 1)``
per layer towards the input (`yang2019`).
"""

from __future__ import annotations

import math

import numpy as np

from physdl_docs._optional import require_torch
from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
)
from physdl_docs.backprop import ACTIVATIONS as _BACKPROP_ACTIVATIONS
from physdl_docs.backprop import sigmoid
from physdl_docs.landscape import clip_grad_norm

__all__ = [
    "ACTIVATIONS",
    "YANG_RATE",
    "activation_derivative",
    "batchnorm_weight_gradients",
    "clip_by_norm",
    "gradient_norms",
    "growth_rate",
    "init_std",
    "sigmoid",
]

#: Negative slope of the leaky ReLU.
LEAKY_SLOPE = 0.01

#: Per-layer growth of the squared gradient norm in deep BN-ReLU nets.
YANG_RATE = math.pi / (math.pi - 1)


#: name -> (phi, phi'), both evaluated at the pre-activation z.
ACTIVATIONS = {
    "sigmoid": _BACKPROP_ACTIVATIONS["sigmoid"],  # the one sigmoid
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0) * 1.0),
    "leaky_relu": (lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
                   lambda z: np.where(z > 0, 1.0, LEAKY_SLOPE)),
}


def _check_name(value: object, name: str, allowed) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, got {value!r}")
    return value


def activation_derivative(activation: str, z: np.ndarray) -> np.ndarray:
    """Derivative ``phi'(z)`` of a named activation.

    Parameters
    ----------
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"}
        The activation ``phi``.
    z : array_like
        Pre-activations, any shape.

    Returns
    -------
    ndarray of the same shape as ``z``
        ``phi'(z)``; for the ReLUs the value at ``z = 0`` is the left slope.

    Notes
    -----
    .. math:: \\sigma'(z) = \\sigma(z)(1 - \\sigma(z)) \\le \\tfrac14

    References: `hochreiter1991`, `glorot2010`

    Examples
    --------
    >>> float(activation_derivative("sigmoid", 0.0))
    0.25
    """
    _check_name(activation, "activation", ACTIVATIONS)
    z = check_array(z, "z")
    return ACTIVATIONS[activation][1](z)


def init_std(init: str, fan_in: int, fan_out: int, activation: str = "relu") -> float:
    """Standard deviation of Gaussian weights under Xavier or He scaling.

    Parameters
    ----------
    init : {"xavier", "he"}
        ``"xavier"``: variance ``2 / (fan_in + fan_out)`` (Glorot & Bengio
        2010). ``"he"``: variance ``2 / ((1 + a^2) fan_in)``, with ``a`` the
        negative slope (0 for ReLU, 0.01 for ``"leaky_relu"``).
    fan_in, fan_out : int
        Inputs and outputs of the layer.
    activation : str, default "relu"
        Only used by ``"he"`` for the leaky slope.

    Returns
    -------
    float
        The standard deviation of every weight.

    Notes
    -----
    .. math:: \\operatorname{Var} W_{ij} = \\frac{2}{(1 + a^2)\\, n_{\\text{in}}}

    References: `glorot2010`, `he2015`

    Examples
    --------
    >>> round(init_std("he", 2, 5) ** 2, 12)  # 2 / fan_in
    1.0
    """
    _check_name(init, "init", ("xavier", "he"))
    _check_name(activation, "activation", ACTIVATIONS)
    fan_in = check_int(fan_in, "fan_in", minimum=1)
    fan_out = check_int(fan_out, "fan_out", minimum=1)
    if init == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    a = LEAKY_SLOPE if activation == "leaky_relu" else 0.0
    return math.sqrt(2.0 / ((1.0 + a * a) * fan_in))


def gradient_norms(activation: str, depth: int, width: int, init: str = "xavier",
                   n_samples: int = 64, residual: bool = False,
                   branch_scale: float = 1.0, rng: RngLike = None) -> np.ndarray:
    """Backpropagate a random gradient through a random deep network.

    A thin adapter over `physdl_docs.criticality.gradient_norms` (the one
    implementation): square layers of ``width`` units, no biases, weights of
    std `init_std`, a batch of ``N(0, 1)`` inputs, and norms instead of
    squared norms.

    Parameters
    ----------
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"}
    depth : int
        Number of layers ``L >= 1``.
    width : int
        Units per layer.
    init : {"xavier", "he"}, default "xavier"
        Weight scaling, see :func:`init_std`.
    n_samples : int, default 64
        Batch size.
    residual : bool, default False
        Use blocks ``h^l = h^{l-1} + branch_scale * phi(z^l)``.
    branch_scale : float, default 1.0
        Multiplier ``a > 0`` of each residual branch.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator: inputs, then ``W^1..W^L``, then ``g^L``.

    Returns
    -------
    ndarray of shape (depth + 1,)
        ``||g^l|| / ||g^L||`` for ``l = 0..L`` (Frobenius norm over the
        batch); entry 0 is the gradient with respect to the input.

    Notes
    -----
    .. math:: \\frac{\\lVert g^0 \\rVert}{\\lVert g^L \\rVert}
              = \\prod_{l=1}^{L} r_l, \\qquad
              r_l = \\frac{\\lVert g^{l-1} \\rVert}{\\lVert g^l \\rVert}

    References: `glorot2010`.

    Examples
    --------
    >>> gradient_norms("relu", 3, 8, init="he", rng=0).shape
    (4,)
    """
    from physdl_docs import criticality

    _check_name(activation, "activation", ACTIVATIONS)
    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    std = init_std(init, width, width, activation)
    if not isinstance(residual, bool):
        raise TypeError(f"residual must be a bool, got {type(residual).__name__}")
    a = check_float(branch_scale, "branch_scale", minimum=0.0, strict=True)
    rng = as_rng(rng)
    x = rng.normal(size=(n_samples, width))  # h^0, drawn first
    squared = criticality.gradient_norms(
        depth, width, std * np.sqrt(width), 0.0, phi=ACTIVATIONS[activation],
        rng=rng, inputs=x, branch_scale=a if residual else None)
    return np.sqrt(squared)


def batchnorm_weight_gradients(depth: int, width: int, batch_size: int,
                               rng: RngLike = None) -> np.ndarray:
    """Squared weight-gradient norms of a deep BN-ReLU network at initialisation.

    Layers ``h^l = relu(BN(h^{l-1} W^lT))`` with batch statistics (training
    mode, no affine parameters, ``eps = 1e-5``) and He-scaled Gaussian
    weights; the loss is ``E = sum(h^L * v)`` with a Gaussian ``v``. Uses
    ``torch.autograd`` in float32.

    Parameters
    ----------
    depth : int
        Number of layers ``L >= 2``.
    width : int
        Units per layer.
    batch_size : int
        Samples per batch ``B >= 2`` (BN needs a batch).
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.

    Returns
    -------
    ndarray of shape (depth,)
        ``||dE/dW^l||_F^2`` for ``l = 1..L``.

    Notes
    -----
    .. math:: \\frac{\\lVert \\partial E / \\partial W^{l} \\rVert^2}
              {\\lVert \\partial E / \\partial W^{l+1} \\rVert^2}
              \\to \\frac{\\pi}{\\pi - 1} \\approx 1.467

    References: `yang2019`

    Examples
    --------
    >>> batchnorm_weight_gradients(4, 16, 32, rng=0).shape
    (4,)
    """
    torch = require_torch()
    F = torch.nn.functional

    depth = check_int(depth, "depth", minimum=2)
    width = check_int(width, "width", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=2)
    rng = as_rng(rng)
    std = math.sqrt(2.0 / width)
    x = rng.normal(size=(batch_size, width))  # x: [batch_size, width]
    Ws = [torch.tensor(rng.normal(0.0, std, (width, width)), dtype=torch.float32,
                       requires_grad=True) for _ in range(depth)]
    v = torch.tensor(rng.normal(size=(batch_size, width)), dtype=torch.float32)
    h = torch.tensor(x, dtype=torch.float32)
    for W in Ws:
        # h^l = relu(BN(h^{l-1} W^lT)), BN over the batch dimension
        h = torch.relu(F.batch_norm(h @ W.T, None, None, training=True, eps=1e-5))
    (h * v).sum().backward()
    return np.array([float(W.grad.pow(2).sum()) for W in Ws])


def growth_rate(sq_norms: np.ndarray, skip: int = 3) -> float:
    """Per-layer factor by which squared gradient norms grow towards the input.

    Fits ``log ||dE/dW^l||^2 = c - l log(lambda)`` by least squares,
    leaving out ``skip`` layers at each end (boundary effects).

    Parameters
    ----------
    sq_norms : array_like of shape (depth,)
        Positive values, layer 1 first.
    skip : int, default 3
        Layers to leave out at each end.

    Returns
    -------
    float
        ``lambda``; above 1 the gradient explodes towards the input.

    Notes
    -----
    .. math:: \\lambda = \\exp(-\\text{slope of } \\log \\lVert
              \\partial E / \\partial W^l \\rVert^2 \\text{ against } l)

    References: `yang2019`

    Examples
    --------
    >>> round(growth_rate([8.0, 4.0, 2.0, 1.0], skip=0), 6)
    2.0
    """
    s = check_array(sq_norms, "sq_norms", ndim=1)
    skip = check_int(skip, "skip", minimum=0)
    if len(s) - 2 * skip < 2:
        raise ValueError(f"sq_norms must have more than 2 * skip + 1 = "
                         f"{2 * skip + 1} entries, got {len(s)}")
    if np.any(s <= 0):
        raise ValueError("sq_norms must be positive")
    l = np.arange(len(s))[skip:len(s) - skip]
    slope = np.polyfit(l, np.log(s[skip:len(s) - skip]), 1)[0]
    return float(np.exp(-slope))


def clip_by_norm(g: np.ndarray, max_norm: float) -> np.ndarray:
    """Rescale a gradient so that its norm is at most ``max_norm``.

    Parameters
    ----------
    g : array_like
        The gradient (not modified).
    max_norm : float
        Threshold ``c > 0``.

    Returns
    -------
    ndarray of the same shape as ``g``
        ``g`` itself if ``||g|| <= c``, else ``g c / ||g||`` (same direction).

    Notes
    -----
    One array, the 2-norm and no ``eps``: the single-gradient case of
    `physdl_docs.landscape.clip_grad_norm` (lesson 3.4), which it calls.

    .. math:: g \\leftarrow g \\min\\left(1, \\frac{c}{\\lVert g \\rVert}\\right)

    References: `pascanu2013`

    Examples
    --------
    >>> clip_by_norm([3.0, 4.0], 1.0)
    array([0.6, 0.8])
    """
    g = check_array(g, "g")
    c = check_float(max_norm, "max_norm", minimum=0.0, strict=True)
    # g <- g min(1, c / ||g||), one concept with one implementation
    return clip_grad_norm([g], c, eps=0.0)[0][0]
