"""Figures of lesson 1.5, infinite width (physdl_docs.infinite_width)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.infinite_width import (
    excess_kurtosis,
    nngp_kernel,
    relu_output_kurtosis,
    sample_preactivations,
)

_DEPTHS = (1, 3, 10)
_WIDTHS = (16, 32, 64)


def _circle(n: int) -> tuple[np.ndarray, np.ndarray]:
    # n inputs on the circle of radius sqrt(2), angle 0..pi from input 0
    theta = np.linspace(0.0, np.pi, n)
    return theta, np.sqrt(2.0) * np.stack([np.cos(theta), np.sin(theta)], 1)


@cache
def _kernel():
    # arc-cosine kernel vs 100 random ReLU nets of width 256, He init
    theta, X = _circle(13)
    fine_theta, fine_X = _circle(91)
    rng = np.random.default_rng(0)
    curves = []
    for depth in _DEPTHS:
        K = nngp_kernel(fine_X, depth)
        z = sample_preactivations(X, depth, 256, n_out=256, n_nets=100,
                                  rng=rng)[-1]
        # empirical covariance with input 0: mean over nets and output units
        cov = np.einsum("km,kim->i", z[:, 0], z) / (z.shape[0] * z.shape[2])
        curves.append((K[0] / K[0, 0], cov / cov[0]))
    return theta, fine_theta, curves


def kernel(st: Style):
    """Arc-cosine kernel vs the empirical correlation of random ReLU nets."""
    theta, fine_theta, curves = _kernel()
    fig, ax = st.subplots(height=3.4)
    for k, (depth, (exact, measured)) in enumerate(zip(_DEPTHS, curves,
                                                       strict=True)):
        ax.plot(fine_theta, exact, color=f"C{k}",
                label=st.t(en=f"kernel, L = {depth}", ko=f"커널, L = {depth}"))
        ax.plot(theta, measured, "o", color=f"C{k}", ms=4.5)
    ax.plot([], [], "o", color=st.fg, ms=4.5,
            label=st.t(en="100 random nets, n = 256",
                       ko="무작위 네트워크 100개, n = 256"))
    ax.set_xlabel(st.t(en=r"angle between inputs $\theta$ (rad)",
                       ko=r"두 입력 사이 각도 $\theta$ (rad)"))
    ax.set_ylabel(st.t(en="output correlation $K(x, x') / K(x, x)$",
                       ko="출력 상관 $K(x, x') / K(x, x)$"))
    ax.legend(loc="lower left")
    return fig


@cache
def _kurtosis():
    # exact excess kurtosis and Monte-Carlo estimates (4000 nets, 8 outputs)
    rng = np.random.default_rng(0)
    out = []
    for width in _WIDTHS:
        depths = np.arange(1, width // 4 + 1, max(1, width // 16))
        exact = [relu_output_kurtosis(L, width) for L in depths]
        kappa = [excess_kurtosis(sample_preactivations(
            [[1.0, 1.0]], L, width, n_out=8, n_nets=4000, rng=rng)[-1])
            for L in depths]
        out.append((depths / width, exact, kappa))
    return out


def kurtosis(st: Style):
    """Excess kurtosis of the output against depth / width."""
    fig, ax = st.subplots(height=3.4)
    ratio = np.linspace(0.0, 0.25, 100)
    ax.plot(ratio, 15 * ratio, "--", color=st.fg, lw=1, label="15 L / n")
    for k, (width, (x, exact, kappa)) in enumerate(zip(_WIDTHS, _kurtosis(),
                                                       strict=True)):
        ax.plot(x, exact, color=f"C{k}", lw=1.2)
        ax.plot(x, kappa, "o", color=f"C{k}", ms=4.5, label=f"n = {width}")
    ax.set_xlabel(st.t(en="depth / width  L / n", ko="깊이 / 너비  L / n"))
    ax.set_ylabel(st.t(en="excess kurtosis of the output",
                       ko="출력의 초과 첨도"))
    ax.set_title(st.t(en="lines: exact $3((1+5/n)^L - 1)$, dots: 4000 nets",
                      ko="선: 정확한 값 $3((1+5/n)^L - 1)$, 점: 네트워크 4000개"))
    ax.legend(loc="upper left")
    return fig


FIGURES = {
    "infinite_width-kernel": kernel,
    "infinite_width-kurtosis": kurtosis,
}
