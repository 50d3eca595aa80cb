"""mkdocs hook: render every formula at build time with the vendored KaTeX.

``pymdownx.arithmatex`` (generic mode) wraps ``$...$`` in
``<span class="arithmatex">\\(...\\)</span>`` and ``$$...$$`` in
``<div class="arithmatex">\\[...\\]</div>``. This hook replaces the TeX
inside by KaTeX's own output (HTML for the eye plus MathML for screen
readers), computed by ``katex.renderToString`` from
``docs/assets/katex/katex.min.js`` running in V8 inside Python
(``mini-racer``): no Node, no JavaScript for the reader, no raw TeX before
or after load. Readers get only ``katex.min.css`` and its woff2 fonts.

- A formula KaTeX cannot parse, or one it would warn about, fails the build
  with the page and the TeX (``--strict`` turns the warning into a failure).
- The TeX annotation KaTeX puts inside the MathML is dropped: it is dead
  weight for readers and would leak TeX into search snippets.
- Search and meta descriptions see a plain-text form of each formula
  (``α c ≈ 0.138``): the page holds it in place of the formula until
  Material's search plugin has indexed the page; then the rendered formula
  takes its place.
- The table of contents shows the plain-text form of a heading's math.
- A display formula made of several parts side by side (``a = b, \\qquad
  c = d``) is set one part per line (`stacked`), so it fits a phone.

``python hooks/katex.py 'T_c'`` prints the HTML of one formula.
"""

from __future__ import annotations

import atexit
import html
import json
import logging
import re
import sys
import types
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

log = logging.getLogger("mkdocs.hooks.katex")

ROOT = Path(__file__).resolve().parent.parent
KATEX_JS = ROOT / "docs" / "assets" / "katex" / "katex.min.js"

#: arithmatex's generic output: inline span or display div around \( \) / \[ \]
MATH = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">'
    r"(?P<open>\\\(|\\\[)(?P<tex>.*?)(?:\\\)|\\\])</(?P=tag)>",
    re.S,
)
#: a formula's plain-text stand-in while the page is indexed for search
PLACEHOLDER = re.compile(r'<(span|div) class="arithmatex" data-physdl-math="(\d+)">[^<]*</\1>')
ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">.*?</annotation>', re.S)
TOKEN = re.compile(r"<(mi|mn|mo|mtext|ms)\b[^>]*>(.*?)</\1>", re.S)

_RENDERER = """
var physdlWarnings = [];
function physdlRender(tex, display) {
  physdlWarnings = [];
  try {
    var out = katex.renderToString(tex, {
      displayMode: display, output: "htmlAndMathml", throwOnError: true,
      strict: function (code, msg) { physdlWarnings.push(code + ": " + msg); return "ignore"; },
    });
    return JSON.stringify({html: out, warnings: physdlWarnings});
  } catch (e) {
    return JSON.stringify({error: String(e && e.message || e)});
  }
}
"""

#: ``x_\max``: LaTeX accepts a function name as a bare subscript, KaTeX does not
BARE_SCRIPT = re.compile(
    r"([_^])\\(max|min|sup|inf|lim|liminf|limsup|log|ln|exp|det|dim|ker|deg|gcd|"
    r"arg|argmax|argmin|Pr|sin|cos|tan|tanh|sinh|cosh)(?![A-Za-z])")

# mkdocs serve loads the hooks anew for every rebuild: keep the V8 engine
# and the rendered formulas in one place that outlives the module, so a
# rebuild neither starts another engine nor renders every formula again.
_STATE = sys.modules.setdefault("_physdl_katex_state", types.ModuleType("_physdl_katex_state"))
if not hasattr(_STATE, "engine"):
    _STATE.engine = []  # [MiniRacer] once started
    _STATE.cache = {}  # (tex, display) -> (html, warnings)
_engine: list = _STATE.engine


def _context():
    if not _engine:
        try:
            from py_mini_racer import MiniRacer
        except ImportError as exc:  # pragma: no cover - a broken install
            raise PluginError(
                "hooks/katex.py needs mini-racer (pip install -c constraints.txt "
                "-e '.[docs]')"
            ) from exc
        ctx = MiniRacer()
        ctx.eval(KATEX_JS.read_text(encoding="utf-8"))
        ctx.eval(_RENDERER)
        _engine.append(ctx)
        atexit.register(close)  # an open V8 context keeps the process alive
    return _engine[0]


def close() -> None:
    """Stop the V8 engine (mkdocs serve keeps it between rebuilds)."""
    while _engine:
        _engine.pop().close()


class MathError(ValueError):
    """KaTeX could not render a formula (the message has the TeX)."""


