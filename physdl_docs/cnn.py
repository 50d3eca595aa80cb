"""Convolutional networks: convolution, pooling, counting, receptive fields.

Taught in lesson 2.5 (docs/history/cnn.md). Lesson 1.9
(docs/physics/symmetry.md) uses the same `conv2d` and `max_pool2d`; they
stay importable from ``physdl_docs.symmetry``.

- `conv2d` is the multichannel convolution (a cross-correlation, as in every
  deep learning library) with stride and zero or circular padding. All output
  positions are computed at once, as one ``einsum`` over a strided view of
  the input windows: no position waits for another.
- `output_size` is the side of the output, ``floor((n + 2p - k) / s) + 1``;
  `max_pool2d` keeps the largest value of each window.
- `conv_params` and `vgg_layers` count parameters from a layer list (VGG16:
  138,357,544, no weights needed); `receptive_field` gives the input window
  that one output unit sees after each layer.
- `make_cnn` and `make_mlp` build the lesson's two small torch classifiers
  for the 8x8 digits, initialised from a local generator; `shift` moves
  images by whole pixels with zero fill.

The numpy functions are compared with ``torch.nn.functional`` in the unit
tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from physdl_docs._optional import require_torch
from physdl_docs._validation import check_array, check_int

__all__ = [
    "VGG16",
    "conv2d",
    "conv_params",
    "make_cnn",
    "make_mlp",
    "max_pool2d",
    "output_size",
    "receptive_field",
    "shift",
    "vgg_layers",
]

MODES = ("zeros", "circular")

#: VGG16's convolution stack (configuration D of Simonyan & Zisserman 2015,
#: Table 1): output channels of each 3x3 convolution, "M" a 2x2 max-pool.
VGG16 = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M",
         512, 512, 512, "M", 512, 512, 512, "M")


def output_size(n: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Side of a convolution's or pooling's output.

    Parameters
    ----------
    n : int
        Input side (height or width).
    kernel, stride, padding : int
        Window side ``k >= 1``, step ``s >= 1`` and padding ``p >= 0``.

    Returns
    -------
    int
        ``floor((n + 2p - k) / s) + 1``, the number of window positions.

    Raises
    ------
    ValueError
        If the window does not fit into the padded input.

    Notes
    -----
    .. math:: n_{\\rm out} = \\Big\\lfloor \\frac{n + 2p - k}{s}
              \\Big\\rfloor + 1

    Examples
    --------
    >>> output_size(224, kernel=3, padding=1), output_size(224, 2, stride=2)
    (224, 112)
    """
    n = check_int(n, "n", minimum=1)
    k = check_int(kernel, "kernel", minimum=1)
    s = check_int(stride, "stride", minimum=1)
    p = check_int(padding, "padding", minimum=0)
    if k > n + 2 * p:
        raise ValueError(
            f"kernel={k} is larger than the padded input {n + 2 * p}"
        )
    return (n + 2 * p - k) // s + 1


