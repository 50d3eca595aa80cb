"""mkdocs hook and CLI: draw the figures, and put them on the pages.

Figures live apart from the science in ``figures/<module>.py`` (see
``figures/_style.py`` for the API). Before mkdocs collects files, this hook
renders every figure for ko/en x light/dark into
``docs/figures/<name>-<lang>-<palette>.svg`` (git-ignored):

- **cached per figure module**: the key hashes the module's source, the
  figure package's ``_style.py``/``_render.py``/``__init__.py``, the source of
  every ``physdl_docs`` (or ``figures``) module it imports, transitively
  (found by reading the imports with ``ast``), and the matplotlib and font
  versions; the key is kept in ``docs/figures/.cache/<module>.json``;
- **fresh**: figures are drawn in worker processes started with "spawn", so
  every build imports the code as it is now (``mkdocs serve`` reloads nothing
  else); one task per figure, its four variants in one process;
- **quiet**: a file is only written when its bytes change, so ``mkdocs
  serve`` does not loop; stale files of removed figures are deleted;
- **checked**: a figure function that raises, returns something that is not a
  Figure, uses text under 10 px on a phone or writes an SVG over 200 KB fails
  the build with the module and function named (see ``figures/_render.py``).

On each page, ``![alt](../figures/<name>.svg "Caption")`` becomes a
``<figure>`` with the light and dark image of the page's language (Material's
``#only-light``/``#only-dark``), width and height, lazy loading and a
numbered caption (the title, else the alt text). A name that is not in any
``FIGURES`` fails the build with the page and the name.

CLI: ``python hooks/figures.py [--force] [--only MODULE]`` prints the time
of each figure.
"""

from __future__ import annotations

import ast
import hashlib
import html
import json
import logging
import os
import posixpath
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.figures")

ROOT = Path(__file__).resolve().parent.parent
#: Where figure modules live, and the packages whose imports are followed.
FIGURES_DIR = ROOT / "figures"
PACKAGES = {"figures": FIGURES_DIR, "physdl_docs": ROOT / "physdl_docs"}
#: Files every figure depends on (the style, the renderer).
COMMON = ("__init__.py", "_style.py", "_render.py")
#: Distributions whose version is part of every cache key.
VERSIONED = ("matplotlib", "koreanize-matplotlib")
LANGS = ("ko", "en")
PALETTES = ("light", "dark")
CACHE_DIR = ".cache"
_NAME = re.compile(r"^[a-z0-9_]+-[a-z0-9_-]+$")


class FigureError(Exception):
    """A figure module or a page's figure is wrong; the message says where."""


# ------------------------------------------------------------ registry
def figure_modules(figures_dir: Path = FIGURES_DIR) -> list[Path]:
    """``figures/<module>.py`` files, without the private ``_*.py``."""
    return sorted(p for p in Path(figures_dir).glob("*.py")
                  if not p.name.startswith("_"))


def figure_names(path: Path) -> list[str]:
    """The keys of ``FIGURES = {...}`` in a figure module, read with ast."""
    path = Path(path)
    where = f"figures/{path.name}"
    tree = ast.parse(path.read_bytes(), str(path))
    for node in tree.body:
        target = (node.targets[0] if isinstance(node, ast.Assign)
                  and len(node.targets) == 1 else getattr(node, "target", None))
        if isinstance(target, ast.Name) and target.id == "FIGURES":
            value = node.value
            if not isinstance(value, ast.Dict) or not all(
                    isinstance(k, ast.Constant) and isinstance(k.value, str)
                    for k in value.keys):
                raise FigureError(
                    f"{where}: FIGURES must be a dict literal "
                    '{"<module>-<what>": function, ...}')
            names = [k.value for k in value.keys]
            for name in names:
                if not name.startswith(f"{path.stem}-") or not _NAME.match(name):
                    raise FigureError(
                        f"{where}: figure name {name!r} must be "
                        f"'{path.stem}-<what>' (lower case, digits, - and _; "
                        "no .svg)")
            return names
    raise FigureError(f"{where}: no FIGURES = {{...}} at the top level")


def registry(figures_dir: Path = FIGURES_DIR) -> dict[str, Path]:
    """``{figure name: module path}`` of every figure module."""
    found: dict[str, Path] = {}
    for path in figure_modules(figures_dir):
        for name in figure_names(path):
            if name in found:
                raise FigureError(f"figure {name!r} is defined twice")
            found[name] = path
    return found


