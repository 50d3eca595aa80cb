"""Figures of lesson 3.9, from fully connected to convolution
(physdl_docs.architectures)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.architectures import (
    MLPEnsemble,
    conv1d_matrix,
    local_matrix,
    train_ensemble,
)
from physdl_docs.training import digits


@cache
def _matrices():
    rng = np.random.default_rng(0)
    n, k = 16, 3
    local = local_matrix(rng.standard_normal((n, k)), n, padding=1)
    conv = conv1d_matrix(np.array([-1.0, 1.5, 0.5]), n, padding=1)
    return local, conv


@cache
def _degradation():
    # the page's experiment: 128 digits, 6 seeds of each kind, 100 Adam steps
    X_train, _, y_train, _ = digits()
    X, labels = X_train[:128].astype(np.float64), y_train[:128]
    shallow = MLPEnsemble(6, n_in=64, n_out=10, width=16, n_blocks=2,
                          residual=False, seed=0)
    deep = MLPEnsemble(12, n_in=64, n_out=10, width=16, n_blocks=10,
                       residual=[False] * 6 + [True] * 6, seed=1)
    loss_shallow = train_ensemble(shallow, X, labels, steps=100, lr=3e-3)
    loss_deep = train_ensemble(deep, X, labels, steps=100, lr=3e-3)
    return {"plain6": loss_shallow, "plain22": loss_deep[:, :6],
            "res22": loss_deep[:, 6:]}


def toeplitz(st: Style):
    """The banded matrices of a locally connected layer and a convolution."""
    local, conv = _matrices()
    fig, axes = st.subplots(1, 2)
    vmax = max(np.abs(local).max(), np.abs(conv).max())
    titles = (st.t(en="locally connected", ko="국소 연결"),
              st.t(en="convolution", ko="합성곱"))
    for ax, M, title in zip(axes, (local, conv), titles):
        shown = np.where(M == 0, np.nan, M)  # zeros stay blank
        ax.imshow(shown, cmap="coolwarm", vmin=-vmax, vmax=vmax,
                  rasterized=True)
        ax.set_title(title)
        ax.set_xticks([0, 15])
        ax.set_yticks([0, 15])
        ax.set_xlabel(st.t(en="input $j$", ko="입력 $j$"))
    axes[0].set_ylabel(st.t(en="output $i$", ko="출력 $i$"))
    return fig


def degradation(st: Style):
    """Training loss of plain 6/22-layer and residual 22-layer networks."""
    runs = _degradation()
    names = {
        "plain6": st.t(en="plain, 6 layers", ko="평범한 6층"),
        "plain22": st.t(en="plain, 22 layers", ko="평범한 22층"),
        "res22": st.t(en="residual, 22 layers", ko="잔차 22층"),
    }
    fig, ax = st.subplots()
    for k, (key, loss) in enumerate(runs.items()):
        steps = np.arange(len(loss))
        ax.semilogy(steps, loss.mean(axis=1), color=f"C{k}", label=names[key])
        ax.fill_between(steps, loss.min(axis=1), loss.max(axis=1),
                        color=f"C{k}", alpha=0.2, lw=0)
    ax.set_xlim(0, len(steps) - 1)
    ax.set_ylim(1e-4, 5)
    ax.set_xlabel(st.t(en="Adam step", ko="Adam 걸음"))
    ax.set_ylabel(st.t(en="training loss", ko="훈련 손실"))
    ax.legend(loc="lower left")
    return fig


FIGURES = {
    "architectures-toeplitz": toeplitz,
    "architectures-degradation": degradation,
}
