"""Uniform quantisation of tensors to b-bit integers, per tensor or per channel.

Taught in lesson 3.7 (docs/training/quantization.md).

A real number ``x`` is stored as an integer code ``q`` with a float ``scale``
(the step Delta) and an integer ``zero_point`` z,

    q = clip(round(x / Delta) + z, q_min, q_max),    x_hat = (q - z) Delta,

rounding half to even, as PyTorch does. Two ways to choose Delta and z:

- symmetric: codes in [-(2^(b-1) - 1), 2^(b-1) - 1], Delta = max|x| / (2^(b-1) - 1),
  z = 0 (so 2^b - 1 levels, 2^b - 2 steps across [-max|x|, max|x|]);
- asymmetric: codes in [0, 2^b - 1] over the range [min(x, 0), max(x, 0)],
  Delta = range / (2^b - 1), z = round(-min / Delta), so that 0 is a level.

Inside the range the error is at most Delta/2; for a signal that is busy on
the scale of Delta it is close to uniform, with power Delta^2/12, which gives
the signal-to-quantisation-noise ratio ``6.02 b + 1.76 dB`` for a full-scale
sine (``6.02 b`` for a uniform signal).
"""

from __future__ import annotations

import copy

import numpy as np

from physdl_docs._optional import require_torch
from physdl_docs._validation import check_array, check_int

__all__ = [
    "dequantize",
    "quantize",
    "quantize_model",
    "quantize_per_channel",
    "sqnr_db",
]


def _check(x: object, n_bits: object, symmetric: object) -> tuple[np.ndarray, int]:
    if np.iscomplexobj(x):
        raise TypeError("x must be real, got complex values")
    x = check_array(x, "x")
    if x.size == 0:
        raise ValueError("x must not be empty")
    n_bits = check_int(n_bits, "n_bits", minimum=2)
    if n_bits > 16:
        raise ValueError(f"n_bits must be <= 16, got {n_bits}")
    if not isinstance(symmetric, bool):
        raise TypeError(f"symmetric must be a bool, got {type(symmetric).__name__}")
    return x, n_bits


def _code_range(n_bits: int, symmetric: bool) -> tuple[int, int]:
    """(q_min, q_max): [-(2^(b-1) - 1), 2^(b-1) - 1] or [0, 2^b - 1]."""
    if symmetric:
        return -(2 ** (n_bits - 1) - 1), 2 ** (n_bits - 1) - 1
    return 0, 2**n_bits - 1


def _scale_zero_point(x: np.ndarray, n_bits: int, symmetric: bool,
                      what: str = "x") -> tuple[float, int]:
    """Delta and z from the extremes of ``x``."""
    q_min, q_max = _code_range(n_bits, symmetric)
    if symmetric:
        # Delta = max|x| / (2^(b-1) - 1), z = 0
        width, lo = float(np.max(np.abs(x))), 0.0
    else:
        # range [min(x, 0), max(x, 0)] contains 0; Delta = range / (2^b - 1)
        lo = min(float(x.min()), 0.0)
        width = max(float(x.max()), 0.0) - lo
    if width == 0.0:
        raise ValueError(
            f"{what} is all zero: its range is empty and the scale would be 0")
    scale = width / (q_max if symmetric else q_max - q_min)
    # z = round(-min / Delta), an integer code, so that x = 0 is exact
    zero_point = 0 if symmetric else int(np.clip(np.rint(-lo / scale), q_min, q_max))
    return scale, zero_point


def _codes(x: np.ndarray, scale, zero_point, n_bits: int, symmetric: bool) -> np.ndarray:
    q_min, q_max = _code_range(n_bits, symmetric)
    # q = clip(round(x / Delta) + z, q_min, q_max); np.rint rounds half to even
    q = np.clip(np.rint(x / scale) + zero_point, q_min, q_max)
    dtype = (np.int8 if symmetric else np.uint8) if n_bits <= 8 else (
        np.int16 if symmetric else np.uint16)
    return q.astype(dtype)


