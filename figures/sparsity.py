"""Figures of lesson 1.8, sparsity and No Free Lunch (physdl_docs.sparsity)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.sparsity import (
    fit_with_corrupted_labels,
    ista,
    make_sparse_problem,
    ridge,
)


@cache
def _codes():
    # 40 measurements of a 5-sparse code over 100 atoms: L1 vs L2 estimates
    D, a, y = make_sparse_problem(rng=0)
    return a, ista(D, y, 0.05), ridge(D, y, 0.05)


def codes(st: Style):
    """True sparse code vs the L1 (ISTA) and L2 (ridge) estimates."""
    a, a_l1, a_l2 = _codes()
    i = np.arange(len(a))
    fig, ax = st.subplots(height=3.3)
    ax.plot(i, a_l2, "o", ms=3, color="C1", label=st.t(en="L2 (ridge)",
                                                       ko="L2 (릿지)"))
    ax.plot(i, a_l1, "o", ms=4, color="C0", label="L1 (ISTA)")
    nz = a != 0
    ax.plot(i[nz], a[nz], "x", color=st.fg, ms=9, mew=1.5,
            label=st.t(en="true code", ko="참 코드"))
    ax.axhline(0, color=st.muted, lw=0.8)
    ax.set_xlabel(st.t(en="atom index", ko="원자 번호"))
    ax.set_ylabel(st.t(en="coefficient", ko="계수"))
    ax.set_title(st.t(en="40 measurements, 100 atoms, 5 active",
                      ko="측정 40개, 원자 100개, 활성 5개"))
    ax.legend(frameon=False)
    return fig


@cache
def _labels():
    # train and test accuracy on digits with a fraction p of random labels
    from sklearn.datasets import load_digits
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_digits(return_X_y=True)
    p = np.linspace(0, 1, 6)
    models = [DecisionTreeClassifier(random_state=0), KNeighborsClassifier(1)]
    return p, [np.array([fit_with_corrupted_labels(model, X, y, f, rng=0)[1:]
                         for f in p]) for model in models]


def labels(st: Style):
    """Train and test accuracy vs the fraction of random training labels."""
    p, accs = _labels()
    names = [st.t(en="decision tree", ko="결정 트리"),
             st.t(en="1-NN", ko="1-최근접 이웃")]
    fig, ax = st.subplots(height=3.9)
    for name, acc, color in zip(names, accs, ("C2", "C0"), strict=True):
        ax.plot(p, acc[:, 0], "--", color=color,
                label=st.t(en=f"{name}: train", ko=f"{name}: 훈련"))
        ax.plot(p, acc[:, 1], "o-", color=color,
                label=st.t(en=f"{name}: test", ko=f"{name}: 시험"))
    ax.axhline(0.1, color=st.muted, lw=0.8, ls=":",
               label=st.t(en="chance", ko="무작위 추측"))
    ax.set_xlabel(st.t(en="fraction of random training labels",
                       ko="무작위 훈련 레이블의 비율"))
    ax.set_ylabel(st.t(en="accuracy (digits)", ko="정확도 (digits)"))
    ax.set_ylim(0, 1.05)
    fig.legend(loc="outside lower center", ncols=2, frameon=False)
    return fig


FIGURES = {
    "sparsity-codes": codes,
    "sparsity-labels": labels,
}
