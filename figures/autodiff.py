"""Figures of lesson 3.6, computation graphs and autodiff (physdl_docs.autodiff)."""

from functools import cache

import numpy as np
from matplotlib.patches import FancyArrowPatch

from figures._style import Style
from physdl_docs.autodiff import Tensor, topological_order


@cache
def _graph():
    """f = tanh(xy) xy + y at x = 0.5, y = 2: nodes, labels, values, adjoints."""
    x = Tensor(0.5, requires_grad=True)
    y = Tensor(2.0, requires_grad=True)
    u = x * y
    t = u.tanh()
    p = t * u
    f = p + y
    order = topological_order(f)
    # adjoints by the reverse sweep of the page: bar[v] = sum over consumers
    bar = {id(f): 1.0}
    for node in reversed(order):
        if node.parents:
            for parent, g in zip(node.parents, node.vjp(np.array(bar[id(node)]))):
                bar[id(parent)] = bar.get(id(parent), 0.0) + float(g)
    names = {id(x): "x", id(y): "y", id(u): "u = xy", id(t): "tanh u",
             id(p): "tanh(u) u", id(f): "f"}
    # layer = longest path from a leaf; x above y in the first layer
    layer = {}
    for node in order:
        layer[id(node)] = 1 + max((layer[id(q)] for q in node.parents), default=-1)
    height = {id(x): 0.75, id(y): -0.75, id(u): 0.0, id(t): 0.75, id(p): 0.0,
              id(f): -0.75}
    nodes = [(names[id(n)], layer[id(n)], height[id(n)], float(n.data), bar[id(n)])
             for n in order]
    edges = [((layer[id(q)], height[id(q)]), (layer[id(n)], height[id(n)]))
             for n in order for q in n.parents]
    return nodes, edges


def graph(st: Style):
    """The computation graph of f with each node's value and adjoint."""
    nodes, edges = _graph()
    fig, ax = st.subplots(height=3.0)
    for (x0, y0), (x1, y1) in edges:
        # edges that skip a layer bend, so they do not cross a node
        rad = 0.25 if x1 - x0 > 1 else 0.0
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>",
                                     mutation_scale=11, color=st.muted, lw=1.1,
                                     shrinkA=20, shrinkB=22,
                                     connectionstyle=f"arc3,rad={rad}"))
    for name, x, y, value, adjoint in nodes:
        leaf = name in ("x", "y")
        ax.text(x, y + 0.05, f"{name}\n{value:.3f}", ha="center", va="center",
                fontsize=10, bbox={"boxstyle": "round,pad=0.3",
                                   "fc": st.bg, "lw": 1.2,
                                   "ec": st.colors[0] if leaf else st.fg})
        ax.text(x, y - 0.36, f"{adjoint:.3f}", ha="center", va="center",
                fontsize=10, color=st.colors[3])
    key = st.t(en=r"boxes: node and value;  below: $\partial f/\partial\,$node",
               ko=r"상자: 노드와 값,  아래: $\partial f/\partial\,$노드")
    ax.text(-0.45, -1.35, key, fontsize=10, color=st.fg, va="center")
    ax.set_xlim(-0.5, 4.5)
    ax.set_ylim(-1.5, 1.15)
    ax.axis("off")
    return fig


FIGURES = {"autodiff-graph": graph}
