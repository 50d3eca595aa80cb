"""Drive a real browser (Debian's chromium, headless) over the built site.

The site comes from ``_sitebuild.site_dir()``: ``PHYSDL_SITE_DIR`` (``make
test`` points it at the ``site/`` it has just built) or else a fresh
``mkdocs build --strict`` into a temporary directory. It is served by
``http.server`` on 127.0.0.1 at a free port. One browser and one context
serve the whole module; every page of the site (both languages) is opened
once by the ``crawl`` fixture, which records requests, console messages,
failed responses, math and figures, and the tests below assert on that
record; the search, language switch and copy tests drive pages themselves.

The module is skipped when /usr/bin/chromium is missing (``apt-get install
chromium``), unless ``PHYSDL_REQUIRE_BROWSER=1`` (set by .ci/run), which
turns the skip into a failure so CI cannot go green without these tests.
Playwright's own browser download is not used (it needs the network);
``PHYSDL_CHROMIUM`` may name another chromium binary.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sitekit import blocks
from sitekit import sitebuild as _sitebuild
from sitekit.sitebuild import site  # noqa: F401  (the fixture)

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
TIMEOUT_MS = 15_000  # per Playwright action (the whole module: ~20 s)

#: The example lesson, in both languages.
LESSON = "physics/hopfield/"
LESSON_SOURCE = _sitebuild.ROOT / "docs" / "physics" / "hopfield.ko.md"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")

#: Console errors that are expected and harmless, each with its reason.
#: A pattern matches the message text plus " @ " plus the source URL.
KNOWN_CONSOLE_ERRORS = [
    (
        re.compile(
            r"^Failed to load resource: .* 404 .* @ http://127\.0\.0\.1:\d+/.*sitemap\.xml$"
        ),
        (
            "Material 9.8 fetches sitemap.xml beside every alternate-language "
            "link (<link rel=alternate href=../../en/physics/hopfield/> -> "
            "en/physics/hopfield/sitemap.xml) to map pages between languages; "
            "mkdocs writes only the root sitemap.xml. On a 404 Material falls "
            "back to the alternate page's own URL, which is the right page, "
            "so the language switch still works (test_language_switch...)."
        ),
    ),
]

if not CHROMIUM.exists():
    reason = f"chromium not installed ({CHROMIUM} missing): apt-get install chromium"
    if os.environ.get("PHYSDL_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (PHYSDL_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)

try:
    import playwright.sync_api as playwright_sync
except ImportError as exc:  # importorskip would skip even where CI requires the browser
    reason = f"playwright is not importable ({exc}): make install"
    if os.environ.get("PHYSDL_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (PHYSDL_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)

# generous but bounded: the first test also waits for the build (no PHYSDL_SITE_DIR)
pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


# ---------------------------------------------------------------- fixtures
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # the browser drops requests it no longer needs when a test moves on
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)




@pytest.fixture(scope="module")
def base_url(site):
    """``http://127.0.0.1:PORT`` serving the built site."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
        )
        yield browser
        browser.close()


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


@pytest.fixture(scope="module")
def recorder():
    return Recorder()


