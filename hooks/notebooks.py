"""mkdocs hook: every lesson page is also a Jupyter notebook.

Which pages: every page that has at least one block Sybil executes (a
```python or ```pycon fence, or an ``invisible-code-block``), except the
home page (``index.md``) and the pages under ``reference/`` (glossary,
bibliography, API, contributing: their blocks are templates and examples,
not lessons). :func:`is_lesson` is the rule; the test of the notebooks uses
it too.

For each such page and each language the hook

1. appends an admonition with the versions of physdl-docs, Python, numpy,
   scipy, scikit-learn and torch the page was built (and, in CI, tested)
   with, read from the running interpreter, and says that other versions
   may print different last digits;
2. converts the page's Markdown (with that admonition) into a notebook with
   :func:`markdown_to_notebook` and writes ``<page>.ipynb`` beside the built
   page (``site/physics/ising/ising.ipynb``, ``site/en/physics/ising/ising.ipynb``);
3. puts a download link under the page title. The link is raw HTML, so the
   strict build's link validation does not look for the notebook among the
   source files.

Every notebook opens with its title, a note on where it comes from, and an
install cell (tagged ``install``, see :func:`install_command`) that pins
physdl-docs to the version the site was built with, with the ``[torch]``
extra where the page needs torch (:func:`needs_torch`). A reader skips it
where that version is installed (running it there changes nothing).

The page is the only source: nothing is maintained twice. How blocks become
cells:

- prose -> Markdown cells; admonitions become block quotes with the title in
  bold, content tabs a bold label; relative links become absolute site URLs
  (or plain text when no ``site_url`` is given);
- ```python -> a code cell;
- ```pycon -> code cells with the ``>>>``/``...`` prompts and the expected
  output removed (parsed by :mod:`doctest`, as Sybil does). A cell ends after
  each example that has expected output, so every result shows right under
  the code that produced it, as on the page; an example that expects a
  traceback gets a cell of its own tagged ``raises-exception``;
- ``<!-- invisible-code-block: python`` -> a code cell whose input is
  collapsed (``metadata.jupyter.source_hidden``);
- examples after ``<!-- skip: next ... -->`` (or between ``skip: start`` and
  ``skip: end``) -> a Markdown cell showing the code with a "not run" note,
  with Sybil's meaning: ``next`` skips one example (one doctest example of a
  pycon block, or a whole python block).

Fences inside another fence (the lesson template on the contributing page)
stay text, as the reader sees them.
"""

from __future__ import annotations

import ast
import doctest
import importlib.metadata
import logging
import platform
import posixpath
import re
import sys
from pathlib import Path
from typing import NamedTuple

import nbformat
from nbformat import v4

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from physdl_docs import __version__ as PACKAGE_VERSION  # noqa: E402
from sitekit import blocks  # noqa: E402

log = logging.getLogger("mkdocs.hooks.notebooks")

#: Pages never turned into notebooks (paths without the language suffix).
EXCLUDED = re.compile(r"^(index\.md|reference/.*)$")

#: The tag of every notebook's install cell (tests drop it where the package
#: is installed already).
INSTALL_TAG = "install"

