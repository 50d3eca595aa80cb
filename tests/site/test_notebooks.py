"""Every lesson page is a notebook that runs top to bottom.

The notebooks come from ``hooks/notebooks.py`` (the same function the build
uses). The unit tests check the conversion on a small synthetic page; the
consistency test checks that a notebook runs exactly the code Sybil runs on
the page; the execution tests run every notebook, both languages, in a fresh
kernel (several at once, one per CPU).
"""

from __future__ import annotations

import doctest
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbclient import NotebookClient
from sybil import Document
from sitekit import load_hook
from sitekit.doctests import RoundingChecker

from sitekit.doctests import OPTIONFLAGS, page_parsers

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SITE_URL = "https://example.org/site/"
#: seconds a single cell may run (a whole page's snippets take ~1-2 s)
CELL_TIMEOUT = 120


hook = load_hook("notebooks")

PAGE = '''\
# 9.9 Demo {#demo}

Intro with a [link](../physics/ising.md#energy), a [section](#more),
an [outside link](https://numpy.org), a [link that
wraps](../start/how-to-read.md) and ![a figure](../figures/demo.svg).

```pycon
>>> x = 1
>>> x + 1
2
>>> y = [
...     x,
... ]
>>> print(y)
[1]
```

<!-- invisible-code-block: python
z = 3
-->

```python title="t.py"
w = z + 1
```

!!! warning "A common misconception"
    Text inside, see `[not a link](x.md)`.

    ```pycon
    >>> int("a")
    Traceback (most recent call last):
    ...
    ValueError: invalid literal for int() with base 10: 'a'
    ```

<!-- skip: next "needs a GPU" -->

```python
import cupy
```

```bash
make test
```

## More

Closing text.
'''


def _is_install(cell) -> bool:
    return hook.INSTALL_TAG in cell.metadata.get("tags", [])


def _code_cells(nb) -> list:
    """The page's code cells: all but the install cell the notebook opens with."""
    return [c for c in nb.cells if c.cell_type == "code" and not _is_install(c)]


def _code(nb) -> list[str]:
    return [c.source for c in _code_cells(nb)]


def _markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


# ------------------------------------------------------------- conversion
def test_code_cells_keep_the_order_without_prompts_or_outputs():
    nb = hook.markdown_to_notebook(PAGE, "en")
    # every block runs, in page order; prompts are gone
    assert _code(nb) == [
        "x = 1\nx + 1",
        "y = [\n    x,\n]\nprint(y)",
        "z = 3",
        "w = z + 1",
        'int("a")',
    ]
    code = _code_cells(nb)
    # expected outputs are not copied into the notebook
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    # a cell ends where the page shows output, so "2" appears under x + 1
    assert code[0].source.endswith("x + 1")


def test_tracebacks_hidden_setup_and_skips():
    nb = hook.markdown_to_notebook(PAGE, "en")
    code = _code_cells(nb)
    # the expected traceback is its own cell, allowed to raise
    assert code[-1].metadata["tags"] == ["raises-exception"]
    assert [c for c in code if "tags" in c.metadata] == [code[-1]]
    # the invisible setup block runs but its input is collapsed
    assert code[2].metadata["jupyter"] == {"source_hidden": True}
    # the skipped block is shown as text with the reason, not run
    md = _markdown(nb)
    assert "*(Not run: needs a GPU)*\n\n```python\nimport cupy\n```" in md
    assert all("cupy" not in source for source in _code(nb))
    # a block in another language stays text
    assert "```bash\nmake test\n```" in md


