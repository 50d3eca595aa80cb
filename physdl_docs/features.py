"""Hand-made features against learned representations on the digits.

Taught in lesson 4.1.

The "machine learning" pipeline of the 2000s: compute a fixed descriptor of
the image by hand -- here a miniature of Dalal & Triggs' histogram of
oriented gradients (HOG) -- and train a linear classifier on it. The "deep
learning" pipeline: feed the pixels to a network and let training shape the
features; its representation is the last hidden layer, the input of the final
linear map. Both classifiers are trained by the same seeded loop
(`physdl_docs.training.fit`) on the same split, so their accuracies and
learning curves can be compared. `vgg16_shapes` gives the size of every
representation of a large image network from its configuration alone.
"""

from __future__ import annotations

import functools

import numpy as np

from physdl_docs._optional import require_torch
from physdl_docs._validation import check_array, check_int

__all__ = [
    "cell_histograms",
    "hog",
    "image_gradients",
    "learning_curve",
    "nearest_centroid_accuracy",
    "pca",
    "penultimate",
    "train_pipeline",
    "vgg16_shapes",
]

#: The two pipelines compared on the page: name -> learning rate of Adam.
PIPELINES = {"hog": 0.05, "mlp": 0.02}
#: Minibatch size of both pipelines.
BATCH_SIZE = 128


