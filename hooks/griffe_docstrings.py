"""Griffe extension: docstrings as the API pages should show them.

The package's docstrings are written for ``help()`` and Sphinx habits; the
API pages (mkdocstrings, Markdown with ``pymdownx.arithmatex``) need Markdown.
Loaded by mkdocstrings-python (``extensions:`` in mkdocs.yml), this rewrites
each docstring before it is rendered — the source stays as it is:

- ``.. math:: expr`` (with indented continuation lines, or a blank line and
  an indented block) becomes a ``$$ ... $$`` display formula, which
  ``hooks/katex.py`` renders at build time;
- ``:math:`expr``` becomes ``$expr$``;
- a repository path such as ``lesson 1.2 (docs/physics/hopfield.md)``
  becomes a link to the lesson's page (plain text while the lesson is only
  planned, so the strict build never links a page it leaves out); readers
  never see ``docs/...`` paths.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from griffe import Extension

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*(?P<rest>.*)$")
ROLE = re.compile(r":math:`\s*([^`]+?)\s*`")
LESSON_PATH = re.compile(
    r"(?P<word>\b[Ll]esson)\s+(?P<number>\d+\.\d+)\s*\(docs/(?P<page>[\w./-]+?\.md)\)")
BARE_PATH = re.compile(r"\s*\(docs/[\w./-]+?\.md\)")
#: where the API pages live, relative to docs/ (hooks/site.py writes them)
API_DIR = "reference/api"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def math_blocks(text: str) -> str:
    """``.. math::`` directives as ``$$`` blocks (one per blank-separated equation)."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = DIRECTIVE.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent, base = m["indent"], _indent(lines[i])
        body = [m["rest"].strip()] if m["rest"].strip() else []
        i += 1
        # the directive's content: every following line indented deeper, or blank
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
            body.append(lines[i].strip())
            i += 1
        while body and not body[-1]:
            body.pop()
            i -= 1  # give the trailing blank lines back to the text
        equations = [[]]
        for line in body:
            if line:
                equations[-1].append(line)
            elif equations[-1]:
                equations.append([])
        if out and out[-1].strip() and not re.fullmatch(r"\s*-{3,}\s*", out[-1]):
            out.append("")  # a blank line before, except under a section's underline
        for eq in equations:
            if eq:
                out += [f"{indent}$$", *(f"{indent}{x}" for x in eq), f"{indent}$$", ""]
        if i < len(lines) and not lines[i].strip():
            out.pop()  # the text has its own blank line next
    return "\n".join(out)


def _lesson_link(m: re.Match) -> str:
    from sitekit import registry

    label = f"{m['word']} {m['number']}"
    try:
        lesson = registry.registry().by_page(m["page"])
    except Exception:  # a broken registry is reported by hooks/site.py
        lesson = None
    if lesson is None or not lesson.written:
        return label
    depth = API_DIR.count("/") + 1
    return f"[{label}]({'../' * depth}{m['page']})"


def rewrite(text: str) -> str:
    """The docstring ``text`` as Markdown for the API pages."""
    text = math_blocks(text)
    text = ROLE.sub(lambda m: f"${m[1]}$", text)
    text = LESSON_PATH.sub(_lesson_link, text)
    return BARE_PATH.sub("", text)


class DocstringMarkdown(Extension):
    """Rewrite every docstring with `rewrite` when griffe loads it."""

    def on_instance(self, *, obj: Any = None, **kwargs: Any) -> None:
        docstring = getattr(obj, "docstring", None)
        if docstring is not None and docstring.value:
            docstring.value = rewrite(docstring.value)
