"""The one Markdown block parser: which parts of a page are code, and which run.

Every tool that reads pages uses this module: the Sybil set-up
(``conftest.py``), the notebook writer (``hooks/notebooks.py``), the ko/en
parity check, the site hook that fails the build on a bad block, and the
browser tests. So they cannot disagree about where a block starts, what
language it is in, or whether it runs.

A page has three kinds of blocks:

- a fenced block (```` ```python ````, ```` ~~~pycon ````, with optional
  attributes after the language: ```` ```python title="x.py" ````);
- an invisible code block, run but not shown::

      <!-- invisible-code-block: python
      setup = 1
      -->

- a skip directive, ``<!-- skip: next "reason" -->`` (or ``start`` / ``end``).

The rule: a fence's language decides. ``python`` and ``pycon`` run (a
``pycon`` block must start with ``>>>``); the languages in :data:`SHOWN` are
displayed and never run; anything else, including a fence with no language,
``py`` or ``python3``, is an error with the file and line, because a reader
would take it for tested Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Languages whose blocks are executed (Sybil, notebooks).
RUN = ("python", "pycon")

#: Languages that are shown but never run.
SHOWN = (
    "text", "bash", "console", "shell", "yaml", "toml", "json", "ini",
    "markdown", "html", "css", "javascript", "diff", "make", "latex", "csv",
)

#: Common misspellings of a language that runs, with the fix.
_RUN_ALIASES = {"py": "python", "python3": "python", "ipython": "python",
                "py3": "python", "pytb": "pycon", "doctest": "pycon"}

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$")
INVISIBLE = re.compile(
    r"^(?P<indent>[ \t]*)<!--+[ \t]*invisible-code-block:[ \t]*(?P<language>[\w+-]*)"
    r"(?P<rest>[^\n]*)$"
)
COMMENT_END = re.compile(r"^[ \t]*--+>[ \t]*$")
SKIP = re.compile(
    r"^[ \t]*<!--+[ \t]*skip:[ \t]*(?P<action>\w+)(?:[ \t]+(?P<reason>.*?))?[ \t]*--+>[ \t]*$"
)


class BlockError(ValueError):
    """A block that would be shown untested, or cannot be parsed."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass(frozen=True)
class Block:
    """One block of a page.

    ``kind`` is ``"fence"``, ``"invisible"`` or ``"skip"``. For a skip,
    ``language`` holds the action (``next``/``start``/``end``) and ``info``
    the reason. ``source`` is the body with the block's indentation removed.
    Lines are 1-based; offsets index the page text (``end`` is just past the
    closing line).
    """

    kind: str
    language: str
    info: str
    source: str
    line: int
    end_line: int
    start: int
    end: int
    body_start: int
    indent: str

    @property
    def runs(self) -> bool:
        """True if the block is executed (by Sybil and in the notebook)."""
        return self.kind != "skip" and self.language in RUN

    @property
    def is_doctest(self) -> bool:
        return self.runs and self.source.lstrip().startswith(">>>")


def _width(indent: str) -> int:
    return len(indent.expandtabs(4))


def _dedent(line: str, width: int) -> str:
    line = line.expandtabs(4)
    stripped = line.lstrip(" ")
    return line[min(width, len(line) - len(stripped)):]


def _closes(line: str, indent: str, fence: str) -> bool:
    m = FENCE.match(line)
    return bool(
        m
        and _width(m["indent"]) == _width(indent)
        and m["fence"][0] == fence[0]
        and len(m["fence"]) >= len(fence)
        and not m["info"].strip()
    )