def test_skip_next_skips_one_doctest_example_like_sybil():
    page = (
        '<!-- skip: next "slow" -->\n\n'
        "```pycon\n>>> a = 1\n>>> b = 2\n```\n\n"
        "<!-- skip: start -->\n\n```python\nc = 3\n```\n\n"
        "```python\nd = 4\n```\n\n<!-- skip: end -->\n\n```python\ne = 5\n```\n\n"
        "```pycon\n>>> import missing  # doctest: +SKIP\n>>> f = 6\n```\n"
    )
    nb = hook.markdown_to_notebook(page, "ko")
    # Sybil's "next" skips the next example: the first doctest line only;
    # start..end skips everything between; doctest's +SKIP one example
    assert _code(nb) == ["b = 2", "e = 5", "f = 6"]
    assert "*(이 코드는 실행하지 않습니다: slow)*\n\n```pycon\n>>> a = 1\n```" in _markdown(nb)


def test_admonitions_become_quotes_and_links_absolute_urls():
    en = hook.markdown_to_notebook(PAGE, "en", page_path="physics/demo.md", site_url=SITE_URL)
    ko = hook.markdown_to_notebook(PAGE, "ko", page_path="physics/demo.md", site_url=SITE_URL)
    md_en, md_ko = _markdown(en), _markdown(ko)
    # the admonition is a block quote with its title in bold
    assert "> **A common misconception**\n>\n> Text inside" in md_en
    # .md links go to the page in the notebook's language
    assert "[link](https://example.org/site/en/physics/ising/#energy)" in md_en
    assert "[link](https://example.org/site/physics/ising/#energy)" in md_ko
    # in-page anchors point to the online page; figures to the shared file
    assert "[section](https://example.org/site/en/physics/demo/#more)" in md_en
    assert "![a figure](https://example.org/site/figures/demo.svg)" in md_en
    # outside links and code spans are left alone; the {#id} is dropped
    assert "[outside link](https://numpy.org)" in md_en
    assert "[link that\nwraps](https://example.org/site/en/start/how-to-read/)" in md_en
    assert "`[not a link](x.md)`" in md_en
    assert md_en.startswith("# 9.9 Demo\n")
    # the note under the title links to the online page
    assert "[online page](https://example.org/site/en/physics/demo/)" in md_en


def test_the_notebook_opens_with_an_install_cell_pinned_to_the_version():
    nb = hook.markdown_to_notebook(PAGE, "en", page_path="physics/demo.md", site_url=SITE_URL)
    version = hook.PACKAGE_VERSION
    title, install = nb.cells[0], nb.cells[1]
    # first the title and the note, which gives the command
    assert title.source.startswith("# 9.9 Demo\n\n> This notebook was generated")
    assert f"`%pip install physdl-docs=={version}`" in title.source
    # then the install cell: tagged (tests and readers can skip it), pinned
    assert install.cell_type == "code" and install.metadata["tags"] == [hook.INSTALL_TAG]
    assert install.source.splitlines()[-1] == f"%pip install physdl-docs=={version}"
    assert "skip this cell" in install.source
    # the rest of the prose follows the install cell
    assert nb.cells[2].source.startswith("Intro with a [link](")
    # the package's version is the one the site stamps
    import physdl_docs

    assert version == physdl_docs.__version__
    # a page whose code uses torch installs the torch extra (quoted for shells)
    torch_page = "# T\n\n```pycon\n>>> import torch\n```\n"
    ko = hook.markdown_to_notebook(torch_page, "ko")
    assert ko.cells[1].source.splitlines()[-1] == f'%pip install "physdl-docs[torch]=={version}"'
    assert "--index-url https://download.pytorch.org/whl/cpu" in ko.cells[1].source
    assert "이 노트북을 검증한" in ko.cells[1].source


def test_which_pages_need_the_torch_extra():
    def page(code):
        return f"# T\n\n```python\n{code}\n```\n"

    # torch in the code, or a physdl_docs module with torch functions
    assert hook.needs_torch(page("import torch"))
    assert hook.needs_torch(page("from physdl_docs.training import digits"))
    assert hook.needs_torch(page("from physdl_docs import (\n    hopfield, training)"))
    # numpy-only modules, and torch in prose or in a bash block, do not
    assert not hook.needs_torch(page("from physdl_docs.hopfield import overlap"))
    assert not hook.needs_torch("torch in prose\n\n```bash\npip install torch\n```\n")


