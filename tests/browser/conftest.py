"""Fixtures of the browser tests: the built site, served, and two crawls.

See browserkit.py for what is recorded. The crawls are session fixtures, so
every test module of this folder shares them: each page is visited once at
1440 px in the light palette and once at 390 px in the dark one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitekit import sitebuild as _sitebuild

from browserkit import (  # noqa: E402
    CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, Crawl, crawl_sites, serve,
)


# ---------------------------------------------------------------- fixtures
def _skip_without_chromium() -> None:
    if not CHROMIUM.exists():
        reason = f"chromium not installed ({CHROMIUM} missing): apt-get install chromium"
        if os.environ.get("PHYSDL_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (PHYSDL_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def built_site() -> Path:
    try:
        return _sitebuild.site_dir()
    except _sitebuild.SiteError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def site_url(built_site) -> str:
    """``http://127.0.0.1:PORT`` serving the built site with gzip."""
    server, url = serve(built_site)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium():
    _skip_without_chromium()
    try:
        import playwright.sync_api as sync_api
    except ImportError as exc:  # importorskip would skip even where CI requires it
        reason = f"playwright is not importable ({exc}): make install"
        if os.environ.get("PHYSDL_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (PHYSDL_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def crawls(chromium, site_url, built_site) -> dict[str, Crawl]:
    """Both crawls, run side by side (see browserkit.crawl_sites)."""
    desktop, phone = crawl_sites(chromium, site_url, built_site, [DESKTOP, PHONE])
    return {"desktop": desktop, "phone": phone}


@pytest.fixture(scope="session")
def desktop_crawl(crawls) -> Crawl:
    """Every page at 1440 x 900 in the light palette."""
    return crawls["desktop"]


@pytest.fixture(scope="session")
def phone_crawl(crawls) -> Crawl:
    """Every page at 390 x 844 in the dark palette."""
    return crawls["phone"]


@pytest.fixture(scope="session", params=["desktop", "phone"])
def any_crawl(request) -> Crawl:
    """Each crawl in turn: a test using it runs at 1440 px light and 390 px dark."""
    return request.getfixturevalue(f"{request.param}_crawl")