TEXT = {
    "ko": {
        "download": "노트북 내려받기",
        "download_title": "이 페이지를 주피터 노트북(.ipynb)으로 내려받습니다",
        "intro": (
            "이 노트북은 physdl-docs의 {page}에서 자동으로 만들었습니다. "
            "원본은 페이지이므로 고칠 곳이 있으면 페이지를 고쳐 주세요. "
            "코드를 실행하려면 숫자를 출력한 것과 같은 버전의 `physdl_docs` "
            "패키지가 필요합니다. 다음 셀이 `{command}` 명령으로 설치합니다. "
            "이미 설치되어 있다면(저장소를 클론해 `make install`을 실행했다면) "
            "그 셀은 건너뛰어도 됩니다."
        ),
        "install": (
            "# 이 노트북을 검증한 physdl-docs {version}을 설치합니다.\n"
            "# 선택 사항: 이미 설치되어 있으면(예: 클론 후 make install) 건너뛰세요."
        ),
        "install_torch": (
            "# 리눅스에서 pip는 PyPI의 CUDA용 torch(수 GB)를 받습니다. CPU용을 쓰려면\n"
            "# 먼저 실행하세요: %pip install torch --index-url {torch_index}"
        ),
        "page": "페이지",
        "online_page": "온라인 페이지",
        "not_run": "이 코드는 실행하지 않습니다",
        "versions_title": "검증한 환경",
        "versions": (
            "이 페이지의 숫자는 다음 버전으로 출력했습니다: {versions}. "
            "사이트를 빌드한 환경에 설치된 버전이며, CI는 같은 환경에서 "
            "이 페이지와 노트북의 코드 블록을 모두 실행합니다. 다른 버전에서도 "
            "코드는 똑같이 돌아가지만, 출력되는 숫자의 마지막 자리는 다를 수 "
            "있습니다."
        ),
    },
    "en": {
        "download": "Download notebook",
        "download_title": "Download this page as a Jupyter notebook (.ipynb)",
        "intro": (
            "This notebook was generated from the {page} of physdl-docs. "
            "The page is the source: to fix something, fix the page. "
            "The code needs the `physdl_docs` package, at the version that "
            "printed the numbers: the next cell installs it with `{command}`. "
            "Skip that cell where it is installed already (in a clone of the "
            "repository, `make install` does it)."
        ),
        "install": (
            "# Installs physdl-docs {version}, the version this notebook was verified with.\n"
            "# Optional: skip this cell where it is installed (e.g. a clone after make install)."
        ),
        "install_torch": (
            "# On Linux pip takes PyPI's CUDA build of torch (gigabytes); for the CPU\n"
            "# build run this first: %pip install torch --index-url {torch_index}"
        ),
        "page": "page",
        "online_page": "online page",
        "not_run": "Not run",
        "versions_title": "Verified with",
        "versions": (
            "The numbers on this page were printed with {versions}: the "
            "versions installed when the site was built, with which CI runs "
            "every code block of this page and of its notebook. Other "
            "versions run the same code, but printed numbers may differ in "
            "the last digits."
        ),
    },
}

# ------------------------------------------------------------------ parsing
# Where blocks start and end, their language, and whether they run, is
# decided by sitekit.blocks (the one parser; Sybil uses it too). This module
# only turns the prose around them into notebook Markdown.
# !!! type "Title"  /  ??? type  /  ???+ type "Title"
ADMONITION = re.compile(
    r'^(?:!!!|\?\?\?\+?)[ \t]*(?P<type>[\w-]+(?:[ \t]+[\w-]+)*)'
    r'(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$'
)
TAB = re.compile(r'^===\+?[ \t]+"(?P<title>[^"]*)"[ \t]*$')
HEADING_ATTRS = re.compile(r"^(#{1,6} .*?)[ \t]*\{[#:.][^}]*\}[ \t]*$", re.MULTILINE)
# a code span (left alone) or an inline link / image
LINK = re.compile(
    r"(?P<code>(?P<ticks>`+).+?(?P=ticks))"
    r"|(?P<bang>!?)\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)"
    r"(?P<attrs>\{[^}\n]*\})?"
)


class _Markdown(NamedTuple):
    text: str


class _Code(NamedTuple):
    """One executable block: ``python`` source, or a ``pycon`` doctest."""

    language: str
    source: str
    hidden: bool = False


class _Skip(NamedTuple):
    action: str
    reason: str | None


class _Context(NamedTuple):
    language: str
    page_path: str | None
    site_url: str | None
    default_language: str


Line = tuple[int, str]  # (0-based line number in the page, text)


def _container_body(lines: list[Line], start: int) -> tuple[list[Line], int]:
    """Lines indented by 4 after a container header; return (body, next)."""
    body, i = [], start
    while i < len(lines):
        n, line = lines[i][0], lines[i][1].expandtabs(4)
        if line.strip() and not line.startswith("    "):
            break
        body.append((n, line[4:]))
        i += 1
    while body and not body[-1][1].strip():
        body.pop()
        i -= 1
    return body, i


