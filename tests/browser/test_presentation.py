"""Every page reads well on a phone, in dark mode and in Korean (issue 9).

Each check runs on both crawls of conftest.py (every page of both languages,
at 1440 px in the light palette and at 390 px in the dark one), or drives
its own page at both: math rendered at build time, display formulas never
clipped, no sideways scrolling, admonition text of 14 px, Korean line
breaking and fonts, figures in the page's language and palette with legible
text, search per language, and the weight of a lesson's first load.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from browserkit import CHROMIUM, new_context, search

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1200)]
if not CHROMIUM.exists():  # conftest's chromium fixture says why
    pytestmark.append(pytest.mark.skipif(True, reason="chromium missing"))

HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: the three lessons whose weight issue 9 tracks
LESSONS = {"hopfield": "physics/hopfield/", "backprop": "history/backprop/",
           "momentum": "training/momentum/"}
#: budgets of issue 9
FIRST_LOAD_GZIP = 400 * 1024
FILE_BYTES = 500 * 1024
INDEX_BYTES = 500 * 1024
MIN_ADMONITION_PX = 14
#: figures: smallest text in points (figures/_style.py SMALL) and on screen
FIGURE_MIN_PT, FIGURE_MIN_PX = 10.0, 10.0
#: TeX left in text a reader sees (a command, a $ delimiter, \( or \[)
TEX = re.compile(r"\\[a-zA-Z]{2,}|\\[()\[\]]|\$")


def lang_of(path: str) -> str:
    return "en" if path.startswith("en/") else "ko"


# ----------------------------------------------------------------- math
def test_math_is_rendered_at_build_time(any_crawl):
    bad = {}
    for path, s in any_crawl.states.items():
        scripts = [u for u in s["scripts"] if "katex" in u or "auto-render" in u]
        problems = []
        if scripts:
            problems.append(f"loads {scripts}")
        if s["katex"] != s["arithmatex"]:
            problems.append(f"{s['arithmatex']} formulas, {s['katex']} rendered")
        if s["katexErrors"] or s["rawMath"]:
            problems.append(f"{s['katexErrors']} errors, {s['rawMath']} raw TeX")
        if s["mathml"] != s["katex"]:
            problems.append(f"{s['katex'] - s['mathml']} formulas without MathML")
        if problems:
            bad[path] = problems
    formulas = sum(s["katex"] for s in any_crawl.states.values())
    print(f"{any_crawl.width} px: {formulas} formulas, all from the HTML, each with MathML")
    # no KaTeX JavaScript; every formula rendered in the HTML with MathML
    assert bad == {}


def test_headings_show_no_tex(any_crawl):
    bad = {p: s["h1"] for p, s in any_crawl.states.items() if TEX.search(s["h1"])}
    # titles come from the registry: no TeX in them
    assert bad == {}


def test_display_math_is_never_clipped(any_crawl):
    scrolled, clipped = [], []
    for path, s in any_crawl.states.items():
        for d in s["displays"]:
            outside = d["left"] < 0 or d["right"] > s["viewport"] + 1
            if d["overflow"] > 1:
                scrolled.append((path, d["overflow"], d["tex"][:50]))
                if not (d["scrolls"] and d["focusable"]):
                    clipped.append((path, "overflow not scrollable by keyboard", d["tex"][:50]))
            if outside:
                clipped.append((path, f"box at {d['left']}..{d['right']} px", d["tex"][:50]))
    total = sum(len(s["displays"]) for s in any_crawl.states.values())
    print(f"{any_crawl.width} px: {total} display formulas, {len(scrolled)} scroll "
          f"inside their box: {scrolled}")
    # inside the screen, and a too-wide one scrolls in its own focusable box
    assert clipped == []
    if any_crawl.width >= 1000:
        assert scrolled == []  # at 1440 px every formula fits


def test_no_page_scrolls_sideways(any_crawl):
    bad = {p: s["pageOverflow"] for p, s in any_crawl.states.items() if s["pageOverflow"] > 0}
    # the document is never wider than the viewport
    assert bad == {}


def test_admonition_text_is_at_least_14px(any_crawl):
    sizes = [px for s in any_crawl.states.values() for px in s["admonitionPx"]]
    small = {p: min(s["admonitionPx"]) for p, s in any_crawl.states.items()
             if s["admonitionPx"] and min(s["admonitionPx"]) < MIN_ADMONITION_PX}
    print(f"{any_crawl.width} px: admonition text {min(sizes):.1f}-{max(sizes):.1f} px")
    assert small == {}


def test_korean_typography(any_crawl):
    ko = {p: s for p, s in any_crawl.states.items() if lang_of(p) == "ko"}
    sample = ko[LESSONS["hopfield"]]
    print(f"{any_crawl.width} px: word-break {sample['wordBreak']}; fonts {sample['fontFamily']}")
    for path, s in ko.items():
        # Hangul breaks between words only
        assert s["wordBreak"] == "keep-all", path
        # a Korean-first stack of system fonts
        first = s["fontFamily"].split(",")[0].strip().strip('"')
        assert first in ("Apple SD Gothic Neo", "Malgun Gothic"), (path, s["fontFamily"])
        # emphasis is never slanted (Hangul has no italic)
        assert s["emStyle"] in (None, "normal"), path


# -------------------------------------------------------------- figures
def test_figures_in_the_page_language_and_palette(any_crawl):
    palette = any_crawl.palette
    bad, count = [], 0
    for path, s in any_crawl.states.items():
        lang = lang_of(path)
        for f in s["figures"]:
            if not f["visible"]:
                continue
            count += 1
            name = f["src"].rsplit("/", 1)[-1]
            if not name.endswith(f"-{lang}-{palette}.svg"):
                bad.append((path, name, f"not the {lang}/{palette} variant"))
            if not (f["inFigure"] and f["widthAttr"] and f["heightAttr"]):
                bad.append((path, name, "no <figure>, width or height"))
            number = "그림" if lang == "ko" else "Figure"
            if not re.match(rf"{number} \d+\.", f["caption"]):
                bad.append((path, name, f"caption {f['caption'][:30]!r} is not numbered"))
            has_hangul = bool(HANGUL.search(f["alt"]))
            if not f["alt"].strip() or has_hangul != (lang == "ko"):
                bad.append((path, name, f"alt text {f['alt'][:40]!r} not in {lang}"))
    print(f"{any_crawl.width} px {palette}: {count} figures shown")
    assert count > 0
    # the figure of the page's language and palette, numbered, sized, with alt text
    assert bad == []


def test_figure_text_is_legible(any_crawl):
    smallest, bad = None, []
    for path, s in any_crawl.states.items():
        for f in s["figures"]:
            if not (f["visible"] and f["naturalWidth"]):
                continue
            # text of FIGURE_MIN_PT points in an SVG drawn at its natural size
            # (1 pt = 4/3 px) and shown f["width"] px wide
            px = FIGURE_MIN_PT * 4 / 3 * f["width"] / f["naturalWidth"]
            smallest = px if smallest is None else min(smallest, px)
            if px < FIGURE_MIN_PX - 0.05:
                bad.append((path, f["src"].rsplit("/", 1)[-1], round(px, 1)))
    print(f"{any_crawl.width} px: smallest figure text {smallest:.1f} px")
    assert bad == []


# --------------------------------------------------------------- search
SEARCH_CASES = [
    # (start page, query, a page that must be found)
    ("", "홉필드", "/physics/hopfield/"),
    ("", "학습", None),  # a two-letter Korean query finds something
    ("en/", "Hopfield", "/en/physics/hopfield/"),
    ("en/", "hopfield", "/en/physics/hopfield/"),
]


@pytest.mark.parametrize("width, palette", [(1440, "light"), (390, "dark")])
@pytest.mark.parametrize("start, query, expected", SEARCH_CASES)
def test_search_stays_in_the_page_language(chromium, site_url, width, palette,
                                           start, query, expected):
    context = new_context(chromium, site_url, width, 844, palette)
    indexes = []
    context.on("request", lambda r: "search_index" in r.url and indexes.append(
        urlsplit(r.url).path))
    page = context.new_page()
    try:
        page.goto(f"{site_url}/{start}")
        results = search(page, query)
    finally:
        context.close()
    paths = [urlsplit(r["href"]).path for r in results]
    print(f"{width} px {palette}: {query!r} on /{start}: {len(paths)} results {paths[:4]}; "
          f"index {indexes}")
    lang = lang_of(start)
    # the page loaded its own language's index only
    assert indexes == ["/en/search/search_index.json" if lang == "en" else
                       "/search/search_index.json"]
    assert paths, f"no result for {query!r}"
    # every result is a page of the same language
    assert all(p.startswith("/en/") == (lang == "en") for p in paths), paths
    if expected:
        assert expected in paths
    # snippets show text, never TeX
    assert not [r["text"] for r in results if TEX.search(r["text"])]


def test_search_indexes_are_small_and_plain(built_site):
    for lang, path in (("ko", "search/search_index.json"), ("en", "en/search/search_index.json")):
        data = (built_site / path).read_bytes()
        import json

        docs = json.loads(data)["docs"]
        tex = [d["location"] for d in docs if TEX.search(d["text"] + d["title"])]
        other = [d["location"] for d in docs if d["location"].startswith("en/")]
        print(f"{path}: {len(docs)} entries, {len(data) / 1024:.0f} KB")
        assert len(data) < INDEX_BYTES  # under 500 KB uncompressed
        assert tex == []  # no TeX in titles or snippets
        assert other == []  # locations relative to the language's root


# --------------------------------------------------------------- weight
def test_no_file_over_500_kb(built_site):
    big = sorted((f.stat().st_size, f.relative_to(built_site).as_posix())
                 for f in built_site.rglob("*") if f.is_file()
                 and f.stat().st_size > FILE_BYTES)
    largest = max((f.stat().st_size, f.name) for f in built_site.rglob("*") if f.is_file())
    print(f"largest file: {largest[1]} {largest[0] / 1024:.0f} KB")
    assert big == []


@pytest.mark.parametrize("width, palette", [(1440, "light"), (390, "dark")])
def test_lesson_first_load_weight(chromium, site_url, width, palette):
    """A lesson's first load (fresh cache) in bytes on the wire, gzip as
    GitHub Pages serves it (the test server gzips the same file types)."""
    rows = []
    for name, lesson in LESSONS.items():
        for prefix in ("", "en/"):
            context = new_context(chromium, site_url, width, 900, palette)
            responses = []
            context.on("requestfinished", lambda r: responses.append(r))
            page = context.new_page()
            page.goto(f"{site_url}/{prefix}{lesson}", wait_until="load")
            page.wait_for_load_state("networkidle")
            sent = sum(r.sizes()["responseBodySize"] for r in responses)
            files = len(responses)
            biggest = max(responses, key=lambda r: r.sizes()["responseBodySize"])
            context.close()
            rows.append((f"{prefix}{lesson}", sent, files, urlsplit(biggest.url).path))
    for path, sent, files, biggest in rows:
        print(f"{width} px {palette}: /{path}: {sent / 1024:.0f} KB in {files} files "
              f"(largest {biggest})")
    # at most 400 KB on the wire for a lesson's first load
    assert [r for r in rows if r[1] > FIRST_LOAD_GZIP] == []
