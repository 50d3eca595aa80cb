"""Figures of lesson 0.2, a neural network is a function (physdl_docs.functions)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.functions import transform_grid

_A = np.array([[1.0, 0.5], [0.25, 1.0]])
_T = np.array([0.5, -0.3])


@cache
def _grids():
    # a 41 x 41 grid of [-1, 1]^2 under the identity and the three maps
    maps = {
        "before": lambda p: p,
        "linear": lambda p: _A @ p,
        "affine": lambda p: _A @ p + _T,
        "nonlinear": lambda p: np.tanh(1.5 * _A @ p),
    }
    return {k: (transform_grid(f, lim=1.0, n=41),  # [41, 41, 2]
                np.asarray(f(np.zeros(2)))) for k, f in maps.items()}


def grid(st: Style):
    """A grid under a linear, an affine and a nonlinear map."""
    titles = {
        "before": st.t(en="before the map: $x$", ko="사상 전: $x$"),
        "linear": st.t(en="linear: $A x$", ko="선형: $A x$"),
        "affine": st.t(en="affine: $A x + t$", ko="아핀: $A x + t$"),
        "nonlinear": st.t(en=r"nonlinear: $\tanh(1.5 A x)$",
                          ko=r"비선형: $\tanh(1.5 A x)$"),
    }
    fig, axes = st.subplots(2, 2, height=5.0, sharex=True, sharey=True)
    for ax, (key, (fine, origin)) in zip(axes.flat, _grids().items(),
                                         strict=True):
        for c in np.linspace(-1.0, 1.0, 9):  # the grid before the map
            ax.plot([c, c], [-1, 1], color=st.faint, lw=0.8)
            ax.plot([-1, 1], [c, c], color=st.faint, lw=0.8)
        for i in range(0, 41, 5):
            ax.plot(*fine[i, :].T, color="C0", lw=1.2)  # images of y = const
            ax.plot(*fine[:, i].T, color="C1", lw=1.2)  # images of x = const
        ax.plot(*origin, "o", color=st.fg, ms=5)
        ax.plot(0, 0, "+", color=st.muted, ms=12, mew=1.5)
        ax.set_title(titles[key])
        ax.set_aspect("equal")
        ax.set_xlim(-2.1, 2.1)
        ax.set_ylim(-2.1, 2.1)
        ax.set_xticks([-1, 0, 1])
        ax.set_yticks([-1, 0, 1])
    for ax in axes[1]:
        ax.set_xlabel("$y_1$")
    for ax in axes[:, 0]:
        ax.set_ylabel("$y_2$")
    return fig


FIGURES = {"functions-grid": grid}