def _parse(lines: list[Line], ctx: _Context, found: dict[int, blocks.Block]) -> list:
    """Split lines into _Markdown, _Code and _Skip items, in page order.

    ``found`` maps the first line of each block (from sitekit.blocks) to it.
    """
    items: list = []
    prose: list[str] = []

    def flush() -> None:
        if prose:
            items.append(_Markdown(_rewrite_links("\n".join(prose), ctx)))
            prose.clear()

    i = 0
    while i < len(lines):
        n, line = lines[i]
        block = found.get(n)
        if block is not None:
            flush()
            if block.kind == "skip":
                reason = block.info.strip().strip("\"'") or None
                items.append(_Skip(block.language, reason))
            elif block.runs:
                items.append(_Code(block.language, block.source, hidden=block.kind == "invisible"))
            elif block.kind == "fence":  # shown as it is, no link rewriting
                items.append(_Markdown("\n".join(x for _, x in lines[i : i + block.end_line - block.line + 1])))
            while i < len(lines) and lines[i][0] < block.end_line:
                i += 1
            continue
        header = ADMONITION.match(line) or TAB.match(line)
        if header:
            flush()
            body, i = _container_body(lines, i + 1)
            if header.re is ADMONITION:
                title = header["title"]
                if title is None:
                    title = header["type"].split()[0].capitalize()
                items += _quote(title, _parse(body, ctx, found))
            else:
                items.append(_Markdown(f"**{header['title']}**"))
                items += _parse(body, ctx, found)
            continue
        prose.append(line)
        i += 1
    flush()
    return items


def _parse_page(text: str, ctx: _Context) -> list:
    found = {b.line - 1: b for b in blocks.parse(text, ctx.page_path or "<page>")}
    return _parse(list(enumerate(text.split("\n"))), ctx, found)


def _quote(title: str, items: list) -> list:
    """Turn an admonition's items into block quotes (code stays code)."""
    out: list = []
    head = f"> **{title}**" if title else None
    for item in items:
        if isinstance(item, _Markdown):
            lines = item.text.strip("\n").split("\n")
            text = "\n".join(f"> {x}".rstrip() for x in lines)
            if head:
                text = f"{head}\n>\n{text}"
                head = None
            out.append(_Markdown(text))
        else:
            out.append(item)
    if head:
        out.insert(0, _Markdown(head))
    return out


