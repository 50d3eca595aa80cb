"""Recurrent networks: the Elman cell, the LSTM cell, gradients through time.

Taught in lesson 2.6 (docs/history/rnn.md).

- `rnn_cell` and `lstm_cell` are one step of a simple recurrent network
  (Elman 1990) and of a long short-term memory with forget gate (Hochreiter
  & Schmidhuber 1997; Gers et al. 2000), in numpy, with PyTorch's weight
  layout: ``W_ih`` of shape ``(G H, D)``, ``W_hh`` of shape ``(G H, H)`` and
  two biases, the LSTM's ``G = 4`` gates stacked in the order (i, f, g, o).
  With copied weights they equal ``torch.nn.RNNCell`` and
  ``torch.nn.LSTMCell``.
- `rnn_forward` and `lstm_forward` unroll a cell over a sequence, like a
  one-layer ``torch.nn.RNN`` / ``torch.nn.LSTM``.
- `gradient_vs_lag` measures with torch autograd how strongly the last
  state depends on each earlier input, ``|d(u . h_T) / d x_t|``, against
  the lag ``T - t``: backpropagation through time multiplies one Jacobian
  per step.
- `memory_task` draws sequences whose label is their first symbol, followed
  by noise; `train_memory` trains a torch RNN or LSTM on it.
"""

from __future__ import annotations

import math

import numpy as np

from physdl_docs._optional import require_torch
from physdl_docs._validation import check_array, check_float, check_int

__all__ = [
    "gradient_vs_lag",
    "lstm_cell",
    "lstm_forward",
    "memory_task",
    "rnn_cell",
    "rnn_forward",
    "train_memory",
]

KINDS = ("rnn", "lstm")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function in the overflow-free form (1 + tanh(z/2)) / 2."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _check_step(x, h, W_ih, W_hh, b_ih, b_hh, n_gates: int):
    """Validate one step's arrays; return them as float arrays."""
    x = check_array(x, "x", ndim=(1, 2))
    h = check_array(h, "h", ndim=x.ndim)
    if x.ndim == 2 and h.shape[0] != x.shape[0]:
        raise ValueError(
            f"h must have the batch size {x.shape[0]} of x, got {h.shape}"
        )
    G = n_gates * h.shape[-1]  # rows of the stacked gate weights
    W_ih = check_array(W_ih, "W_ih", shape=(G, x.shape[-1]))
    W_hh = check_array(W_hh, "W_hh", shape=(G, h.shape[-1]))
    b = [np.zeros(G) if v is None else check_array(v, name, shape=(G,))
         for v, name in ((b_ih, "b_ih"), (b_hh, "b_hh"))]
    return x, h, W_ih, W_hh, b[0] + b[1]


def rnn_cell(
    x: np.ndarray,
    h: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray | None = None,
    b_hh: np.ndarray | None = None,
) -> np.ndarray:
    """One step of a simple (Elman) recurrent network with tanh.

    Parameters
    ----------
    x : array_like of shape (B, D) or (D,)
        Inputs at this step.
    h : array_like of shape (B, H) or (H,)
        Previous hidden state.
    W_ih : array_like of shape (H, D)
        Input weights (``torch.nn.RNNCell.weight_ih``).
    W_hh : array_like of shape (H, H)
        Recurrent weights (``weight_hh``).
    b_ih, b_hh : array_like of shape (H,), optional
        Biases (``bias_ih``, ``bias_hh``); zero if omitted.

    Returns
    -------
    ndarray of the shape of ``h``
        The new hidden state.

    Notes
    -----
    .. math:: h_t = \\tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

    References
    ----------
    `elman1990`

    Examples
    --------
    >>> rnn_cell([[1.0]], [[0.0]], [[0.5]], [[2.0]]).round(4).tolist()
    [[0.4621]]
    """
    x, h, W_ih, W_hh, b = _check_step(x, h, W_ih, W_hh, b_ih, b_hh, 1)
    # h_t = tanh(W_ih x_t + W_hh h_{t-1} + b): [B, H]
    return np.tanh(x @ W_ih.T + h @ W_hh.T + b)


