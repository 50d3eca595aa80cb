"""From fully connected to convolution: Toeplitz matrices, U-Net, ResNet.

Taught in lesson 3.9 (docs/training/architectures.md).

- A 1-D convolution is a matrix: row ``i`` holds the filter, shifted to
  start at column ``s i - p``. `local_matrix` builds the banded matrix of a
  locally connected layer (a filter per output position); `conv1d_matrix`
  is the special case with one filter for every position, a Toeplitz
  matrix. Its transpose is the transposed convolution that decoders use to
  upsample.
- `EncoderDecoder` shrinks an image with convolutions and max-pooling and
  grows it back with transposed convolutions; `TinyUNet` adds the skip
  connections of U-Net (Ronneberger et al. 2015), concatenating each
  encoder stage with the decoder stage of the same size. ``stages(x)``
  returns every intermediate tensor by name, to print the shapes.
- `ResidualBlock` computes ``x + F(x)``: with zero weights it is the
  identity, which a plain block cannot be.
- `MLPEnsemble` trains several deep plain or residual MLPs at once (one
  batched matrix product per layer) to measure the degradation problem of
  He et al. (2016): a deeper plain network reaches a *higher training* loss.

The numpy matrices are compared with ``torch.nn.functional.conv1d`` and
``conv_transpose1d`` in the unit tests.
"""

from __future__ import annotations

import math

import numpy as np

from physdl_docs._optional import require_torch
from physdl_docs._validation import check_array, check_float, check_int
from physdl_docs.cnn import output_size
from physdl_docs.inductive_bias import adam_step

# every part of this lesson is a torch model: importing it needs torch
torch = require_torch()
F = torch.nn.functional
nn = torch.nn

__all__ = [
    "EncoderDecoder",
    "MLPEnsemble",
    "ResidualBlock",
    "TinyUNet",
    "conv1d_matrix",
    "local_matrix",
    "n_params",
    "train_ensemble",
]


def local_matrix(w: np.ndarray, n: int, stride: int = 1,
                 padding: int = 0) -> np.ndarray:
    r"""The matrix of a 1-D locally connected layer (no bias).

    Parameters
    ----------
    w : array_like of shape (n_out, k) or (n_out, C_out, C_in, k)
        The filter of every output position.
    n : int
        Input length.
    stride, padding : int
        Step between windows and zeros added at each end.

    Returns
    -------
    ndarray of shape (n_out, n) or (C_out n_out, C_in n)
        ``T`` with ``y = T x`` for ``x`` flattened channel by channel
        (``x.reshape(-1)`` of a ``(C_in, n)`` array).

    Notes
    -----
    Row ``i`` holds the window of output ``i``; zero padding drops the
    columns that fall outside the input:

    .. math:: T_{(o,i),(c,\,si+u-p)} = w_{i,o,c,u}

    Examples
    --------
    >>> local_matrix([[1.0, 2.0], [3.0, 4.0]], n=3).tolist()
    [[1.0, 2.0, 0.0], [0.0, 3.0, 4.0]]
    """
    w = check_array(w, "w", ndim=(2, 4))
    if w.ndim == 2:
        w = w[:, None, None, :]  # [n_out, C_out=1, C_in=1, k]
    n_out, c_out, c_in, k = w.shape
    want = output_size(n, k, stride, padding)
    if n_out != want:
        raise ValueError(f"w must have n_out = {want} rows for n={n}, "
                         f"k={k}, stride={stride}, padding={padding}, "
                         f"got {n_out}")
    T = np.zeros((c_out, n_out, c_in, n))  # [C_out, n_out, C_in, n]
    i = np.arange(n_out)
    for u in range(k):
        # output i sees input j = s i + u - p through tap u
        j = stride * i + u - padding
        inside = (j >= 0) & (j < n)
        T[:, i[inside], :, j[inside]] = w[i[inside], :, :, u]
    T = T.reshape(c_out * n_out, c_in * n)
    return T