def parse(text: str, path: str = "<page>", strict: bool = True) -> list[Block]:
    """Return the blocks of a page in order.

    With ``strict`` (the default) a block that would mislead a reader raises
    :class:`BlockError`: a fence with no language or an unknown one, an
    unterminated fence or invisible block, a ``pycon`` block without
    ``>>>``, an invisible block in a language that does not run or closed on
    its own line, a malformed skip directive.
    """
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def offset(i: int) -> int:  # start of line i (0-based), clipped to the text
        return min(starts[i], len(text))

    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if m and not (m["fence"][0] == "`" and "`" in m["info"]):
            j = i + 1
            while j < len(lines) and not _closes(lines[j], m["indent"], m["fence"]):
                j += 1
            if j == len(lines):
                raise BlockError(path, i + 1, f"the {m['fence']} fence opened here is never closed")
            info = m["info"].strip()
            language = (info.split() or [""])[0]
            width = _width(m["indent"])
            body = "\n".join(_dedent(x, width) for x in lines[i + 1 : j])
            block = Block("fence", language, info, body, i + 1, j + 1, offset(i),
                          offset(j + 1), offset(i + 1), m["indent"])
            if strict:
                _check_language(block, path)
            blocks.append(block)
            i = j + 1
            continue
        m = INVISIBLE.match(line)
        if m:
            language = m["language"]
            if strict and "-->" in m["rest"]:
                raise BlockError(
                    path, i + 1,
                    "an invisible-code-block directive must not close on its own line: "
                    "put the code on the following lines and end it with --> alone on a line",
                )
            j = i + 1
            while j < len(lines) and not COMMENT_END.match(lines[j]):
                j += 1
            if j == len(lines):
                raise BlockError(path, i + 1, "invisible-code-block is never closed with -->")
            width = _width(m["indent"])
            body = "\n".join(_dedent(x, width) for x in lines[i + 1 : j])
            block = Block("invisible", language, language, body, i + 1, j + 1,
                          offset(i), offset(j + 1), offset(i + 1), m["indent"])
            if strict and language not in RUN:
                raise BlockError(
                    path, i + 1,
                    f"invisible-code-block language {language!r} does not run; "
                    f"use one of {', '.join(RUN)}",
                )
            if strict:
                _check_language(block, path)
            blocks.append(block)
            i = j + 1
            continue
        m = SKIP.match(line)
        if m:
            action = m["action"]
            if strict and action not in ("next", "start", "end"):
                raise BlockError(path, i + 1, f"skip action must be next, start or end, got {action!r}")
            blocks.append(Block("skip", action, (m["reason"] or "").strip(), "", i + 1, i + 1,
                                offset(i), offset(i + 1), offset(i + 1), ""))
        elif strict and re.match(r"^[ \t]*<!--+[ \t]*(skip|invisible-code|code-block)\b", line):
            raise BlockError(path, i + 1, f"malformed directive: {line.strip()!r}")
        i += 1
    return blocks


def _check_language(block: Block, path: str) -> None:
    language = block.language
    if language in RUN:
        if language == "pycon" and not block.source.lstrip().startswith(">>>"):
            raise BlockError(path, block.line, "a pycon block must start with '>>>'")
        return
    if language in SHOWN:
        return
    if not language:
        hint = ("every fence needs a language: python or pycon (run and checked), "
                f"or one of {', '.join(SHOWN)} (shown, not run)")
        raise BlockError(path, block.line, f"fence without a language; {hint}")
    fix = _RUN_ALIASES.get(language)
    if fix:
        raise BlockError(path, block.line,
                         f"fence language {language!r} is not run by the tests; write {fix!r}")
    raise BlockError(
        path, block.line,
        f"unknown fence language {language!r}: use python/pycon (run) or one of "
        f"{', '.join(SHOWN)} (shown, not run), or add it to sitekit.blocks.SHOWN",
    )


def code_blocks(text: str, path: str = "<page>") -> list[Block]:
    """Every fenced and invisible block (not the skips), in order."""
    return [b for b in parse(text, path) if b.kind != "skip"]


def copied_code(block: Block) -> str:
    """What the copy button gives for a block: code without prompts or output.

    For a doctest that is the ``>>>`` lines and their ``...`` continuations
    with the prompts removed; as in doctest, "..." continues a statement only
    right after a ``>>>`` line or another continuation (after an output line
    it is output, e.g. inside a traceback). A bare ``...`` line becomes a
    blank line, which ends a compound statement in the Python REPL.
    """
    if not block.is_doctest:
        return block.source.rstrip()
    code, in_statement = [], False
    for line in block.source.splitlines():
        if line == ">>>" or line.startswith(">>> "):
            code.append(line[4:])
            in_statement = True
        elif in_statement and (line == "..." or line.startswith("... ")):
            code.append(line[4:])
        else:
            in_statement = False
    return "\n".join(code).rstrip()


def expected_exceptions(block: Block) -> list[str]:
    """Class names of the exceptions a doctest block shows being raised."""
    if not block.is_doctest:
        return []
    import doctest

    return [
        ex.exc_msg.split(":")[0].strip().split(".")[-1]
        for ex in doctest.DocTestParser().get_examples(block.source)
        if ex.exc_msg
    ]


def runnable(text: str, path: str = "<page>") -> list[tuple[Block, bool]]:
    """The blocks that run, in order, each with whether a skip covers it.

    ``skip: next`` covers the next runnable block (the whole block: callers
    that need Sybil's finer rule, one doctest example, use Sybil itself);
    ``skip: start`` … ``skip: end`` covers everything between.
    """
    out, skip_next, skipping = [], False, False
    for block in parse(text, path):
        if block.kind == "skip":
            if block.language == "next":
                skip_next = True
            else:
                skipping = block.language == "start"
            continue
        if block.runs:
            out.append((block, skip_next or skipping))
            skip_next = False
    return out