# ------------------------------------------------------------ cache key
def _module_file(dotted: str, packages: dict[str, Path]) -> Path | None:
    # physdl_docs.ising -> .../physdl_docs/ising.py (or a subpackage)
    top, *rest = dotted.split(".")
    if top not in packages:
        return None
    base = Path(packages[top]).joinpath(*rest)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _package_of(path: Path, packages: dict[str, Path]) -> str | None:
    path = Path(path).resolve()
    for top, root in packages.items():
        root = Path(root).resolve()
        if path.is_relative_to(root):
            parts = path.relative_to(root).with_suffix("").parts
            if parts and parts[-1] == "__init__":
                return ".".join((top, *parts[:-1]))
            return ".".join((top, *parts[:-1]))
    return None


#: local_imports per (file, mtime, size, packages); kept across the reloads
#: of this hook by mkdocs serve, so a rebuild parses only changed files
_IMPORTS = sys.modules.setdefault("_physdl_figures_imports", type(sys)("_physdl_figures_imports"))
_IMPORTS.__dict__.setdefault("cache", {})


def local_imports(path: Path, packages: dict[str, Path] = PACKAGES) -> set[Path]:
    """Files of ``packages`` that ``path`` imports directly (any scope).

    Follows ``import physdl_docs.x``, ``from physdl_docs.x import y``,
    ``from physdl_docs import x`` and relative imports; importing a
    submodule also runs its packages' ``__init__.py``.
    """
    path = Path(path)
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, tuple(sorted(
        (k, str(v)) for k, v in packages.items())))
    if key not in _IMPORTS.cache:
        _IMPORTS.cache[key] = _local_imports(path, packages)
    return set(_IMPORTS.cache[key])


def _local_imports(path: Path, packages: dict[str, Path]) -> set[Path]:
    tree = ast.parse(path.read_bytes(), str(path))
    dotted: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            dotted += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package_of(path, packages)
                if package is None:
                    continue
                parts = package.split(".")
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            dotted.append(base)
            # `from pkg import submodule`
            dotted += [f"{base}.{alias.name}" for alias in node.names]
    found: set[Path] = set()
    for name in dotted:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # the packages on the way run too
            file = _module_file(".".join(parts[:i]), packages)
            if file is not None:
                found.add(file.resolve())
    return found


def dependencies(path: Path, packages: dict[str, Path] = PACKAGES) -> list[Path]:
    """``path``, the common figure files and everything imported, transitively."""
    path = Path(path).resolve()
    figures_dir = Path(packages["figures"])
    todo = [path] + [(figures_dir / name).resolve() for name in COMMON
                     if (figures_dir / name).is_file()]
    seen: set[Path] = set()
    while todo:
        file = todo.pop()
        if file in seen:
            continue
        seen.add(file)
        todo += local_imports(file, packages) - seen
    return sorted(seen)


def _versions() -> str:
    # installed versions do not change while a process runs (mkdocs serve)
    if "versions" not in _IMPORTS.__dict__:
        _IMPORTS.versions = _read_versions()
    return _IMPORTS.versions


def _read_versions() -> str:
    out = []
    for dist in VERSIONED:
        try:
            out.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            out.append(f"{dist} missing")
    return "\n".join(out)


def cache_key(path: Path, packages: dict[str, Path] = PACKAGES) -> str:
    """Hash of everything a figure module's drawings depend on."""
    h = hashlib.sha256(_versions().encode())
    roots = {top: Path(root).resolve() for top, root in packages.items()}
    for file in dependencies(path, packages):
        label = next((f"{top}/{file.relative_to(root).as_posix()}"
                      for top, root in roots.items()
                      if file.is_relative_to(root)), file.name)
        h.update(b"\0" + label.encode() + b"\0" + file.read_bytes())
    return h.hexdigest()


# ------------------------------------------------------------ rendering
class Report:
    """What `generate` did."""

    def __init__(self) -> None:
        self.drawn: dict[str, float] = {}  # figure name: wall seconds
        self.cpu: dict[str, float] = {}    # figure name: CPU seconds
        self.written: list[str] = []       # file names
        self.cached: list[str] = []        # module stems left as they were
        self.errors: list[str] = []
        self.seconds = 0.0


def output_name(name: str, lang: str, palette: str) -> str:
    """``hopfield-energy`` -> ``hopfield-energy-ko-dark.svg``.

    Not ``.ko.svg``: mkdocs-static-i18n would take that for a translation.
    """
    return f"{name}-{lang}-{palette}.svg"


