"""The house style of every figure: language, palette, size and fonts.

A figure function receives a `Style` and draws with it::

    def energy(st: Style):
        fig, ax = st.subplots()
        ax.plot(x, y, label=st.t(en="energy", ko="에너지"))
        return fig

The runner (``hooks/figures.py``) calls each figure function four times,
for ``lang`` in ("ko", "en") and ``dark`` in (False, True), inside
``matplotlib.rc_context(st.rc)``.

Sizes are chosen for phones: a figure is `WIDTH` inches wide and shown at
most at its natural size, so on a 390 px phone (358 px of content) one point
of text is about 1.04 px; every text is at least 10 pt, so at least 10 px.
Colours are the Okabe-Ito palette, which colour-blind readers can tell apart
and which reads on white and on Material's dark "slate" background alike.
The background is transparent, so on it never draw "k"/"black": use
``st.fg`` (text-coloured lines), ``st.muted`` (grey reference lines),
``st.faint`` (background grids) and ``st.bg`` (marker faces, boxes).
`montage` puts several images into one ``imshow`` panel, since at most two
panels fit side by side.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.font_manager as font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

#: Width of every figure in inches: 4.8 in shown 358 px wide makes 1 pt
#: about 1.04 px, so the 10 pt tick labels stay at least 10 px on a phone.
WIDTH = 4.8
#: Smallest font size the style uses, in points.
SMALL = 10.0
#: The size of titles and axis labels, in points.
NORMAL = 11.0
#: At most this many panels side by side (a phone is narrow).
MAX_COLUMNS = 2

# Okabe & Ito (2008), "Color Universal Design". The blue is lighter on the
# dark background, where the darker blue has too little contrast.
_CYCLE_LIGHT = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
                "#56B4E9", "#F0E442"]
_CYCLE_DARK = ["#56B4E9", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
               "#0072B2", "#F0E442"]

# Foreground colours; the background is transparent, so the page's own
# (white, or Material's slate hsl(232, 15%, 14%)) shows through.
_LIGHT = {"fg": "#1f2430", "muted": "#6b7080", "faint": "#c9ccd6",
          "bg": "#ffffff"}
_DARK = {"fg": "#e2e4ec", "muted": "#9a9fb3", "faint": "#454a5e",
         "bg": "#1e2029"}

# NanumGothic has no U+2212 MINUS SIGN, which matplotlib uses for negative
# tick labels and in mathtext ($10^{-5}$, where the "default" font has no
# fallback). The style adds one (the bar of NanumGothic's own "+") to a copy
# of the font, renamed so that an installed NanumGothic cannot be taken for
# it, and caches the copy in .cache/fonts/ (git-ignored).
_KOREAN_FONT = "NanumGothic physdl"
_FONT_CACHE = Path(__file__).resolve().parent.parent / ".cache" / "fonts"


def _nanum_gothic() -> Path:
    """Path of NanumGothic.ttf in the koreanize-matplotlib wheel.

    Only the file is used: importing ``koreanize_matplotlib`` would change
    matplotlib's global settings.
    """
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "Korean figures need the NanumGothic font of the PyPI package "
            "koreanize-matplotlib==0.1.1: pip install -e '.[docs]'"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "fonts" / \
        "NanumGothic.ttf"


def _with_minus(source: Path, target: Path) -> None:
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont

    font = TTFont(source)
    bars = font["glyf"]["plus"].getCoordinates(font["glyf"])[0]
    # the horizontal stroke of "+": the two most common y values
    ys = sorted({y for _, y in bars}, key=lambda y: -sum(1 for _, v in bars
                                                          if v == y))[:2]
    x0, x1 = min(x for x, _ in bars), max(x for x, _ in bars)
    y0, y1 = sorted(ys)
    pen = TTGlyphPen(None)
    pen.moveTo((x0, y0))
    pen.lineTo((x0, y1))
    pen.lineTo((x1, y1))
    pen.lineTo((x1, y0))
    pen.closePath()
    font.setGlyphOrder(font.getGlyphOrder() + ["uni2212"])
    font["glyf"]["uni2212"] = pen.glyph()
    font["hmtx"]["uni2212"] = font["hmtx"]["plus"]
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap[0x2212] = "uni2212"
    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 16):
            record.string = _KOREAN_FONT
        elif record.nameID == 6:
            record.string = _KOREAN_FONT.replace(" ", "-")
    for tag in [t for t in font.keys() if t.startswith("TSI")]:
        del font[tag]  # VTT sources, not needed to render
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    font.save(tmp)
    os.replace(tmp, target)


def _register_korean_font() -> None:
    """Register the Korean font (NanumGothic with a minus sign) once."""
    if any(f.name == _KOREAN_FONT for f in font_manager.fontManager.ttflist):
        return
    from importlib import metadata

    source = _nanum_gothic()
    version = metadata.version("koreanize-matplotlib")
    target = _FONT_CACHE / f"NanumGothic-physdl-{version}-r1.ttf"  # r: _with_minus
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        _with_minus(source, target)
    font_manager.fontManager.addfont(str(target))


class Style:
    """Language and palette of one rendering of a figure.

    Parameters
    ----------
    lang : {"ko", "en"}
        Language of every visible text (see `t`).
    dark : bool
        True for the variant shown on Material's dark ("slate") scheme.
    """

    def __init__(self, lang: str = "en", dark: bool = False) -> None:
        if lang not in ("ko", "en"):
            raise ValueError(f"lang must be 'ko' or 'en', got {lang!r}")
        if not isinstance(dark, bool):
            raise TypeError(f"dark must be a bool, got {type(dark).__name__}")
        self.lang = lang
        self.dark = dark
        colours = _DARK if dark else _LIGHT
        #: Text, axes and reference lines ("black" in a light figure).
        self.fg: str = colours["fg"]
        #: Secondary lines and annotations (grey).
        self.muted: str = colours["muted"]
        #: Background grid lines, the grid before a map, etc.
        self.faint: str = colours["faint"]
        #: The page background, for legend boxes and marker faces.
        self.bg: str = colours["bg"]
        #: The colour cycle (also available as "C0", "C1", ...).
        self.colors: list[str] = list(_CYCLE_DARK if dark else _CYCLE_LIGHT)

    @property
    def palette(self) -> str:
        """``"dark"`` or ``"light"``."""
        return "dark" if self.dark else "light"

    def __repr__(self) -> str:
        return f"Style(lang={self.lang!r}, dark={self.dark})"

    def t(self, *, en: str, ko: str) -> str:
        """The text in the figure's language: ``st.t(en="energy", ko="에너지")``."""
        return ko if self.lang == "ko" else en

    @property
    def rc(self) -> dict[str, Any]:
        """rcParams of this language and palette (used by the runner)."""
        if self.lang == "ko":
            _register_korean_font()
            # DejaVu Sans supplies any glyph NanumGothic lacks
            family = [_KOREAN_FONT, "DejaVu Sans"]
        else:
            family = ["DejaVu Sans"]
        fg, muted = self.fg, self.muted
        return {
            "font.family": family,
            "font.size": NORMAL,
            "axes.titlesize": NORMAL,
            "axes.labelsize": NORMAL,
            "xtick.labelsize": SMALL,
            "ytick.labelsize": SMALL,
            "legend.fontsize": SMALL,
            "legend.title_fontsize": SMALL,
            "figure.titlesize": NORMAL,
            "figure.labelsize": NORMAL,
            "mathtext.fontset": "dejavusans",
            "axes.unicode_minus": True,
            "axes.prop_cycle": matplotlib.cycler(color=self.colors),
            "text.color": fg,
            "axes.labelcolor": fg,
            "axes.titlecolor": fg,
            "axes.edgecolor": muted,
            "xtick.color": muted,
            "ytick.color": muted,
            "xtick.labelcolor": fg,
            "ytick.labelcolor": fg,
            "grid.color": self.faint,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlepad": 5.0,
            "lines.linewidth": 1.8,
            "lines.markersize": 5.0,
            "patch.edgecolor": fg,
            "legend.frameon": True,
            "legend.facecolor": self.bg,
            "legend.edgecolor": "none",
            "legend.framealpha": 0.8,
            "figure.facecolor": "none",
            "figure.edgecolor": "none",
            "axes.facecolor": "none",
            "savefig.facecolor": "none",
            "savefig.edgecolor": "none",
            "savefig.transparent": True,
            # resolution of the rasterized parts (imshow, rasterized=True):
            # ~2x a phone's pixels; a figure may lower it: st.subplots(dpi=)
            "figure.dpi": 150,
            "savefig.dpi": "figure",
            "image.interpolation": "nearest",
            "image.resample": False,
            "svg.fonttype": "path",      # text as outlines: no font needed
            "svg.hashsalt": "physdl-docs",  # stable ids: same code, same bytes
            "svg.image_inline": True,
        }

    def figure(self, height: float | None = None,
               dpi: float | None = None) -> Figure:
        """An empty figure of the standard width (for custom layouts)."""
        return Figure(figsize=(WIDTH, 3.3 if height is None else height),
                      dpi=dpi, layout="constrained")

    def subplots(self, nrows: int = 1, ncols: int = 1, *,
                 height: float | None = None, dpi: float | None = None,
                 **kw: Any):
        """A figure of the standard width and its axes.

        Parameters
        ----------
        nrows, ncols : int
            Grid of panels; ``ncols`` is at most 2 (a phone is narrow).
        height : float, optional
            Height in inches; by default 3.3 for one row of one panel, 2.7
            for one row of two and 2.3 per row otherwise.
        dpi : float, optional
            Resolution of the rasterized parts (``imshow``,
            ``rasterized=True``); default 150, about twice a phone's pixels.
            Lower it if the SVG gets too large.
        **kw
            Passed to `matplotlib.figure.Figure.subplots` (``sharex``,
            ``sharey``, ``gridspec_kw``, ``subplot_kw``, ``squeeze``).

        Returns
        -------
        fig, axes
            As `matplotlib.pyplot.subplots`: one `Axes` or an array.
        """
        if not 1 <= ncols <= MAX_COLUMNS:
            raise ValueError(
                f"ncols must be 1 or {MAX_COLUMNS} (a phone is {WIDTH} in "
                f"of figure wide), got {ncols}; stack panels in rows instead"
            )
        if nrows < 1:
            raise ValueError(f"nrows must be at least 1, got {nrows}")
        if height is None:
            height = (3.3 if ncols == 1 else 2.7) if nrows == 1 else 2.3 * nrows
        fig = self.figure(height, dpi)
        return fig, fig.subplots(nrows, ncols, **kw)


def montage(images, gap: int = 2, size: int | None = None):
    """Images side by side in one array, for one ``imshow`` panel.

    Each image is enlarged by an integer factor (pixel repetition) to
    ``size`` pixels high (default: the tallest); the ``gap`` columns between
    them are NaN, which ``imshow`` leaves transparent. Returns the array and
    the x coordinate of each image's centre (for tick labels).
    """
    import numpy as np

    images = [np.asarray(im, dtype=float) for im in images]
    size = size or max(im.shape[0] for im in images)
    tiles, centres, x = [], [], 0
    for k, im in enumerate(images):
        factor = size // im.shape[0]
        if factor * im.shape[0] != size:
            raise ValueError(f"image {k} of height {im.shape[0]} does not "
                             f"divide the montage height {size}")
        tile = np.kron(im, np.ones((factor, factor)))
        if k:
            tiles.append(np.full((size, gap), np.nan))
            x += gap
        tiles.append(tile)
        centres.append(x + tile.shape[1] / 2 - 0.5)
        x += tile.shape[1]
    return np.hstack(tiles), centres
