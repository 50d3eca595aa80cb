"""Attention and Transformers, from the formula to tiny trained models.

Taught in lesson 2.7.

- `scaled_dot_product_attention` (and `attention_weights`): numpy's
  ``softmax(q k^T / sqrt(E) + mask) v`` with the batch axes, masks, causal
  alignment and fully masked rows of torch's function of that name.
- `multi_head_attention`: ``torch.nn.MultiheadAttention`` from its
  ``state_dict``.
- `hopfield_update`: one modern-Hopfield update; attention with
  ``beta = 1/sqrt(d)`` and keys = values = the stored patterns.
- `patchify`: Vision Transformer tokens (a linear map on them is a
  stride-p convolution); `transformer_params`, `vit_params` count
  parameters from a configuration.
- `sequence_model`, `patch_model`, `conv_model`: tiny torch models holding
  ``n_models`` independent copies (a leading axis on every weight), trained
  together by `fit_models` and scored by `accuracies`; `motif_images` is the
  toy data on which a CNN's assumptions pay off. torch is imported only when
  a model is built. Positional encodings come from
  `physdl_docs.symmetry.sinusoidal_encoding`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np

from physdl_docs._optional import require_torch
from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
)

__all__ = [
    "accuracies",
    "attention_weights",
    "causal_mask",
    "conv_model",
    "conv_patches",
    "fit_models",
    "hopfield_update",
    "minibatches",
    "motif_images",
    "multi_head_attention",
    "patch_model",
    "patchify",
    "scaled_dot_product_attention",
    "sequence_model",
    "softmax",
    "transformer_params",
    "vit_params",
]


# ------------------------------------------------------------------ softmax
def softmax(s: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``, stable for large scores; ``-inf`` gives 0.

    Parameters
    ----------
    s : ndarray
        Scores; ``-inf`` marks an entry that takes no part.
    axis : int, default -1

    Returns
    -------
    ndarray of the shape of ``s``
        Non-negative, summing to 1 along ``axis``; a slice that is ``-inf``
        everywhere gives zeros (as torch's attention does), not NaN.

    Notes
    -----
    .. math:: \\operatorname{softmax}(s)_j = e^{s_j - m} / \\textstyle
              \\sum_k e^{s_k - m},\\qquad m = \\max_k s_k

    Examples
    --------
    >>> softmax(np.array([1e4, 1e4, -np.inf])).tolist()
    [0.5, 0.5, 0.0]
    """
    s = np.asarray(s, dtype=float)
    m = np.max(s, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)  # a row of -inf: exp(-inf) = 0
    e = np.exp(s - m)
    total = np.sum(e, axis=axis, keepdims=True)
    return e / np.where(total > 0, total, 1.0)


# ------------------------------------------------------- dot-product attention
def causal_mask(L: int, S: int) -> np.ndarray:
    """Boolean mask ``(L, S)``: query ``i`` sees keys ``j <= i`` (top left).

    Examples
    --------
    >>> causal_mask(2, 3).astype(int).tolist()
    [[1, 0, 0], [1, 1, 0]]
    """
    L = check_int(L, "L", minimum=0)
    S = check_int(S, "S", minimum=0)
    return np.tril(np.ones((L, S), dtype=bool))


def _check_mask(mask: object, shape: tuple[int, int]) -> np.ndarray:
    """A bool mask, or a float mask that may hold -inf but no NaN or +inf."""
    m = np.asarray(mask)
    if m.dtype.kind == "c":
        raise TypeError("mask must be real, got a complex array")
    if m.dtype.kind in "iu":
        raise TypeError(
            f"mask must be bool or float, got {m.dtype}: a 0/1 integer mask "
            f"is ambiguous (bool keeps the True keys, float is added)"
        )
    if m.dtype.kind != "b":
        try:
            m = m.astype(float)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"mask must be a numeric array, got {m.dtype}") from exc
        if np.isnan(m).any() or np.isposinf(m).any():
            raise ValueError("mask must not contain NaN or +inf (-inf is allowed)")
    try:
        np.broadcast_shapes(m.shape, (1,) * (m.ndim - 2) + shape)
    except ValueError:
        raise ValueError(
            f"mask of shape {m.shape} does not broadcast to the scores "
            f"(..., {shape[0]}, {shape[1]})"
        ) from None
    return m


