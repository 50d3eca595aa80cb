"""mkdocs hook: generate every figure from ``physdl_docs`` code at build time.

Each lesson module may define ``FIGURES = {"name.svg": make_figure}``. Before
mkdocs collects files, this hook imports every module of the package, calls
each ``make_figure()`` and writes ``docs/figures/name.svg`` (git-ignored).
Pages include them as ``![...](../figures/name.svg)``.

A figure is only recomputed when the package's source changed (a hash of all
``physdl_docs/*.py`` files is kept in ``docs/figures/.sources``), and a file
is only rewritten when its bytes change, so ``mkdocs serve`` does not loop.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import pkgutil
import sys
import time
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.figures")

ROOT = Path(__file__).resolve().parent.parent


def _sources_hash(package_dir: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(package_dir.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def collect_figures() -> dict:
    """Return ``{file name: callable}`` from every module's ``FIGURES``."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import physdl_docs

    found: dict = {}
    for info in pkgutil.iter_modules(physdl_docs.__path__):
        module = importlib.import_module(f"physdl_docs.{info.name}")
        for name, make in getattr(module, "FIGURES", {}).items():
            if name in found:
                raise ValueError(f"figure {name!r} is defined by two modules")
            found[name] = make
    return found


def generate(out_dir: Path, force: bool = False) -> list[str]:
    """Write all figures into ``out_dir``; return the names (re)written."""
    from physdl_docs._plotting import to_svg

    package_dir = ROOT / "physdl_docs"
    stamp = out_dir / ".sources"
    digest = _sources_hash(package_dir)
    figures = collect_figures()
    up_to_date = (
        not force
        and stamp.exists()
        and stamp.read_text() == digest
        and all((out_dir / name).exists() for name in figures)
    )
    if up_to_date:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in sorted(figures.items()):
        start = time.perf_counter()
        data = to_svg(make())
        path = out_dir / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            written.append(name)
        log.info("figure %s: %.2f s", name, time.perf_counter() - start)
    stamp.write_text(digest)
    return written


def on_config(config, **kwargs):
    generate(Path(config["docs_dir"]) / "figures")
    return config


if __name__ == "__main__":
    names = generate(ROOT / "docs" / "figures", force="--force" in sys.argv)
    print(f"{len(names)} figures written")
