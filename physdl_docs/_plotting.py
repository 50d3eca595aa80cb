"""Matplotlib setup for figures generated at build time.

Figures are written by the mkdocs hook ``hooks/figures.py``: each lesson
module may define ``FIGURES = {"name.svg": make_figure}`` where
``make_figure()`` returns a `matplotlib.figure.Figure`.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

# Fixed ids and no date, so the same code gives byte-identical SVG.
matplotlib.rcParams["svg.hashsalt"] = "physdl-docs"
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["figure.dpi"] = 100


def new_figure(width: float = 6.0, height: float = 3.6) -> Figure:
    """Return a fresh figure not registered with pyplot (no global state)."""
    return Figure(figsize=(width, height), layout="constrained")


def to_svg(fig: Figure) -> bytes:
    """Render ``fig`` to deterministic SVG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()
