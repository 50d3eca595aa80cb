"""Symmetry in network layers: equivariance, invariance, weight sharing.

Taught in lesson 1.9.

A layer ``f`` is *equivariant* to a group of transformations ``g`` when
transforming the input transforms the output in the same way,
``f(g x) = g f(x)``, and *invariant* when the output does not change,
``f(g x) = f(x)``.

- Convolution (cross-correlation, as in every deep learning library) is
  translation equivariant: exactly with circular padding, and with zero
  padding everywhere except near the border. It is computed for all output
  positions at once; no position depends on another.
- A strided 2×2 max-pool is equivariant only to shifts by multiples of its
  stride; a 1-pixel shift changes its output a lot. Global average pooling
  is exactly invariant (with circular padding).
- Weight sharing is what makes convolution cheap: the same ``C_in k^2``
  weights at every position, instead of new ones per position (locally
  connected) or per input pixel (dense).
- Self-attention without positional encoding and message passing on a
  graph are permutation equivariant; a sum readout is permutation invariant.

`conv2d` and `max_pool2d` are defined in `physdl_docs.cnn` (lesson 2.5) and
re-exported here; `self_attention` uses `physdl_docs.attention` (lesson 2.7).
Everything is numpy; the unit tests compare with ``torch.nn.functional``.

References: `fukushima1980`, `lecun1989`, `cohen2016`, `bronstein2021`.
"""

from __future__ import annotations

import numpy as np

from physdl_docs._validation import check_array, check_int
from physdl_docs.attention import scaled_dot_product_attention

# The convolution and max-pool are taught in lesson 2.5 and live there; they
# stay importable from here for lesson 1.9.
from physdl_docs.cnn import _windows, conv2d, conv_params, max_pool2d

__all__ = [
    "conv2d",
    "global_avg_pool",
    "locally_connected2d",
    "max_pool2d",
    "message_passing",
    "param_counts",
    "self_attention",
    "sinusoidal_encoding",
    "translate",
]

def locally_connected2d(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None
) -> np.ndarray:
    """Like `conv2d` (no padding) but with its own filter per position.

    Parameters
    ----------
    x : array_like of shape (C_in, H, W) or (N, C_in, H, W)
        Input image(s).
    w : array_like of shape (H_out, W_out, C_out, C_in, kH, kW)
        A filter bank for every output position.
    b : array_like of shape (C_out, H_out, W_out), optional
        A bias per output unit.

    Returns
    -------
    ndarray of shape (C_out, H_out, W_out) or (N, C_out, H_out, W_out)

    Notes
    -----
    Convolution is the special case ``w_{i,j} = w`` for all positions:

    .. math:: y_{o,i,j} = b_{o,i,j} + \\sum_{c,u,v} w_{i,j,o,c,u,v}\\,
              x_{c,i+u,j+v}

    References: `lecun1989` (weight sharing, which this layer drops).

    Examples
    --------
    >>> x = np.ones((1, 3, 3))
    >>> locally_connected2d(x, np.ones((2, 2, 1, 1, 2, 2))).shape
    (1, 2, 2)
    """
    x = check_array(x, "x", ndim=(3, 4))
    w = check_array(w, "w", ndim=6)
    if w.shape[3] != x.shape[-3]:
        raise ValueError(
            f"w must have C_in={x.shape[-3]} at axis 3, got shape {w.shape}"
        )
    patches = _windows(x, w.shape[4:])
    if patches.shape[-4:-2] != w.shape[:2]:
        raise ValueError(
            f"w must have H_out, W_out = {patches.shape[-4:-2]}, "
            f"got shape {w.shape}"
        )
    # y[o, i, j] = sum_{c,u,v} w[i, j, o, c, u, v] x[c, i+u, j+v]
    y = np.einsum("...chwuv,hwocuv->...ohw", patches, w)
    if b is not None:
        y = y + check_array(b, "b", shape=(w.shape[2], *w.shape[:2]))
    return y


