"""A block copied with the copy button runs when pasted into the Python REPL.

The REPL reads a paste line by line: a compound statement (``for``, ``def``,
``with`` …) ends only at a blank line, so a statement right after one is a
SyntaxError, and a blank line inside a function body ends the function
early. Doctest, Jupyter and scripts accept both, so only this test catches
them. Each copied block (what ``sitekit.blocks.copied_code`` gives, the
copy button's output) is fed to ``code.InteractiveConsole`` line by line, as
a paste would be, compiling without running.
"""

from __future__ import annotations

import code
from pathlib import Path

import pytest

from sitekit import blocks, registry

DOCS = registry.ROOT / "docs"


class _Console(code.InteractiveConsole):
    """Compiles like the REPL, runs nothing, records syntax errors."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []

    def runcode(self, code_object) -> None:  # compile only
        pass

    def showsyntaxerror(self, filename=None, **kwargs) -> None:
        import sys

        self.errors.append(str(sys.exc_info()[1]))


def paste_errors(source: str) -> list[tuple[int, str]]:
    """(line, error) for each SyntaxError a REPL paste of ``source`` raises."""
    console, found = _Console(), []
    for n, line in enumerate(source.split("\n"), start=1):
        console.push(line)
        if console.errors:
            found.append((n, console.errors.pop()))
            console.resetbuffer()
    console.push("")  # the Enter a reader presses at the end
    found += [(n, e) for e in console.errors]
    return found


def test_the_check_catches_what_the_repl_rejects():
    # a statement right after a loop, with no blank line between
    assert paste_errors("for i in range(2):\n    x = i\ny = 1") != []
    # a blank line inside a function body ends the function
    assert paste_errors("def f():\n    a = 1\n\n    return a") != []
    # the same code written for a paste is fine
    assert paste_errors("for i in range(2):\n    x = i\n\ny = 1") == []
    assert paste_errors("def f():\n    a = 1\n    return a\n\nf()") == []


PAGES = sorted(p for p in DOCS.rglob("*.md") if not p.name.startswith("glossary"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_copied_blocks_paste_into_the_repl(page):
    problems = []
    for block, _ in blocks.runnable(page.read_text(encoding="utf-8"), str(page)):
        if block.kind != "fence":
            continue  # invisible blocks are not shown, so not copied
        for n, error in paste_errors(blocks.copied_code(block)):
            problems.append(
                f"{page.relative_to(registry.ROOT)}:{block.line}: copied block line {n}: {error} "
                "(add a blank line after each compound statement - a bare '...' line in "
                "a pycon block - and none inside a function body)"
            )
    assert problems == [], "\n".join(problems)