@pytest.fixture(scope="module")
def context(browser, base_url, recorder):
    """One browser context for the module, with clipboard access."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    recorder.attach_context(context)
    # Never reach the network: a request to any other host is recorded (the
    # request event comes first) and then aborted, so no test waits on it.
    context.route(re.compile(r"^(?!http://127\.0\.0\.1[:/])"), lambda r: r.abort())
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    yield page
    page.close()


def all_pages(site: Path) -> list[str]:
    """URL paths of every page of the built site ("" is the home page)."""
    paths = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        paths.append("" if rel == "." else rel + "/")
    return paths


# A page's state once it has loaded: math, figures, visible text.
PAGE_STATE_JS = """() => {
  const content = document.querySelector('.md-content');
  const text = content ? content.innerText : '';
  const prose = content ? content.cloneNode(true) : null;
  if (prose) prose.querySelectorAll('pre, code, .katex').forEach(e => e.remove());
  return {
    lang: document.documentElement.lang,
    title: document.title,
    h1: (document.querySelector('.md-content h1') || {}).innerText || '',
    text: text,
    arithmatex: document.querySelectorAll('.arithmatex').length,
    katex: document.querySelectorAll('.katex').length,
    katexErrors: document.querySelectorAll('.katex-error').length,
    // TeX left as text: $$, $...$, \\( or \\[ outside code and KaTeX output
    rawMath: prose
      ? (prose.textContent.match(/\\$\\$|\\$[^$\\n]+\\$|\\\\\\(|\\\\\\[/g) || []).length : 0,
    figures: [...document.querySelectorAll('img')]
      .filter(i => new URL(i.src).pathname.startsWith('/figures/')
                   && getComputedStyle(i).display !== 'none')
      .map(i => ({src: new URL(i.src).pathname, complete: i.complete,
                  width: i.naturalWidth})),
  };
}"""

# Figures are lazy (loaded when scrolled to) and come in a light and a dark
# variant, one of them hidden: load the shown ones now, wait until decoded.
LOAD_FIGURES_JS = """() => Promise.all([...document.querySelectorAll('img')]
  .filter(i => i.loading === 'lazy' && getComputedStyle(i).display !== 'none')
  .map(i => { i.loading = 'eager'; return i.decode().catch(() => null); }))"""

# Rendered when every .arithmatex has KaTeX output or a KaTeX error.
MATH_DONE_JS = """() => [...document.querySelectorAll('.arithmatex')]
  .every(e => e.querySelector('.katex, .katex-error'))"""


@pytest.fixture(scope="module")
def crawl(context, base_url, site):
    """Open every page of the site once; return {path: page state}."""
    states = {}
    page = context.new_page()
    try:
        for path in all_pages(site):
            page.goto(f"{base_url}/{path}", wait_until="load")
            try:
                page.wait_for_function(MATH_DONE_JS, timeout=5_000)
            except playwright_sync.TimeoutError:
                pass  # unrendered math is recorded below; the math tests fail
            page.evaluate(LOAD_FIGURES_JS)
            states[path] = page.evaluate(PAGE_STATE_JS)
        # let the late requests of the last page (search worker, sitemaps) land
        page.wait_for_load_state("networkidle")
    finally:
        page.close()
    return states


# ------------------------------------------------------------------- tests
def test_every_page_was_crawled(crawl):
    # the home pages and the example lesson in both languages at least
    for path in ("", "en/", LESSON, "en/" + LESSON):
        assert path in crawl, f"{path!r} is not a page of the built site"
    print(f"crawled {len(crawl)} pages")


@pytest.mark.parametrize("path, lang", [("", "ko"), ("en/", "en")])
def test_home_page_renders_in_its_language(crawl, path, lang):
    state = crawl[path]
    assert state["lang"] == lang  # <html lang> set by the i18n plugin
    assert "physdl-docs" in state["title"]
    assert state["h1"].strip(), "no visible <h1>"
    hangul = len(HANGUL.findall(state["text"]))
    latin = len(LATIN.findall(state["text"]))
    print(
        f"/{path}: title {state['title']!r}, h1 {state['h1']!r}, "
        f"{hangul} Hangul / {latin} Latin letters"
    )
    if lang == "ko":
        # Korean prose (code and names are Latin, so not a majority test)
        assert hangul > 200, f"only {hangul} Hangul letters on the Korean home page"
    else:
        # English prose; at most a few Korean words (e.g. the language name)
        assert latin > 1000 and hangul < 0.02 * latin, (hangul, latin)


def _search(page, query: str) -> list[str]:
    """Type ``query`` into Material's search box; return result hrefs."""
    page.locator("input.md-search__input").click()
    # Material reacts to keyup; Hangul is typed via insertText (no key events),
    # so a key press afterwards sends the keyup it waits for.
    page.keyboard.type(query)
    results = page.locator(".md-search-result__item a, a.md-search-result__link")
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while results.count() == 0 and time.monotonic() < deadline:
        page.keyboard.press("End")  # the index may still be loading: retry
        page.wait_for_timeout(250)
    return [urlsplit(h).path for h in results.evaluate_all("as => as.map(a => a.href)")]


@pytest.mark.parametrize(
    "start, query, expected",
    [("", "홉필드", "/" + LESSON), ("en/", "Hopfield", "/en/" + LESSON)],
)
def test_search_finds_the_lesson(page, base_url, start, query, expected):
    page.goto(f"{base_url}/{start}")
    found = _search(page, query)
    print(f"search {query!r} on /{start}: {found[:5]}")
    assert expected in found, f"{expected} not among the results {found}"


def _switch_language(page, hreflang: str) -> None:
    page.hover(".md-header__option .md-select")
    page.locator(f"a.md-select__link[hreflang='{hreflang}']").click()
    page.wait_for_load_state("load")


def test_language_switch_stays_on_the_same_page(page, base_url):
    page.goto(f"{base_url}/{LESSON}")
    ko_h1 = page.locator(".md-content h1").inner_text()
    _switch_language(page, "en")
    page.wait_for_url(f"{base_url}/en/{LESSON}")
    assert page.evaluate("document.documentElement.lang") == "en"
    en_h1 = page.locator(".md-content h1").inner_text()
    _switch_language(page, "ko")
    page.wait_for_url(f"{base_url}/{LESSON}")
    assert page.evaluate("document.documentElement.lang") == "ko"
    print(f"{ko_h1!r} -> {en_h1!r} -> back")
    # the same lesson: Korean title, then English, then Korean again
    assert HANGUL.search(ko_h1) and not HANGUL.search(en_h1)
    assert ko_h1.split()[0] == en_h1.split()[0]  # lesson number, e.g. "1.2"


@pytest.mark.parametrize("path", [LESSON, "en/" + LESSON])
def test_math_is_rendered_on_the_lesson(crawl, path):
    state = crawl[path]
    print(f"/{path}: {state['arithmatex']} math spans, {state['katex']} KaTeX")
    assert state["katex"] > 0, "no KaTeX output"
    assert state["katex"] >= state["arithmatex"]  # every formula rendered
    assert state["katexErrors"] == 0
    assert state["rawMath"] == 0, "raw $$, $, \\( or \\[ left in the prose"


def test_math_is_rendered_on_every_page(crawl):
    bad = {
        p: (s["arithmatex"], s["katex"], s["katexErrors"], s["rawMath"])
        for p, s in crawl.items()
        if s["katex"] < s["arithmatex"] or s["katexErrors"] or s["rawMath"]
    }
    pages = sum(1 for s in crawl.values() if s["arithmatex"])
    print(f"math on {pages} pages")
    assert bad == {}, "(math spans, KaTeX, errors, raw delimiters) per page"


def test_figures_load(crawl):
    figures = [(p, f) for p, s in crawl.items() for f in s["figures"]]
    broken = [(p, f) for p, f in figures if not (f["complete"] and f["width"] > 0)]
    print(f"{len(figures)} figures on {len({p for p, _ in figures})} pages")
    # the example lesson shows its figures in both languages
    assert crawl[LESSON]["figures"] and crawl["en/" + LESSON]["figures"]
    assert broken == []  # every figure decoded to a non-empty image


def test_no_request_leaves_127_0_0_1(crawl, recorder):
    requests = recorder.requests
    hosts = {urlsplit(u).hostname for u in requests if not u.startswith(("data:", "blob:"))}
    print(f"{len(requests)} requests over {len(crawl)} pages, hosts {hosts}")
    assert len(requests) > 2 * len(crawl)  # pages and their assets were seen
    assert hosts == {"127.0.0.1"}, [u for u in requests if "127.0.0.1" not in u][:10]


def _known(line: str) -> str | None:
    text = line.split(": ", 1)[1]
    return next((why for pattern, why in KNOWN_CONSOLE_ERRORS if pattern.search(text)), None)


def test_no_console_errors(crawl, recorder):
    rec = recorder
    unknown = [m for m in rec.console if not _known(m)]
    known = len(rec.console) - len(unknown)
    failed = [f for f in rec.failed if not f.endswith("/sitemap.xml")]
    print(
        f"{len(rec.console)} console errors/warnings, {known} known harmless "
        f"(sitemap.xml 404s); failed responses: {len(rec.failed)}"
    )
    assert rec.page_errors == []  # no uncaught JavaScript exception
    assert unknown == []
    assert failed == []  # no missing resource besides those sitemaps


# ----------------------------------------------------------- copy button
def source_blocks(markdown: str) -> list[dict]:
    """The code blocks of a page in order, with what a copy should give.

    Read with the site's one block parser (``sitekit.blocks``): for a pycon
    block the copy is its code lines without prompts or outputs, for a
    python block its body. ``raises`` lists the exceptions the doctest
    expects; ``visible`` is False for an invisible code block (setup run by
    Sybil, not shown); ``skip`` marks a block a skip directive covers.
    """
    return [
        {
            "language": block.language,
            "code": blocks.copied_code(block),
            "raises": blocks.expected_exceptions(block),
            "visible": block.kind == "fence",
            "skip": skipped,
        }
        for block, skipped in blocks.runnable(markdown)
    ]


RUNNER = """\
import ast, json, sys, traceback
blocks = json.load(sys.stdin)
namespace = {"__name__": "__main__"}
for i, block in enumerate(blocks):
    name = f"<copied block {i}>"
    expected = list(block["raises"])
    # Like a doctest, run the statements one by one: a statement shown
    # raising (a traceback on the page) must raise exactly that exception,
    # and does not stop the statements after it.
    for node in ast.parse(block["code"], name).body:
        try:
            exec(compile(ast.Module([node], []), name, "exec"), namespace)
        except Exception as exc:
            if type(exc).__name__ not in expected:
                traceback.print_exc()
                sys.exit(f"block {i} line {node.lineno}: {type(exc).__name__}")
            expected.remove(type(exc).__name__)
    if expected:
        sys.exit(f"block {i}: expected {expected} to be raised")
print(f"ran {len(blocks)} blocks")
"""


def test_copy_button_copies_runnable_code(page, base_url, tmp_path):
    """Click every copy button of the lesson; the copies must be the code
    only (no prompts, no outputs) and run, in order, in a fresh Python."""
    page_blocks = source_blocks(LESSON_SOURCE.read_text(encoding="utf-8"))
    shown = [b for b in page_blocks if b["visible"]]
    page.goto(f"{base_url}/{LESSON}")
    divs = page.locator(".md-content div.language-python, .md-content div.language-pycon")
    assert divs.count() == len(shown), "code blocks on the page vs in the source"
    assert any(b["language"] == "pycon" for b in shown), "the lesson has no doctest"
    for i, block in enumerate(shown):
        div = divs.nth(i)
        assert f"language-{block['language']}" in div.get_attribute("class")
        page.evaluate("navigator.clipboard.writeText('')")
        div.scroll_into_view_if_needed()
        div.hover()
        div.locator("button.md-code__button[data-md-type='copy'], button.md-clipboard").click()
        block["copied"] = page.evaluate("navigator.clipboard.readText()")
        if block["language"] == "pycon":
            for line in block["copied"].splitlines():
                assert not line.startswith((">>>", "...")), f"prompt copied: {line!r}"
        # exactly the code lines of the source: nothing missing, nothing extra
        assert block["copied"] == block["code"], f"block {i}: copy != code"
    first = next(b for b in shown if b["language"] == "pycon" and b["raises"] == [])
    print("a doctest block as copied:\n" + first["copied"])

    # run what a reader copies, in page order (plus invisible setup blocks)
    runnable = [dict(b, code=b.get("copied", b["code"])) for b in page_blocks if not b["skip"]]
    run = subprocess.run(
        [sys.executable, "-c", RUNNER],
        input=json.dumps(runnable),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    print(run.stdout.strip().splitlines()[-1:])
    assert run.returncode == 0, run.stderr[-3000:]