def quantize(x: object, n_bits: int = 8,
             symmetric: bool = True) -> tuple[np.ndarray, float, int]:
    """Quantise ``x`` to ``n_bits``-bit integer codes with one scale.

    Parameters
    ----------
    x : array_like
        Real values, any shape, not all zero.
    n_bits : int, default 8
        Bits per code, 2 to 16.
    symmetric : bool, default True
        Symmetric codes with zero point 0, or asymmetric codes over the
        min-max range widened to include 0.

    Returns
    -------
    q : ndarray of int8/uint8 (int16/uint16 for more than 8 bits)
        The codes, in [-(2^(b-1)-1), 2^(b-1)-1] or [0, 2^b - 1].
    scale : float
        The step Delta.
    zero_point : int
        The code of x = 0 (0 when symmetric).

    Raises
    ------
    ValueError
        If ``x`` is empty, not finite, or all zero (no range to divide).

    Notes
    -----
    .. math:: q = \\operatorname{clip}\\big(\\operatorname{round}(x/\\Delta) + z,
              q_{\\min}, q_{\\max}\\big), \\qquad \\hat x = (q - z)\\,\\Delta

    References: `jacob2018`, `krishnamoorthi2018`

    Examples
    --------
    >>> q, scale, zero_point = quantize([-1.0, 0.0, 0.5, 1.27])
    >>> q, round(scale, 6), zero_point
    (array([-100,    0,   50,  127], dtype=int8), 0.01, 0)
    >>> quantize([-1.0, 3.0], n_bits=2, symmetric=False)
    (array([0, 3], dtype=uint8), 1.3333333333333333, 1)
    """
    x, n_bits = _check(x, n_bits, symmetric)
    scale, zero_point = _scale_zero_point(x, n_bits, symmetric)
    return _codes(x, scale, zero_point, n_bits, symmetric), scale, zero_point


def dequantize(q: object, scale: object, zero_point: object,
               axis: int | None = None) -> np.ndarray:
    """Map codes back to reals, ``x_hat = (q - z) Delta``.

    Parameters
    ----------
    q : array_like of int
        Codes from ``quantize`` or ``quantize_per_channel``.
    scale : float or array_like of shape (n_channels,)
        Step(s) Delta, positive.
    zero_point : int or array_like of shape (n_channels,)
        Zero point(s) z.
    axis : int, optional
        The channel axis of ``q`` when ``scale`` is per channel.

    Returns
    -------
    ndarray of float64, the shape of ``q``

    Examples
    --------
    >>> dequantize(*quantize([-1.0, 0.0, 0.5, 1.27]))
    array([-1.  ,  0.  ,  0.5 ,  1.27])
    """
    q_arr = np.asarray(q)
    if q_arr.dtype.kind not in "iu":
        raise TypeError(f"q must hold integer codes, got dtype {q_arr.dtype}")
    scale = check_array(scale, "scale", ndim=(0, 1))
    zero_point = check_array(zero_point, "zero_point", ndim=(0, 1))
    if np.any(scale <= 0):
        raise ValueError("scale must be positive")
    if np.any(zero_point != np.round(zero_point)):
        raise ValueError("zero_point must hold integers")
    if scale.ndim or zero_point.ndim:
        if axis is None:
            raise ValueError("axis must be given with per-channel scale or zero_point")
        axis = check_int(axis, "axis", minimum=-q_arr.ndim)
        if axis >= q_arr.ndim:
            raise ValueError(f"axis must be < {q_arr.ndim}, got {axis}")
        # broadcast the per-channel constants along `axis`
        shape = [1] * q_arr.ndim
        shape[axis] = -1
        scale, zero_point = scale.reshape(shape), zero_point.reshape(shape)
    # x_hat = (q - z) Delta
    return (q_arr.astype(np.float64) - zero_point) * scale


