"""Drive a real browser (Debian's chromium, headless) over the built site.

The site comes from ``_sitebuild.site_dir()``: ``PHYSDL_SITE_DIR`` (``make
test`` points it at the ``site/`` it has just built) or else a fresh
``mkdocs build --strict`` into a temporary directory. ``conftest.py`` serves
it on 127.0.0.1 (gzip, as GitHub Pages) and crawls every page of the site
(both languages) at 1440 px in the light palette and at 390 px in the dark
one, recording requests, console messages, failed responses, math and
figures; the tests below assert on those records. The search, language
switch and copy tests drive pages themselves.

The module is skipped when /usr/bin/chromium is missing (``apt-get install
chromium``), unless ``PHYSDL_REQUIRE_BROWSER=1`` (set by .ci/run), which
turns the skip into a failure so CI cannot go green without these tests.
Playwright's own browser download is not used (it needs the network);
``PHYSDL_CHROMIUM`` may name another chromium binary.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from sitekit import blocks
from sitekit import sitebuild as _sitebuild

from browserkit import CHROMIUM, new_context, own_site_url, search  # noqa: E402

#: The example lesson, in both languages.
LESSON = "physics/hopfield/"
LESSON_SOURCE = _sitebuild.ROOT / "docs" / "physics" / "hopfield.ko.md"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")

#: Console errors that are expected and harmless, each with its reason.
#: A pattern matches the message text plus " @ " plus the source URL.
#: (Material 9.8's requests for sitemap.xml beside every alternate-language
#: link used to 404 here; hooks/publish.py now writes those sitemaps.)
KNOWN_CONSOLE_ERRORS: list[tuple[re.Pattern, str]] = []

if not CHROMIUM.exists():
    reason = f"chromium not installed ({CHROMIUM} missing): apt-get install chromium"
    if os.environ.get("PHYSDL_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (PHYSDL_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)

try:
    import playwright.sync_api as playwright_sync  # noqa: F401
except ImportError as exc:  # importorskip would skip even where CI requires the browser
    reason = f"playwright is not importable ({exc}): make install"
    if os.environ.get("PHYSDL_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (PHYSDL_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)

# generous but bounded: the first test also waits for the build (no
# PHYSDL_SITE_DIR) and for the crawls of every page with axe-core
pytestmark = [pytest.mark.browser, pytest.mark.timeout(1200)]


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def base_url(site_url):
    return site_url


@pytest.fixture(scope="module")
def context(chromium, site_url):
    """A 1440 px light context with clipboard access, for the driving tests."""
    context = new_context(chromium, site_url, 1440, 900, "light")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    yield page
    page.close()


@pytest.fixture(scope="module")
def crawl(desktop_crawl):
    """{path: page state} of every page at 1440 px (conftest.py)."""
    return desktop_crawl.states


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


@pytest.mark.parametrize(
    "start, query, expected",
    [("", "홉필드", "/" + LESSON), ("en/", "Hopfield", "/en/" + LESSON)],
)
def test_search_finds_the_lesson(page, base_url, start, query, expected):
    page.goto(f"{base_url}/{start}")
    found = [urlsplit(r["href"]).path for r in search(page, query)]
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
    # the shown variant of each figure (the other palette's is hidden)
    figures = [(p, f) for p, s in crawl.items() for f in s["figures"] if f["visible"]]
    broken = [(p, f) for p, f in figures if not (f["complete"] and f["naturalWidth"] > 0)]
    print(f"{len(figures)} figures on {len({p for p, _ in figures})} pages")
    # the example lesson shows its figures in both languages
    assert crawl[LESSON]["figures"] and crawl["en/" + LESSON]["figures"]
    assert broken == []  # every figure decoded to a non-empty image


def test_no_request_leaves_127_0_0_1(crawl, desktop_crawl, phone_crawl):
    requests = desktop_crawl.recorder.requests + phone_crawl.recorder.requests
    own = own_site_url()  # the site's own deployed URL, answered from the build
    hosts = {urlsplit(u).hostname for u in requests
             if not u.startswith(("data:", "blob:", own))}
    print(f"{len(requests)} requests over {len(crawl)} pages, hosts {hosts}, "
          f"{sum(u.startswith(own) for u in requests)} to {own} (its sitemaps)")
    assert len(requests) > 4 * len(crawl)  # pages and their assets were seen
    # nothing but the site itself: no CDN, no font service, no API
    assert hosts == {"127.0.0.1"}, [u for u in requests if "127.0.0.1" not in u][:10]


def _known(line: str) -> str | None:
    text = line.split(": ", 1)[1]
    return next((why for pattern, why in KNOWN_CONSOLE_ERRORS if pattern.search(text)), None)


@pytest.mark.parametrize("which", ["desktop", "phone"])
def test_no_console_errors(request, which):
    rec = request.getfixturevalue(f"{which}_crawl").recorder
    unknown = [m for m in rec.console if not _known(m)]
    known = len(rec.console) - len(unknown)
    print(
        f"{which}: {len(rec.console)} console errors/warnings, {known} known harmless; "
        f"failed responses: {len(rec.failed)}"
    )
    assert rec.page_errors == []  # no uncaught JavaScript exception
    assert unknown == []  # nothing in the console (the sitemap 404s are gone)
    assert rec.failed == []  # no missing resource, sitemap.xml included


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
    # solutions are collapsed boxes: open them, as a reader would
    page.evaluate("document.querySelectorAll('.md-content details').forEach(d => d.open = true)")
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
