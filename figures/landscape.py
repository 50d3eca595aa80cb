"""Figures of lesson 3.4, loss-landscape pathologies (physdl_docs.landscape)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.landscape import cliff, cliff_grad, descend, stationary_points


@cache
def _stationary():
    x = np.linspace(-2, 2, 20)
    sp = stationary_points(x, np.sin(2 * x), hidden=3, n_starts=100,
                           weight_decay=1e-3, rng=0)
    # one point per (rounded loss, index): copies under symmetries coincide
    pts = sorted(set(zip(np.round(sp["loss"], 4), sp["index"])))
    return np.array([p[0] for p in pts]), np.array([p[1] for p in pts])


def index(st: Style):
    """Loss against Morse index of the stationary points of the tanh net."""
    loss, idx = _stationary()
    fig, ax = st.subplots()
    minima = idx == 0
    ax.plot(idx[minima], loss[minima], "*", color="C2", ms=12,
            label=st.t(en="minimum", ko="최솟값"))
    ax.plot(idx[~minima], loss[~minima], "o", color="C3", ms=7,
            label=st.t(en="saddles", ko="안장점"))
    ax.set_xticks(range(int(idx.max()) + 1))
    ax.set_xlabel(st.t(en="Morse index (downhill directions)",
                       ko="모스 지표 (내리막 방향의 수)"))
    ax.set_ylabel(st.t(en="loss at the stationary point",
                       ko="정류점의 손실"))
    ax.legend(loc="upper left")
    return fig


@cache
def _cliff():
    runs = {c: descend(cliff_grad, np.array([-2.0]), 0.3, 100,
                       max_norm=c)[:, 0] for c in (None, 1.0)}
    return runs


def cliff_figure(st: Style):
    """The cliff and the first GD steps with and without clipping."""
    runs = _cliff()
    t = np.linspace(-6.5, 3.0, 800)
    fig, (ax1, ax2) = st.subplots(1, 2, sharey=True)
    for ax, (c, path), title in zip(
            (ax1, ax2), runs.items(),
            (st.t(en="no clipping", ko="클리핑 없음"),
             st.t(en="clipped at c = 1", ko="c = 1로 클리핑"))):
        ax.plot(t, cliff(t), color=st.muted, lw=1.2)
        first = path[:12]
        ax.plot(first, cliff(first), "-o", color="C0" if c is None else "C2",
                ms=3.5, lw=0.8)
        ax.plot(path[0], cliff(path[:1])[0], "s", color=st.fg, ms=5)
        ax.set_title(title)
        ax.set_xlabel(r"$\theta$")
    ax1.set_ylabel(st.t(en="loss (first 12 steps)", ko="손실 (처음 12걸음)"))
    ax1.set_ylim(0, 45)
    return fig


FIGURES = {
    "landscape-index": index,
    "landscape-cliff": cliff_figure,
}