def test_without_a_site_url_links_become_text():
    md = _markdown(hook.markdown_to_notebook(PAGE, "en"))
    # a notebook has no site to resolve relative links against
    assert "Intro with a link, a section," in md
    assert "*a figure*" in md
    assert ".md" not in md.replace("`[not a link](x.md)`", "")


def test_notebook_is_valid_and_deterministic():
    a = hook.markdown_to_notebook(PAGE, "ko", page_path="physics/demo.md", site_url=SITE_URL)
    b = hook.markdown_to_notebook(PAGE, "ko", page_path="physics/demo.md", site_url=SITE_URL)
    # the same page gives the same bytes (no random cell ids)
    assert nbformat.writes(a) == nbformat.writes(b)
    nbformat.validate(a)  # raises if the notebook is not valid nbformat 4
    with pytest.raises(ValueError, match="language"):
        hook.markdown_to_notebook(PAGE, "de")


def test_which_pages_get_a_notebook():
    code = "```pycon\n>>> 1\n1\n```\n"
    # lessons with code do; the home page and reference pages do not
    assert hook.is_lesson("physics/ising.ko.md", code)
    assert hook.is_lesson("start/how-to-read.en.md", code)
    assert not hook.is_lesson("index.ko.md", code)
    assert not hook.is_lesson("reference/contributing.en.md", code)
    # a page without executed code does not (a bash block is not code here)
    assert not hook.is_lesson("physics/ising.ko.md", "# x\n\n```bash\nls\n```\n")
    assert hook.is_lesson("physics/x.md", "<!-- invisible-code-block: python\na = 1\n-->\n")


def test_hook_writes_the_notebook_beside_the_page_and_links_it(tmp_path):
    page = SimpleNamespace(
        file=SimpleNamespace(
            src_uri="physics/demo.en.md",
            norm_src_uri="physics/demo.md",
            locale="en",
            abs_dest_path=str(tmp_path / "en" / "physics" / "demo" / "index.html"),
        )
    )
    config = SimpleNamespace(site_url=SITE_URL, theme={"language": "ko"}, plugins={})
    out = hook.on_page_markdown(PAGE, page=page, config=config, files=None)
    written = tmp_path / "en" / "physics" / "demo" / "demo.ipynb"
    nb = nbformat.read(written, as_version=4)
    # the notebook is what lesson_notebook gives for the page
    expected = hook.lesson_notebook(PAGE, "en", "physics/demo.md", SITE_URL, "ko")
    assert nb == expected
    # the page gets the download link under its title and the versions at the end
    assert out.startswith('# 9.9 Demo {#demo}\n\n<a href="demo.ipynb" download')
    assert ">Download notebook</a>" in out
    assert out.rstrip().endswith(hook.versions_admonition("en").rstrip())
    assert f"numpy {hook.versions()['numpy']}" in out
    # the notebook ends with the same versions note, which names the package
    # version and says that other versions may print other last digits
    assert "> **Verified with**" in nb.cells[-1].source
    assert f"physdl-docs {hook.PACKAGE_VERSION}, Python" in nb.cells[-1].source
    assert "may differ in the last digits" in nb.cells[-1].source
    # a page that is not a lesson is returned unchanged
    page.file.norm_src_uri = "reference/demo.md"
    assert hook.on_page_markdown(PAGE, page=page, config=config, files=None) == PAGE


# ------------------------------------------------------ the real lessons
LESSONS = hook.lesson_pages(DOCS)
IDS = [p.relative_to(DOCS).as_posix()[: -len(".md")] for p in LESSONS]


def _notebook(path: Path) -> nbformat.NotebookNode:
    rel = path.relative_to(DOCS).as_posix()
    language = rel.rsplit(".", 2)[-2]
    page_path = rel[: -len(f".{language}.md")] + ".md"
    return hook.lesson_notebook(path.read_text(encoding="utf-8"), language, page_path)