def render(tex: str, display: bool = False) -> tuple[str, tuple[str, ...]]:
    """KaTeX's HTML+MathML for ``tex`` (no TeX annotation) and its warnings."""
    key = (tex, display)
    if key not in _STATE.cache:
        result = json.loads(_context().call(
            "physdlRender", BARE_SCRIPT.sub(r"\1{\\\2}", tex), display))
        if "error" in result:
            raise MathError(f"{result['error']} in ${'$' if display else ''}{tex}$")
        _STATE.cache[key] = (ANNOTATION.sub("", result["html"]), tuple(result["warnings"]))
    return _STATE.cache[key]


def plain_text(rendered: str) -> str:
    """A readable plain-text form of rendered math, from its MathML tokens."""
    mathml = rendered.split('<span class="katex-html"', 1)[0]
    words = []
    for _tag, text in TOKEN.findall(mathml):
        text = html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
        if text:
            words.append(text)
    out = re.sub("[\u2061-\u2064]", "", " ".join(words))  # invisible operators
    out = re.sub(r"([(\[{]) | ([)\]},;])", r"\1\2", out)  # no space inside brackets
    return re.sub(r"\s+", " ", out).strip()


_SEPARATOR = re.compile(r"\\qquad(?![A-Za-z])|(?<=,)\s*\\quad(?![A-Za-z])")


def stacked(tex: str) -> str:
    """A display formula of several parts side by side, one part per line.

    Pages write related equations on one line, separated by ``\\qquad``
    (``a = b, \\qquad c = d``); on a phone that line is wider than the
    screen. Split at the top-level separators into a ``gathered`` block;
    a part that is only words (``\\text{즉}``) stays with the next one.
    """
    if "\\begin" in tex or "\\\\" in tex:
        return tex
    parts, depth, start = [], 0, 0
    i = 0
    while i < len(tex):
        c = tex[i]
        if c == "\\" and i + 1 < len(tex) and tex[i + 1] in "{}":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0:
            m = _SEPARATOR.match(tex, i)
            if m and tex.count("\\left", 0, i) == tex.count("\\right", 0, i):
                parts.append(tex[start:i].strip())
                start = i = m.end()
                continue
        i += 1
    parts.append(tex[start:].strip())
    parts = [p for p in parts if p]
    merged: list[str] = []
    for part in parts:
        if merged and re.fullmatch(r"\\text\{[^{}]*\}", merged[-1]):
            merged[-1] = f"{merged[-1]}\\quad {part}"
        else:
            merged.append(part)
    if len(merged) < 2:
        return tex
    return "\\begin{gathered}" + " \\\\ ".join(merged) + "\\end{gathered}"


def render_page(content: str, where: str = "") -> tuple[str, list[str]]:
    """Render every arithmatex span/div of ``content``.

    Returns the page with each formula replaced by a placeholder holding its
    plain-text form (what the search index and the meta description see),
    and the rendered formulas, which `fill` puts in place of the
    placeholders once the page has been indexed.
    """
    rendered_all: list[str] = []

    def one(m: re.Match) -> str:
        tex = html.unescape(m["tex"])
        display = m["open"] == "\\["
        try:
            rendered, warnings = render(stacked(tex) if display else tex, display)
        except MathError as exc:
            raise PluginError(f"katex: {where}: {exc}") from None
        for warning in warnings:
            log.warning("katex: %s: %s in $%s$", where, warning, tex)
        plain = html.escape(plain_text(rendered), quote=False)
        rendered_all.append(rendered)
        tag = m["tag"]
        return f'<{tag} class="arithmatex" data-physdl-math="{len(rendered_all) - 1}">{plain}</{tag}>'

    return MATH.sub(one, content), rendered_all


def fill(content: str, rendered: list[str]) -> str:
    """Put the rendered formulas in place of `render_page`'s placeholders."""
    return PLACEHOLDER.sub(
        lambda m: f'<{m[1]} class="arithmatex">{rendered[int(m[2])]}</{m[1]}>', content)


_TOC_MATH = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.S)


def _plain_toc(items) -> None:
    for item in items:
        if "\\(" in item.title or "\\[" in item.title:
            item.title = _TOC_MATH.sub(
                lambda m: plain_text(render(html.unescape(m[1] or m[2]))[0]), item.title)
        _plain_toc(item.children)


# ------------------------------------------------------------------- events
_pages: dict[str, list[str]] = {}  # page src -> its rendered formulas


def on_page_content(html_text, page, config, files, **kwargs):
    out, rendered = render_page(html_text, f"docs/{page.file.src_uri}")
    _pages[page.file.src_uri] = rendered
    _plain_toc(page.toc)
    return out


@event_priority(-50)  # after Material's search plugin has indexed the page
def on_page_context(context, page, config, nav, **kwargs):
    rendered = _pages.pop(page.file.src_uri, None)
    if rendered and page.content:
        page.content = fill(page.content, rendered)
    return context


def on_shutdown(**kwargs):
    close()
    _STATE.cache.clear()


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        rendered, warnings = render(arg)
        print(rendered)
        print("plain:", plain_text(rendered), "warnings:", warnings)
    close()
