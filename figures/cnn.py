"""Figures of lesson 2.5, convolutional networks (physdl_docs.cnn)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.cnn import make_cnn, make_mlp, receptive_field, shift

_DEPTHS = (1, 2, 4, 8, 16)
_SHIFTS = (0, 1, 2, 3)


@cache
def _receptive():
    # |d y_centre / d x| along the central row for n all-ones 3x3 layers
    import torch
    import torch.nn.functional as F

    n = 41
    profiles = {}
    for depth in _DEPTHS:
        x = torch.zeros(1, 1, n, n, dtype=torch.float64, requires_grad=True)
        y = x
        for _ in range(depth):
            y = F.conv2d(y, torch.ones(1, 1, 3, 3, dtype=torch.float64))
        c = y.shape[-1] // 2
        y[0, 0, c, c].backward()  # one-hot gradient at the centre unit
        g = x.grad[0, 0].sum(0).numpy()
        profiles[depth] = g / g.max()
    offsets = np.arange(n) - n // 2
    return offsets, profiles


def receptive(st: Style):
    """Gradient profile per depth, and field size vs effective width."""
    offsets, profiles = _receptive()
    fig, (left, right) = st.subplots(1, 2, height=3.0)
    for k, (depth, g) in enumerate(profiles.items()):
        left.plot(offsets, g, color=f"C{k}", label=f"{depth}")
    left.set_xlim(-18, 18)
    left.set_xlabel(st.t(en="input pixel offset", ko="입력 픽셀 위치"))
    left.set_ylabel(st.t(en="gradient / peak", ko="기울기 / 최댓값"))
    left.legend(title=st.t(en="layers", ko="층 수"), loc="upper right",
                handlelength=1.0)
    depth = np.arange(1, 17)
    field = [receptive_field([(3, 1)] * n)[-1] for n in depth]
    right.plot(depth, field, "o-", markersize=3,
               label=st.t(en="field $2n+1$", ko="수용 영역 $2n+1$"))
    right.plot(depth, 2 * np.sqrt(2 * depth / 3), "s-", markersize=3,
               label=st.t(en=r"$2\,$std $=2\sqrt{2n/3}$",
                          ko=r"$2\times$표준편차"))
    right.set_xlabel(st.t(en="layers $n$", ko="층 수 $n$"))
    right.set_ylabel(st.t(en="pixels", ko="픽셀"))
    right.legend(loc="upper left")
    return fig


@cache
def _shift():
    # test accuracy of the page's CNN and MLP against a horizontal shift
    from physdl_docs.training import accuracy, digits, fit

    X_tr, X_te, y_tr, y_te = digits(images=True)
    acc = {"CNN": [], "MLP": []}
    for seed in range(3):
        for name, make in [("CNN", make_cnn), ("MLP", make_mlp)]:
            net = make(seed=seed)
            fit(net, X_tr, y_tr, epochs=8, lr=0.01, batch_size=128,
                seed=seed)
            acc[name].append([accuracy(net, shift(X_te, 0, d), y_te)
                              for d in _SHIFTS])
    return {name: np.array(a) for name, a in acc.items()}


def shift_accuracy(st: Style):
    """Accuracy of the CNN and the MLP on shifted test digits."""
    acc = _shift()
    fig, ax = st.subplots()
    for k, (name, a) in enumerate(acc.items()):
        ax.errorbar(_SHIFTS, a.mean(0), yerr=a.std(0, ddof=1), color=f"C{k}",
                    marker="os"[k], capsize=3, label=name)
    ax.axhline(0.1, color=st.muted, ls=":", lw=1.2)
    ax.text(0, 0.12, st.t(en="chance", ko="무작위 추측"), color=st.muted,
            ha="left", va="bottom")
    ax.set_xticks(_SHIFTS)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(st.t(en="shift of the test digits (pixels)",
                       ko="시험 숫자의 이동 (픽셀)"))
    ax.set_ylabel(st.t(en="test accuracy", ko="시험 정확도"))
    ax.legend(loc="center right")
    return fig


FIGURES = {
    "cnn-receptive-field": receptive,
    "cnn-shift": shift_accuracy,
}
