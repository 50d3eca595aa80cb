"""The public import paths of physdl_docs stay importable, and torch stays
optional.

``public_api.txt`` beside this file lists every public name of every module
(``physdl_docs.<module>.<name>``) as of the last release: a reader's copied
snippet imports them, so none may disappear. When a name moves, the old path
re-exports it and CHANGELOG.md says so. New names join the list at the next
release: ``python tests/package/test_api.py --write`` adds the current
public names (it never removes one).

A module's public names are its ``__all__`` (re-exports such as
``physdl_docs.symmetry.conv2d`` included) or, without one, the functions and
classes it defines and the constants it assigns (``XOR_X``); and in any case
every name a page imports from it, since readers copy those imports.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = Path(__file__).with_name("public_api.txt")
HINT = 'pip install "physdl-docs[torch]"'


def public_names(module: types.ModuleType) -> set[str]:
    """The public names of one module by its own declaration (see above)."""
    if hasattr(module, "__all__"):
        return set(module.__all__)
    names = set()
    for name, value in vars(module).items():
        if name.startswith("_") or isinstance(value, types.ModuleType):
            continue
        if callable(value) or inspect.isclass(value):
            if getattr(value, "__module__", None) == module.__name__:
                names.add(name)
        elif name in _assigned(module):
            names.add(name)
    return names


def imported_by_pages() -> set[str]:
    """``physdl_docs.<module>.<name>`` for every name a page's code imports."""
    sys.path.insert(0, str(ROOT))
    from sitekit import blocks

    paths = set()
    for page in sorted([*(ROOT / "docs").rglob("*.md"), *(ROOT / "templates").rglob("*.md")]):
        for block in blocks.parse(page.read_text(encoding="utf-8"), str(page), strict=False):
            if not block.runs:
                continue
            try:
                tree = ast.parse(blocks.copied_code(block))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                module = getattr(node, "module", None) or ""
                if isinstance(node, ast.ImportFrom) and module.startswith("physdl_docs."):
                    paths |= {f"{module}.{a.name}" for a in node.names if a.name != "*"}
    return paths


def _assigned(module: types.ModuleType) -> set[str]:
    """Names a module's own top level assigns (not imports)."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    out = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        out |= {t.id for t in targets if isinstance(t, ast.Name)}
    return out


def current() -> set[str]:
    """Every public import path of the package as it is now."""
    import physdl_docs

    paths = set()
    for info in pkgutil.iter_modules(physdl_docs.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"physdl_docs.{info.name}")
        paths |= {f"physdl_docs.{info.name}.{n}" for n in public_names(module)}
    return paths | imported_by_pages()


def listed() -> list[str]:
    return [
        line.strip() for line in MANIFEST.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def _resolve(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_every_listed_import_path_still_imports():
    paths = listed()
    # the manifest is not empty and has no duplicates
    assert len(paths) > 100 and len(paths) == len(set(paths))
    missing = []
    for path in paths:
        try:
            _resolve(path)
        except (ImportError, AttributeError) as exc:
            missing.append(f"{path}: {exc}")
    assert missing == [], (
        "public import paths that no longer import (a reader's copied snippet "
        "breaks): keep each importable from its old module (re-export it) and "
        "say where it lives now in CHANGELOG.md:\n" + "\n".join(missing)
    )


def test_the_moves_the_changelog_records_still_import():
    import physdl_docs.cnn
    import physdl_docs.criticality
    import physdl_docs.landscape
    import physdl_docs.symmetry
    import physdl_docs.vanishing

    # conv2d and max_pool2d live in cnn; symmetry re-exports the same objects
    assert physdl_docs.symmetry.conv2d is physdl_docs.cnn.conv2d
    assert physdl_docs.symmetry.max_pool2d is physdl_docs.cnn.max_pool2d
    # the adapters keep their old paths
    assert callable(physdl_docs.vanishing.gradient_norms)
    assert physdl_docs.vanishing.gradient_norms is not physdl_docs.criticality.gradient_norms
    assert callable(physdl_docs.vanishing.clip_by_norm) and callable(physdl_docs.landscape.clip_grad_norm)
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for path in ("physdl_docs.symmetry.conv2d", "physdl_docs.vanishing.clip_by_norm",
                 "physdl_docs.vanishing.gradient_norms"):
        assert f"`{path}`" in changelog
    # the changelog has a section for the version being released
    assert f"## {physdl_docs.__version__}" in changelog


def test_torch_is_imported_only_through_require_torch():
    # so that every module imports without torch and says how to get it
    offenders = []
    for path in sorted((ROOT / "physdl_docs").glob("*.py")):
        if path.name == "_optional.py":  # require_torch itself
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "torch" or n.startswith("torch.") for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], (
        "import torch through physdl_docs._optional.require_torch() inside the "
        f"function that needs it (torch = require_torch()): {offenders}"
    )


NO_TORCH = r"""
import importlib, pkgutil, sys
sys.modules["torch"] = None   # as if torch were not installed
import physdl_docs
from physdl_docs import _optional, training
out = {}
for info in pkgutil.iter_modules(physdl_docs.__path__):
    try:
        importlib.import_module("physdl_docs." + info.name)
        out[info.name] = "ok"
    except ImportError as exc:
        out[info.name] = str(exc)
try:
    training.fit(None, None, None)
except ImportError as exc:
    out["training.fit"] = str(exc)
print(repr(out))
"""


def test_without_torch_modules_import_and_torch_functions_say_how_to_get_it():
    done = subprocess.run([sys.executable, "-c", NO_TORCH], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    out = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    # a torch function called without torch names the extra to install
    assert HINT in out.pop("training.fit")
    # every module imports, except those that are torch models throughout,
    # which say the same
    failing = {m: e for m, e in out.items() if e != "ok"}
    assert all(HINT in e for e in failing.values()), failing
    assert set(failing) <= {"architectures"}, (
        f"{sorted(failing)} need torch at import: import it inside the functions "
        "that use it, with physdl_docs._optional.require_torch()"
    )


def _write() -> None:
    old = set(listed()) if MANIFEST.exists() else set()
    header = [line for line in MANIFEST.read_text(encoding="utf-8").splitlines()
              if line.startswith("#")] if MANIFEST.exists() else []
    paths = sorted(old | current())
    MANIFEST.write_text("\n".join(header + paths) + "\n", encoding="utf-8")
    print(f"{MANIFEST}: {len(paths)} paths ({len(paths) - len(old)} new)")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/package/test_api.py --write")
    sys.path.insert(0, str(ROOT))
    _write()