def _pad(x: np.ndarray, padding: int, mode: str) -> np.ndarray:
    """Pad the last two axes of ``x`` by ``padding`` on every side."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if padding == 0:
        return x
    if mode == "circular" and padding > min(x.shape[-2:]):
        raise ValueError(
            f"padding must be <= the input size {x.shape[-2:]} for circular "
            f"mode, got {padding}"
        )
    width = [(0, 0)] * (x.ndim - 2) + [(padding, padding)] * 2
    return np.pad(x, width, mode="wrap" if mode == "circular" else "constant")


def _windows(x: np.ndarray, kernel: tuple[int, int], stride: int = 1,
             padding: int = 0, mode: str = "zeros") -> np.ndarray:
    """All ``kH x kW`` windows, ``stride`` apart.

    Shape ``[..., H_out, W_out, kH, kW]``.

    A view of the (padded) input, nothing is copied: window ``(i, j)`` starts
    at row ``s i`` and column ``s j``.
    """
    xp = _pad(x, padding, mode)
    if kernel[0] > xp.shape[-2] or kernel[1] > xp.shape[-1]:
        raise ValueError(
            f"w has kernel {tuple(kernel)}, larger than the padded input "
            f"{xp.shape[-2:]}"
        )
    return sliding_window_view(xp, kernel, axis=(-2, -1))[
        ..., ::stride, ::stride, :, :
    ]


def conv2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: int = 1,
    padding: int = 0,
    mode: str = "zeros",
) -> np.ndarray:
    """Multichannel 2-D convolution (cross-correlation).

    Parameters
    ----------
    x : array_like of shape (C_in, H, W) or (N, C_in, H, W)
        Input image(s).
    w : array_like of shape (C_out, C_in, kH, kW)
        One filter per output channel.
    b : array_like of shape (C_out,), optional
        Biases.
    stride : int, default 1
        Step between neighbouring windows, ``>= 1``.
    padding : int, default 0
        Pixels added on every side.
    mode : {"zeros", "circular"}, default "zeros"
        Pad with zeros, or wrap around (a torus).

    Returns
    -------
    ndarray of shape (C_out, H_out, W_out) or (N, C_out, H_out, W_out)
        With ``H_out = output_size(H, kH, stride, padding)`` (same for W).

    Notes
    -----
    Every output position is the same weighted sum over its own window, so
    all positions are computed at once (one ``einsum``):

    .. math:: y_{o,i,j} = b_o + \\sum_{c,u,v} w_{o,c,u,v}\\,
              x_{c,\\,si+u,\\,sj+v}

    References
    ----------
    `lecun1989`, `lecun1998`

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 3, 3)
    >>> conv2d(x, np.ones((1, 1, 2, 2))).tolist()
    [[[8.0, 12.0], [20.0, 24.0]]]
    >>> conv2d(x, np.ones((1, 1, 2, 2)), stride=2, padding=1).tolist()
    [[[0.0, 3.0], [9.0, 24.0]]]
    """
    x = check_array(x, "x", ndim=(3, 4))
    w = check_array(w, "w", ndim=4)
    stride = check_int(stride, "stride", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    if w.shape[1] != x.shape[-3]:
        raise ValueError(
            f"w must have C_in={x.shape[-3]} input channels like x, "
            f"got w of shape {w.shape}"
        )
    if min(w.shape) == 0:
        raise ValueError(f"w must not have empty axes, got shape {w.shape}")
    # patches: [..., C_in, H_out, W_out, kH, kW]
    patches = _windows(x, w.shape[2:], stride, padding, mode)
    # y[o, i, j] = sum_{c,u,v} w[o, c, u, v] x[c, s i + u, s j + v]
    y = np.einsum("...chwuv,ocuv->...ohw", patches, w)
    if b is not None:
        b = check_array(b, "b", shape=(w.shape[0],))
        y = y + b[:, None, None]
    return y


def max_pool2d(x: np.ndarray, size: int = 2,
               stride: int | None = None) -> np.ndarray:
    """Largest value in each ``size x size`` window, ``stride`` apart.

    Parameters
    ----------
    x : array_like of shape (..., H, W)
        Feature maps; windows that would cross the border are dropped, as in
        ``torch.nn.functional.max_pool2d``.
    size : int, default 2
        Window side, ``>= 1``.
    stride : int, optional
        Step between windows, ``>= 1``; defaults to ``size`` (no overlap).

    Returns
    -------
    ndarray of shape (..., H_out, W_out)
        ``H_out = output_size(H, size, stride)`` (same for W).

    Notes
    -----
    .. math:: y_{i,j} = \\max_{0 \\le u,v < k} x_{si+u,\\,sj+v}

    References
    ----------
    `lecun1998`, `zhang2019`

    Examples
    --------
    >>> max_pool2d(np.arange(16.0).reshape(4, 4)).tolist()
    [[5.0, 7.0], [13.0, 15.0]]
    >>> max_pool2d(np.arange(16.0).reshape(4, 4), 3, stride=1).tolist()
    [[10.0, 11.0], [14.0, 15.0]]
    """
    x = check_array(x, "x", ndim=tuple(range(2, 9)))
    k = check_int(size, "size", minimum=1)
    s = k if stride is None else check_int(stride, "stride", minimum=1)
    if k > min(x.shape[-2:]):
        raise ValueError(f"size={k} is larger than the input {x.shape[-2:]}")
    # windows: [..., H_out, W_out, k, k] -> max over the last two axes
    return sliding_window_view(x, (k, k), axis=(-2, -1))[
        ..., ::s, ::s, :, :
    ].max(axis=(-2, -1))


def conv_params(c_in: int, c_out: int, kernel: int, bias: bool = True) -> int:
    """Parameters of one convolution layer: ``C_out (C_in k^2 + 1)``.

    Parameters
    ----------
    c_in, c_out : int
        Input and output channels.
    kernel : int
        Filter side ``k``.
    bias : bool, default True
        Whether each output channel has a bias.

    Returns
    -------
    int
        The count; it does not depend on the image size (weight sharing).

    Examples
    --------
    >>> conv_params(3, 96, 3)
    2688
    """
    c_in = check_int(c_in, "c_in", minimum=1)
    c_out = check_int(c_out, "c_out", minimum=1)
    k = check_int(kernel, "kernel", minimum=1)
    if not isinstance(bias, bool):
        raise TypeError(f"bias must be a bool, got {type(bias).__name__}")
    return c_out * (c_in * k * k + int(bias))


def vgg_layers(
    config: Sequence[int | str] = VGG16,
    in_channels: int = 3,
    image_size: int = 224,
    hidden: int = 4096,
    n_classes: int = 1000,
) -> list[tuple[str, int]]:
    """Name and parameter count of every weight layer of a VGG network.

    Parameters
    ----------
    config : sequence of int or "M", default `VGG16`
        Output channels of each 3x3 convolution (padding 1, stride 1); "M" is
        a 2x2 max-pool with stride 2.
    in_channels, image_size : int, default 3, 224
        Input channels and side.
    hidden, n_classes : int, default 4096, 1000
        Widths of the two hidden fully connected layers and the output.

    Returns
    -------
    list of (str, int)
        ``("conv1_1", 1792), ..., ("fc8", 4097000)`` in the paper's naming.

    References
    ----------
    `simonyan2015`

    Examples
    --------
    >>> layers = vgg_layers()
    >>> len(layers), sum(n for _, n in layers)
    (16, 138357544)
    """
    c = check_int(in_channels, "in_channels", minimum=1)
    side = check_int(image_size, "image_size", minimum=1)
    hidden = check_int(hidden, "hidden", minimum=1)
    n_classes = check_int(n_classes, "n_classes", minimum=1)
    layers, block, i = [], 1, 0
    for v in config:
        if v == "M":  # 2x2 max-pool, stride 2: no parameters
            side, block, i = output_size(side, 2, stride=2), block + 1, 0
            continue
        v = check_int(v, "config entries", minimum=1)
        i += 1
        layers.append((f"conv{block}_{i}", conv_params(c, v, 3)))
        c = v  # 3x3 convolution with padding 1 keeps the side
    # flattened features -> hidden -> hidden -> class scores, each with biases
    widths = [c * side * side, hidden, hidden, n_classes]
    for j, (n_in, n_out) in enumerate(zip(widths, widths[1:])):
        layers.append((f"fc{6 + j}", (n_in + 1) * n_out))
    return layers


def receptive_field(layers: Sequence[tuple[int, int]]) -> list[int]:
    """Side of the input window that one unit sees, after each layer.

    Parameters
    ----------
    layers : sequence of (kernel, stride)
        Convolutions and poolings, input first.

    Returns
    -------
    list of int
        ``r_1, ..., r_L``.

    Notes
    -----
    With the jump ``j_l = s_1 ... s_l`` (input pixels between neighbouring
    units of layer ``l``), ``r_0 = 1`` and ``j_0 = 1``:

    .. math:: r_l = r_{l-1} + (k_l - 1)\\, j_{l-1}

    Examples
    --------
    >>> receptive_field([(3, 1), (3, 1), (2, 2), (3, 1)])
    [3, 5, 6, 10]
    """
    r, j, out = 1, 1, []
    for n, layer in enumerate(layers):
        if len(layer) != 2:
            raise ValueError(
                f"layers[{n}] must be (kernel, stride), got {layer!r}"
            )
        k = check_int(layer[0], f"layers[{n}] kernel", minimum=1)
        s = check_int(layer[1], f"layers[{n}] stride", minimum=1)
        r, j = r + (k - 1) * j, j * s  # r_l = r_{l-1} + (k_l - 1) j_{l-1}
        out.append(r)
    return out


def shift(x: np.ndarray, dy: int = 0, dx: int = 0) -> np.ndarray:
    """Move images ``dy`` rows down and ``dx`` columns right, filling with 0.

    Unlike the circular `physdl_docs.symmetry.translate`, content that moves
    past the border is lost, as when an object moves in a camera's view.

    Parameters
    ----------
    x : array_like of shape (..., H, W)
    dy, dx : int, default 0
        Shift in pixels (negative: up, left).

    Returns
    -------
    ndarray of the shape of ``x``

    Examples
    --------
    >>> shift([[1, 2, 3]], dx=1).tolist()
    [[0.0, 1.0, 2.0]]
    """
    x = check_array(x, "x", ndim=tuple(range(2, 9)))
    out = np.zeros_like(x)
    H, W = x.shape[-2:]
    # a shift by the whole side or more leaves only zeros
    dy = min(max(check_int(dy, "dy", minimum=-(2**62)), -H), H)
    dx = min(max(check_int(dx, "dx", minimum=-(2**62)), -W), W)
    # out[i, j] = x[i - dy, j - dx] where that index exists
    out[..., max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = x[
        ..., max(-dy, 0):H + min(-dy, 0), max(-dx, 0):W + min(-dx, 0)
    ]
    return out


def _init_(model, seed: int):
    """PyTorch's default init U(-1/sqrt(fan_in), 1/sqrt(fan_in)), seeded."""
    torch = require_torch()

    gen = torch.Generator().manual_seed(check_int(seed, "seed"))
    model = model.to_empty(device="cpu")
    with torch.no_grad():
        for layer in model.modules():
            if isinstance(layer, (torch.nn.Conv2d, torch.nn.Linear)):
                # U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases
                bound = 1 / math.sqrt(layer.weight[0].numel())
                layer.weight.uniform_(-bound, bound, generator=gen)
                layer.bias.uniform_(-bound, bound, generator=gen)
    return model


