"""Figures of lesson 2.1, from perceptron to MLP (physdl_docs.perceptron)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.backprop import XOR_X, XOR_Y
from physdl_docs.perceptron import (
    fit_many,
    random_feature_fit,
    relu_interpolant,
    sigmoid_staircase,
    solved,
    sup_error,
)

WIDTHS = (2, 3, 4, 8)


@cache
def _xor():
    # 100 seeds per hidden width, 2000 full-batch steps at lr 0.5 (as the page)
    runs = {w: fit_many([2, w, 1], XOR_X, XOR_Y, seeds=range(100)) for w in WIDTHS}
    rates = np.array([solved(runs[w][0], XOR_Y).mean() for w in WIDTHS])
    out, E = runs[2]
    return E, solved(out, XOR_Y), rates


def xor(st: Style):
    """Error curves of 100 two-unit networks; success rate against width."""
    E, ok, rates = _xor()
    fig, (ax1, ax2) = st.subplots(1, 2)
    steps = np.arange(1, E.shape[0] + 1)
    for k in range(E.shape[1]):
        ax1.loglog(steps, E[:, k], color="C0" if ok[k] else "C1", lw=0.6,
                   alpha=0.5, rasterized=True)
    ax1.plot([], [], color="C0", label=st.t(en="solved", ko="성공"))
    ax1.plot([], [], color="C1", label=st.t(en="failed", ko="실패"))
    ax1.axhline(0.25, color=st.muted, ls="--", lw=1)
    ax1.set_xlabel(st.t(en="step", ko="스텝"))
    ax1.set_ylabel(st.t(en="error $E$", ko="오차 $E$"))
    ax1.set_title(st.t(en="2 hidden units", ko="은닉 유닛 2개"))
    ax1.legend(loc="lower left")
    se = np.sqrt(rates * (1 - rates) / 100)
    ax2.errorbar(WIDTHS, rates, yerr=se, fmt="o-", color="C0", capsize=3)
    ax2.set_xscale("log", base=2)
    ax2.set_xticks(WIDTHS, [str(w) for w in WIDTHS])
    ax2.set_ylim(0.5, 1.03)
    ax2.set_xlabel(st.t(en="hidden units", ko="은닉 유닛 수"))
    ax2.set_ylabel(st.t(en="solved, of 100 seeds", ko="성공 비율 (시드 100개)"))
    return fig


def _f(x):
    return np.sin(5 * x)


@cache
def _uat():
    widths = np.array([1, 2, 4, 8, 16, 32, 64, 128])
    relu = [sup_error(relu_interpolant(_f, n), _f) for n in widths]
    sig = [sup_error(sigmoid_staircase(_f, n), _f) for n in widths]
    square = [sup_error(random_feature_fit(_f, n, "square", rng=0), _f) for n in widths]
    x = np.linspace(-1.5, 2.0, 701)
    fits = {n: relu_interpolant(_f, n)(x) for n in (4, 16)}
    return widths, relu, sig, square, x, fits


def uat(st: Style):
    """ReLU constructions inside and outside K; sup error against width."""
    widths, relu, sig, square, x, fits = _uat()
    fig, (ax1, ax2) = st.subplots(2, 1, height=5.4)
    ax1.axvspan(-1, 1, color=st.faint, alpha=0.5, lw=0)
    ax1.plot(x, _f(x), color=st.fg, lw=1.2, label=r"$\sin 5x$")
    for k, (n, g) in enumerate(fits.items()):
        ax1.plot(x, g, color=f"C{k}", lw=1.4, ls="--" if k == 0 else "-",
                 label=st.t(en=f"ReLU, width {n}", ko=f"ReLU, 너비 {n}"))
    ax1.text(0, -2.3, "$K = [-1, 1]$", ha="center")
    ax1.set_ylim(-2.6, 1.6)
    ax1.set_xlabel("$x$")
    ax1.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3,
               columnspacing=0.8, handlelength=1.5)
    h = 2.0 / widths
    ax2.loglog(widths, h**2 / 8 * 25, color=st.muted, ls=":", lw=1.2,
               label="$h^2 \\max|f''|/8$")
    ax2.loglog(widths, relu, "o-", color="C0", ms=4, label="ReLU")
    ax2.loglog(widths, sig, "s-", color="C1", ms=4,
               label=st.t(en="sigmoid", ko="시그모이드"))
    ax2.loglog(widths, square, "^-", color="C3", ms=4, label="$t^2$")
    ax2.set_ylim(1e-4, 20)
    ax2.set_xticks([1, 2, 4, 8, 16, 32, 64, 128],
                   ["1", "2", "4", "8", "16", "32", "64", "128"])
    ax2.set_xlabel(st.t(en="width $n$", ko="너비 $n$"))
    ax2.set_ylabel(st.t(en="max error on $K$", ko="$K$ 위 최대 오차"))
    ax2.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


FIGURES = {"perceptron-xor": xor, "perceptron-uat": uat}