def conv1d_matrix(w: np.ndarray, n: int, stride: int = 1,
                  padding: int = 0) -> np.ndarray:
    r"""The Toeplitz matrix of a 1-D convolution (cross-correlation).

    Parameters
    ----------
    w : array_like of shape (k,) or (C_out, C_in, k)
        One filter, or a bank as in ``torch.nn.functional.conv1d``.
    n : int
        Input length.
    stride, padding : int, default 1 and 0
        Step between windows and zeros added at each end.

    Returns
    -------
    ndarray of shape (n_out, n) or (C_out n_out, C_in n)
        With ``n_out = floor((n + 2p - k)/s) + 1``; ``T @ x`` is the
        convolution of ``x`` (flattened channel by channel).

    Notes
    -----
    The same filter in every row, shifted by ``s`` columns per row:
    constant along diagonals (Toeplitz) for stride 1, and zero outside
    the band of width ``k``.

    .. math:: y_{o,i} = \sum_{c,u} w_{o,c,u}\, x_{c,\,si+u-p}
              = \sum_{c,j} T_{(o,i),(c,j)}\, x_{c,j}

    References
    ----------
    `lecun1998`

    Examples
    --------
    >>> conv1d_matrix([1.0, 2.0, 3.0], n=4, padding=1).astype(int).tolist()
    [[2, 3, 0, 0], [1, 2, 3, 0], [0, 1, 2, 3], [0, 0, 1, 2]]
    """
    w = check_array(w, "w", ndim=(1, 3))
    n = check_int(n, "n", minimum=1)
    stride = check_int(stride, "stride", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    k = w.shape[-1]
    if k == 0 or k > n + 2 * padding:
        raise ValueError(f"w must have a length between 1 and the padded "
                         f"input {n + 2 * padding}, got shape {w.shape}")
    n_out = output_size(n, k, stride, padding)
    # weight sharing: the same filter at every output position
    bank = w[None, None, None, :] if w.ndim == 1 else w[None]
    T = local_matrix(np.broadcast_to(bank, (n_out, *bank.shape[1:])), n,
                     stride, padding)
    return T


def n_params(module: nn.Module) -> int:
    """Number of trainable parameters of a torch module.

    Examples
    --------
    >>> n_params(nn.Conv2d(3, 96, 3))  # 96 (3 * 3 * 3 + 1)
    2688
    """
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def _init_default_(module: nn.Module, seed: int) -> None:
    """PyTorch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in)), from a local generator.

    The module is built on the meta device (no global random numbers are
    drawn) and materialised here.
    """
    gen = torch.Generator().manual_seed(check_int(seed, "seed"))
    module.to_empty(device="cpu")
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, (nn.Linear, nn.modules.conv._ConvNd)):
                # fan_in = weight[0].numel() for Conv2d and ConvTranspose2d alike
                bound = 1 / math.sqrt(layer.weight[0].numel())
                layer.weight.uniform_(-bound, bound, generator=gen)
                layer.bias.uniform_(-bound, bound, generator=gen)


