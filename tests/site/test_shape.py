"""Every lesson has the common shape (docs/reference/contributing.*.md).

A goal box first; the body; a summary; 2-4 exercises, each with a worked
solution in a collapsible box whose code runs like every snippet; and no
hand-written title, prerequisites or previous/next links (hooks/site.py
adds them from data/lessons.yml). Corrections are stated as a common
explanation, never as "the notes", which a reader does not have.
"""

from __future__ import annotations

import re

import pytest

from sitekit import blocks, registry

WORDS = {
    "ko": {"goal": "목표", "summary": "정리", "exercises": "연습 문제", "solution": "풀이"},
    "en": {"goal": "Goal", "summary": "Summary", "exercises": "Exercises", "solution": "Solution"},
}
#: phrases that point at source material the reader never sees
NOTES = {"ko": re.compile(r"원본 노트|노트에서|노트의|노트는"), "en": re.compile(r"\bthe notes\b", re.I)}

LESSONS = [
    (lesson, lang)
    for lesson in registry.registry().written()
    if lesson.number != "0.1"  # the page about the site itself
    for lang in registry.LANGUAGES
]


def _id(param) -> str:
    return param.number if hasattr(param, "number") else param


def check_shape(text: str, lang: str) -> list[str]:
    """The shape problems of one lesson page (empty when it conforms)."""
    w = WORDS[lang]
    problems = []
    if not re.match(rf'!!! abstract "{w["goal"]}"\n', text):
        problems.append(f'the page must open with a goal box: !!! abstract "{w["goal"]}"')
    headings = re.findall(r"^## (.+)$", _prose(text), re.M)
    for key in ("summary", "exercises"):
        if w[key] not in headings:
            problems.append(f"no '## {w[key]}' section")
    if w["summary"] in headings and w["exercises"] in headings:
        if headings.index(w["summary"]) > headings.index(w["exercises"]):
            problems.append(f"'## {w['summary']}' must come before '## {w['exercises']}'")
    exercises = _section(text, w["exercises"])
    solutions = list(re.finditer(rf'^([ \t]*)\?\?\?\+? success "{w["solution"]}"\s*$', exercises, re.M))
    if not 2 <= len(solutions) <= 4:
        problems.append(
            f"'## {w['exercises']}' needs 2-4 solutions in '??? success \"{w['solution']}\"' "
            f"boxes, found {len(solutions)}"
        )
    for k, m in enumerate(solutions, start=1):
        end = solutions[k].start() if k < len(solutions) else len(exercises)
        body = exercises[m.end():end]
        indent = len(m[1]) + 4
        inside = [b for b in blocks.parse(body, strict=False)
                  if b.runs and len(b.indent.expandtabs(4)) >= indent]
        if not inside:
            problems.append(f"solution {k} has no tested code block inside its box")
    if re.search(r"^# ", _prose(text), re.M):
        problems.append("no '# ' title: it comes from data/lessons.yml")
    if NOTES[lang].search(_prose(text)):
        problems.append(
            "mentions 'the notes': state the common claim instead "
            f'(!!! question "{ {"ko": "흔히 듣는 설명", "en": "A common explanation"}[lang] }")'
        )
    return problems


def _prose(text: str) -> str:
    for block in reversed(blocks.parse(text, strict=False)):
        text = text[: block.start] + "\n" * block.source.count("\n") + text[block.end :]
    return text


def _section(text: str, title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\s*$", text, re.M)
    if not m:
        return ""
    nxt = re.search(r"^## ", text[m.end():], re.M)
    return text[m.end(): m.end() + nxt.start() if nxt else len(text)]


@pytest.mark.parametrize(("lesson", "lang"), LESSONS, ids=_id)
def test_lesson_has_the_common_shape(lesson, lang):
    text = lesson.source(lang).read_text(encoding="utf-8")
    problems = check_shape(text, lang)
    assert problems == [], f"docs/{lesson.slug}.{lang}.md: " + "; ".join(problems)


GOOD = '''!!! abstract "Goal"
    Learn a thing.

## The idea

Text.

## Summary

- A result.

## Exercises

1. Change `x` and predict.

    ??? success "Solution"
        ```pycon
        >>> 1 + 1
        2
        ```

2. Another.

    ??? success "Solution"
        Explained.

        ```python
        y = 2
        ```
'''


def test_the_check_accepts_the_shape_and_names_each_problem():
    assert check_shape(GOOD, "en") == []
    assert "the page must open with a goal box" in check_shape("## X\n" + GOOD, "en")[0]
    # one solution only, and one without code
    one = GOOD[: GOOD.index("2. Another.")]
    assert any("needs 2-4 solutions" in p for p in check_shape(one, "en"))
    nocode = GOOD.replace("        ```python\n        y = 2\n        ```\n", "")
    assert check_shape(nocode, "en") == ["solution 2 has no tested code block inside its box"]
    assert any("the notes" in p for p in check_shape(GOOD + "\nAs the notes say.\n", "en"))
    assert any("'# ' title" in p for p in check_shape("# T\n" + GOOD, "en"))


@pytest.mark.parametrize("lang", registry.LANGUAGES)
def test_the_template_has_the_shape_it_teaches(lang):
    # the contributing guide includes templates/lesson.*.md; Sybil runs it
    text = (registry.ROOT / "templates" / f"lesson.{lang}.md").read_text(encoding="utf-8")
    assert check_shape(text, lang) == []


def test_the_template_pair_has_identical_code():
    ko, en = (blocks.code_blocks((registry.ROOT / "templates" / f"lesson.{x}.md").read_text())
              for x in ("ko", "en"))
    assert [b.source for b in ko] == [b.source for b in en]