def attention_weights(q: np.ndarray, k: np.ndarray, mask: np.ndarray | None = None,
                      is_causal: bool = False) -> np.ndarray:
    """The attention matrix ``softmax(q k^T / sqrt(E) + mask)``.

    Parameters
    ----------
    q : array_like of shape (..., L, E)
        Queries.
    k : array_like of shape (..., S, E)
        Keys; batch axes broadcast against ``q``'s.
    mask : array_like, optional
        Broadcastable to ``(..., L, S)``. Boolean: True takes part (as in
        ``torch.nn.functional.scaled_dot_product_attention``; note that
        ``torch.nn.MultiheadAttention`` uses the opposite convention).
        Float: added to the scores; ``-inf`` excludes a key.
    is_causal : bool, default False
        Query ``i`` sees keys ``j <= i``, aligned at the top left when
        ``L != S``, as in torch. Cannot be combined with ``mask``.

    Returns
    -------
    ndarray of shape (..., L, S)
        Rows sum to 1; a row with no key left is all zeros.

    Raises
    ------
    ValueError
        If the shapes do not match, or ``mask`` is given with ``is_causal``.

    Notes
    -----
    .. math:: A = \\operatorname{softmax}\\big(qk^\\top/\\sqrt{E} + M\\big)

    References
    ----------
    `vaswani2017`

    Examples
    --------
    >>> q = np.array([[1.0, 0.0]])
    >>> k = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> attention_weights(q, k).round(3).tolist()
    [[0.67, 0.33]]
    """
    q = check_array(q, "q", ndim=tuple(range(2, 9)))
    k = check_array(k, "k", ndim=tuple(range(2, 9)))
    if k.shape[-1] != q.shape[-1]:
        raise ValueError(
            f"k must have the embedding size E={q.shape[-1]} of q, got shape {k.shape}"
        )
    if not isinstance(is_causal, (bool, np.bool_)):
        raise TypeError(f"is_causal must be a bool, got {type(is_causal).__name__}")
    L, S, E = q.shape[-2], k.shape[-2], q.shape[-1]
    # scores: [..., L, S] = q k^T / sqrt(E)
    scores = q @ np.swapaxes(k, -1, -2) / math.sqrt(max(E, 1))
    if is_causal:
        if mask is not None:
            raise ValueError("mask must be None when is_causal=True (torch raises too)")
        mask = causal_mask(L, S)
    if mask is not None:
        m = _check_mask(mask, (L, S))
        scores = np.where(m, scores, -np.inf) if m.dtype == bool else scores + m
    return softmax(scores, axis=-1)


def scaled_dot_product_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray,
                                 mask: np.ndarray | None = None,
                                 is_causal: bool = False) -> np.ndarray:
    """Scaled dot-product attention, as ``torch.nn.functional``'s.

    Parameters
    ----------
    q : array_like of shape (..., L, E)
        Queries.
    k : array_like of shape (..., S, E)
        Keys.
    v : array_like of shape (..., S, Ev)
        Values; batch axes of ``q``, ``k``, ``v`` broadcast.
    mask : array_like, optional
        Boolean (True takes part) or float (added to the scores, may hold
        ``-inf``), broadcastable to ``(..., L, S)``; see `attention_weights`.
    is_causal : bool, default False
        Causal mask aligned at the top left; not together with ``mask``.

    Returns
    -------
    ndarray of shape (..., L, Ev)
        A row whose keys are all masked is zero, as in torch 2.13.

    Notes
    -----
    .. math:: \\operatorname{Attn}(q, k, v) = \\operatorname{softmax}
              \\big(qk^\\top/\\sqrt{E} + M\\big)\\, v

    References
    ----------
    `bahdanau2015`, `vaswani2017`

    Examples
    --------
    >>> k = np.eye(2)
    >>> v = np.array([[1.0], [3.0]])
    >>> scaled_dot_product_attention(np.zeros((1, 2)), k, v).tolist()
    [[2.0]]
    >>> scaled_dot_product_attention(np.zeros((1, 2)), k, v,
    ...                              mask=[[True, False]]).tolist()
    [[1.0]]
    """
    A = attention_weights(q, k, mask, is_causal)
    v = check_array(v, "v", ndim=tuple(range(2, 9)))
    if v.shape[-2] != A.shape[-1]:
        raise ValueError(f"v must have S={A.shape[-1]} rows like k, got shape {v.shape}")
    return A @ v  # [..., L, Ev]


