"""Figures of lesson 3.5, activation functions (physdl_docs.activations)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.activations import (
    gelu,
    gelu_approximation_error,
    gelu_grad,
    gelu_minimum,
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    silu,
    silu_grad,
)


@cache
def _curves():
    # the four activations and their derivatives on [-4, 3]
    x = np.linspace(-4.0, 3.0, 701)
    return x, [(relu(x), relu_grad(x)),
               (leaky_relu(x, 0.1), leaky_relu_grad(x, 0.1)),
               (gelu(x), gelu_grad(x)), (silu(x), silu_grad(x))]


def curves(st: Style):
    """The activations and their derivatives, side by side."""
    x, values = _curves()
    names = ["ReLU", st.t(en="leaky ReLU (a = 0.1)", ko="leaky ReLU (a = 0.1)"),
             r"GELU $x\Phi(x)$", r"SiLU $x\sigma(x)$"]
    fig, (ax_f, ax_d) = st.subplots(1, 2, height=3.6)
    for k, (name, (f, df)) in enumerate(zip(names, values, strict=True)):
        style = {"color": f"C{k}", "lw": 1.6, "ls": "--" if k == 1 else "-"}
        ax_f.plot(x, f, label=name, **style)
        ax_d.plot(x, df, **style)
    x_min, g_min = gelu_minimum()
    ax_f.plot([x_min], [g_min], "o", color="C2", ms=5)
    ax_f.annotate(f"({x_min:.3f}, {g_min:.3f})".replace("-", "−"),
                  (x_min, g_min), xytext=(-3.9, 1.3), ha="left",
                  arrowprops={"arrowstyle": "->", "color": st.muted})
    ax_f.set_ylim(-0.9, 3.0)
    ax_f.set_title(st.t(en="activation $f(x)$", ko="활성화 $f(x)$"))
    ax_d.set_title(st.t(en="derivative $f'(x)$", ko="도함수 $f'(x)$"))
    ax_d.set_ylim(-0.2, 1.2)
    for ax in (ax_f, ax_d):
        ax.axhline(0, color=st.faint, lw=0.8)
        ax.axvline(0, color=st.faint, lw=0.8)
        ax.set_xlabel("$x$")
        ax.set_xticks([-4, -2, 0, 2])
    fig.legend(*ax_f.get_legend_handles_labels(), loc="outside lower center",
               ncols=2, frameon=False)
    return fig


@cache
def _gelu_error():
    # |approximation - exact| on [-6, 6] and the largest error on [-10, 10]
    x = np.linspace(-6.0, 6.0, 1201)
    out = []
    for approximate in ("tanh", "sigmoid"):
        err = np.abs(gelu(x, approximate) - gelu(x))
        out.append((approximate, np.maximum(err, 1e-12),
                    gelu_approximation_error(approximate)))
    return x, out


def gelu_error(st: Style):
    """Error of the tanh and sigmoid approximations to the exact GELU."""
    x, errors = _gelu_error()
    fig, ax = st.subplots(height=3.3)
    for k, (approximate, err, (e_max, x_at)) in enumerate(errors):
        ax.semilogy(x, err, color=f"C{k}",
                    label=f"approximate = {approximate!r}")
        ax.plot([x_at, -x_at], [e_max, e_max], "o", color=f"C{k}", ms=5)
        ax.annotate(f"{e_max:.1e}".replace("-", "−"), (-x_at, e_max),
                    xytext=(6, 4), textcoords="offset points")
    ax.set_ylim(1e-8, 0.3)
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$|\tilde g(x) - x\Phi(x)|$")
    ax.legend(loc="lower center", ncols=2, frameon=False,
              bbox_to_anchor=(0.5, 1.0))
    return fig


FIGURES = {
    "activations-curves": curves,
    "activations-gelu-error": gelu_error,
}