def make_cnn(seed: int = 0, channels: tuple[int, int] = (8, 32)):
    """The lesson's small CNN for 8x8 digits: two 3x3 convolutions, global max.

    Parameters
    ----------
    seed : int, default 0
        Seed of the initial weights (a local ``torch.Generator``).
    channels : (int, int), default (8, 32)
        Output channels of the two convolutions.

    Returns
    -------
    torch.nn.Sequential
        Maps ``(n, 1, H, W)`` to 10 class scores, for any ``H, W``.

    Notes
    -----
    Conv(1→c1, 3x3, pad 1), ReLU, Conv(c1→c2, 3x3, pad 1), ReLU, the
    maximum of each feature map over all positions, then a linear layer.

    Examples
    --------
    >>> net = make_cnn()
    >>> sum(p.numel() for p in net.parameters())
    2746
    """
    nn = require_torch().nn

    c1, c2 = (check_int(c, "channels", minimum=1) for c in channels)
    meta = {"device": "meta"}
    net = nn.Sequential(
        nn.Conv2d(1, c1, 3, padding=1, **meta), nn.ReLU(),
        nn.Conv2d(c1, c2, 3, padding=1, **meta), nn.ReLU(),
        nn.AdaptiveMaxPool2d(1), nn.Flatten(),  # [n, c2]: max over positions
        nn.Linear(c2, 10, **meta),
    )
    return _init_(net, seed)


def make_mlp(seed: int = 0, hidden: int = 36, n_inputs: int = 64):
    """The lesson's MLP for flattened digits: one hidden ReLU layer.

    Parameters
    ----------
    seed : int, default 0
        Seed of the initial weights (a local ``torch.Generator``).
    hidden : int, default 36
        Hidden units; 36 gives about as many parameters as `make_cnn`.
    n_inputs : int, default 64
        Pixels per image.

    Returns
    -------
    torch.nn.Sequential
        Maps ``(n, 1, 8, 8)`` (flattened first) to 10 class scores.

    Examples
    --------
    >>> sum(p.numel() for p in make_mlp().parameters())
    2710
    """
    nn = require_torch().nn

    hidden = check_int(hidden, "hidden", minimum=1)
    n_inputs = check_int(n_inputs, "n_inputs", minimum=1)
    net = nn.Sequential(
        nn.Flatten(),  # [n, 1, 8, 8] -> [n, 64]
        nn.Linear(n_inputs, hidden, device="meta"), nn.ReLU(),
        nn.Linear(hidden, 10, device="meta"),
    )
    return _init_(net, seed)