def _sybil_sources(path: Path) -> list[str]:
    """The code Sybil runs on a page, in order, after its skip rules."""
    document = Document(path.read_text(encoding="utf-8"), str(path))
    regions = sorted((r for p in page_parsers() for r in p(document)), key=lambda r: r.start)
    out, skip_next, skipping = [], False, False
    for region in regions:
        if isinstance(region.parsed, tuple):  # a skip directive
            action = region.parsed[0]
            skip_next = skip_next or action == "next"
            skipping = action == "start" or (skipping and action != "end")
            continue
        if skip_next or skipping or getattr(region.parsed, "options", {}).get(doctest.SKIP):
            skip_next = False
            continue
        out.append(str(getattr(region.parsed, "source", region.parsed)))
    return out


def _lines(sources) -> list[str]:
    return [line for s in sources for line in s.splitlines() if line.strip()]


def test_there_are_lessons():
    # the rule finds the lesson pages (a broken rule would skip every test)
    assert any(i.startswith("start/how-to-read.") for i in IDS)
    assert not any(i.startswith(("reference/", "index.")) for i in IDS)


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_notebook_runs_what_sybil_runs(path):
    nb = _notebook(path)
    # the notebook's code cells are exactly the page's tested code
    assert _lines(_code(nb)) == _lines(_sybil_sources(path))
    # after the title, the install cell pinned to the site's version
    assert _is_install(nb.cells[1])
    assert nb.cells[1].source.splitlines()[-1] == hook.install_command(path.read_text(encoding="utf-8"))


def _execute(path: Path, workdir: Path) -> nbformat.NotebookNode:
    nb = _notebook(path)
    # this kernel has the package (from the source tree): skip the install
    # cell, as a reader does locally (tests/package runs it in a fresh venv)
    nb.cells = [c for c in nb.cells if not _is_install(c)]
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        startup_timeout=60,
        kernel_name="python3",  # the running interpreter's ipykernel
        resources={"metadata": {"path": str(workdir)}},  # a fresh cwd
    )
    client.execute()  # raises CellExecutionError on any unexpected error
    return nb


@pytest.fixture(scope="session")
def executions(request, tmp_path_factory):
    """Start every selected notebook at once, one kernel per CPU.

    ``PHYSDL_NOTEBOOK_WORKERS`` sets how many kernels run at the same time.
    """
    wanted = [
        item.callspec.params["path"]
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_notebook_executes"
        and hasattr(item, "callspec")
    ]
    workers = int(os.environ.get("PHYSDL_NOTEBOOK_WORKERS", os.cpu_count() or 1))
    workers = max(1, min(len(wanted), workers))
    pool = ThreadPoolExecutor(max_workers=workers)
    futures = {p: pool.submit(_execute, p, tmp_path_factory.mktemp("nb")) for p in wanted}
    yield futures
    pool.shutdown(cancel_futures=True)


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_notebook_executes(path, executions):
    nb = executions[path].result()
    checker = RoundingChecker()  # as Sybil checks the pages
    for cell in nb.cells:
        if "raises-exception" in cell.metadata.get("tags", []):
            # a cell that shows a traceback on the page must raise here too
            assert any(o.output_type == "error" for o in cell.outputs), cell.source
            continue
        expected = cell.metadata.get("physdl", {}).get("expected")
        if expected is not None:
            # the notebook prints what the page shows (same float tolerance)
            got = _text(cell.outputs)
            assert checker.check_output(expected, got, OPTIONFLAGS), (
                f"{path.relative_to(ROOT)}: cell\n{cell.source}\nprinted\n{got}\n"
                f"but the page shows\n{expected}"
            )


def _text(outputs) -> str:
    """What a cell printed: its stdout and its displayed result."""
    out = []
    for o in outputs:
        if o.output_type == "stream" and o.name == "stdout":
            out.append(o.text)
        elif o.output_type == "execute_result":
            out.append(o.data.get("text/plain", "") + "\n")
    return "".join(out)
