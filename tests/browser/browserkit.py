"""Helpers of the browser tests: serving the site, contexts, the crawls.

The site comes from ``sitekit.sitebuild.site_dir()`` (``PHYSDL_SITE_DIR``,
else a fresh strict build). It is served by ``http.server`` on 127.0.0.1
with gzip, as GitHub Pages serves it. One chromium (Debian's) serves the
whole session (conftest.py). Every page of the site is opened twice, once
per crawl:

- ``desktop_crawl``: 1440 x 900, light palette;
- ``phone_crawl``: 390 x 844, dark palette (a phone at night).

Each visit records the page's state (math, figures, layout, type sizes, code
colours, layout shift) and runs axe-core on it, so the tests in this folder
assert on records instead of loading pages again. Both languages are
crawled, so every page is checked in both palettes and both widths.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path(os.environ.get("PHYSDL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
HERE = Path(__file__).resolve().parent

#: (width, height, palette) of the two crawls
DESKTOP = (1440, 900, "light")
PHONE = (390, 844, "dark")

#: what GitHub Pages compresses (its CDN gzips text; images and fonts not)
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".ipynb"}


# ------------------------------------------------------------------ server
class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-encoded where GitHub Pages would (text types)."""

    def log_message(self, format, *args):
        pass

    def send_head(self):
        url_path = self.path.split("?", 1)[0].split("#", 1)[0]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not url_path.endswith("/"):
                return super().send_head()  # redirects to the directory's URL/
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in COMPRESSED):
            return super().send_head()
        data = gzip.compress(path.read_bytes(), 6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # the browser drops requests it no longer needs when a test moves on
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve(directory: Path, port: int = 0) -> tuple[_Server, str]:
    """Serve ``directory`` on 127.0.0.1 (a free port by default) in a thread."""
    server = _Server(("127.0.0.1", port), functools.partial(_Handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def own_site_url() -> str:
    """The URL the site was built for (its canonical and hreflang links)."""
    from sitekit import sitebuild

    return sitebuild.site_url()


def _as_deployed(site_url: str, base: str):
    """Answer a request for the site's own deployed URL from the local server.

    The site refers to itself by the URL it is built for (canonical and
    ``hreflang`` links must be full URLs), and Material fetches
    ``sitemap.xml`` beside each ``hreflang`` link. Deployed, that is the
    page's own origin; here the built files are served on 127.0.0.1, so the
    test answers such a request with the same file (CORS allowed, as a
    same-origin request needs none).
    """
    prefix = site_url.rstrip("/")

    def handle(route):
        local = base + "/" + route.request.url[len(prefix):].lstrip("/")
        response = route.fetch(url=local)
        headers = dict(response.headers, **{"access-control-allow-origin": "*"})
        route.fulfill(response=response, headers=headers)

    return handle


def new_context(browser, base: str, width: int, height: int, palette: str, recorder=None):
    """A context at a viewport and palette that never reaches the network."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        color_scheme="dark" if palette == "dark" else "light",
        is_mobile=width < 600,
        has_touch=width < 600,
    )
    context.set_default_timeout(TIMEOUT_MS)
    if recorder is not None:
        recorder.attach_context(context)
    # a request to any other host is recorded, then aborted ...
    context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/])"), lambda r: r.abort())
    # ... except one for the site's own deployed URL, answered from the build
    site_url = own_site_url()
    if not site_url.startswith(base):
        context.route(re.compile("^" + re.escape(site_url)), _as_deployed(site_url, base))
    return context


# ------------------------------------------------------------------ search
def search(page, query: str) -> list[dict]:
    """Type ``query`` into Material's search; return the results shown.

    Each result is ``{"href": ..., "text": ...}``. Hangul is typed with
    insertText (no key events) and Material reacts to keyup, so a key press
    afterwards sends the keyup it waits for.
    """
    box = page.locator("input.md-search__input")
    box.focus()  # opens Material's search, also where it hides behind an icon
    # type once the dialog is open: keys sent while Material is still opening
    # it land before the caret it then sets ('홉필드' arrived as '필드홉' on a
    # cold phone page)
    page.wait_for_function("document.querySelector('input[data-md-toggle=search]').checked")
    page.keyboard.type(query)
    assert box.input_value() == query, box.input_value()
    results = page.locator(".md-search-result__item > a, a.md-search-result__link")
    # the worker builds the index on the first query: allow a slow machine
    deadline = time.monotonic() + 3 * TIMEOUT_MS / 1000
    while results.count() == 0 and time.monotonic() < deadline:
        page.keyboard.press("End")  # Material listens to keyup: send one more
        page.wait_for_timeout(250)
    return results.evaluate_all(
        "as => as.map(a => ({href: a.href, text: a.innerText}))")


class Recorder:
    """Every request, failed response and console message of a context."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.failed: list[str] = []  # "404 url"
        self.console: list[str] = []  # "type: text @ url"
        self.page_errors: list[str] = []

    def attach_context(self, context) -> None:
        context.on("request", lambda r: self.requests.append(r.url))
        context.on(
            "response",
            lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"),
        )
        context.on("page", self.attach_page)

    def attach_page(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.page_errors.append(f"{page.url}: {e}"))

    def _console(self, msg) -> None:
        if msg.type in ("error", "warning"):
            self.console.append(f"{msg.type}: {msg.text} @ {msg.location.get('url', '')}")


def all_pages(site: Path) -> list[str]:
    """URL paths of every page of the built site ("" is the home page).

    ``PHYSDL_CRAWL_ONLY=physics/,en/physics/`` (comma-separated prefixes)
    narrows the crawls while debugging a test; never set it in CI.
    """
    only = [p for p in os.environ.get("PHYSDL_CRAWL_ONLY", "").split(",") if p]
    paths = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        path = "" if rel == "." else rel + "/"
        if not only or path in ("", "en/") or path.startswith(tuple(only)):
            paths.append(path)
    return paths


# ------------------------------------------------------------------ crawls
PROBE_JS = (HERE / "probe.js").read_text(encoding="utf-8")
AXE_JS = None


def _axe_script() -> str:
    global AXE_JS
    if AXE_JS is None:
        from axe_playwright_python.base import AXE_SCRIPT

        AXE_JS = AXE_SCRIPT
    return AXE_JS


#: axe-core rule sets: WCAG 2.0/2.1 A and AA plus best practices
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
#: What axe does not look at, and why (see test_a11y.py and
#: test_presentation.py for the checks that take their place):
#: - ``.katex``: the formulas KaTeX wrote at build time: an aria-hidden
#:   visual rendering, whose colour is the paragraph's (axe checks it on the
#:   paragraph), and a visually hidden MathML copy for screen readers, which
#:   no axe rule covers; test_presentation.py checks every formula has it.
#:   A lesson has thousands of these elements, which would make the audit
#:   of the site several times slower;
#: - ``.highlight``: code blocks, whose token colours test_a11y.py checks
#:   exhaustively (every token of every page in both palettes, against the
#:   block's background) at a fraction of axe's per-element cost; their
#:   copy buttons and scrolling are checked by the keyboard test.
AXE_EXCLUDE = [[".katex"], [".highlight"]]
AXE_RUN_JS = """async ([exclude, tags]) => {
  const r = await axe.run({exclude}, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
    selectors: true, ancestry: false, xpath: false, iframes: false, preload: false});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '),
                              summary: (n.failureSummary || '').slice(0, 300)}))}));
}"""


# Render every block now, should a stylesheet let the browser skip the
# layout of blocks far from the screen (content-visibility): the checks see
# each formula, figure and colour as the reader will.
RENDER_ALL_JS = """() => { const s = document.createElement('style');
  s.textContent = '.md-typeset > * { content-visibility: visible !important; }';
  document.head.append(s);
  // two frames: layout, then the page's ResizeObservers (site.js)
  return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); }"""
# Figures are lazy (loaded when scrolled to) and come in a light and a dark
# variant, one of them hidden: load the shown ones now, wait until decoded.
LOAD_FIGURES_JS = """() => Promise.all([...document.querySelectorAll('img')]
  .filter(i => i.loading === 'lazy' && getComputedStyle(i).display !== 'none')
  .map(i => { i.loading = 'eager'; return i.decode().catch(() => null); }))"""


@dataclass
class Crawl:
    width: int
    palette: str
    states: dict = field(default_factory=dict)  # path -> probe result
    axe: dict = field(default_factory=dict)  # path -> [violation]
    recorder: Recorder = field(default_factory=Recorder)
    seconds: float = 0.0


#: starts the probe and axe on a loaded page without waiting for them
START_JS = """([exclude, tags, audit]) => {
  window.__physdl = (async () => {
    const probe = await (%s)();
    const violations = audit ? await (%s)([exclude, tags]) : null;
    return {probe, violations};
  })();
}""" % (PROBE_JS.strip().rstrip(";"), AXE_RUN_JS)


def crawl_sites(browser, base: str, site: Path, views, run_axe: bool = True) -> list[Crawl]:
    """Visit every page of the site once per view ``(width, height, palette)``.

    The views advance together, page by page, each in its own context (its
    own renderer process): while one page's probe and axe-core run, the
    next view loads the same page, so two cores work at once.
    """
    crawls, contexts, pages = [], [], []
    for width, height, palette in views:
        crawl = Crawl(width, palette)
        context = new_context(browser, base, width, height, palette, crawl.recorder)
        if run_axe:
            context.add_init_script(_axe_script())
        crawls.append(crawl)
        contexts.append(context)
        pages.append(context.new_page())
    start = time.monotonic()
    try:
        for path in all_pages(site):
            for page in pages:
                page.goto(f"{base}/{path}", wait_until="load")
                page.evaluate(RENDER_ALL_JS)
                page.evaluate(LOAD_FIGURES_JS)
                page.evaluate(START_JS, [AXE_EXCLUDE, AXE_TAGS, run_axe])
            for crawl, page in zip(crawls, pages):
                result = page.evaluate("() => window.__physdl")
                crawl.states[path] = result["probe"]
                if run_axe:
                    crawl.axe[path] = result["violations"]
        for page in pages:
            page.wait_for_load_state("networkidle")
    finally:
        for context in contexts:
            context.close()
    for crawl in crawls:
        crawl.seconds = time.monotonic() - start
    return crawls
