"""How a page's expected output is compared with what the code printed.

Sybil's NUMBER flag lets a float in the expected output match any computed
value within one unit of its last written digit, so a page could show 62.00
while the code prints 62.01. Here a written float matches only a value that
rounds to it (within half a unit of its last digit): the page states what
the code computes, at the precision the page chose. Exact text is still
needed for everything else. The Sybil set-up (conftest.py) and the notebook
test use this checker.
"""

from __future__ import annotations

from sybil.evaluators.doctest import DocTestEvaluator, OutputChecker


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
