"""The built site that the link check and the browser tests look at.

- ``PHYSDL_SITE_DIR`` set (``make test`` sets it to ``site``, which its
  ``build`` step has just written with ``mkdocs build --strict``): use that
  directory as it is. A relative path is taken from the repository root.
- Not set (e.g. ``pytest tests/test_links.py`` on its own): build the site
  with ``mkdocs build --strict`` into a temporary directory, once per test
  run, and delete it at exit. This never touches ``site/``, so it cannot
  test a stale or half-written build that someone else left there.

Freshness of an existing ``site/`` is deliberately not guessed from file
times: a failed strict build also leaves fresh files behind.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from sitekit import ROOT


class SiteError(RuntimeError):
    """The site could not be found or built."""


def site_url() -> str:
    """``site_url`` of mkdocs.yml, ending in ``/``.

    Links to it (canonical URLs, the sitemap, the 404 page's absolute paths)
    are links into the site.
    """
    # mkdocs' own loader, so tags such as !ENV resolve as in the build
    from mkdocs.config import load_config

    url = load_config(str(ROOT / "mkdocs.yml"))["site_url"]
    if not url:
        raise SiteError("mkdocs.yml has no site_url")
    return url.rstrip("/") + "/"


_result: list = []  # [Path] or [SiteError], once known


def site_dir() -> Path:
    """Return the root of a built site (see the module docstring).

    The answer (or the error) is kept, so a test run builds at most once.
    """
    if not _result:
        try:
            _result.append(_find_or_build())
        except SiteError as exc:
            _result.append(exc)
    if isinstance(_result[0], SiteError):
        raise _result[0]
    return _result[0]


def _find_or_build() -> Path:
    given = os.environ.get("PHYSDL_SITE_DIR")
    if given:
        path = Path(given)
        path = path if path.is_absolute() else ROOT / path
        missing = [p for p in ("index.html", "en/index.html") if not (path / p).is_file()]
        if missing:
            raise SiteError(
                f"PHYSDL_SITE_DIR={given}: no {', '.join(missing)} in {path}; "
                "build it first (make build) or unset PHYSDL_SITE_DIR"
            )
        return path
    out = Path(tempfile.mkdtemp(prefix="physdl-site-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)]
    try:
        run = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise SiteError(f"mkdocs build took more than {exc.timeout} s") from exc
    if run.returncode != 0:
        tail = "\n".join((run.stdout + run.stderr).splitlines()[-30:])
        raise SiteError(f"mkdocs build --strict failed:\n{tail}")
    return out


# A fenced block of a Markdown page: opening fence, info string, body, and a
# closing fence of the same kind and indentation (the rule of
# ../shared/tools/parity.py). Used by the site checks and the browser tests.
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n"
    r"(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.M | re.S,
)


@pytest.fixture(scope="module")
def site() -> Path:
    """The built site (see `site_dir`); fails the test if it cannot be had."""
    try:
        return site_dir()
    except SiteError as exc:
        pytest.fail(str(exc), pytrace=False)
