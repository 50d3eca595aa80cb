"""Every decimal number the prose states is printed (or typed) by a snippet.

The site's promise is that prose and code cannot drift apart; a number in
the prose is checked only if a snippet on the same page prints it. So every
decimal number in a lesson's prose or math must appear in the page's code:
in an expected output (a measured value) or in the code itself (a value the
page chose). Compared numerically: ``0.14`` in the prose matches a printed
``0.1379``. Exempt are numbers on a line that cites the bibliography (a
published value beside its reference), lesson numbers (``1.2``), versions
(``2.13.0``) and numbered tables, sections, equations and figures.
"""

from __future__ import annotations

import re

import pytest

from sitekit import blocks, registry

# a decimal, optionally in scientific form: 4.7e-4, 4.7 \times 10^{-4}, 4.7 × 10⁻⁴
NUMBER = re.compile(
    r"(?<![\w.])[-−]?\d*\.\d+(?:[eE][-+]?\d+)?(?![\w.])"
    r"(?:\s*(?:\\times|×|\\cdot)\s*10\^\{?(?P<exp>[-−]?\d+)\}?)?"
)
ANY_NUMBER = re.compile(r"[-−]?\d*\.?\d+(?:[eE][-+]?\d+)?")
CITES = re.compile(r"bibliography\.md#")
AFTER = re.compile(r"\s*(?:레슨|절|장|부)")  # Korean puts the noun after: "1.3 레슨"
LESSON_NUMBERS = {lesson.number for lesson in registry.registry().lessons}
NUMBERED = re.compile(
    r"(?:Python|Table|Section|Sec\.|Eq\.|Equation|Figure|Fig\.|Chapter|Appendix|lesson|Lesson|"
    r"표|절|식|그림|장|레슨|부록)\s*\(?$"
)


def stated(text: str) -> list[tuple[int, str]]:
    """(line, number) of each decimal number in the prose and math."""
    reg_prose = _without_code(text)
    linked = set(re.findall(r"\[[^\]]*?\b(\d+\.\d+)\b[^\]]*\]\([^)]*\.md", text))
    out = []
    for n, line in enumerate(reg_prose.split("\n"), start=1):
        if CITES.search(line) or line.lstrip().startswith(("<a ", "!", "[")):
            continue
        stripped = _without_links_and_versions(line)
        for m in NUMBER.finditer(stripped):
            mantissa = re.match(r"[-−]?\d*\.\d+(?:[eE][-+]?\d+)?", m.group()).group()
            value = mantissa.replace("−", "-")
            if m["exp"]:
                value = f"{value}e{m['exp'].replace('−', '-')}"
            before = stripped[: m.start()]
            if value in LESSON_NUMBERS and value in linked:
                continue  # a lesson the page links elsewhere, e.g. "2.2's network"
            if NUMBERED.search(before) or AFTER.match(stripped[m.end():]):
                continue
            out.append((n, value))
    return out


def _without_code(text: str) -> str:
    for block in reversed(blocks.parse(text, strict=False)):
        text = text[: block.start] + "\n" * (text.count("\n", block.start, block.end)) + text[block.end:]
    return re.sub(r"`[^`\n]+`", "", text)  # code spans are code


def _without_links_and_versions(line: str) -> str:
    line = re.sub(r"\]\([^)]*\)", "]", line)  # link targets
    line = re.sub(r"\[(\d+\.\d+)\]", "", line)  # [1.2] lesson links
    return re.sub(r"\d+\.\d+\.\d+", "", line)  # versions


def shown(text: str) -> list[float]:
    """Every number in the page's code blocks (source and expected output)."""
    found = []
    for block in blocks.parse(text, strict=False):
        if block.runs:
            found += [float(x) for x in ANY_NUMBER.findall(block.source.replace("−", "-"))]
    return found


def matches(value: str, printed: list[float]) -> bool:
    """``value`` equals a printed number rounded to ``value``'s precision."""
    x = float(value)
    mantissa, _, exponent = value.lower().partition("e")
    digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
    tol = 0.5 * 10 ** (-digits + int(exponent or 0)) * (1 + 1e-9)
    # the magnitude matches (a prose "0.012 high" may be printed as -0.012)
    return any(abs(abs(p) - abs(x)) <= tol for p in printed)


LESSONS = [(lesson, lang) for lesson in registry.registry().written()
           for lang in registry.LANGUAGES]


@pytest.mark.parametrize(("lesson", "lang"), LESSONS, ids=lambda p: getattr(p, "number", p))
def test_every_stated_number_is_printed(lesson, lang):
    text = lesson.source(lang).read_text(encoding="utf-8")
    printed = shown(text)
    missing = [f"line {n}: {v}" for n, v in stated(text) if not matches(v, printed)]
    assert missing == [], (
        f"docs/{lesson.slug}.{lang}.md states numbers no snippet on the page prints: "
        + ", ".join(missing)
        + ". Print each with a snippet, or cite its published source on the same line."
    )


def test_the_check():
    page = (
        "The capacity is 0.138 ([AGS 1985](../reference/bibliography.md#amit1985)).\n"
        "We measure 0.14 and a gap of 2.5 in lesson [1.2](x.md), Table 2.1, numpy 2.4.6.\n"
        "Errors are $4.7 \\times 10^{-4}$ and $5.1 \\times 10^{-3}$; 1.2 again.\n\n"
        "```pycon\n>>> print(0.1379, 0.00047)\n0.1379 0.00047\n```\n"
    )
    # 0.14 is printed (as 0.1379), 4.7e-4 too; 2.5 and 5.1e-3 are not;
    # the citation line, the lesson number, the table and the version are exempt
    assert [v for _, v in stated(page) if not matches(v, shown(page))] == ["2.5", "5.1e-3"]