# -------------------------------------------------------------------- links
def _site_path(ctx: _Context, url: str) -> str:
    """The site-relative path of a link relative to the page."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(ctx.page_path), url))


def _page_url(ctx: _Context, md_path: str) -> str:
    """``physics/ising.md`` -> ``<site>/[en/]physics/ising/`` (directory URLs)."""
    path = md_path[: -len(".md")]
    path = "" if path in ("index", ".") else re.sub(r"(^|/)index$", r"\1", path) or ""
    if path and not path.endswith("/"):
        path += "/"
    prefix = "" if ctx.language == ctx.default_language else f"{ctx.language}/"
    return f"{ctx.site_url.rstrip('/')}/{prefix}{path}"


def _rewrite_links(text: str, ctx: _Context) -> str:
    """Make relative links absolute (or plain text without a site URL)."""

    def replace(m: re.Match) -> str:
        if m["code"]:
            return m[0]
        url, bang, label = m["url"], m["bang"], m["text"]
        title = m["title"] or ""
        if re.match(r"^([a-z][a-z0-9+.-]*:|/)", url, re.IGNORECASE):
            return f"{bang}[{label}]({url}{title})"  # outside the docs
        if not (ctx.site_url and ctx.page_path):
            return f"*{label}*" if bang else label
        if url.startswith("#"):
            return f"{bang}[{label}]({_page_url(ctx, ctx.page_path)}{url}{title})"
        target = _site_path(ctx, url)
        path, _, anchor = target.partition("#")
        if path.endswith(".md"):
            absolute = _page_url(ctx, path) + (f"#{anchor}" if anchor else "")
        else:
            absolute = f"{ctx.site_url.rstrip('/')}/{target}"
        return f"{bang}[{label}]({absolute}{title})"

    text = HEADING_ATTRS.sub(r"\1", text)
    return LINK.sub(replace, text)


# -------------------------------------------------------------------- cells
class _Example(NamedTuple):
    """One Sybil example: what runs, what the page shows, how it ends."""

    source: str
    shown: str
    doctest: bool = False
    skip: bool = False  # a "# doctest: +SKIP" example
    raises: bool = False
    has_output: bool = False
    want: str = ""


def _examples(code: _Code) -> list[_Example]:
    """A block is one example, or one per doctest example if it starts
    with ``>>>`` (conftest.py treats a python block like that as a doctest
    too)."""
    if not code.source.lstrip().startswith(">>>"):
        return [_Example(code.source, code.source)]
    out = []
    for example in doctest.DocTestParser().get_examples(code.source):
        lines = example.source.rstrip("\n").split("\n")
        shown = "".join(
            (">>> " if k == 0 else "... ") + x + "\n" for k, x in enumerate(lines)
        )
        out.append(
            _Example(
                example.source,
                shown + example.want,
                doctest=True,
                skip=bool(example.options.get(doctest.SKIP)),
                raises=example.exc_msg is not None,
                has_output=bool(example.want),
                want=example.want,
            )
        )
    return out


def _cells(items: list, lang: str) -> list:
    """Turn parsed items into notebook cells, applying Sybil's skip rules."""
    cells: list = []
    markdown: list[str] = []
    group: list[str] = []  # doctest sources that will share one code cell
    skip_next: str | bool = False
    skipping: str | bool = False

    def flush_markdown() -> None:
        text = "\n".join(markdown).strip("\n")
        if text.strip():
            cells.append(v4.new_markdown_cell(text))
        markdown.clear()

    def add_code(source: str, hidden: bool, raises: bool = False, expected: str = "") -> None:
        flush_markdown()
        cell = v4.new_code_cell(source.rstrip("\n"))
        if raises:
            cell.metadata["tags"] = ["raises-exception"]
        if expected:  # what the page shows under this code (checked by the tests)
            cell.metadata["physdl"] = {"expected": expected}
        if hidden:
            cell.metadata["jupyter"] = {"source_hidden": True}
        cells.append(cell)

    def flush_group(hidden: bool, expected: str = "") -> None:
        if group:
            add_code("".join(group), hidden, expected=expected)
            group.clear()

    for item in items:
        if isinstance(item, _Markdown):
            markdown += [item.text.strip("\n"), ""]
        elif isinstance(item, _Skip):
            reason = item.reason or True
            if item.action == "next":
                skip_next = reason
            elif item.action == "start":
                skipping = reason
            elif item.action == "end":
                skipping = False
        else:
            for example in _examples(item):
                skipped, skip_next = skip_next or skipping or example.skip, False
                if skipped:
                    flush_group(item.hidden)
                    reason = skipped if isinstance(skipped, str) else None
                    note = TEXT[lang]["not_run"] + (f": {reason}" if reason else "")
                    fence = f"```{item.language}\n{example.shown.rstrip()}\n```"
                    markdown += [f"*({note})*", "", fence, ""]
                elif not example.doctest:
                    add_code(example.source, item.hidden)
                elif example.raises:
                    # an expected traceback: its own cell, allowed to fail
                    flush_group(item.hidden)
                    add_code(example.source, item.hidden, raises=True)
                else:
                    # end the cell where the page shows output
                    group.append(example.source)
                    if example.has_output:
                        flush_group(item.hidden, example.want)
            flush_group(item.hidden)
    flush_markdown()
    return cells


# ------------------------------------------------------------ installing
#: Where pip finds the CPU build of torch (PyPI's Linux build is CUDA's).
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
_DOTTED = re.compile(r"\bphysdl_docs\.(\w+)")


def _torch_modules() -> set[str]:
    """The modules of physdl_docs with a function that needs torch."""
    return {
        p.stem
        for p in (ROOT / "physdl_docs").glob("*.py")
        if p.stem != "_optional" and "require_torch()" in p.read_text(encoding="utf-8")
    }


