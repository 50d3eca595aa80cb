"""The figure pipeline: figures/<module>.py drawn by hooks/figures.py.

Deterministic SVG, a cache keyed on exactly the sources a figure imports,
the checks that fail a build (with the module and function named), the
<figure> markup on the pages, and the rule that the science package never
imports matplotlib. Temporary figure packages keep these tests fast and
independent of the real figures.
"""

import ast
import re
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from figures._render import render_task, text_px  # noqa: E402
from figures._style import Style  # noqa: E402
from sitekit import load_hook  # noqa: E402


hook = load_hook("figures")

LINE = '''
from figures._style import Style

def line(st: Style):
    fig, ax = st.subplots()
    ax.plot([0, 1, 2], [0, 1, 4], label=st.t(en="energy", ko="에너지"))
    ax.set_xlabel(st.t(en="sweeps", ko="스윕"))
    ax.legend()
    return fig
'''


def _module(directory: Path, stem: str, body: str, figures: str) -> Path:
    path = directory / f"{stem}.py"
    path.write_text(textwrap.dedent(body) + f"\nFIGURES = {figures}\n")
    return path


# ------------------------------------------------------------ rendering
def test_same_code_gives_the_same_bytes(tmp_path):
    path = _module(tmp_path, "demo_det", LINE, '{"demo_det-line": line}')
    first, second = (render_task(str(path), "demo_det-line") for _ in range(2))
    # no dates, no random ids: two renderings are byte-identical
    assert first["svg"] == second["svg"]
    # four variants, and the languages and palettes really differ
    assert sorted(first["svg"]) == ["en-dark", "en-light", "ko-dark", "ko-light"]
    assert len(set(first["svg"].values())) == 4
    # text is drawn as paths: no <text> elements, no font needed
    assert b"<text" not in first["svg"]["ko-light"]


def test_size_is_read_from_the_svg(tmp_path):
    path = _module(tmp_path, "demo_size", LINE, '{"demo_size-line": line}')
    width, height = render_task(str(path), "demo_size-line")["size"]
    # 4.8 in x 3.3 in at 96 CSS px per inch
    assert (round(width), round(height)) == (461, 317)


@pytest.mark.parametrize("body, expected", [
    ("def bad(st):\n    raise ValueError('no data for this seed')\n",
     r"figures/demo_err\.py: bad\(\) \(figure 'demo_err-x', ko, light\) "
     r"raised:\n.*ValueError: no data for this seed"),
    ("def bad(st):\n    fig, ax = st.subplots()\n",
     r"bad\(\) .* returned NoneType, not a matplotlib Figure"),
    ("def bad(st):\n    fig, ax = st.subplots()\n"
     "    ax.set_title('tiny', fontsize=6)\n    return fig\n",
     r"bad\(\) .*'tiny': 6 pt in a 4\.8 in wide figure is 6\.2 px when "
     r"shown 358 px wide \(minimum 10 px"),
    ("import numpy as np\ndef bad(st):\n    fig, ax = st.subplots()\n"
     "    ax.scatter(*np.random.default_rng(0).random((2, 4000)), s=2)\n"
     "    return fig\n",
     r"bad\(\) .*demo_err-x-ko-light\.svg is \d+ KB \(limit 200 KB\)"),
    ("def bad(st):\n    fig, ax = st.subplots()\n"
     "    ax.set_xlabel('에너지')\n    return fig\n",
     r"bad\(\) \(figure 'demo_err-x', en, light\): Korean text in the "
     r"English figure: '에너지'"),
    ("def bad(st):\n    return st.subplots(1, 3)[0]\n",
     r"raised:\n.*ncols must be 1 or 2"),
])
def test_a_failing_figure_names_module_and_function(tmp_path, body, expected):
    path = _module(tmp_path, "demo_err", body, '{"demo_err-x": bad}')
    result = render_task(str(path), "demo_err-x")
    # the message says which module, which function, and what is wrong
    assert re.search(expected, result["error"], re.S), result["error"]


