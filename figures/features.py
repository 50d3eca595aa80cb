"""Figures of lesson 4.1, machine learning vs deep learning (physdl_docs.features)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.features import (
    cell_histograms,
    hog,
    learning_curve,
    pca,
    penultimate,
    train_pipeline,
)

SIZES = (50, 100, 200, 400, 800, 1200)


@cache
def _digits():
    from physdl_docs.training import digits

    return digits()


def hog_glyphs(st: Style):
    """A digit and its cell histograms drawn as strokes along the edges."""
    X_train = _digits()[0]
    img = X_train[0].reshape(8, 8)
    hist = cell_histograms(img[None])[0]  # [4, 4, 9]
    fig, (ax1, ax2) = st.subplots(1, 2)
    ax1.imshow(img, cmap="gray" if st.dark else "gray_r", vmin=0, vmax=1)
    ax1.set_title(st.t(en="digit (8 x 8 pixels)", ko="숫자 (8 x 8 픽셀)"))
    scale = 0.9 / hist.max()
    centres = (np.arange(9) + 0.5) * np.pi / 9
    for i in range(4):
        for j in range(4):
            for theta, v in zip(centres, hist[i, j], strict=True):
                # the edge runs perpendicular to the gradient (cos, sin)
                # theta, in (column, row) coordinates; rows grow downwards
                dx, dy = -np.sin(theta), np.cos(theta)
                h = scale * v
                ax2.plot([j - h * dx, j + h * dx], [i - h * dy, i + h * dy],
                         color=st.fg, lw=1.5, solid_capstyle="round")
    ax2.set_xlim(-0.5, 3.5)
    ax2.set_ylim(3.5, -0.5)
    ax2.set_aspect("equal")
    ax2.set_title(st.t(en="HOG, 4 x 4 cells", ko="HOG, 셀 4 x 4개"))
    for ax in (ax1, ax2):
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


@cache
def _curves():
    # the page's pipelines at six sizes, three seeds each
    return {kind: learning_curve(kind, sizes=SIZES) for kind in ("hog", "mlp")}


def curve(st: Style):
    """Test accuracy against training-set size, mean and spread over seeds."""
    acc = _curves()
    labels = {"hog": st.t(en="HOG + linear", ko="HOG + 선형"),
              "mlp": st.t(en="MLP on pixels", ko="픽셀 위의 MLP")}
    fig, ax = st.subplots()
    for colour, kind in zip(("C0", "C1"), ("hog", "mlp"), strict=True):
        a = acc[kind]
        ax.errorbar(SIZES, a.mean(1), yerr=a.std(1), color=colour, marker="o",
                    capsize=3, label=labels[kind])
    ax.set_xscale("log")
    ax.set_xticks(SIZES, [str(n) for n in SIZES])
    ax.set_xlabel(st.t(en="training images", ko="학습 이미지 수"))
    ax.set_ylabel(st.t(en="test accuracy", ko="시험 정확도"))
    ax.legend(loc="lower right")
    return fig


@cache
def _maps():
    X_train, X_test, _, y_test = _digits()
    model, _ = train_pipeline("mlp", 1200, seed=2)  # the page's model
    hog_train, hog_test = hog(X_train.reshape(-1, 8, 8)), hog(X_test.reshape(-1, 8, 8))
    return y_test, [pca(hog_train, 2, hog_test)[1],
                    pca(penultimate(model, X_train), 2, penultimate(model, X_test))[1]]


def maps(st: Style):
    """PCA maps of the test digits: HOG features vs the MLP's hidden layer."""
    y, (Z_hog, Z_hidden) = _maps()
    titles = [st.t(en="324 HOG features", ko="HOG 특징 324개"),
              st.t(en="64 hidden units", ko="은닉 유닛 64개")]
    fig, axes = st.subplots(1, 2, height=3.3, dpi=110)
    for ax, title, Z in zip(axes, titles, (Z_hog, Z_hidden), strict=True):
        points = ax.scatter(Z[:, 0], Z[:, 1], c=y, cmap="tab10", s=5,
                            vmin=-0.5, vmax=9.5, rasterized=True)
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(st.t(en="component 1", ko="성분 1"))
    axes[0].set_ylabel(st.t(en="component 2", ko="성분 2"))
    fig.colorbar(points, ax=axes, ticks=range(10), label=st.t(en="digit", ko="숫자"))
    return fig


FIGURES = {"features-hog": hog_glyphs, "features-learning-curve": curve,
           "features-pca": maps}
