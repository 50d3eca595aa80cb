"""Figures of lesson 1.4, deep belief nets and pretraining (physdl_docs.dbn)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.dbn import DBN, linear_probe
from physdl_docs.rbm import binarized_digits


@cache
def _embedding():
    # 2-D PCA maps of all 1,797 digits: pixels vs the DBN's top layer
    from sklearn.decomposition import PCA

    X, y = binarized_digits()
    dbn = DBN(layer_sizes=(64, 32), n_iter=20, random_state=0).fit(X)
    return y, [PCA(2).fit_transform(X), PCA(2).fit_transform(dbn.transform(X))]


def embedding(st: Style):
    """2-D maps of the digits: PCA of pixels vs PCA of the DBN top layer."""
    y, maps = _embedding()
    titles = [st.t(en="PCA of the 64 pixels", ko="픽셀 64개의 PCA"),
              st.t(en="PCA of the 32 DBN\ntop-layer units",
                   ko="DBN 맨 위층\n유닛 32개의 PCA")]
    # dpi: resolution of the rasterized points, to keep the SVG < 200 KB
    fig, axes = st.subplots(1, 2, height=3.3, dpi=100)
    for ax, title, Z in zip(axes, titles, maps, strict=True):
        points = ax.scatter(Z[:, 0], Z[:, 1], c=y, cmap="tab10", s=3,
                            vmin=-0.5, vmax=9.5, rasterized=True)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(st.t(en="component 1", ko="성분 1"))
    axes[0].set_ylabel(st.t(en="component 2", ko="성분 2"))
    fig.colorbar(points, ax=axes, ticks=range(10),
                 label=st.t(en="digit", ko="숫자"))
    return fig


@cache
def _labels():
    # linear-probe accuracy against the number of labels, three features
    from sklearn.decomposition import PCA
    from sklearn.model_selection import train_test_split

    X, y = binarized_digits()
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.5,
                                              random_state=0, stratify=y)
    dbn = DBN(layer_sizes=(64, 32), n_iter=20, random_state=0).fit(X_tr)
    pca = PCA(32).fit(X_tr)
    features = [(X_tr, X_te), (pca.transform(X_tr), pca.transform(X_te)),
                (dbn.transform(X_tr), dbn.transform(X_te))]
    sizes = [20, 50, 100, 200, 400, len(y_tr)]
    # mean and standard error over 5 random labelled subsets (1 for all)
    acc = [[linear_probe(F_tr, y_tr, F_te, y_te, n, 5, rng=0, error=True)
            if n < len(y_tr) else
            (linear_probe(F_tr, y_tr, F_te, y_te, n, 1, rng=0), 0.0)
            for n in sizes] for F_tr, F_te in features]
    return sizes, np.array(acc)    # [feature set, size, (mean, error)]


def labels(st: Style):
    """Linear-probe accuracy against the number of labelled examples."""
    sizes, acc = _labels()
    names = [st.t(en="pixels (64)", ko="픽셀 (64)"), "PCA (32)",
             st.t(en="DBN top layer (32)", ko="DBN 맨 위층 (32)")]
    fig, ax = st.subplots(height=3.4)
    for name, a, marker in zip(names, acc, "osD", strict=True):
        ax.errorbar(sizes, a[:, 0], a[:, 1], marker=marker, capsize=2,
                    label=name)
    ax.set_xscale("log")
    ax.set_xticks(sizes, [str(n) for n in sizes])
    ax.minorticks_off()
    ax.set_xlabel(st.t(en="labelled training examples",
                       ko="레이블이 있는 훈련 예제 수"))
    ax.set_ylabel(st.t(en="test accuracy (logistic\nregression probe)",
                       ko="시험 정확도\n(로지스틱 회귀 탐침)"))
    ax.legend(loc="lower right")
    ax.grid(alpha=0.5)
    return fig


FIGURES = {
    "dbn-embedding": embedding,
    "dbn-labels": labels,
}