def test_text_size_on_a_phone():
    # px = pt * 96/72 * 358 / (width_in * 96): 10 pt in 4.8 in is 10.4 px
    assert text_px(10, 4.8) == pytest.approx(10 * 358 / (72 * 4.8))
    assert text_px(10, 4.8) >= 10 > text_px(10, 5.0)


def test_style_speaks_the_language_and_keeps_text_legible():
    ko, en = Style("ko", dark=True), Style("en")
    assert (ko.t(en="energy", ko="에너지"), en.t(en="energy", ko="에너지")) \
        == ("에너지", "energy")
    # every font size of the style is at least 10 px on a phone
    sizes = [v for k, v in en.rc.items()
             if k == "font.size" or k.endswith(("labelsize", "titlesize",
                                                "legend.fontsize"))]
    assert min(text_px(s, 4.8) for s in sizes) >= 10
    with pytest.raises(ValueError, match="lang"):
        Style("fr")


# ------------------------------------------------------------ cache key
@pytest.fixture
def tree(tmp_path):
    """A figures package and a physdl_docs package, both temporary."""
    figs, pkg = tmp_path / "figures", tmp_path / "physdl_docs"
    figs.mkdir()
    pkg.mkdir()
    for name in hook.COMMON:
        (figs / name).write_text(f"# {name}\n")
    (pkg / "__init__.py").write_text("")
    (pkg / "_validation.py").write_text("def check(): ...\n")
    (pkg / "ising.py").write_text("from physdl_docs._validation import check\n")
    (pkg / "rg.py").write_text("from . import ising\n")
    (pkg / "other.py").write_text("import numpy\n")
    # the import inside a function is never run here, only read
    _module(figs, "rg", LINE + "\ndef _unused():\n"
            "    from physdl_docs.rg import flow\n", '{"rg-line": line}')
    return figs, pkg


def test_dependencies_follow_imports_transitively(tree):
    figs, pkg = tree
    deps = hook.dependencies(figs / "rg.py",
                             {"figures": figs, "physdl_docs": pkg})
    names = sorted(p.relative_to(figs.parent).as_posix() for p in deps)
    # rg -> (relative) ising -> _validation, the package __init__ and the
    # common figure files; not other.py
    assert names == ["figures/__init__.py", "figures/_render.py",
                     "figures/_style.py", "figures/rg.py",
                     "physdl_docs/__init__.py", "physdl_docs/_validation.py",
                     "physdl_docs/ising.py", "physdl_docs/rg.py"]


@pytest.mark.parametrize("edited, changes", [
    ("physdl_docs/other.py", False),       # not imported
    ("physdl_docs/_validation.py", True),  # imported through two modules
    ("physdl_docs/ising.py", True),        # imported relatively
    ("figures/_style.py", True),           # the style
    ("figures/rg.py", True),               # the figure module itself
])
def test_cache_key_changes_only_with_what_is_imported(tree, edited, changes):
    figs, pkg = tree
    packages = {"figures": figs, "physdl_docs": pkg}
    before = hook.cache_key(figs / "rg.py", packages)
    file = figs.parent / edited
    file.write_text(file.read_text() + "# edited\n")
    assert (hook.cache_key(figs / "rg.py", packages) != before) is changes