def translate(x: np.ndarray, dy: int = 0, dx: int = 0) -> np.ndarray:
    """Circular shift of the last two axes by ``dy`` rows and ``dx`` columns.

    Parameters
    ----------
    x : array_like with ``ndim >= 2``
        Image(s); the last two axes are ``(H, W)``.
    dy, dx : int, default 0
        Shift down and to the right (negative: up, left); wraps around.

    Returns
    -------
    ndarray of the shape of ``x``

    Notes
    -----
    .. math:: (T_{a,b}\\, x)_{i,j} = x_{(i-a) \\bmod H,\\,(j-b) \\bmod W}

    References: `cohen2016`.

    Examples
    --------
    >>> translate([[1, 2, 3]], dx=1).tolist()
    [[3.0, 1.0, 2.0]]
    """
    x = check_array(x, "x", ndim=tuple(range(2, 9)))
    for value, name in ((dy, "dy"), (dx, "dx")):
        check_int(value, name, minimum=-(2**62))
    return np.roll(x, (dy, dx), axis=(-2, -1))


def global_avg_pool(x: np.ndarray) -> np.ndarray:
    """Mean of each feature map over all positions.

    Parameters
    ----------
    x : array_like of shape (..., H, W)

    Returns
    -------
    ndarray of shape (...)

    Notes
    -----
    A sum over the whole translation group, hence invariant:

    .. math:: y_c = \\frac{1}{HW}\\sum_{i,j} x_{c,i,j}

    References: `zhang2019` (why strided pooling is not invariant).

    Examples
    --------
    >>> global_avg_pool(np.arange(8.0).reshape(2, 2, 2)).tolist()
    [1.5, 5.5]
    """
    x = check_array(x, "x", ndim=tuple(range(2, 9)))
    if x.shape[-1] * x.shape[-2] == 0:
        raise ValueError(f"x must have at least one position, got shape {x.shape}")
    return x.mean(axis=(-2, -1))


def param_counts(c_in: int, c_out: int, kernel: int, height: int,
                 width: int, padding: int = 0) -> dict[str, int]:
    """Parameters (weights + biases) of three layers with the same output.

    Parameters
    ----------
    c_in, c_out : int
        Input and output channels.
    kernel : int
        Filter side ``k``.
    height, width : int
        Input size; the output is ``H + 2 padding - k + 1`` (same for W).
    padding : int, default 0
        Zero padding of the convolution and the locally connected layer.

    Returns
    -------
    dict
        ``{"convolution": ..., "locally connected": ..., "dense": ...}``.

    Notes
    -----
    .. math:: P_{\\rm conv} = C_{\\rm out}(C_{\\rm in}k^2 + 1),\\quad
              P_{\\rm local} = H_{\\rm out}W_{\\rm out} P_{\\rm conv},\\quad
              P_{\\rm dense} = (C_{\\rm in}HW + 1)\\,C_{\\rm out}
              H_{\\rm out}W_{\\rm out}

    References: `lecun1998`.

    Examples
    --------
    >>> param_counts(3, 96, 3, 32, 32, padding=1)["convolution"]
    2688
    """
    c_in = check_int(c_in, "c_in", minimum=1)
    c_out = check_int(c_out, "c_out", minimum=1)
    k = check_int(kernel, "kernel", minimum=1)
    H = check_int(height, "height", minimum=1)
    W = check_int(width, "width", minimum=1)
    p = check_int(padding, "padding", minimum=0)
    H_out, W_out = H + 2 * p - k + 1, W + 2 * p - k + 1
    if H_out < 1 or W_out < 1:
        raise ValueError(f"kernel={k} is larger than the padded input")
    conv = conv_params(c_in, c_out, k)  # one shared filter bank + biases
    n_out = c_out * H_out * W_out
    return {
        "convolution": conv,
        "locally connected": H_out * W_out * conv,
        "dense": (c_in * H * W + 1) * n_out,
    }


