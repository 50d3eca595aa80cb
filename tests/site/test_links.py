"""No broken internal link or anchor in the built site.

Every ``href``/``src`` of every HTML page, every ``url(...)`` of the site's
own CSS, every ``<loc>``/alternate of ``sitemap.xml`` and every location of
the search index must resolve to a file of the built site, and every
``#fragment`` must be an ``id`` (or ``<a name>``) of the target page.
Links to other sites are not followed (the site must work offline, and the
browser tests check that no page requests one).

mkdocs' own ``validation`` (strict build) only sees Markdown links; this also
catches links written in raw HTML, theme and plugin output (language
switcher, sitemap, search index), figures and CSS fonts. LinkChecker (PyPI)
was tried: over ``file://`` it lists directories instead of opening their
``index.html`` (so it misses anchors behind ``physics/hopfield/``), and over
HTTP it reports missing anchors only as warnings and took two minutes.

The site comes from ``_sitebuild.site_dir()`` (``PHYSDL_SITE_DIR`` or a
fresh strict build); see that module.
"""

from __future__ import annotations

import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


from sitekit import sitebuild as _sitebuild
from sitekit.sitebuild import site  # noqa: F401  (the fixture)

#: attributes that load or point to another resource
LINK_ATTRS = {"href", "src", "poster", "data"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)""")
XML_LINK = re.compile(r"""<loc>([^<]+)</loc>|<xhtml:link[^>]*\bhref="([^"]+)\"""")
#: schemes and forms that are not files of this site
NOT_A_FILE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


class _PageParser(HTMLParser):
    """Collect the ids and the outgoing links of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []  # (line, url)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in LINK_ATTRS:
                self.links.append((self.getpos()[0], value))
            elif name == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.links.append((self.getpos()[0], candidate.split()[0]))

    handle_startendtag = handle_starttag


class LinkReport:
    """Check all internal links of a built site (see the module docstring)."""

    def __init__(self, site: Path, site_url: str) -> None:
        self.site = site
        self.site_url = site_url
        self.base_path = urlsplit(site_url).path  # e.g. "/physdl-docs/"
        self._pages: dict[str, _PageParser] = {}
        self.checked = 0
        self.problems: list[str] = []

    # ------------------------------------------------------------- pages
    def page(self, rel: str) -> _PageParser:
        """Parsed HTML page ``rel`` (a path relative to the site root)."""
        if rel not in self._pages:
            parser = _PageParser()
            parser.feed((self.site / rel).read_text(encoding="utf-8"))
            parser.close()
            self._pages[rel] = parser
        return self._pages[rel]

    # ----------------------------------------------------------- resolve
    def _target(self, url: str, base_dir: str) -> tuple[str | None, str, str]:
        """Map ``url`` seen in ``base_dir`` to (file, fragment, problem).

        file is a path relative to the site root, or None for a link that
        leaves the site (not checked) or a pure fragment (``#x``: "").
        """
        if url.startswith(self.site_url):
            url = "./" + url[len(self.site_url) :]  # relative to the root
            base_dir = ""
        elif NOT_A_FILE.match(url):
            return None, "", ""
        parts = urlsplit(url)
        path, fragment = unquote(parts.path), unquote(parts.fragment)
        if not path:
            return "", fragment, ""  # "#x" or "?q": this page
        if path.startswith("/"):
            # root-relative: only right under the site's own base path
            # (the 404 page uses these, as it is served at any address)
            if not path.startswith(self.base_path) and path != self.base_path.rstrip("/"):
                return None, fragment, f"absolute path outside {self.base_path}"
            joined = path[len(self.base_path) :]
        else:
            joined = posixpath.join(base_dir, path)
        rel = posixpath.normpath(joined) if joined else "."
        if rel == ".." or rel.startswith("../"):
            return None, fragment, "points above the site root"
        rel = "" if rel == "." else rel
        target = self.site / rel
        if target.is_dir():
            rel = posixpath.join(rel, "index.html") if rel else "index.html"
            target = self.site / rel
        if not target.is_file():
            return None, fragment, "no such file"
        return rel, fragment, ""

    def check(self, source: str, line: int, url: str, base_dir: str) -> None:
        """Check one link found in file ``source`` at ``line``."""
        rel, fragment, problem = self._target(url.strip(), base_dir)
        where = f"{source}:{line}: {url}"
        if problem:
            self.checked += 1
            self.problems.append(f"{where} ({problem})")
            return
        if rel is None:
            return  # another site
        self.checked += 1
        if rel == "":
            rel = source  # a fragment of this very page
        if fragment and rel.endswith(".html") and fragment not in self.page(rel).ids:
            self.problems.append(f"{where} (no id {fragment!r} in {rel})")

    # ---------------------------------------------------------- sources
    def run(self) -> LinkReport:
        for path in sorted(self.site.rglob("*.html")):
            rel = path.relative_to(self.site).as_posix()
            base = posixpath.dirname(rel)
            for line, url in self.page(rel).links:
                self.check(rel, line, url, base)
        for path in sorted(self.site.rglob("*.css")):
            rel = path.relative_to(self.site).as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            for match in CSS_URL.finditer(text):
                if match[1].startswith(("data:", "#")):
                    continue  # inline images, SVG filter references
                line = text.count("\n", 0, match.start()) + 1
                self.check(rel, line, match[1], posixpath.dirname(rel))
        for path in sorted(self.site.rglob("sitemap.xml")):
            rel = path.relative_to(self.site).as_posix()
            text = path.read_text(encoding="utf-8")
            for match in XML_LINK.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                self.check(rel, line, match[1] or match[2], posixpath.dirname(rel))
        for path in sorted(self.site.rglob("search_index.json")):
            rel = path.relative_to(self.site).as_posix()
            # locations are relative to the search's base: the root of the
            # index's language (search/ for Korean, en/search/ for English)
            base = posixpath.dirname(posixpath.dirname(rel))
            for doc in json.loads(path.read_text(encoding="utf-8"))["docs"]:
                self.check(rel, 0, doc["location"] or "./", base)
        return self


