"""Figures of lesson 3.2, gradient descent and SGD (physdl_docs.sgd)."""

import warnings
from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.sgd import (
    batch_gradient_variance,
    batch_gradient_variance_theory,
    imbalance,
    mse,
    per_sample_gradients,
    predicted_imbalance,
    regression_data,
    scalar_net_sgd,
    sgd,
)


@cache
def _problem():
    X, y = regression_data(rng=0)
    lam = np.linalg.eigvalsh(X.T @ X / len(y))
    theta_hat = np.linalg.lstsq(X, y, rcond=None)[0]
    return X, y, lam, theta_hat, mse(theta_hat, X, y)


def stability(st: Style):
    """Excess loss of GD 1% below and 1% above lr = 2 / lambda_max."""
    X, y, lam, _, f_min = _problem()
    fig, ax = st.subplots()
    for c, (factor, en, ko) in enumerate(((0.99, "below", "아래"),
                                          (1.01, "above", "위"))):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            thetas = sgd(X, y, factor * 2 / lam[-1], len(y), 500)
        ex = [mse(t, X, y) - f_min for t in thetas]
        ax.semilogy(ex, color=f"C{c}",
                    label=st.t(en=f"{factor} × 2/λmax (1% {en})",
                               ko=f"{factor} × 2/λmax (1% {ko})"))
    ax.set_xlabel(st.t(en="step", ko="걸음"))
    ax.set_ylabel(r"$f - f_\min$")
    ax.set_ylim(1e-9, 1e10)
    ax.legend(loc="upper left")
    return fig


@cache
def _noise():
    X, y, _, theta_hat, _ = _problem()
    G = per_sample_gradients(theta_hat, X, y)
    Bs = 2 ** np.arange(8)
    rng = np.random.default_rng(0)
    v = np.array([batch_gradient_variance(G, B, 2000, rng=rng) for B in Bs])
    Bc = np.geomspace(1, 256, 200)
    tr = batch_gradient_variance_theory(G, 1, replace=True)  # tr Sigma
    return Bs, v, Bc, tr, len(y)


def noise(st: Style):
    """Minibatch gradient variance against B: measured, exact, 1/B."""
    Bs, v, Bc, tr, N = _noise()
    fig, ax = st.subplots()
    ax.loglog(Bc, tr / Bc, color=st.muted, ls="--",
              label=st.t(en="tr Σ / B (with replacement)",
                         ko="tr Σ / B (복원 추출)"))
    exact = tr / Bc[Bc < N] * (N - Bc[Bc < N]) / (N - 1)
    ax.loglog(Bc[Bc < N], exact, color="C0",
              label=st.t(en="× (N − B)/(N − 1) (without)",
                         ko="× (N − B)/(N − 1) (비복원 추출)"))
    ax.loglog(Bs, v, "o", color="C1",
              label=st.t(en="measured (2,000 batches)",
                         ko="측정 (배치 2,000개)"))
    ax.set_xlabel(st.t(en="batch size B", ko="배치 크기 B"))
    ax.set_ylabel(st.t(en="gradient variance", ko="기울기 분산"))
    ax.legend(loc="lower left")
    return fig


@cache
def _drift():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(32)
    y = x + 0.5 * rng.standard_normal(32)
    c = x @ y / (x @ x)
    a0, b0 = 2.0, c / 2.0
    s0 = float(imbalance(a0, b0))
    s_gd = imbalance(*scalar_net_sgd(x, y, a0, b0, 0.01, 32, 400))[:, 0]
    s_sg = imbalance(*scalar_net_sgd(x, y, a0, b0, 0.01, 1, 400, n_runs=20,
                                     rng=1))
    pred = predicted_imbalance(x, y, s0, 0.01, 1, 400)
    return s_gd, s_sg, pred


def drift(st: Style):
    """Position s along the valley ab = c against epoch: GD, SGD, theory."""
    s_gd, s_sg, pred = _drift()
    epochs = np.arange(len(s_gd))
    fig, ax = st.subplots()
    # 20 runs x 401 epochs of thin lines: rasterized keeps the SVG < 200 KB
    ax.plot(epochs, s_sg, color="C1", lw=0.5, alpha=0.35, rasterized=True)
    ax.plot(epochs, s_sg.mean(axis=1), color="C1", lw=2.0,
            label=st.t(en="SGD, B = 1 (20 runs and mean)",
                       ko="SGD, B = 1 (20회와 평균)"))
    ax.plot(epochs, pred, color=st.fg, ls="--", lw=1.2,
            label=st.t(en="modified-loss prediction", ko="수정된 손실의 예측"))
    ax.plot(epochs, s_gd, color="C0", lw=2.0,
            label=st.t(en="gradient descent", ko="경사 하강법"))
    ax.set_xlabel(st.t(en="epoch", ko="에폭"))
    ax.set_ylabel(st.t(en="s = ½ ln(a/b) (0: balanced)",
                       ko="s = ½ ln(a/b) (0: 균형점)"))
    ax.legend(loc="lower left")
    return fig


FIGURES = {
    "sgd-stability": stability,
    "sgd-noise": noise,
    "sgd-drift": drift,
}
