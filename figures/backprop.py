"""Figures of lesson 2.2, backpropagation (physdl_docs.backprop)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.backprop import MLP, XOR_X, XOR_Y


@cache
def _xor():
    # MLP [2, 3, 1] with tanh hidden units trained on XOR, and its output
    net = MLP([2, 3, 1], hidden="tanh", rng=0)
    losses = net.fit(XOR_X, XOR_Y, lr=0.5, n_epochs=2000)
    g = np.linspace(-0.25, 1.25, 121)
    points = np.array([[u, v] for v in g for u in g])
    return np.asarray(losses), g, net.predict(points).reshape(len(g), len(g))


def xor(st: Style):
    """XOR: training error against epoch and the learned output surface."""
    losses, g, out = _xor()
    fig, (ax1, ax2) = st.subplots(1, 2, height=2.9)
    ax1.semilogy(losses)
    ax1.set_xlabel(st.t(en="epoch", ko="에폭"))
    ax1.set_ylabel(r"$E = \frac{1}{2} \sum\, (a - y)^2$")
    ax1.set_title(st.t(en="training error", ko="훈련 오차"))
    image = ax2.imshow(out, cmap="RdBu_r", vmin=0, vmax=1, origin="lower",
                       extent=(g[0], g[-1], g[0], g[-1]), rasterized=True)
    ax2.contour(g, g, out, levels=[0.5], colors="k", linewidths=1.2)
    ax2.scatter(XOR_X[:, 0], XOR_X[:, 1], c=XOR_Y[:, 0], cmap="RdBu_r",
                vmin=0, vmax=1, edgecolors="k", s=50)
    fig.colorbar(image, ax=ax2, shrink=0.9, ticks=[0, 0.5, 1])
    ax2.set_xticks([0, 1])
    ax2.set_yticks([0, 1])
    ax2.set_xlabel("$x_1$")
    ax2.set_ylabel("$x_2$", labelpad=-2)
    ax2.set_title(st.t(en="output $a^2$ (line: 0.5)", ko="출력 $a^2$ (선: 0.5)"))
    return fig


FIGURES = {"backprop-xor": xor}
