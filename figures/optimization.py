"""Figures of lesson 3.1, loss and optimisers (physdl_docs.optimization)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.functions import separable_data
from physdl_docs.optimization import (
    gradient_descent,
    logistic_objective_grad,
    newton,
    one_plus_one_es,
    problems,
)


@cache
def _line():
    # the page's classifier (300 GD steps on the objective) and its line
    X, y, _, _ = separable_data(200, margin=0.0, rng=0)
    theta = np.zeros(3)
    for _ in range(300):
        theta = theta - logistic_objective_grad(theta, X, y, 0.01)
    d = np.array([1.0, -2.0, 0.5])
    ts = np.linspace(-1.0, 1.0, 4001)
    thetas = theta + ts[:, None] * d  # [n_t, 3]
    margins = y * (thetas[:, :2] @ X.T + thetas[:, 2:])  # [n_t, 200]
    acc = np.mean(margins > 0, axis=1)
    loss = np.mean(np.logaddexp(0.0, -margins), axis=1)
    return ts, acc, loss


def accuracy(st: Style):
    """Accuracy (a staircase) and loss (smooth) along one line."""
    ts, acc, loss = _line()
    fig, (ax1, ax2) = st.subplots(1, 2, sharex=True)
    ax1.plot(ts, acc, color="C0", lw=1.2, drawstyle="steps-post")
    ax1.set_ylabel(st.t(en="accuracy", ko="정확도"))
    ax2.plot(ts, loss, color="C1")
    ax2.set_ylabel(st.t(en="logistic loss", ko="로지스틱 손실"))
    for ax in (ax1, ax2):
        ax.set_xlabel(r"$t$ ($\theta + t\,\mathbf{d}$)")
        ax.axvline(0.0, color=st.faint, lw=0.8)
    return fig


@cache
def _paths():
    P = problems()
    out = {}
    for key in ("rosenbrock", "double well"):
        p = P[key]
        out[key] = {
            "gd": gradient_descent(p).path,
            "es": one_plus_one_es(p, max_evals=10**5, rng=0).path,
            "newton": newton(p).path,
        }
    return out


def _contours(ax, st, f, xlim, ylim, levels):
    u = np.linspace(*xlim, 301)
    v = np.linspace(*ylim, 301)
    U, V = np.meshgrid(u, v)
    F = np.vectorize(lambda a, b: f(np.array([a, b])))(U, V)
    ax.contour(U, V, F, levels=levels, colors=st.faint, linewidths=0.7)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)


def paths(st: Style):
    """Paths of GD, (1+1)-ES and Newton on Rosenbrock and the double well."""
    P, runs = problems(), _paths()
    names = {"gd": st.t(en="GD", ko="경사 하강법"),
             "es": st.t(en="(1+1)-ES", ko="(1+1) 진화 전략"),
             "newton": st.t(en="Newton", ko="뉴턴")}
    fig, (ax1, ax2) = st.subplots(1, 2, height=3.3)
    _contours(ax1, st, P["rosenbrock"].f, (-1.6, 1.6), (-3.5, 2.2),
              np.geomspace(0.05, 2000, 10))
    _contours(ax2, st, P["double well"].f, (-1.5, 1.5), (-1.2, 1.2),
              np.linspace(-0.2, 1.2, 8))
    for ax, key in ((ax1, "rosenbrock"), (ax2, "double well")):
        for c, (m, xs) in enumerate(runs[key].items()):
            marker = "o" if m == "newton" else None
            ax.plot(xs[:, 0], xs[:, 1], color=f"C{c}", lw=1.2,
                    marker=marker, ms=3.5, label=names[m])
        ax.plot(*P[key].x0, "s", color=st.fg, ms=4)
        ax.set_xlabel("$x$")
    ax1.plot(1, 1, "*", color=st.fg, ms=8)
    ax2.plot([-1, 1], [0, 0], "*", color=st.fg, ms=8, ls="none")
    ax2.plot(0, 0, "x", color=st.fg, ms=7)
    ax2.annotate(st.t(en="saddle", ko="안장점"), (0, 0), xytext=(0, -22),
                 textcoords="offset points", ha="center")
    ax1.set_ylabel("$y$")
    ax1.set_title(st.t(en="Rosenbrock", ko="로젠브록"))
    ax2.set_title(st.t(en="double well", ko="이중 우물"))
    fig.legend(*ax1.get_legend_handles_labels(), loc="outside upper center",
               ncols=3)
    return fig


FIGURES = {
    "optimization-accuracy": accuracy,
    "optimization-paths": paths,
}
