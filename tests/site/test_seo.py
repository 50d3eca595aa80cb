"""Search engines and link previews see each page in its language (issue 15).

Read from the built site's HTML (``sitekit.sitebuild``): every page has a
title naming it, a meta description and Open Graph title/description in its
language, a canonical URL, and ``hreflang`` alternates for its ko/en pair;
each language has its own sitemap, and every alternate-language link has the
``sitemap.xml`` beside it that Material's language switch fetches.
"""

from __future__ import annotations

import html
import posixpath
import re
from urllib.parse import urljoin, urlsplit

import pytest

from sitekit import sitebuild as _sitebuild
from sitekit.sitebuild import site  # noqa: F401  (the fixture)

HANGUL = re.compile(r"[\uac00-\ud7a3]")
META = re.compile(r'<meta (?:name|property)="([^"]+)" content="([^"]*)"')
LINK = re.compile(r'<link rel="(canonical|alternate)" href="([^"]+)"(?: hreflang="([^"]+)")?')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def pages(site) -> list[str]:
    out = []
    for f in sorted(site.rglob("index.html")):
        rel = f.parent.relative_to(site).as_posix()
        out.append("" if rel == "." else rel + "/")
    return out


def head(site, path: str) -> dict:
    text = (site / path / "index.html").read_text(encoding="utf-8")
    top = text.split("</head>", 1)[0]
    meta = {k: html.unescape(v) for k, v in META.findall(top)}
    links = LINK.findall(top)
    h1 = H1.search(text)
    return {
        "title": html.unescape(TITLE.search(top)[1].strip()),
        "h1": html.unescape(re.sub(r"<[^>]+>", "", h1[1])).replace("¶", "").strip() if h1 else "",
        "meta": meta,
        "canonical": [href for rel, href, _ in links if rel == "canonical"],
        "alternates": {lang: href for rel, href, lang in links if rel == "alternate" and lang},
    }


def test_every_page_has_its_metadata(site):
    url = _sitebuild.site_url()
    problems = []
    for path in pages(site):
        lang = "en" if path.startswith("en/") else "ko"
        h = head(site, path)
        desc = h["meta"].get("description", "")
        if not desc:
            problems.append(f"/{path}: no meta description")
        elif bool(HANGUL.search(desc)) != (lang == "ko"):
            problems.append(f"/{path}: description not in {lang}: {desc[:60]!r}")
        name = h["h1"].split(": `physdl_docs")[0].split(": physdl_docs")[0]  # API pages
        if name and name not in h["title"]:
            problems.append(f"/{path}: title {h['title']!r} does not name {name!r}")
        for key in ("og:title", "og:description", "og:url", "og:locale"):
            if not h["meta"].get(key):
                problems.append(f"/{path}: no {key}")
        if h["meta"].get("og:description") and h["meta"]["og:description"] != desc:
            problems.append(f"/{path}: og:description differs from the description")
        if h["canonical"] != [url + path]:
            problems.append(f"/{path}: canonical {h['canonical']} is not {url + path}")
        pair = {"ko": path[3:] if lang == "en" else path,
                "en": path if lang == "en" else "en/" + path}
        got = {k: posixpath.normpath(urlsplit(urljoin(url + path, v)).path)
               for k, v in h["alternates"].items()}
        want = {k: posixpath.normpath(urlsplit(url + v).path) for k, v in pair.items()}
        if got != want:
            problems.append(f"/{path}: hreflang alternates {got} are not {want}")
    print(f"{len(pages(site))} pages checked")
    # title, description, Open Graph, canonical and hreflang on every page
    assert problems == [], "\n".join(problems[:30])


@pytest.mark.parametrize("lang, path", [("ko", "sitemap.xml"), ("en", "en/sitemap.xml")])
def test_a_sitemap_per_language(site, lang, path):
    url = _sitebuild.site_url()
    text = (site / path).read_text(encoding="utf-8")
    locs = re.findall(r"<loc>(.*?)</loc>", text)
    mine = [p for p in pages(site) if p.startswith("en/") == (lang == "en")]
    print(f"{path}: {len(locs)} pages")
    # every page of the language, and only those, each with both alternates
    assert sorted(locs) == sorted(url + p for p in mine)
    assert text.count('hreflang="ko"') == text.count('hreflang="en"') == len(locs)


def test_material_finds_the_sitemap_of_every_alternate(site):
    # Material 9.8 fetches sitemap.xml beside each alternate link of a page
    url = _sitebuild.site_url()
    missing = []
    for path in pages(site):
        for href in head(site, path)["alternates"].values():
            full = urljoin(url + path, href)
            assert full.startswith(url), f"/{path}: alternate {href} outside the site"
            target = full[len(url):].strip("/")
            if not (site / target / "sitemap.xml").is_file():
                missing.append(f"/{path} -> {target}/sitemap.xml")
    assert missing == []