def _stamp_path(out_dir: Path, stem: str) -> Path:
    return Path(out_dir) / CACHE_DIR / f"{stem}.json"


def _read_stamp(out_dir: Path, stem: str) -> dict:
    try:
        return json.loads(_stamp_path(out_dir, stem).read_text())
    except (OSError, ValueError):
        return {}


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # atomic: a concurrent build never reads half a file
    return True


def _run(tasks: list[tuple[str, str]], processes: int | None):
    from figures._render import init_worker, render_task

    if processes == 0:  # in this process (tests)
        for task in tasks:
            yield render_task(*task)
        return
    workers = min(len(tasks), processes or os.cpu_count() or 1)
    if str(ROOT) not in sys.path:  # the workers import figures._render
        sys.path.insert(0, str(ROOT))
    # spawn: every build imports the code as it is now, never a stale copy
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                             initializer=init_worker) as pool:
        futures = [pool.submit(render_task, *task) for task in tasks]
        for (path, name), future in zip(tasks, futures):
            try:
                yield future.result()
            except Exception as e:  # the worker died (crash, out of memory)
                yield {"name": name, "error": f"figures/{Path(path).name}: "
                       f"the worker drawing {name!r} died: {e!r}"}


def generate(out_dir: Path, force: bool = False, only: str | None = None,
             figures_dir: Path = FIGURES_DIR,
             packages: dict[str, Path] | None = None,
             processes: int | None = None) -> Report:
    """Draw the figures whose sources changed into ``out_dir``.

    Raises `FigureError` listing every failed figure (the others are kept).
    """
    start = time.perf_counter()
    out_dir = Path(out_dir)
    packages = dict(packages or PACKAGES, figures=Path(figures_dir))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    report = Report()
    modules = {p.stem: p for p in figure_modules(figures_dir)}
    if only is not None and only not in modules:
        raise FigureError(f"no figure module figures/{only}.py")
    names = {stem: figure_names(path) for stem, path in modules.items()}
    seen: dict[str, str] = {}
    for stem, ns in names.items():
        for n in ns:
            if n in seen:
                raise FigureError(f"figure {n!r} is defined by figures/"
                                  f"{seen[n]}.py and figures/{stem}.py")
            seen[n] = stem
    keys, stale = {}, []
    for stem, path in modules.items():
        if only is not None and stem != only:
            continue
        keys[stem] = cache_key(path, packages)
        stamp = _read_stamp(out_dir, stem)
        complete = all((out_dir / output_name(n, lang, pal)).is_file()
                       for n in names[stem] for lang in LANGS
                       for pal in PALETTES)
        if (force or stamp.get("key") != keys[stem] or not complete
                or sorted(stamp.get("figures", {})) != sorted(names[stem])):
            stale.append(stem)
        else:
            report.cached.append(stem)
    # longest first (times of the last run) so the workers finish together
    last = {n: _read_stamp(out_dir, s).get("figures", {}).get(n, {})
            .get("seconds", 99.0) for s in stale for n in names[s]}
    tasks = sorted(((str(modules[s]), n) for s in stale for n in names[s]),
                   key=lambda t: -last[t[1]])
    results: dict[str, dict] = {}
    for result in _run(tasks, processes) if tasks else ():
        results[result["name"]] = result
        if "error" in result:
            report.errors.append(result["error"])
        else:
            report.drawn[result["name"]] = result["seconds"]
            report.cpu[result["name"]] = result["cpu"]
    for stem in stale:
        if any("error" in results[n] for n in names[stem]):
            continue  # no stamp: drawn again next time
        entry = {}
        for n in names[stem]:
            result = results[n]
            for variant, svg in result["svg"].items():
                file = f"{n}-{variant}.svg"
                if _write_if_changed(out_dir / file, svg):
                    report.written.append(file)
            width, height = result["size"]
            entry[n] = {"width": round(width), "height": round(height),
                        "seconds": round(result["seconds"], 2),
                        "cpu": round(result["cpu"], 2)}
        stamp = {"key": keys[stem], "figures": entry}
        _write_if_changed(_stamp_path(out_dir, stem),
                          json.dumps(stamp, indent=1, sort_keys=True).encode())
    if only is None:
        _remove_orphans(out_dir, names)
    report.seconds = time.perf_counter() - start
    if report.errors:
        error = FigureError("\n\n".join(report.errors))
        error.report = report
        raise error
    return report