def check_site(site: Path, site_url: str) -> LinkReport:
    return LinkReport(site, site_url).run()


# ------------------------------------------------------------------ tests


def test_no_broken_internal_links_or_anchors(site):
    report = check_site(site, _sitebuild.site_url())
    # the check must have looked at the whole site, not at an empty folder
    assert report.checked > 1000, f"only {report.checked} links found in {site}"
    shown = "\n".join(report.problems[:50])
    assert report.problems == [], (
        f"{len(report.problems)} broken links (of {report.checked} checked):\n{shown}"
    )


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_checker_finds_broken_links_and_anchors(tmp_path):
    # a tiny site with one link of each kind, good and broken
    url = "https://example.org/book/"
    _write(
        tmp_path,
        "index.html",
        (
            '<h1 id="top">Home</h1>\n'
            '<a href="a/">dir</a> <a href="a/#sec">anchor</a> <a href="#top">self</a>\n'
            '<a href="a/#nope">bad anchor</a>\n'
            '<a href="missing/">bad dir</a>\n'
            '<img src="img/fig.svg"> <img src="img/gone.svg">\n'
            '<a href="https://elsewhere.org/x">external, not followed</a>\n'
            '<a href="mailto:a@b.c">mail</a> <a href="#">top</a>\n'
            '<link rel="canonical" href="https://example.org/book/a/">\n'
            '<link rel="alternate" href="https://example.org/book/b/">\n'
            '<a href="/book/a/#sec">root-relative</a> <a href="/other/">outside base</a>\n'
            '<a href="../up.html">above root</a> <a href="#nowhere">bad self</a>\n'
        ),
    )
    _write(
        tmp_path,
        "a/index.html",
        '<h2 id="sec">S</h2><a name="old"></a>'
        '<a href="../#top">back</a> <a href="../index.html#old">wrong page</a>',
    )
    _write(tmp_path, "img/fig.svg", "<svg/>")
    _write(
        tmp_path,
        "css/x.css",
        'a{background:url("../img/fig.svg")}'
        "b{background:url(../img/none.png)} c{background:url(data:x)}",
    )
    _write(
        tmp_path,
        "search/search_index.json",
        '{"docs": [{"location": "a/#sec"}, {"location": "a/#gone"}, {"location": ""}]}',
    )
    report = check_site(tmp_path, url)
    found = sorted(p.split(": ", 1)[1] for p in report.problems)
    # exactly the broken ones, each for the right reason
    assert found == sorted(
        [
            "#nowhere (no id 'nowhere' in index.html)",
            "../index.html#old (no id 'old' in index.html)",
            "../img/none.png (no such file)",
            "../up.html (points above the site root)",
            "/other/ (absolute path outside /book/)",
            "a/#gone (no id 'gone' in a/index.html)",
            "a/#nope (no id 'nope' in a/index.html)",
            "https://example.org/book/b/ (no such file)",
            "img/gone.svg (no such file)",
            "missing/ (no such file)",
        ]
    )
    # the good ones were checked too (external and mailto links are not)
    assert report.checked == len(found) + 11