def quantize_per_channel(x: object, n_bits: int = 8, symmetric: bool = True,
                         axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quantise each slice along ``axis`` with its own scale and zero point.

    Parameters
    ----------
    x : array_like, at least 1-D
        E.g. a weight matrix of shape (n_out, n_in) with ``axis=0``: one
        scale per output unit, as ``torch.quantize_per_channel``.
    n_bits, symmetric : as in ``quantize``.
    axis : int, default 0
        The channel axis.

    Returns
    -------
    q : ndarray of integer codes, the shape of ``x``
    scales : ndarray of float64, shape (n_channels,)
    zero_points : ndarray of int64, shape (n_channels,)

    Raises
    ------
    ValueError
        If a channel is all zero.

    References: `krishnamoorthi2018`, `nagel2021`

    Examples
    --------
    >>> W = [[0.01, -0.02], [3.0, 1.0]]
    >>> q, scales, zps = quantize_per_channel(W)
    >>> q
    array([[ 64, -127],
           [ 127,  42]], dtype=int8)
    """
    x, n_bits = _check(x, n_bits, symmetric)
    if x.ndim == 0:
        raise ValueError("x must be at least 1-D for per-channel quantisation")
    axis = check_int(axis, "axis", minimum=-x.ndim)
    if axis >= x.ndim:
        raise ValueError(f"axis must be < {x.ndim}, got {axis}")
    # x: [n_channels, ...] with the channel axis first
    xc = np.moveaxis(x, axis, 0)
    params = [_scale_zero_point(c, n_bits, symmetric, what=f"channel {i} of x")
              for i, c in enumerate(xc)]
    scales = np.array([s for s, _ in params])
    zero_points = np.array([z for _, z in params], dtype=np.int64)
    shape = (-1,) + (1,) * (x.ndim - 1)
    q = _codes(xc, scales.reshape(shape), zero_points.reshape(shape), n_bits, symmetric)
    return np.moveaxis(q, 0, axis), scales, zero_points


def sqnr_db(x: object, x_hat: object) -> float:
    """Signal-to-quantisation-noise ratio ``10 log10(sum x^2 / sum (x - x_hat)^2)``.

    Parameters
    ----------
    x : array_like
        The signal.
    x_hat : array_like of the same shape
        Its reconstruction.

    Returns
    -------
    float
        The ratio in decibels (inf if ``x_hat == x``).

    References: `bennett1948`, `gray1998`

    Examples
    --------
    >>> round(sqnr_db([1.0, -1.0], [1.1, -1.1]), 2)
    20.0
    """
    x = check_array(x, "x")
    x_hat = check_array(x_hat, "x_hat", shape=x.shape)
    noise = float(np.sum((x - x_hat) ** 2))
    signal = float(np.sum(x**2))
    if signal == 0.0:
        raise ValueError("x must not be all zero (its power is the reference)")
    return float("inf") if noise == 0.0 else float(10.0 * np.log10(signal / noise))


def quantize_model(model, n_bits: int = 8, per_channel: bool = False):
    """A copy of a torch model whose weights are quantised and dequantised.

    Every ``weight`` of a ``Linear`` or ``Conv`` layer is replaced by
    ``dequantize(quantize(W))`` (symmetric; per output channel if
    ``per_channel``); biases stay in floating point. The copy computes
    in float32 what an integer kernel would compute with those codes.

    Parameters
    ----------
    model : torch.nn.Module
    n_bits : int, default 8
    per_channel : bool, default False
        One scale per output unit (row of ``W``) instead of one per tensor.

    Returns
    -------
    torch.nn.Module
        A deep copy; ``model`` is not modified.
    """
    torch = require_torch()

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(per_channel, bool):
        raise TypeError(f"per_channel must be a bool, got {type(per_channel).__name__}")
    model = copy.deepcopy(model)
    layers = (torch.nn.Linear, torch.nn.Conv1d, torch.nn.Conv2d)
    with torch.no_grad():
        for layer in model.modules():
            if isinstance(layer, layers):
                W = layer.weight.detach().double().numpy()
                if per_channel:  # W: [n_out, ...], one scale per output unit
                    q, scales, zps = quantize_per_channel(W, n_bits)
                    W_hat = dequantize(q, scales, zps, axis=0)
                else:
                    W_hat = dequantize(*quantize(W, n_bits))
                layer.weight.copy_(torch.from_numpy(W_hat))
    return model