def test_generate_redraws_only_what_changed(tree, tmp_path):
    figs, pkg = tree
    out = tmp_path / "out"
    run = lambda **kw: hook.generate(out, figures_dir=figs,  # noqa: E731
                                     packages={"physdl_docs": pkg},
                                     processes=0, **kw)
    first = run()
    assert list(first.drawn) == ["rg-line"]
    files = sorted(p.name for p in out.glob("*.svg"))
    assert files == [f"rg-line-{lang}-{pal}.svg" for lang in ("en", "ko")
                     for pal in ("dark", "light")]
    # nothing changed: nothing drawn
    assert not run().drawn
    # an unrelated package module changed: still nothing drawn
    (pkg / "other.py").write_text("import numpy  # edited\n")
    assert not run().drawn
    # an imported module changed: redrawn, but identical bytes not rewritten
    (pkg / "_validation.py").write_text("def check(): return 1\n")
    again = run()
    assert list(again.drawn) == ["rg-line"] and again.written == []
    # a missing file is drawn again; a stale file of no figure is removed
    (out / "rg-line-ko-dark.svg").unlink()
    (out / "old-figure.svg").write_text("<svg/>")
    assert run().written == ["rg-line-ko-dark.svg"]
    assert not (out / "old-figure.svg").exists()
    assert hook.sizes(out) == {"rg-line": (461, 317)}


def test_generate_in_spawned_workers(tree, tmp_path):
    figs, pkg = tree
    report = hook.generate(tmp_path / "out", figures_dir=figs,
                           packages={"physdl_docs": pkg}, processes=1)
    # the worker process imported the module from its file and drew it
    assert list(report.drawn) == ["rg-line"] and len(report.written) == 4


def test_generate_reports_every_failure(tree, tmp_path):
    figs, pkg = tree
    _module(figs, "ising", "def a(st):\n    return None\n", '{"ising-a": a}')
    with pytest.raises(hook.FigureError, match=r"figures/ising\.py: a\(\)"):
        hook.generate(tmp_path / "out", figures_dir=figs,
                      packages={"physdl_docs": pkg}, processes=0)
    # the good module was still written
    assert (tmp_path / "out" / "rg-line-en-light.svg").exists()


@pytest.mark.parametrize("source, message", [
    ("FIGURES = dict(a=f)", "must be a dict literal"),
    ('FIGURES = {"energy": f}', "must be 'demo-<what>'"),
    ('FIGURES = {"demo-energy.svg": f}', "no .svg"),
    ("x = 1", "no FIGURES"),
])
def test_figures_dict_is_checked(tmp_path, source, message):
    path = tmp_path / "demo.py"
    path.write_text(source + "\n")
    with pytest.raises(hook.FigureError, match=re.escape(message)):
        hook.figure_names(path)


# ------------------------------------------------------------ pages
SIZES = {"demo-a": (461, 317), "demo-b": (461, 400)}


def _rewrite(markdown, lang="en", page="physics/demo.en.md"):
    return hook.rewrite_page(markdown, page, lang,
                             lambda f: f"../../figures/{f}", SIZES)


def test_page_images_become_numbered_figures():
    html = _rewrite('![Alt "a"](../figures/demo-a.svg "The *caption*")\n\n'
                    "```markdown\n![x](../figures/missing.svg)\n```\n\n"
                    "`![x](../figures/missing.svg)`\n\n"
                    "![Alt b](../figures/demo-b.svg)\n")
    # light and dark image, Material's #only-light / #only-dark
    assert ('<img src="../../figures/demo-a-en-light.svg#only-light" '
            'alt="Alt &quot;a&quot;" width="461" height="317" '
            'loading="lazy"') in html
    assert "../../figures/demo-a-en-dark.svg#only-dark" in html
    # numbered in page order; the title is the caption, else the alt text
    assert "Figure 1.</span> The *caption*</figcaption>" in html
    assert "Figure 2.</span> Alt b</figcaption>" in html
    assert 'id="fig-demo-b"' in html
    # code blocks and code spans are left alone
    assert html.count("missing.svg") == 2


def test_korean_pages_get_korean_figures():
    html = _rewrite("![그림](../figures/demo-a.svg)\n", lang="ko",
                    page="physics/demo.ko.md")
    assert "demo-a-ko-light.svg" in html and "그림 1.</span>" in html


