"""How a page's expected output is compared with what the code printed.

Sybil's NUMBER flag lets a float in the expected output match any computed
value within one unit of its last written digit, so a page could show 62.00
while the code prints 62.01. Here a written float matches only a value that
rounds to it (within half a unit of its last digit): the page states what
the code computes, at the precision the page chose. Exact text is still
needed for everything else. The Sybil set-up (conftest.py) and the notebook
test use this checker; the page parser for Sybil lives here too, so tests
import it instead of conftest.
"""

from __future__ import annotations

import doctest

from sybil import Lexeme, Region
from sybil.evaluators.doctest import NUMBER, DocTestEvaluator, OutputChecker
from sybil.evaluators.python import PythonEvaluator
from sybil.evaluators.skip import Skipper
from sybil.parsers.abstract.doctest import DocTestStringParser

from sitekit import blocks

#: The doctest options of every page, docstring and notebook check.
OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | NUMBER


class RoundingChecker(OutputChecker):
    """NUMBER with half a unit of the last written digit as the tolerance."""

    def _remove_unwanted_precision(self, want: str, got: str) -> str:
        wants = list(self._number_re.finditer(want))
        gots = list(self._number_re.finditer(got))
        if len(wants) != len(gots):
            return got
        offset = 0
        for w, g in zip(wants, gots):
            fraction, exponent = w.group("fraction"), w.group("exponent1") or w.group("exponent2")
            precision = len(fraction) if fraction is not None else 0
            if exponent is not None:
                precision -= int(exponent)
            if abs(float(w.group()) - float(g.group())) <= 0.5 * 10**-precision * (1 + 1e-9):
                got = got[: g.start() + offset] + w.group() + got[g.end() + offset :]
                offset += w.end() - w.start() - (g.end() - g.start())
        return got


def evaluator(optionflags: int) -> DocTestEvaluator:
    """A Sybil doctest evaluator that compares floats with RoundingChecker."""
    ev = DocTestEvaluator(optionflags)
    ev.runner._checker = RoundingChecker()
    return ev


class PageParser:
    """Sybil regions for the blocks :func:`sitekit.blocks.parse` finds."""

    def __init__(self) -> None:
        self.python = PythonEvaluator()
        self.doctests = DocTestStringParser(evaluator(OPTIONFLAGS))
        self.skipper = Skipper("skip")

    def __call__(self, document):
        for block in blocks.parse(document.text, document.path):
            region = Region(block.start, block.end)
            if block.kind == "skip":
                region.parsed = (block.language, block.info or None)
                region.evaluator = self.skipper
                yield region
            elif block.runs:
                source = Lexeme(block.source, block.body_start - block.start, 0)
                if block.is_doctest:
                    for example in self.doctests(source, document.path):
                        example.adjust(region, source)
                        yield example
                else:
                    region.parsed = source
                    region.evaluator = self.python
                    yield region


def page_parsers() -> list[PageParser]:
    """Fresh Sybil parsers for a page (the pytest set-up and the site tests).

    Tests import this rather than ``conftest``: with several conftest.py
    files in the tree, ``import conftest`` gets whichever pytest loaded last.
    """
    return [PageParser()]