def _remove_orphans(out_dir: Path, names: dict[str, list[str]]) -> None:
    # files of figures that no longer exist (and the old unsuffixed ones)
    keep = {output_name(n, lang, pal) for ns in names.values() for n in ns
            for lang in LANGS for pal in PALETTES}
    for file in Path(out_dir).glob("*.svg"):
        if file.name not in keep:
            file.unlink(missing_ok=True)
    for stamp in (Path(out_dir) / CACHE_DIR).glob("*.json"):
        if stamp.stem not in names:
            stamp.unlink(missing_ok=True)
    (Path(out_dir) / ".sources").unlink(missing_ok=True)


def sizes(out_dir: Path) -> dict[str, tuple[int, int]]:
    """``{name: (width, height)}`` in CSS px of every figure drawn."""
    out = {}
    for stamp in (Path(out_dir) / CACHE_DIR).glob("*.json"):
        for name, entry in _read_stamp(out_dir, stamp.stem).get("figures",
                                                                 {}).items():
            out[name] = (entry["width"], entry["height"])
    return out


# ------------------------------------------------------------ pages
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+).*?\1")
_IMAGE = re.compile(
    r"!\[(?P<alt>(?:[^\[\]\\]|\\.|\[[^\]]*\])*)\]"
    r"\((?P<path>[^)\s]*?figures/(?P<name>[A-Za-z0-9_.-]+)\.svg)"
    r'(?:\s+"(?P<title>(?:[^"\\]|\\.)*)")?\s*\)'
)
_CAPTION = {"ko": "그림", "en": "Figure"}


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def figure_html(name: str, alt: str, caption: str, number: int, lang: str,
                srcs: dict[str, str], size: tuple[int, int]) -> str:
    """The ``<figure>`` block of one figure on a page."""
    width, height = size
    imgs = [
        f'<img src="{_attr(srcs[palette])}#only-{palette}" alt="{_attr(alt)}" '
        f'width="{width}" height="{height}" loading="lazy" decoding="async">'
        for palette in PALETTES
    ]
    label = f"{_CAPTION.get(lang, 'Figure')} {number}."
    lines = [
        f'<figure class="physdl-figure" id="fig-{name}" markdown="1">',
        *imgs,
        f'<figcaption markdown="span"><span class="physdl-figure-number">'
        f"{label}</span> {caption}</figcaption>",
        "</figure>",
    ]
    return "\n".join(["", *lines, ""])


def rewrite_page(markdown: str, page_path: str, lang: str,
                 url_of, known: dict[str, tuple[int, int]]) -> str:
    """Replace each figure image of a page by its ``<figure>`` block.

    ``page_path``: the page's path under docs/ (for messages and relative
    paths); ``url_of(file)``: the URL of ``figures/<file>`` relative to the
    page; ``known``: `sizes` of every figure. Code blocks and code spans are
    left alone.
    """
    out, number, fence = [], 0, None
    page_dir = posixpath.dirname(page_path)
    for lineno, line in enumerate(markdown.split("\n"), 1):
        match = _FENCE.match(line)
        if fence is not None:
            if match and match["fence"][0] == fence[0] and \
                    len(match["fence"]) >= len(fence) and \
                    not line.strip()[len(match["fence"]):].strip():
                fence = None
            out.append(line)
            continue
        if match:
            fence = match["fence"]
            out.append(line)
            continue
        visible = _CODE_SPAN.sub(lambda m: " " * len(m[0]), line)
        images = [m for m in _IMAGE.finditer(visible)
                  if posixpath.normpath(posixpath.join(
                      page_dir, line[m.start("path"):m.end("path")])) ==
                  f"figures/{m['name']}.svg"]
        if not images:
            out.append(line)
            continue
        where = f"docs/{page_path}:{lineno}"
        if visible[:images[0].start()].strip() == "" and images[0].start():
            raise FigureError(
                f"{where}: a figure image must start at the beginning of its "
                "line, not inside an admonition or a list (raw HTML, which "
                "the figure becomes, does not work there)")
        if len(images) > 1 or visible[:images[0].start()].strip() or \
                visible[images[0].end():].strip():
            raise FigureError(
                f"{where}: a figure image must stand alone on its line "
                "(blank lines around it)")
        m = images[0]
        name = m["name"]
        if name not in known:
            close = [k for k in known if k.split("-")[0] == name.split("-")[0]]
            raise FigureError(
                f"{where}: figure {name!r} does not exist: no FIGURES entry "
                f"{name!r} in figures/{name.split('-')[0]}.py"
                + (f" (it has: {', '.join(sorted(close))})" if close else ""))
        number += 1
        alt = line[m.start("alt"):m.end("alt")]
        title = line[m.start("title"):m.end("title")] if m["title"] else None
        caption = (title if title is not None else alt).strip()
        srcs = {palette: url_of(output_name(name, lang, palette))
                for palette in PALETTES}
        out.append(figure_html(name, _plain(alt), caption, number, lang, srcs,
                               known[name]))
    return "\n".join(out)