def needs_torch(text: str) -> bool:
    """Whether a page's code needs the ``torch`` extra of physdl-docs.

    True if a block that runs mentions ``torch`` or imports a module of
    physdl_docs that has a function needing torch (the module may have numpy
    functions too: this errs towards installing torch).
    """
    codes = [blocks.copied_code(b) for b in blocks.parse(text, strict=False) if b.runs]
    if any(re.search(r"\btorch\b", code) for code in codes):
        return True
    used = {m for code in codes for m in _DOTTED.findall(code)}  # physdl_docs.<module>
    for code in codes:  # from physdl_docs import <module>, ...
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        used |= {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "physdl_docs"
            for alias in node.names
        }
    return bool(used & _torch_modules())


def install_command(text: str, version: str = PACKAGE_VERSION) -> str:
    """The notebook command that installs physdl-docs for a page.

    ``%pip install physdl-docs==X.Y.Z``, or ``"physdl-docs[torch]==X.Y.Z"``
    where the page needs torch (:func:`needs_torch`).
    """
    if needs_torch(text):
        return f'%pip install "physdl-docs[torch]=={version}"'
    return f"%pip install physdl-docs=={version}"


def _install_cell(command: str, language: str) -> nbformat.NotebookNode:
    words = TEXT[language]
    lines = [words["install"].format(version=PACKAGE_VERSION)]
    if "[torch]" in command:
        lines.append(words["install_torch"].format(torch_index=TORCH_CPU_INDEX))
    cell = v4.new_code_cell("\n".join(lines + [command]))
    cell.metadata["tags"] = [INSTALL_TAG]
    return cell


def _intro(cells: list, ctx: _Context, command: str) -> None:
    """Open with the title, a note on where the notebook comes from and how
    to install the package, then the install cell, then the rest."""
    words = TEXT[ctx.language]
    if ctx.site_url and ctx.page_path:
        page = f"[{words['online_page']}]({_page_url(ctx, ctx.page_path)})"
    else:
        page = words["page"]
    note = "> " + words["intro"].format(page=page, command=command)
    head: list[str] = []
    if cells and cells[0].cell_type == "markdown":
        lines = cells[0].source.split("\n")
        for k, line in enumerate(lines):
            if line.startswith("# "):
                head, rest = lines[: k + 1], "\n".join(lines[k + 1 :]).strip("\n")
                if rest:
                    cells[0].source = rest
                else:
                    del cells[0]
                break
    top = v4.new_markdown_cell("\n".join(head + ([""] if head else []) + [note]))
    cells[0:0] = [top, _install_cell(command, ctx.language)]


def markdown_to_notebook(
    text: str,
    language: str,
    *,
    page_path: str | None = None,
    site_url: str | None = None,
    default_language: str = "ko",
) -> nbformat.NotebookNode:
    """Convert a lesson page's Markdown into a Jupyter notebook.

    Parameters
    ----------
    text : str
        The page's Markdown (without front matter).
    language : str
        ``"ko"`` or ``"en"``: the language of the notes the converter adds.
    page_path : str, optional
        The page's path in ``docs/`` without the language suffix, e.g.
        ``"physics/ising.md"``; needed to resolve relative links.
    site_url : str, optional
        The site's URL; relative links become absolute URLs under it. Without
        it (or without ``page_path``) links to pages become plain text.
    default_language : str, default "ko"
        The language served at the site root (others under ``/<language>/``).

    Returns
    -------
    nbformat.NotebookNode
        A version-4 notebook without outputs, with deterministic cell ids.
    """
    if language not in TEXT:
        raise ValueError(f"language must be one of {sorted(TEXT)}, got {language!r}")
    ctx = _Context(language, page_path, site_url, default_language)
    cells = _cells(_parse_page(text, ctx), language)
    _intro(cells, ctx, install_command(text))
    for k, cell in enumerate(cells):
        cell["id"] = f"cell-{k:03d}"
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    if page_path:
        nb.metadata["physdl"] = {"page": page_path, "language": language}
    nbformat.validate(nb)
    return nb