# ---------------------------------------------------------- multi-head attention
def multi_head_attention(query: np.ndarray, key: np.ndarray, value: np.ndarray,
                         params: dict, num_heads: int,
                         key_padding_mask: np.ndarray | None = None,
                         batch_first: bool = False) -> np.ndarray:
    """``torch.nn.MultiheadAttention`` in numpy, from its ``state_dict``.

    Parameters
    ----------
    query : array_like of shape (L, N, E), (N, L, E) or (L, E)
        Queries (batch second unless ``batch_first``; unbatched allowed).
    key, value : array_like of shape (S, N, E), (N, S, E) or (S, E)
        Keys and values, laid out like ``query``.
    params : dict
        ``in_proj_weight`` ``(3E, E)`` (rows: ``W_q``, ``W_k``, ``W_v``),
        ``out_proj.weight`` ``(E, E)``, and optionally ``in_proj_bias``
        ``(3E,)`` and ``out_proj.bias`` ``(E,)``. Arrays or tensors.
    num_heads : int
        ``h``; must divide ``E``.
    key_padding_mask : array_like of bool, shape (N, S) or (S,), optional
        True marks a key to **ignore** (torch's convention for this module).
    batch_first : bool, default False
        As in torch.

    Returns
    -------
    ndarray shaped like ``query``

    Notes
    -----
    .. math:: \\operatorname{MHA}(Q, K, V) = [\\operatorname{head}_1, \\dots,
              \\operatorname{head}_h] W_o^\\top + b_o,\\quad
              \\operatorname{head}_i = \\operatorname{Attn}(Q W_{q,i}^\\top,
              K W_{k,i}^\\top, V W_{v,i}^\\top)

    References
    ----------
    `vaswani2017`

    Examples
    --------
    >>> E = 4
    >>> params = {"in_proj_weight": np.tile(np.eye(E), (3, 1)),
    ...           "out_proj.weight": np.eye(E)}
    >>> x = np.eye(E)[:2]
    >>> multi_head_attention(x, x, x, params, num_heads=2).shape
    (2, 4)
    """
    h = check_int(num_heads, "num_heads", minimum=1)
    p = {name: np.asarray(value.detach() if hasattr(value, "detach") else value)
         for name, value in params.items()}
    W_in = check_array(p.get("in_proj_weight"), "params['in_proj_weight']", ndim=2)
    E = W_in.shape[1]
    if W_in.shape != (3 * E, E) or E % h:
        raise ValueError(
            f"params['in_proj_weight'] must have shape (3E, E) with E divisible "
            f"by num_heads={h}, got {W_in.shape}"
        )
    W_out = check_array(p.get("out_proj.weight"), "params['out_proj.weight']", shape=(E, E))
    b_in = _optional(p, "in_proj_bias", (3 * E,))
    b_out = _optional(p, "out_proj.bias", (E,))
    if not isinstance(batch_first, bool):
        raise TypeError(f"batch_first must be a bool, got {type(batch_first).__name__}")
    q, k, v, unbatched = _batch_first(query, key, value, E, batch_first)
    # project and split the heads: [N, L, E] -> [N, h, L, E/h]
    heads = [_split(x @ W.T + b, h) for x, W, b in
             zip((q, k, v), np.split(W_in, 3), np.split(b_in, 3))]
    mask = None
    if key_padding_mask is not None:
        kpm = np.asarray(key_padding_mask)
        if kpm.dtype != bool or kpm.shape not in ((k.shape[0], k.shape[1]), (k.shape[1],)):
            raise ValueError(
                f"key_padding_mask must be a bool array of shape (N, S) = "
                f"{k.shape[:2]}, got {kpm.dtype} {kpm.shape}"
            )
        mask = ~kpm.reshape(-1, 1, 1, k.shape[1])  # [N, 1, 1, S], True takes part
    out = scaled_dot_product_attention(*heads, mask=mask)  # [N, h, L, E/h]
    N, _, L, _ = out.shape
    out = out.transpose(0, 2, 1, 3).reshape(N, L, E) @ W_out.T + b_out
    if unbatched:
        return out[0]
    return out if batch_first else out.transpose(1, 0, 2)


def _optional(p: dict, name: str, shape: tuple[int]) -> np.ndarray:
    if p.get(name) is None:
        return np.zeros(shape)
    return check_array(p[name], f"params[{name!r}]", shape=shape)


def _batch_first(query, key, value, E, batch_first):
    """Return q, k, v as ``[N, L, E]`` and whether the input was unbatched."""
    arrays = [check_array(x, name, ndim=(2, 3)) for x, name in
              ((query, "query"), (key, "key"), (value, "value"))]
    if len({a.ndim for a in arrays}) != 1:
        raise ValueError("query, key and value must all be batched or all unbatched")
    for a, name in zip(arrays, ("query", "key", "value")):
        if a.shape[-1] != E:
            raise ValueError(f"{name} must have embedding size E={E}, got shape {a.shape}")
    if arrays[0].ndim == 2:
        return (*[a[None] for a in arrays], True)
    if not batch_first:
        arrays = [a.transpose(1, 0, 2) for a in arrays]
    if arrays[1].shape[:2] != arrays[2].shape[:2] or arrays[0].shape[0] != arrays[1].shape[0]:
        raise ValueError("query, key and value must have the same batch size and key "
                         "and value the same length")
    return (*arrays, False)


