"""Figures of lesson 4.3, interpretability (physdl_docs.interpret)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.interpret import (
    digits_cnn,
    integrated_gradients,
    lime,
    occlusion,
    randomized_copy,
    saliency,
)


@cache
def _model():
    # the page's network and test digit (same seed, same training)
    import torch

    from physdl_docs.training import digits, fit

    X_train, X_test, y_train, y_test = digits(images=True)
    net = digits_cnn(seed=0)
    fit(net, X_train, y_train, epochs=8, lr=0.02)
    x, y = X_test[0], int(y_test[0])

    def predict(Z):
        with torch.no_grad():
            images = torch.as_tensor(Z.reshape(-1, 1, 8, 8), dtype=torch.float32)
            return net(images)[:, y].double().numpy()

    maps = {"occlusion": occlusion(net, x, y, patch=1)[0],
            "lime": lime(predict, x.ravel(), rng=0).reshape(8, 8),
            "ig": integrated_gradients(net, x, y)[0]}
    random_net = randomized_copy(net, seed=0)
    sanity = {(method, which): f(model, x, y)[0]
              for method, f in (("saliency", saliency),
                                ("ig", lambda *a: np.abs(integrated_gradients(*a))))
              for which, model in (("trained", net), ("random", random_net))}
    return x[0], y, maps, sanity


def _show(ax, image, signed=True):
    m = np.abs(image).max() or 1.0
    if signed:
        ax.imshow(image, cmap="RdBu_r", vmin=-m, vmax=m)
    else:
        ax.imshow(image, cmap="viridis", vmin=0, vmax=m)
    ax.set_xticks([])
    ax.set_yticks([])


def maps(st: Style):
    """The digit and three attributions of its score: occlusion, LIME, IG."""
    x, y, attributions, _ = _model()
    fig, axes = st.subplots(2, 2, height=4.6)
    axes[0, 0].imshow(x, cmap="gray_r" if not st.dark else "gray", vmin=0, vmax=1)
    axes[0, 0].set_xticks([])
    axes[0, 0].set_yticks([])
    axes[0, 0].set_title(st.t(en=f"test digit (class {y})",
                              ko=f"시험 숫자 (클래스 {y})"))
    titles = {"occlusion": st.t(en="occlusion, 1 pixel", ko="가림, 픽셀 1개"),
              "lime": st.t(en="LIME, 64 pixels", ko="LIME, 픽셀 64개"),
              "ig": st.t(en="integrated gradients", ko="적분 기울기")}
    for ax, key in zip((axes[0, 1], axes[1, 0], axes[1, 1]), titles, strict=True):
        _show(ax, attributions[key])
        ax.set_title(titles[key])
    return fig


def sanity(st: Style):
    """Saliency and |IG| of the trained network and of a randomised copy."""
    _, _, _, maps_ = _model()
    fig, axes = st.subplots(2, 2, height=4.6)
    rows = {"saliency": st.t(en="saliency", ko="현저성"),
            "ig": st.t(en="|integrated gradients|", ko="|적분 기울기|")}
    cols = {"trained": st.t(en="trained", ko="학습된 신경망"),
            "random": st.t(en="randomised", ko="무작위화")}
    for i, method in enumerate(rows):
        for j, which in enumerate(cols):
            _show(axes[i, j], maps_[method, which], signed=False)
            axes[i, j].set_title(f"{rows[method]}: {cols[which]}")
    return fig


FIGURES = {"interpret-maps": maps, "interpret-sanity": sanity}
