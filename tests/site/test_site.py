"""Site checks on the Markdown sources: ko/en parity, citations and terms.

The strict mkdocs build (run by ``make test`` before pytest) checks links and
anchors in the rendered site; these checks read the sources and say which
file and line to fix.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitekit import blocks, registry

DOCS = registry.ROOT / "docs"
GENERATED = re.compile(r"^reference/(glossary|bibliography|api/)")
HEADING = re.compile(r"^#{1,6} ", re.M)
CITATION = re.compile(r"\]\([^)\s]*bibliography\.md#([\w.-]+)\)")
GLOSSARY_LINK = re.compile(r"\]\([^)\s]*glossary\.md#([\w.-]+)\)")


def source_pages(lang: str = "*") -> list[Path]:
    """Hand-written pages (not the ones hooks/site.py generates)."""
    return sorted(
        p for p in DOCS.rglob(f"*.{lang}.md")
        if not GENERATED.match(p.relative_to(DOCS).as_posix())
    )


def prose(text: str) -> str:
    """The page without its code blocks."""
    for block in reversed(blocks.parse(text, strict=False)):
        text = text[: block.start] + text[block.end :]
    return text


def page_pairs() -> list[str]:
    return sorted({p.relative_to(DOCS).as_posix()[: -len(".ko.md")] for p in source_pages()})


def test_every_page_has_a_language_suffix():
    # the i18n plugin only pairs name.ko.md with name.en.md
    loose = [p for p in DOCS.rglob("*.md") if not re.search(r"\.(ko|en)\.md$", p.name)]
    assert loose == []


def _describe(block: blocks.Block) -> str:
    first = block.source.strip().split("\n")[0][:60]
    return f"```{block.info or block.language} starting {first!r}"


@pytest.mark.parametrize("page", page_pairs())
def test_ko_en_parity(page):
    ko, en = DOCS / f"{page}.ko.md", DOCS / f"{page}.en.md"
    assert ko.exists(), f"docs/{page}.ko.md is missing (docs/{page}.en.md exists)"
    assert en.exists(), f"docs/{page}.en.md is missing (docs/{page}.ko.md exists)"
    a = blocks.code_blocks(ko.read_text(encoding="utf-8"), str(ko))
    b = blocks.code_blocks(en.read_text(encoding="utf-8"), str(en))
    # code blocks byte-identical, in the same order, at the same indentation
    for k, (x, y) in enumerate(zip(a, b), start=1):
        same = (x.kind, x.info, x.source, x.indent) == (y.kind, y.info, y.source, y.indent)
        assert same, (
            f"code block {k} differs: docs/{page}.ko.md:{x.line} (ko) has {_describe(x)}, "
            f"docs/{page}.en.md:{y.line} (en) has {_describe(y)}; the two pages must "
            "show byte-identical code"
        )
    assert len(a) == len(b), (
        f"docs/{page}: {len(a)} code blocks in ko, {len(b)} in en; the first unmatched "
        f"is at " + (f"ko line {a[len(b)].line}" if len(a) > len(b) else f"en line {b[len(a)].line}")
    )
    # the same sections
    ha = HEADING.findall(prose(ko.read_text(encoding="utf-8")))
    hb = HEADING.findall(prose(en.read_text(encoding="utf-8")))
    assert ha == hb, f"docs/{page}: headings ko {ha} vs en {hb}"


@pytest.mark.parametrize("lang", registry.LANGUAGES)
def test_citations_and_glossary_links_resolve(lang):
    refs = {r.id for r in registry.bibliography()}
    terms = {t.id for t in registry.glossary()}
    missing = []
    for page in source_pages(lang):
        text = prose(page.read_text(encoding="utf-8"))
        rel = page.relative_to(registry.ROOT)
        missing += [
            f"{rel}: cites {k!r}, which is not in data/bibliography.yml "
            "(add an entry: id author+year, text, doi or arxiv, in id order)"
            for k in CITATION.findall(text) if k not in refs
        ]
        missing += [
            f"{rel}: links term {k!r}, which is not in data/glossary.yml "
            "(add an entry: id, en, ko, def ko/en, in id order)"
            for k in GLOSSARY_LINK.findall(text) if k not in terms
        ]
    assert missing == [], "\n".join(missing)


def test_citation_patterns_find_links_but_not_code():
    # the checks above are only as good as these patterns
    text = (
        "[Hopfield 1982](../reference/bibliography.md#hopfield1982) and "
        "[에너지](../reference/glossary.md#energy)(energy)\n\n"
        "```text\n[not a link](../reference/bibliography.md#nobody2000)\n```\n"
    )
    assert CITATION.findall(prose(text)) == ["hopfield1982"]
    assert GLOSSARY_LINK.findall(prose(text)) == ["energy"]


def test_every_reference_is_cited_and_every_term_used():
    # an entry nobody links is either dead or a missing link on a page
    text = "\n".join(prose(p.read_text(encoding="utf-8")) for p in source_pages())
    cited = set(CITATION.findall(text))
    linked = set(GLOSSARY_LINK.findall(text))
    unused_refs = sorted(r.id for r in registry.bibliography() if r.id not in cited)
    unused_terms = sorted(t.id for t in registry.glossary() if t.id not in linked)
    assert unused_refs == [], f"data/bibliography.yml entries no page cites: {unused_refs}"
    assert unused_terms == [], f"data/glossary.yml terms no page links: {unused_terms}"
