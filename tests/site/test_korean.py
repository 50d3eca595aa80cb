"""Korean typography in the sources: particles stay attached.

A Korean particle (조사) or copula ending is written straight after the word
it belongs to, also when that word is a formula or code: ``$T$에서``,
```conv2d`를``, never ``$T$ 에서``. A detached particle reads as a typo and
lets the browser break the line before it. The check reads every Korean
page (outside code blocks) and the Korean definitions of the glossary, and
names file, line and the offending text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sitekit import blocks, registry

DOCS = registry.ROOT / "docs"
GENERATED = re.compile(r"^reference/(glossary|bibliography|api/)")

#: particles and copula endings, longest first; each must be followed by a
#: word boundary (space, punctuation, end of line), so "$T$ 이하" (이하, "at
#: most", a noun) or "$n$ 개" are not mistaken for them
PARTICLES = sorted(
    """은 는 이 가 을 를 의 에 에서 에게 에서는 에서도 에는 에도 와 과 와는 과는 와의 과의
    로 으로 로서 으로서 로써 으로써 로는 으로는 로도 으로도 도 만 보다 까지 부터 처럼 만큼
    마다 이나 나 이다 이고 이며 이면 인 일 이라 라 이라는 라는 이라고 라고 입니다 이므로
    이지만 이란 란 이든 든""".split(),
    key=len,
    reverse=True,
)
#: inline math ($...$, not $$) or inline code, then a space, then a particle
DETACHED = re.compile(
    r"(?P<word>(?<!\$)\$[^$\n]+\$(?!\$)|`[^`\n]+`)[ \t]+"
    rf"(?P<particle>{'|'.join(PARTICLES)})(?=[\s.,;:!?)\]…·]|$)",
    re.M,
)


def korean_pages() -> list[Path]:
    pages = [p for p in DOCS.rglob("*.ko.md")
             if not GENERATED.match(p.relative_to(DOCS).as_posix())]
    pages += sorted((registry.ROOT / "templates").glob("*.ko.md"))
    return sorted(pages)


def prose(text: str) -> str:
    """The text with code blocks blanked out (line numbers kept)."""
    for block in reversed(blocks.parse(text, strict=False)):
        chunk = text[block.start : block.end]
        text = text[: block.start] + re.sub(r"[^\n]", " ", chunk) + text[block.end :]
    return text


def detached(text: str) -> list[tuple[int, str]]:
    """``(line, snippet)`` of each particle separated from its math/code."""
    out = []
    for m in DETACHED.finditer(prose(text)):
        line = text.count("\n", 0, m.start()) + 1
        out.append((line, m[0]))
    return out


def attach(snippet: str) -> str:
    """The snippet as it should read: the particle joined to its word."""
    return re.sub(r"[ \t]+(?=\S+$)", "", snippet)


@pytest.mark.parametrize(
    "text, found",
    [
        ("온도 $T$ 에서 자화가", ["$T$ 에서"]),
        ("`conv2d` 를 씁니다.", ["`conv2d` 를"]),
        ("$\\alpha$ 입니다.", ["$\\alpha$ 입니다"]),
        ("$N$ 일 때", ["$N$ 일"]),
        ("온도 $T$에서 자화가", []),  # attached: right
        ("$T$ 이하에서는", []),  # 이하 is a noun, not the particle 이
        ("$$E = 0$$ 에서", []),  # display math stands alone
        ("$n$ 개의 뉴런", []),  # a counter noun, written apart
    ],
)
def test_the_check_itself(text, found):
    # the pattern catches detached particles and nothing else
    assert [s for _, s in detached(text)] == found


@pytest.mark.parametrize("path", korean_pages(), ids=lambda p: p.relative_to(registry.ROOT).as_posix())
def test_particles_are_attached(path):
    bad = detached(path.read_text(encoding="utf-8"))
    rel = path.relative_to(registry.ROOT)
    # e.g. "docs/physics/ising.ko.md:12: '$T$ 에서' -> '$T$에서'"
    assert not bad, "\n".join(
        f"{rel}:{line}: {snippet!r} -> {attach(snippet)!r}" for line, snippet in bad
    )


def test_glossary_particles_are_attached():
    data = yaml.safe_load((registry.DATA / "glossary.yml").read_text(encoding="utf-8"))
    terms = data["terms"] if isinstance(data, dict) and "terms" in data else data
    bad = []
    for term in terms:
        for field in ("ko", "def"):
            value = term.get(field)
            texts = [value.get("ko")] if isinstance(value, dict) else [value]
            for text in texts:
                if isinstance(text, str):
                    bad += [f"{term.get('id')}: {s!r}" for _, s in detached(text)]
    # data/glossary.yml: the Korean definitions follow the same rule
    assert not bad, "\n".join(bad)