def _split(x: np.ndarray, h: int) -> np.ndarray:
    """``[N, L, E] -> [N, h, L, E/h]``: head ``i`` gets features ``i E/h...``."""
    N, L, E = x.shape
    return x.reshape(N, L, h, E // h).transpose(0, 2, 1, 3)


# --------------------------------------------------------------- Hopfield
def hopfield_update(patterns: np.ndarray, state: np.ndarray, beta: float) -> np.ndarray:
    """One update of a modern (continuous) Hopfield network.

    Parameters
    ----------
    patterns : array_like of shape (N, d)
        Stored patterns ``x_1 .. x_N``, one per row.
    state : array_like of shape (..., d)
        State(s) ``xi``, one per row.
    beta : float
        Inverse temperature, ``> 0``.

    Returns
    -------
    ndarray of the shape of ``state``

    Notes
    -----
    The update never increases the energy
    ``E = -lse(beta, X xi) + xi^T xi / 2 + const``; with
    ``beta = 1/sqrt(d)`` it is attention with ``q = xi`` and ``k = v = X``:

    .. math:: \\xi^{\\rm new} = X^\\top \\operatorname{softmax}(\\beta X \\xi)

    References
    ----------
    `ramsauer2021`

    Examples
    --------
    >>> X = np.array([[1.0, 1.0], [-1.0, 1.0]])
    >>> hopfield_update(X, np.array([0.9, 0.7]), beta=8.0).round(3).tolist()
    [1.0, 1.0]
    """
    X = check_array(patterns, "patterns", ndim=2)
    xi = check_array(state, "state", ndim=tuple(range(1, 9)))
    if xi.shape[-1] != X.shape[1]:
        raise ValueError(f"state must have d={X.shape[1]} entries per row, got {xi.shape}")
    beta = check_float(beta, "beta", minimum=0.0, strict=True)
    # p = softmax(beta X xi): one weight per stored pattern; xi_new = X^T p
    p = softmax(beta * xi @ X.T, axis=-1)
    return p @ X


# ------------------------------------------------------ Vision Transformer
def patchify(images: np.ndarray, patch: int) -> np.ndarray:
    """Cut images into non-overlapping ``patch × patch`` tokens (ViT).

    Parameters
    ----------
    images : array_like of shape (N, C, H, W)
    patch : int
        Side ``p``; must divide ``H`` and ``W``.

    Returns
    -------
    ndarray of shape (N, (H/p)(W/p), C p^2)
        Patches in row-major order, each flattened in ``(C, p, p)`` order, so
        ``patchify(x, p) @ w.reshape(D, -1).T`` equals
        ``conv2d(x, w, stride=p)`` flattened (``w``: ``(D, C, p, p)``).

    Notes
    -----
    .. math:: P_{n,\\,iW/p+j,\\,(c,u,v)} = x_{n,c,\\,ip+u,\\,jp+v}

    References
    ----------
    `dosovitskiy2021`

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> patchify(x, 2)[0, 1].tolist()   # the top-right 2x2 patch
    [2.0, 3.0, 6.0, 7.0]
    """
    x = check_array(images, "images", ndim=4)
    p = check_int(patch, "patch", minimum=1)
    N, C, H, W = x.shape
    if H % p or W % p:
        raise ValueError(f"patch={p} must divide the image size {H}x{W}")
    # [N, C, H/p, p, W/p, p] -> [N, H/p, W/p, C, p, p]
    x = x.reshape(N, C, H // p, p, W // p, p).transpose(0, 2, 4, 1, 3, 5)
    return x.reshape(N, (H // p) * (W // p), C * p * p)


def conv_patches(images: np.ndarray, kernel: int = 3) -> np.ndarray:
    """All overlapping ``kernel × kernel`` windows, wrapping around (a torus).

    A linear map on these windows followed by a max over positions is a
    convolution with circular padding followed by global max pooling; the
    `ConvModel` takes its input in this form.

    Parameters
    ----------
    images : array_like of shape (N, C, H, W)
    kernel : int, default 3
        Odd window side ``k``.

    Returns
    -------
    ndarray of shape (N, H W, C k^2)
        Window ``(i, j)`` is centred on pixel ``(i, j)``, flattened in
        ``(C, k, k)`` order.

    Examples
    --------
    >>> conv_patches(np.zeros((2, 1, 8, 8))).shape
    (2, 64, 9)
    """
    from numpy.lib.stride_tricks import sliding_window_view

    x = check_array(images, "images", ndim=4)
    k = check_int(kernel, "kernel", minimum=1)
    if k % 2 == 0 or k // 2 > min(x.shape[-2:]):
        raise ValueError(f"kernel must be odd and <= the image size, got {k}")
    r = k // 2
    xp = np.pad(x, ((0, 0), (0, 0), (r, r), (r, r)), mode="wrap")
    w = sliding_window_view(xp, (k, k), axis=(2, 3))  # [N, C, H, W, k, k]
    N, C, H, W = x.shape
    return w.transpose(0, 2, 3, 1, 4, 5).reshape(N, H * W, C * k * k)


# --------------------------------------------------------- parameter counts
def _attention_params(d: int) -> int:
    return 4 * (d * d + d)  # W_q, W_k, W_v, W_o and their biases


def _ffn_params(d: int, d_ff: int) -> int:
    return 2 * d * d_ff + d_ff + d  # two linear layers


def _norm_params(d: int) -> int:
    return 2 * d  # LayerNorm gain and bias


def transformer_params(d_model: int = 512, d_ff: int = 2048, n_layers: int = 6,
                       vocab: int = 37000, shared_embeddings: bool = True,
                       final_norm: bool = False) -> dict[str, int]:
    """Parameters of an encoder–decoder Transformer, counted from its shape.

    Parameters
    ----------
    d_model, d_ff : int
        Width and feed-forward width (the base model: 512, 2048). The number
        of heads does not change the count (they split ``d_model``).
    n_layers : int
        Encoder layers = decoder layers (6).
    vocab : int
        Vocabulary size (about 37,000 shared BPE tokens for WMT English–
        German); 0 leaves out embeddings.
    shared_embeddings : bool, default True
        One matrix for source and target embeddings and the pre-softmax
        projection, as in the paper; else three.
    final_norm : bool, default False
        Add a LayerNorm after each stack (``torch.nn.Transformer`` does; the
        paper's post-norm layers do not need one).

    Returns
    -------
    dict
        ``embeddings``, ``encoder``, ``decoder``, ``total``.

    Notes
    -----
    Encoder layer: attention ``4(d^2+d)``, feed-forward ``2 d d_ff + d_ff + d``
    and two LayerNorms; a decoder layer has a second (cross-)attention and a
    third LayerNorm. Sinusoidal positions have no parameters.

    References
    ----------
    `vaswani2017`

    Examples
    --------
    >>> transformer_params()["total"]
    63082496
    """
    d = check_int(d_model, "d_model", minimum=1)
    d_ff = check_int(d_ff, "d_ff", minimum=1)
    n = check_int(n_layers, "n_layers", minimum=0)
    V = check_int(vocab, "vocab", minimum=0)
    for flag, name in ((shared_embeddings, "shared_embeddings"), (final_norm, "final_norm")):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool, got {type(flag).__name__}")
    extra = _norm_params(d) if final_norm else 0
    enc = n * (_attention_params(d) + _ffn_params(d, d_ff) + 2 * _norm_params(d)) + extra
    dec = n * (2 * _attention_params(d) + _ffn_params(d, d_ff) + 3 * _norm_params(d)) + extra
    emb = V * d * (1 if shared_embeddings else 3)
    return {"embeddings": emb, "encoder": enc, "decoder": dec, "total": emb + enc + dec}


def vit_params(image: int = 224, patch: int = 16, channels: int = 3, d_model: int = 768,
               depth: int = 12, d_mlp: int = 3072, n_classes: int = 1000) -> dict[str, int]:
    """Parameters of a Vision Transformer, counted from its shape.

    Parameters
    ----------
    image, patch, channels : int
        Square image side, patch side (must divide it) and colour channels.
    d_model, depth, d_mlp : int
        Width, number of encoder layers and MLP width (ViT-B: 768, 12, 3072).
    n_classes : int
        Outputs of the classification head (1000 for ImageNet).

    Returns
    -------
    dict
        ``patches`` (their number), ``embedding`` (patch projection, class
        token, position embeddings), ``encoder`` (with the final LayerNorm),
        ``head``, ``total``.

    References
    ----------
    `dosovitskiy2021`

    Examples
    --------
    >>> p = vit_params()
    >>> p["patches"], p["total"]
    (196, 86567656)
    """
    size = check_int(image, "image", minimum=1)
    p = check_int(patch, "patch", minimum=1)
    C = check_int(channels, "channels", minimum=1)
    d = check_int(d_model, "d_model", minimum=1)
    depth = check_int(depth, "depth", minimum=0)
    d_mlp = check_int(d_mlp, "d_mlp", minimum=1)
    K = check_int(n_classes, "n_classes", minimum=1)
    if size % p:
        raise ValueError(f"patch={p} must divide image={size}")
    n = (size // p) ** 2
    # patch projection (a stride-p convolution), class token, n+1 positions
    emb = (C * p * p * d + d) + d + (n + 1) * d
    layer = _attention_params(d) + _ffn_params(d, d_mlp) + 2 * _norm_params(d)
    enc = depth * layer + _norm_params(d)
    head = d * K + K
    return {"patches": n, "embedding": emb, "encoder": enc, "head": head,
            "total": emb + enc + head}


# ------------------------------------------------------ toy image data set
#: Four 3×3 motifs: plus, cross, T (five pixels each) and L (four).
MOTIFS = np.array([
    [[0, 1, 0], [1, 1, 1], [0, 1, 0]],
    [[1, 0, 1], [0, 1, 0], [1, 0, 1]],
    [[1, 1, 1], [0, 1, 0], [0, 1, 0]],
    [[1, 0, 0], [1, 0, 0], [1, 1, 0]],
], dtype=float)


def motif_images(n: int, size: int = 8, noise: float = 0.1,
                 rng: RngLike = None) -> tuple[np.ndarray, np.ndarray]:
    """Noisy images, each with one of four 3×3 motifs at a random place.

    The label says which motif; where it sits carries no information, so
    the task is translation invariant: the case a convolution is built for.

    Parameters
    ----------
    n : int
        Number of images.
    size : int, default 8
        Image side (``>= 3``).
    noise : float, default 0.1
        Standard deviation of the Gaussian background.
    rng : int, numpy Generator or None

    Returns
    -------
    images : ndarray of float32, shape (n, 1, size, size)
    labels : ndarray of int64, shape (n,)
        0 plus, 1 cross, 2 T, 3 L.

    Examples
    --------
    >>> X, y = motif_images(5, rng=0)
    >>> X.shape, y.shape
    ((5, 1, 8, 8), (5,))
    """
    n = check_int(n, "n", minimum=1)
    size = check_int(size, "size", minimum=3)
    noise = check_float(noise, "noise", minimum=0.0)
    rng = as_rng(rng)
    y = rng.integers(0, len(MOTIFS), n)
    X = noise * rng.standard_normal((n, size, size))
    # top-left corner of each motif: [n] rows and columns
    i, j = rng.integers(0, size - 2, n), rng.integers(0, size - 2, n)
    rows = i[:, None, None] + np.arange(3)[:, None]
    cols = j[:, None, None] + np.arange(3)[None, :]
    X[np.arange(n)[:, None, None], rows, cols] += MOTIFS[y]
    return X[:, None].astype(np.float32), y.astype(np.int64)


# ----------------------------------------------- tiny torch models, n copies
def _param(gen, *shape: int, scale: float):
    torch = require_torch()

    return torch.nn.Parameter(torch.randn(*shape, generator=gen) * scale)


def _generator(seed: int):
    torch = require_torch()

    return torch.Generator().manual_seed(check_int(seed, "seed"))


@functools.cache
def _classes() -> dict[str, type]:
    """The torch modules, defined on first use: importing this module stays
    cheap for the numpy functions (torch takes about a second to import)."""
    torch = require_torch()

    nn, F = torch.nn, torch.nn.functional

    class TransformerBlock(nn.Module):
        """Pre-norm block for ``M`` copies: ``x: [M, N, L, d] -> same``."""

        def __init__(self, M: int, d: int, n_heads: int, d_ff: int, gen) -> None:
            super().__init__()
            if d % n_heads:
                raise ValueError(f"n_heads={n_heads} must divide d_model={d}")
            self.h = n_heads
            self.W_qkv = _param(gen, M, d, 3 * d, scale=d ** -0.5)
            self.W_o = _param(gen, M, d, d, scale=d ** -0.5)
            self.W_1 = _param(gen, M, d, d_ff, scale=d ** -0.5)
            self.b_1 = nn.Parameter(torch.zeros(M, 1, d_ff))
            self.W_2 = _param(gen, M, d_ff, d, scale=d_ff ** -0.5)

        def forward(self, x):
            M, N, L, d = x.shape
            h, dk = self.h, d // self.h
            x = x.reshape(M, N * L, d)
            # q, k, v: [M, N, L, 3, h, dk] -> 3 x [M, N, h, L, dk]
            qkv = torch.bmm(F.layer_norm(x, (d,)), self.W_qkv)
            q, k, v = qkv.view(M, N, L, 3, h, dk).permute(3, 0, 1, 4, 2, 5)
            a = F.scaled_dot_product_attention(q, k, v)  # [M, N, h, L, dk]
            # x <- x + concat(heads) W_o, then x <- x + FFN(LN(x))
            x = x + torch.bmm(a.transpose(2, 3).reshape(M, N * L, d), self.W_o)
            f = torch.relu(torch.baddbmm(self.b_1, F.layer_norm(x, (d,)), self.W_1))
            return (x + torch.bmm(f, self.W_2)).view(M, N, L, d)

    class SequenceModel(nn.Module):
        """Token embedding (+ positions) -> block -> scores per position."""

        def __init__(self, M, vocab, length, d, n_heads, positions, gen) -> None:
            super().__init__()
            from physdl_docs.symmetry import sinusoidal_encoding

            self.n_models, self.vocab = M, vocab
            self.embed = _param(gen, M * vocab, d, scale=1.0)  # a table per copy
            P = torch.tensor(sinusoidal_encoding(length, d), dtype=torch.float32)
            use = torch.tensor(positions, dtype=torch.float32).view(M, 1, 1, 1)
            self.register_buffer("P", P * use)  # [M, 1, L, d]; zero: no positions
            self.register_buffer("offset", (torch.arange(M) * vocab).view(M, 1, 1))
            self.block = TransformerBlock(M, d, n_heads, 2 * d, gen)
            self.readout = _param(gen, M, d, vocab, scale=d ** -0.5)

        def forward(self, tokens):  # tokens: [M, N, L] -> scores [M, N, L, vocab]
            M, N, L = tokens.shape
            x = self.embed[tokens + self.offset] + self.P  # [M, N, L, d]
            x = F.layer_norm(self.block(x), (x.shape[-1],)).reshape(M, N * L, -1)
            return torch.bmm(x, self.readout).view(M, N, L, self.vocab)

    class PatchModel(nn.Module):
        """Patch embedding + learned positions -> block -> mean -> scores."""

        def __init__(self, M, n_patches, patch_dim, n_classes, d, n_heads, gen) -> None:
            super().__init__()
            self.n_models = M
            self.W_e = _param(gen, M, patch_dim, d, scale=patch_dim ** -0.5)
            self.b_e = nn.Parameter(torch.zeros(M, 1, d))
            self.pos = _param(gen, M, 1, n_patches, d, scale=0.1)
            self.block = TransformerBlock(M, d, n_heads, 2 * d, gen)
            self.head = _param(gen, M, d, n_classes, scale=d ** -0.5)

        def forward(self, patches):  # patches: [M, N, P, D] -> scores [M, N, K]
            M, N, P, D = patches.shape
            patches = patches.to(self.W_e.dtype)
            x = torch.baddbmm(self.b_e, patches.reshape(M, N * P, D), self.W_e)
            x = self.block(x.view(M, N, P, -1) + self.pos)
            return torch.bmm(F.layer_norm(x, (x.shape[-1],)).mean(2), self.head)

    class ConvModel(nn.Module):
        """Convolution (a linear map on windows) -> ReLU -> global max -> linear."""

        def __init__(self, M, patch_dim, n_classes, channels, gen) -> None:
            super().__init__()
            self.n_models = M
            self.W = _param(gen, M, patch_dim, channels, scale=patch_dim ** -0.5)
            self.b = nn.Parameter(torch.zeros(M, 1, channels))
            self.head = _param(gen, M, channels, n_classes, scale=channels ** -0.5)
            self.b_head = nn.Parameter(torch.zeros(M, 1, n_classes))

        def forward(self, windows):  # windows: [M, N, HW, D] -> scores [M, N, K]
            M, N, P, D = windows.shape
            windows = windows.to(self.W.dtype)
            f = torch.relu(torch.baddbmm(self.b, windows.reshape(M, N * P, D), self.W))
            f = f.view(M, N, P, -1).amax(dim=2)  # global max pool: [M, N, C]
            return torch.baddbmm(self.b_head, f, self.head)

    return {c.__name__: c for c in (TransformerBlock, SequenceModel, PatchModel, ConvModel)}


def sequence_model(n_models: int, vocab: int, length: int, d_model: int = 16,
                   n_heads: int = 2, positions: bool | Sequence[bool] = True,
                   seed: int = 0):
    """``n_models`` tiny Transformers for sequence-to-sequence toy tasks.

    Token embedding, plus lesson 1.9's sinusoidal positional encoding, one
    pre-norm block (multi-head attention, ReLU feed-forward of width
    ``2 d_model``, residuals), LayerNorm and a linear readout at every
    position. Every weight has a leading ``n_models`` axis.

    Parameters
    ----------
    n_models : int
        Independent copies, trained together by `fit_models`.
    vocab, length : int
        Number of token values and sequence length.
    d_model, n_heads : int, default 16, 2
    positions : bool or sequence of bool, default True
        Whether each copy adds positions; without them a copy is permutation
        equivariant.
    seed : int, default 0
        Seed of the initial weights.

    Returns
    -------
    torch.nn.Module
        Maps tokens ``[n_models, batch, length]`` (int64) to scores
        ``[n_models, batch, length, vocab]``.

    References
    ----------
    `vaswani2017`

    Examples
    --------
    >>> import torch
    >>> model = sequence_model(2, vocab=5, length=4)
    >>> model(torch.zeros(2, 3, 4, dtype=torch.int64)).shape
    torch.Size([2, 3, 4, 5])
    """
    M = check_int(n_models, "n_models", minimum=1)
    vocab = check_int(vocab, "vocab", minimum=2)
    length = check_int(length, "length", minimum=1)
    d = check_int(d_model, "d_model", minimum=2)
    h = check_int(n_heads, "n_heads", minimum=1)
    use = np.broadcast_to(np.asarray(positions), (M,))
    if use.dtype != bool:
        raise TypeError(f"positions must be a bool or bools, got {use.dtype}")
    return _classes()["SequenceModel"](M, vocab, length, d, h, use.tolist(),
                                       _generator(seed))


def patch_model(n_models: int, n_patches: int, patch_dim: int, n_classes: int,
                d_model: int = 32, n_heads: int = 2, seed: int = 0):
    """``n_models`` tiny ViT-style classifiers.

    Patch embedding plus learned position embeddings, one pre-norm block,
    LayerNorm, mean over the tokens (instead of a class token), linear head.

    Parameters
    ----------
    n_models, n_patches, patch_dim, n_classes : int
        Copies; tokens and their length (`patchify` output); classes.
    d_model, n_heads : int, default 32, 2
    seed : int, default 0

    Returns
    -------
    torch.nn.Module
        Maps patches ``[n_models, batch, n_patches, patch_dim]`` to scores
        ``[n_models, batch, n_classes]``.

    References
    ----------
    `dosovitskiy2021`
    """
    M = check_int(n_models, "n_models", minimum=1)
    args = [check_int(v, name, minimum=1) for v, name in
            ((n_patches, "n_patches"), (patch_dim, "patch_dim"), (n_classes, "n_classes"),
             (d_model, "d_model"), (n_heads, "n_heads"))]
    return _classes()["PatchModel"](M, *args, _generator(seed))


def conv_model(n_models: int, patch_dim: int, n_classes: int, channels: int = 8,
               seed: int = 0):
    """``n_models`` small CNNs: convolution, ReLU, global max pool, linear.

    The convolution is a linear map applied to every window of
    `conv_patches` (circular padding), so the whole model is invariant to
    circular shifts of the image.

    Parameters
    ----------
    n_models, patch_dim, n_classes : int
        Copies; window length ``C k^2``; classes.
    channels : int, default 8
        Filters.
    seed : int, default 0

    Returns
    -------
    torch.nn.Module
        Maps windows ``[n_models, batch, H W, patch_dim]`` to scores
        ``[n_models, batch, n_classes]``.

    References
    ----------
    `lecun1989`
    """
    M = check_int(n_models, "n_models", minimum=1)
    args = [check_int(v, name, minimum=1) for v, name in
            ((patch_dim, "patch_dim"), (n_classes, "n_classes"), (channels, "channels"))]
    return _classes()["ConvModel"](M, *args, _generator(seed))


# -------------------------------------------------------------- training
def minibatches(datasets: Sequence[tuple[np.ndarray, np.ndarray]],
                batch_size: int) -> Callable:
    """A batch function for `fit_models`: one training set per copy.

    Parameters
    ----------
    datasets : sequence of (inputs, labels)
        Copy ``m`` draws from ``datasets[m]`` (sizes may differ).
    batch_size : int
        Examples per copy and step, drawn with replacement.

    Returns
    -------
    callable
        ``batch(gen) -> (x [M, B, ...], y [M, B, ...])`` as torch tensors.
    """
    torch = require_torch()
    B = check_int(batch_size, "batch_size", minimum=1)
    data = [(torch.as_tensor(np.asarray(x, dtype=np.float32)), torch.as_tensor(y))
            for x, y in datasets]

    def batch(gen):
        idx = [torch.randint(len(y), (B,), generator=gen) for _, y in data]
        return (torch.stack([x[i] for (x, _), i in zip(data, idx)]),
                torch.stack([y[i] for (_, y), i in zip(data, idx)]))

    return batch


def fit_models(model, batch: Callable, steps: int, lr: float = 1e-2,
               seed: int = 0) -> np.ndarray:
    """Train all copies of ``model`` with Adam on the cross-entropy.

    Parameters
    ----------
    model : torch.nn.Module
        Maps a batch ``x [M, B, ...]`` to scores ``[M, B, ..., K]``.
    batch : callable
        ``batch(gen) -> (x, y)`` with labels ``y [M, B, ...]``; ``gen`` is a
        seeded ``torch.Generator``.
    steps : int
        Adam steps.
    lr : float, default 1e-2
    seed : int, default 0
        Seed of the batches.

    Returns
    -------
    ndarray of shape (steps, M)
        Each copy's mean cross-entropy at each step.

    Notes
    -----
    The loss is ``sum_m mean CE_m``: copy ``m``'s weights get exactly the
    gradient of its own loss, and Adam's update is elementwise, so every
    copy follows the trajectory it would follow alone.
    """
    torch = require_torch()
    steps = check_int(steps, "steps", minimum=1)
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    gen = _generator(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    model.train()
    for _ in range(steps):
        x, y = batch(gen)
        scores = model(x)
        # per-copy mean cross-entropy: [M]
        ce = torch.nn.functional.cross_entropy(
            scores.flatten(1, -2).transpose(1, 2), y.flatten(1), reduction="none"
        ).mean(1)
        opt.zero_grad()
        ce.sum().backward()
        opt.step()
        history.append(ce.detach().numpy())
    history = np.array(history)
    if not np.all(np.isfinite(history[-1])):
        import warnings

        warnings.warn("training diverged: a loss is not finite", RuntimeWarning, stacklevel=2)
    return history


def accuracies(model, x, y, shared: bool = False) -> np.ndarray:
    """Accuracy of each copy of ``model``.

    Parameters
    ----------
    model : torch.nn.Module
        One of `sequence_model`, `patch_model`, `conv_model`.
    x : array_like or tensor
        Inputs ``[M, N, ...]``, or ``[N, ...]`` with ``shared=True``.
    y : array_like or tensor
        Labels ``[M, N, ...]`` or ``[N, ...]`` (the same for every copy);
        every position counts.
    shared : bool, default False
        Give every copy the same inputs ``x``.

    Returns
    -------
    ndarray of shape (M,)
    """
    torch = require_torch()

    x = torch.as_tensor(np.asarray(x, dtype=np.float32) if isinstance(x, np.ndarray)
                        and x.dtype.kind == "f" else x)
    if shared:
        x = x.expand(model.n_models, *x.shape)
    model.eval()
    with torch.no_grad():
        pred = model(x).argmax(-1)
    y = torch.as_tensor(y).expand_as(pred)
    return (pred == y).float().flatten(1).mean(1).numpy().astype(float)