def self_attention(X: np.ndarray, Wq: np.ndarray, Wk: np.ndarray,
                   Wv: np.ndarray) -> np.ndarray:
    """Single-head scaled dot-product self-attention (no mask).

    Parameters
    ----------
    X : array_like of shape (n_tokens, d_model)
        One token per row.
    Wq, Wk : array_like of shape (d_model, d_k)
        Query and key projections.
    Wv : array_like of shape (d_model, d_v)
        Value projection.

    Returns
    -------
    ndarray of shape (n_tokens, d_v)

    Notes
    -----
    With a permutation matrix ``P``, ``Attn(PX) = P Attn(X)``:

    .. math:: \\operatorname{Attn}(X) = \\operatorname{softmax}\\!\\Big(
              \\frac{(XW_q)(XW_k)^\\top}{\\sqrt{d_k}}\\Big)\\,XW_v

    References: `vaswani2017`.

    Examples
    --------
    >>> X = np.eye(2)
    >>> self_attention(X, np.zeros((2, 1)), np.zeros((2, 1)), X).tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    X = check_array(X, "X", ndim=2)
    if X.shape[0] == 0:
        raise ValueError(f"X must hold at least one token, got shape {X.shape}")
    Wq = check_array(Wq, "Wq", shape=(X.shape[1], None))
    Wk = check_array(Wk, "Wk", shape=Wq.shape)
    Wv = check_array(Wv, "Wv", shape=(X.shape[1], None))
    if Wq.shape[1] == 0:
        raise ValueError(f"Wq must have d_k >= 1 columns, got shape {Wq.shape}")
    # Q, K: [n_tokens, d_k], V: [n_tokens, d_v]; softmax(Q K^T / sqrt(d_k)) V
    return scaled_dot_product_attention(X @ Wq, X @ Wk, X @ Wv)


def sinusoidal_encoding(n_tokens: int, d_model: int) -> np.ndarray:
    """Sinusoidal positional encoding of Vaswani et al. (2017).

    Parameters
    ----------
    n_tokens, d_model : int
        Sequence length and width (``d_model`` even).

    Returns
    -------
    ndarray of shape (n_tokens, d_model)

    Notes
    -----
    .. math:: E_{t,2i} = \\sin(t/10000^{2i/d}),\\quad
              E_{t,2i+1} = \\cos(t/10000^{2i/d})

    References: `vaswani2017`.

    Examples
    --------
    >>> sinusoidal_encoding(2, 2).round(3).tolist()
    [[0.0, 1.0], [0.841, 0.54]]
    """
    n = check_int(n_tokens, "n_tokens", minimum=1)
    d = check_int(d_model, "d_model", minimum=2)
    if d % 2:
        raise ValueError(f"d_model must be even, got {d}")
    # angle[t, i] = t / 10000^(2i/d)
    angle = np.arange(n)[:, None] / 10000 ** (np.arange(0, d, 2) / d)
    E = np.empty((n, d))
    E[:, 0::2], E[:, 1::2] = np.sin(angle), np.cos(angle)
    return E


def message_passing(A: np.ndarray, H: np.ndarray, W_self: np.ndarray,
                    W_neigh: np.ndarray) -> np.ndarray:
    """One round of message passing: each node sums its neighbours' states.

    Parameters
    ----------
    A : array_like of shape (n_nodes, n_nodes)
        Adjacency matrix (``A[i, j] != 0``: an edge from ``j`` to ``i``).
    H : array_like of shape (n_nodes, d_in)
        Node features.
    W_self, W_neigh : array_like of shape (d_in, d_out)
        Weights for a node's own state and for the sum of messages.

    Returns
    -------
    ndarray of shape (n_nodes, d_out)
        ``ReLU`` of the update; ``f(P A P^T, P H) = P f(A, H)``.

    Notes
    -----
    .. math:: h_i' = \\operatorname{ReLU}\\Big(h_i W_{\\rm self}
              + \\sum_j A_{ij}\\, h_j W_{\\rm neigh}\\Big)

    References: `gilmer2017`.

    Examples
    --------
    >>> A = np.array([[0, 1], [1, 0]])
    >>> message_passing(A, [[1.0], [2.0]], [[1.0]], [[10.0]]).tolist()
    [[21.0], [12.0]]
    """
    H = check_array(H, "H", ndim=2)
    n = H.shape[0]
    A = check_array(A, "A", shape=(n, n))
    W_self = check_array(W_self, "W_self", shape=(H.shape[1], None))
    W_neigh = check_array(W_neigh, "W_neigh", shape=W_self.shape)
    # H' = ReLU(H W_self + A H W_neigh): [n_nodes, d_out]
    return np.maximum(H @ W_self + A @ H @ W_neigh, 0.0)
