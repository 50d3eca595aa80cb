"""Figures of lesson 3.8, inductive bias (physdl_docs.inductive_bias)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.inductive_bias import (
    CoordinateMLP,
    fit_adam,
    frequency_residuals,
    sum_of_sines,
)

# the page's experiments, with the page's settings and seeds
_FREQS = [1, 2, 4, 8]


@cache
def _extrapolation():
    x = np.linspace(-1, 1, 64)[:, None]
    grid = np.linspace(-3, 3, 241)
    curves = []
    for seed in range(4):
        net = CoordinateMLP([1, 32, 32, 1], "relu", rng=seed)
        fit_adam(net, x, x**2, steps=300, lr=1e-2)
        curves.append(net.predict(grid[:, None])[:, 0])
    return x[:, 0], grid, np.array(curves)


@cache
def _chirp_fits():
    xs = np.linspace(-1, 1, 256, endpoint=False)
    y = np.sin(20 * np.pi * xs**2)
    fine = np.linspace(-1, 1, 2048, endpoint=False)
    fits = {}
    for key, act, init, lr in (("siren", "sine", "siren", 1e-4),
                               ("relu", "relu", "he", 1e-2),
                               ("default", "sine", "default", 1e-4)):
        net = CoordinateMLP([1, 32, 32, 32, 1], act, init=init, rng=0)
        fit_adam(net, xs[::2, None], y[::2, None], steps=300, lr=lr)
        fits[key] = net.predict(fine[:, None])[:, 0]
    return xs, y, fine, fits


@cache
def _spectral():
    xg = np.linspace(-1, 1, 128, endpoint=False)
    yg = sum_of_sines(xg, _FREQS, rng=0)
    res = []
    for seed in range(3):
        net = CoordinateMLP([1, 32, 32, 32, 1], "relu", rng=seed)
        h = fit_adam(net, xg[:, None], yg[:, None], steps=600, lr=3e-3,
                     record_every=10)
        res.append(frequency_residuals(h.outputs, yg, _FREQS))
    return h.steps, np.mean(res, axis=0)


def extrapolation(st: Style):
    """Four ReLU fits of x^2 on [-1, 1], drawn on [-3, 3]."""
    x, grid, curves = _extrapolation()
    fig, ax = st.subplots()
    ax.axvspan(-1, 1, color=st.faint, alpha=0.5, lw=0)
    ax.plot(grid, grid**2, color=st.muted, lw=3,
            label=st.t(en="target $x^2$", ko="목표 $x^2$"))
    for k, f in enumerate(curves):
        ax.plot(grid, f, color="C0", lw=1.3,
                label=st.t(en="ReLU networks (4 seeds)",
                           ko="ReLU 신경망 (시드 4개)") if k == 0 else None)
    ax.plot(x[::3], x[::3] ** 2, "o", color=st.fg, ms=3,
            label=st.t(en="training data", ko="훈련 데이터"))
    ax.set_ylim(-0.5, 9.5)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    ax.legend(loc="upper center")
    return fig


def siren(st: Style):
    """The chirp and three networks of the same size after 300 steps."""
    xs, y, fine, fits = _chirp_fits()
    names = {
        "siren": "SIREN",
        "relu": "ReLU",
        "default": st.t(en="sine, default init", ko="사인, 기본 초기화"),
    }
    fig, axes = st.subplots(3, 1, sharex=True, height=5.4)
    target = np.sin(20 * np.pi * fine**2)
    for k, (ax, key) in enumerate(zip(axes, names)):
        ax.plot(fine, target, color=st.muted, lw=2.5)
        ax.plot(fine, fits[key], color=f"C{k}", lw=1.0)
        ax.plot(xs[::2], y[::2], "o", color=st.fg, ms=1.5)
        ax.set_ylim(-2.2, 2.2)
        ax.set_xlim(-1, 1)
        ax.set_title(names[key], loc="left")
    axes[-1].set_xlabel("$x$")
    return fig


def spectral(st: Style):
    """Fraction of each frequency not yet learned, against the step."""
    steps, res = _spectral()
    fig, ax = st.subplots()
    for j, k in enumerate(_FREQS):
        ax.semilogy(steps, res[:, j], color=f"C{j}", label=f"$k = {k}$")
    ax.axhline(0.5, color=st.muted, lw=0.8, ls="--")
    ax.set_ylim(5e-3, 1.5)
    ax.set_xlim(0, steps[-1])
    ax.set_xlabel(st.t(en="training step", ko="훈련 걸음"))
    ax.set_ylabel(st.t(en="fraction of frequency $k$ missing",
                       ko="주파수 $k$의 남은 비율"))
    ax.legend(loc="lower left")
    return fig


FIGURES = {
    "inductive_bias-extrapolation": extrapolation,
    "inductive_bias-siren": siren,
    "inductive_bias-spectral": spectral,
}