# --------------------------------------------------------------- the pages
def has_code(text: str) -> bool:
    """True if Sybil would execute something on this page."""
    return any(b.runs for b in blocks.parse(text, strict=False))


def is_lesson(page_path: str, text: str) -> bool:
    """The rule: a page with code, not the home page, not under reference/.

    ``page_path`` is relative to ``docs/``, with or without the language
    suffix (``physics/ising.ko.md`` or ``physics/ising.md``).
    """
    path = re.sub(r"\.(ko|en)\.md$", ".md", page_path.replace("\\", "/"))
    return not EXCLUDED.match(path) and has_code(text)


def lesson_pages(docs_dir: Path) -> list[Path]:
    """Every source file (both languages) that gets a notebook."""
    return [
        p
        for p in sorted(docs_dir.rglob("*.md"))
        if is_lesson(p.relative_to(docs_dir).as_posix(), p.read_text(encoding="utf-8"))
    ]


def versions() -> dict[str, str]:
    """Versions of physdl-docs (this source tree's), Python, numpy, scipy,
    scikit-learn and torch in the running interpreter."""
    found = {"physdl-docs": PACKAGE_VERSION, "Python": platform.python_version()}
    for name in ("numpy", "scipy", "scikit-learn", "torch"):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def versions_admonition(language: str) -> str:
    """The admonition appended to every lesson page."""
    words = TEXT[language]
    listed = ", ".join(f"{k} {v}" for k, v in versions().items())
    body = words["versions"].format(versions=listed)
    return f'!!! info "{words["versions_title"]}"\n    {body}\n'


def _page_language(page, config) -> str:
    locale = getattr(page.file, "locale", None) or config.theme.get("language", "en")
    return locale if locale in TEXT else "en"


def _default_language(config) -> str:
    i18n = config.plugins.get("i18n")
    if i18n is not None:
        for lang in i18n.config.languages:
            if lang.default:
                return lang.locale
    return config.theme.get("language", "en")


def _download_link(markdown: str, href: str, language: str) -> str:
    """Insert the download link under the first H1 (or at the top)."""
    words = TEXT[language]
    link = (
        f'<a href="{href}" download class="md-button physdl-notebook" '
        f'title="{words["download_title"]}">{words["download"]}</a>'
    )
    lines = markdown.split("\n")
    for k, line in enumerate(lines):
        if line.startswith("# "):
            lines[k + 1 : k + 1] = ["", link, ""]
            return "\n".join(lines)
    return f"{link}\n\n{markdown}"


def page_with_versions(markdown: str, language: str) -> str:
    """The page's Markdown as built: the versions admonition appended."""
    return markdown.rstrip("\n") + "\n\n" + versions_admonition(language)


def lesson_notebook(
    markdown: str,
    language: str,
    page_path: str,
    site_url: str | None = None,
    default_language: str = "ko",
) -> nbformat.NotebookNode:
    """The notebook the site offers for a page (what the hook writes)."""
    return markdown_to_notebook(
        page_with_versions(markdown, language),
        language,
        page_path=page_path,
        site_url=site_url,
        default_language=default_language,
    )


def notebook_name(page_path: str) -> str:
    """``physics/ising.md`` -> ``ising.ipynb`` (an index page: its folder)."""
    stem = posixpath.basename(page_path)[: -len(".md")]
    if stem == "index":
        stem = posixpath.basename(posixpath.dirname(page_path)) or "index"
    return f"{stem}.ipynb"


def on_page_markdown(markdown, page, config, files, **kwargs):
    src = page.file.src_uri
    page_path = getattr(page.file, "norm_src_uri", None) or re.sub(
        r"\.(ko|en)\.md$", ".md", src
    )
    if not is_lesson(page_path, markdown):
        return markdown
    language = _page_language(page, config)
    nb = lesson_notebook(
        markdown, language, page_path, config.site_url, _default_language(config)
    )
    name = notebook_name(page_path)
    target = Path(page.file.abs_dest_path).parent / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    log.debug("notebook %s", target)
    return _download_link(page_with_versions(markdown, language), name, language)
