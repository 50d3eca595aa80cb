"""Draw one figure in its four variants and check it (runs in a worker).

``hooks/figures.py`` sends each figure to a fresh worker process as
``render_task(module_path, name)``; the worker imports the figure module from
its file, calls the figure function for ko/en x light/dark (so data cached
with ``functools.cache`` is computed once), and returns the SVG bytes or a
message saying which function failed and how. matplotlib is imported only
here, inside the functions, so the mkdocs process never imports it.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import sys
import time
import traceback
import warnings
from contextlib import contextmanager
from pathlib import Path

#: (language, palette) of the four files of every figure.
VARIANTS = (("ko", "light"), ("ko", "dark"), ("en", "light"), ("en", "dark"))
#: Content width of a 390 px phone screen, in CSS px.
PHONE_PX = 358
#: Smallest text allowed on that phone, in CSS px.
MIN_TEXT_PX = 10.0
#: Largest SVG file allowed, in bytes.
MAX_BYTES = 200 * 1024

_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_SIZE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt"[^>]*?height="([\d.]+)pt"')


#: Thread pools limited to one thread in the workers: the figures run in
#: parallel processes, and BLAS threads competing for the same cores made
#: small matrix products ~10x slower.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                    "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
                    "NUMEXPR_NUM_THREADS")


def init_worker() -> None:
    """Set up a worker process before anything imports numpy or torch."""
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    sys.dont_write_bytecode = True  # no __pycache__ writes under mkdocs serve


class FigureError(Exception):
    """A figure function failed one of the checks."""


def load_module(path: Path):
    """Import ``figures/<stem>.py`` from its file, freshly, as ``figures.<stem>``."""
    path = Path(path)
    name = f"figures.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def svg_size(svg: bytes) -> tuple[float, float]:
    """Width and height of an SVG written by matplotlib, in CSS px."""
    match = _SIZE.search(svg[:2000])
    if match is None:
        raise ValueError("no width/height in pt found in the SVG header")
    return float(match[1]) * 96 / 72, float(match[2]) * 96 / 72


def text_px(points: float, width_in: float) -> float:
    """Size in CSS px of text of ``points`` pt in a figure ``width_in`` wide
    shown `PHONE_PX` px wide: pt * 96/72 * PHONE_PX / (width_in * 96)."""
    return points * 96 / 72 * PHONE_PX / (width_in * 96)


@contextmanager
def _record_drawn_texts():
    # every Text (labels, ticks, legends, annotations) that is drawn
    from matplotlib.text import Text

    drawn = []
    original = Text.draw

    def draw(self, renderer):
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)
        return original(self, renderer)

    Text.draw = draw
    try:
        yield drawn
    finally:
        Text.draw = original


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def to_svg(fig) -> tuple[bytes, list, list[str]]:
    """Deterministic SVG bytes of ``fig``, the texts drawn into it and the
    warnings about missing glyphs (letters drawn as boxes)."""
    import io

    handler = _Collect()
    logger = logging.getLogger("matplotlib")
    logger.addHandler(handler)
    buf = io.BytesIO()
    try:
        with warnings.catch_warnings(record=True) as caught, \
                _record_drawn_texts() as drawn:
            warnings.simplefilter("always")
            fig.savefig(buf, format="svg",
                        metadata={"Date": None, "Creator": None})
    finally:
        logger.removeHandler(handler)
    messages = [str(w.message) for w in caught] + handler.messages
    missing = [m for m in messages if "glyph" in m.lower()]
    return buf.getvalue(), drawn, missing


def check_texts(drawn, width_in: float, lang: str,
                missing: list[str] = ()) -> None:
    """Fail on Hangul in English, missing glyphs, or text below
    `MIN_TEXT_PX` on a phone."""
    if lang == "en":
        korean = [t.get_text() for t in drawn if _HANGUL.search(t.get_text())]
        if korean:
            raise FigureError(
                f"Korean text in the English figure: {korean[0]!r}; "
                "write every text as st.t(en=..., ko=...)"
            )
    if missing:
        raise FigureError(
            "a character has no glyph in the figure's fonts (it would show as "
            f"a box): {missing[0]} (outside $...$ use plain text for it, or "
            "put it inside math)"
        )
    small = []
    for text in drawn:
        px = text_px(text.get_fontsize(), width_in)
        if px < MIN_TEXT_PX - 1e-9:
            small.append((px, text.get_fontsize(), text.get_text()))
    if small:
        px, pt, s = min(small)
        min_pt = MIN_TEXT_PX * 72 / PHONE_PX * width_in
        raise FigureError(
            f"{len(small)} text(s) too small on a phone, e.g. {s!r}: {pt:g} pt "
            f"in a {width_in:g} in wide figure is {px:.1f} px when shown "
            f"{PHONE_PX} px wide (minimum {MIN_TEXT_PX:g} px, so at least "
            f"{min_pt:.1f} pt at this width); drop the fontsize= argument "
            "(the Style's sizes pass) and use st.subplots()"
        )


def render(module, name: str, stem: str) -> dict:
    """Draw figure ``name`` of ``module`` in the four variants, with checks.

    Returns ``{"svg": {"ko-light": bytes, ...}, "size": (w, h),
    "seconds": float}``; raises `FigureError` with a message naming the
    module and the function.
    """
    import matplotlib
    from matplotlib.figure import Figure

    from figures._style import Style

    func = module.FIGURES[name]
    where = f"figures/{stem}.py: {getattr(func, '__name__', func)!s}()"
    out, size = {}, None
    start = time.perf_counter()
    for lang, palette in VARIANTS:
        st = Style(lang, dark=palette == "dark")
        label = f"{where} (figure {name!r}, {lang}, {palette})"
        with matplotlib.rc_context(st.rc):
            try:
                fig = func(st)
            except Exception:
                raise FigureError(f"{label} raised:\n{traceback.format_exc()}")
            if not isinstance(fig, Figure):
                raise FigureError(
                    f"{label} returned {type(fig).__name__}, not a matplotlib "
                    "Figure: end the function with `return fig`, where "
                    "fig, ax = st.subplots()"
                )
            try:
                svg, drawn, missing = to_svg(fig)
                check_texts(drawn, fig.get_figwidth(), lang, missing)
            except FigureError as e:
                raise FigureError(f"{label}: {e}") from None
            except Exception:
                raise FigureError(
                    f"{label}: drawing the figure failed:\n"
                    f"{traceback.format_exc()}") from None
        if len(svg) > MAX_BYTES:
            raise FigureError(
                f"{label}: {name}-{lang}-{palette}.svg is {len(svg) / 1024:.0f} "
                f"KB (limit {MAX_BYTES // 1024} KB): draw heatmaps and images "
                "with imshow and dense plots with rasterized=True"
            )
        out[f"{lang}-{palette}"] = svg
        size = size or svg_size(svg)
    return {"svg": out, "size": size, "seconds": time.perf_counter() - start}


def render_task(module_path: str, name: str) -> dict:
    """Worker entry point: never raises, returns ``{"error": message}``."""
    stem = Path(module_path).stem
    start, cpu = time.perf_counter(), time.process_time()
    try:
        try:
            module = load_module(Path(module_path))
        except Exception:
            raise FigureError(
                f"figures/{stem}.py: importing the module failed:\n"
                f"{traceback.format_exc()}") from None
        if name not in getattr(module, "FIGURES", {}):
            raise FigureError(f"figures/{stem}.py: FIGURES has no {name!r}")
        result = render(module, name, stem)
    except FigureError as e:
        return {"name": name, "error": str(e)}
    result["name"] = name
    result["seconds"] = time.perf_counter() - start
    result["cpu"] = time.process_time() - cpu
    return result