def lstm_cell(
    x: np.ndarray,
    h: np.ndarray,
    c: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray | None = None,
    b_hh: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One step of an LSTM with forget gate, in PyTorch's layout.

    Parameters
    ----------
    x : array_like of shape (B, D) or (D,)
        Inputs at this step.
    h, c : array_like of shape (B, H) or (H,)
        Previous hidden state and cell state.
    W_ih : array_like of shape (4H, D)
        Input weights of the gates stacked as (i, f, g, o)
        (``torch.nn.LSTMCell.weight_ih``).
    W_hh : array_like of shape (4H, H)
        Recurrent weights, same order (``weight_hh``).
    b_ih, b_hh : array_like of shape (4H,), optional
        Biases; zero if omitted.

    Returns
    -------
    h, c : ndarray of the shape of ``h``
        The new hidden state and cell state.

    Notes
    -----
    With ``z = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh`` split into four
    blocks of ``H`` rows:

    .. math:: c_t = \\sigma(z_f) \\odot c_{t-1}
              + \\sigma(z_i) \\odot \\tanh(z_g), \\qquad
              h_t = \\sigma(z_o) \\odot \\tanh(c_t)

    References
    ----------
    `hochreiter1997`, `gers2000`

    Examples
    --------
    >>> W_ih = np.array([[9.0], [9.0], [1.0], [9.0]])  # i, f, g, o open
    >>> h, c = lstm_cell([[1.0]], [[0.0]], [[1.0]], W_ih, np.zeros((4, 1)))
    >>> round(float(c[0, 0]), 4)  # f c + i g = 1 + tanh(1)
    1.7615
    """
    x, h, W_ih, W_hh, b = _check_step(x, h, W_ih, W_hh, b_ih, b_hh, 4)
    c = check_array(c, "c", shape=h.shape)
    H = h.shape[-1]
    # z = W_ih x_t + W_hh h_{t-1} + b: [B, 4H], blocks (i, f, g, o)
    z = x @ W_ih.T + h @ W_hh.T + b
    i, f, o = _sigmoid(z[..., :H]), _sigmoid(z[..., H:2 * H]), _sigmoid(
        z[..., 3 * H:])
    g = np.tanh(z[..., 2 * H:3 * H])
    # c_t = f * c_{t-1} + i * g;  h_t = o * tanh(c_t)
    c = f * c + i * g
    return o * np.tanh(c), c


def _check_sequence(xs, h0, H: int):
    xs = check_array(xs, "xs", ndim=3)
    if xs.shape[0] == 0:
        raise ValueError("xs must have at least one time step")
    return xs, np.zeros((xs.shape[1], H)) if h0 is None else h0


def rnn_forward(
    xs: np.ndarray,
    h0: np.ndarray | None,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray | None = None,
    b_hh: np.ndarray | None = None,
) -> np.ndarray:
    """Unroll `rnn_cell` over a sequence.

    Parameters
    ----------
    xs : array_like of shape (T, B, D)
        Inputs, time first (as ``torch.nn.RNN``).
    h0 : array_like of shape (B, H) or None
        Initial state; zeros if None.
    W_ih, W_hh, b_ih, b_hh
        As in `rnn_cell`.

    Returns
    -------
    ndarray of shape (T, B, H)
        ``h_1, ..., h_T``.

    Examples
    --------
    >>> hs = rnn_forward(np.ones((3, 1, 1)), None, [[0.5]], [[0.5]])
    >>> hs[:, 0, 0].round(3).tolist()
    [0.462, 0.624, 0.671]
    """
    xs, h = _check_sequence(xs, h0, np.shape(W_hh)[-1])
    hs = []
    for x in xs:  # the same weights at every step
        h = rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
    return np.stack(hs)


def lstm_forward(
    xs: np.ndarray,
    h0: np.ndarray | None,
    c0: np.ndarray | None,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray | None = None,
    b_hh: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Unroll `lstm_cell` over a sequence.

    Parameters
    ----------
    xs : array_like of shape (T, B, D)
        Inputs, time first (as ``torch.nn.LSTM``).
    h0, c0 : array_like of shape (B, H) or None
        Initial hidden and cell states; zeros if None.
    W_ih, W_hh, b_ih, b_hh
        As in `lstm_cell`.

    Returns
    -------
    hs, cs : ndarray of shape (T, B, H)
        Hidden and cell states ``1, ..., T``.

    Examples
    --------
    >>> W_ih = np.array([[9.0], [9.0], [1.0], [9.0]])
    >>> hs, cs = lstm_forward(np.ones((3, 1, 1)), None, None, W_ih,
    ...                       np.zeros((4, 1)))
    >>> cs[:, 0, 0].round(2).tolist()  # f ~ 1: the cell adds tanh(1) a step
    [0.76, 1.52, 2.28]
    """
    xs, h = _check_sequence(xs, h0, np.shape(W_hh)[-1])
    c = np.zeros_like(h) if c0 is None else c0
    hs, cs = [], []
    for x in xs:
        h, c = lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
        cs.append(c)
    return np.stack(hs), np.stack(cs)


def _recurrent(kind: str, n_inputs: int, hidden: int, forget_bias: float,
               zero_bias: bool, gen, dtype):
    """A one-layer torch RNN/LSTM with PyTorch's default init, seeded."""
    torch = require_torch()

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    cls = torch.nn.LSTM if kind == "lstm" else torch.nn.RNN
    net = cls(n_inputs, hidden, device="meta", dtype=dtype)
    net = net.to_empty(device="cpu")
    bound = 1 / math.sqrt(hidden)  # torch's default: U(-1/sqrt(H), 1/sqrt(H))
    with torch.no_grad():
        for name, p in net.named_parameters():
            if zero_bias and name.startswith("bias"):
                p.zero_()
            else:
                p.uniform_(-bound, bound, generator=gen)
        if kind == "lstm":  # rows H..2H of the stacked gates: the forget gate
            net.bias_ih_l0[hidden:2 * hidden] += forget_bias
    return net


def gradient_vs_lag(
    kind: str = "rnn",
    T: int = 60,
    hidden: int = 32,
    n_inputs: int = 8,
    batch: int = 16,
    forget_bias: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """Size of ``d(u . h_T) / d x_t`` against the lag ``T - t``, by autograd.

    Parameters
    ----------
    kind : {"rnn", "lstm"}, default "rnn"
        A tanh ``torch.nn.RNN`` or a ``torch.nn.LSTM``, one layer, with
        PyTorch's default initialisation, in float64.
    T, hidden, n_inputs, batch : int
        Sequence length, state size, input size and number of sequences.
    forget_bias : float, default 0.0
        Added to the LSTM's forget-gate bias (ignored for "rnn").
    seed : int, default 0
        Seed of a local ``torch.Generator`` (weights, inputs, ``u``).

    Returns
    -------
    ndarray of shape (T,)
        Entry ``k``: the root-mean-square over the batch of
        ``|d(u . h_T) / d x_{T-k}|``, for lags ``k = 0, ..., T-1`` (the last
        input has lag 0), with a random unit vector ``u``.

    Notes
    -----
    By the chain rule the gradient at lag ``k`` passes through ``k``
    step Jacobians:

    .. math:: \\frac{\\partial h_T}{\\partial x_{T-k}} =
              \\Big(\\prod_{t=T-k+1}^{T} \\frac{\\partial h_t}
              {\\partial h_{t-1}}\\Big) \\frac{\\partial h_{T-k}}
              {\\partial x_{T-k}}

    References
    ----------
    `bengio1994`, `hochreiter1997`

    Examples
    --------
    >>> g = gradient_vs_lag("rnn", T=30)
    >>> bool(g[29] < 1e-5 * g[0])
    True
    """
    torch = require_torch()

    T = check_int(T, "T", minimum=1)
    hidden = check_int(hidden, "hidden", minimum=1)
    n_inputs = check_int(n_inputs, "n_inputs", minimum=1)
    batch = check_int(batch, "batch", minimum=1)
    forget_bias = check_float(forget_bias, "forget_bias")
    gen = torch.Generator().manual_seed(check_int(seed, "seed"))
    net = _recurrent(kind, n_inputs, hidden, forget_bias, False, gen,
                     torch.float64)
    # x: [T, batch, n_inputs], a leaf so that autograd keeps d/dx_t
    x = torch.randn(T, batch, n_inputs, generator=gen, dtype=torch.float64)
    x.requires_grad_(True)
    u = torch.randn(hidden, generator=gen, dtype=torch.float64)
    hs, _ = net(x)  # hs: [T, batch, hidden]
    (hs[-1] @ (u / u.norm())).sum().backward()  # sum over the batch of u.h_T
    # |d(u.h_T)/dx_t| per sequence, RMS over the batch, lag k = T-1-t
    g = x.grad.pow(2).sum(-1).mean(-1).sqrt().numpy()
    return g[::-1].copy()


def memory_task(
    n: int, T: int, n_classes: int = 2, n_noise: int = 8, rng=None
) -> tuple[np.ndarray, np.ndarray]:
    """Sequences whose label is their first symbol, followed by noise.

    Parameters
    ----------
    n, T : int
        Number of sequences and their length (``T >= 1``).
    n_classes : int, default 2
        Symbols to remember; chance accuracy is ``1 / n_classes``.
    n_noise : int, default 8
        Extra input channels that carry standard normal noise at steps
        ``2, ..., T``.
    rng : int, numpy.random.Generator or None
        Random source.

    Returns
    -------
    x : ndarray of float32, shape (T, n, n_classes + n_noise)
        Step 1 holds a one-hot symbol, later steps only noise.
    y : ndarray of int64, shape (n,)
        The symbol of step 1.

    References
    ----------
    `bengio1994`, `hochreiter1997`

    Examples
    --------
    >>> x, y = memory_task(3, 5, rng=0)
    >>> x.shape, bool((x[0, :, :2].argmax(1) == y).all())
    ((5, 3, 10), True)
    """
    from physdl_docs._validation import as_rng

    n = check_int(n, "n", minimum=1)
    T = check_int(T, "T", minimum=1)
    K = check_int(n_classes, "n_classes", minimum=2)
    M = check_int(n_noise, "n_noise", minimum=0)
    rng = as_rng(rng)
    y = rng.integers(K, size=n)
    x = np.zeros((T, n, K + M), dtype=np.float32)
    x[0, np.arange(n), y] = 1.0  # the symbol to remember
    x[1:, :, K:] = rng.standard_normal((T - 1, n, M))  # distracting noise
    return x, y.astype(np.int64)


def train_memory(
    kind: str,
    T: int = 40,
    hidden: int = 16,
    steps: int = 40,
    batch: int = 64,
    lr: float = 0.02,
    forget_bias: float = 5.0,
    n_classes: int = 2,
    n_noise: int = 8,
    seed: int = 0,
) -> tuple[float, list[float]]:
    """Train a torch RNN or LSTM on `memory_task`; return its test accuracy.

    Parameters
    ----------
    kind : {"rnn", "lstm"}
        A tanh ``torch.nn.RNN`` or a ``torch.nn.LSTM``, plus a linear
        read-out of the last hidden state; weights with PyTorch's default
        init, biases zero.
    T, hidden : int, default 40, 16
        Sequence length and state size.
    steps, batch, lr : default 40, 64, 0.02
        Adam steps on fresh minibatches of ``batch`` sequences.
    forget_bias : float, default 5.0
        Initial forget-gate bias of the LSTM: ``sigma(5) = 0.993``, close to
        the original LSTM's fixed carousel weight 1.
    n_classes, n_noise : int, default 2, 8
        Symbols and noise channels of `memory_task`.
    seed : int, default 0
        Seed of the weights (a local ``torch.Generator``) and of the data.

    Returns
    -------
    accuracy : float
        On 1,000 fresh sequences; chance is 0.5.
    losses : list of float
        Training loss (cross-entropy) at every step.

    Examples
    --------
    >>> acc, losses = train_memory("lstm", T=5, steps=20)
    >>> print(f"{acc:.2f}")
    1.00
    """
    torch = require_torch()

    T = check_int(T, "T", minimum=1)
    hidden = check_int(hidden, "hidden", minimum=1)
    steps = check_int(steps, "steps", minimum=1)
    batch = check_int(batch, "batch", minimum=1)
    lr = check_float(lr, "lr", 0.0, strict=True)
    forget_bias = check_float(forget_bias, "forget_bias")
    K = check_int(n_classes, "n_classes", minimum=2)
    M = check_int(n_noise, "n_noise", minimum=0)
    seed = check_int(seed, "seed")
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = _recurrent(kind, K + M, hidden, forget_bias, True, gen, torch.float32)
    readout = torch.nn.Linear(hidden, K)
    with torch.no_grad():  # U(-1/sqrt(H), 1/sqrt(H)) from the local generator
        for p in readout.parameters():
            p.uniform_(-1 / math.sqrt(hidden), 1 / math.sqrt(hidden),
                       generator=gen)
    params = list(net.parameters()) + list(readout.parameters())
    opt = torch.optim.Adam(params, lr=lr)

    def scores(x):
        return readout(net(torch.from_numpy(x))[0][-1])  # read out h_T

    losses = []
    for _ in range(steps):
        x, y = memory_task(batch, T, K, M, rng=rng)
        loss = torch.nn.functional.cross_entropy(scores(x),
                                                 torch.from_numpy(y))
        opt.zero_grad()
        loss.backward()  # backpropagation through time
        opt.step()
        losses.append(loss.item())
    if not np.isfinite(losses[-1]):
        import warnings

        warnings.warn("training diverged: the loss is not finite",
                      RuntimeWarning, stacklevel=2)
    x, y = memory_task(1000, T, K, M, rng=rng)
    with torch.no_grad():
        accuracy = float((scores(x).argmax(1).numpy() == y).mean())
    return accuracy, losses
