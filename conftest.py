"""Run every ```python and ```pycon block in docs/ as a test (Sybil).

- Each page is one namespace, run top to bottom; the Korean and English pages
  run separately.
- Fences may carry attributes (```python title="x.py" linenums="1"): Sybil's
  stock Markdown parser only matches a bare language word, so the lexer here
  matches on the first word of the info string.
- ```pycon blocks are doctests; floats compare with the precision written in
  the expected output (Sybil's NUMBER flag).
- A block that should not run needs an explicit ``<!-- skip: next "why" -->``.
- Page timings are summed; the slowest pages are reported and a page over
  the budget (``PHYSDL_PAGE_BUDGET`` seconds, default 3) fails the run.
"""

from __future__ import annotations

import os

# The page budget is defined for one CPU core. Multi-threaded BLAS on many
# small matrix products only spins idle threads (and is slower under load),
# so snippets run single-threaded unless the caller says otherwise. This must
# happen before numpy is first imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import doctest  # noqa: E402
import re  # noqa: E402
from collections import defaultdict

from sybil import Sybil
from sybil.evaluators.doctest import NUMBER
from sybil.parsers.abstract import AbstractCodeBlockParser
from sybil.parsers.abstract.doctest import DocTestStringParser
from sybil.evaluators.doctest import DocTestEvaluator
from sybil.evaluators.python import PythonEvaluator
from sybil.parsers.markdown.lexers import (
    DirectiveInHTMLCommentLexer,
    RawFencedCodeBlockLexer,
)
from sybil.parsers.markdown import SkipParser
from sybil.parsers.rest import DocTestParser

OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | NUMBER

#: The languages whose blocks are executed.
LANGUAGES = ("python", "pycon")

# First word of the info string is the language; attributes may follow.
INFO = re.compile(r"[ \t]*(?P<language>[\w+-]+)(?:[ \t][^\n]*)?$\n", re.MULTILINE)


class _CodeBlockParser(AbstractCodeBlockParser):
    """Match fenced blocks by the first word of their info string."""

    def __init__(self, language: str, evaluator) -> None:
        super().__init__(
            [
                RawFencedCodeBlockLexer(
                    info_pattern=INFO,
                    mapping={"language": "arguments", "source": "source"},
                ),
                DirectiveInHTMLCommentLexer(
                    directive=r"(invisible-)?code(-block)?", arguments=".+"
                ),
            ],
            language,
            evaluator,
        )


class _PythonParser:
    """A ``language`` block: doctest if it starts with ``>>>``, else code."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.codeblocks = _CodeBlockParser(language, PythonEvaluator())
        self.doctests = DocTestStringParser(DocTestEvaluator(OPTIONFLAGS))

    def __call__(self, document):
        for region in self.codeblocks(document):
            source = region.parsed
            if source.lstrip().startswith(">>>"):
                for example in self.doctests(source, document.path):
                    example.adjust(region, source)
                    yield example
            elif self.language == "pycon":
                raise ValueError(
                    f"{document.path}: a pycon block must start with '>>>' "
                    f"(line {document.text.count(chr(10), 0, region.start) + 1})"
                )
            else:
                yield region


PARSERS = [_PythonParser(lang) for lang in LANGUAGES] + [SkipParser()]

_pages = Sybil(parsers=PARSERS, patterns=["*.md"], path="docs", name="pages")
# The Examples sections of the package's docstrings are doctests too.
_docstrings = Sybil(
    parsers=[DocTestParser(optionflags=OPTIONFLAGS)],
    patterns=["*.py"],
    path="physdl_docs",
    name="docstrings",
)
pytest_collect_file = (_pages + _docstrings).pytest()


# ---------------------------------------------------------------- page timing
_page_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".md"):
        _page_seconds[path] += report.duration


def _over_budget() -> list[tuple[str, float]]:
    budget = float(os.environ.get("PHYSDL_PAGE_BUDGET", "3"))
    return [(p, s) for p, s in _page_seconds.items() if s > budget]


def pytest_terminal_summary(terminalreporter):
    if not _page_seconds:
        return
    tr = terminalreporter
    tr.section("page timings (all snippets of one page)")
    ranked = sorted(_page_seconds.items(), key=lambda kv: -kv[1])
    for path, seconds in ranked[:8]:
        tr.write_line(f"{seconds:6.2f} s  {path}")
    tr.write_line(
        f"{len(ranked)} pages, {sum(_page_seconds.values()):.1f} s in all; "
        f"slowest: {ranked[0][0]} ({ranked[0][1]:.2f} s)"
    )
    for path, seconds in _over_budget():
        tr.write_line(f"OVER BUDGET: {path} took {seconds:.2f} s")


def pytest_sessionfinish(session, exitstatus):
    if exitstatus == 0 and _over_budget():
        session.exitstatus = 1
