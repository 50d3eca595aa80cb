"""physdl-docs as a user gets it: built, installed from the wheel into a fresh
virtual environment outside the source tree, and used there.

The sdist and the wheel are built with ``python -m build --no-isolation``
(the wheel from the sdist, so a file missing from the sdist fails too) by
this environment's setuptools and build, pinned in constraints.txt: the
build downloads nothing. The virtual environment is a new one in a temporary
folder, without ``--system-site-packages``, so a dependency missing from the
wheel's metadata fails; pip installs into it with ``-c constraints.txt`` (the
versions the site is verified with) and, on Linux, torch from PyTorch's CPU
index as ``make install`` does (``PHYSDL_TORCH_INDEX``, set by the Makefile).

One virtual environment serves three steps, in this order (each fixture
makes its own preconditions, so any test also runs alone):

1. with only ipykernel installed, one numpy lesson's notebook, as the site
   offers it, runs top to bottom in a kernel there; its install cell is the
   site's, pointed at the built wheel instead of PyPI;
2. without torch, every module imports (or, needing torch at import, says
   ``pip install "physdl-docs[torch]"``) and each numpy lesson's copied
   snippet runs;
3. after ``pip install "<wheel>[torch]"``, each torch lesson's snippet runs.

A lesson's copied snippet is what a reader copies from its English page: the
blocks that run, from the first to the first that uses physdl_docs, as the
copy button gives them (:func:`sitekit.blocks.copied_code`), in a new
namespace. Everything runs from a folder outside the source tree, with no
PYTHONPATH, so an import of a test helper, of ``sitekit`` or of a file that
is not in the wheel fails.

Marked ``wheel``: ``make test`` runs it, ``make unit`` does not. It takes
about a minute and a half, most of it pip unpacking torch.
"""

from __future__ import annotations

import ast
import doctest
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import physdl_docs
from sitekit import blocks, load_hook, registry

pytestmark = pytest.mark.wheel

VERSION = physdl_docs.__version__
CONSTRAINTS = ROOT / "constraints.txt"
#: seconds for one pip install or one snippet run (torch alone takes ~40 s)
STEP_TIMEOUT = 600


hook = load_hook("notebooks")


def _env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: nothing points into the tree."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.update(extra)
    return env


def _run(cmd: list, cwd: Path, **env: str) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=_env(**env), capture_output=True, text=True,
        timeout=STEP_TIMEOUT, check=False,
    )
    assert done.returncode == 0, (
        f"{' '.join(map(str, cmd))} failed ({done.returncode}):\n"
        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def _pip_install(python: Path, *requirements: str, cwd: Path) -> None:
    index = os.environ.get("PHYSDL_TORCH_INDEX", "")
    _run(
        [python, "-m", "pip", "install", "--quiet", "--no-compile", "--retries", "1",
         "-c", CONSTRAINTS, *(["--extra-index-url", index] if index else []), *requirements],
        cwd=cwd,
    )


# ------------------------------------------------------------------ build
@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT], cwd=ROOT)
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(out.iterdir())
    return {"wheel": wheels[0], "sdist": sdists[0]}


def test_wheel_and_sdist_hold_the_package_and_nothing_else(dist):
    wheel, sdist = dist["wheel"], dist["sdist"]
    # the version in the file names is physdl_docs.__version__
    assert wheel.name == f"physdl_docs-{VERSION}-py3-none-any.whl"
    assert sdist.name == f"physdl_docs-{VERSION}.tar.gz"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(f"physdl_docs-{VERSION}.dist-info/METADATA").decode()
    modules = {p.name for p in (ROOT / "physdl_docs").glob("*.py")}
    # every module of the source tree is in the wheel
    assert modules <= {n.split("/")[1] for n in names if n.startswith("physdl_docs/")}
    # and only the package: no tests, site tooling, figures or pages
    assert {n.split("/")[0] for n in names} == {"physdl_docs", f"physdl_docs-{VERSION}.dist-info"}
    # the metadata declares ranges, and torch only as the extra
    assert "Requires-Dist: numpy>=" in metadata
    assert 'Requires-Dist: torch>=2.13; extra == "torch"' in metadata
    assert "==" not in "".join(re.findall(r"^Requires-Dist: [^;\n]*$", metadata, re.MULTILINE))
    assert "matplotlib" not in metadata.split("Provides-Extra: docs")[0]
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    top = f"physdl_docs-{VERSION}"
    # the sdist builds the wheel (python -m build made it from the sdist)
    assert {f"{top}/pyproject.toml", f"{top}/README.md", f"{top}/physdl_docs/__init__.py"} <= set(members)
    assert not any(m.startswith((f"{top}/tests", f"{top}/docs", f"{top}/figures")) for m in members)


# ------------------------------------------------------- the user's venv
@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A folder outside the source tree: the user's working directory."""
    path = tmp_path_factory.mktemp("user")
    assert ROOT not in path.parents
    return path