def image_gradients(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Central differences along x (columns) and y (rows), zero outside.

    Parameters
    ----------
    images : ndarray of shape (n, H, W)

    Returns
    -------
    gx, gy : ndarray of shape (n, H, W)

    Notes
    -----
    gx[i, j] = I[i, j+1] - I[i, j-1],  gy[i, j] = I[i+1, j] - I[i-1, j]
    (the [-1, 0, 1] filter that Dalal & Triggs found best).

    Examples
    --------
    >>> gx, gy = image_gradients(np.array([[[0., 1., 2.]]]))
    >>> gx.tolist(), gy.tolist()
    ([[[1.0, 2.0, -1.0]]], [[[0.0, 0.0, 0.0]]])
    """
    images = _check_images(images)
    # p: [n, H + 2, W + 2], zero padded
    p = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    gx = p[:, 1:-1, 2:] - p[:, 1:-1, :-2]
    gy = p[:, 2:, 1:-1] - p[:, :-2, 1:-1]
    return gx, gy


def cell_histograms(images: np.ndarray, n_bins: int = 9,
                    cell: int = 2) -> np.ndarray:
    """Magnitude-weighted histograms of unsigned gradient orientation.

    Parameters
    ----------
    images : ndarray of shape (n, H, W)
        H and W must be multiples of ``cell``.
    n_bins : int, default=9
        Orientation bins over [0, pi); bin k is centred at (k + 1/2) pi / n_bins.
    cell : int, default=2
        Side of a square cell in pixels.

    Returns
    -------
    ndarray of shape (n, H // cell, W // cell, n_bins)

    Notes
    -----
    Each pixel votes its magnitude m = sqrt(gx^2 + gy^2), split linearly
    between the two bin centres nearest to theta = atan2(gy, gx) mod pi
    (the bins wrap around: 0 and pi are the same orientation).

    Examples
    --------
    >>> img = np.random.default_rng(0).random((1, 8, 8))
    >>> h = cell_histograms(img)                  # every pixel votes once
    >>> h.shape, bool(np.isclose(h.sum(), np.hypot(*image_gradients(img)).sum()))
    ((1, 4, 4, 9), True)
    """
    images = _check_images(images)
    n_bins = check_int(n_bins, "n_bins", 1)
    cell = check_int(cell, "cell", 1)
    n, H, W = images.shape
    if H % cell or W % cell:
        raise ValueError(f"cell={cell} must divide the image size {H}x{W}")
    gx, gy = image_gradients(images)
    m = np.hypot(gx, gy)
    # b: orientation in units of bins, measured from the centre of bin 0
    b = (np.arctan2(gy, gx) % np.pi) / np.pi * n_bins - 0.5
    lo = np.floor(b)
    frac = b - lo  # share of the upper neighbour
    lo = lo.astype(int) % n_bins
    bins = np.arange(n_bins)
    # votes: [n, H, W, n_bins]
    votes = (m * (1 - frac))[..., None] * (lo[..., None] == bins)
    votes += (m * frac)[..., None] * ((lo + 1)[..., None] % n_bins == bins)
    # sum each cell: [n, H/cell, cell, W/cell, cell, bins] -> [n, cy, cx, bins]
    return votes.reshape(n, H // cell, cell, W // cell, cell, n_bins).sum((2, 4))


def hog(images: np.ndarray, n_bins: int = 9, cell: int = 2, block: int = 2,
        eps: float = 1e-3) -> np.ndarray:
    """Histogram-of-oriented-gradients features, block-normalised.

    Parameters
    ----------
    images : ndarray of shape (n, H, W)
    n_bins, cell : see `cell_histograms`.
    block : int, default=2
        Blocks of ``block x block`` cells, moved one cell at a time.
    eps : float, default=1e-3
        Keeps empty blocks finite.

    Returns
    -------
    ndarray of float32, shape (n, n_blocks * block**2 * n_bins)
        For 8x8 digits with the defaults: 3 x 3 blocks x 4 cells x 9 bins
        = 324 features.

    Notes
    -----
    Each block's vector v is L2-normalised, v / sqrt(|v|^2 + eps^2), which
    makes the features insensitive to local contrast.

    References
    ----------
    `dalal2005`

    Examples
    --------
    >>> from physdl_docs.training import digits
    >>> X_train = digits()[0]
    >>> hog(X_train.reshape(-1, 8, 8)).shape
    (1200, 324)
    """
    block = check_int(block, "block", 1)
    H = cell_histograms(images, n_bins, cell)  # [n, cy, cx, bins]
    n, cy, cx, _ = H.shape
    if block > min(cy, cx):
        raise ValueError(f"block={block} is larger than the {cy}x{cx} cells")
    # v: [n, n_blocks, block * block * bins]
    v = np.stack([H[:, i:i + block, j:j + block].reshape(n, -1)
                  for i in range(cy - block + 1)
                  for j in range(cx - block + 1)], axis=1)
    v = v / np.sqrt((v ** 2).sum(-1, keepdims=True) + eps ** 2)
    return v.reshape(n, -1).astype(np.float32)


def penultimate(model, X: np.ndarray) -> np.ndarray:
    """The representation: the input of a Sequential model's last layer.

    Parameters
    ----------
    model : torch.nn.Sequential
    X : ndarray of shape (n, ...)

    Returns
    -------
    ndarray of shape (n, d), float32

    Examples
    --------
    >>> from physdl_docs.cnn import make_mlp
    >>> penultimate(make_mlp(hidden=64), np.zeros((3, 64), np.float32)).shape
    (3, 64)
    """
    torch = require_torch()

    if not isinstance(model, torch.nn.Sequential) or len(model) < 2:
        raise TypeError("model must be a torch.nn.Sequential of >= 2 layers")
    X = check_array(X, "X", dtype=np.float32)
    model.eval()
    with torch.no_grad():
        return model[:-1](torch.from_numpy(X)).numpy()


def train_pipeline(kind: str, n_train: int = 1200, seed: int = 0,
                   steps: int = 50):
    """Train one pipeline on ``n_train`` digits and test it.

    Parameters
    ----------
    kind : {"hog", "mlp"}
        ``"hog"``: a linear classifier on `hog` features. ``"mlp"``:
        `physdl_docs.cnn.make_mlp` with 64 hidden units on the 64 pixels.
    n_train : int, default=1200
        Training images, drawn (by ``seed``) from the 1,200 of
        `physdl_docs.training.digits`; the test set is always its 597.
    seed : int, default=0
        Seeds the subset, the initial weights and the minibatch order.
    steps : int, default=100
        About this many Adam steps (whole epochs of minibatches of
        `BATCH_SIZE`), the same for every ``n_train``.

    Returns
    -------
    model : torch.nn.Module
    accuracy : float
        On the 597 test images.

    Examples
    --------
    >>> model, acc = train_pipeline("hog", n_train=200, steps=20)
    >>> print(f"{acc:.1f}")
    0.9
    """
    from physdl_docs.cnn import make_mlp
    from physdl_docs.training import accuracy, fit

    if kind not in PIPELINES:
        raise ValueError(f"kind must be one of {sorted(PIPELINES)}, got {kind!r}")
    n_train = check_int(n_train, "n_train", 10)
    if n_train > 1200:
        raise ValueError(f"n_train must be <= 1200, got {n_train}")
    seed, steps = check_int(seed, "seed"), check_int(steps, "steps", 1)
    X_train, X_test, y_train, y_test = _digits_features(kind)
    idx = np.random.default_rng(seed).permutation(len(y_train))[:n_train]
    model = (make_mlp(seed=seed, hidden=64) if kind == "mlp"
             else _linear(X_train.shape[1], seed))
    per_epoch = -(-n_train // BATCH_SIZE)  # minibatches per epoch
    fit(model, X_train[idx], y_train[idx], epochs=max(1, round(steps / per_epoch)),
        lr=PIPELINES[kind], batch_size=BATCH_SIZE, seed=seed)
    return model, accuracy(model, X_test, y_test)


def learning_curve(kind: str, sizes=(50, 100, 200, 400, 800, 1200),
                   seeds=(0, 1, 2), steps: int = 50) -> np.ndarray:
    """Test accuracy of `train_pipeline` for each training-set size and seed.

    Returns
    -------
    ndarray of shape (len(sizes), len(seeds))

    Examples
    --------
    >>> learning_curve("hog", sizes=(50,), seeds=(0,), steps=10).shape
    (1, 1)
    """
    if len(sizes) == 0 or len(seeds) == 0:
        raise ValueError("sizes and seeds must not be empty")
    return np.array([[train_pipeline(kind, n, s, steps)[1] for s in seeds]
                     for n in sizes])


def pca(F: np.ndarray, k: int = 2, F_other: np.ndarray | None = None):
    """Project onto the ``k`` leading principal components of ``F``.

    Parameters
    ----------
    F : ndarray of shape (n, d)
        Data that defines the components (centred by its own mean).
    k : int, default=2
    F_other : ndarray of shape (m, d), optional
        Projected with the same mean and components.

    Returns
    -------
    Z : ndarray of shape (n, k), or ``(Z, Z_other)`` when ``F_other`` is given.

    Examples
    --------
    >>> F = np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 0.1]])
    >>> np.abs(pca(F, k=1)).round(2).ravel().tolist()
    [2.0, 0.0, 2.0]
    """
    F = check_array(F, "F", ndim=2)
    k = check_int(k, "k", 1)
    if k > min(F.shape):
        raise ValueError(f"k must be <= {min(F.shape)}, got {k}")
    mean = F.mean(0)
    # rows of Vt: principal directions, by decreasing variance
    Vt = np.linalg.svd(F - mean, full_matrices=False)[2][:k]
    Z = (F - mean) @ Vt.T
    if F_other is None:
        return Z
    F_other = check_array(F_other, "F_other", shape=(None, F.shape[1]))
    return Z, (F_other - mean) @ Vt.T


def nearest_centroid_accuracy(Z_train: np.ndarray, y_train: np.ndarray,
                              Z_test: np.ndarray, y_test: np.ndarray) -> float:
    """Accuracy of assigning each test point to the nearest class mean.

    A simple measure of how well a (2-D) map separates the classes.

    Examples
    --------
    >>> Z = np.array([[0.0], [1.0], [10.0], [11.0]]); y = np.array([0, 0, 1, 1])
    >>> nearest_centroid_accuracy(Z, y, np.array([[2.0], [8.0]]), np.array([0, 1]))
    1.0
    """
    Z_train = check_array(Z_train, "Z_train", ndim=2)
    Z_test = check_array(Z_test, "Z_test", shape=(None, Z_train.shape[1]))
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if y_train.shape != (len(Z_train),) or y_test.shape != (len(Z_test),):
        raise ValueError("y_train and y_test must have one label per row")
    classes = np.unique(y_train)
    # centroids: [n_classes, k]
    centroids = np.stack([Z_train[y_train == c].mean(0) for c in classes])
    d2 = ((Z_test[:, None, :] - centroids[None]) ** 2).sum(-1)
    return float(np.mean(classes[d2.argmin(1)] == y_test))


def vgg16_shapes(image_size: int = 224,
                 n_classes: int = 1000) -> list[tuple[str, tuple[int, ...]]]:
    """Output shape of every VGG16 layer, from its configuration alone.

    The configuration is `physdl_docs.cnn.VGG16` (3x3 convolutions with
    padding 1 keep the side; 2x2 max-pools halve it); the parameter counts
    are `physdl_docs.cnn.vgg_layers`.

    Returns
    -------
    list of (name, shape)
        ``("input", (3, 224, 224))``, the convolutions ``conv1_1`` ... in the
        paper's naming, ``pool1`` ... ``pool5`` and ``fc6``, ``fc7``, ``fc8``;
        shapes are (channels, height, width) or (width,).

    References
    ----------
    `simonyan2015`

    Examples
    --------
    >>> shapes = dict(vgg16_shapes())
    >>> shapes["pool5"], shapes["fc7"], shapes["fc8"]
    ((512, 7, 7), (4096,), (1000,))
    """
    from physdl_docs.cnn import VGG16, output_size

    side = check_int(image_size, "image_size", 32)
    n_classes = check_int(n_classes, "n_classes", 1)
    c, block, i = 3, 1, 0
    shapes: list[tuple[str, tuple[int, ...]]] = [("input", (c, side, side))]
    for v in VGG16:
        if v == "M":
            side = output_size(side, 2, stride=2)
            shapes.append((f"pool{block}", (c, side, side)))
            block, i = block + 1, 0
        else:
            c, i = v, i + 1
            shapes.append((f"conv{block}_{i}", (c, side, side)))
    return shapes + [("fc6", (4096,)), ("fc7", (4096,)), ("fc8", (n_classes,))]


def _linear(n_in: int, seed: int):
    torch = require_torch()

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.nn.Linear(n_in, 10)


@functools.cache
def _digits_features(kind: str):
    """The digits split of `physdl_docs.training`, as HOG features or pixels."""
    from physdl_docs.training import digits

    X_train, X_test, y_train, y_test = digits()
    if kind == "hog":
        X_train = hog(X_train.reshape(-1, 8, 8))
        X_test = hog(X_test.reshape(-1, 8, 8))
    return X_train, X_test, y_train, y_test


def _check_images(images: object) -> np.ndarray:
    a = check_array(images, "images", ndim=3)
    if a.size == 0:
        raise ValueError(f"images must not be empty, got shape {a.shape}")
    return a
