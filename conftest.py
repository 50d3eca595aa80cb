"""Run every executable block in docs/ as a test (Sybil).

- Blocks are found by :mod:`sitekit.blocks`, the one parser every tool uses:
  ```python and ```pycon fences (attributes after the language are fine) and
  ``<!-- invisible-code-block: python`` blocks run; a fence with no language
  or an unknown one fails collection with the file and line.
- Each page is one namespace, run top to bottom; the Korean and English pages
  run separately.
- ```pycon blocks (and python blocks starting with ``>>>``) are doctests;
  floats compare at the precision written in the expected output (NUMBER).
- A block that should not run needs ``<!-- skip: next "why" -->``.
- Each page's snippets may use ``PHYSDL_PAGE_BUDGET`` seconds of CPU
  (default 3, for one core); the run reports the slowest pages by CPU and
  wall time and fails if a page goes over.
"""

from __future__ import annotations

import os

# The page budget is defined for one CPU core. Multi-threaded BLAS (and
# torch's intra-op pool) on small products only spins idle threads, so
# snippets run single-threaded unless the caller says otherwise. This must
# happen before numpy or torch is first imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import gc  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402

import pytest  # noqa: E402
from sybil import Sybil  # noqa: E402
from sybil.sybil import SybilCollection  # noqa: E402
from sybil.parsers.rest import DocTestParser  # noqa: E402

from sitekit import doctests  # noqa: E402
from sitekit.doctests import OPTIONFLAGS  # noqa: E402

PARSERS = doctests.page_parsers()

_pages = Sybil(parsers=PARSERS, patterns=["*.md"], path="docs", name="pages")
# The lesson template of the contributing guide runs like a page.
_templates = Sybil(parsers=PARSERS, patterns=["*.md"], path="templates", name="templates")
# The Examples sections of the package's docstrings are doctests too.
_docstrings = Sybil(
    parsers=[DocTestParser(optionflags=OPTIONFLAGS)],
    patterns=["*.py"],
    path="physdl_docs",
    name="docstrings",
)
pytest_collect_file = SybilCollection([_pages, _templates, _docstrings]).pytest()


# ---------------------------------------------------------------- page timing
_cpu: dict[str, float] = defaultdict(float)
_wall: dict[str, float] = defaultdict(float)


#: Libraries imported once before the first page is timed (see _warm_up).
WARM_UP = ("numpy", "torch", "sklearn.datasets")
_warmed: list[bool] = []


def _warm_up() -> None:
    """Import the heavy libraries once, outside every page's budget.

    The budget is for a page's own snippets. Without this, whichever page
    runs first pays the one-time imports (torch ~1.3 s, scikit-learn ~1 s,
    and torch._dynamo, ~1.3 s, which the first torch optimiser imports), so
    a page that trains on the digits with ``physdl_docs.training.fit`` could
    not stay under 3 s when run alone, and timings depended on page order.
    """
    if _warmed:
        return
    _warmed.append(True)
    import importlib

    for name in WARM_UP:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    # Everything alive now (thousands of collected tests, the browser crawls)
    # moves out of the garbage collector's sight: otherwise each collection
    # during a page walks that whole heap and bills the page for it (a page
    # timed 1.8 s alone and 2.9 s at the end of the full run).
    gc.collect()
    gc.freeze()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    path = item.nodeid.split("::", 1)[0]
    if not path.endswith(".md"):
        return (yield)
    _warm_up()
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        return (yield)
    finally:
        _cpu[path] += time.process_time() - cpu
        _wall[path] += time.perf_counter() - wall


def budget() -> float:
    return float(os.environ.get("PHYSDL_PAGE_BUDGET", "3"))


def over_budget() -> list[tuple[str, float]]:
    return sorted((p, s) for p, s in _cpu.items() if s > budget())


def pytest_terminal_summary(terminalreporter):
    if not _cpu:
        return
    tr = terminalreporter
    tr.section("page timings (all snippets of one page, one core)")
    ranked = sorted(_cpu, key=lambda p: -_cpu[p])
    for path in ranked[:8]:
        tr.write_line(f"{_cpu[path]:6.2f} s CPU {_wall[path]:6.2f} s wall  {path}")
    tr.write_line(
        f"{len(ranked)} pages, {sum(_cpu.values()):.1f} s CPU in all; "
        f"slowest: {ranked[0]} ({_cpu[ranked[0]]:.2f} s CPU)"
    )
    for path, seconds in over_budget():
        tr.write_line(
            f"OVER BUDGET: page {path} used {seconds:.2f} s of CPU "
            f"(budget {budget():g} s, PHYSDL_PAGE_BUDGET); make its snippets faster",
            red=True,
        )


def pytest_sessionfinish(session, exitstatus):
    if exitstatus == 0 and over_budget():
        session.exitstatus = 1
