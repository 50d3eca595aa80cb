"""Figures of lesson 2.3, vanishing and exploding gradients (physdl_docs.vanishing)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.vanishing import (
    ACTIVATIONS,
    YANG_RATE,
    batchnorm_weight_gradients,
    gradient_norms,
)

_DEPTH = 50
_LABELS = {"relu": "ReLU", "leaky_relu": "leaky ReLU"}


@cache
def _depth():
    # |g^l| / |g^L| through 50 layers of width 256, per activation and init
    out = {}
    for init in ("xavier", "he"):
        curves = {act: gradient_norms(act, _DEPTH, 256, init=init, rng=0)
                  for act in ACTIVATIONS}
        curves["residual"] = gradient_norms("sigmoid", _DEPTH, 256, init=init,
                                            residual=True,
                                            branch_scale=_DEPTH ** -0.5, rng=0)
        out[init] = curves
    return out


def depth(st: Style):
    """Gradient norm against layer for four activations, Xavier vs He."""
    fig, axes = st.subplots(1, 2, height=3.3, sharey=True)
    for ax, (init, curves) in zip(axes, _depth().items(), strict=True):
        for k, act in enumerate(ACTIVATIONS):
            dashed = act == "leaky_relu"  # on top of relu with Xavier
            ax.semilogy(curves[act], color=f"C{k}", label=_LABELS.get(act, act),
                        ls=(0, (3, 2)) if dashed else "-")
        ax.semilogy(curves["residual"], "--", color=st.fg,
                    label=st.t(en="sigmoid, residual", ko="sigmoid, 잔차"))
        ax.set_ylim(1e-25, 1e5)
        ax.set_yticks([1e-20, 1e-10, 1])
        ax.set_xlabel(st.t(en="layer $l$", ko="층 $l$"))
        ax.set_title(st.t(en="Xavier init" if init == "xavier" else "He init",
                          ko="Xavier 초기화" if init == "xavier"
                          else "He 초기화"))
    axes[0].set_ylabel(r"$\|g^l\| \,/\, \|g^L\|$")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center",
               ncols=3, frameon=False)
    return fig


@cache
def _batchnorm():
    # squared weight-gradient norms of three BN-ReLU nets (width 512, batch 256)
    return [batchnorm_weight_gradients(_DEPTH, 512, 256, rng=seed)
            for seed in range(3)]


def batchnorm(st: Style):
    """Squared weight-gradient norms of BN-ReLU nets vs (pi/(pi-1))^(L-l)."""
    l = np.arange(1, _DEPTH + 1)
    fig, ax = st.subplots(height=3.4)
    for seed, s in enumerate(_batchnorm()):
        ax.semilogy(l, s / s[-1], "o", ms=3.5, color="C0",
                    label=st.t(en="BN-ReLU nets, width 512, batch 256",
                               ko="BN-ReLU 네트워크, 너비 512, 배치 256")
                    if seed == 0 else None)
    ax.semilogy(l, YANG_RATE ** (_DEPTH - l), color=st.fg,
                label=r"$(\pi/(\pi-1))^{L-l}$")
    ax.set_xlabel(st.t(en="layer $l$", ko="층 $l$"))
    ax.set_ylabel(r"$\|\partial E/\partial W^l\|^2 \,/\, "
                  r"\|\partial E/\partial W^L\|^2$")
    ax.legend(loc="upper right")
    return fig


FIGURES = {
    "vanishing-depth": depth,
    "vanishing-batchnorm": batchnorm,
}
