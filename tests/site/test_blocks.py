"""The one block parser (sitekit.blocks) and the Sybil set-up built on it.

Each planted mistake below used to pass every check silently; now each fails
with the file and line, or runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sybil import Document

from sitekit.doctests import page_parsers
from sitekit import blocks


def run_page(tmp_path: Path, text: str) -> list[str]:
    """Run a page through the Sybil set-up; return the evaluated sources."""
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    document = Document.parse(str(page), *page_parsers())
    done = []
    for example in document:
        example.evaluate()
        done.append(str(example.parsed).strip())
    return done


def test_invisible_block_runs(tmp_path):
    text = "Text.\n\n<!-- invisible-code-block: python\nassert False, 'planted'\n-->\n"
    # the planted assert must fail, not pass silently
    with pytest.raises(AssertionError, match="planted"):
        run_page(tmp_path, text)


def test_invisible_block_defines_names_for_later_blocks(tmp_path):
    text = ("<!-- invisible-code-block: python\nhidden = 41\n-->\n\n"
            "```pycon\n>>> hidden + 1\n42\n```\n")
    # one namespace per page: the hidden set-up is visible to the doctest
    assert run_page(tmp_path, text)[0] == "hidden = 41"


def test_invisible_block_closed_on_its_own_line_is_an_error():
    # the old guide's syntax: the comment closes at once, so the code after
    # it was shown to readers and never run
    text = "<!-- invisible-code-block: python -->\nassert False\n-->\n"
    with pytest.raises(blocks.BlockError, match=r"page.md:1: .*must not close on its own line"):
        blocks.parse(text, "page.md")


@pytest.mark.parametrize(
    "fence, message",
    [
        ("```\nx = 1\n```", r"demo.md:3: fence without a language"),
        ("```py\n>>> 1\n2\n```", r"demo.md:3: fence language 'py' .* write 'python'"),
        ("```python3\nx = 1\n```", r"demo.md:3: .*write 'python'"),
        ("```rust\nfn main() {}\n```", r"demo.md:3: unknown fence language 'rust'"),
        ("```pycon\nprint(1)\n1\n```", r"demo.md:3: a pycon block must start with '>>>'"),
        ("```python\nx = 1\n", r"demo.md:3: the ``` fence opened here is never closed"),
        ("<!-- skip: later -->", r"demo.md:3: skip action must be next, start or end"),
    ],
)
def test_misleading_blocks_fail_with_file_and_line(fence, message):
    text = f"# Title\n\n{fence}\n"
    with pytest.raises(blocks.BlockError, match=message):
        blocks.parse(text, "demo.md")


def test_shown_languages_do_not_run(tmp_path):
    text = "```bash\nexit 1\n```\n\n```text\nnot python\n```\n"
    assert [b.language for b in blocks.parse(text)] == ["bash", "text"]
    assert run_page(tmp_path, text) == []


def test_fence_with_attributes_runs(tmp_path):
    # Sybil's stock Markdown parser misses ```python title="x"; ours must not
    text = '```python title="demo.py" linenums="1"\nx = 1\nassert x == 2\n```\n'
    with pytest.raises(AssertionError):
        run_page(tmp_path, text)


def test_wrong_doctest_output_fails(tmp_path):
    text = "```pycon\n>>> 1 + 1\n3\n```\n"
    with pytest.raises(Exception, match="Expected:\n    3\nGot:\n    2"):
        run_page(tmp_path, text)


def test_nested_fences_are_content_of_the_outer_block():
    text = "````markdown\n```python\nassert False\n```\n````\n"
    found = blocks.parse(text)
    # one markdown block (shown); the inner python is text inside it
    assert [(b.language, b.runs) for b in found] == [("markdown", False)]


def test_indented_block_inside_an_admonition():
    text = '!!! success "Solution"\n    ```pycon\n    >>> 2 * 3\n    6\n    ```\n'
    (block,) = blocks.parse(text)
    # the indentation is removed from the source and kept for parity
    assert block.source == ">>> 2 * 3\n6" and block.indent == "    " and block.runs


def test_skip_next_skips_one_block(tmp_path):
    text = ('<!-- skip: next "needs a GPU" -->\n\n```python\nimport cupy\n```\n\n'
            "```python\nran = True\n```\n")
    page = tmp_path / "page.md"
    page.write_text(text)
    document = Document.parse(str(page), *page_parsers())
    outcomes = []
    for example in document:
        try:
            example.evaluate()
            outcomes.append("ran")
        except Exception as exc:  # unittest.SkipTest
            outcomes.append(type(exc).__name__)
    # the directive, the skipped block, the block that runs
    assert outcomes == ["ran", "SkipTest", "ran"]
    assert document.namespace["ran"] is True


def test_every_page_parses():
    # every page of the site obeys the rules (the build checks this too)
    docs = Path(__file__).resolve().parents[2] / "docs"
    for page in sorted(docs.rglob("*.md")):
        blocks.parse(page.read_text(encoding="utf-8"), str(page))
