"""Figures of lesson 2.4, the 2012 turn (physdl_docs.dropout)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.dropout import train_digits

SEEDS = (0, 1)


@cache
def _curves():
    # accuracy after every step, as on the page (100 digits, 100 full-batch
    # Adam steps); each run is deterministic, so recording the training and
    # the test accuracy in two runs gives the curves of one training
    curves = {}
    for p in (0.0, 0.5):
        for split in ("train", "test"):
            runs = [train_digits(p, seed, record=split).curve for seed in SEEDS]
            curves[p, split] = np.mean(runs, axis=0)
    return curves


def curves(st: Style):
    """Train and test accuracy against step, with and without dropout."""
    data = _curves()
    fig, ax = st.subplots()
    for k, p in enumerate((0.0, 0.5)):
        steps = np.arange(1, len(data[p, "test"]) + 1)
        name = st.t(en="no dropout", ko="드롭아웃 없음") if p == 0 else f"p = {p}"
        ax.plot(steps, data[p, "train"], color=f"C{k}", ls="--", lw=1.4,
                label=st.t(en=f"{name}, train", ko=f"{name}, 훈련"))
        ax.plot(steps, data[p, "test"], color=f"C{k}", lw=1.8,
                label=st.t(en=f"{name}, test", ko=f"{name}, 시험"))
    ax.set_ylim(0.6, 1.01)
    ax.set_xlim(0, len(steps))
    ax.set_xlabel(st.t(en="training step (full batch)", ko="학습 스텝 (전체 배치)"))
    ax.set_ylabel(st.t(en="accuracy", ko="정확도"))
    ax.legend(loc="lower right")
    return fig


FIGURES = {"dropout-curves": curves}