def _conv_block(c_in: int, c_out: int) -> nn.Sequential:
    """Two 3x3 convolutions with ReLU, padded so the size is kept."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(),
        nn.Conv2d(c_out, c_out, 3, padding=1), nn.ReLU(),
    )


class EncoderDecoder(nn.Module):
    """A two-level convolutional encoder-decoder, optionally a U-Net.

    Parameters
    ----------
    c_in, c_out : int, default 1
        Channels of the input image and of the output map.
    width : int, default 8
        Channels of the first stage; doubled at every level down.
    skip : bool, default False
        Concatenate each encoder stage onto the decoder stage of the same
        size (U-Net's skip connections).
    seed : int, default 0
        Seed of a local generator for PyTorch's default weight laws.

    Notes
    -----
    Encoder: conv block, 2x2 max-pool, conv block, 2x2 max-pool, bottleneck.
    Decoder: 2x2 transposed convolution (stride 2) back up, conv block, and
    again; a 1x1 convolution gives the output. Sizes must be divisible by 4.

    References
    ----------
    `ronneberger2015`

    Examples
    --------
    >>> EncoderDecoder(width=4)(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 1, 8, 8])
    """

    def __init__(self, c_in: int = 1, c_out: int = 1, width: int = 8,
                 skip: bool = False, seed: int = 0) -> None:
        super().__init__()
        c_in = check_int(c_in, "c_in", minimum=1)
        c_out = check_int(c_out, "c_out", minimum=1)
        w = check_int(width, "width", minimum=1)
        if not isinstance(skip, bool):
            raise TypeError(f"skip must be a bool, got {type(skip).__name__}")
        self.skip = skip
        extra = 1 if skip else 0  # the decoder block also takes the skip
        with torch.device("meta"):  # shapes only; weights drawn below
            self.enc1 = _conv_block(c_in, w)
            self.enc2 = _conv_block(w, 2 * w)
            self.bottleneck = _conv_block(2 * w, 4 * w)
            self.up2 = nn.ConvTranspose2d(4 * w, 2 * w, 2, stride=2)
            self.dec2 = _conv_block((2 + 2 * extra) * w, 2 * w)
            self.up1 = nn.ConvTranspose2d(2 * w, w, 2, stride=2)
            self.dec1 = _conv_block((1 + extra) * w, w)
            self.head = nn.Conv2d(w, c_out, 1)
        _init_default_(self, seed)

    def stages(self, x: torch.Tensor) -> list[tuple[str, torch.Tensor]]:
        """Every intermediate tensor, by name, input first, output last."""
        if x.ndim != 4 or x.shape[-1] % 4 or x.shape[-2] % 4:
            raise ValueError(f"x must be [batch, channels, H, W] with H, W "
                             f"divisible by 4, got shape {tuple(x.shape)}")
        out = [("input", x)]

        def add(name, t):
            out.append((name, t))
            return t

        # x: [batch, C_in, H, W] -> e1: [batch, w, H, W]
        e1 = add("enc1", self.enc1(x))
        # -> [batch, w, H/2, W/2] -> e2: [batch, 2w, H/2, W/2]
        e2 = add("enc2", self.enc2(add("pool1", F.max_pool2d(e1, 2))))
        # -> [batch, 2w, H/4, W/4] -> [batch, 4w, H/4, W/4]
        h = add("bottleneck", self.bottleneck(add("pool2", F.max_pool2d(e2, 2))))
        h = add("up2", self.up2(h))  # [batch, 2w, H/2, W/2]
        if self.skip:  # U-Net: concatenate along channels, [batch, 4w, ...]
            h = add("concat2", torch.cat([e2, h], dim=1))
        h = add("dec2", self.dec2(h))
        h = add("up1", self.up1(h))  # [batch, w, H, W]
        if self.skip:
            h = add("concat1", torch.cat([e1, h], dim=1))
        h = add("dec1", self.dec1(h))
        add("output", self.head(h))  # [batch, C_out, H, W]
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.stages(x)[-1][1]


class TinyUNet(EncoderDecoder):
    """`EncoderDecoder` with U-Net's skip connections (``skip=True``).

    Examples
    --------
    >>> [name for name, _ in TinyUNet(width=2).stages(torch.zeros(1, 1, 4, 4))
    ...  if name.startswith("concat")]
    ['concat2', 'concat1']
    """

    def __init__(self, c_in: int = 1, c_out: int = 1, width: int = 8,
                 seed: int = 0) -> None:
        super().__init__(c_in, c_out, width, skip=True, seed=seed)


class ResidualBlock(nn.Module):
    r"""``x + F(x)`` with ``F`` = 3x3 convolution, ReLU, 3x3 convolution.

    Parameters
    ----------
    channels : int
        Input and output channels (the shortcut needs equal shapes).
    seed : int, default 0
        Seed of the initial weights.

    Notes
    -----
    .. math:: \mathbf y = \mathbf x + W_2 * \operatorname{ReLU}(W_1 * \mathbf x
              + b_1) + b_2

    He et al. (2016) apply a ReLU after the sum; without it (their 2016b
    variant) the shortcut is an exact identity, and so is the block when
    its weights are zero.

    References
    ----------
    `he2016`, `he2016identity`

    Examples
    --------
    >>> block = ResidualBlock(4)
    >>> block(torch.zeros(1, 4, 5, 5)).shape
    torch.Size([1, 4, 5, 5])
    """

    def __init__(self, channels: int, seed: int = 0) -> None:
        super().__init__()
        c = check_int(channels, "channels", minimum=1)
        with torch.device("meta"):  # shapes only; weights drawn below
            self.conv1 = nn.Conv2d(c, c, 3, padding=1)
            self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        _init_default_(self, seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # y = x + F(x): the shortcut carries x unchanged
        return x + self.conv2(torch.relu(self.conv1(x)))


class MLPEnsemble(nn.Module):
    r"""``n_models`` independent deep MLPs, plain or residual, in one module.

    Parameters
    ----------
    n_models : int
        Independent networks, trained at once by batched matrix products.
    n_in, n_out : int
        Input features and output classes.
    width : int
        Hidden units per layer.
    n_blocks : int
        Blocks of two hidden layers each; the depth is ``2 n_blocks + 2``
        weight layers.
    residual : bool or sequence of bool
        ``h <- ReLU(h + F(h))`` instead of the plain ``h <- ReLU(F(h))``,
        with ``F(h) = W_2 ReLU(W_1 h + b_1) + b_2``; one flag for all
        models or one per model (plain and residual side by side).
    seed : int, default 0
        Seed of a local ``torch.Generator``.

    Notes
    -----
    He initialisation, variance ``2/fan_in``, for every hidden weight,
    except that a residual block's ``W_2`` starts at zero, so that every
    block starts as the identity; the output layer has variance ``1/w``;
    biases are zero. The parameters are float64 (so that training gives
    the same numbers on every CPU) and carry a leading model axis: ``W1`` is
    ``[n_models, n_blocks, width, width]``.

    References
    ----------
    `he2016`, `he2015`

    Examples
    --------
    >>> net = MLPEnsemble(3, n_in=4, n_out=2, width=5, n_blocks=2,
    ...                   residual=True)
    >>> net(torch.zeros(7, 4)).shape  # [n_models, batch, n_out]
    torch.Size([3, 7, 2])
    """

    def __init__(self, n_models: int, n_in: int, n_out: int, width: int,
                 n_blocks: int, residual: bool, seed: int = 0) -> None:
        super().__init__()
        M = check_int(n_models, "n_models", minimum=1)
        n_in = check_int(n_in, "n_in", minimum=1)
        n_out = check_int(n_out, "n_out", minimum=1)
        w = check_int(width, "width", minimum=1)
        B = check_int(n_blocks, "n_blocks", minimum=0)
        flags = [residual] * M if isinstance(residual, bool) else residual
        if (not isinstance(flags, (list, tuple)) or len(flags) != M
                or not all(isinstance(f, bool) for f in flags)):
            raise TypeError(f"residual must be a bool or {M} bools, got {residual!r}")
        # r = 1 for a residual model, 0 for a plain one: [n_models, 1, 1]
        self.register_buffer("r", torch.tensor(flags, dtype=torch.float64)[:, None, None])
        g = torch.Generator().manual_seed(check_int(seed, "seed"))

        def normal(*shape, var):
            return torch.randn(*shape, generator=g, dtype=torch.float64) * math.sqrt(var)

        def zeros(*shape):
            return torch.zeros(*shape, dtype=torch.float64)

        # He init: N(0, 2/fan_in); a residual block's W2 starts at zero
        W2 = normal(M, B, w, w, var=2 / w) * (1 - self.r[:, :, :, None])
        params = {
            "W_in": normal(M, n_in, w, var=2 / n_in), "b_in": zeros(M, 1, w),
            "W1": normal(M, B, w, w, var=2 / w), "b1": zeros(M, B, 1, w),
            "W2": W2, "b2": zeros(M, B, 1, w),
            "W_out": normal(M, w, n_out, var=1 / w), "b_out": zeros(M, 1, n_out),
        }
        for name, value in params.items():
            setattr(self, name, nn.Parameter(value))

    def hidden(self, X: torch.Tensor) -> torch.Tensor:
        """Last hidden layer, ``[n_models, batch, width]``."""
        # X: [batch, n_in] -> h: [n_models, batch, width]
        X = X.to(self.W_in.dtype).expand(len(self.W_in), -1, -1)
        h = torch.relu(torch.baddbmm(self.b_in, X, self.W_in))
        # one view per block: W1[:, j] is [n_models, width, width]
        blocks = zip(*(p.unbind(1) for p in (self.W1, self.b1, self.W2, self.b2)))
        for W1, b1, W2, b2 in blocks:
            # F(h) = ReLU(h W1 + b1) W2 + b2
            f = torch.baddbmm(b2, torch.relu(torch.baddbmm(b1, h, W1)), W2)
            # residual (r = 1): h <- ReLU(h + F(h)); plain (r = 0): ReLU(F(h))
            h = torch.relu(self.r * h + f)
        return h

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Class scores, ``[n_models, batch, n_out]``."""
        return torch.baddbmm(self.b_out, self.hidden(X), self.W_out)


