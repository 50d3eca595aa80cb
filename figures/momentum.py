"""Figures of lesson 3.3, momentum (physdl_docs.momentum)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.momentum import (
    gd_rate,
    heavy_ball,
    heavy_ball_rate,
    ill_conditioned_quadratic,
    nesterov_rate,
    optimal_gd_step,
    optimal_heavy_ball,
    quadratic,
)

_X0 = np.array([1.0, 0.1])
_KAPPA = 100.0


@cache
def _runs(n_steps: int) -> dict[str, np.ndarray]:
    # the three methods of the page, each with its best constant parameters
    A = ill_conditioned_quadratic(_KAPPA)
    lr_hb, beta_hb = optimal_heavy_ball(1.0, _KAPPA)
    return {
        "gd": heavy_ball(A, _X0, optimal_gd_step(1.0, _KAPPA), 0.0, n_steps),
        "hb": heavy_ball(A, _X0, lr_hb, beta_hb, n_steps),
        "nesterov": heavy_ball(A, _X0, 1.0 / _KAPPA, heavy_ball_rate(_KAPPA),
                               n_steps, nesterov=True),
    }


def _names(st: Style) -> dict[str, str]:
    return {"gd": st.t(en="gradient descent", ko="경사 하강법"),
            "hb": st.t(en="heavy ball", ko="헤비볼"),
            "nesterov": "Nesterov"}


def paths(st: Style):
    """Contours of f with the first steps of GD and of the heavy ball."""
    A = ill_conditioned_quadratic(_KAPPA)
    runs = _runs(60)
    u = np.linspace(-1.15, 1.15, 241)
    v = np.linspace(-0.42, 0.42, 241)
    U, V = np.meshgrid(u, v)
    F = quadratic(A, np.stack([U, V], axis=-1))
    fig, ax = st.subplots(height=3.4)
    ax.contour(U, V, F, levels=np.geomspace(1e-3, 8.0, 10), colors=st.faint,
               linewidths=0.8)
    names = _names(st)
    for k, key in enumerate(("gd", "hb")):
        xs = runs[key]
        ax.plot(xs[:, 0], xs[:, 1], "-o", ms=2.5, lw=0.9, color=f"C{k}",
                label=st.t(en=f"{names[key]} (60 steps)",
                           ko=f"{names[key]} (60걸음)"))
    ax.plot(*_X0, "s", color=st.fg, ms=5)
    ax.annotate(st.t(en="start", ko="출발"), _X0, xytext=(-20, 12),
                textcoords="offset points")
    ax.plot(0, 0, "*", color=st.fg, ms=9)
    ax.set_ylim(-0.42, 0.6)
    ax.set_xlabel(st.t(en=r"$x_1$ (flat direction, $\lambda = 1$)",
                       ko=r"$x_1$ (평평한 방향, $\lambda = 1$)"))
    ax.set_ylabel(st.t(en=r"$x_2$ (steep, $\lambda = 100$)",
                       ko=r"$x_2$ (가파른 방향, $\lambda = 100$)"))
    ax.legend(loc="upper left")
    return fig


def convergence(st: Style):
    """Error against step for GD, heavy ball and Nesterov, with theory."""
    n_steps = 600
    runs = _runs(n_steps)
    k = np.arange(n_steps + 1)
    rates = {"gd": gd_rate(_KAPPA), "hb": heavy_ball_rate(_KAPPA),
             "nesterov": nesterov_rate(_KAPPA)}
    names = _names(st)
    fig, ax = st.subplots()
    for c, (key, xs) in enumerate(runs.items()):
        e = np.linalg.norm(xs, axis=1) / np.linalg.norm(_X0)
        ax.semilogy(k, e, color=f"C{c}", label=names[key])
        ax.semilogy(k, rates[key] ** k, color=f"C{c}", ls=":", lw=1.2)
    ax.axhline(1e-5, color=st.muted, lw=0.8, ls="--")
    ax.text(n_steps - 5, 3e-6, st.t(en="tolerance $10^{-5}$",
                                    ko="허용 오차 $10^{-5}$"),
            ha="right", va="top")
    ax.set_ylim(1e-12, 3)
    ax.set_xlim(0, n_steps)
    ax.set_xlabel(st.t(en="step $k$", ko="걸음 $k$"))
    ax.set_ylabel(st.t(en=r"$\|x_k\| / \|x_0\|$ (dotted: $r^k$)",
                       ko=r"$\|x_k\| / \|x_0\|$ (점선: $r^k$)"))
    ax.legend(loc="upper right")
    return fig


FIGURES = {
    "momentum-paths": paths,
    "momentum-convergence": convergence,
}
