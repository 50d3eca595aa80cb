"""Figures of lesson 1.3, Boltzmann machines and RBMs (physdl_docs.rbm)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.rbm import RBM, binarized_digits

_STEPS = (0, 1, 10, 100, 1000)


def _tile(images: np.ndarray, n_cols: int, side: int = 8) -> np.ndarray:
    """Tile images of shape (n, side*side) into one array with 1-pixel gaps."""
    n_rows = -(-len(images) // n_cols)
    out = np.full((n_rows * (side + 1) - 1, n_cols * (side + 1) - 1), np.nan)
    for k, img in enumerate(images):
        r, c = divmod(k, n_cols)
        out[r * (side + 1):r * (side + 1) + side,
            c * (side + 1):c * (side + 1) + side] = img.reshape(side, side)
    return out


@cache
def _filters():
    # weights of 64 hidden units after 30 epochs of CD-1 on binarised digits
    X, _ = binarized_digits()
    rbm = RBM(n_components=64, learning_rate=0.05, n_iter=30,
              random_state=0).fit(X)
    # each filter scaled to [-1, 1] by its largest |weight|
    return rbm.components_ / np.abs(rbm.components_).max(axis=1, keepdims=True)


def filters(st: Style):
    """Weights of 64 hidden units after CD-1 training on binarised digits."""
    fig, ax = st.subplots(height=4.6)
    image = ax.imshow(_tile(_filters(), 8), cmap="RdBu_r", vmin=-1, vmax=1)
    fig.colorbar(image, ax=ax, shrink=0.7, ticks=[-1, 0, 1],
                 label=st.t(en="weight / its max |W|",
                            ko="가중치 / 그 유닛의 최대 |W|"))
    ax.set_title(st.t(en="64 hidden units (CD-1)\nred: W > 0, blue: W < 0",
                      ko="은닉 유닛 64개 (CD-1)\n빨강: W > 0, 파랑: W < 0"))
    ax.set_axis_off()
    return fig


@cache
def _chains():
    # Gibbs chains from noise for RBMs (100 hidden) trained by CD-1 and PCD
    X, _ = binarized_digits()
    out = []
    for persistent in (False, True):
        rbm = RBM(n_components=100, learning_rate=0.05, n_iter=30,
                  persistent=persistent, random_state=0).fit(X)
        v = (np.random.default_rng(1).random((6, 64)) < 0.5) * 1.0
        frames, done = [], 0
        for n in _STEPS:
            for _ in range(n - done):
                v = rbm.gibbs(v)
            done = n
            frames.append(v.copy())
        # rows: chains, columns: Gibbs steps
        out.append(np.stack(frames, axis=1).reshape(-1, 64))
    return out


def samples(st: Style):
    """Gibbs chains started from noise, for CD-1 and PCD trained RBMs."""
    fig, axes = st.subplots(1, 2, height=3.6)
    for ax, grid, name in zip(axes, _chains(), ("CD-1", "PCD"), strict=True):
        ax.imshow(_tile(grid, len(_STEPS)), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(name)
        ax.set_xticks([k * 9 + 3.5 for k in range(len(_STEPS))],
                      [str(s) if s < 1000 else "$10^3$" for s in _STEPS])
        ax.tick_params(length=0)
        ax.set_xlabel(st.t(en="Gibbs steps", ko="깁스 단계"))
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(False)
    fig.suptitle(st.t(en="six chains started from noise",
                      ko="잡음에서 출발한 연쇄 여섯 개"))
    return fig


FIGURES = {
    "rbm-filters": filters,
    "rbm-samples": samples,
}