def train_ensemble(model: MLPEnsemble, X: np.ndarray, y: np.ndarray,
                   steps: int = 100, lr: float = 3e-3) -> np.ndarray:
    """Full-batch Adam on each model's mean cross-entropy.

    Parameters
    ----------
    model : MLPEnsemble
        Trained in place.
    X : array_like of shape (n_samples, n_in)
    y : array_like of int, shape (n_samples,)
        Class labels.
    steps : int, default 100
    lr : float, default 3e-3

    Returns
    -------
    ndarray of shape (steps, n_models)
        Each model's training loss before each step.

    Notes
    -----
    The models share no parameter, so the gradient of the summed loss is
    each model's own gradient; the update is lesson 3.8's `adam_step`.

    Examples
    --------
    >>> net = MLPEnsemble(2, n_in=3, n_out=2, width=4, n_blocks=1,
    ...                   residual=False)
    >>> X, y = np.eye(3)[[0, 1, 2, 0]], np.array([0, 1, 1, 0])
    >>> loss = train_ensemble(net, X, y, steps=50, lr=1e-2)
    >>> loss.shape, bool(np.all(loss[-1] < loss[0]))
    ((50, 2), True)
    """
    if not isinstance(model, MLPEnsemble):
        raise TypeError(f"model must be an MLPEnsemble, got {type(model).__name__}")
    X = torch.from_numpy(check_array(X, "X", ndim=2)).to(model.W_in.dtype)
    if X.shape[1] != model.W_in.shape[1]:
        raise ValueError(f"X must have {model.W_in.shape[1]} features, "
                         f"got shape {tuple(X.shape)}")
    y_arr = np.asarray(y)
    if y_arr.dtype.kind not in "iu" or y_arr.shape != (len(X),):
        raise ValueError(f"y must be {len(X)} integer labels, got {y_arr.dtype} "
                         f"of shape {y_arr.shape}")
    steps = check_int(steps, "steps", minimum=1)
    lr = check_float(lr, "lr", 0.0, strict=True)
    yt = torch.from_numpy(y_arr.astype(np.int64))
    params = list(model.parameters())
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    losses = np.empty((steps, len(model.W_in)))
    for t in range(1, steps + 1):
        scores = model(X)  # [n_models, batch, n_out]
        M, N, C = scores.shape
        loss = F.cross_entropy(scores.reshape(M * N, C), yt.repeat(M),
                               reduction="none").reshape(M, N).mean(dim=1)
        grads = torch.autograd.grad(loss.sum(), params)
        losses[t - 1] = loss.detach().numpy()
        with torch.no_grad():
            adam_step(params, grads, m, v, t, lr)
    if not np.all(np.isfinite(losses)):
        import warnings

        warnings.warn("training diverged: a loss is not finite",
                      RuntimeWarning, stacklevel=2)
    return losses