def test_missing_figure_fails_with_page_and_name():
    with pytest.raises(hook.FigureError,
                       match=r"docs/physics/demo.en.md:3: figure 'demo-c' "
                             r"does not exist.*figures/demo\.py"):
        _rewrite("Text.\n\n![x](../figures/demo-c.svg)\n")


def test_figure_urls_are_relative_to_the_page(tmp_path):
    from types import SimpleNamespace

    from mkdocs.structure.files import File, Files

    docs = tmp_path / "docs"
    (docs / "figures").mkdir(parents=True)
    names = [f"demo-a-en-{pal}.svg" for pal in ("light", "dark")]
    for name in names:
        (docs / "figures" / name).write_text("<svg/>")
    files = Files([File(f"figures/{n}", str(docs), str(tmp_path / "site"), True)
                   for n in names])
    page_file = File("physics/hopfield.md", str(docs), str(tmp_path / "site"),
                     True)
    page = SimpleNamespace(file=page_file)
    config = {"docs_dir": str(docs), "theme": {"language": "en"}}
    hook._state["sizes"] = SIZES
    html = hook.on_page_markdown("![x](../figures/demo-a.svg)\n", page=page,
                                 config=config, files=files)
    # use_directory_urls: physics/hopfield/ is two levels below the root
    assert 'src="../../figures/demo-a-en-light.svg#only-light"' in html


def test_serve_ignores_the_figures_it_writes(tmp_path):
    import threading
    from types import SimpleNamespace

    from watchdog.events import FileModifiedEvent

    docs = tmp_path / "docs"
    scheduled = []

    class Server:  # the parts of mkdocs' LiveReloadServer the hook uses
        _rebuild_cond = threading.Condition()
        _want_rebuild = False
        _watched_paths = {str(docs): 1}
        observer = SimpleNamespace(schedule=lambda h, p, recursive:
                                   scheduled.append((h, p)))

        def unwatch(self, path):
            self._watched_paths.pop(path)

    server = hook.on_serve(Server(), {"docs_dir": str(docs)}, None)
    (handler, path), = scheduled
    assert path == str(docs) and str(docs) not in server._watched_paths
    # a figure written by the hook: no second rebuild
    handler.on_any_event(FileModifiedEvent(str(docs / "figures" / "a.svg")))
    assert server._want_rebuild is False
    # a page edited by a writer: rebuild
    handler.on_any_event(FileModifiedEvent(str(docs / "physics" / "a.md")))
    assert server._want_rebuild is True


def test_every_figure_on_every_page_exists():
    known = {name: (1, 1) for name in hook.registry()}
    errors = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        lang = "ko" if page.name.endswith(".ko.md") else "en"
        try:
            hook.rewrite_page(page.read_text(encoding="utf-8"),
                              page.relative_to(ROOT / "docs").as_posix(), lang,
                              lambda f: f, known)
        except hook.FigureError as e:
            errors.append(str(e))
    # each message names the page, the line and the missing figure
    assert errors == []


def test_output_names_are_not_taken_for_translations():
    # mkdocs-static-i18n would treat x.ko.svg as the Korean version of x.svg
    assert hook.output_name("hopfield-energy", "ko", "dark") == \
        "hopfield-energy-ko-dark.svg"


# ------------------------------------------------------------ the package
def test_physdl_docs_never_imports_matplotlib():
    offenders = []
    for path in sorted((ROOT / "physdl_docs").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes())):
            names = ([a.name for a in node.names]
                     if isinstance(node, ast.Import)
                     else [node.module or ""]
                     if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names
                          if n.split(".")[0] == "matplotlib"]
    # figures live in figures/<module>.py, not in the science package
    assert offenders == []


def test_no_figure_code_left_in_the_package():
    for path in sorted((ROOT / "physdl_docs").glob("*.py")):
        source = path.read_text()
        assert not re.search(r"^FIGURES\b|^def make_\w*figure", source, re.M), \
            f"{path.name}: move figures to figures/{path.stem}.py"