def _plain(markdown_text: str) -> str:
    # alt text: no markdown escapes or emphasis markers
    return re.sub(r"\\(.)", r"\1", markdown_text).replace("**", "")


# ------------------------------------------------------------ mkdocs hooks
_state: dict = {"sizes": None}


def on_config(config, **kwargs):
    from mkdocs.exceptions import PluginError

    out_dir = Path(config["docs_dir"]) / "figures"
    try:
        report = generate(out_dir)
    except FigureError as e:
        raise PluginError(f"figures: {e}") from None
    for name, seconds in sorted(report.drawn.items(), key=lambda kv: -kv[1]):
        log.info("figure %s: %.2f s", name, seconds)
    if report.drawn:
        log.info("figures: %d drawn, %d files written in %.1f s",
                 len(report.drawn), len(report.written), report.seconds)
    _state["sizes"] = sizes(out_dir)
    return config


def on_serve(server, config, builder, **kwargs):
    """Watch docs/ but not docs/figures/, which this hook writes itself.

    Otherwise every redrawn figure would start a second, useless rebuild
    (the sources that change a figure are watched: figures/, physdl_docs/).
    Replaces mkdocs' own watch of docs/ by one that ignores docs/figures/;
    needs mkdocs' LiveReloadServer internals and leaves the watch as it is
    if they are not there.
    """
    import watchdog.events

    docs = os.path.abspath(config["docs_dir"])
    skip = os.path.join(docs, "figures") + os.sep
    cond = getattr(server, "_rebuild_cond", None)
    if cond is None or docs not in getattr(server, "_watched_paths", {}):
        return server

    def callback(event):
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if event.is_directory or all(p.startswith(skip) or not p
                                     for p in paths):
            return
        with cond:  # as mkdocs' own callback does
            server._want_rebuild = True
            cond.notify_all()

    handler = watchdog.events.FileSystemEventHandler()
    handler.on_any_event = callback
    server.unwatch(docs)
    server.observer.schedule(handler, docs, recursive=True)
    return server


def _page_lang(page, config) -> str:
    locale = getattr(page.file, "locale", None)  # mkdocs-static-i18n
    if locale is None:
        locale = config["theme"].get("language") or "en"
    return "ko" if str(locale).startswith("ko") else "en"


def on_page_markdown(markdown, page, config, files, **kwargs):
    from mkdocs.exceptions import PluginError

    known = _state["sizes"]
    if known is None:
        known = _state["sizes"] = sizes(Path(config["docs_dir"]) / "figures")

    def url_of(file_name: str) -> str:
        file = files.get_file_from_path(f"figures/{file_name}")
        if file is None:
            raise FigureError(f"docs/figures/{file_name} was not generated")
        return file.url_relative_to(page.file)

    try:
        return rewrite_page(markdown, page.file.src_uri, _page_lang(page, config),
                            url_of, known)
    except FigureError as e:
        raise PluginError(f"figures: {e}") from None


# ------------------------------------------------------------ CLI
def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true",
                        help="redraw even when the sources did not change")
    parser.add_argument("--only", metavar="MODULE",
                        help="only figures/MODULE.py (e.g. hopfield)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "figures",
                        help="output directory (default: docs/figures)")
    parser.add_argument("--processes", type=int, default=None,
                        help="worker processes (default: one per core)")
    args = parser.parse_args(argv)
    try:
        report = generate(args.out, force=args.force, only=args.only,
                          processes=args.processes)
        error = None
    except FigureError as e:
        report, error = getattr(e, "report", None), e
    if report is not None:
        if report.drawn:
            print("  wall     CPU  figure (4 variants, with the module import)")
        for name, seconds in sorted(report.drawn.items(), key=lambda kv: -kv[1]):
            print(f"{seconds:6.2f} s {report.cpu[name]:6.2f} s  {name}")
        if report.cached:
            print(f"unchanged: {', '.join(report.cached)}")
        print(f"{len(report.drawn)} figures drawn, {len(report.written)} files "
              f"written in {report.seconds:.1f} s")
    if error is not None:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