@pytest.fixture(scope="module")
def venv(home) -> Path:
    """A fresh venv with ipykernel only (for the notebook); returns its python."""
    folder = home / "venv"
    _run([sys.executable, "-m", "venv", folder], cwd=home)
    python = folder / "bin" / "python"
    _pip_install(python, "ipykernel", cwd=home)
    return python


def _show(python: Path, home: Path, *names: str) -> dict[str, str]:
    """Installed versions in the venv (missing ones left out)."""
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))\n"
    )
    return json.loads(_run([python, "-c", code, *names], cwd=home))


#: The notebook run in the fresh venv: the RBM lesson uses numpy, scipy and
#: scikit-learn's bundled digits, without torch (any such lesson would do).
NOTEBOOK = "physics/rbm"


def _notebook_lesson():
    """:data:`NOTEBOOK`, or else the first written lesson with a module whose
    page needs no torch."""
    candidates = [
        lesson for lesson in registry.registry().written()
        if lesson.module and not hook.needs_torch(lesson.source("en").read_text(encoding="utf-8"))
    ]
    assert candidates, "no written lesson runs without torch"
    return next((c for c in candidates if c.slug == NOTEBOOK), candidates[0])


def _kernel_manager(python: Path, home: Path):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec_dir = home / "kernels" / "physdl-wheel"
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "fresh venv",
        "language": "python",
        # the install cell's pip: the pinned versions, no .pyc (faster)
        "env": {"PIP_CONSTRAINT": str(CONSTRAINTS), "PIP_NO_COMPILE": "1",
                "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
    }))
    ksm = KernelSpecManager(kernel_dirs=[str(home / "kernels")])
    return KernelManager(kernel_name="physdl-wheel", kernel_spec_manager=ksm)


def test_a_notebook_runs_after_its_install_cell_alone(venv, home, dist, monkeypatch):
    from nbclient import NotebookClient
    from sitekit.doctests import RoundingChecker

    from sitekit.doctests import OPTIONFLAGS

    lesson = _notebook_lesson()
    path = lesson.source("en")
    page_path = f"{lesson.slug}.md"
    nb = hook.lesson_notebook(path.read_text(encoding="utf-8"), "en", page_path)
    install = nb.cells[1]
    command = f"%pip install physdl-docs=={VERSION}"
    # the notebook's install cell is the site's: pinned to this version
    assert install.source.splitlines()[-1] == command
    assert _show(venv, home, "physdl-docs", "numpy") == {}, "the venv is not fresh"
    # physdl-docs is not on PyPI here: the same command, with the built wheel
    install.source = install.source.replace(f"physdl-docs=={VERSION}", str(dist["wheel"]))
    nb.cells.append(nbformat.v4.new_code_cell(
        "import physdl_docs, sys; print(physdl_docs.__file__); print(physdl_docs.__version__)"))
    monkeypatch.delenv("PYTHONPATH", raising=False)
    client = NotebookClient(
        nb, km=_kernel_manager(venv, home), timeout=STEP_TIMEOUT, startup_timeout=120,
        resources={"metadata": {"path": str(home)}},
    )
    client.execute()  # raises CellExecutionError on any unexpected error
    printed = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    # the install cell installed the wheel (and its dependencies)
    assert f"physdl-docs-{VERSION}" in printed.replace("physdl_docs", "physdl-docs"), printed
    where, version = "".join(o.get("text", "") for o in nb.cells[-1].outputs).split()
    # the kernel used the installed wheel, the version the site stamps
    assert Path(where).is_relative_to(venv.parent.parent) and version == VERSION
    checker = RoundingChecker()  # as Sybil checks the pages
    for cell in nb.cells[2:-1]:
        if "raises-exception" in cell.metadata.get("tags", []):
            assert any(o.output_type == "error" for o in cell.outputs), cell.source
            continue
        expected = cell.metadata.get("physdl", {}).get("expected")
        if expected is not None:
            # the fresh kernel prints what the page shows
            got = "".join(
                o.text if o.output_type == "stream" else o.data.get("text/plain", "") + "\n"
                for o in cell.outputs
                if (o.output_type == "stream" and o.name == "stdout") or o.output_type == "execute_result"
            )
            assert checker.check_output(expected, got, OPTIONFLAGS), (
                f"{page_path}: cell\n{cell.source}\nprinted\n{got}\nbut the page shows\n{expected}")
    assert "torch" not in _show(venv, home, "torch"), "the notebook's install pulled torch"


# ------------------------------------------------------ copied snippets
def _chunks(block: blocks.Block) -> list[dict]:
    """A block as the reader copies it, split where the page shows a traceback."""
    if not block.is_doctest:
        return [{"code": blocks.copied_code(block), "raises": False}]
    out = []
    for example in doctest.DocTestParser().get_examples(block.source):
        if example.options.get(doctest.SKIP):
            continue
        raises = example.exc_msg is not None
        if out and not raises and not out[-1]["raises"]:
            out[-1]["code"] += example.source
        else:
            out.append({"code": example.source, "raises": raises})
    return out


