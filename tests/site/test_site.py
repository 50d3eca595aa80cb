"""Site checks: ko/en parity, every code block collected, citations resolve.

These read the Markdown sources only; the strict mkdocs build (run by
``make test`` before pytest) checks links and anchors in the rendered site.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sybil import Document

from sitekit import sitebuild as _sitebuild
import conftest

DOCS = Path(__file__).resolve().parents[2] / "docs"

FENCE = _sitebuild.FENCE
HEADING = re.compile(r"^#{1,6} ", re.M)
CITATION = re.compile(r"\]\([^)\s]*bibliography\.md#([\w.-]+)\)")
GLOSSARY_LINK = re.compile(r"\]\([^)\s]*glossary\.md#([\w.-]+)\)")
ANCHOR = re.compile(r'<a id="([\w.-]+)"></a>')


def fences(text: str) -> list[re.Match]:
    return list(FENCE.finditer(text))


def blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced block, in order."""
    return [(m["info"].strip().split(" ")[0], m["body"]) for m in fences(text)]


def headings(text: str) -> int:
    return len(HEADING.findall(FENCE.sub("", text)))


def page_pairs() -> list[str]:
    ko = {p.relative_to(DOCS).as_posix()[: -len(".ko.md")] for p in DOCS.rglob("*.ko.md")}
    en = {p.relative_to(DOCS).as_posix()[: -len(".en.md")] for p in DOCS.rglob("*.en.md")}
    return sorted(ko | en)


def all_pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def test_every_page_has_a_language_suffix():
    # the i18n plugin only pairs name.ko.md with name.en.md
    loose = [p for p in all_pages() if not re.search(r"\.(ko|en)\.md$", p.name)]
    assert loose == []


@pytest.mark.parametrize("page", page_pairs())
def test_ko_en_parity(page):
    ko, en = DOCS / f"{page}.ko.md", DOCS / f"{page}.en.md"
    assert ko.exists(), f"{page}: no Korean page"
    assert en.exists(), f"{page}: no English page"
    a, b = ko.read_text(encoding="utf-8"), en.read_text(encoding="utf-8")
    # code blocks byte-identical and in the same order
    assert blocks(a) == blocks(b)
    # the same number of section headings
    assert headings(a) == headings(b)


@pytest.mark.parametrize("path", all_pages(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_python_block_is_collected(path):
    """Each ```python / ```pycon fence must yield at least one Sybil region.

    A block the parsers silently missed would be shown to readers untested.
    """
    text = path.read_text(encoding="utf-8")
    document = Document(text, str(path))
    regions = [r for parser in conftest.PARSERS for r in parser(document)]
    starts = sorted(r.start for r in regions)
    for m in fences(text):
        language = (m["info"].strip().split() or [""])[0]
        if language not in conftest.LANGUAGES:
            continue
        inside = [s for s in starts if m.start() <= s < m.end()]
        line = text.count("\n", 0, m.start()) + 1
        assert inside, f"line {line}: ```{language} block not collected by Sybil"


def test_fence_with_attributes_is_collected():
    # the stock Sybil Markdown parser misses ```python title="x"; ours must not
    text = '```python title="demo.py" linenums="1"\nx = 1\n```\n'
    document = Document(text, "demo.md")
    regions = [r for parser in conftest.PARSERS for r in parser(document)]
    assert len(regions) == 1


def test_pycon_block_without_prompt_is_an_error():
    # a pycon block must be a doctest, otherwise its output would go unchecked
    document = Document("```pycon\nprint(1)\n1\n```\n", "demo.md")
    with pytest.raises(ValueError, match="must start with '>>>'"):
        [r for parser in conftest.PARSERS for r in parser(document)]


def _anchors(page: Path) -> set[str]:
    return set(ANCHOR.findall(page.read_text(encoding="utf-8")))


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_citations_and_glossary_links_resolve(lang):
    bib = _anchors(DOCS / f"reference/bibliography.{lang}.md")
    terms = _anchors(DOCS / f"reference/glossary.{lang}.md")
    missing = []
    for page in DOCS.rglob(f"*.{lang}.md"):
        # links inside code blocks (e.g. the lesson template) are not links
        text = FENCE.sub("", page.read_text(encoding="utf-8"))
        rel = page.relative_to(DOCS)
        missing += [f"{rel}: cites {k}" for k in CITATION.findall(text) if k not in bib]
        missing += [f"{rel}: term {k}" for k in GLOSSARY_LINK.findall(text) if k not in terms]
    assert missing == []


def test_bibliography_and_glossary_have_the_same_keys_in_both_languages():
    for name in ("bibliography", "glossary"):
        ko = _anchors(DOCS / f"reference/{name}.ko.md")
        en = _anchors(DOCS / f"reference/{name}.en.md")
        assert ko == en, f"{name}: only ko {sorted(ko - en)}, only en {sorted(en - ko)}"


def test_citation_patterns_find_links_but_not_prose():
    # the checks above are only as good as these patterns
    text = (
        "[Hopfield 1982](../reference/bibliography.md#hopfield1982) and "
        "[에너지](../reference/glossary.md#energy)(energy); "
        "prose mentioning `bibliography.md#key` is not a link."
    )
    assert CITATION.findall(text) == ["hopfield1982"]
    assert GLOSSARY_LINK.findall(text) == ["energy"]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_bibliography_sorted_by_key_and_glossary_by_term(lang):
    # readers scan these pages alphabetically; new entries go in their place
    bib = ANCHOR.findall((DOCS / f"reference/bibliography.{lang}.md").read_text("utf-8"))
    assert bib == sorted(bib)
    text = (DOCS / f"reference/glossary.{lang}.md").read_text("utf-8")
    terms = [t.lower() for t in re.findall(r'^<a id="[^"]+"></a>\n\*\*(.+?)\*\*', text, re.M)]
    assert len(terms) == len(ANCHOR.findall(text))  # every entry has a bold term
    assert terms == sorted(terms)
