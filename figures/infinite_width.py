"""Figures of lesson 1.5, infinite width (physdl_docs.infinite_width)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.infinite_width import (
    excess_kurtosis,
    kurtosis_error,
    nngp_kernel,
    ntk_regression,
    relu_output_kurtosis,
    sample_preactivations,
    toy_regression,
    train_lazy,
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
                       ko="무작위 신경망 100개, n = 256"))
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
        zs = [sample_preactivations([[1.0, 1.0]], L, width, n_out=8,
                                    n_nets=4000, rng=rng)[-1] for L in depths]
        kappa = [excess_kurtosis(z) for z in zs]
        err = [kurtosis_error(z) for z in zs]
        out.append((depths / width, exact, kappa, err))
    return out


def kurtosis(st: Style):
    """Excess kurtosis of the output against depth / width."""
    fig, ax = st.subplots(height=3.4)
    ratio = np.linspace(0.0, 0.25, 100)
    ax.plot(ratio, 15 * ratio, "--", color=st.fg, lw=1, label="15 L / n")
    for k, (width, (x, exact, kappa, err)) in enumerate(
            zip(_WIDTHS, _kurtosis(), strict=True)):
        ax.plot(x, exact, color=f"C{k}", lw=1.2)
        ax.errorbar(x, kappa, yerr=err, fmt="o", color=f"C{k}", ms=4.5,
                    label=f"n = {width}")
    ax.set_xlabel(st.t(en="depth / width  L / n", ko="깊이 / 너비  L / n"))
    ax.set_ylabel(st.t(en="excess kurtosis of the output",
                       ko="출력의 초과 첨도"))
    ax.set_title(st.t(en="lines: exact $3((1+5/n)^L - 1)$, dots: 4000 nets",
                      ko="선: 정확한 값 $3((1+5/n)^L - 1)$, 점: 신경망 4000개"))
    ax.legend(loc="upper left")
    return fig


@cache
def _ntk():
    # NTK kernel regression vs trained nets (f - f_0), 300 GD steps, 3 seeds
    X, y = toy_regression()
    x = np.linspace(-1.0, 1.0, 101)
    X_test = np.stack([x, np.ones_like(x)], axis=1)
    kernel = ntk_regression(X, y, X_test, n_steps=300)
    nets = {n: [train_lazy(n, rng=s, center=True, X_test=X_test).prediction
                for s in range(3)] for n in (64, 4096)}
    return X[:, 0], y, x, kernel, nets


def ntk(st: Style):
    """Trained networks of two widths against the NTK prediction."""
    x_train, y, x, kernel, nets = _ntk()
    fig, axes = st.subplots(1, 2, height=3.0, sharey=True)
    for ax, (width, preds) in zip(axes, nets.items(), strict=True):
        for k, p in enumerate(preds):
            ax.plot(x, p, color="C1", lw=1, alpha=0.8,
                    label=st.t(en="trained nets", ko="학습한 신경망")
                    if k == 0 else None)
        ax.plot(x, kernel, color=st.fg, lw=1.5, ls="--",
                label=st.t(en="NTK prediction", ko="NTK 예측"))
        ax.plot(x_train, y, "o", color="C0", ms=4,
                label=st.t(en="training data", ko="학습 데이터"))
        ax.set_title(f"n = {width}")
        ax.set_xlabel("x")
    axes[1].legend(loc="upper left")
    return fig


FIGURES = {
    "infinite_width-kernel": kernel,
    "infinite_width-kurtosis": kurtosis,
    "infinite_width-ntk": ntk,
}