def _uses(code: str, imported: set[str]) -> bool:
    """Add the names ``code`` imports from physdl_docs to ``imported``; say
    whether it uses one that was imported before (a call, an attribute)."""
    tree = ast.parse(code)
    used = any(isinstance(n, ast.Name) and n.id in imported for n in ast.walk(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("physdl_docs"):
            imported |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            imported |= {(a.asname or a.name).split(".")[0] for a in node.names
                         if a.name.startswith("physdl_docs")}
    return used


def snippet(text: str, path: str) -> list[dict]:
    """The blocks that run, from the first to the first that uses what an
    earlier one imported from physdl_docs (so an import and a call)."""
    chunks, imported = [], set()
    for block, skipped in blocks.runnable(text, path):
        if skipped:
            continue
        chunks += _chunks(block)
        if _uses(blocks.copied_code(block), imported):
            return chunks
    return chunks


def _lessons(torch: bool) -> list[dict]:
    out = []
    for lesson in registry.registry().written():
        path = lesson.source("en")
        text = path.read_text(encoding="utf-8")
        if hook.needs_torch(text) == torch:
            rel = path.relative_to(ROOT).as_posix()
            out.append({"lesson": lesson.number, "page": rel, "chunks": snippet(text, rel)})
    return out


RUNNER = r'''
"""Run copied snippets, each lesson in a fresh namespace; report as JSON."""
import contextlib, importlib, io, json, pkgutil, sys, time, traceback

import physdl_docs

spec = json.load(open(sys.argv[1], encoding="utf-8"))
report = {"file": physdl_docs.__file__, "version": physdl_docs.__version__,
          "failures": [], "modules": {}, "seconds": {}}
for m in sorted(x.name for x in pkgutil.iter_modules(physdl_docs.__path__)):
    try:
        importlib.import_module("physdl_docs." + m)
        report["modules"][m] = "ok"
    except ImportError as exc:
        report["modules"][m] = str(exc)
for lesson in spec:
    start, namespace = time.perf_counter(), {"__name__": "__main__"}
    for chunk in lesson["chunks"]:
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # what snippets print
                exec(compile(chunk["code"], lesson["page"], "exec"), namespace)
        except Exception:
            if chunk["raises"]:
                continue
            report["failures"].append(f"{lesson['lesson']} {lesson['page']}:\n"
                                      f"{chunk['code']}\n{traceback.format_exc()}")
            break
        else:
            if chunk["raises"]:
                report["failures"].append(f"{lesson['lesson']} {lesson['page']}: "
                                          f"expected an exception from\n{chunk['code']}")
    report["seconds"][lesson["lesson"]] = round(time.perf_counter() - start, 2)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(report, f)
'''


def _run_snippets(python: Path, home: Path, lessons: list[dict], name: str) -> dict:
    (home / "run_snippets.py").write_text(RUNNER, encoding="utf-8")
    (home / f"{name}.json").write_text(json.dumps(lessons), encoding="utf-8")
    _run([python, "run_snippets.py", f"{name}.json", f"{name}-report.json"], cwd=home)
    report = json.loads((home / f"{name}-report.json").read_text(encoding="utf-8"))
    # the package came from the venv's site-packages, not from the tree
    assert Path(report["file"]).is_relative_to(python.parent.parent), report["file"]
    assert report["version"] == VERSION
    return report


@pytest.fixture(scope="module")
def numpy_env(venv, home, dist) -> Path:
    """The venv with the wheel, without torch (as after the notebook)."""
    _pip_install(venv, str(dist["wheel"]), cwd=home)
    assert "torch" not in _show(venv, home, "torch")
    return venv


@pytest.fixture(scope="module")
def torch_env(numpy_env, home, dist) -> Path:
    _pip_install(numpy_env, f"{dist['wheel']}[torch]", cwd=home)
    return numpy_env


def test_numpy_lessons_run_from_the_wheel_without_torch(numpy_env, home):
    lessons = _lessons(torch=False)
    assert lessons, "no lesson runs without torch"
    report = _run_snippets(numpy_env, home, lessons, "numpy")
    # every module imports without torch, or says how to install it
    hint = 'pip install "physdl-docs[torch]"'
    broken = {m: e for m, e in report["modules"].items() if e != "ok" and hint not in e}
    assert broken == {}
    # the modules of the numpy lessons import
    numpy_modules = {
        lesson.module for lesson in registry.registry().written()
        if lesson.module and not hook.needs_torch(lesson.source("en").read_text(encoding="utf-8"))
    }
    assert {m: report["modules"][m] for m in numpy_modules} == dict.fromkeys(numpy_modules, "ok")
    assert report["failures"] == [], "\n\n".join(report["failures"])
    # the installed versions are the constrained ones
    pins = dict(
        line.split("==") for line in CONSTRAINTS.read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    shown = _show(numpy_env, home, "numpy", "scipy", "scikit-learn")
    assert shown == {k: pins[k] for k in shown}


def test_torch_lessons_run_from_the_wheel_with_the_torch_extra(torch_env, home):
    lessons = _lessons(torch=True)
    report = _run_snippets(torch_env, home, lessons, "torch")
    assert set(report["modules"].values()) == {"ok"}, report["modules"]
    assert report["failures"] == [], "\n\n".join(report["failures"])
