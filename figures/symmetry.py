"""Figures of lesson 1.9, symmetry (physdl_docs.symmetry)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.symmetry import conv2d, global_avg_pool, max_pool2d, translate


def _demo_image(size: int = 32) -> np.ndarray:
    """A smooth blob and a bar on a dark background: ``[size, size]``."""
    i, j = np.mgrid[:size, :size] / size
    blob = np.exp(-((i - 0.35) ** 2 + (j - 0.3) ** 2) / 0.01)
    bar = ((np.abs(i - 0.7) < 0.06) & (np.abs(j - 0.6) < 0.25)).astype(float)
    return blob + bar


@cache
def _shift():
    # an image, its shifted copy, and their vertical-edge feature maps
    x = _demo_image()[None]  # x: [C_in=1, H, W]
    w = np.array([[[[1.0, 0.0, -1.0]] * 3]])  # w: [1, 1, 3, 3]
    xs = translate(x, 5, 3)
    y, ys = (conv2d(v, w, padding=1, mode="circular")[0] for v in (x, xs))
    return x[0], xs[0], y, ys


def shift(st: Style):
    """An image, its shifted copy and their feature maps (vertical edges)."""
    x, xs, y, ys = _shift()
    titles = [st.t(en="input $x$", ko="입력 $x$"),
              st.t(en="shifted $T x$", ko="이동한 $T x$"),
              r"$\mathrm{conv}(x)$",
              r"$\mathrm{conv}(T x) = T\,\mathrm{conv}(x)$"]
    fig, axes = st.subplots(2, 2, height=4.9)
    for k, (ax, title, img) in enumerate(zip(axes.flat, titles,
                                             (x, xs, y, ys), strict=True)):
        if k >= 2:  # diverging map centred on 0
            m = np.abs(img).max()
            ax.imshow(img, cmap="RdBu_r", vmin=-m, vmax=m)
        else:
            ax.imshow(img, cmap="gray")
        ax.set_title(title)
        ax.set_axis_off()
    return fig


@cache
def _pooling():
    # relative change of pooled ReLU feature maps for shifts of 0..8 pixels
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 32, 32))
    w = rng.standard_normal((8, 3, 3, 3))
    f = np.maximum(conv2d(x, w, padding=1, mode="circular"), 0)  # ReLU map
    shifts = np.arange(9)
    inv, equi, gap = [], [], []
    for s in shifts:
        fs = np.maximum(conv2d(translate(x, 0, s), w, padding=1,
                               mode="circular"), 0)
        p, ps = max_pool2d(f), max_pool2d(fs)
        inv.append(np.linalg.norm(ps - p) / np.linalg.norm(p))
        # best alignment with any shift of the pooled map
        equi.append(min(np.linalg.norm(ps - translate(p, 0, t))
                        for t in range(p.shape[-1])) / np.linalg.norm(p))
        g = global_avg_pool(f)
        gap.append(np.linalg.norm(global_avg_pool(fs) - g) / np.linalg.norm(g))
    return shifts, inv, equi, gap


def pooling(st: Style):
    """Change of pooled outputs when the input shifts by 0..8 pixels."""
    shifts, inv, equi, gap = _pooling()
    fig, ax = st.subplots(height=3.4)
    ax.plot(shifts, inv, "o-", label=st.t(en="2×2 max-pool: change of output",
                                          ko="2×2 최대 풀링: 출력의 변화"))
    ax.plot(shifts, equi, "s-",
            label=st.t(en="2×2 max-pool: after best re-alignment",
                       ko="2×2 최대 풀링: 가장 잘 맞춘 뒤"))
    ax.plot(shifts, gap, "^-", label=st.t(en="global average pool",
                                          ko="전역 평균 풀링"))
    ax.set_xlabel(st.t(en="horizontal shift of the input (pixels)",
                       ko="입력의 가로 이동 (픽셀)"))
    ax.set_ylabel(st.t(en="relative change", ko="상대 변화"))
    ax.set_ylim(-0.05, None)
    ax.legend(frameon=False, loc="upper left")
    return fig


FIGURES = {
    "symmetry-shift": shift,
    "symmetry-pooling": pooling,
}
